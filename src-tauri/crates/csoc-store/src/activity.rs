//! What the app did and when: sweeps, state changes, inventory and key actions, wizard saves,
//! launches and settings writes, each with the OS user, the time and the result. Entries are
//! written by the core function that acted (so the window and the CLI both record), from fields
//! that are never secret, and are kept as long as the hourly health history.

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Store;
use csoc_model::dates::HOURLY_RETENTION_MS;
use csoc_model::display_text::shown;
use csoc_model::error::{CoreError, CoreResult};
use csoc_model::model::now_ms;

/// Characters of an entry's summary; longer text (a server's error) is cut.
const SUMMARY_CHARS: usize = 400;
/// Entries one read returns at most.
const MAX_LIMIT: u32 = 5000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Sweep,
    StateChange,
    /// A commons or mesh added, edited or deleted.
    InventoryChange,
    InventoryImport,
    InventoryExport,
    KeyImport,
    KeyTest,
    KeyDelete,
    /// A stored key set aside after its commons' URL changed, confirmed for the new URL.
    KeyConfirm,
    WizardSave,
    Launch,
    /// The app's own settings (monitoring, rendering).
    ConfigWrite,
    /// A sync of the inventory with the team's repository.
    TeamSync,
}

impl ActivityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sweep => "sweep",
            Self::StateChange => "state_change",
            Self::InventoryChange => "inventory_change",
            Self::InventoryImport => "inventory_import",
            Self::InventoryExport => "inventory_export",
            Self::KeyImport => "key_import",
            Self::KeyTest => "key_test",
            Self::KeyDelete => "key_delete",
            Self::KeyConfirm => "key_confirm",
            Self::WizardSave => "wizard_save",
            Self::Launch => "launch",
            Self::ConfigWrite => "config_write",
            Self::TeamSync => "team_sync",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Self::Sweep,
            Self::StateChange,
            Self::InventoryChange,
            Self::InventoryImport,
            Self::InventoryExport,
            Self::KeyImport,
            Self::KeyTest,
            Self::KeyDelete,
            Self::KeyConfirm,
            Self::WizardSave,
            Self::Launch,
            Self::ConfigWrite,
            Self::TeamSync,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ActivityResult {
    Ok,
    Failed,
    Cancelled,
}

