//! The Tauri shell: window, state and command glue over `csoc-app`. Logic belongs in the core crates.

mod commands;
mod handlers;
mod monitoring;
mod state;
mod team_sync;

use std::path::PathBuf;
use std::time::Instant;

use csoc_app::paths::AppPaths;

pub use state::AppState;

/// Environment variable naming a file the app writes its launch-to-first-paint time into (ms).
pub const READY_FILE_ENV: &str = "GEN3_CSOC_READY_FILE";

/// Tauri's window layer panics without a display, so the binary checks first and explains.
pub fn has_display() -> bool {
    if cfg!(any(target_os = "macos", target_os = "windows")) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

pub fn report_first_paint(started: Instant) {
    let ms = started.elapsed().as_millis();
    tracing::info!(ms, "first paint");
    if let Some(path) = std::env::var_os(READY_FILE_ENV) {
        if let Err(e) = std::fs::write(&path, ms.to_string()) {
            tracing::warn!(error = %e, "could not write the ready file");
        }
    }
}

/// Registers every declared command's generated Tauri command (`commands::generated`).
macro_rules! handler_list {
    ($($name:ident ($($req:ty)?) -> $resp:ty),* $(,)?) => {
        tauri::generate_handler![$(commands::generated::$name),*]
    };
}

/// Opens the window over the cache in `paths`; with `demo`, over the simulated demo fleet; with
/// `import`, on the import of that path.
pub fn run(paths: AppPaths, demo: bool, import: Option<PathBuf>) {
    let started = Instant::now();
    tracing::info!(version = env!("CARGO_PKG_VERSION"), data_dir = %paths.data_dir.display(), "starting");
    let mut state = AppState::open(paths, started);
    if let Some(path) = import {
        state.import_on_start(&path);
    }
    if demo {
        // Not here: the simulator's start and the demo keys' trip to the keyring (which may ask to
        // unlock it) would hold up the window. The page starts the demo once it has painted.
        state.demo_on_start();
    }
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_fs::init())
        .plugin(tauri_plugin_notification::init())
        // Only to open a pull request's https address in the browser (see capabilities/main.json).
        .plugin(tauri_plugin_opener::init())
        .manage(state)
        .on_window_event(grant_dropped_paths)
        .setup(|app| {
            grant_chosen_paths(app.handle());
            monitoring::schedule(app.handle().clone());
            team_sync::sync_soon(app.handle());
            Ok(())
        })
        .invoke_handler(csoc_app::with_commands!(handler_list))
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!(error = %e, "the window failed");
        eprintln!("gen3-csoc: the window could not start ({e}). The log folder has details.");
    }
}

/// Every path the user picks in a native dialog (the dialog plugin adds it to the fs scope)
/// becomes a grant; the page itself cannot add one. Dropped paths are granted in `on_window_event`.
fn grant_chosen_paths(app: &tauri::AppHandle) {
    use tauri::Manager;
    use tauri_plugin_fs::FsExt;
    let grants = app.state::<AppState>().grants.clone();
    app.fs_scope().listen(move |event| {
        if let tauri::scope::fs::Event::PathAllowed(path) = event {
            grants.grant(path);
        }
    });
}

/// Files and folders dropped on the window are the user's choice too.
fn grant_dropped_paths(window: &tauri::Window, event: &tauri::WindowEvent) {
    use tauri::Manager;
    if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
        let grants = window.state::<AppState>().grants.clone();
        for p in paths {
            grants.grant(p);
        }
    }
}

#[cfg(test)]
mod tests {
    macro_rules! command_names {
        ($($name:ident ($($req:ty)?) -> $resp:ty),* $(,)?) => {
            &[$(stringify!($name)),*]
        };
    }

    /// The commands' names, in declaration order: the capability grants exactly these.
    const COMMANDS: &[&str] = csoc_app::with_commands!(command_names);

    /// The capability grants exactly the app's commands (plus events and file pickers): a command
    /// added without a permission would fail at runtime, one left over would widen the surface.
    #[test]
    fn capability_lists_exactly_the_app_commands() {
        let cap: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main.json")).expect("capability is JSON");
        let granted: Vec<String> = cap["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str())
            .filter_map(|p| p.strip_prefix("allow-"))
            .map(|p| p.replace('-', "_"))
            .collect();
        assert_eq!(granted, COMMANDS);
    }

    /// The page may open https addresses in the browser (a pull request) and nothing else: the
    /// opener's one permission carries that scope, and no unscoped opener permission is granted.
    #[test]
    fn the_opener_opens_https_addresses_only() {
        let cap: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main.json")).expect("capability is JSON");
        let opener: Vec<&serde_json::Value> = cap["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p.as_str().or(p["identifier"].as_str()).is_some_and(|id| id.starts_with("opener:")))
            .collect();
        let scoped = serde_json::json!({"identifier": "opener:allow-open-url", "allow": [{"url": "https://*"}]});
        assert_eq!(opener, [&scoped]);
    }

    /// Every command whose request carries a filesystem path from the page checks it against the
    /// path grants before anything reads or writes it: a command added without the check fails
    /// here. The exceptions take such a request but touch no path.
    #[test]
    fn every_command_taking_a_path_checks_the_grants() {
        const CARRY_PATHS: [&str; 8] = [
            "PathRequest",
            "KeySource",
            "ImportKeyRequest",
            "CommonsAnswers",
            "LaunchRequest",
            "MeshAnswers",
            "RenderSettings",
            "Draft",
        ];
        const TOUCH_NO_PATH: [(&str, &str); 3] = [
            ("wizard_draft_save", "stores the answers in the cache"),
            ("mesh_wizard_preview", "reads the members' metadata over the network"),
            ("mesh_wizard_save", "records the mesh in the inventory"),
        ];
        const CHECKS: [&str; 4] = ["granted(", "check_destination(", "granted_source(", "&grants"];
        let mut checked = Vec::new();
        let source = include_str!("handlers.rs");
        let handlers = source.split("impl Handlers for Shell").nth(1).expect("the handlers' impl");
        for command in handlers.split("\n    async fn ").skip(1) {
            let signature = command.split(" -> ").next().unwrap_or_default();
            let name = signature.split(['(', '<']).next().unwrap_or_default();
            let carries =
                CARRY_PATHS.iter().any(|t| [")", ","].iter().any(|end| signature.contains(&format!(": {t}{end}"))));
            if !carries || TOUCH_NO_PATH.iter().any(|(n, _)| *n == name) {
                continue;
            }
            assert!(CHECKS.iter().any(|c| command.contains(c)), "{name} takes a path from the page unchecked");
            checked.push(name.to_string());
        }
        for name in [
            "wizard_gitops_status",
            "wizard_review",
            "wizard_launch",
            "mesh_wizard_build",
            "inventory_export",
            "render_settings_save",
        ] {
            assert!(checked.iter().any(|c| c == name), "{name} was not found among the commands taking a path");
        }
    }
}
