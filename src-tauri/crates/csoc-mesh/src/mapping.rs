//! The field-mapping preview: what the hub's gen3 adapter makes of a member's discovery records
//! (metadata-service `RemoteMetadataAdapter.mapFields`, `Gen3Adapter`, `filter_entries`), applied
//! to a few real records fetched from each member.

use std::sync::Arc;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

use super::aggmds::{AdapterConfig, FieldMapping, Json, SchemaField};
use super::jsonpath::{self, Found};
use csoc_gen3::{ClientOptions, Gen3Client};
use csoc_model::error::{CoreError, ErrorCode};

/// The most records a preview fetches per member.
pub(crate) const MAX_PREVIEW_RECORDS: u32 = 50;

/// One record as the hub would store it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MappedRecord {
    pub guid: String,
    /// The hub's `gen3_discovery` object; null when the hub would leave the record out.
    #[ts(type = "Record<string, unknown> | null")]
    pub mapped: Option<IndexMap<String, Value>>,
    /// Why the hub would leave the record out.
    pub excluded: Option<String>,
    /// Mapped fields whose path finds no value and that have no default (null at the hub).
    pub missing_fields: Vec<String>,
    /// Mapped fields whose path finds no value, given their default.
    pub defaulted_fields: Vec<String>,
    /// What the preview could not reproduce exactly, or what the hub would log, in words.
    pub notes: Vec<String>,
}

fn to_json(v: &Json) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Maps one record (`{"_guid_type": ..., "<study_field>": {...}}`) with this adapter's settings
/// and the configuration's schema.
pub(crate) fn apply_mapping(
    guid: &str,
    record: &Value,
    adapter: &AdapterConfig,
    schema: &IndexMap<String, SchemaField>,
) -> MappedRecord {
    let mut out = MappedRecord {
        guid: guid.to_string(),
        mapped: None,
        excluded: None,
        missing_fields: Vec::new(),
        defaulted_fields: Vec::new(),
        notes: Vec::new(),
    };
    let study_field = adapter.study_field();
    let Some(item) = record.get(study_field).and_then(Value::as_object) else {
        out.excluded = Some(format!("The record has no `{study_field}` object, so the hub skips it."));
        return out;
    };
    let mut result: IndexMap<String, Value> = match &adapter.field_mappings {
        None => item.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        Some(mappings) => {
            let item = Value::Object(item.clone());
            let mapped = map_fields(&item, mappings, adapter, schema, &mut out);
            if adapter.keep_original_fields.unwrap_or(true) {
                let mut all: IndexMap<String, Value> =
                    item.as_object().into_iter().flatten().map(|(k, v)| (k.clone(), v.clone())).collect();
                all.extend(mapped);
                all
            } else {
                mapped
            }
        }
    };
    if let Some(overrides) = adapter.per_item_values.as_ref().and_then(|p| p.get(guid)) {
        for (k, v) in overrides {
            // The service only overrides fields the mapped record already has.
            if let Some(slot) = result.get_mut(k) {
                *slot = to_json(v);
            }
        }
    }
    if let Some(select) = &adapter.select_field {
        let wanted = to_json(&select.field_value);
        match result.get(&select.field_name) {
            Some(v) if *v == wanted => {}
            found => {
                let found = found.map_or_else(|| "absent".to_string(), |v| format!("{v}"));
                out.excluded = Some(format!(
                    "select_field keeps records whose `{}` is {wanted}; this one's is {found}, so the hub leaves it out.",
                    select.field_name
                ));
                return out;
            }
        }
    }
    out.mapped = Some(result);
    out
}

fn map_fields(
    item: &Value,
    mappings: &IndexMap<String, FieldMapping>,
    adapter: &AdapterConfig,
    schema: &IndexMap<String, SchemaField>,
    out: &mut MappedRecord,
) -> IndexMap<String, Value> {
    let mut results: IndexMap<String, Value> = IndexMap::new();
    for (key, mapping) in mappings {
        let schema_field = schema.get(key);
        let schema_default = schema_field.and_then(|f| f.default.as_ref()).map(to_json);
        let (mut value, default, path_result) = match mapping {
            FieldMapping::Detailed(d) => {
                let default = d.default.as_ref().map(to_json).or(schema_default);
                let found = d.path.as_deref().map_or(Found::Nothing, |p| jsonpath::find(p, item));
                let mut value = resolved(key, found.clone(), &default, out);
                for filter in d.filters.iter().flatten() {
                    let params = d.filter_params.as_ref().and_then(|p| p.get(filter)).map(to_json);
                    value = apply_filter(key, filter, value, params.as_ref(), out);
                }
                (value, default, Some(found))
            }
            FieldMapping::Text(t) if t.contains("path:") => {
                // The service takes what follows the first "path:" (up to any second one).
                let expression = t.split("path:").nth(1).unwrap_or_default();
                let found = jsonpath::find(expression, item);
                (resolved(key, found.clone(), &schema_default, out), schema_default, Some(found))
            }
            FieldMapping::Text(t) => (Value::String(t.clone()), None, None),
            FieldMapping::Literal(l) => (to_json(l), None, None),
        };
        for filter in adapter.global_field_filters.iter().flatten() {
            value = apply_filter(key, filter, value, None, out);
        }
        if let Some(field) = schema_field {
            value = normalize_to_schema(key, value, field.field_type.as_deref().unwrap_or("string"), out);
        }
        let path_gave_nothing = matches!(path_result, Some(Found::Nothing | Found::Value(Value::Null)));
        if value.is_null() {
            match default {
                Some(d) => value = d,
                None if path_result.is_some() => out.missing_fields.push(key.clone()),
                None => {}
            }
        }
        if path_gave_nothing && !value.is_null() {
            out.defaulted_fields.push(key.clone());
        }
        insert_at(&mut results, key, value, out);
    }
    results
}