impl ActivityResult {
    fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "ok" => Self::Ok,
            "cancelled" => Self::Cancelled,
            _ => Self::Failed,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ActivityEntry {
    #[ts(type = "number")]
    pub id: i64,
    /// Unix ms.
    #[ts(type = "number")]
    pub at: i64,
    pub kind: ActivityKind,
    pub commons_id: Option<String>,
    /// The commons' name when the entry was written (it may since be renamed or deleted).
    pub commons_name: Option<String>,
    /// The OS user the app ran as.
    pub user: String,
    pub summary: String,
    pub result: ActivityResult,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct ActivityFilter {
    pub commons_id: Option<String>,
    pub kind: Option<ActivityKind>,
    /// Newest first, at most this many (default and cap 5000).
    pub limit: Option<u32>,
}

/// One entry to write; the time and the user are added by [`record`].
#[derive(Debug, Clone)]
pub struct Note {
    pub kind: ActivityKind,
    pub commons: Option<(String, String)>,
    pub summary: String,
    pub result: ActivityResult,
}

impl Note {
    pub fn new(kind: ActivityKind, summary: impl Into<String>) -> Self {
        Self { kind, commons: None, summary: summary.into(), result: ActivityResult::Ok }
    }

    /// The commons the entry is about, by id and name.
    pub fn about(mut self, id: &str, name: &str) -> Self {
        self.commons = Some((id.to_string(), name.to_string()));
        self
    }

    /// The commons the entry is about, by id, named as the inventory names it now.
    pub fn about_id(mut self, conn: &Connection, id: &str) -> Self {
        use rusqlite::OptionalExtension;
        let name = conn.query_row("SELECT name FROM commons WHERE id = ?1", [id], |r| r.get(0)).optional();
        self.commons = Some((id.to_string(), name.ok().flatten().unwrap_or_else(|| id.to_string())));
        self
    }

    /// Marks the entry failed (with the error's words) when `outcome` is an error.
    pub fn outcome<T>(mut self, outcome: &CoreResult<T>) -> Self {
        if let Err(e) = outcome {
            self.failed(e);
        }
        self
    }

    pub fn cancelled(mut self) -> Self {
        self.result = ActivityResult::Cancelled;
        self
    }

    fn failed(&mut self, e: &CoreError) {
        self.result = ActivityResult::Failed;
        self.summary = format!("{}: {}", self.summary, e.message);
    }
}

/// The OS user the app runs as, by name.
pub(crate) fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// Writes `note`. Recording never fails the action it describes: a failed write is logged.
pub fn record(store: &Store, note: Note) {
    if let Err(e) = record_on(&store.conn(), &note) {
        tracing::warn!(error = %e, kind = note.kind.as_str(), "activity not recorded");
    }
}

/// Writes `note` on an open connection or transaction (a sweep records inside its own), and drops
/// entries past the retention.
pub fn record_on(conn: &Connection, note: &Note) -> rusqlite::Result<()> {
    let now = now_ms();
    let (id, name) = note.commons.clone().unzip();
    conn.execute(
        "INSERT INTO activity(at, kind, commons_id, commons_name, user, summary, result)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            now,
            note.kind.as_str(),
            id,
            name.map(|n| shown(&n, SUMMARY_CHARS)),
            shown(&os_user(), SUMMARY_CHARS),
            shown(&note.summary, SUMMARY_CHARS),
            note.result.as_str()
        ],
    )?;
    conn.execute("DELETE FROM activity WHERE at < ?1", [now - HOURLY_RETENTION_MS])?;
    Ok(())
}

/// Entries newest first, filtered by commons and kind.
pub fn list(store: &Store, filter: &ActivityFilter) -> CoreResult<Vec<ActivityEntry>> {
    let limit = filter.limit.unwrap_or(MAX_LIMIT).min(MAX_LIMIT);
    let conn = store.conn();
    let mut stmt = conn.prepare(
        "SELECT id, at, kind, commons_id, commons_name, user, summary, result FROM activity
         WHERE (?1 IS NULL OR commons_id = ?1) AND (?2 IS NULL OR kind = ?2)
         ORDER BY at DESC, id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![filter.commons_id, filter.kind.map(ActivityKind::as_str), limit], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, String>(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, at, kind, commons_id, commons_name, user, summary, result) = row?;
        // A kind a newer app wrote is skipped rather than misnamed.
        if let Some(kind) = ActivityKind::parse(&kind) {
            out.push(ActivityEntry {
                id,
                at,
                kind,
                commons_id,
                commons_name,
                user,
                summary,
                result: ActivityResult::parse(&result),
            });
        }
    }
    Ok(out)
}

/// The entries as JSON Lines: one object per line, the export format of the Activity screen and CLI.
pub fn to_json_lines(entries: &[ActivityEntry]) -> String {
    entries.iter().map(|e| serde_json::to_string(e).expect("entry serializes") + "\n").collect()
}

/// Writes the filtered entries to `path` as JSON Lines (temporary file, renamed into place).
pub fn export_to(store: &Store, filter: &ActivityFilter, path: &std::path::Path) -> CoreResult<u32> {
    let entries = list(store, filter)?;
    let tmp = path.with_extension("jsonl.partial");
    std::fs::write(&tmp, to_json_lines(&entries)).map_err(|e| CoreError::io("write", &tmp, &e))?;
    std::fs::rename(&tmp, path).map_err(|e| CoreError::io("write", path, &e))?;
    Ok(entries.len() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DB_FILE;

    /// An entry names the OS user the app runs as (the activity page's "who").
    #[test]
    fn an_entry_names_the_os_user() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
        record(&store, Note::new(ActivityKind::Sweep, "Checked 2 commons"));
        let all = list(&store, &ActivityFilter::default()).unwrap();
        assert_eq!(all[0].user, os_user());
        assert_eq!(all[0].summary, "Checked 2 commons");
    }
}
