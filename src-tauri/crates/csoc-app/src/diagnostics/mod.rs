//! What support needs to know about this installation, in one place: the keyring, the cache, the
//! logs and their last errors, versions, and whether each configured commons can be reached.
//! `collect` writes these facts, the logs and the inventory (without notes) to a zip that holds no
//! secret: nothing is read from the vault, and every entry is checked again before it is written.

mod facts;
mod zip_file;

pub use facts::{gather, CacheFacts, CommonsReach, Diagnostics, KeyringFacts};
pub use zip_file::{collect, CollectSummary};
