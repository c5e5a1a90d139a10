//! One sync: fetch, merge per record against the last synced base, commit what changed with a
//! message that names it, push, and only then write this inventory and the new base (a push that
//! fails leaves both as they were, so nothing here claims to be shared before it is). A push
//! refused because someone pushed first is retried from the fetch.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::merge::{self, Fields, Outcome};
use super::records::{self, Kind, Records};
use super::state::{self, StoredConflict, TeamConfig};
use super::{git, operator, TeamPlace};
use csoc_model::error::{CoreError, CoreResult, ErrorCode};
use csoc_model::model::{now_ms, Commons};
use csoc_store::Store;

/// Pushes refused because the remote moved on before a sync gives up (and says so).
const PUSH_ATTEMPTS: usize = 4;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct SyncReport {
    /// Records this inventory took from the repository (added, changed or deleted here).
    pub pulled: u32,
    /// Records this sync changed in the repository.
    pub pushed: u32,
    /// The commit pushed, if any.
    pub commit: Option<String>,
    /// Conflicts open after the sync.
    pub conflicts: u32,
    /// Why the repository could not be reached; local changes wait for the next sync.
    pub offline: Option<String>,
    /// Records changed here and not in the repository yet.
    pub pending: u32,
}

pub(crate) fn sync(store: &Store, place: &TeamPlace, config: &TeamConfig) -> CoreResult<SyncReport> {
    for _ in 0..PUSH_ATTEMPTS {
        match attempt(store, place, config) {
            Ok(Some(report)) => return Ok(report),
            Ok(None) => continue,
            Err(e) if e.code == ErrorCode::Unreachable => {
                state::mark(&store.conn(), now_ms(), Some(&e))?;
                tracing::warn!(message = %e.message, "team sync: repository unreachable; changes wait");
                return Ok(SyncReport {
                    offline: Some(e.message),
                    pending: super::pending(store)?,
                    conflicts: state::conflicts(&store.conn())?.len() as u32,
                    ..Default::default()
                });
            }
            Err(e) => {
                state::mark(&store.conn(), now_ms(), Some(&e))?;
                return Err(e);
            }
        }
    }
    Err(CoreError::new(
        ErrorCode::Conflict,
        format!("The team repository kept changing during the sync ({PUSH_ATTEMPTS} tries); sync again in a moment."),
    ))
}

/// One fetch-merge-push round; `None` when the push was refused because the remote moved on.
fn attempt(store: &Store, place: &TeamPlace, config: &TeamConfig) -> CoreResult<Option<SyncReport>> {
    let clone = &place.clone;
    let remote_ref = format!("refs/remotes/origin/{}", config.branch);
    git::network(clone, "fetch", ["fetch", "-q", "--prune", "origin"])?;
    let has_remote = git::run(clone, ["rev-parse", "--verify", "-q", &remote_ref])?.status.success();
    if has_remote {
        git::ok(clone, "checkout", ["checkout", "-q", "-f", "-B", &config.branch, &remote_ref])?;
    } else {
        // An empty repository: start the branch from nothing.
        git::ok(clone, "symbolic-ref", ["symbolic-ref", "HEAD", &format!("refs/heads/{}", config.branch)])?;
        let _ = git::run(clone, ["update-ref", "-d", &format!("refs/heads/{}", config.branch)]);
        git::ok(clone, "read-tree", ["read-tree", "--empty"])?;
    }
    git::ok(clone, "clean", ["clean", "-q", "-f", "-d", "-x"])?;
    let folder = clone.join(&config.folder);
    let (theirs, paths) = records::read_folder(&folder)?;

    let mine = records::local(store)?;
    let (base, open) = {
        let conn = store.conn();
        (state::base(&conn)?, state::conflicts(&conn)?)
    };
    let held = state::held(&open);
    let keys: BTreeSet<(Kind, String)> = mine.keys().chain(theirs.keys()).chain(base.keys()).cloned().collect();
    let mut outcomes: BTreeMap<(Kind, String), Outcome> = BTreeMap::new();
    for key in keys {
        let fields: BTreeSet<String> = held.get(&key).into_iter().flatten().map(|c| c.field.clone()).collect();
        let out = merge::merge(base.get(&key), mine.get(&key), theirs.get(&key), &fields);
        outcomes.insert(key, out);
    }

    one_record_per_url(&outcomes)?;
    let changes = write_files(&folder, &outcomes, &theirs, &paths)?;
    // The clone holds nothing but this sync's writes (it was reset and cleaned above).
    git::ok(clone, "add", ["add", "-A"])?;
    let staged = !git::run(clone, ["diff", "--cached", "--quiet"])?.status.success();
    let mut commit = None;
    if staged {
        let (name, email) = operator(clone);
        let message = commit_message(&changes);
        git::ok(
            clone,
            "commit",
            ["-c", &format!("user.name={name}"), "-c", &format!("user.email={email}"), "commit", "-q", "-m", &message],
        )?;
        let pushed =
            git::network(clone, "push", ["push", "-q", "origin", &format!("HEAD:refs/heads/{}", config.branch)])?;
        if git::rejected(&pushed) {
            return Ok(None);
        }
        commit = Some(git::ok(clone, "rev-parse", ["rev-parse", "HEAD"])?);
    }
    let report = apply(store, place, config, &mine, &outcomes, &open)?;
    Ok(Some(SyncReport { pushed: changes.len() as u32, commit, ..report }))
}

