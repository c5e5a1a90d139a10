//! Schema history. Append only: a released migration is never edited.

use rusqlite_migration::{Migrations, M};

const STEPS: &[&str] = &[
    // 1: the commons inventory, tags, meshes and per-source freshness.
    "CREATE TABLE commons (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        base_url TEXT NOT NULL UNIQUE,
        environment TEXT NOT NULL,
        relation TEXT NOT NULL,
        owner TEXT NOT NULL DEFAULT '',
        contact TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        expected_release TEXT,
        deployment TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        -- name, host, owner, contact, notes and tags, lowercased by the app (SQLite's lower() is ASCII only)
        search_text TEXT NOT NULL DEFAULT '',
        -- the host without the scheme, for sorting by host
        host TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX commons_environment ON commons(environment);
    CREATE TABLE commons_tags (
        commons_id TEXT NOT NULL REFERENCES commons(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (commons_id, tag)
    ) WITHOUT ROWID;
    CREATE INDEX commons_tags_tag ON commons_tags(tag);
    CREATE TABLE meshes (
        name TEXT PRIMARY KEY,
        description TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE mesh_members (
        mesh TEXT NOT NULL REFERENCES meshes(name) ON DELETE CASCADE ON UPDATE CASCADE,
        commons_id TEXT NOT NULL REFERENCES commons(id) ON DELETE CASCADE,
        PRIMARY KEY (mesh, commons_id)
    ) WITHOUT ROWID;
    CREATE INDEX mesh_members_commons ON mesh_members(commons_id);
    CREATE TABLE freshness (
        source TEXT PRIMARY KEY,
        last_attempted INTEGER,
        last_successful INTEGER,
        last_error TEXT
    );",
    // 2: the credential vault. Secrets are XChaCha20-Poly1305 ciphertext under a master key that
    // lives in the OS keyring (or is derived from a passphrase); the other columns are not secret.
    "CREATE TABLE vault_meta (
        key TEXT PRIMARY KEY,
        value BLOB NOT NULL
    );
    CREATE TABLE credentials (
        commons_id TEXT PRIMARY KEY REFERENCES commons(id) ON DELETE CASCADE,
        key_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        scopes TEXT NOT NULL,
        issued_at INTEGER,
        expires_at INTEGER NOT NULL,
        ends_with TEXT NOT NULL,
        nonce BLOB NOT NULL,
        ciphertext BLOB NOT NULL,
        imported_at INTEGER NOT NULL,
        last_test_at INTEGER,
        last_test_error TEXT,
        last_test_code TEXT,
        user_name TEXT
    );",
];

/// The schema version this binary writes (SQLite `user_version`).
pub fn latest_version() -> usize {
    STEPS.len()
}

pub fn migrations() -> Migrations<'static> {
    Migrations::new(STEPS.iter().map(|sql| M::up(sql)).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }
}
