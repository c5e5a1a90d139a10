//! What the window's commands share: the paths, and the cache if it opened (or why it did not).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use csoc_core::api::AppStatus;
use csoc_core::error::{CoreError, CoreResult, ErrorCode};
use csoc_core::paths::AppPaths;
use csoc_core::store::{self, Store};
use csoc_core::vault::Vault;

pub struct AppState {
    pub paths: AppPaths,
    pub started: Instant,
    pub vault: Arc<Vault>,
    cache: Mutex<Cache>,
}

struct Cache {
    opened: Result<Arc<Store>, CoreError>,
    moved_aside_to: Option<String>,
}

impl AppState {
    pub fn open(paths: AppPaths, started: Instant) -> Self {
        let opened = Store::open(&paths.db_path()).map(Arc::new);
        if let Err(e) = &opened {
            tracing::error!(code = ?e.code, "cache not opened at start-up");
        }
        Self {
            paths,
            started,
            vault: Arc::new(Vault::new()),
            cache: Mutex::new(Cache { opened, moved_aside_to: None }),
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn store(&self) -> CoreResult<Arc<Store>> {
        self.cache().opened.clone()
    }

    pub fn status(&self) -> AppStatus {
        let cache = self.cache();
        AppStatus {
            version: env!("CARGO_PKG_VERSION").to_string(),
            data_dir: self.paths.data_dir.display().to_string(),
            db_path: self.paths.db_path().display().to_string(),
            log_dir: self.paths.log_dir.display().to_string(),
            store_error: cache.opened.as_ref().err().cloned(),
            moved_aside_to: cache.moved_aside_to.clone(),
        }
    }

    /// Moves a damaged cache aside (never deletes it) and opens a fresh one. Refused when the cache
    /// is fine or was written by a newer app: moving that aside would hide the user's data.
    pub fn move_aside(&self) -> CoreResult<AppStatus> {
        {
            let mut cache = self.cache();
            match &cache.opened {
                Err(e) if e.code == ErrorCode::DbCorrupt => {}
                _ => return Err(CoreError::invalid("The cache is not damaged, so it was not moved. Nothing changed.")),
            }
            let aside = store::move_aside(&self.paths.db_path())?;
            cache.moved_aside_to = Some(aside.display().to_string());
            cache.opened = Store::open(&self.paths.db_path()).map(Arc::new);
        }
        Ok(self.status())
    }
}
