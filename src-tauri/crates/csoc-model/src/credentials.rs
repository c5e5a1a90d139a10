//! Reading Gen3 API keys: a `credentials.json` from a portal's Profile page, gen3sdk profiles
//! (`~/.gen3/<name>.json`) and gen3-client profiles (`~/.gen3/gen3_client_config.ini`). Keys are
//! checked for shape and claims before anything is stored; only non-secret facts leave this module.

use std::path::Path;

use base64::Engine;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, CoreResult};
use crate::secret::Secret;
use crate::validate::normalize_base_url;

/// What a key is for, shown before storing and kept (unencrypted: none of it is secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KeyInfo {
    /// The commons' base URL, from the key's `iss` without the `/user` path.
    pub commons_url: String,
    /// `key_id` = the JWT's `jti`; fence lists and revokes keys by it.
    pub key_id: String,
    /// fence's user id (`sub`).
    pub subject: String,
    pub scopes: Vec<String>,
    #[ts(type = "number | null")]
    pub issued_at: Option<i64>,
    /// Unix seconds.
    #[ts(type = "number")]
    pub expires_at: i64,
    /// The key's last four characters, so a user can tell two keys apart ("ends in 7f3a").
    pub ends_with: String,
}

/// A parsed key: the secret, what it is for, and the one origin it may be sent to.
#[derive(Debug, Clone)]
pub struct ApiKey {
    pub secret: Secret,
    pub info: KeyInfo,
    /// The origin (`https://host[:port]`) the exchange and every authenticated request may go to:
    /// the origin of the key's `iss`, unless the operator confirmed the commons' new URL for it.
    pub bound_origin: String,
}

impl ApiKey {
    /// Whether this key may be sent to `base_url` (same scheme, host and port as its binding).
    pub fn may_be_sent_to(&self, base_url: &str) -> bool {
        origin_of(base_url).is_some_and(|o| o == self.bound_origin)
    }
}

/// The origin of a URL as `scheme://host[:port]`, with the scheme's default port left out.
pub fn origin_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    match parsed.origin() {
        url::Origin::Tuple(..) => Some(parsed.origin().ascii_serialization()),
        url::Origin::Opaque(_) => None,
    }
}

#[derive(Deserialize)]
struct CredentialsFile {
    api_key: Option<Secret>,
    key_id: Option<String>,
}

#[derive(Deserialize)]
struct Claims {
    pur: Option<String>,
    iss: Option<String>,
    sub: Option<serde_json::Value>,
    jti: Option<String>,
    exp: Option<i64>,
    iat: Option<i64>,
    #[serde(default)]
    scope: Vec<String>,
}

const MAX_FILE: usize = 64 * 1024;

/// Parses the text of a credentials.json (as saved by the portal, or pasted).
pub fn parse_credentials(text: &str) -> CoreResult<ApiKey> {
    if text.len() > MAX_FILE {
        return Err(CoreError::invalid("This is far larger than a credentials.json (a few KB); nothing was read."));
    }
    let file: CredentialsFile = serde_json::from_str(text.trim()).map_err(|_| {
        CoreError::invalid(
            "This is not a credentials.json: expected JSON like {\"key_id\": \"...\", \"api_key\": \"...\"} as \
             downloaded from the portal's Profile page (Create API key).",
        )
    })?;
    let secret = file.api_key.ok_or_else(|| {
        CoreError::invalid(
            "The file has no \"api_key\". Download a new credentials.json from the portal's Profile page.",
        )
    })?;
    let key = parse_api_key(secret)?;
    if let Some(key_id) = file.key_id {
        if key_id != key.info.key_id {
            return Err(CoreError::invalid(
                "The file's key_id does not match its api_key (the file was edited). Download it again.",
            ));
        }
    }
    Ok(key)
}

