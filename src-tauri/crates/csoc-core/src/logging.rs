//! Daily-rotated log files in the platform log folder; `RUST_LOG` overrides the default level.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

pub const LOG_FILE_PREFIX: &str = "gen3-csoc.log";

/// Installs the global subscriber. Keep the guard alive for the life of the process: dropping it
/// flushes buffered lines. Returns `None` if the folder cannot be created (the app still runs).
pub fn init(log_dir: &Path) -> Option<WorkerGuard> {
    if crate::paths::create_private_dir(log_dir).is_err() {
        return None;
    }
    // Today's file is created private; earlier ones (written before this rule) are made so too.
    // Files a long-running app rotates into later still sit in the 0700 folder.
    let _ = crate::paths::create_private_file(&log_dir.join(format!("{LOG_FILE_PREFIX}.{}", utc_date_today())));
    for entry in std::fs::read_dir(log_dir).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with(LOG_FILE_PREFIX) {
            let _ = crate::paths::create_private_file(&entry.path());
        }
    }
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(LOG_FILE_PREFIX)
        .max_log_files(14)
        .build(log_dir)
        .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer).with_ansi(false).try_init().ok()?;
    Some(guard)
}

/// Today's UTC date as `YYYY-MM-DD`, as the daily appender names its files.
fn utc_date_today() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}
