// The app's commands are declared once, in the core crate's `with_commands!` list; including it
// here gives the permission manifest exactly the names the shell registers handlers for, and
// writes the main window's capability granting exactly those (committed; a test checks it).
include!("crates/csoc-app/src/command_names.rs");

macro_rules! command_names {
    ($($name:ident ($($req:ty)?) -> $resp:ty),* $(,)?) => {
        &[$(stringify!($name)),*]
    };
}

const COMMANDS: &[&str] = with_commands!(command_names);

const CAPABILITY: &str = "src-tauri/capabilities/main.json";

/// What the main window may use besides the app's commands.
const OTHER_PERMISSIONS: [&str; 4] =
    ["core:event:allow-listen", "core:event:allow-unlisten", "dialog:allow-open", "dialog:allow-save"];

/// Opening a pull request's address in the browser: https addresses only.
const OPEN_HTTPS: &str =
    "    {\n      \"identifier\": \"opener:allow-open-url\",\n      \"allow\": [{ \"url\": \"https://*\" }]\n    }";

fn capability() -> String {
    let named: Vec<String> = OTHER_PERMISSIONS
        .iter()
        .map(|p| p.to_string())
        .chain(COMMANDS.iter().map(|c| format!("allow-{}", c.replace('_', "-"))))
        .map(|p| format!("    \"{p}\""))
        .collect();
    let permissions: Vec<String> = named[..OTHER_PERMISSIONS.len()]
        .iter()
        .cloned()
        .chain([OPEN_HTTPS.to_string()])
        .chain(named[OTHER_PERMISSIONS.len()..].iter().cloned())
        .collect();
    format!(
        "{{\n  \"$schema\": \"../../gen/schemas/desktop-schema.json\",\n  \"identifier\": \"main-window\",\n  \
         \"description\": \"What the main window may call: the app's own commands, event listening, the file \
         pickers for inventory import/export, and opening https addresses (a pull request) in the browser. Nothing \
         else.\",\n  \"windows\": [\n    \"main\"\n  ],\n  \
         \"permissions\": [\n{}\n  ]\n}}\n",
        permissions.join(",\n")
    )
}

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/crates/csoc-app/src/command_names.rs");
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let capability = capability();
    // Written only when it differs, so an unchanged list does not make cargo run this again.
    if std::fs::read_to_string(CAPABILITY).ok().as_deref() != Some(capability.as_str()) {
        std::fs::write(CAPABILITY, capability).expect("the capability file is writable");
    }
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}
