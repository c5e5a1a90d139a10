//! A commons as gen3-gitops holds it: `<cluster>/<hostname>/` with `Chart.yaml`, an empty
//! `values.yaml`, `templates/app.yaml` (an Argo CD Application that deploys gen3-helm with this
//! folder's value files) and `values/values.yaml` plus optional split files (`fence.yaml`, ...);
//! and the cluster-level `<cluster>/cluster-values/cluster-values.yaml`.
//!
//! Import keeps every key, including the ones not modelled here, so rendering an imported commons
//! gives back the same values; a field changed in the model is written into the document it came
//! from. YAML comments are not kept (see [`crate::yaml`]).
//!
//! The rooms: [`folder`] reads and renders a commons folder, [`argo_app`] and [`chart`] its two
//! Kubernetes-facing files, [`cluster_values`] the cluster file, [`detect`] what an import path is.

mod argo_app;
mod chart;
mod cluster_values;
mod detect;
mod folder;

pub(crate) use argo_app::{argo_app_yaml, ArgoApp};
pub(crate) use chart::ChartMeta;
pub use cluster_values::{ClusterAddon, ClusterValues};
pub(crate) use detect::{detect, ImportSource};
pub(crate) use folder::GitopsCommons;
pub use folder::ValuesFile;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_yaml_ng::{Mapping, Value};
use ts_rs::TS;

use super::answers::SourceFile;
use super::yaml::{
    get_path, merge_value_files, parse_values_lenient, parse_yaml, parse_yaml_mapping, read_config_file,
    require_mapping, scalar_text, to_yaml,
};
use super::{Finding, GeneratedFile, Severity};
use csoc_model::error::{CoreError, CoreResult};

fn text_at(doc: &Value, dotted: &str) -> String {
    get_path(doc, dotted).and_then(scalar_text).unwrap_or_default()
}

fn key(name: &str) -> Value {
    Value::String(name.to_string())
}

fn string(text: &str) -> Value {
    Value::String(text.to_string())
}

fn mapping(entries: Vec<(&str, Value)>) -> Value {
    Value::Mapping(entries.into_iter().map(|(k, v)| (key(k), v)).collect())
}

/// The mapping at `name` inside `map`, created (or made a mapping) if it is not one.
fn child_map<'a>(map: &'a mut Mapping, name: &str) -> &'a mut Mapping {
    let entry = map.entry(key(name)).or_insert(Value::Null);
    if !entry.is_mapping() {
        *entry = Value::Mapping(Mapping::new());
    }
    match entry {
        Value::Mapping(inner) => inner,
        _ => unreachable!("the entry was made a mapping just above"),
    }
}

/// The mapping at a path of keys, created on the way.
fn map_at<'a>(map: &'a mut Mapping, path: &[&str]) -> &'a mut Mapping {
    path.iter().fold(map, |current, name| child_map(current, name))
}

/// Writes `value` at `path` (the last element is the key) when `changed`, keeping the key's place.
fn put(map: &mut Mapping, path: &[&str], value: Value, changed: bool) {
    if !changed {
        return;
    }
    if let Some((last, parents)) = path.split_last() {
        map_at(map, parents).insert(key(last), value);
    }
}

/// A value-file name that stays inside `values/`: no separators, not hidden, `.yaml`/`.yml`.
fn is_plain_yaml_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\'])
        && (name.ends_with(".yaml") || name.ends_with(".yml"))
}
