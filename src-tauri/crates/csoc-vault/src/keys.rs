//! The credential workflows the UI offers: preview a key before storing it, import it (adding its
//! commons to the inventory when asked), import existing gen3sdk/gen3-client profiles, and test a
//! stored key against its commons.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{CredentialView, Vault};
use csoc_gen3::{ClientOptions, Gen3Client};
use csoc_model::credentials::{parse_credentials, scan_profiles, ApiKey, KeyInfo};
use csoc_model::error::{CoreError, CoreResult};
use csoc_model::model::{Commons, CommonsDraft, Environment};
use csoc_model::secret::Secret;
use csoc_store::activity::{self, ActivityKind, Note};
use csoc_store::inventory;
use csoc_store::Store;

/// Where a credentials.json comes from: pasted text, or a file (picker or drag and drop).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KeySource {
    /// The pasted credentials.json; a `Secret` so it never reaches a log.
    Text {
        #[ts(type = "string")]
        text: Secret,
    },
    File {
        path: String,
    },
    /// A profile found by `credentials_profiles`, by its label.
    Profile {
        source: String,
    },
}

/// What the UI shows before storing: the key's facts and the inventory commons it belongs to.
#[derive(Debug, Clone, Serialize, TS)]
pub struct KeyPreview {
    pub info: KeyInfo,
    /// The commons with the key's URL, if the inventory has it.
    pub commons: Option<Commons>,
    /// The key already stored for that commons, which importing would replace.
    pub replaces: Option<KeyInfo>,
}

/// Details for adding the key's commons to the inventory when it is not there yet.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct NewCommons {
    pub name: String,
    pub environment: Environment,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ProfileCandidate {
    /// "gen3sdk: crdc" or "gen3-client: default"; pass it back as a `profile` source.
    pub source: String,
    pub info: Option<KeyInfo>,
    /// Why the profile cannot be imported, in words.
    pub problem: Option<String>,
    pub commons_name: Option<String>,
}

/// `~/.gen3`, where gen3sdk and gen3-client keep profiles.
pub fn gen3_profile_dir() -> PathBuf {
    dirs::home_dir().unwrap_or_default().join(".gen3")
}

pub fn read_source(source: &KeySource, profile_dir: &Path) -> CoreResult<ApiKey> {
    match source {
        KeySource::Text { text } => parse_credentials(text.expose()),
        KeySource::File { path } => {
            let text = csoc_model::credentials::read_small(Path::new(path))?;
            parse_credentials(&text)
        }
        KeySource::Profile { source: label } => {
            scan_profiles(profile_dir)
                .into_iter()
                .find(|p| &p.source == label)
                .ok_or_else(|| {
                    CoreError::not_found(format!("The profile “{label}” is no longer in {}.", profile_dir.display()))
                })?
                .key
        }
    }
}

fn commons_for_url(store: &Store, url: &str) -> CoreResult<Option<Commons>> {
    inventory::find_by_url(store, url)
}

pub fn preview(vault: &Vault, store: &Store, source: &KeySource, profile_dir: &Path) -> CoreResult<KeyPreview> {
    let key = read_source(source, profile_dir)?;
    let commons = commons_for_url(store, &key.info.commons_url)?;
    let replaces = match &commons {
        Some(c) => vault.view(store, &c.id).ok().map(|v| v.info),
        None => None,
    };
    Ok(KeyPreview { info: key.info, commons, replaces })
}

/// Stores the key for the commons its `iss` names. If the inventory lacks that commons, `add`
/// must say how to add it (the UI asks the user first).
pub fn import(
    vault: &Vault,
    store: &Store,
    source: &KeySource,
    add: Option<&NewCommons>,
    profile_dir: &Path,
) -> CoreResult<CredentialView> {
    let out = store_from_source(vault, store, source, add, profile_dir);
    noted_import(store, &out);
    out
}

/// The activity entry of a key import: which key (its last characters and expiry, never the key).
pub fn noted_import(store: &Store, out: &CoreResult<CredentialView>) {
    let note = match out {
        Ok(v) => Note::new(
            ActivityKind::KeyImport,
            format!(
                "Stored the API key ending in {} (expires {})",
                v.info.ends_with,
                csoc_model::dates::utc(v.info.expires_at * 1000)
            ),
        )
        .about(&v.commons_id, &v.commons_name),
        Err(_) => Note::new(ActivityKind::KeyImport, "Importing an API key").outcome(out),
    };
    activity::record(store, note);
}

fn store_from_source(
    vault: &Vault,
    store: &Store,
    source: &KeySource,
    add: Option<&NewCommons>,
    profile_dir: &Path,
) -> CoreResult<CredentialView> {
    let key = read_source(source, profile_dir)?;
    tracing::info!(?source, key_id = %key.info.key_id, "importing an API key");
    vault.ready(store)?;
    let commons = match (commons_for_url(store, &key.info.commons_url)?, add) {
        (Some(c), _) => c,
        (None, Some(new)) => inventory::create(
            store,
            &CommonsDraft::new(new.name.clone(), key.info.commons_url.clone(), new.environment),
        )?,
        (None, None) => {
            return Err(CoreError::not_found(format!(
                "{} is not in the inventory yet. Add it to store this key.",
                key.info.commons_url
            )))
        }
    };
    vault.store_key(store, &commons.id, &key)
}

pub fn profiles(store: &Store, profile_dir: &Path) -> CoreResult<Vec<ProfileCandidate>> {
    let mut out = Vec::new();
    for found in scan_profiles(profile_dir) {
        out.push(match found.key {
            Ok(key) => ProfileCandidate {
                commons_name: commons_for_url(store, &key.info.commons_url)?.map(|c| c.draft.name),
                source: found.source,
                info: Some(key.info),
                problem: None,
            },
            Err(e) => {
                ProfileCandidate { source: found.source, info: None, problem: Some(e.message), commons_name: None }
            }
        });
    }
    Ok(out)
}

/// Exchanges the stored key at the commons and asks fence whose it is; records the outcome.
pub async fn test_connection(
    vault: &Vault,
    store: &Store,
    commons_id: &str,
    opts: ClientOptions,
) -> CoreResult<CredentialView> {
    let key = vault.api_key(store, commons_id)?;
    let commons = inventory::get(store, commons_id)?;
    let client = Gen3Client::new(&commons.draft.base_url, Some(key), opts)?;
    let outcome = client.current_user().await;
    if let Err(e) = &outcome {
        tracing::info!(commons_id, code = ?e.code, "connection test failed");
    }
    vault.record_test(store, commons_id, &outcome)?;
    let note = match &outcome {
        Ok(user) => Note::new(ActivityKind::KeyTest, format!("Tested the API key: fence knows it as {user}")),
        Err(_) => Note::new(ActivityKind::KeyTest, "Tested the API key").outcome(&outcome),
    };
    activity::record(store, note.about(&commons.id, &commons.draft.name));
    outcome?;
    vault.view(store, commons_id)
}
