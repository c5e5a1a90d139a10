//! The credential vault: API keys encrypted in the cache under one master key. The master key lives
//! in the OS keyring; where no keyring answers, the user may choose a passphrase-derived key
//! instead. A secret is never stored, logged or exported in the clear.

mod crypto;
mod keyring_store;
mod named;

use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::activity::{ActivityKind, Note};
use crate::credentials::{origin_of, parse_api_key, ApiKey, KeyInfo};
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::model::now_ms;
use crate::secret::{Secret, SecretKind};
use crate::store::Store;
use crypto::MasterKey;

const CHECK_PLAINTEXT: &[u8] = b"gen3-csoc vault check";
const EXPIRING_WITHIN_SECS: i64 = 7 * 24 * 3600;
const MIN_PASSPHRASE: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum VaultMode {
    /// Nothing stored yet; the first secret creates a master key in the keyring.
    Unset,
    Keyring,
    Passphrase,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct VaultStatus {
    pub mode: VaultMode,
    /// Secrets can be read and written now.
    pub unlocked: bool,
    /// Why the keyring cannot be used, when it cannot (words for the user).
    pub keyring_problem: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    Valid,
    /// Expires within 7 days.
    Expiring,
    Expired,
    /// The commons refused it at the last test (revoked, or not issued there).
    Rejected,
}

/// A stored key as every screen may show it: no secret, only what it is for and how it stands.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CredentialView {
    pub commons_id: String,
    pub commons_name: String,
    pub base_url: String,
    pub production: bool,
    pub info: KeyInfo,
    pub status: KeyStatus,
    #[ts(type = "number")]
    pub imported_at: i64,
    #[ts(type = "number | null")]
    pub last_test_at: Option<i64>,
    /// The last test's failure, in words; `None` after a successful test.
    pub last_test_error: Option<String>,
    /// The user name fence reported at the last successful test.
    pub user_name: Option<String>,
    /// Set when the commons' URL no longer matches the origin the key is bound to: the key is not
    /// sent anywhere until the operator confirms the new URL or imports a new key. The words say why.
    pub set_aside: Option<String>,
}

/// Holds the unlocked master key for the session (never written anywhere but the keyring).
#[derive(Default)]
pub struct Vault {
    key: Mutex<Option<MasterKey>>,
}

impl Vault {
    pub fn new() -> Self {
        Self::default()
    }

