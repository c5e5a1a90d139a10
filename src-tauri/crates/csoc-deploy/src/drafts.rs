//! Wizard drafts in the cache: the answers so far and the step reached, saved after every step so
//! a commons or mesh wizard can be resumed later, offline too. A draft never holds a secret.

use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use csoc_model::error::{CoreError, CoreResult};
use csoc_model::model::now_ms;
use csoc_store::Store;

/// Words that make a key name a secret (keys are compared without case, `_` or `-`): any key
/// containing one, holding a non-empty string, is a secret (`ENCRYPTION_KEY`, `awsSecretKey`,
/// `token`, `HMAC_ENCRYPTION_KEY`, `client_secret`, `tls.key` by path below).
const SECRET_WORDS: [&str; 12] = [
    "secret",
    "password",
    "passwd",
    "token",
    "privatekey",
    "apikey",
    "encryptionkey",
    "signingkey",
    "hmac",
    "credential",
    "creds",
    "webhook",
];

/// Key endings that name or point at a secret rather than hold one (`secretName`,
/// `tokenExpiration`, `passwordFile`), and prefixes of switches (`createK8sJwtKeysSecret`).
const REFERENCE_ENDINGS: [&str; 12] =
    ["name", "names", "ref", "path", "file", "enabled", "expiration", "expiresin", "ttl", "lifetime", "length", "type"];
/// `externalSecret`: gen3-helm's name of a secret kept in a secrets manager.
const REFERENCE_PREFIXES: [&str; 4] = ["existing", "create", "use", "external"];
/// Keys whose values are public by design although their names say token: Datadog's browser
/// (RUM) client tokens are compiled into the portal's page (`pub...`, e.g. caninedc.org).
const PUBLIC_KEYS: [&str; 1] = ["datadogclienttoken"];

/// Values gen3-helm renders into a Kubernetes Secret although their key names no secret
/// (dotted path endings, compared without case): `revproxy/templates/tls.yaml`,
/// `manifestservice-creds.yaml`, `orthanc/config-volume-g3auto.yaml`, `indexd-secret.yaml`,
/// `access-backend/secrets.yaml`, `gen3-workflow/secrets.yaml`, `audit/secrets.yaml`.
const SECRET_VALUE_PATHS: [&str; 9] = [
    "global.tls.key",
    "manifestserviceg3auto.awsaccesskey",
    "s3storage.accesskey",
    "secrets.userdb",
    "jwtsigningkeys",
    "ghkey",
    "gen3workflowconfig.s3accesskeyid",
    "server.awscredentials",
    "sqs.awscreds",
];

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
    /// The wizard step reached, numbered from 1 as the wizard shows it (the review's `STEP_*`).
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

/// Fails, saying where, if the draft's answers hold a secret: a caller can check before it
/// changes anything else (an import adds its commons only when the draft can be kept too).
pub fn check(draft: &Draft) -> CoreResult<()> {
    match secret_path(&draft.answers, "") {
        None => Ok(()),
        Some(path) => Err(CoreError::invalid(format!(
            "The draft was not saved because its answers hold a secret at “{}”. Drafts are kept unencrypted in \
             the local cache, so secrets never go there: remove it from the file, enter it at launch time, or refer \
             to a Kubernetes secret by name.",
            csoc_model::display_text::shown(&path, 200)
        ))),
    }
}

/// Saves a draft (a new one when its id is empty) and returns it as stored.
pub fn save(store: &Store, draft: &Draft) -> CoreResult<Draft> {
    check(draft)?;
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
    let what = format!("Saved the {} wizard draft “{title}” at step {}", draft.kind.as_str(), draft.step);
    csoc_store::activity::record_on(
        &tx,
        &csoc_store::activity::Note::new(csoc_store::activity::ActivityKind::WizardSave, what),
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

fn normalized(key: &str) -> String {
    key.chars().filter(|c| *c != '_' && *c != '-').collect::<String>().to_lowercase()
}

/// Whether a key's name says its value is a secret (see [`SECRET_WORDS`]).
pub(crate) fn names_a_secret(key: &str) -> bool {
    let norm = normalized(key);
    !PUBLIC_KEYS.contains(&norm.as_str())
        && SECRET_WORDS.iter().any(|w| norm.contains(w))
        && !REFERENCE_ENDINGS.iter().any(|e| norm.ends_with(e))
        && !REFERENCE_PREFIXES.iter().any(|p| norm.starts_with(p))
}

/// A value filled in at deploy time, not a secret itself: `"{{ENCRYPTION_KEY}}"` and
/// `replace_with_password` in gen3-gitops' ci commons, `${X}`, `<password>`, `CHANGEME`.
fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    let plain = normalized(v);
    (v.starts_with("{{") && v.ends_with("}}"))
        || (v.starts_with("${") && v.ends_with('}'))
        || (v.starts_with('<') && v.ends_with('>'))
        || ["replacewith", "replaceme", "changeme"].iter().any(|p| plain.starts_with(p))
}

/// Whether the value at this dotted path is one the chart renders into a Secret.
fn rendered_into_a_secret(path: &str) -> bool {
    let norm: String = path.split('.').map(normalized).collect::<Vec<_>>().join(".");
    SECRET_VALUE_PATHS.iter().any(|p| norm == *p || norm.ends_with(&format!(".{p}")))
}

/// A value worth protecting: text that is neither empty nor a placeholder, anywhere inside
/// (gen3-gitops' ci commons leave `secrets.userdb.*` empty for a script to fill).
fn holds_something(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => !s.trim().is_empty() && !is_placeholder(s),
        serde_json::Value::Array(a) => a.iter().any(holds_something),
        serde_json::Value::Object(o) => o.values().any(holds_something),
        _ => false,
    }
}