/// The value a path gives, or its default when it finds nothing (as `get_json_path_value`).
fn resolved(key: &str, found: Found, default: &Option<Value>, out: &mut MappedRecord) -> Value {
    match found {
        Found::Value(v) => v,
        Found::Nothing => default.clone().unwrap_or(Value::Null),
        Found::Unsupported(why) => {
            out.notes.push(format!("`{key}`: {why}; the hub evaluates it with jsonpath_ng."));
            default.clone().unwrap_or(Value::Null)
        }
    }
}

/// Sets a mapped field; a dotted key creates nested objects, as `update_or_create` does.
fn insert_at(results: &mut IndexMap<String, Value>, key: &str, value: Value, out: &mut MappedRecord) {
    let parts: Vec<&str> = key.split('.').collect();
    let simple = |p: &str| !p.is_empty() && !p.contains(['[', ']', '*', '$', '\'', '"']);
    if parts.len() == 1 || !parts.iter().all(|p| simple(p)) {
        if parts.len() > 1 {
            out.notes.push(format!("`{key}` is a JSONPath key the preview stores as a plain name."));
        }
        results.insert(key.to_string(), value);
        return;
    }
    let mut node = results.entry(parts[0].to_string()).or_insert(Value::Null);
    for part in &parts[1..] {
        node = child(node, part);
    }
    *node = value;
}

/// The member `part` of `node`, which becomes an object first if it is not one.
fn child<'a>(node: &'a mut Value, part: &str) -> &'a mut Value {
    if !node.is_object() {
        *node = json!({});
    }
    match node {
        Value::Object(o) => o.entry(part.to_string()).or_insert(Value::Null),
        other => other,
    }
}

/// The service's `FieldDefinition.normalize_value`: converts a value to the schema's type when it
/// knows how, and gives null when the conversion fails.
fn normalize_to_schema(key: &str, value: Value, to: &str, out: &mut MappedRecord) -> Value {
    let from = match &value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "float",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    if from == to {
        return value;
    }
    match (from, to, value) {
        ("string", "number", Value::String(s)) => s.trim().parse::<f64>().ok().map_or(Value::Null, |f| json!(f)),
        ("string", "integer", Value::String(s)) => {
            // Python's str.isnumeric(): digits only, so "-3" and "1.5" fail.
            if !s.is_empty() && s.chars().all(char::is_numeric) {
                s.parse::<u64>().map_or(Value::Null, |n| json!(n))
            } else {
                Value::Null
            }
        }
        ("string", "object", Value::String(s)) => serde_json::from_str(&s).unwrap_or(Value::Null),
        ("string", "array", Value::String(s)) => {
            if s.is_empty() {
                json!([])
            } else {
                json!([s])
            }
        }
        ("object", "array", v) => json!([v]),
        ("array", "string", Value::Array(items)) => {
            let texts: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
            match texts {
                Some(texts) => Value::String(texts.concat()),
                None => {
                    out.notes.push(format!(
                        "`{key}` is a list of non-text values in a field the schema types as text: the hub's \
                         conversion fails on it and loading this commons stops. Type the field as an array in the schema."
                    ));
                    Value::Array(items)
                }
            }
        }
        (_, _, v) => v,
    }
}

