//! What an import says when it cannot (or can only partly) do what was asked: a values file that
//! is no Gen3 values file, a hostname that is no commons hostname, and a commons kept in the
//! inventory whose draft could not be saved. Kept apart from `import.rs` so the rules and words
//! are in one place.

use serde_yaml_ng::Value;

use crate::catalog;
use crate::import::{ImportKind, ImportedCommons};
use csoc_model::display_text::shown;
use csoc_model::error::{CoreError, CoreResult};
use csoc_model::model::Commons;

/// A Helm values file for Gen3 sets `global` or a subchart of the umbrella chart at its top level.
/// Anything else (a password file, a kubeconfig, another chart's values) is refused by name.
pub(crate) fn require_gen3_values(values: &Value, file: &str) -> CoreResult<()> {
    let Value::Mapping(map) = values else { return Ok(()) };
    let keys: Vec<&str> = map.keys().filter_map(Value::as_str).collect();
    if keys.iter().any(|k| *k == "global" || catalog::service(k).is_some()) {
        return Ok(());
    }
    let listed: Vec<String> = keys.iter().take(3).map(|k| format!("“{}”", shown(k, 40))).collect();
    Err(CoreError::invalid(format!(
        "{} is not a Gen3 Helm values file: none of its top-level keys{} is `global` or a Gen3 service. Pick the \
         commons' values.yaml (or its gitops folder).",
        shown(file, 300),
        if listed.is_empty() { String::new() } else { format!(" ({})", listed.join(", ")) }
    )))
}

/// Why a file that describes a commons names no hostname the inventory can hold, when that is
/// the reason nothing was added (an empty hostname is a template, which is no error).
pub fn hostname_problem(imported: &ImportedCommons) -> Option<CoreError> {
    let commons_kind =
        matches!(imported.kind, ImportKind::GitopsFolder | ImportKind::ValuesFile | ImportKind::Manifest);
    let host = imported.answers.identity.hostname.trim();
    if !commons_kind || host.is_empty() {
        return None;
    }
    let why = csoc_model::validate::normalize_base_url(host).err()?;
    Some(CoreError::invalid(format!(
        "The hostname “{}” (global.hostname) is not a commons hostname: {why} Nothing was added to the inventory; \
         set global.hostname to the commons' plain hostname (data.example.org) and import again.",
        shown(host, 200)
    )))
}

/// The commons was added (or updated) but its draft could not be saved: say what was kept.
pub fn kept_without_draft(commons: &Commons, err: CoreError) -> CoreError {
    CoreError::new(
        err.code,
        format!(
            "{} ({}) was added to the inventory and is kept there, but its wizard draft was not saved: {}",
            shown(&commons.draft.name, 100),
            commons.draft.base_url,
            err.message
        ),
    )
}
