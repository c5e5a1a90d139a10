//! The automatic team sync: on start and after each inventory change, one sync at a time, in the
//! background; offline, the changes wait.

use std::sync::atomic::{AtomicBool, Ordering};

use csoc_app::team;
use tauri::{AppHandle, Manager};

use crate::commands::{notify, on_store};
use crate::state::AppState;

/// A background sync is running / another change came in while it ran.
static RUNNING: AtomicBool = AtomicBool::new(false);
static AGAIN: AtomicBool = AtomicBool::new(false);

/// Syncs in the background when this data folder has joined a team repository; a change made
/// while a sync runs is picked up by one more sync when it ends.
pub fn sync_soon(app: &AppHandle) {
    if RUNNING.swap(true, Ordering::SeqCst) {
        AGAIN.store(true, Ordering::SeqCst);
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            AGAIN.store(false, Ordering::SeqCst);
            let state = app.state::<AppState>();
            match on_store(&state, team::sync_if_joined).await {
                Ok(Some(report)) if report.pulled > 0 => notify(&app),
                Ok(_) => {}
                Err(e) => tracing::warn!(code = ?e.code, message = %e.message, "team sync failed"),
            }
            if !AGAIN.load(Ordering::SeqCst) {
                break;
            }
        }
        RUNNING.store(false, Ordering::SeqCst);
    });
}
