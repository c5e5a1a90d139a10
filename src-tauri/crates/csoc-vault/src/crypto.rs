//! Sealing secrets with the master key: XChaCha20-Poly1305, a random 24-byte nonce per secret, and
//! the row's owner as associated data so a ciphertext cannot be moved to another commons.

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

pub(crate) type MasterKey = Zeroizing<[u8; 32]>;

pub(crate) fn new_master_key() -> MasterKey {
    let key = XChaCha20Poly1305::generate_key(&mut OsRng);
    Zeroizing::new(key.into())
}

pub(crate) fn seal(key: &MasterKey, aad: &[u8], plaintext: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let cipher = XChaCha20Poly1305::new(Key::from_slice(key.as_slice()));
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let sealed = cipher.encrypt(&nonce, Payload { msg: plaintext, aad }).expect("encryption cannot fail");
    (nonce.to_vec(), sealed)
}

/// `None` when the key is wrong or the ciphertext was altered.
pub(crate) fn open(key: &MasterKey, aad: &[u8], nonce: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if nonce.len() != 24 {
        return None;
    }
    let cipher = XChaCha20Poly1305::new(Key::from_slice(key.as_slice()));
    cipher.decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad }).ok().map(Zeroizing::new)
}

/// Argon2id with the crate's defaults (19 MiB, 2 passes): slow enough to resist guessing, quick
/// enough to unlock once a session.
pub(crate) fn derive_from_passphrase(passphrase: &str, salt: &[u8]) -> MasterKey {
    let mut out = Zeroizing::new([0u8; 32]);
    argon2::Argon2::default()
        .hash_password_into(passphrase.as_bytes(), salt, out.as_mut_slice())
        .expect("argon2 parameters are valid");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper_detection() {
        let key = new_master_key();
        let (nonce, sealed) = seal(&key, b"commons-1", b"eyJsecret");
        assert_eq!(open(&key, b"commons-1", &nonce, &sealed).unwrap().as_slice(), b"eyJsecret");
        assert!(open(&key, b"commons-2", &nonce, &sealed).is_none(), "bound to its owner");
        assert!(open(&new_master_key(), b"commons-1", &nonce, &sealed).is_none(), "wrong key");
        assert!(!sealed.windows(9).any(|w| w == b"eyJsecret"), "ciphertext holds no plaintext");
    }

    #[test]
    fn passphrase_derivation_is_deterministic_per_salt() {
        let a = derive_from_passphrase("correct horse", b"0123456789abcdef");
        assert_eq!(a, derive_from_passphrase("correct horse", b"0123456789abcdef"));
        assert_ne!(a, derive_from_passphrase("correct horse", b"fedcba9876543210"));
    }
}
