//! The local cache: one SQLite file in the data directory, opened in WAL mode with a busy timeout,
//! migrated forward on open, refused when a newer app wrote it, never deleted when damaged.
//! Beside it the tables' first users: the inventory, the activity log and import/export.

pub mod activity;
pub mod inventory;
mod migrations;
pub mod transfer;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OpenFlags};

use csoc_model::error::{CoreError, CoreResult, ErrorCode};

pub use csoc_model::paths::DB_FILE;

pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the cache at `path`.
    pub fn open(path: &Path) -> CoreResult<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            csoc_model::paths::create_private_dir(dir).map_err(|e| CoreError::io("create the data folder", dir, &e))?;
        }
        let existed = path.exists();
        // 0600 before SQLite writes a byte; its -wal and -shm files take the same mode. An existing
        // file that cannot be changed is left to SQLite's open, which says what is wrong with it.
        let made_private = csoc_model::paths::create_private_file(path).map(drop);
        if !existed {
            made_private.map_err(|e| CoreError::io("create the cache", path, &e))?;
        }
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open_error(path, existed, e))?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(|e| open_error(path, existed, e))?;
        // Every write transaction takes the write lock at BEGIN, where the busy timeout applies. A
        // deferred one that read first and then wrote would fail at once with "busy" when another
        // process committed in between (SQLite cannot wait there: the snapshot it read is stale).
        conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        check_readable(&conn).map_err(|e| open_error(path, existed, e))?;
        // FULL: a write the UI or CLI acknowledged survives a crash or power loss; inventory writes
        // are rare enough that the fsync per commit costs nothing a user notices.
        conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| open_error(path, existed, e))?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(|e| open_error(path, existed, e))?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(|e| open_error(path, existed, e))?;

        let found: usize = conn
            .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
            .map_err(|e| open_error(path, existed, e))?
            .try_into()
            .unwrap_or(usize::MAX);
        if found > migrations::latest_version() {
            return Err(CoreError::new(
                ErrorCode::DbTooNew,
                format!(
                    "The cache at {} was written by a newer version of Gen3 CSOC (schema {found}; this version \
                     knows up to {}). Update the app, or start it with another --data-dir. The file was not changed.",
                    path.display(),
                    migrations::latest_version()
                ),
            ));
        }
        migrations::migrations().to_latest(&mut conn).map_err(|e| {
            tracing::error!(error = %e, "migration failed");
            CoreError::new(
                ErrorCode::DbUnavailable,
                format!("The cache at {} could not be upgraded. Details are in the log file.", path.display()),
            )
        })?;
        tracing::info!(path = %path.display(), schema = found, "cache opened");
        Ok(Self { conn: Mutex::new(conn), path: path.to_path_buf() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// SQLite's `quick_check` verdict and the file's schema version, for Diagnostics.
    pub fn integrity(&self) -> CoreResult<(String, u32)> {
        let conn = self.conn();
        let verdict: String = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        Ok((verdict, u32::try_from(version).unwrap_or(0)))
    }

    pub fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (transactions roll back).
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The newest schema version this app writes.
pub fn latest_schema() -> usize {
    migrations::latest_version()
}

/// Reads the header and checks page structure so a damaged file is caught at open, not mid-session.
fn check_readable(conn: &Connection) -> rusqlite::Result<()> {
    conn.query_row("PRAGMA schema_version", [], |_| Ok(()))?;
    let verdict: String = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0))?;
    if verdict == "ok" {
        Ok(())
    } else {
        tracing::error!(%verdict, "quick_check failed");
        Err(rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT), Some(verdict)))
    }
}

fn open_error(path: &Path, existed: bool, err: rusqlite::Error) -> CoreError {
    use rusqlite::ffi::ErrorCode as Sql;
    tracing::error!(path = %path.display(), error = %err, "cache open failed");
    match err.sqlite_error_code() {
        Some(Sql::NotADatabase | Sql::DatabaseCorrupt) => CoreError::new(
            ErrorCode::DbCorrupt,
            format!(
                "The cache at {} is damaged or is not a Gen3 CSOC database, so it cannot be read. You can move it \
                 aside and start with an empty cache; the file is kept next to it for recovery.",
                path.display()
            ),
        ),
        Some(Sql::CannotOpen | Sql::PermissionDenied | Sql::ReadOnly) if existed => CoreError::new(
            ErrorCode::DbCorrupt,
            format!(
                "The cache at {} cannot be opened for reading and writing (check its permissions). You can move \
                 it aside and start with an empty cache; the file is kept.",
                path.display()
            ),
        ),
        _ => CoreError::from(err),
    }
}

