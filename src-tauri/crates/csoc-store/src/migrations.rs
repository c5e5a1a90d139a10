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
        host TEXT NOT NULL DEFAULT '',
        ca_pem TEXT
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
    // 3: fleet monitoring. Current state per service, raw samples (7 days), hourly aggregates,
    // state changes (kept forever), expiry alerts already raised, and settings.
    "CREATE TABLE service_status (
        commons_id TEXT NOT NULL REFERENCES commons(id) ON DELETE CASCADE,
        service TEXT NOT NULL,
        state TEXT NOT NULL,
        since INTEGER NOT NULL,
        checked_at INTEGER NOT NULL,
        latency_ms INTEGER,
        version TEXT,
        detail TEXT,
        PRIMARY KEY (commons_id, service)
    ) WITHOUT ROWID;
    CREATE TABLE commons_status (
        commons_id TEXT PRIMARY KEY REFERENCES commons(id) ON DELETE CASCADE,
        last_attempted INTEGER NOT NULL,
        last_successful INTEGER,
        reachable INTEGER NOT NULL,
        error TEXT,
        cert_not_after INTEGER,
        cert_problem TEXT,
        object_count INTEGER,
        total_size INTEGER,
        dictionary_version TEXT,
        helm INTEGER,
        key_error TEXT,
        key_error_code TEXT
    );
    -- One row per commons per sample (services folded: healthy of deployed), at most one per
    -- 5 minutes unless a state changed, so fast sweeps do not grow the cache.
    CREATE TABLE probe_samples (
        commons_id TEXT NOT NULL REFERENCES commons(id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        healthy INTEGER NOT NULL,
        deployed INTEGER NOT NULL,
        latency_sum INTEGER NOT NULL,
        latency_n INTEGER NOT NULL,
        PRIMARY KEY (commons_id, at)
    ) WITHOUT ROWID;
    CREATE INDEX probe_samples_at ON probe_samples(at);
    CREATE TABLE probe_hourly (
        commons_id TEXT NOT NULL REFERENCES commons(id) ON DELETE CASCADE,
        hour INTEGER NOT NULL,
        samples INTEGER NOT NULL,
        healthy INTEGER NOT NULL,
        deployed INTEGER NOT NULL,
        latency_sum INTEGER NOT NULL,
        latency_n INTEGER NOT NULL,
        PRIMARY KEY (commons_id, hour)
    ) WITHOUT ROWID;
    CREATE TABLE state_changes (
        id INTEGER PRIMARY KEY,
        commons_id TEXT NOT NULL REFERENCES commons(id) ON DELETE CASCADE,
        service TEXT NOT NULL,
        at INTEGER NOT NULL,
        from_state TEXT NOT NULL,
        to_state TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX state_changes_commons ON state_changes(commons_id, at);
    CREATE TABLE alert_marks (
        commons_id TEXT NOT NULL REFERENCES commons(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        threshold_days INTEGER NOT NULL,
        PRIMARY KEY (commons_id, kind, expires_at, threshold_days)
    ) WITHOUT ROWID;
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );",
    // 4: wizard drafts (commons or mesh), saved after every step so a wizard can be resumed later,
    // offline too. `answers` is the wizard's JSON; secrets are refused before they get here.
    "CREATE TABLE wizard_drafts (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        step INTEGER NOT NULL,
        answers TEXT NOT NULL,
        created_at INTEGER,
        updated_at INTEGER
    );
    CREATE INDEX wizard_drafts_updated ON wizard_drafts(updated_at);",
    // 5: secrets the wizards collect that are not API keys (OIDC client secrets), sealed under the
    // vault's master key like `credentials`, named `wizard/<draft id>/<idp>`.
    "CREATE TABLE named_secrets (
        name TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        nonce BLOB NOT NULL,
        ciphertext BLOB NOT NULL,
        stored_at INTEGER NOT NULL
    );",
    // 6: a mesh's hub and the names the hub's AggMDS lists its members under (commons id -> name),
    // written by the mesh wizard and read by the mesh view.
    "CREATE TABLE mesh_hubs (
        mesh TEXT PRIMARY KEY REFERENCES meshes(name) ON DELETE CASCADE ON UPDATE CASCADE,
        hub_id TEXT REFERENCES commons(id) ON DELETE SET NULL,
        member_names TEXT NOT NULL DEFAULT '{}'
    );",
    // 7: what monitoring learns beyond states: when each service last answered as itself (so
    // gen3-helm's "service failure", which an undeployed service gives too, reads as down only for
    // a service that ran here), the services a commons was deployed with, and the outside-in
    // checks (fence's issuer, JWKS, IdPs, ETL age, mesh) with the fact each read, to compare next time.
    "ALTER TABLE service_status ADD COLUMN last_answered INTEGER;
    -- the last check could not reach the commons and that says nothing about it (never reached
    -- from here, or nothing else was reachable either): shown as unreachable from here, not down
    ALTER TABLE commons_status ADD COLUMN unreachable_here INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE expected_services (
        commons_id TEXT PRIMARY KEY REFERENCES commons(id) ON DELETE CASCADE,
        -- JSON array of catalog service ids
        services TEXT NOT NULL,
        -- where the list comes from, in words (the demo fleet's plan, a values file)
        source TEXT NOT NULL,
        set_at INTEGER NOT NULL
    );
    CREATE TABLE commons_checks (
        commons_id TEXT NOT NULL REFERENCES commons(id) ON DELETE CASCADE,
        check_id TEXT NOT NULL,
        ok INTEGER NOT NULL,
        summary TEXT NOT NULL,
        fact TEXT,
        since INTEGER NOT NULL,
        checked_at INTEGER NOT NULL,
        PRIMARY KEY (commons_id, check_id)
    ) WITHOUT ROWID;",
    // 8: the origin a stored API key may be sent to: its issuer's at import, or the commons' new
    // URL once the operator confirmed it. NULL (keys stored before) means the issuer's origin.
    "ALTER TABLE credentials ADD COLUMN bound_origin TEXT;",
    // 9: the activity log: what the app did, by whom, when and with what result; no
    // secret is ever written here. Kept as long as the hourly history (90 days).
    "CREATE TABLE activity (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        commons_id TEXT,
        commons_name TEXT,
        user TEXT NOT NULL,
        summary TEXT NOT NULL,
        result TEXT NOT NULL
    );
    CREATE INDEX activity_at ON activity(at);
    CREATE INDEX activity_commons ON activity(commons_id, at);",
    // 10: team sync: the last synced base of each record in the
    // team repository (its fields as JSON, for the three-way merge) and the conflicts the operator
    // has not resolved yet, with both values and who changed each and when.
    "CREATE TABLE team_base (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        fields TEXT NOT NULL,
        PRIMARY KEY (kind, key)
    ) WITHOUT ROWID;
    CREATE TABLE team_conflicts (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        -- a field name, or '*' for the whole record (deleted on one side, edited on the other)
        field TEXT NOT NULL,
        label TEXT NOT NULL,
        mine TEXT NOT NULL,
        theirs TEXT NOT NULL,
        mine_by TEXT NOT NULL,
        mine_at INTEGER,
        theirs_by TEXT NOT NULL,
        theirs_at INTEGER,
        found_at INTEGER NOT NULL,
        PRIMARY KEY (kind, key, field)
    ) WITHOUT ROWID;",
    // 11: wizard drafts number their step as the UI and the review do, from 1 (they counted from 0).
    "UPDATE wizard_drafts SET step = step + 1;",
];

/// The schema version this binary writes (SQLite `user_version`).
pub(crate) fn latest_version() -> usize {
    STEPS.len()
}

pub(crate) fn migrations() -> Migrations<'static> {
    Migrations::new(STEPS.iter().map(|sql| M::up(sql)).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }
}
