//! What the window's commands share: the paths, the cache if it opened (or why it did not), its
//! vault, the running sweep, and the demo fleet when the app shows it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use csoc_app::api::AppStatus;
use csoc_app::demo::DemoFleet;
use csoc_app::error::{CoreError, CoreResult, ErrorCode};
use csoc_app::path_grants::{PathGrants, Use};
use csoc_app::paths::AppPaths;
use csoc_app::store::{self, Store, DB_FILE};
use csoc_app::vault::Vault;
use tokio_util::sync::CancellationToken;

pub struct AppState {
    pub paths: AppPaths,
    /// Paths the user picked in a dialog or dropped on the window, and the app's own folders: the
    /// only paths commands accept from the page.
    pub grants: Arc<PathGrants>,
    pub started: Instant,
    cache: Mutex<Cache>,
    /// The start-up open of the cache, on its own thread so that it overlaps the window's start;
    /// the first use of the cache waits for it.
    opening: Mutex<Option<std::thread::JoinHandle<Result<Arc<Store>, CoreError>>>>,
    /// The running sweep's cancel handle; at most one sweep runs at a time.
    pub sweep: Mutex<Option<CancellationToken>>,
    /// The running wizard launch's cancel handle.
    pub launch: Mutex<Option<csoc_app::deploy::launch::LaunchControl>>,
    demo: tokio::sync::Mutex<Option<DemoFleet>>,
    /// `--demo` asked for the demo fleet and it has not started (nor been left) yet.
    demo_on_start: AtomicBool,
    /// The path named with `--import`, granted like a dialog's choice.
    import_path: Option<PathBuf>,
}

struct Cache {
    path: PathBuf,
    opened: Result<Arc<Store>, CoreError>,
    /// One vault per cache: its master key belongs to that cache.
    vault: Arc<Vault>,
    moved_aside_to: Option<String>,
    demo: bool,
}

impl AppState {
    pub fn open(paths: AppPaths, started: Instant) -> Self {
        let path = paths.db_path();
        let opening = {
            let path = path.clone();
            std::thread::spawn(move || open(&path))
        };
        // Never seen: every read of the cache first takes the result of `opening`.
        let opened = Err(CoreError::new(ErrorCode::DbUnavailable, "The cache is still being opened."));
        let grants = Arc::new(PathGrants::new(&[&paths.data_dir, &paths.log_dir]));
        Self {
            paths,
            grants,
            started,
            cache: Mutex::new(Cache { path, opened, vault: Arc::new(Vault::new()), moved_aside_to: None, demo: false }),
            opening: Mutex::new(Some(opening)),
            sweep: Mutex::new(None),
            launch: Mutex::new(None),
            demo: tokio::sync::Mutex::new(None),
            demo_on_start: AtomicBool::new(false),
            import_path: None,
        }
    }

    /// `--demo`: the page starts the demo fleet once it has painted (`AppStatus::demo_on_start`).
    pub fn demo_on_start(&mut self) {
        *self.demo_on_start.get_mut() = true;
    }

    /// The operator named `path` on the command line: the page may import it, as if it had been
    /// chosen in a dialog.
    pub fn import_on_start(&mut self, path: &Path) {
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        self.grants.grant(&path);
        self.import_path = Some(path);
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(opening) = self.opening.lock().unwrap_or_else(|p| p.into_inner()).take() {
            cache.opened = opening.join().unwrap_or_else(|_| {
                Err(CoreError::new(ErrorCode::DbUnavailable, "The cache could not be opened (see the log)."))
            });
        }
        cache
    }

    pub fn store(&self) -> CoreResult<Arc<Store>> {
        self.cache().opened.clone()
    }

    /// `path` from the page, if the user chose it (see [`PathGrants`]).
    pub fn granted(&self, path: &str, purpose: Use) -> CoreResult<PathBuf> {
        self.grants.check(path, purpose)
    }

    pub fn vault(&self) -> Arc<Vault> {
        self.cache().vault.clone()
    }

    pub fn status(&self) -> AppStatus {
        let cache = self.cache();
        AppStatus {
            version: env!("CARGO_PKG_VERSION").to_string(),
            data_dir: self.paths.data_dir.display().to_string(),
            db_path: cache.path.display().to_string(),
            log_dir: self.paths.log_dir.display().to_string(),
            store_error: cache.opened.as_ref().err().cloned(),
            moved_aside_to: cache.moved_aside_to.clone(),
            demo: cache.demo,
            demo_on_start: self.demo_on_start.load(Ordering::Relaxed),
            import_path: self.import_path.as_ref().map(|p| p.display().to_string()),
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
            let aside = store::move_aside(&cache.path)?;
            cache.moved_aside_to = Some(aside.display().to_string());
            cache.opened = open(&cache.path);
        }
        Ok(self.status())
    }

    /// Starts the simulated fleet and switches the app to its own cache (`<data dir>/demo`), so the
    /// user's inventory is never mixed with demo commons. Starting twice is a no-op.
    pub async fn start_demo(&self) -> CoreResult<AppStatus> {
        let mut demo = self.demo.lock().await;
        self.demo_on_start.store(false, Ordering::Relaxed);
        if demo.is_none() {
            let path = self.paths.data_dir.join("demo").join(DB_FILE);
            let store = Arc::new(Store::open(&path)?);
            let vault = Arc::new(Vault::new());
            *demo = Some(csoc_app::demo::start(&store, &vault).await?);
            if let Some(token) = self.sweep.lock().unwrap_or_else(|p| p.into_inner()).take() {
                token.cancel();
            }
            let mut cache = self.cache();
            *cache = Cache { path, opened: Ok(store), vault, moved_aside_to: None, demo: true };
        }
        Ok(self.status())
    }
}

impl AppState {
    /// Leaves demo mode without a restart: stops the simulated fleet and its sweep, and reopens
    /// the user's own cache. Not in demo mode, nothing changes.
    pub async fn stop_demo(&self) -> CoreResult<AppStatus> {
        let mut demo = self.demo.lock().await;
        self.demo_on_start.store(false, Ordering::Relaxed);
        if let Some(fleet) = demo.take() {
            if let Some(token) = self.sweep.lock().unwrap_or_else(|p| p.into_inner()).take() {
                token.cancel();
            }
            let path = self.paths.db_path();
            let opened = open(&path);
            *self.cache() = Cache { path, opened, vault: Arc::new(Vault::new()), moved_aside_to: None, demo: false };
            fleet.stop().await;
        }
        Ok(self.status())
    }
}

/// Cancels the running task held in `slot` (a sweep, a launch), if any.
pub fn cancel(slot: &Mutex<Option<CancellationToken>>) {
    if let Some(token) = slot.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
        token.cancel();
    }
}

fn open(path: &std::path::Path) -> Result<Arc<Store>, CoreError> {
    let opened = Store::open(path).map(Arc::new);
    if let Err(e) = &opened {
        tracing::error!(code = ?e.code, "cache not opened");
    }
    opened
}
