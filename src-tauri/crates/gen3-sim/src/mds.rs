//! The metadata service (`/mds/...`): discovery records, and on a mesh hub the aggregate API
//! (`/mds/aggregate/...`) over its members' records, in the shapes metadata-service 4.x answers.

use hyper::Method;
use serde_json::{json, Map, Value};

use crate::routes::{fnv, iso8601_now, mix, params, percent_decode, Reply};
use crate::server::Commons;
use crate::{CommonsSpec, FleetInner};

const MDS_VERSION: &str = "4.3.0";
/// Elasticsearch's default size, for searches and terms aggregations that set none: the hub's
/// `/aggregate/commons` names at most this many commons, `/aggregate/metadata/{name}` returns at
/// most this many records.
const ES_DEFAULT_SIZE: usize = 10;
/// The MDS query API caps `limit` at 2000.
const MAX_LIMIT: usize = 2000;
const TOPICS: [&str; 6] = [
    "COVID-19 imaging",
    "opioid use disorder",
    "pediatric cancer",
    "cardiovascular risk",
    "sleep apnea",
    "kidney function",
];
const DATA_TYPES: [&str; 4] = ["Imaging", "Genotype", "Clinical Phenotype", "RNA-Seq"];

/// The discovery records of a commons, in a stable order: `(guid, record)` as `/mds/metadata/<guid>`
/// answers, with realistic `gen3_discovery` fields (HTML and an e-mail address in the description,
/// as real studies have, for the AggMDS filters to work on).
pub(crate) fn discovery_records(spec: &CommonsSpec, host: &str) -> Vec<(String, Value)> {
    let name = spec.name.as_str();
    let h = mix(fnv(&[name, "mds"]));
    let n = spec.discovery_records.unwrap_or(3 + (h % 3) as usize);
    (0..n)
        .map(|i| {
            let study = (h >> 8) % 900_000 + 100_000 + i as u64;
            let guid = format!("phs{study:06}.v1.p1");
            let topic = TOPICS[(h as usize + i) % TOPICS.len()];
            let data_type = DATA_TYPES[(h as usize / 7 + i) % DATA_TYPES.len()];
            let number = i + 1;
            let rec = json!({
                "_guid_type": "discovery_metadata",
                "gen3_discovery": {
                    "_hub_name": name,
                    "_unique_id": guid,
                    "study_id": guid,
                    "project_title": format!("{name} study {number}: {topic}"),
                    "project_number": format!("{}-{number:03}", name.to_uppercase()),
                    "study_description": format!(
                        "<p>A simulated study of <b>{topic}</b> in {name}.</p>\
                         <p>Contact: pi{number}@{name}.example.org</p>"
                    ),
                    "authz": format!("/programs/{name}/projects/P{number}"),
                    "tags": [
                        {"name": "Simulated", "category": "Program"},
                        {"name": data_type, "category": "Data Type"},
                    ],
                    "_subjects_count": 50 + fnv(&[name, &guid]) % 5000,
                    "commons_url": host,
                    "data_availability": if number % 4 == 0 { "pending" } else { "available" },
                }
            });
            (guid, rec)
        })
        .collect()
}

fn host_of(base_url: &str) -> &str {
    base_url.split_once("://").map_or(base_url, |(_, rest)| rest)
}

fn is_true(v: Option<&String>) -> bool {
    v.is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "on"))
}

fn not_found_detail(message: String) -> Reply {
    Reply::json(404, &json!({"detail": {"message": message, "code": 404}}))
}

pub(crate) fn route(fleet: &FleetInner, c: &Commons, method: &Method, path: &str, query: &str) -> Reply {
    let get = method == Method::GET || method == Method::HEAD;
    let hub = c.spec.aggregates.is_some();
    if path.starts_with("/mds/aggregate/") && hub {
        if !get {
            return Reply::json(405, &json!({"detail": "Method Not Allowed"}));
        }
        return aggregate(fleet, c, &path["/mds/aggregate".len()..], query);
    }
    match path {
        "/mds/_status" if get => {
            Reply::json(200, &json!({"status": "OK", "timestamp": iso8601_now(), "aggregate_metadata_enabled": hub}))
        }
        "/mds/version" if get => Reply::json(200, &json!(MDS_VERSION)),
        "/mds/_status" | "/mds/version" => Reply::json(405, &json!({"detail": "Method Not Allowed"})),
        "/mds/metadata" | "/mds/metadata/" if get => query_records(c, query),
        _ if path.starts_with("/mds/metadata") && !get => Reply::json(403, &json!({"detail": "Forbidden"})),
        _ if path.starts_with("/mds/metadata/") => {
            let guid = percent_decode(&path["/mds/metadata/".len()..], false);
            match discovery_records(&c.spec, host_of(&c.base_url)).into_iter().find(|(g, _)| *g == guid) {
                Some((_, r)) => Reply::json(200, &r),
                None => Reply::json(404, &json!({"detail": format!("Not found: {guid}")})),
            }
        }
        _ => Reply::json(404, &json!({"detail": "Not Found"})),
    }
}

