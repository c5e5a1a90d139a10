//! Fleet monitoring: probes every commons' services through the public Gen3 API, keeps history in
//! the cache, and reports what changed. The network never blocks a view: views read the cache.
//! `webhooks` sends a sweep's report to Slack or a generic endpoint.

pub(crate) mod board_query;
pub mod catalog;
pub mod checks;
pub mod history;
pub mod known;
pub mod notify;
pub mod probe;
pub mod sweep;
pub mod text;
pub mod views;
pub mod webhooks;

use csoc_model::error::CoreResult;
use csoc_model::model::InventoryFilter;
use csoc_store::inventory;
use csoc_store::Store;
use csoc_vault::Vault;
use std::collections::HashMap;

use probe::Known;
use sweep::SweepTarget;

/// Which commons a sweep covers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SweepScope {
    All,
    Commons { id: String },
    Mesh { name: String },
}

/// What a sweep probes and what is known of each commons beforehand.
pub struct SweepPlan {
    pub targets: Vec<SweepTarget>,
    /// By commons id.
    pub known: HashMap<String, Known>,
    pub checks: checks::CheckPolicy,
}

/// The plan for a sweep: its targets, with decrypted keys where the vault is unlocked (public
/// probes run either way; a stored key that cannot be read is reported by the key check, not
/// skipped), what the cache knows of their services, and the operator's check settings. The
/// outside-in checks and service versions of a commons are read on their own cadence
/// (`checks_interval_secs`), except when the commons is checked on its own: someone asking now.
pub fn plan(store: &Store, vault: &Vault, scope: &SweepScope) -> CoreResult<SweepPlan> {
    let settings = history::settings(store)?;
    let filter = match scope {
        SweepScope::Mesh { name } => InventoryFilter { mesh: Some(name.clone()), ..Default::default() },
        _ => InventoryFilter::default(),
    };
    let commons = inventory::list(store, &filter)?.commons;
    let targets = commons
        .into_iter()
        .filter(|c| !matches!(scope, SweepScope::Commons { id } if *id != c.id))
        .map(|c| SweepTarget {
            api_key: match vault.api_key(store, &c.id) {
                Err(e) if e.code == csoc_model::error::ErrorCode::NotFound => None,
                read => Some(read),
            },
            commons_id: c.id,
            base_url: c.draft.base_url,
            ca_pem: c.draft.ca_pem,
        })
        .collect();
    let mut known = known::load(store)?;
    if !matches!(scope, SweepScope::Commons { .. }) {
        let since = csoc_model::model::now_ms() - i64::from(settings.checks_interval_secs) * 1000;
        for id in known::checked_since(store, since)? {
            known.entry(id).or_default().recently_checked = true;
        }
    }
    let checks = checks::CheckPolicy { etl_stale_secs: i64::from(settings.etl_stale_days) * 86_400 };
    Ok(SweepPlan { targets, known, checks })
}
