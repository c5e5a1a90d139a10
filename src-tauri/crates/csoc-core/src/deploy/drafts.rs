//! Wizard drafts in the cache: the answers so far and the step reached, saved after every step so
//! a commons or mesh wizard can be resumed later, offline too. A draft never holds a secret.

use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, CoreResult};
use crate::model::now_ms;
use crate::store::Store;

/// Keys (compared without case, `_` or `-`) whose non-empty string values are secrets.
const SECRET_KEYS: [&str; 5] = ["clientsecret", "password", "apikey", "awssecretaccesskey", "secretaccesskey"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DraftKind {
    Commons,
    Mesh,
}

impl DraftKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Commons => "commons",
            Self::Mesh => "mesh",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::Commons, Self::Mesh].into_iter().find(|k| k.as_str() == s)
    }
}

/// A wizard's saved state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Draft {
    /// Empty for a draft not saved yet; `save` gives it an id.
    #[serde(default)]
    pub id: String,
    pub kind: DraftKind,
    /// What the list of drafts shows (the hostname, the mesh name).
    pub title: String,
    /// The wizard step reached (0-based).
    pub step: u32,
    /// The wizard's answers as it keeps them.
    #[ts(type = "unknown")]
    pub answers: serde_json::Value,
    /// Unix ms of the last save; set by `save`.
    #[serde(default)]
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// A draft in the list of drafts to resume (without its answers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DraftSummary {
    pub id: String,
    pub kind: DraftKind,
    pub title: String,
    pub step: u32,
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// Saves a draft (a new one when its id is empty) and returns it as stored.
pub fn save(store: &Store, draft: &Draft) -> CoreResult<Draft> {
    if let Some(path) = secret_path(&draft.answers, "") {
        return Err(CoreError::invalid(format!(
            "The draft was not saved because its answers hold a secret at “{path}”. Drafts are kept unencrypted in \
             the local cache, so secrets never go there: enter it at launch time, or refer to a Kubernetes secret \
             by name."
        )));
    }
    let answers = serde_json::to_string(&draft.answers)
        .map_err(|_| CoreError::invalid("The wizard's answers could not be saved as JSON."))?;
    let title = match draft.title.trim() {
        "" => match draft.kind {
            DraftKind::Commons => "Untitled commons",
            DraftKind::Mesh => "Untitled mesh",
        },
        t => t,
    };
    let id = if draft.id.trim().is_empty() { uuid::Uuid::new_v4().to_string() } else { draft.id.clone() };
    let mut conn = store.conn();
    let tx = conn.transaction()?;
    // Strictly after every other save, so "newest first" holds even within one millisecond.
    let newest: Option<i64> = tx.query_row("SELECT max(updated_at) FROM wizard_drafts", [], |r| r.get(0))?;
    let now = now_ms().max(newest.map_or(i64::MIN, |n| n + 1));
    tx.execute(
        "INSERT INTO wizard_drafts(id, kind, title, step, answers, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
         ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, title = excluded.title, step = excluded.step,
             answers = excluded.answers, updated_at = excluded.updated_at",
        params![id, draft.kind.as_str(), title, draft.step, answers, now],
    )?;
    tx.commit()?;
    tracing::debug!(%id, kind = draft.kind.as_str(), step = draft.step, "wizard draft saved");
    Ok(Draft {
        id,
        kind: draft.kind,
        title: title.to_string(),
        step: draft.step,
        answers: draft.answers.clone(),
        updated_at: now,
    })
}

/// Every draft, the most recently saved first.
pub fn list(store: &Store) -> CoreResult<Vec<DraftSummary>> {
    let conn = store.conn();
    let mut stmt = conn
        .prepare_cached("SELECT id, kind, title, step, updated_at FROM wizard_drafts ORDER BY updated_at DESC, id")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?, r.get::<_, Option<i64>>(4)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind, title, step, updated_at) = row?;
        out.push(DraftSummary { kind: kind_of(&id, &kind)?, id, title, step, updated_at: updated_at.unwrap_or(0) });
    }
    Ok(out)
}

/// One draft with its answers, to resume it.
pub fn get(store: &Store, id: &str) -> CoreResult<Draft> {
    let conn = store.conn();
    conn.query_row(
        "SELECT id, kind, title, step, answers, updated_at FROM wizard_drafts WHERE id = ?1",
        [id],
        row_parts,
    )
    .optional()?
    .ok_or_else(|| not_found(id))
    .and_then(|(id, kind, title, step, answers, updated_at)| {
        let answers = serde_json::from_str(&answers).map_err(|_| {
            CoreError::invalid(format!(
                "The draft “{title}” is damaged (its answers are not JSON); delete it and start again."
            ))
        })?;
        Ok(Draft { kind: kind_of(&id, &kind)?, id, title, step, answers, updated_at: updated_at.unwrap_or(0) })
    })
}

/// Deletes a draft (after a launch, or when the operator discards it).
pub fn delete(store: &Store, id: &str) -> CoreResult<()> {
    if store.conn().execute("DELETE FROM wizard_drafts WHERE id = ?1", [id])? == 0 {
        return Err(not_found(id));
    }
    tracing::debug!(id, "wizard draft deleted");
    Ok(())
}

type Parts = (String, String, String, u32, String, Option<i64>);

fn row_parts(r: &Row<'_>) -> rusqlite::Result<Parts> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
}

fn kind_of(id: &str, kind: &str) -> CoreResult<DraftKind> {
    DraftKind::parse(kind).ok_or_else(|| {
        CoreError::invalid(format!("The draft {id} is of an unknown kind “{kind}” (written by a newer version?)."))
    })
}

fn not_found(id: &str) -> CoreError {
    CoreError::not_found(format!("There is no draft with id {id}. It may have been deleted or already launched."))
}

/// The dotted path of the first key holding a secret, if any.
fn secret_path(value: &serde_json::Value, at: &str) -> Option<String> {
    let join = |k: &str| if at.is_empty() { k.to_string() } else { format!("{at}.{k}") };
    match value {
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            let norm: String = k.chars().filter(|c| *c != '_' && *c != '-').collect::<String>().to_lowercase();
            let secret = SECRET_KEYS.contains(&norm.as_str()) && v.as_str().is_some_and(|s| !s.trim().is_empty());
            if secret {
                Some(join(k))
            } else {
                secret_path(v, &join(k))
            }
        }),
        serde_json::Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, v)| secret_path(v, &format!("{at}[{i}]")))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_found_anywhere() {
        let v = serde_json::json!({"global": {"postgres": {"master": {"password": "pw"}}}});
        assert_eq!(secret_path(&v, "").as_deref(), Some("global.postgres.master.password"));
        let v = serde_json::json!({"idps": [{"name": "x"}, {"Client-Secret": "s"}]});
        assert_eq!(secret_path(&v, "").as_deref(), Some("idps[1].Client-Secret"));
        let v = serde_json::json!({"aws": {"awsSecretAccessKey": "k"}});
        assert_eq!(secret_path(&v, "").as_deref(), Some("aws.awsSecretAccessKey"));
        let v = serde_json::json!({"password": "", "client_secret": null, "api_key_name": "x", "secret_name": "db"});
        assert_eq!(secret_path(&v, ""), None);
    }
}
