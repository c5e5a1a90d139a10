//! What this data folder keeps about the team repository: where it is, the last synced base of
//! each record and the open conflicts (with both values and who changed each, and when).

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::merge::Fields;
use super::records::{Kind, Records};
use csoc_model::error::{CoreError, CoreResult, ErrorCode};
use csoc_store::Store;

/// The `freshness` source of team syncs (last attempt, last success, why the last one failed).
pub(crate) const SOURCE: &str = "team";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TeamConfig {
    /// The clone URL or path as given to `team join`.
    pub repo: String,
    /// The inventory's folder inside the repository, e.g. `csoc/inventory`.
    pub folder: String,
    pub branch: String,
}

/// An open conflict as the UI and CLI show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TeamConflict {
    /// `commons` or `mesh`.
    pub kind: String,
    /// The commons' id or the mesh's name.
    pub key: String,
    /// A field name, or `*` when one side deleted the record and the other edited it.
    pub field: String,
    /// The record's name for people.
    pub label: String,
    /// This inventory's value, as text (`(deleted)` for a deleted record).
    pub mine: String,
    pub theirs: String,
    pub mine_by: String,
    #[ts(type = "number | null")]
    pub mine_at: Option<i64>,
    pub theirs_by: String,
    #[ts(type = "number | null")]
    pub theirs_at: Option<i64>,
}

/// A conflict as stored, values as JSON.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredConflict {
    pub kind: Kind,
    pub key: String,
    pub field: String,
    pub label: String,
    pub mine: serde_json::Value,
    pub theirs: serde_json::Value,
    pub mine_by: String,
    pub mine_at: Option<i64>,
    pub theirs_by: String,
    pub theirs_at: Option<i64>,
    pub found_at: i64,
}

impl StoredConflict {
    pub(crate) fn shown(&self) -> TeamConflict {
        TeamConflict {
            kind: self.kind.as_str().into(),
            key: self.key.clone(),
            field: self.field.clone(),
            label: self.label.clone(),
            mine: value_text(&self.mine),
            theirs: value_text(&self.theirs),
            mine_by: self.mine_by.clone(),
            mine_at: self.mine_at,
            theirs_by: self.theirs_by.clone(),
            theirs_at: self.theirs_at,
        }
    }
}

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "(deleted)".into(),
        serde_json::Value::String(s) if s.is_empty() => "(empty)".into(),
        serde_json::Value::String(s) => s.clone(),
        other => serde_yaml_ng::to_string(other).unwrap_or_default().trim_end().to_string(),
    }
}

pub(crate) fn config(store: &Store) -> CoreResult<Option<TeamConfig>> {
    let raw: Option<String> =
        store.conn().query_row("SELECT value FROM settings WHERE key = 'team'", [], |r| r.get(0)).optional()?;
    Ok(raw.and_then(|r| serde_json::from_str(&r).ok()))
}

/// Saves where the team repository is; a new repository starts from an empty base (the first sync
/// is then the union of this inventory and the repository's).
pub(crate) fn save_config(store: &Store, config: &TeamConfig) -> CoreResult<()> {
    let mut conn = store.conn();
    let tx = conn.transaction()?;
    tx.execute("DELETE FROM team_base", [])?;
    tx.execute("DELETE FROM team_conflicts", [])?;
    tx.execute(
        "INSERT OR REPLACE INTO settings(key, value) VALUES ('team', ?1)",
        [serde_json::to_string(config).expect("config serializes")],
    )?;
    tx.commit()?;
    Ok(())
}

pub(crate) fn base(conn: &Connection) -> CoreResult<Records> {
    let mut stmt = conn.prepare_cached("SELECT kind, key, fields FROM team_base")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
    let mut out = Records::new();
    for row in rows {
        let (kind, key, fields) = row?;
        if let (Some(kind), Ok(fields)) = (Kind::parse(&kind), serde_json::from_str::<Fields>(&fields)) {
            out.insert((kind, key), fields);
        }
    }
    Ok(out)
}

