//! Renders the TypeScript bindings the UI imports (`ui/src/lib/backend/bindings.ts`). The test
//! below fails when the committed file differs; `UPDATE_BINDINGS=1 cargo test -p csoc-app
//! bindings` rewrites it.

use crate::api::{command_specs, declarations, event_specs};

pub fn render() -> String {
    let mut out = String::from(
        "// Generated from the Rust types in src-tauri/crates/csoc-app (api.rs). Do not edit by hand:\n\
         // run `UPDATE_BINDINGS=1 cargo test -p csoc-app bindings` after changing them.\n\n",
    );
    for decl in declarations() {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out.push_str("/** Each command's request (passed as `request`) and response. */\nexport type Commands = {\n");
    for c in command_specs() {
        out.push_str(&format!("  {}: {{ request: {}; response: {} }};\n", c.name, c.request, c.response));
    }
    out.push_str("};\n\nexport type CommandName = keyof Commands;\n\n");
    out.push_str("/** Events the backend emits, by name, with their payloads. */\nexport type Events = {\n");
    for e in event_specs() {
        out.push_str(&format!("  \"{}\": {};\n", e.name, e.payload));
    }
    out.push_str("};\n");
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn committed_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../ui/src/lib/backend/bindings.ts")
    }

    #[test]
    fn bindings_are_current() {
        let fresh = render();
        let path = committed_path();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/src/lib/backend/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p csoc-app bindings` and commit it"
        );
    }
}
