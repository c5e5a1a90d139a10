//! Daily log files in the platform log folder; `RUST_LOG` overrides the default level.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

use crate::log_file::DailyFile;

pub(crate) const LOG_FILE_PREFIX: &str = "gen3-csoc.log";
/// Daily files kept.
const KEEP_DAYS: usize = 14;

/// Installs the global subscriber. Keep the guard alive for the life of the process: dropping it
/// flushes buffered lines. Returns `None` if the folder cannot be created (the app still runs).
pub fn init(log_dir: &Path) -> Option<WorkerGuard> {
    if crate::paths::create_private_dir(log_dir).is_err() {
        return None;
    }
    // Files written before this rule are made private too; new ones are created so.
    for entry in std::fs::read_dir(log_dir).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with(LOG_FILE_PREFIX) {
            let _ = crate::paths::create_private_file(&entry.path());
        }
    }
    let (writer, guard) =
        tracing_appender::non_blocking(DailyFile::new(log_dir.to_path_buf(), LOG_FILE_PREFIX, KEEP_DAYS));
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer).with_ansi(false).try_init().ok()?;
    Some(guard)
}
