//! Alerts where the team is: a Slack-compatible incoming webhook and a generic JSON webhook, sent
//! for the same changes and expiry alerts as desktop notifications (a sweep reports each once).
//! The URLs are secrets kept in the vault; delivery runs beside the sweep and never holds it up.

pub mod deliver;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::history::SweepReport;
use crate::notify;
use csoc_model::error::{CoreError, CoreResult};
use csoc_model::secret::{Secret, SecretKind};
use csoc_store::Store;
use csoc_vault::Vault;
pub use deliver::{Delivery, RetryPolicy};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WebhookKind {
    /// Slack's incoming webhooks (`{"text": ...}`; Mattermost and Rocket.Chat take the same).
    Slack,
    /// The sweep's changes and alerts as JSON, for any receiver.
    Generic,
}

impl WebhookKind {
    pub(crate) const ALL: [WebhookKind; 2] = [WebhookKind::Slack, WebhookKind::Generic];

    pub fn as_str(self) -> &'static str {
        match self {
            WebhookKind::Slack => "slack",
            WebhookKind::Generic => "generic",
        }
    }

    fn secret_name(self) -> String {
        format!("webhook/{}", self.as_str())
    }
}

/// Sets (or, with `None`, removes) a webhook's URL. Only https is accepted, and http to this
/// machine (a local relay).
pub fn set(store: &Store, vault: &Vault, kind: WebhookKind, url: Option<&Secret>) -> CoreResult<()> {
    let Some(url) = url else {
        vault.delete_named_prefix(store, &kind.secret_name())?;
        tracing::info!(kind = kind.as_str(), "webhook removed");
        return Ok(());
    };
    let parsed = url::Url::parse(url.expose().trim())
        .map_err(|_| CoreError::invalid("That is not a webhook URL (it should start with https://)."))?;
    let local = matches!(parsed.host(), Some(url::Host::Ipv4(a)) if a.is_loopback())
        || matches!(parsed.host(), Some(url::Host::Ipv6(a)) if a.is_loopback())
        || parsed.host_str() == Some("localhost");
    if !(parsed.scheme() == "https" || (parsed.scheme() == "http" && local)) {
        return Err(CoreError::invalid("A webhook URL must use https (http only to this machine)."));
    }
    let secret = Secret::new(SecretKind::WebhookUrl, url.expose().trim().to_string());
    vault.store_named(store, &kind.secret_name(), &secret)
}

/// The webhooks that have a URL in the vault (nothing is decrypted).
pub fn configured(store: &Store, vault: &Vault) -> CoreResult<Vec<WebhookKind>> {
    let mut out = Vec::new();
    for kind in WebhookKind::ALL {
        if vault.has_named(store, &kind.secret_name())? {
            out.push(kind);
        }
    }
    Ok(out)
}

/// The payload a webhook of this kind receives for a sweep's report.
pub(crate) fn payload(kind: WebhookKind, report: &SweepReport) -> serde_json::Value {
    let notices = notify::each_notice(report);
    match kind {
        WebhookKind::Slack => {
            let lines: Vec<String> = notices.iter().map(|n| format!("*{}*\n{}", n.title, n.body)).collect();
            serde_json::json!({ "text": format!("Gen3 CSOC: {}", lines.join("\n")) })
        }
        WebhookKind::Generic => serde_json::json!({
            "source": "gen3-csoc",
            "sent_at": csoc_model::model::now_ms(),
            "probed": report.probed,
            "reachable": report.reachable,
            "notices": notices.iter().map(|n| serde_json::json!({"title": n.title, "body": n.body})).collect::<Vec<_>>(),
            "changes": report.changes,
            "alerts": report.alerts,
        }),
    }
}

/// A webhook to send to: its kind and URL, read from the vault.
pub struct Target {
    pub kind: WebhookKind,
    pub url: Secret,
}

/// The webhooks a sweep's report goes to: none when it has nothing to say (nothing is decrypted then).
pub fn targets_for(store: &Store, vault: &Vault, report: &SweepReport) -> CoreResult<Vec<Target>> {
    if report.changes.is_empty() && report.alerts.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for kind in configured(store, vault)? {
        out.push(Target { kind, url: vault.named(store, &kind.secret_name())?.into_kind(SecretKind::WebhookUrl) });
    }
    Ok(out)
}

/// Sends the report to the targets in a task of its own, each webhook beside the others: the
/// caller goes on at once; awaiting the handle (a one-shot CLI sweep before it exits) gives the
/// deliveries. Needs a Tokio runtime.
pub fn dispatch(
    targets: Vec<Target>,
    report: &SweepReport,
    policy: RetryPolicy,
) -> tokio::task::JoinHandle<Vec<Delivery>> {
    let client = reqwest::Client::new();
    let handles: Vec<_> = targets
        .into_iter()
        .map(|t| {
            let body = payload(t.kind, report);
            let client = client.clone();
            tokio::spawn(async move { deliver::deliver(&client, t.kind.as_str(), &t.url, &body, policy).await })
        })
        .collect();
    tokio::spawn(async move {
        let mut out = Vec::with_capacity(handles.len());
        for h in handles {
            if let Ok(d) = h.await {
                out.push(d);
            }
        }
        out
    })
}
