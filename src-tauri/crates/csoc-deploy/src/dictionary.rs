//! The wizard's dictionary URL check: fetch it and make sure it is a Gen3 data dictionary (the
//! `schema.json` form sheepdog serves: one entry per node file, with `_definitions.yaml`,
//! `_terms.yaml` and the `program` and `project` nodes), before a commons is launched on it.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use csoc_gen3::{ClientOptions, Gen3Client};
use csoc_model::error::{CoreError, CoreResult, ErrorCode};

/// Real dictionaries run to a few MB; the cap keeps a wrong URL from filling memory.
const MAX_DICTIONARY_BYTES: usize = 32 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DictionaryCheck {
    pub url: String,
    /// Node schemas (entries other than the `_`-prefixed helper files and the metaschema).
    pub node_count: u32,
    /// Node ids, sorted, for the operator to recognise the dictionary.
    pub nodes: Vec<String>,
}

/// Checks a parsed body: the reason it is not a Gen3 dictionary, or the summary.
fn inspect(url: &str, body: &serde_json::Value) -> CoreResult<DictionaryCheck> {
    let not_dictionary =
        |why: &str| CoreError::new(ErrorCode::NotGen3, format!("{url} is not a Gen3 data dictionary: {why}."));
    let map = body.as_object().ok_or_else(|| not_dictionary("it is not a JSON object of node schemas"))?;
    for helper in ["_definitions.yaml", "_terms.yaml"] {
        if !map.contains_key(helper) {
            return Err(not_dictionary(&format!("it has no {helper}")));
        }
    }
    let mut nodes = Vec::new();
    // `metaschema.yaml` describes the node files themselves; it is not a node.
    for (file, schema) in map.iter().filter(|(k, _)| !k.starts_with('_') && *k != "metaschema.yaml") {
        let id = schema.get("id").and_then(|v| v.as_str());
        let category = schema.get("category").and_then(|v| v.as_str());
        match (id, category) {
            (Some(id), Some(_)) => nodes.push(id.to_string()),
            _ => return Err(not_dictionary(&format!("{file} has no node id or category"))),
        }
    }
    for required in ["program", "project"] {
        if !nodes.iter().any(|n| n == required) {
            return Err(not_dictionary(&format!("it has no {required} node, which every Gen3 dictionary starts from")));
        }
    }
    nodes.sort();
    Ok(DictionaryCheck { url: url.to_string(), node_count: nodes.len() as u32, nodes })
}

/// Fetches `url` and checks it.
pub async fn check_dictionary(url: &str) -> CoreResult<DictionaryCheck> {
    let parsed = url::Url::parse(url.trim()).map_err(|_| {
        CoreError::invalid(format!("\"{url}\" is not a URL: enter the https:// address of schema.json."))
    })?;
    if !crate::path_grants::require_https(&parsed) {
        return Err(CoreError::invalid(format!(
            "\"{url}\" is not an https:// URL; the dictionary is fetched over https only."
        )));
    }
    let origin = parsed.origin().ascii_serialization();
    let path = &parsed[url::Position::BeforePath..];
    let opts = ClientOptions {
        max_body_bytes: MAX_DICTIONARY_BYTES,
        request_timeout: Duration::from_secs(30),
        ..ClientOptions::default()
    };
    let client = Gen3Client::new(&origin, None, opts)?;
    let body = client.get_json(path, false).await?;
    inspect(url.trim(), &body)
}