/// Checks an API key JWT: three base64url parts, `pur: api_key`, an `iss` URL, `exp`, `jti`.
pub fn parse_api_key(secret: Secret) -> CoreResult<ApiKey> {
    let claims: Claims = decode_claims(secret.expose()).ok_or_else(|| {
        CoreError::invalid("The api_key is not a Gen3 API key (not a signed JWT). Copy the whole credentials.json.")
    })?;
    if claims.pur.as_deref() != Some("api_key") {
        let what = claims.pur.unwrap_or_else(|| "unknown".into());
        return Err(CoreError::invalid(format!(
            "This token is a “{what}” token, not an API key. Use the credentials.json from the portal's Profile page."
        )));
    }
    let iss =
        claims.iss.ok_or_else(|| CoreError::invalid("The API key does not say which commons issued it (no iss)."))?;
    let commons_url = commons_url_from_iss(&iss)?;
    let expires_at =
        claims.exp.ok_or_else(|| CoreError::invalid("The API key has no expiry (exp); fence keys always do."))?;
    let key_id =
        claims.jti.filter(|j| !j.is_empty()).ok_or_else(|| CoreError::invalid("The API key has no id (jti)."))?;
    let subject = match claims.sub {
        Some(serde_json::Value::String(s)) => s,
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let value = secret.expose();
    let ends_with = value[value.len().saturating_sub(4)..].to_string();
    Ok(ApiKey {
        bound_origin: origin_of(&commons_url).unwrap_or_default(),
        info: KeyInfo {
            commons_url,
            key_id,
            subject,
            scopes: claims.scope,
            issued_at: claims.iat,
            expires_at,
            ends_with,
        },
        secret,
    })
}

/// fence's `iss` is its BASE_URL, e.g. `https://data.example.org/user`; the commons is the origin.
pub(crate) fn commons_url_from_iss(iss: &str) -> CoreResult<String> {
    let url =
        url::Url::parse(iss).map_err(|_| CoreError::invalid(format!("The key's issuer “{iss}” is not a URL.")))?;
    let host = url.host_str().ok_or_else(|| CoreError::invalid(format!("The key's issuer “{iss}” has no host.")))?;
    let origin = match url.port() {
        Some(p) => format!("{}://{host}:{p}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    };
    normalize_base_url(&origin).map_err(CoreError::invalid)
}

/// Payload of a JWT, without verifying the signature (the commons verifies it; we only read claims).
pub fn decode_claims<T: serde::de::DeserializeOwned>(jwt: &str) -> Option<T> {
    let mut parts = jwt.trim().split('.');
    let (_header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || signature.is_empty() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A key found in the operator's existing profiles.
#[derive(Debug, Clone)]
pub struct FoundProfile {
    /// "gen3sdk: crdc" or "gen3-client: default".
    pub source: String,
    pub key: CoreResult<ApiKey>,
}

/// Reads `~/.gen3/*.json` (gen3sdk) and `~/.gen3/gen3_client_config.ini` (gen3-client).
pub fn scan_profiles(gen3_dir: &Path) -> Vec<FoundProfile> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(gen3_dir) else {
        return found;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if let Some(profile) = name.strip_suffix(".json") {
            let key = read_small(&path).and_then(|text| parse_credentials(&text));
            found.push(FoundProfile { source: format!("gen3sdk: {profile}"), key });
        } else if name == "gen3_client_config.ini" {
            if let Ok(text) = read_small(&path) {
                for (section, api_key) in ini_api_keys(&text) {
                    let key = parse_api_key(api_key);
                    found.push(FoundProfile { source: format!("gen3-client: {section}"), key });
                }
            }
        }
    }
    found
}

/// A credentials file or profile: a regular file of at most 64 KiB, as UTF-8 text.
pub fn read_small(path: &Path) -> CoreResult<String> {
    crate::operator_files::read_text(path, MAX_FILE as u64, "credentials file")
}

/// `[profile]` sections with an `api_key` (gen3-client also keeps a plain-text access token there,
/// which is deliberately ignored: only the API key is imported, into the vault).
fn ini_api_keys(text: &str) -> Vec<(String, Secret)> {
    let mut out = Vec::new();
    let mut section = String::new();
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_string();
        } else if let Some((k, v)) = line.split_once('=') {
            if k.trim() == "api_key" && !v.trim().is_empty() && !section.is_empty() {
                out.push((section.clone(), Secret::new(crate::secret::SecretKind::ApiKey, v.trim().to_string())));
            }
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An unsigned-but-well-formed JWT for parser tests (obviously fake: signature "fake-signature").
    pub(crate) fn fake_jwt(claims: serde_json::Value) -> String {
        let b64 = |v: &serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.fake-signature", b64(&serde_json::json!({"alg": "RS256", "kid": "k"})), b64(&claims))
    }

    fn claims() -> serde_json::Value {
        serde_json::json!({"pur": "api_key", "iss": "https://data.example.org/user", "sub": "42", "jti": "abc-123",
            "exp": 1_900_000_000, "iat": 1_800_000_000, "aud": ["gen3"], "azp": "", "scope": ["fence", "openid", "user", "data"]})
    }

    #[test]
    fn reads_a_portal_credentials_file() {
        let text = format!("{{\n\t\"key_id\": \"abc-123\",\n\t\"api_key\": \"{}\"\n}}", fake_jwt(claims()));
        let key = parse_credentials(&text).unwrap();
        assert_eq!(key.info.commons_url, "https://data.example.org");
        assert_eq!(key.info.key_id, "abc-123");
        assert_eq!(key.info.subject, "42");
        assert_eq!(key.info.expires_at, 1_900_000_000);
        assert_eq!(key.info.scopes, ["fence", "openid", "user", "data"]);
        assert_eq!(key.info.ends_with, "ture");
    }

    #[test]
    fn rejects_what_is_not_an_api_key() {
        let mut access = claims();
        access["pur"] = "access".into();
        let mut no_iss = claims();
        no_iss.as_object_mut().unwrap().remove("iss");
        let mut no_exp = claims();
        no_exp.as_object_mut().unwrap().remove("exp");
        let cases = [
            ("not json".to_string(), "not a credentials.json"),
            ("{\"key_id\": \"x\"}".to_string(), "no \"api_key\""),
            ("{\"api_key\": \"a.b\"}".to_string(), "not a signed JWT"),
            (format!("{{\"api_key\": \"{}\"}}", fake_jwt(access)), "not an API key"),
            (format!("{{\"api_key\": \"{}\"}}", fake_jwt(no_iss)), "no iss"),
            (format!("{{\"api_key\": \"{}\"}}", fake_jwt(no_exp)), "no expiry"),
            (format!("{{\"key_id\": \"other\", \"api_key\": \"{}\"}}", fake_jwt(claims())), "does not match"),
        ];
        for (text, want) in cases {
            let err = parse_credentials(&text).err().unwrap_or_else(|| panic!("accepted {text}"));
            assert!(err.message.contains(want), "{want:?} not in {:?}", err.message);
        }
    }

    #[test]
    fn loopback_issuer_keeps_http_and_port() {
        assert_eq!(commons_url_from_iss("http://127.0.0.1:4321/user").unwrap(), "http://127.0.0.1:4321");
        assert!(commons_url_from_iss("http://data.example.org/user").is_err(), "plain http only for loopback");
    }

    #[test]
    fn finds_sdk_and_client_profiles() {
        let dir = tempfile::tempdir().unwrap();
        let jwt = fake_jwt(claims());
        std::fs::write(dir.path().join("crdc.json"), format!("{{\"api_key\": \"{jwt}\"}}")).unwrap();
        std::fs::write(dir.path().join("broken.json"), "{").unwrap();
        std::fs::write(
            dir.path().join("gen3_client_config.ini"),
            format!("[default]\nkey_id=abc-123\napi_key={jwt}\naccess_token=eyJplain\napi_endpoint=https://data.example.org\n"),
        )
        .unwrap();
        let found = scan_profiles(dir.path());
        let sources: Vec<_> = found.iter().map(|f| (f.source.as_str(), f.key.is_ok())).collect();
        assert_eq!(sources, vec![("gen3sdk: broken", false), ("gen3sdk: crdc", true), ("gen3-client: default", true)]);
    }
}
