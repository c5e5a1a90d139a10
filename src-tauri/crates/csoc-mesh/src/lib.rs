//! Data meshes: the hub's aggregate metadata (AggMDS) configuration, the federation entries that
//! join member commons (WTS external_oidc, Fence as IdP, indexd dist), the mapping preview over
//! members' real metadata, and the mesh view.

pub mod aggmds;
pub mod cli;
pub mod federation;
mod jsonpath;
pub mod mapping;
pub mod view;
pub mod wizard;

use serde_yaml_ng::{Mapping, Value};

use csoc_model::error::{CoreError, CoreResult};

/// The value at a dotted key path of a values document, if every step exists.
fn get_path<'a>(values: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(values, |node, key| node.as_mapping()?.get(*key))
}

/// The section (mapping) at `path`, created with its parents where absent or null. A step that
/// holds something else (a string, a list) is an error: overwriting it would lose the operator's
/// value without a word.
fn section_mut<'a>(values: &'a mut Value, path: &[&str]) -> CoreResult<&'a mut Mapping> {
    if values.is_null() {
        *values = Value::Mapping(Mapping::new());
    }
    let mut node = values;
    for (depth, key) in path.iter().enumerate() {
        let map = node.as_mapping_mut().ok_or_else(|| not_a_section(&path[..depth]))?;
        node = map.entry(Value::from(*key)).or_insert(Value::Null);
        if node.is_null() {
            *node = Value::Mapping(Mapping::new());
        }
    }
    node.as_mapping_mut().ok_or_else(|| not_a_section(path))
}

fn not_a_section(path: &[&str]) -> CoreError {
    let key = if path.is_empty() { "the document".to_string() } else { format!("`{}`", path.join(".")) };
    CoreError::invalid(format!(
        "In the values file, {key} holds a single value or a list where gen3-helm expects a section of keys. \
         Fix that key by hand first, so that nothing the operator wrote is overwritten."
    ))
}

/// Sets `key` in the section at `path` (created as needed).
fn set_path(values: &mut Value, path: &[&str], key: &str, value: Value) -> CoreResult<()> {
    section_mut(values, path)?.insert(Value::from(key), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    // Generation, import, mapping, federation and the view, through this crate's inner steps.
    mod mesh;
    // Commons and mesh hubs rendered by the real gen3-helm chart.
    mod deploy_rendered;

    use super::*;

    #[test]
    fn sections_are_created_and_scalars_are_not_overwritten() {
        let mut v: Value = serde_yaml_ng::from_str("global:\n  dev: true\nmetadata: ~\nwts: off\n").unwrap();
        set_path(&mut v, &["metadata"], "useAggMds", Value::Bool(true)).unwrap();
        set_path(&mut v, &["fence", "FENCE_CONFIG", "OPENID_CONNECT"], "x", Value::from(1)).unwrap();
        assert_eq!(get_path(&v, &["metadata", "useAggMds"]), Some(&Value::Bool(true)));
        assert_eq!(get_path(&v, &["fence", "FENCE_CONFIG", "OPENID_CONNECT", "x"]), Some(&Value::from(1)));
        assert_eq!(get_path(&v, &["global", "dev"]), Some(&Value::Bool(true)));
        let err = set_path(&mut v, &["wts", "secrets"], "external_oidc", Value::Null).unwrap_err();
        assert!(err.message.contains("`wts`"), "{}", err.message);
        assert_eq!(get_path(&v, &["wts"]), Some(&Value::from("off")), "the scalar is left as it was");
        let mut scalar = Value::from("text");
        assert!(set_path(&mut scalar, &["a"], "b", Value::Null).unwrap_err().message.contains("the document"));
    }
}
