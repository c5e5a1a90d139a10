//! A CSOC is a team: the inventory shared through a git repository the team already has (their
//! gen3-gitops repository, say), one YAML file per commons and per mesh, merged per record and per
//! field against the last synced base kept here. No server of our own: git is the engine.
//!
//! The clone lives in `<data folder>/team/clone` and belongs to the app (it is reset to the remote
//! at every sync); what this operator changed lives in the inventory until a sync pushes it.

pub mod cli;
mod git;
pub mod merge;
pub mod records;
pub mod state;
pub mod sync;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use csoc_deploy::git_launch::{redact_credentials, FALLBACK_AUTHOR};
use csoc_model::counted::counted;
use csoc_model::error::{CoreError, CoreResult, ErrorCode};
use csoc_model::model::now_ms;
use csoc_store::Store;
use merge::{record_fields, Fields, WHOLE_RECORD};
use records::Kind;
use state::TeamConfig;
pub use state::TeamConflict;
pub use sync::SyncReport;

pub const DEFAULT_FOLDER: &str = "csoc/inventory";

/// Where the app keeps its clone of the team repository: next to the cache.
pub(crate) struct TeamPlace {
    pub clone: PathBuf,
}

impl TeamPlace {
    pub(crate) fn of(store: &Store) -> TeamPlace {
        let data = store.path().parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        // Absolute: git runs in other folders (`-C`), where a relative `--data-dir` means something else.
        let data = std::path::absolute(data).unwrap_or_else(|_| data.to_path_buf());
        TeamPlace { clone: data.join("team").join("clone") }
    }

    /// Who last changed a record's file in the repository, and when (unix ms).
    fn last_change(
        &self,
        config: &TeamConfig,
        kind: Kind,
        key: &str,
        fields: Option<&Fields>,
    ) -> (String, Option<i64>) {
        let path = fields.map_or_else(
            || PathBuf::from(&config.folder),
            |f| PathBuf::from(&config.folder).join(records::file_for(kind, key, f, &Default::default())),
        );
        let remote = format!("refs/remotes/origin/{}", config.branch);
        let args = ["log", "-1", "--format=%an%x1f%at", remote.as_str(), "--"].map(OsStr::new);
        let out = git::run(&self.clone, args.iter().copied().chain([path.as_os_str()]));
        let line = out.ok().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default();
        match line.split_once('\u{1f}') {
            Some((who, at)) => (who.to_string(), at.parse::<i64>().ok().map(|s| s * 1000)),
            None => ("the team repository".into(), None),
        }
    }
}