/// Renames a damaged cache (and its WAL/SHM companions) to `<name>.damaged-<ms>`; returns the new path.
pub fn move_aside(path: &Path) -> CoreResult<PathBuf> {
    let stamp = csoc_model::model::now_ms();
    let target = PathBuf::from(format!("{}.damaged-{stamp}", path.display()));
    std::fs::rename(path, &target).map_err(|e| CoreError::io("move aside", path, &e))?;
    for suffix in ["-wal", "-shm"] {
        let companion = PathBuf::from(format!("{}{suffix}", path.display()));
        if companion.exists() {
            let to = PathBuf::from(format!("{}{suffix}", target.display()));
            std::fs::rename(&companion, &to).map_err(|e| CoreError::io("move aside", &companion, &e))?;
        }
    }
    tracing::warn!(from = %path.display(), to = %target.display(), "damaged cache moved aside");
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_an_empty_file_to_latest() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
        let conn = store.conn();
        let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(v as usize, migrations::latest_version());
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='commons'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 1);
    }

    /// Drafts saved while steps counted from 0 open at the same step, now counted from 1.
    #[test]
    fn drafts_saved_with_steps_from_zero_keep_their_step() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let mut conn = Connection::open(&path).unwrap();
        migrations::migrations().to_version(&mut conn, 10).unwrap();
        conn.execute(
            "INSERT INTO wizard_drafts(id, kind, title, step, answers, created_at, updated_at)
             VALUES ('d1', 'commons', 'data.example.org', 7, '{}', 1, 1)",
            [],
        )
        .unwrap();
        drop(conn);
        let store = Store::open(&path).unwrap();
        let step: i64 =
            store.conn().query_row("SELECT step FROM wizard_drafts WHERE id = 'd1'", [], |r| r.get(0)).unwrap();
        assert_eq!(step, 8, "the review, step 7 counted from 0");
    }

    #[test]
    fn reopening_keeps_data_and_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        Store::open(&path).unwrap().conn().execute("INSERT INTO meshes(name) VALUES ('brh')", []).unwrap();
        let store = Store::open(&path).unwrap();
        let n: i64 = store.conn().query_row("SELECT count(*) FROM meshes", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn refuses_a_newer_database_and_leaves_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        drop(Store::open(&path).unwrap());
        let newer = migrations::latest_version() as i64 + 3;
        Connection::open(&path).unwrap().pragma_update(None, "user_version", newer).unwrap();
        let err = Store::open(&path).err().expect("newer db must be refused");
        assert_eq!(err.code, ErrorCode::DbTooNew);
        assert!(err.message.contains("newer version"), "{}", err.message);
        let v: i64 = Connection::open(&path).unwrap().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(v, newer, "the newer file must not be touched");
    }

    #[test]
    fn garbage_file_is_reported_and_kept_then_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let garbage = b"this is not sqlite at all, just some text that fills the header area ......".repeat(100);
        std::fs::write(&path, &garbage).unwrap();
        let err = Store::open(&path).err().expect("garbage must not open");
        assert_eq!(err.code, ErrorCode::DbCorrupt);
        assert!(err.message.contains("move it aside"), "{}", err.message);
        assert_eq!(std::fs::read(&path).unwrap(), garbage, "the damaged file must be kept byte for byte");

        let aside = move_aside(&path).unwrap();
        assert_eq!(std::fs::read(&aside).unwrap(), garbage);
        Store::open(&path).expect("a fresh cache opens after moving aside");
    }

    /// Two processes writing the same cache: the second waits for the first (busy timeout)
    /// instead of failing with "busy" when the first commits while it waits.
    #[test]
    fn a_writer_waits_for_another_instead_of_failing() {
        use csoc_model::model::{CommonsDraft, Environment};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let first = Store::open(&path).unwrap();
        let second = Store::open(&path).unwrap();
        let (started, wait_started) = std::sync::mpsc::channel();
        let holder = std::thread::spawn(move || {
            let mut conn = first.conn();
            let tx = conn.transaction().unwrap();
            tx.execute("INSERT INTO meshes(name) VALUES ('held')", []).unwrap();
            started.send(()).unwrap();
            // Keep the write lock while the other writer reads and then asks for it.
            std::thread::sleep(std::time::Duration::from_millis(300));
            tx.commit().unwrap();
        });
        wait_started.recv().unwrap();
        let mut results = Vec::new();
        for i in 0..3 {
            let draft = CommonsDraft::new(format!("c{i}"), format!("https://c{i}.example.org"), Environment::Dev);
            results.push(crate::inventory::create(&second, &draft).map(|_| ()));
        }
        holder.join().unwrap();
        assert!(results.iter().all(Result::is_ok), "a concurrent writer failed: {results:?}");
        let n: i64 = second.conn().query_row("SELECT count(*) FROM commons", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 3);
    }

    #[test]
    fn damaged_pages_are_caught_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        {
            let store = Store::open(&path).unwrap();
            let conn = store.conn();
            conn.execute_batch("CREATE TABLE filler(x); PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
            for i in 0..2000 {
                conn.execute("INSERT INTO filler VALUES (?1)", [format!("row {i} {}", "x".repeat(200))]).unwrap();
            }
            conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
        }
        let mut bytes = std::fs::read(&path).unwrap();
        let page = 4096;
        for b in &mut bytes[page * 3..page * 12] {
            *b = 0xA5;
        }
        std::fs::write(&path, &bytes).unwrap();
        let err = Store::open(&path).err().expect("damaged pages must be reported");
        assert_eq!(err.code, ErrorCode::DbCorrupt, "{}", err.message);
    }
}
