// The app's command list lives in the core crate; including it keeps the permission manifest,
// the TypeScript bindings and the handler list from drifting apart.
include!("crates/csoc-app/src/command_names.rs");

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/crates/csoc-app/src/command_names.rs");
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}