pub(crate) fn set_base(conn: &Connection, kind: Kind, key: &str, fields: Option<&Fields>) -> CoreResult<()> {
    match fields {
        Some(f) => conn.execute(
            "INSERT OR REPLACE INTO team_base(kind, key, fields) VALUES (?1, ?2, ?3)",
            params![kind.as_str(), key, serde_json::to_string(f).expect("fields serialize")],
        )?,
        None => conn.execute("DELETE FROM team_base WHERE kind = ?1 AND key = ?2", params![kind.as_str(), key])?,
    };
    Ok(())
}

pub(crate) fn conflicts(conn: &Connection) -> CoreResult<Vec<StoredConflict>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, key, field, label, mine, theirs, mine_by, mine_at, theirs_by, theirs_at, found_at
         FROM team_conflicts ORDER BY found_at, label, field",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            StoredConflict {
                kind: Kind::Commons,
                key: r.get(1)?,
                field: r.get(2)?,
                label: r.get(3)?,
                mine: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or_default(),
                theirs: serde_json::from_str(&r.get::<_, String>(5)?).unwrap_or_default(),
                mine_by: r.get(6)?,
                mine_at: r.get(7)?,
                theirs_by: r.get(8)?,
                theirs_at: r.get(9)?,
                found_at: r.get(10)?,
            },
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, c) = row?;
        if let Some(kind) = Kind::parse(&kind) {
            out.push(StoredConflict { kind, ..c });
        }
    }
    Ok(out)
}

/// Open conflicts by record, for the merge to hold their fields.
pub(crate) fn held(list: &[StoredConflict]) -> BTreeMap<(Kind, String), Vec<&StoredConflict>> {
    let mut out: BTreeMap<(Kind, String), Vec<&StoredConflict>> = BTreeMap::new();
    for c in list {
        out.entry((c.kind, c.key.clone())).or_default().push(c);
    }
    out
}

pub(crate) fn replace_conflicts(conn: &Connection, list: &[StoredConflict]) -> CoreResult<()> {
    conn.execute("DELETE FROM team_conflicts", [])?;
    for c in list {
        insert_conflict(conn, c)?;
    }
    Ok(())
}

fn insert_conflict(conn: &Connection, c: &StoredConflict) -> CoreResult<()> {
    conn.execute(
        "INSERT OR REPLACE INTO team_conflicts(kind, key, field, label, mine, theirs, mine_by, mine_at, theirs_by,
                                               theirs_at, found_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            c.kind.as_str(),
            c.key,
            c.field,
            c.label,
            c.mine.to_string(),
            c.theirs.to_string(),
            c.mine_by,
            c.mine_at,
            c.theirs_by,
            c.theirs_at,
            c.found_at
        ],
    )?;
    Ok(())
}

pub(crate) fn delete_conflict(conn: &Connection, kind: Kind, key: &str, field: &str) -> CoreResult<usize> {
    Ok(conn.execute(
        "DELETE FROM team_conflicts WHERE kind = ?1 AND key = ?2 AND field = ?3",
        params![kind.as_str(), key, field],
    )?)
}

/// Records a sync attempt: success clears the error; a failure keeps the last success and says
/// why, remembering whether it was the repository that could not be reached (the changes wait).
pub(crate) fn mark(conn: &Connection, now: i64, error: Option<&CoreError>) -> CoreResult<()> {
    csoc_store::inventory::record_attempt(conn, SOURCE, now, error.map(|e| e.message.as_str()))?;
    let offline = error.is_some_and(|e| e.code == ErrorCode::Unreachable);
    conn.execute(
        "INSERT OR REPLACE INTO settings(key, value) VALUES ('team_offline', ?1)",
        [if offline { "1" } else { "0" }],
    )?;
    Ok(())
}

/// The last sync could not reach the repository.
pub(crate) fn offline(conn: &Connection) -> CoreResult<bool> {
    let v: Option<String> =
        conn.query_row("SELECT value FROM settings WHERE key = 'team_offline'", [], |r| r.get(0)).optional()?;
    Ok(v.as_deref() == Some("1"))
}
