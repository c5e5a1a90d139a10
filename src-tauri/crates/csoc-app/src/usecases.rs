//! What the operator does, as one function each, for every front end: the window's handlers and the
//! headless subcommands call these, so a step of a use case is written once and never in a front
//! end (the shell only adds path grants, events and the blocking pool; the CLI only words the result).

use std::path::Path;
use std::sync::Arc;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::api::{SecretStoreRequest, WizardImportResult};
use crate::deploy::answers::CommonsAnswers;
use crate::deploy::drafts::{self, Draft, DraftKind};
use crate::deploy::rendered_view::{self, RenderSettings};
use crate::deploy::review::STEP_REVIEW;
use crate::deploy::{import, import_report, launch};
use crate::error::{CoreError, CoreResult};
use crate::mesh::aggmds;
use crate::monitor::history::{self, MonitorSettings, SweepReport};
use crate::monitor::sweep::{SweepOptions, SweepProgress};
use crate::monitor::SweepScope;
use crate::path_grants::{PathGrants, Use};
use crate::secret::{Secret, SecretKind};
use crate::store::Store;
use crate::vault::Vault;
use crate::webhooks::{self, Delivery, WebhookKind};

/// Imports what `path` holds (a gitops folder, a values file, a manifest). A commons goes into the
/// inventory with a wizard draft opened at the review; the draft is checked before the inventory
/// changes, so either both are kept or neither (a failed draft save after the commons was written
/// says what was kept). Anything else (a release template, cluster values) changes nothing.
pub fn import_commons(store: &Store, path: &Path) -> CoreResult<WizardImportResult> {
    let imported = import::import_path(path)?;
    if !imported.is_commons() {
        return Ok(WizardImportResult { imported, commons: None, draft: None });
    }
    let draft = import_draft(&imported.answers, &imported.summary)?;
    drafts::check(&draft)?;
    let commons = import::add_to_inventory(store, &imported.answers)?;
    let draft = drafts::save(store, &draft).map_err(|e| import_report::kept_without_draft(&commons, e))?;
    Ok(WizardImportResult { imported, commons: Some(commons), draft: Some(draft) })
}

/// A wizard draft opened at the review step, for an imported commons: it opens on its files and
/// findings.
fn import_draft(answers: &CommonsAnswers, summary: &str) -> CoreResult<Draft> {
    let json = serde_json::to_value(answers)
        .map_err(|e| CoreError::invalid(format!("The answers could not be saved as a draft ({e}).")))?;
    let title = if answers.identity.hostname.is_empty() { summary } else { &answers.identity.hostname };
    Ok(Draft {
        id: String::new(),
        kind: DraftKind::Commons,
        title: title.to_string(),
        step: u32::from(STEP_REVIEW),
        answers: json,
        updated_at: 0,
    })
}

/// One sweep of `scope`, as the window, the terminal and `serve --metrics` run it: planned and recorded
/// on the blocking pool (both read or write the cache), probed with progress and a cancel, and its
/// report handed to the webhooks. Their deliveries go on in a task of their own: the terminal waits
/// for the handle before it exits; the window drops it, so a slow receiver never holds a sweep.
pub async fn sweep(
    store: Arc<Store>,
    vault: Arc<Vault>,
    scope: SweepScope,
    options: &SweepOptions,
    cancel: CancellationToken,
    on_progress: impl Fn(SweepProgress) + Send + Sync + 'static,
) -> CoreResult<(SweepReport, Option<JoinHandle<Vec<Delivery>>>)> {
    let (s, v) = (store.clone(), vault.clone());
    let plan = blocking(move || crate::monitor::plan(&s, &v, &scope)).await?;
    let result = crate::monitor::sweep::run(plan, options, cancel, on_progress).await?;
    let s = store.clone();
    let report = blocking(move || history::record(&s, &result)).await?;
    tracing::info!(
        probed = report.probed,
        reachable = report.reachable,
        changes = report.changes.len(),
        "sweep recorded"
    );
    let r = report.clone();
    let deliveries = match blocking(move || webhooks::targets_for(&store, &vault, &r)).await {
        Ok(targets) if !targets.is_empty() => {
            Some(webhooks::dispatch(targets, &report, webhooks::RetryPolicy::default()))
        }
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(message = %e.message, "webhook URLs could not be read");
            None
        }
    };
    Ok((report, deliveries))
}

/// Runs cache work on tokio's blocking pool; a panic there is logged and reported in words.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> CoreResult<T> + Send + 'static) -> CoreResult<T> {
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        tracing::error!(error = %e, "sweep task failed");
        CoreError::new(
            crate::error::ErrorCode::DbUnavailable,
            "The fleet check stopped unexpectedly. Details are in the log file.",
        )
    })?
}

/// Discards a wizard draft and the client secrets stored for it.
pub fn delete_draft(store: &Store, vault: &Vault, id: &str) -> CoreResult<()> {
    drafts::delete(store, id)?;
    vault.delete_named_prefix(store, &launch::secret_name(id, "")).map(drop)
}

/// Seals a draft's OIDC client secret in the vault, where the launch reads it.
pub fn store_client_secret(store: &Store, vault: &Vault, request: SecretStoreRequest) -> CoreResult<()> {
    let secret = request.secret.into_kind(SecretKind::ClientSecret);
    vault.store_named(store, &launch::secret_name(&request.draft_id, &request.idp), &secret)
}

/// Saves the monitoring settings and answers them as stored.
pub fn save_monitor_settings(store: &Store, settings: &MonitorSettings) -> CoreResult<MonitorSettings> {
    history::save_settings(store, settings)?;
    history::settings(store)
}

/// Sets (or with `None` removes) a webhook's URL and answers the kinds configured now.
pub fn set_webhook(
    store: &Store,
    vault: &Vault,
    kind: WebhookKind,
    url: Option<&Secret>,
) -> CoreResult<Vec<WebhookKind>> {
    webhooks::set(store, vault, kind, url)?;
    webhooks::configured(store, vault)
}

/// Saves the rendering settings. The chart folder is read by every later review, so a new one must
/// have been chosen by the operator, as any path the page names.
pub fn save_render_settings(
    store: &Store,
    grants: &PathGrants,
    request: &RenderSettings,
) -> CoreResult<RenderSettings> {
    let chosen = request.chart_dir.trim();
    if !chosen.is_empty() && chosen != rendered_view::settings(store)?.chart_dir {
        grants.check(chosen, Use::Read)?;
    }
    rendered_view::save_settings(store, request)
}

/// Checks an AggMDS configuration file and hands back its text, pretty JSON, for the mesh wizard.
pub fn aggmds_text(path: &Path) -> CoreResult<String> {
    let text = crate::deploy::yaml::read_config_file(path)?;
    let cfg = aggmds::parse_aggmds(&text, &path.display().to_string())?;
    aggmds::to_json_pretty(&cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An imported commons' draft opens where the review is, in the numbering the UI shows.
    #[test]
    fn an_imported_draft_opens_at_the_review_step() {
        let mut answers = CommonsAnswers::default();
        answers.identity.hostname = "data.example.org".into();
        let draft = import_draft(&answers, "a gitops folder").unwrap();
        assert_eq!(draft.step, 8);
        assert_eq!(draft.title, "data.example.org");
    }
}
