//! Secrets the wizards collect that are not API keys (an OIDC client secret for a commons being
//! set up), sealed under the same master key. They are named `<draft id>/<idp>` so a draft's
//! secrets can be found for a launch and dropped with the draft.

use rusqlite::{params, OptionalExtension};

use super::{crypto, Vault};
use csoc_model::error::{CoreError, CoreResult, ErrorCode};
use csoc_model::model::now_ms;
use csoc_model::secret::{Secret, SecretKind};
use csoc_store::Store;

impl Vault {
    /// Encrypts and stores a named secret, replacing any earlier one of that name.
    pub fn store_named(&self, store: &Store, name: &str, secret: &Secret) -> CoreResult<()> {
        if secret.expose().trim().is_empty() {
            return Err(CoreError::invalid("The secret is empty."));
        }
        let master = self.master_key(store)?;
        let (nonce, sealed) = crypto::seal(&master, name.as_bytes(), secret.expose().as_bytes());
        store.conn().execute(
            "INSERT OR REPLACE INTO named_secrets(name, kind, nonce, ciphertext, stored_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![name, secret.kind().as_str(), nonce, sealed, now_ms()],
        )?;
        tracing::info!(name, kind = secret.kind().as_str(), "secret stored in the vault");
        Ok(())
    }

    /// Whether a secret of that name is stored (no decryption).
    pub fn has_named(&self, store: &Store, name: &str) -> CoreResult<bool> {
        Ok(store
            .conn()
            .query_row("SELECT 1 FROM named_secrets WHERE name = ?1", [name], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// The decrypted secret, for a launch that hands it to helm.
    pub fn named(&self, store: &Store, name: &str) -> CoreResult<Secret> {
        let (nonce, sealed): (Vec<u8>, Vec<u8>) = store
            .conn()
            .query_row("SELECT nonce, ciphertext FROM named_secrets WHERE name = ?1", [name], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?
            .ok_or_else(|| CoreError::not_found("That secret is not in the vault."))?;
        let master = self.master_key(store)?;
        let plain = crypto::open(&master, name.as_bytes(), &nonce, &sealed).ok_or_else(|| {
            CoreError::new(ErrorCode::KeyringUnavailable, "A stored secret cannot be decrypted with this vault's key.")
        })?;
        Ok(Secret::new(SecretKind::ClientSecret, String::from_utf8(plain.to_vec()).unwrap_or_default()))
    }

    /// Drops every secret whose name starts with `prefix` (a deleted draft's).
    pub fn delete_named_prefix(&self, store: &Store, prefix: &str) -> CoreResult<usize> {
        let pattern = format!("{}%", prefix.replace('%', "\\%").replace('_', "\\_"));
        Ok(store.conn().execute("DELETE FROM named_secrets WHERE name LIKE ?1 ESCAPE '\\'", [pattern])?)
    }
}