/// `GET /mds/metadata`: GUIDs, or GUID → record with `data=true`, filtered by `_guid_type`.
fn query_records(c: &Commons, query: &str) -> Reply {
    let ps = params(query);
    let get_p = |n: &str| ps.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let data = is_true(get_p("data").as_ref());
    let limit = get_p("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(10).min(MAX_LIMIT);
    let offset = get_p("offset").and_then(|l| l.parse::<usize>().ok()).unwrap_or(0);
    let guid_type = get_p("_guid_type");
    let recs = discovery_records(&c.spec, host_of(&c.base_url))
        .into_iter()
        .filter(|(_, r)| guid_type.as_deref().is_none_or(|t| r.get("_guid_type").and_then(Value::as_str) == Some(t)))
        .skip(offset)
        .take(limit);
    if data {
        Reply::json(200, &Value::Object(recs.collect()))
    } else {
        Reply::json(200, &Value::Array(recs.map(|(g, _)| json!(g)).collect()))
    }
}

/// One member of a hub's aggregate: its name, its `commons_url`, and its records as the hub
/// stores them (the `gen3_discovery` object with `commons_name` added).
struct Aggregated {
    name: String,
    commons_url: String,
    records: Vec<(String, Value)>,
}

fn aggregated(fleet: &FleetInner, hub: &Commons) -> Vec<Aggregated> {
    let names = hub.spec.aggregates.clone().unwrap_or_default();
    names
        .into_iter()
        .map(|name| {
            let (spec, host) = match fleet.commons.get(&name) {
                Some(m) => (m.spec.clone(), host_of(&m.base_url).to_string()),
                None => (CommonsSpec::new(&name), format!("{name}.example.org")),
            };
            let records = discovery_records(&spec, &host)
                .into_iter()
                .map(|(guid, rec)| {
                    let mut study = rec.get("gen3_discovery").cloned().unwrap_or_else(|| json!({}));
                    if let Some(o) = study.as_object_mut() {
                        o.insert("commons_name".into(), json!(name));
                    }
                    (guid, study)
                })
                .collect();
            Aggregated { name, commons_url: host, records }
        })
        // The hub lists a commons only once it holds records from it (an Elasticsearch terms
        // aggregation over `commons_name`).
        .filter(|a| !a.records.is_empty())
        .collect()
}

/// Replaces the listed fields by their length (arrays, objects) or 0 (null), as `counts=` does.
fn reduce_counts(mut study: Value, counts: &[String]) -> Value {
    if let Some(o) = study.as_object_mut() {
        for field in counts {
            let Some(v) = o.get_mut(field) else { continue };
            let count = match v {
                Value::Array(a) => a.len(),
                Value::Object(m) => m.len(),
                Value::Null => 0,
                _ => continue,
            };
            *v = json!(count);
        }
    }
    study
}

fn aggregate(fleet: &FleetInner, hub: &Commons, sub: &str, query: &str) -> Reply {
    let members = aggregated(fleet, hub);
    let ps = params(query);
    let get_p = |n: &str| ps.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    match sub {
        "/commons" => {
            // An Elasticsearch terms aggregation with the default size: the 10 commons with the
            // most records, most first.
            let mut by_count: Vec<&Aggregated> = members.iter().collect();
            by_count.sort_by(|a, b| b.records.len().cmp(&a.records.len()).then_with(|| a.name.cmp(&b.name)));
            let names: Vec<&String> = by_count.into_iter().take(ES_DEFAULT_SIZE).map(|m| &m.name).collect();
            Reply::json(200, &json!({"commons": names}))
        }
        "/metadata" => {
            let limit = get_p("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(20);
            let offset = get_p("offset").and_then(|l| l.parse::<usize>().ok()).unwrap_or(0);
            let counts: Vec<String> = get_p("counts")
                .map(|c| c.split(',').filter(|f| !f.is_empty()).map(str::to_string).collect())
                .unwrap_or_default();
            let all: Vec<(&str, &String, &Value)> =
                members.iter().flat_map(|m| m.records.iter().map(move |(g, r)| (m.name.as_str(), g, r))).collect();
            let hits = all.len();
            let page = all.into_iter().skip(offset).take(limit);
            let entry =
                |g: &String, r: &Value| json!({ g.as_str(): {"gen3_discovery": reduce_counts(r.clone(), &counts)} });
            let results = if is_true(get_p("flatten").as_ref()) {
                Value::Array(page.map(|(_, g, r)| entry(g, r)).collect())
            } else {
                let mut by_commons = Map::new();
                for (name, g, r) in page {
                    if let Value::Array(list) =
                        by_commons.entry(name.to_string()).or_insert_with(|| Value::Array(Vec::new()))
                    {
                        list.push(entry(g, r));
                    }
                }
                Value::Object(by_commons)
            };
            if is_true(get_p("pagination").as_ref()) {
                let pages = if limit == 0 { 0 } else { hits.div_ceil(limit) };
                Reply::json(
                    200,
                    &json!({"results": results,
                            "pagination": {"hits": hits, "offset": offset, "pageSize": limit, "pages": pages}}),
                )
            } else {
                Reply::json(200, &results)
            }
        }
        "/tags" => {
            let mut tags: Map<String, Value> = Map::new();
            for (_, r) in members.iter().flat_map(|m| m.records.iter()) {
                for t in r.get("tags").and_then(Value::as_array).into_iter().flatten() {
                    let (Some(cat), Some(name)) =
                        (t.get("category").and_then(Value::as_str), t.get("name").and_then(Value::as_str))
                    else {
                        continue;
                    };
                    let slot = tags.entry(cat.to_string()).or_insert_with(|| json!({"total": 0, "names": [{}]}));
                    slot["total"] = json!(slot["total"].as_u64().unwrap_or(0) + 1);
                    let count = slot["names"][0][name].as_u64().unwrap_or(0) + 1;
                    slot["names"][0][name] = json!(count);
                }
            }
            Reply::json(200, &Value::Object(tags))
        }
        "/info/schema" => Reply::json(
            200,
            &json!({
                "_subjects_count": {"type": "integer", "description": ""},
                "tags": {"type": "array", "description": ""},
                "study_description": {"type": "string", "description": ""},
                "commons_name": {"type": "string", "description": ""},
            }),
        ),
        _ if sub.starts_with("/info/") => {
            let what = percent_decode(&sub["/info/".len()..], false);
            match members.iter().find(|m| m.name == what) {
                Some(m) => Reply::json(200, &json!({"commons_url": m.commons_url})),
                None => not_found_detail(format!("information for {what} not found")),
            }
        }
        _ if sub.starts_with("/metadata/guid/") => {
            let guid = percent_decode(&sub["/metadata/guid/".len()..], false);
            match members.iter().flat_map(|m| m.records.iter()).find(|(g, _)| *g == guid) {
                Some((_, r)) => Reply::json(200, &json!({"gen3_discovery": r})),
                None => not_found_detail(format!("no entry exists with the given guid: {guid}")),
            }
        }
        _ if sub.starts_with("/metadata/") => {
            let rest = percent_decode(&sub["/metadata/".len()..], false);
            let (name, info) = match rest.strip_suffix("/info") {
                Some(n) => (n.to_string(), true),
                None => (rest, false),
            };
            match members.iter().find(|m| m.name == name) {
                Some(m) if info => Reply::json(200, &json!({"commons_url": m.commons_url})),
                // A search without `size`: Elasticsearch returns its default 10 hits.
                Some(m) => Reply::json(
                    200,
                    &Value::Array(
                        m.records.iter().take(ES_DEFAULT_SIZE).map(|(_, r)| json!({"gen3_discovery": r})).collect(),
                    ),
                ),
                None => not_found_detail(format!("no common exists with the given: {name}")),
            }
        }
        _ => Reply::json(404, &json!({"detail": "Not Found"})),
    }
}