/// One of the service's `FieldFilters`. Filters skip values that are not text (as the service's
/// filters do since they check their input type).
fn apply_filter(key: &str, name: &str, value: Value, params: Option<&Value>, out: &mut MappedRecord) -> Value {
    let text = |f: fn(&str) -> String, v: Value| match v {
        Value::String(s) => Value::String(f(&s)),
        other => other,
    };
    match name {
        "strip_html" => text(strip_html, value),
        "strip_email" => text(strip_email, value),
        "add_icpsr_source_url" => text(|s| format!("https://www.icpsr.umich.edu/web/NAHDAP/studies/{s}"), value),
        "add_clinical_trials_source_url" => text(|s| format!("https://clinicaltrials.gov/ct2/show/{s}"), value),
        "uppercase" => text(str::to_uppercase, value),
        "prepare_cidc_description" => {
            text(|s| s.replace(['\t', '\n'], "").replace("&nbsp;", " ").replace("&thinsp;", " "), value)
        }
        "aggregate_pdc_file_count" => match value {
            Value::Array(items) => json!(items.iter().filter_map(|x| x.get("files_count")?.as_i64()).sum::<i64>()),
            Value::Null => json!(0),
            other => other,
        },
        "normalize_value" => match (value, params.and_then(Value::as_object)) {
            (Value::String(s), Some(map)) => map.get(&s).cloned().unwrap_or(Value::String(s)),
            (v, _) => v,
        },
        "normalize_tags" => match (value, params.and_then(Value::as_object)) {
            (Value::Array(tags), Some(map)) => Value::Array(
                tags.into_iter()
                    .map(|mut tag| {
                        let new = tag
                            .get("category")
                            .and_then(Value::as_str)
                            .zip(tag.get("name").and_then(Value::as_str))
                            .and_then(|(cat, name)| map.get(cat)?.get(name).cloned());
                        if let (Some(new), Some(o)) = (new, tag.as_object_mut()) {
                            o.insert("name".into(), new);
                        }
                        tag
                    })
                    .collect(),
            ),
            (v, _) => v,
        },
        _ => {
            out.notes.push(format!(
                "`{key}`: the metadata service has no filter “{name}”; it logs a warning and keeps the value."
            ));
            value
        }
    }
}

/// Removes HTML tags, keeping their text (bleach `clean(tags=[], strip=True)`), and escapes what
/// is left of markup characters as bleach does.
fn strip_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(['<', '>', '&']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let next = tail[1..].chars().next();
        if tail.starts_with('<') && next.is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?')) {
            match tail.find('>') {
                Some(end) => {
                    rest = &tail[end + 1..];
                    continue;
                }
                None => {
                    rest = "";
                    continue;
                }
            }
        }
        let entity = tail[1..]
            .find(';')
            .filter(|&end| end > 0 && tail[1..=end].chars().all(|c| c.is_ascii_alphanumeric() || c == '#'));
        out.push_str(match &tail[..1] {
            "<" => "&lt;",
            ">" => "&gt;",
            _ if entity.is_some() => "&",
            _ => "&amp;",
        });
        rest = &tail[1..];
    }
    out.push_str(rest);
    out
}

/// Removes e-mail addresses (the service's pattern `[\w.+-]+@[\w-]+\.[\w.-]+`).
fn strip_email(s: &str) -> String {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut found: Vec<&str> = Vec::new();
    let mut last_end = 0;
    for (i, &(at, c)) in chars.iter().enumerate() {
        if c != '@' || at < last_end {
            continue;
        }
        let start = chars[..i]
            .iter()
            .rev()
            .take_while(|(p, c)| *p >= last_end && (word(*c) || matches!(c, '.' | '+' | '-')))
            .last()
            .map(|(p, _)| *p);
        let domain = chars[i + 1..].iter().take_while(|(_, c)| word(*c) || *c == '-').count();
        let dot = i + 1 + domain;
        let tld = chars
            .get(dot + 1..)
            .map_or(0, |t| t.iter().take_while(|(_, c)| word(*c) || matches!(c, '.' | '-')).count());
        if let (Some(start), true, true) =
            (start, domain > 0, chars.get(dot).is_some_and(|(_, c)| *c == '.') && tld > 0)
        {
            let end = chars.get(dot + 1 + tld).map_or(s.len(), |(p, _)| *p);
            found.push(&s[start..end]);
            last_end = end;
        }
    }
    found.into_iter().fold(s.to_string(), |acc, m| acc.replace(m, ""))
}

/// A member to preview: its name and its adapter entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PreviewMember {
    pub name: String,
    pub adapter: AdapterConfig,
    /// A private CA (PEM) the member's certificate chains to.
    #[serde(default)]
    pub ca_pem: Option<String>,
}

/// A member's preview: its mapped records, or why none could be read.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MemberPreview {
    pub name: String,
    /// The request the hub's gen3 adapter would make, as fetched.
    pub url: String,
    pub records: Vec<MappedRecord>,
    pub error: Option<CoreError>,
}

