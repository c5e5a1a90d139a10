//! The keys, types and defaults of gen3-helm's values, derived from the chart itself: the umbrella
//! `gen3/values.yaml`, every subchart's `values.yaml`, and every `.Values.global.*` path the
//! templates read (some globals are read but have no default, such as `global.aws.account`).
//!
//! The derived model ships as `chart_values.json` beside this file, so the app needs no chart at
//! run time; `cargo run -p csoc-deploy --example chart-model -- <gen3-helm>/helm` writes it again
//! when gen3-helm changes, and a test fails when the shipped copy differs from the chart in
//! `../shared/gen3-helm`. Where our own checks and the chart disagree, this is what wins.
//!
//! A node is either a leaf type (`"bool"`, `"str"`, `"int"`, `"float"`, `"list"`, `"map"` for an
//! empty map, `"any"` for a null default or a path only the templates name) or an object of
//! child nodes.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value as J};
use serde_yaml_ng::Value;

use super::catalog;
use super::yaml::{parse_values_lenient, read_config_file};
use csoc_model::error::CoreResult;

/// How deep the model goes: deeper settings are free-form configuration (FENCE_CONFIG's
/// sub-blocks, hatchery's container specs) that the services check themselves.
const MAX_DEPTH: usize = 4;

/// The shipped model.
pub(crate) const SHIPPED: &str = include_str!("chart_values.json");

/// Derives the model from a gen3-helm `helm/` folder.
pub fn derive(helm_dir: &Path) -> CoreResult<J> {
    let umbrella = read_values(&helm_dir.join("gen3/values.yaml"))?;
    let mut global = J::Object(Map::new());
    let mut charts = BTreeMap::new();
    let mut other_top = BTreeMap::new();
    for (key, value) in umbrella.as_mapping().into_iter().flatten() {
        let Some(key) = key.as_str() else { continue };
        if key == "global" {
            merge(&mut global, &node(value, 1));
        } else if catalog::service(key).is_none() {
            other_top.insert(key.to_string(), node(value, 1));
        }
    }
    for info in catalog::services() {
        let mut chart = J::Object(Map::new());
        let file = helm_dir.join(info.name).join("values.yaml");
        if file.is_file() {
            let values = read_values(&file)?;
            for (key, value) in values.as_mapping().into_iter().flatten() {
                match key.as_str() {
                    Some("global") => merge(&mut global, &node(value, 1)),
                    Some(k) => insert(&mut chart, k, node(value, 1)),
                    None => {}
                }
            }
        }
        if let Some(over) = umbrella.get(info.name) {
            merge(&mut chart, &node(over, 0));
        }
        charts.insert(info.name.to_string(), chart);
    }
    for path in global_paths_read(helm_dir) {
        add_path(&mut global, &path);
    }
    let mut out = Map::new();
    out.insert("global".into(), global);
    out.insert("charts".into(), J::Object(charts.into_iter().collect()));
    out.insert("top".into(), J::Object(other_top.into_iter().collect()));
    Ok(J::Object(out))
}

fn read_values(path: &Path) -> CoreResult<Value> {
    let text = read_config_file(path)?;
    Ok(parse_values_lenient(&text, &path.display().to_string())?.0)
}

fn node(value: &Value, depth: usize) -> J {
    match value {
        Value::Null => J::from("any"),
        Value::Bool(_) => J::from("bool"),
        Value::Number(n) if n.is_f64() => J::from("float"),
        Value::Number(_) => J::from("int"),
        Value::String(_) => J::from("str"),
        Value::Sequence(_) => J::from("list"),
        Value::Mapping(m) if m.is_empty() || depth >= MAX_DEPTH => J::from("map"),
        Value::Mapping(m) => {
            J::Object(m.iter().filter_map(|(k, v)| Some((k.as_str()?.to_string(), node(v, depth + 1)))).collect())
        }
        Value::Tagged(t) => node(&t.value, depth),
    }
}

fn insert(into: &mut J, key: &str, value: J) {
    if let J::Object(map) = into {
        match map.get_mut(key) {
            Some(existing) => merge(existing, &value),
            None => {
                map.insert(key.to_string(), value);
            }
        }
    }
}

/// Puts `over` into `base`: maps merge; a leaf that is `any` takes the other side's type.
fn merge(base: &mut J, over: &J) {
    match (base, over) {
        (J::Object(b), J::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (base @ J::String(_), over) if base.as_str() == Some("any") || over.is_object() => *base = over.clone(),
        _ => {}
    }
}

fn add_path(tree: &mut J, path: &[String]) {
    let Some((first, rest)) = path.split_first() else { return };
    let J::Object(map) = tree else { return };
    let child = map.entry(first.clone()).or_insert_with(|| J::from(if rest.is_empty() { "any" } else { "" }));
    if rest.is_empty() {
        return;
    }
    if child.as_str().is_some_and(|s| s.is_empty() || s == "any") {
        *child = J::Object(Map::new());
    }
    if child.is_object() {
        add_path(child, rest);
    }
}

/// Every `.Values.global.a.b` path the chart's templates read, up to [`MAX_DEPTH`] keys.
fn global_paths_read(helm_dir: &Path) -> Vec<Vec<String>> {
    let mut out = std::collections::BTreeSet::new();
    let charts = std::iter::once("gen3").chain(catalog::services().iter().map(|s| s.name));
    let mut stack: Vec<_> = charts.map(|c| helm_dir.join(c)).filter(|d| d.is_dir()).collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() && name != "charts" && name != "_stubs" {
                stack.push(path);
            } else if dir.file_name().is_some_and(|d| d == "templates")
                && (name.ends_with(".yaml") || name.ends_with(".tpl") || name.ends_with(".txt"))
            {
                let text = read_config_file(&path).unwrap_or_default();
                for (i, _) in text.match_indices("Values.global.") {
                    let rest = &text[i + "Values.global.".len()..];
                    let dotted: String =
                        rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.').collect();
                    let keys: Vec<String> = dotted
                        .split('.')
                        .take_while(|k| !k.is_empty())
                        .take(MAX_DEPTH - 1)
                        .map(str::to_string)
                        .collect();
                    if !keys.is_empty() {
                        out.insert(keys);
                    }
                }
            }
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_values_model_is_the_one_the_chart_gives() {
        let Some(helm_dir) = csoc_test_support::shared("gen3-helm/helm") else { return };
        let derived = derive(&helm_dir).unwrap();
        let shipped: serde_json::Value = serde_json::from_str(SHIPPED).unwrap();
        assert!(
            derived == shipped,
            "src/deploy/chart_values.json is stale: run `cargo run -p csoc-deploy --example chart-model -- \
             ../shared/gen3-helm/helm > src-tauri/crates/csoc-deploy/src/chart_values.json`"
        );
        // What real commons rely on: the chart's own types, not a hand-typed model.
        assert_eq!(derived["charts"]["frontend-framework"]["env"].is_object(), true, "frontend-framework.env is a map");
        assert_eq!(derived["charts"]["metadata"]["useAggMds"], "bool");
    }
}
