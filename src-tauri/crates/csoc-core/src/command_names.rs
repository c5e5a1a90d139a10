// The app's commands, in one list read by the shell's build script (tauri_build::AppManifest),
// by the binding generator (api.rs) and by the capability test. Plain Rust, no imports.
pub const COMMANDS: &[&str] = &[
    "app_status",
    "store_move_aside",
    "first_paint",
    "inventory_list",
    "commons_get",
    "commons_validate",
    "commons_create",
    "commons_update",
    "commons_delete",
    "mesh_save",
    "mesh_delete",
    "inventory_export",
    "inventory_import",
];
