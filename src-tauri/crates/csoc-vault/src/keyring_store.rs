//! The master key's home in the OS keyring (Secret Service, Keychain, Credential Manager), with
//! keyring errors turned into words a user can act on.

use base64::Engine;
use zeroize::Zeroizing;

use super::crypto::MasterKey;
use csoc_model::error::{CoreError, ErrorCode};

const SERVICE: &str = "org.gen3.csoc";

fn entry(vault_id: &str) -> Result<keyring::Entry, CoreError> {
    keyring::Entry::new(SERVICE, &format!("vault-{vault_id}")).map_err(explain)
}

pub(crate) fn save(vault_id: &str, key: &MasterKey) -> Result<(), CoreError> {
    let encoded = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(key.as_slice()));
    entry(vault_id)?.set_password(&encoded).map_err(explain)
}

pub(crate) fn load(vault_id: &str) -> Result<MasterKey, CoreError> {
    let encoded = Zeroizing::new(entry(vault_id)?.get_password().map_err(explain)?);
    let bytes =
        Zeroizing::new(base64::engine::general_purpose::STANDARD.decode(encoded.as_bytes()).unwrap_or_default());
    let mut key = Zeroizing::new([0u8; 32]);
    if bytes.len() != 32 {
        return Err(missing());
    }
    key.copy_from_slice(&bytes);
    Ok(key)
}

/// Whether a keyring service answers at all (a read of an entry that may not exist).
pub(crate) fn probe(vault_id: &str) -> Result<(), CoreError> {
    match entry(vault_id)?.get_password() {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(explain(e)),
    }
}

fn missing() -> CoreError {
    CoreError::new(
        ErrorCode::KeyringUnavailable,
        "The vault's master key is not in the system keyring (it was removed, or this is another user account), \
         so stored API keys cannot be read. Delete them and import the credentials.json files again.",
    )
}

fn explain(err: keyring::Error) -> CoreError {
    tracing::warn!(error = %err, "keyring error");
    let message = match &err {
        keyring::Error::NoEntry => return missing(),
        keyring::Error::NoStorageAccess(_) => {
            "The system keyring is locked or refused access. Unlock it (log in to the desktop session, or start \
             gnome-keyring) and try again, or protect the vault with a passphrase instead."
        }
        keyring::Error::PlatformFailure(inner) if inner.to_string().to_lowercase().contains("dbus") => {
            "No system keyring is reachable: there is no D-Bus session with a Secret Service (gnome-keyring or \
             KWallet). Start one, or protect the vault with a passphrase instead."
        }
        _ => {
            "The system keyring did not work (details are in the log file). You can protect the vault with a \
             passphrase instead."
        }
    };
    CoreError::new(ErrorCode::KeyringUnavailable, message)
}