/// The metadata path the gen3 adapter reads (`Gen3Adapter.getRemoteDataAsJson`).
fn metadata_path(adapter: &AdapterConfig, limit: u32) -> String {
    let mut path = format!("/mds/metadata?data=True&_guid_type={}&limit={limit}&offset=0", adapter.guid_type());
    let setting = |k: &str| adapter.config.as_ref().and_then(|c| c.extra.get(k)).and_then(Json::as_str);
    if let Some(filters) = setting("filters").filter(|f| !f.is_empty()) {
        path.push('&');
        path.push_str(filters);
    }
    if let (Some(name), Some(value)) = (setting("field_name"), setting("field_value")) {
        path.push_str(&format!("&{}.{name}={value}", adapter.guid_type()));
    }
    path
}

/// Fetches up to `limit` records from each member (concurrently) and maps them; a member that
/// cannot be read gets its own error while the others are previewed.
pub async fn preview(
    members: &[PreviewMember],
    schema: &IndexMap<String, SchemaField>,
    limit: u32,
    opts: &ClientOptions,
) -> Vec<MemberPreview> {
    let limit = limit.clamp(1, MAX_PREVIEW_RECORDS);
    let schema = Arc::new(schema.clone());
    let mut tasks = tokio::task::JoinSet::new();
    for (i, m) in members.iter().enumerate() {
        let (m, schema, mut opts) = (m.clone(), schema.clone(), opts.clone());
        if m.ca_pem.is_some() {
            opts.extra_ca_pem = m.ca_pem.clone();
        }
        tasks.spawn(async move { (i, preview_one(m, &schema, limit, opts).await) });
    }
    let mut out: Vec<Option<MemberPreview>> = vec![None; members.len()];
    while let Some(joined) = tasks.join_next().await {
        if let Ok((i, p)) = joined {
            out[i] = Some(p);
        }
    }
    out.into_iter()
        .zip(members)
        .map(|(p, m)| {
            p.unwrap_or_else(|| MemberPreview {
                name: m.name.clone(),
                url: m.adapter.mds_url.clone(),
                records: Vec::new(),
                error: Some(CoreError::new(
                    ErrorCode::Unreachable,
                    "The preview of this member stopped unexpectedly (details are in the log file).",
                )),
            })
        })
        .collect()
}

async fn preview_one(
    m: PreviewMember,
    schema: &IndexMap<String, SchemaField>,
    limit: u32,
    opts: ClientOptions,
) -> MemberPreview {
    let path = metadata_path(&m.adapter, limit);
    let base = m.adapter.mds_url.trim().trim_end_matches('/').to_string();
    let mut result =
        MemberPreview { name: m.name.clone(), url: format!("{base}{path}"), records: Vec::new(), error: None };
    if m.adapter.adapter != "gen3" {
        result.error = Some(CoreError::invalid(format!(
            "“{}” uses the {} adapter; the preview reads Gen3 metadata services (adapter gen3) only.",
            m.name, m.adapter.adapter
        )));
        return result;
    }
    let client = match url::Url::parse(&base).ok().filter(|u| matches!(u.scheme(), "http" | "https")) {
        Some(_) => Gen3Client::new(&base, None, opts),
        None => Err(CoreError::invalid(format!(
            "The MDS URL of “{}”, “{}”, is not an http(s) URL.",
            m.name, m.adapter.mds_url
        ))),
    };
    let body = match client {
        Ok(c) => c.get_json(&path, false).await,
        Err(e) => Err(e),
    };
    match body {
        Ok(Value::Object(records)) => {
            result.records = records
                .iter()
                .take(limit as usize)
                .map(|(guid, rec)| apply_mapping(guid, rec, &m.adapter, schema))
                .collect();
        }
        Ok(other) => {
            let what = match other {
                Value::Array(_) => "a list",
                Value::String(_) => "a text",
                _ => "a single value",
            };
            result.error = Some(CoreError::new(
                ErrorCode::MalformedResponse,
                format!(
                    "The metadata service of “{}” answered with {what} where it returns an object of GUIDs and \
                     records; the hub's gen3 adapter could not load it either.",
                    m.name
                ),
            ));
        }
        Err(e) => result.error = Some(e),
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_html_keeps_text_and_escapes_leftovers() {
        assert_eq!(strip_html("<p>A <b>bold</b> study.</p><br/>"), "A bold study.");
        assert_eq!(strip_html("AT&T &amp; 3 < 4 > 2 <!-- c -->x"), "AT&amp;T &amp; 3 &lt; 4 &gt; 2 x");
    }

    #[test]
    fn strip_email_removes_addresses_only() {
        assert_eq!(strip_email("Contact: pi1@alpha.example.org today"), "Contact:  today");
        assert_eq!(strip_email("a@b@c.d and x.y+z@mail-host.co.uk."), "a@ and ");
        assert_eq!(strip_email("no address @ here, nor a@b"), "no address @ here, nor a@b");
    }
}