/// Refuses, before anything is pushed, a merge that would list one commons twice: the same URL
/// added here and by someone else under another id (two operators entered it separately).
fn one_record_per_url(outcomes: &BTreeMap<(Kind, String), Outcome>) -> CoreResult<()> {
    let mut seen: BTreeMap<&str, (&str, &Fields)> = BTreeMap::new();
    for ((kind, key), out) in outcomes {
        let (Kind::Commons, Some(merged)) = (kind, &out.merged) else { continue };
        let Some(url) = merged.get("base_url").and_then(|v| v.as_str()) else { continue };
        if let Some((other, fields)) = seen.insert(url, (key, merged)) {
            let name = |f: &Fields| f.get("name").and_then(|v| v.as_str()).unwrap_or_default().to_string();
            return Err(CoreError::new(
                ErrorCode::Conflict,
                format!(
                    "{url} is in the team repository and in this inventory as two commons (“{}”, id {other}, and \
                     “{}”, id {key}): it was added on both sides separately. Delete the copy you added here and sync \
                     again to take the team's; nothing was shared or changed.",
                    name(fields),
                    name(merged)
                ),
            ));
        }
    }
    Ok(())
}

/// One record's change in the repository, for the commit message.
struct Change {
    verb: &'static str,
    label: String,
    fields: Vec<String>,
}

/// Writes the merged records into the folder (one file each, renamed when a commons' host
/// changes) and removes the files of deleted ones; returns what changed.
fn write_files(
    folder: &Path,
    outcomes: &BTreeMap<(Kind, String), Outcome>,
    theirs: &Records,
    paths: &records::Files,
) -> CoreResult<Vec<Change>> {
    let mut taken = BTreeSet::new();
    let mut changes = Vec::new();
    for ((kind, key), out) in outcomes {
        let before = theirs.get(&(*kind, key.clone()));
        let old_path = paths.get(&(*kind, key.clone()));
        let Some(merged) = &out.merged else {
            if let Some(p) = old_path {
                let full = folder.join(p);
                std::fs::remove_file(&full).map_err(|e| CoreError::io("remove", &full, &e))?;
                changes.push(Change { verb: "delete", label: records::label(*kind, key, before), fields: vec![] });
            }
            continue;
        };
        let path = records::file_for(*kind, key, merged, &taken);
        taken.insert(path.clone());
        if let Some(p) = old_path.filter(|p| **p != path) {
            let full = folder.join(p);
            std::fs::remove_file(&full).map_err(|e| CoreError::io("remove", &full, &e))?;
        }
        let full = folder.join(&path);
        if let Some(dir) = full.parent() {
            std::fs::create_dir_all(dir).map_err(|e| CoreError::io("create", dir, &e))?;
        }
        std::fs::write(&full, records::file_text(*kind, key, merged)?)
            .map_err(|e| CoreError::io("write", &full, &e))?;
        match before {
            None => {
                changes.push(Change { verb: "add", label: records::label(*kind, key, Some(merged)), fields: vec![] })
            }
            Some(b) if b != merged => {
                let fields = merged.keys().chain(b.keys()).filter(|f| b.get(*f) != merged.get(*f)).cloned();
                let fields: BTreeSet<String> = fields.collect();
                changes.push(Change {
                    verb: "edit",
                    label: records::label(*kind, key, Some(merged)),
                    fields: fields.into_iter().collect(),
                });
            }
            Some(_) => {}
        }
    }
    Ok(changes)
}

fn commit_message(changes: &[Change]) -> String {
    let line = |c: &Change| match c.fields.as_slice() {
        [] => format!("{} {}", c.verb, c.label),
        fields => format!("{} {}: {}", c.verb, c.label, fields.join(", ")),
    };
    let subject = match changes {
        [one] => format!("Inventory: {}", line(one)),
        many => {
            let count = |verb: &str| many.iter().filter(|c| c.verb == verb).count();
            format!("Inventory: {} added, {} edited, {} deleted", count("add"), count("edit"), count("delete"))
        }
    };
    let body: Vec<String> = changes.iter().map(|c| format!("- {}", line(c))).collect();
    format!("{subject}\n\n{}\n\nWritten by gen3-csoc team sync.", body.join("\n"))
}