/// The dotted path of the first key holding a secret, if any.
fn secret_path(value: &serde_json::Value, at: &str) -> Option<String> {
    let join = |k: &str| if at.is_empty() { k.to_string() } else { format!("{at}.{k}") };
    match value {
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            let path = join(k);
            // gen3-helm's `externalSecrets` blocks name secrets kept in a secrets manager.
            if normalized(k) == "externalsecrets" {
                return None;
            }
            let by_name = names_a_secret(k) && v.as_str().is_some_and(|s| !s.trim().is_empty() && !is_placeholder(s));
            if by_name || (rendered_into_a_secret(&path) && holds_something(v)) {
                Some(path)
            } else {
                secret_path(v, &path)
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

    /// The examples, and values the chart renders into a Secret under harmless names.
    #[test]
    fn every_key_naming_a_secret_and_every_secret_rendered_value_is_found() {
        for (doc, at) in [
            (
                serde_json::json!({"fence": {"FENCE_CONFIG": {"ENCRYPTION_KEY": "k"}}}),
                "fence.FENCE_CONFIG.ENCRYPTION_KEY",
            ),
            (serde_json::json!({"FENCE_CONFIG": {"HMAC_ENCRYPTION_KEY": "k"}}), "FENCE_CONFIG.HMAC_ENCRYPTION_KEY"),
            (serde_json::json!({"manifestservice": {"awsSecretKey": "k"}}), "manifestservice.awsSecretKey"),
            (serde_json::json!({"x": [{"token": "t"}]}), "x[0].token"),
            (serde_json::json!({"ssh": {"private_key": "-----BEGIN"}}), "ssh.private_key"),
            (serde_json::json!({"db": {"PASSWD": "p"}}), "db.PASSWD"),
            (serde_json::json!({"global": {"tls": {"key": "-----BEGIN"}}}), "global.tls.key"),
            (serde_json::json!({"indexd": {"secrets": {"userdb": {"fence": "pw"}}}}), "indexd.secrets.userdb"),
            (serde_json::json!({"orthanc": {"S3Storage": {"AccessKey": "AKIA"}}}), "orthanc.S3Storage.AccessKey"),
        ] {
            assert_eq!(secret_path(&doc, "").as_deref(), Some(at), "{doc}");
        }
        for harmless in [
            serde_json::json!({"secretName": "fence-jwt", "existingSecret": "pg", "tokenExpiration": "3600"}),
            serde_json::json!({"createK8sJwtKeysSecret": true, "global": {"tls": {"cert": "-----BEGIN CERT"}}}),
            serde_json::json!({"ACCESS_TOKEN_EXPIRES_IN": 1200, "secrets": {"userdb": {}}}),
            // Found in the real gen3-gitops corpus: a secrets-manager name, a deploy-time
            // placeholder, and Datadog's public browser token.
            serde_json::json!({"global": {"postgres": {"externalSecret": "aids-diseasedatahub-org-postgres"}}}),
            serde_json::json!({"FENCE_CONFIG_PUBLIC": {"WTF_CSRF_SECRET_KEY": "{{ENCRYPTION_KEY}}"}}),
            serde_json::json!({"env": {"DATADOG_CLIENT_TOKEN": "pub2cd76ce70d32ef5a0d2f3da3badda91e"}}),
            serde_json::json!({"indexd": {"secrets": {"userdb": {"ssj": null, "gateway": ""}}}}),
            serde_json::json!({"ssjcreds": {"jobPassword": "replace_with_password", "dbPassword": "<password>"}}),
        ] {
            assert_eq!(secret_path(&harmless, ""), None, "{harmless}");
        }
    }
}