/// The name and e-mail this operator's commits carry: the clone's (or global) git identity.
fn operator(clone: &Path) -> (String, String) {
    (
        git::config(clone, "user.name").unwrap_or_else(|| FALLBACK_AUTHOR.0.into()),
        git::config(clone, "user.email").unwrap_or_else(|| FALLBACK_AUTHOR.1.into()),
    )
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamJoin {
    /// A clone URL (https, ssh) or the path of a repository.
    pub repo: String,
    /// The inventory's folder in the repository; default `csoc/inventory`.
    #[serde(default)]
    pub folder: Option<String>,
    /// The commit author for this operator's changes, when git has none configured.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TeamStatus {
    pub joined: bool,
    /// The repository, without any credential in its URL.
    pub repo: Option<String>,
    pub folder: Option<String>,
    pub branch: Option<String>,
    #[ts(type = "number | null")]
    pub last_attempted: Option<i64>,
    #[ts(type = "number | null")]
    pub last_synced: Option<i64>,
    /// Why the last sync failed (the repository could not be reached, a file there is broken).
    pub last_error: Option<String>,
    /// The last sync could not reach the repository: changes made here wait for the next one.
    pub offline: bool,
    /// Records changed here and not in the repository yet.
    pub pending: u32,
    pub conflicts: Vec<TeamConflict>,
}

/// Which value a resolved conflict keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Keep {
    Mine,
    Theirs,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamResolve {
    /// `commons` or `mesh`.
    pub kind: String,
    pub key: String,
    pub field: String,
    pub keep: Keep,
}

/// Clones the team repository and syncs once (the first sync is the union of this inventory and
/// the repository's; the same record with different values on both sides is a conflict).
pub fn join(store: &Store, request: &TeamJoin) -> CoreResult<SyncReport> {
    let folder = checked_folder(request.folder.as_deref().unwrap_or(DEFAULT_FOLDER))?;
    let repo = request.repo.trim();
    if repo.is_empty() || repo.starts_with('-') {
        return Err(CoreError::invalid("Give the team repository's clone URL or path."));
    }
    // A local path is made absolute, so the clone finds it whatever folder the app runs from.
    let repo = match Path::new(repo).canonicalize() {
        Ok(p) if !repo.contains("://") => p.display().to_string(),
        _ => repo.to_string(),
    };
    let place = TeamPlace::of(store);
    if place.clone.exists() {
        std::fs::remove_dir_all(&place.clone).map_err(|e| CoreError::io("replace", &place.clone, &e))?;
    }
    let parent = place.clone.parent().expect("the clone has a parent folder");
    csoc_model::paths::create_private_dir(parent).map_err(|e| CoreError::io("create", parent, &e))?;
    let args = ["clone", "-q", "--", repo.as_str()].map(OsStr::new);
    let out = git::run(parent, args.iter().copied().chain([place.clone.as_os_str()]))?;
    if !out.status.success() {
        let said = redact_credentials(&String::from_utf8_lossy(&out.stderr));
        let last = said.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("no answer").trim().to_string();
        return Err(CoreError::new(
            ErrorCode::Unreachable,
            format!("Could not clone the team repository {}: {last}", redact_credentials(&repo)),
        ));
    }
    for (key, value) in [("user.name", &request.name), ("user.email", &request.email)] {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            git::ok(&place.clone, "config", ["config", key, v])?;
        }
    }
    let branch = git::ok(&place.clone, "symbolic-ref", ["symbolic-ref", "--short", "HEAD"])?;
    let config = TeamConfig { repo, folder, branch };
    state::save_config(store, &config)?;
    tracing::info!(repo = %redact_credentials(&config.repo), folder = %config.folder, "joined the team repository");
    sync::sync(store, &place, &config)
}

/// Syncs with the team repository (an error when this data folder has not joined one).
pub fn sync(store: &Store) -> CoreResult<SyncReport> {
    let config = state::config(store)?.ok_or_else(not_joined)?;
    recorded(store, sync::sync(store, &TeamPlace::of(store), &config))
}

/// Syncs when this data folder has joined a team repository; `None` otherwise.
pub fn sync_if_joined(store: &Store) -> CoreResult<Option<SyncReport>> {
    match state::config(store)? {
        Some(config) => recorded(store, sync::sync(store, &TeamPlace::of(store), &config)).map(Some),
        None => Ok(None),
    }
}

/// The sync in the activity log.
fn recorded(store: &Store, outcome: CoreResult<SyncReport>) -> CoreResult<SyncReport> {
    use csoc_store::activity::{record, ActivityKind, Note};
    record(store, Note::new(ActivityKind::TeamSync, sync_summary(&outcome)).outcome(&outcome));
    outcome
}

/// What a sync took and shared, or why it waits, as the activity log says it.
fn sync_summary(outcome: &CoreResult<SyncReport>) -> String {
    let Ok(r) = outcome else { return "Team sync".to_string() };
    if let Some(why) = &r.offline {
        return format!("Team sync waits: {why} ({} waiting)", counted(r.pending as usize, "change", "changes"));
    }
    let commit = r.commit.as_deref().map(|c| format!(" in {}", c.chars().take(12).collect::<String>()));
    format!(
        "Team sync: {} taken, {} shared{}, {} open",
        counted(r.pulled as usize, "record", "records"),
        r.pushed,
        commit.unwrap_or_default(),
        counted(r.conflicts as usize, "conflict", "conflicts")
    )
}

#[cfg(test)]
mod wording {
    use super::*;

    #[test]
    fn a_sync_counts_in_words() {
        let one = SyncReport {
            pulled: 1,
            pushed: 1,
            conflicts: 1,
            commit: Some("0123456789abcdef".into()),
            ..Default::default()
        };
        assert_eq!(sync_summary(&Ok(one)), "Team sync: 1 record taken, 1 shared in 0123456789ab, 1 conflict open");
        let many = SyncReport { pulled: 3, pushed: 0, ..Default::default() };
        assert_eq!(sync_summary(&Ok(many)), "Team sync: 3 records taken, 0 shared, 0 conflicts open");
        let waiting =
            SyncReport { offline: Some("the remote is unreachable".into()), pending: 1, ..Default::default() };
        assert_eq!(sync_summary(&Ok(waiting)), "Team sync waits: the remote is unreachable (1 change waiting)");
    }
}