    fn cached(&self) -> Option<MasterKey> {
        self.key.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn remember(&self, key: MasterKey) {
        *self.key.lock().unwrap_or_else(|p| p.into_inner()) = Some(key);
    }

    pub fn status(&self, store: &Store) -> CoreResult<VaultStatus> {
        let conn = store.conn();
        let mode = mode(&conn)?;
        let vault_id = vault_id(&conn)?;
        drop(conn);
        let keyring_problem = match mode {
            VaultMode::Passphrase => None,
            _ => keyring_store::probe(&vault_id).err().map(|e| e.message),
        };
        let unlocked = self.cached().is_some() || (mode == VaultMode::Keyring && self.unlock(store).is_ok());
        Ok(VaultStatus { mode, unlocked, keyring_problem })
    }

    /// Makes sure secrets can be written now (creating the master key on first use), so a caller
    /// can fail before changing anything else.
    pub fn ready(&self, store: &Store) -> CoreResult<()> {
        self.master_key(store).map(drop)
    }

    /// The master key, loading it from the keyring (or creating it there on first use).
    fn master_key(&self, store: &Store) -> CoreResult<MasterKey> {
        if let Some(key) = self.cached() {
            return Ok(key);
        }
        let conn = store.conn();
        match mode(&conn)? {
            VaultMode::Passphrase => Err(CoreError::new(
                ErrorCode::VaultLocked,
                "The vault is protected by a passphrase. Enter it to unlock stored API keys for this session.",
            )),
            VaultMode::Keyring => {
                drop(conn);
                self.unlock(store)
            }
            VaultMode::Unset => {
                let id = vault_id(&conn)?;
                let key = crypto::new_master_key();
                keyring_store::save(&id, &key)?;
                // Read it back: some keyrings accept a write they cannot return.
                let back = keyring_store::load(&id)?;
                if back != key {
                    return Err(CoreError::new(
                        ErrorCode::KeyringUnavailable,
                        "The system keyring did not keep the vault key.",
                    ));
                }
                set_mode(&conn, VaultMode::Keyring, &key, None)?;
                tracing::info!("vault master key created in the system keyring");
                self.remember(key.clone());
                Ok(key)
            }
        }
    }

    fn unlock(&self, store: &Store) -> CoreResult<MasterKey> {
        let conn = store.conn();
        let key = keyring_store::load(&vault_id(&conn)?)?;
        verify(&conn, &key)?;
        self.remember(key.clone());
        Ok(key)
    }

    /// Sets up a passphrase vault (only while no secret is stored), or unlocks an existing one.
    pub fn use_passphrase(&self, store: &Store, passphrase: &Secret) -> CoreResult<VaultStatus> {
        let conn = store.conn();
        match mode(&conn)? {
            VaultMode::Keyring => {
                return Err(CoreError::invalid(
                    "This vault's key is in the system keyring; a passphrase is only for machines without one.",
                ))
            }
            VaultMode::Passphrase => {
                let salt = meta(&conn, "salt")?.unwrap_or_default();
                let key = crypto::derive_from_passphrase(passphrase.expose(), &salt);
                verify(&conn, &key).map_err(|_| CoreError::invalid("That passphrase does not unlock this vault."))?;
                self.remember(key);
            }
            VaultMode::Unset => {
                if passphrase.expose().chars().count() < MIN_PASSPHRASE {
                    return Err(CoreError::invalid(format!(
                        "Use a passphrase of at least {MIN_PASSPHRASE} characters; it is the only protection of the \
                         stored keys on this machine."
                    )));
                }
                let salt = uuid::Uuid::new_v4().as_bytes().to_vec();
                let key = crypto::derive_from_passphrase(passphrase.expose(), &salt);
                set_mode(&conn, VaultMode::Passphrase, &key, Some(&salt))?;
                tracing::info!("vault protected by a passphrase (no system keyring)");
                self.remember(key);
            }
        }
        drop(conn);
        self.status(store)
    }

    /// Encrypts and stores `key` for a commons, replacing any earlier key.
    pub fn store_key(&self, store: &Store, commons_id: &str, key: &ApiKey) -> CoreResult<CredentialView> {
        let master = self.master_key(store)?;
        let (nonce, sealed) = crypto::seal(&master, commons_id.as_bytes(), key.secret.expose().as_bytes());
        let i = &key.info;
        {
            let conn = store.conn();
            conn.execute(
                "INSERT OR REPLACE INTO credentials(commons_id, key_id, subject, scopes, issued_at, expires_at, ends_with,
                    nonce, ciphertext, imported_at, bound_origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    commons_id,
                    i.key_id,
                    i.subject,
                    serde_json::to_string(&i.scopes).expect("scopes serialize"),
                    i.issued_at,
                    i.expires_at,
                    i.ends_with,
                    nonce,
                    sealed,
                    now_ms(),
                    key.bound_origin
                ],
            )?;
        }
        tracing::info!(commons_id, key_id = %i.key_id, "API key stored in the vault");
        self.view(store, commons_id)
    }

