//! Posting one payload to one webhook: a bounded number of tries with backoff, each with a timeout,
//! and errors described without the URL (it is a secret: whoever has it can post to the channel).

use std::time::Duration;

use serde::Serialize;

use csoc_model::secret::Secret;

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub attempts: u32,
    /// Wait before the second try; doubled before each further one.
    pub backoff: Duration,
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { attempts: 3, backoff: Duration::from_secs(2), timeout: Duration::from_secs(10) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// `slack` or `generic`.
    pub kind: String,
    pub delivered: bool,
    pub attempts: u32,
    /// Why the last try failed, without the URL.
    pub error: Option<String>,
}

pub(crate) async fn deliver(
    client: &reqwest::Client,
    kind: &str,
    url: &Secret,
    body: &serde_json::Value,
    policy: RetryPolicy,
) -> Delivery {
    let mut error = None;
    let mut wait = policy.backoff;
    for attempt in 1..=policy.attempts.max(1) {
        if attempt > 1 {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
        let sent = client.post(url.expose()).timeout(policy.timeout).json(body).send().await;
        let (retry, why) = match sent {
            Ok(r) if r.status().is_success() => {
                tracing::info!(kind, attempt, "webhook delivered");
                return Delivery { kind: kind.into(), delivered: true, attempts: attempt, error: None };
            }
            // A refusal other than "too many requests" will not change on a retry (a revoked URL).
            Ok(r) => (
                r.status().is_server_error() || r.status().as_u16() == 429,
                format!("it answered HTTP {}", r.status().as_u16()),
            ),
            Err(e) if e.is_timeout() => (true, "it did not answer in time".to_string()),
            Err(e) if e.is_connect() => (true, "it could not be reached".to_string()),
            Err(e) => (true, format!("the request failed ({})", e.without_url())),
        };
        tracing::warn!(kind, attempt, reason = %why, "webhook not delivered");
        error = Some(why);
        if !retry {
            return Delivery { kind: kind.into(), delivered: false, attempts: attempt, error };
        }
    }
    Delivery { kind: kind.into(), delivered: false, attempts: policy.attempts.max(1), error }
}
