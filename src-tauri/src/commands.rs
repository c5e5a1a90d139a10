//! The Tauri commands, generated from the one list of commands (`csoc_app::with_commands!`): each
//! deserializes its `request` and calls the window's handler of it (`handlers.rs`), whose signature
//! the core's `Handlers` trait fixes. Also what the handlers share: the blocking pool and the
//! inventory-changed event.

use std::sync::Arc;

use csoc_app::api::{InventoryChanged, EVENT_INVENTORY_CHANGED};
use csoc_app::error::{CoreError, CoreResult, ErrorCode};
use csoc_app::model::now_ms;
use csoc_app::store::Store;
use tauri::{AppHandle, Emitter};

use crate::state::AppState;

macro_rules! tauri_commands {
    ($($name:ident ($($req:ty)?) -> $resp:ty),* $(,)?) => {
        /// One Tauri command per declared command, each calling its handler.
        pub mod generated {
            use csoc_app::api::types::*;
            use csoc_app::api::Handlers;
            use csoc_app::error::CoreResult;

            use crate::handlers::Shell;

            $(
                #[tauri::command]
                #[tracing::instrument(skip_all, err)]
                pub async fn $name(app: tauri::AppHandle $(, request: $req)?) -> CoreResult<$resp> {
                    Shell::new(app).$name($({ let request: $req = request; request })?).await
                }
            )*
        }
    };
}

csoc_app::with_commands!(tauri_commands);

/// Runs blocking cache work on the blocking pool so the UI thread never waits on SQLite.
pub(crate) async fn on_store<T, F>(state: &AppState, work: F) -> CoreResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Store) -> CoreResult<T> + Send + 'static,
{
    let store: Arc<Store> = state.store()?;
    tauri::async_runtime::spawn_blocking(move || work(&store)).await.map_err(|e| {
        tracing::error!(error = %e, "cache task failed");
        CoreError::new(
            ErrorCode::DbUnavailable,
            "The cache operation stopped unexpectedly. Details are in the log file.",
        )
    })?
}

/// Runs blocking work that is not on the cache (files, `helm`, `git`) on the blocking pool; a
/// panic there is logged and told to the UI in words.
pub(crate) async fn blocking<T, F>(work: F) -> CoreResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> CoreResult<T> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(work).await.map_err(|e| {
        tracing::error!(error = %e, "background task failed");
        CoreError::new(ErrorCode::Io, "The operation stopped unexpectedly. Details are in the log file.")
    })?
}

/// Runs a write and tells every listener the inventory changed.
pub(crate) async fn write<T, F>(app: &AppHandle, state: &AppState, work: F) -> CoreResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Store) -> CoreResult<T> + Send + 'static,
{
    let out = on_store(state, work).await?;
    notify(app);
    crate::team_sync::sync_soon(app);
    Ok(out)
}

pub(crate) fn notify(app: &AppHandle) {
    if let Err(e) = app.emit(EVENT_INVENTORY_CHANGED, InventoryChanged { at: now_ms() }) {
        tracing::warn!(error = %e, "could not emit inventory-changed");
    }
}