/// Writes the merge into this inventory, the base and the conflicts, in one transaction. A record
/// edited here while the sync ran keeps the edit and its old base, so the next sync merges it.
fn apply(
    store: &Store,
    place: &TeamPlace,
    config: &TeamConfig,
    mine: &Records,
    outcomes: &BTreeMap<(Kind, String), Outcome>,
    open: &[StoredConflict],
) -> CoreResult<SyncReport> {
    let now_mine = records::local(store)?;
    let updated_at: BTreeMap<String, i64> = csoc_store::inventory::list(store, &Default::default())?
        .commons
        .into_iter()
        .map(|c| (c.id, c.updated_at))
        .collect();
    let (me, _) = operator(&place.clone);
    let mut conflicts = Vec::new();
    let mut pulled = 0;
    let now = now_ms();
    let mut conn = store.conn();
    let tx = conn.transaction()?;
    for ((kind, key), out) in outcomes {
        let id = (*kind, key.clone());
        let edited_meanwhile = mine.get(&id) != now_mine.get(&id);
        if !edited_meanwhile {
            state::set_base(&tx, *kind, key, out.merged.as_ref())?;
            if out.local.as_ref() != mine.get(&id) {
                pulled += 1;
                write_local(&tx, *kind, key, out.local.as_ref(), now)?;
            }
        }
        for c in &out.conflicts {
            let earlier = open.iter().find(|o| o.kind == *kind && o.key == *key && o.field == c.field);
            let (theirs_by, theirs_at) = place.last_change(config, *kind, key, out.merged.as_ref());
            conflicts.push(StoredConflict {
                kind: *kind,
                key: key.clone(),
                field: c.field.clone(),
                label: records::label(*kind, key, out.local.as_ref().or(out.merged.as_ref())),
                mine: earlier.map_or_else(|| c.mine.clone(), |e| e.mine.clone()),
                theirs: c.theirs.clone(),
                mine_by: earlier.map_or_else(|| me.clone(), |e| e.mine_by.clone()),
                mine_at: earlier.map_or_else(|| updated_at.get(key).copied(), |e| e.mine_at),
                theirs_by,
                theirs_at,
                found_at: earlier.map_or(now, |e| e.found_at),
            });
        }
    }
    state::replace_conflicts(&tx, &conflicts)?;
    state::mark(&tx, now, None)?;
    if pulled > 0 {
        csoc_store::inventory::touch(&tx, now)?;
    }
    tx.commit()?;
    drop(conn);
    tracing::info!(pulled, conflicts = conflicts.len(), "team sync done");
    Ok(SyncReport { pulled, conflicts: conflicts.len() as u32, pending: super::pending(store)?, ..Default::default() })
}

/// Puts a record into this inventory as the merge left it (`None`: deleted here).
pub(super) fn write_local(
    tx: &rusqlite::Transaction<'_>,
    kind: Kind,
    key: &str,
    fields: Option<&Fields>,
    now: i64,
) -> CoreResult<()> {
    match (kind, fields) {
        (Kind::Commons, Some(f)) => {
            let draft = records::commons_draft(f, key)?;
            let created_at: Option<i64> = rusqlite::OptionalExtension::optional(tx.query_row(
                "SELECT created_at FROM commons WHERE id = ?1",
                [key],
                |r| r.get(0),
            ))?;
            let taken: Option<String> = rusqlite::OptionalExtension::optional(tx.query_row(
                "SELECT name FROM commons WHERE base_url = ?1 AND id != ?2",
                [&draft.base_url, key],
                |r| r.get(0),
            ))?;
            if let Some(other) = taken {
                return Err(CoreError::new(
                    ErrorCode::Conflict,
                    format!(
                        "The team repository lists {} under another id than “{other}” here. Delete one of the two \
                         (here or in the repository) and sync again; nothing was changed here.",
                        draft.base_url
                    ),
                ));
            }
            let commons =
                Commons { id: key.to_string(), draft, created_at: created_at.unwrap_or(now), updated_at: now };
            csoc_store::inventory::upsert(tx, &commons)
        }
        (Kind::Commons, None) => {
            tx.execute("DELETE FROM commons WHERE id = ?1", [key])?;
            Ok(())
        }
        (Kind::Mesh, Some(f)) => {
            tx.execute(
                "INSERT INTO meshes(name, description) VALUES (?1, ?2)
                 ON CONFLICT(name) DO UPDATE SET description = excluded.description",
                [key, records::mesh_description(f).as_str()],
            )?;
            Ok(())
        }
        (Kind::Mesh, None) => {
            tx.execute("DELETE FROM meshes WHERE name = ?1", [key])?;
            Ok(())
        }
    }
}
