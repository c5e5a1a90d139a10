// The app's commands are declared once, in the core crate's `with_commands!` list; including it
// here gives the permission manifest exactly the names the shell registers handlers for.
include!("crates/csoc-core/src/command_names.rs");

macro_rules! command_names {
    ($($name:ident ($($req:ty)?) -> $resp:ty),* $(,)?) => {
        &[$(stringify!($name)),*]
    };
}

const COMMANDS: &[&str] = with_commands!(command_names);

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/crates/csoc-core/src/command_names.rs");
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}
