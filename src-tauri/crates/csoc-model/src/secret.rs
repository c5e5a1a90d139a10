//! Secrets as a type that cannot leak by accident: no `Serialize`, no `Display`, a `Debug` that
//! names only the kind, and memory wiped on drop. Reading the value takes an explicit `expose()`.

use serde::{Deserialize, Deserializer};
use zeroize::Zeroizing;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    ApiKey,
    AccessToken,
    Passphrase,
    /// An OIDC client secret collected by the commons wizard.
    ClientSecret,
    /// A Slack (or other) incoming-webhook URL: whoever has it can post to the team's channel.
    WebhookUrl,
}

impl SecretKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::ApiKey => "api_key",
            SecretKind::AccessToken => "access_token",
            SecretKind::Passphrase => "passphrase",
            SecretKind::ClientSecret => "client_secret",
            SecretKind::WebhookUrl => "webhook_url",
        }
    }
}

#[derive(Clone)]
pub struct Secret {
    kind: SecretKind,
    value: Zeroizing<String>,
}

impl Secret {
    pub fn new(kind: SecretKind, value: String) -> Self {
        Self { kind, value: Zeroizing::new(value) }
    }

    pub fn expose(&self) -> &str {
        &self.value
    }

    pub fn kind(&self) -> SecretKind {
        self.kind
    }

    /// The same value, for another purpose (a request field read as an API key that is a client secret).
    pub fn into_kind(self, kind: SecretKind) -> Self {
        Self { kind, value: self.value }
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<redacted {}>", self.kind.as_str())
    }
}

/// Deserializes as an API key (the only secret read from user files).
impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Secret::new(SecretKind::ApiKey, String::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_by_kind() {
        let s = Secret::new(SecretKind::AccessToken, "eyJ.super.secret".into());
        let shown = format!("{s:?} {:?}", Some(&s));
        assert!(!shown.contains("super"));
        assert!(shown.contains("<redacted access_token>"));
    }
}