pub fn status(store: &Store) -> CoreResult<TeamStatus> {
    let config = state::config(store)?;
    let fresh = csoc_store::inventory::freshness(&store.conn(), state::SOURCE)?;
    let conflicts = state::conflicts(&store.conn())?.iter().map(state::StoredConflict::shown).collect();
    let offline = state::offline(&store.conn())?;
    let pending = if config.is_some() { pending(store)? } else { 0 };
    Ok(TeamStatus {
        joined: config.is_some(),
        repo: config.as_ref().map(|c| redact_credentials(&c.repo)),
        folder: config.as_ref().map(|c| c.folder.clone()),
        branch: config.as_ref().map(|c| c.branch.clone()),
        last_attempted: fresh.last_attempted,
        last_synced: fresh.last_successful,
        last_error: fresh.last_error,
        offline,
        pending,
        conflicts,
    })
}

/// Records that differ between this inventory and the last synced base.
pub(crate) fn pending(store: &Store) -> CoreResult<u32> {
    let mine = records::local(store)?;
    let base = state::base(&store.conn())?;
    let keys: std::collections::BTreeSet<_> = mine.keys().chain(base.keys()).collect();
    Ok(keys.into_iter().filter(|k| mine.get(*k) != base.get(*k)).count() as u32)
}

/// Resolves a conflict: this inventory takes the kept value and the base becomes theirs, so
/// keeping mine is a change the next sync pushes and keeping theirs changes nothing there.
pub fn resolve(store: &Store, request: &TeamResolve) -> CoreResult<()> {
    let kind =
        Kind::parse(&request.kind).ok_or_else(|| CoreError::invalid("A conflict is about a commons or a mesh."))?;
    let conflict = state::conflicts(&store.conn())?
        .into_iter()
        .find(|c| c.kind == kind && c.key == request.key && c.field == request.field)
        .ok_or_else(|| CoreError::not_found("That conflict is no longer open (resolved or synced away)."))?;
    let chosen = match request.keep {
        Keep::Mine => &conflict.mine,
        Keep::Theirs => &conflict.theirs,
    };
    let current = records::local(store)?.remove(&(kind, request.key.clone()));
    let mut conn = store.conn();
    let tx = conn.transaction()?;
    let now = now_ms();
    if conflict.field == WHOLE_RECORD {
        sync::write_local(&tx, kind, &request.key, record_fields(chosen).as_ref(), now)?;
        state::set_base(&tx, kind, &request.key, record_fields(&conflict.theirs).as_ref())?;
    } else {
        let mut fields = current.ok_or_else(|| CoreError::not_found("That record is no longer in the inventory."))?;
        fields.insert(conflict.field.clone(), chosen.clone());
        sync::write_local(&tx, kind, &request.key, Some(&fields), now)?;
        let mut base = state::base(&tx)?.remove(&(kind, request.key.clone())).unwrap_or_else(|| fields.clone());
        base.insert(conflict.field.clone(), conflict.theirs.clone());
        state::set_base(&tx, kind, &request.key, Some(&base))?;
    }
    state::delete_conflict(&tx, kind, &request.key, &request.field)?;
    csoc_store::inventory::touch(&tx, now)?;
    tx.commit()?;
    tracing::info!(kind = kind.as_str(), key = %request.key, field = %request.field, keep = ?request.keep, "team conflict resolved");
    Ok(())
}

fn checked_folder(folder: &str) -> CoreResult<String> {
    let folder = folder.trim().trim_matches('/');
    let path = Path::new(folder);
    let plain = path.components().all(|c| matches!(c, std::path::Component::Normal(_)));
    if folder.is_empty() || !plain || folder.starts_with(".git") {
        return Err(CoreError::invalid(format!(
            "“{folder}” is not a folder inside the repository; use a relative path such as {DEFAULT_FOLDER}."
        )));
    }
    Ok(folder.to_string())
}

fn not_joined() -> CoreError {
    CoreError::not_found("This data folder has not joined a team repository. Run `gen3-csoc team join REPO` first.")
}