    /// The decrypted API key of a commons, for the Gen3 client.
    pub fn api_key(&self, store: &Store, commons_id: &str) -> CoreResult<ApiKey> {
        let (nonce, sealed, bound): (Vec<u8>, Vec<u8>, Option<String>) = store
            .conn()
            .query_row(
                "SELECT nonce, ciphertext, bound_origin FROM credentials WHERE commons_id = ?1",
                [commons_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .ok_or_else(|| CoreError::not_found("No API key is stored for this commons."))?;
        let master = self.master_key(store)?;
        let plain = crypto::open(&master, commons_id.as_bytes(), &nonce, &sealed).ok_or_else(|| {
            CoreError::new(
                ErrorCode::KeyringUnavailable,
                "The stored API key cannot be decrypted with this vault's key. Delete it and import it again.",
            )
        })?;
        let text = String::from_utf8(plain.to_vec()).unwrap_or_default();
        let mut key = parse_api_key(Secret::new(SecretKind::ApiKey, text))?;
        match bound {
            Some(bound) => key.bound_origin = bound,
            // Stored before keys were bound: record the issuer's origin now, so the Credentials
            // screen can say when the commons' URL stops matching it.
            None => {
                store.conn().execute(
                    "UPDATE credentials SET bound_origin = ?2 WHERE commons_id = ?1 AND bound_origin IS NULL",
                    params![commons_id, key.bound_origin],
                )?;
            }
        }
        Ok(key)
    }

    /// The operator's confirmation that the stored key of a commons may be sent to the commons'
    /// current URL (after a URL change set it aside). Only an explicit action calls this.
    pub fn confirm_url(&self, store: &Store, commons_id: &str) -> CoreResult<CredentialView> {
        let base_url: String = store
            .conn()
            .query_row("SELECT base_url FROM commons WHERE id = ?1", [commons_id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| CoreError::not_found("This commons is no longer in the inventory."))?;
        let origin = origin_of(&base_url)
            .ok_or_else(|| CoreError::invalid(format!("“{base_url}” is not a URL a key can be sent to.")))?;
        if store.conn().execute(
            "UPDATE credentials SET bound_origin = ?2, last_test_error = NULL, last_test_code = NULL WHERE commons_id = ?1",
            params![commons_id, origin],
        )? == 0
        {
            return Err(CoreError::not_found("No API key is stored for this commons."));
        }
        tracing::warn!(commons_id, %origin, "stored API key rebound to the commons' new URL by the operator");
        let conn = store.conn();
        let note = Note::new(ActivityKind::KeyConfirm, format!("Confirmed the stored API key for {origin}"))
            .about_id(&conn, commons_id);
        crate::activity::record_on(&conn, &note)?;
        drop(conn);
        self.view(store, commons_id)
    }

    pub fn delete(&self, store: &Store, commons_id: &str) -> CoreResult<()> {
        let conn = store.conn();
        if conn.execute("DELETE FROM credentials WHERE commons_id = ?1", [commons_id])? == 0 {
            return Err(CoreError::not_found("No API key is stored for this commons."));
        }
        let note = Note::new(ActivityKind::KeyDelete, "Deleted the stored API key").about_id(&conn, commons_id);
        crate::activity::record_on(&conn, &note)?;
        tracing::info!(commons_id, "API key deleted from the vault");
        Ok(())
    }

    pub fn list(&self, store: &Store) -> CoreResult<Vec<CredentialView>> {
        query_views(&store.conn(), None)
    }

    pub fn view(&self, store: &Store, commons_id: &str) -> CoreResult<CredentialView> {
        query_views(&store.conn(), Some(commons_id))?
            .pop()
            .ok_or_else(|| CoreError::not_found("No API key is stored for this commons."))
    }

    /// Records a connection test's outcome: the user name on success, or the error.
    pub fn record_test(&self, store: &Store, commons_id: &str, outcome: &Result<String, CoreError>) -> CoreResult<()> {
        let (user, err, code) = match outcome {
            Ok(user) => (Some(user.as_str()), None, None),
            Err(e) => (None, Some(e.message.as_str()), Some(serde_json::to_value(e.code).ok())),
        };
        let code = code.flatten().and_then(|v| v.as_str().map(str::to_string));
        store.conn().execute(
            "UPDATE credentials SET last_test_at = ?2, last_test_error = ?3, last_test_code = ?4,
                user_name = COALESCE(?5, user_name) WHERE commons_id = ?1",
            params![commons_id, now_ms(), err, code, user],
        )?;
        Ok(())
    }
}

pub fn key_status(expires_at: i64, rejected: bool, now_secs: i64) -> KeyStatus {
    if rejected {
        KeyStatus::Rejected
    } else if expires_at <= now_secs {
        KeyStatus::Expired
    } else if expires_at - now_secs <= EXPIRING_WITHIN_SECS {
        KeyStatus::Expiring
    } else {
        KeyStatus::Valid
    }
}

fn query_views(conn: &Connection, only: Option<&str>) -> CoreResult<Vec<CredentialView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT k.commons_id, c.name, c.base_url, c.environment, k.key_id, k.subject, k.scopes, k.issued_at,
                k.expires_at, k.ends_with, k.imported_at, k.last_test_at, k.last_test_error, k.last_test_code, k.user_name,
                k.bound_origin
         FROM credentials k JOIN commons c ON c.id = k.commons_id
         WHERE ?1 IS NULL OR k.commons_id = ?1
         ORDER BY k.expires_at, lower(c.name)",
    )?;
    let now_secs = now_ms() / 1000;
    let rows = stmt.query_map([only], |r| {
        let code: Option<String> = r.get(13)?;
        let rejected = matches!(code.as_deref(), Some("key_rejected" | "key_expired"));
        let scopes: String = r.get(6)?;
        let base_url: String = r.get(2)?;
        let bound: Option<String> = r.get(15)?;
        let set_aside = bound.filter(|b| origin_of(&base_url).as_ref() != Some(b)).map(|b| {
            format!(
                "This key belongs to {b}, but the commons' URL is now {base_url}: it is not sent until you confirm \
                 the new URL for it or import a key issued there."
            )
        });
        let info = KeyInfo {
            commons_url: r.get(2)?,
            key_id: r.get(4)?,
            subject: r.get(5)?,
            scopes: serde_json::from_str(&scopes).unwrap_or_default(),
            issued_at: r.get(7)?,
            expires_at: r.get(8)?,
            ends_with: r.get(9)?,
        };
        Ok(CredentialView {
            commons_id: r.get(0)?,
            commons_name: r.get(1)?,
            base_url: info.commons_url.clone(),
            production: r.get::<_, String>(3)? == "production",
            status: key_status(info.expires_at, rejected, now_secs),
            info,
            imported_at: r.get(10)?,
            last_test_at: r.get(11)?,
            last_test_error: r.get(12)?,
            user_name: r.get(14)?,
            set_aside,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn meta(conn: &Connection, key: &str) -> CoreResult<Option<Vec<u8>>> {
    Ok(conn.query_row("SELECT value FROM vault_meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

fn put_meta(conn: &Connection, key: &str, value: &[u8]) -> CoreResult<()> {
    conn.execute("INSERT OR REPLACE INTO vault_meta(key, value) VALUES (?1, ?2)", params![key, value])?;
    Ok(())
}

fn mode(conn: &Connection) -> CoreResult<VaultMode> {
    Ok(match meta(conn, "mode")?.as_deref() {
        Some(b"keyring") => VaultMode::Keyring,
        Some(b"passphrase") => VaultMode::Passphrase,
        _ => VaultMode::Unset,
    })
}

/// A random id per cache, naming its keyring entry: two data folders never share a master key.
fn vault_id(conn: &Connection) -> CoreResult<String> {
    if let Some(id) = meta(conn, "vault_id")? {
        return Ok(String::from_utf8_lossy(&id).into_owned());
    }
    let id = uuid::Uuid::new_v4().to_string();
    put_meta(conn, "vault_id", id.as_bytes())?;
    Ok(id)
}

fn set_mode(conn: &Connection, mode: VaultMode, key: &MasterKey, salt: Option<&[u8]>) -> CoreResult<()> {
    let (nonce, sealed) = crypto::seal(key, b"check", CHECK_PLAINTEXT);
    let tx = conn.unchecked_transaction()?;
    put_meta(&tx, "mode", if mode == VaultMode::Passphrase { b"passphrase" } else { b"keyring" })?;
    put_meta(&tx, "check", &[nonce, sealed].concat())?;
    if let Some(salt) = salt {
        put_meta(&tx, "salt", salt)?;
    }
    tx.commit()?;
    Ok(())
}

fn verify(conn: &Connection, key: &MasterKey) -> CoreResult<()> {
    let check = meta(conn, "check")?.unwrap_or_default();
    let ok = check.len() > 24 && crypto::open(key, b"check", &check[..24], &check[24..]).is_some();
    if ok {
        Ok(())
    } else {
        Err(CoreError::new(
            ErrorCode::KeyringUnavailable,
            "The key in the system keyring does not open this vault (it belongs to another cache). Stored API keys \
             cannot be read; delete them and import again.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_thresholds() {
        let now = 1_000_000;
        assert_eq!(key_status(now + 8 * 86400, false, now), KeyStatus::Valid);
        assert_eq!(key_status(now + 6 * 86400, false, now), KeyStatus::Expiring);
        assert_eq!(key_status(now - 1, false, now), KeyStatus::Expired);
        assert_eq!(key_status(now + 30 * 86400, true, now), KeyStatus::Rejected);
    }
}
