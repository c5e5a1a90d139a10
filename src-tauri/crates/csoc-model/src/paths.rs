//! Where the app keeps its cache and logs. `--data-dir` or `GEN3_CSOC_DATA_DIR` moves both, so a
//! test or a second profile never touches the user's real cache.

use std::path::PathBuf;

pub(crate) const DATA_DIR_ENV: &str = "GEN3_CSOC_DATA_DIR";
const APP_DIR: &str = "gen3-csoc";
/// The cache's file name inside the data folder.
pub const DB_FILE: &str = "cache.sqlite3";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPaths {
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
}

impl AppPaths {
    /// `explicit` (the flag) wins over the environment variable, which wins over the platform default.
    pub fn resolve(explicit: Option<PathBuf>) -> Self {
        let chosen = explicit.or_else(|| std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()).map(PathBuf::from));
        match chosen {
            Some(dir) => Self { log_dir: dir.join("logs"), data_dir: dir },
            None => {
                let data_dir = dirs::data_dir().unwrap_or_else(std::env::temp_dir).join(APP_DIR);
                Self { log_dir: platform_log_dir().unwrap_or_else(|| data_dir.join("logs")), data_dir }
            }
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join(DB_FILE)
    }
}

#[cfg(target_os = "macos")]
fn platform_log_dir() -> Option<PathBuf> {
    dirs::home_dir().map(|h| h.join("Library/Logs").join(APP_DIR))
}

#[cfg(not(target_os = "macos"))]
fn platform_log_dir() -> Option<PathBuf> {
    dirs::data_local_dir().map(|d| d.join(APP_DIR).join("logs"))
}

/// Creates `dir` (and its parents) and makes it private to the user (0700 on Unix): the cache
/// and logs name every commons, owner and contact the operator keeps. An existing folder is
/// tightened only if it is the user's own and not a shared one (`--data-dir /tmp` must not take
/// /tmp away from everyone else).
pub fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let existed = dir.is_dir();
    std::fs::create_dir_all(dir)?;
    if !existed || is_own_unshared_dir(dir) {
        restrict(dir, 0o700)?;
    }
    Ok(())
}

#[cfg(unix)]
fn is_own_unshared_dir(dir: &std::path::Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    const STICKY: u32 = 0o1000;
    std::fs::metadata(dir).is_ok_and(|m| m.uid() == rustix::process::getuid().as_raw() && m.mode() & STICKY == 0)
}

#[cfg(not(unix))]
fn is_own_unshared_dir(_dir: &std::path::Path) -> bool {
    true
}

/// Opens `file` for appending, creating it 0600 if it does not exist; an existing one is made
/// readable by the user only (0600) too.
pub fn create_private_file(file: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut open = std::fs::OpenOptions::new();
    open.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let opened = open.open(file)?;
    restrict(file, 0o600)?;
    Ok(opened)
}

#[cfg(unix)]
fn restrict(path: &std::path::Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn restrict(_path: &std::path::Path, _mode: u32) -> std::io::Result<()> {
    // Windows: the per-user AppData folder is private to the user already.
    Ok(())
}
