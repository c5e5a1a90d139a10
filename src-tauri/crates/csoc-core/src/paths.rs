//! Where the app keeps its cache and logs. `--data-dir` or `GEN3_CSOC_DATA_DIR` moves both, so a
//! test or a second profile never touches the user's real cache.

use std::path::PathBuf;

pub const DATA_DIR_ENV: &str = "GEN3_CSOC_DATA_DIR";
const APP_DIR: &str = "gen3-csoc";

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
        self.data_dir.join(crate::store::DB_FILE)
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
