//! Data meshes: AggMDS configurations generated, imported (Gen3's own sample and gen3-helm's
//! values) and written back unchanged; the field-mapping preview over the simulator's real MDS
//! records; federation entries in the shapes Gen3's files use; the mesh view with members down,
//! missing, extra or answering garbage.

use std::path::PathBuf;
use std::time::Duration;

use crate::aggmds::{
    apply_to_values, default_field_mappings, generate, parse_aggmds, to_json_pretty, AdapterConfig, AggMdsConfig,
    FieldMapping, GenerateOptions, MeshMemberSpec, SelectFieldText,
};
use crate::federation::{
    apply_fence_idp, apply_indexd_dist, apply_wts, indexd_dist, wts_external_oidc, FederationMember, HubLogin, WtsLogin,
};
use crate::mapping::{apply_mapping, preview, PreviewMember};
use crate::view::{mesh_health, HubTarget, MemberTarget};
use csoc_deploy::Severity;
use csoc_gen3::ClientOptions;
use csoc_model::error::ErrorCode;
use csoc_monitor::probe::ServiceState;
use gen3_sim::{CommonsSpec, Fault, Fleet, Service};
use serde_json::{json, Value};
use serde_yaml_ng::Value as Yaml;

fn reference() -> Option<PathBuf> {
    csoc_test_support::shared("gen3-reference")
}

fn opts() -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(4),
        ..ClientOptions::default()
    }
}

fn member(name: &str, base_url: &str) -> MeshMemberSpec {
    MeshMemberSpec {
        name: name.into(),
        base_url: base_url.into(),
        mds_url: None,
        guid_type: None,
        study_field: None,
        field_mappings: None,
        select_field: None,
        keep_original_fields: false,
    }
}

/// The names the hub lists its commons under (`/mds/aggregate/commons`), in order.
fn commons_names(cfg: &AggMdsConfig) -> Vec<String> {
    cfg.adapter_commons.iter().map(|(name, a)| a.commons_name.clone().unwrap_or_else(|| name.clone())).collect()
}

/// The AggMDS configuration gen3-helm reads from values (JSON text in `metadata.aggMdsConfig`),
/// and the namespace when one is set.
fn config_in(values: &Yaml) -> (AggMdsConfig, Option<String>) {
    let text = at(values, &["metadata", "aggMdsConfig"]).as_str().expect("the config as JSON text");
    let namespace = values["metadata"].get("aggMdsNamespace").and_then(Yaml::as_str).map(str::to_string);
    (parse_aggmds(text, "values.yaml").unwrap(), namespace)
}

fn yaml(text: &str) -> Yaml {
    serde_yaml_ng::from_str(text).unwrap()
}

fn at<'a>(v: &'a Yaml, path: &[&str]) -> &'a Yaml {
    path.iter().fold(v, |node, k| &node[*k])
}

// ---------------------------------------------------------------------------------------------
// AggMDS configuration

#[test]
fn the_upstream_sample_round_trips_unchanged_and_in_order() {
    let Some(dir) = reference() else { return };
    let text = std::fs::read_to_string(dir.join("metadata-service/sample_aggregate_mds_config.json")).unwrap();
    let cfg = parse_aggmds(&text, "sample_aggregate_mds_config.json").unwrap();
    let gen3 = &cfg.adapter_commons["Gen3"];
    assert_eq!(gen3.mds_url, "https://gen3.datacommons.io/");
    assert_eq!(gen3.keep_original_fields, Some(false));
    assert_eq!(gen3.guid_type(), "discovery_metadata");
    let mappings = gen3.field_mappings.as_ref().unwrap();
    assert_eq!(mappings["commons"], FieldMapping::Text("Gen3 Data Commons".into()));
    assert!(matches!(&mappings["study_url"], FieldMapping::Detailed(d) if d.path.as_deref() == Some("link")));

    let out = to_json_pretty(&cfg).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap(), serde_json::from_str::<Value>(&text).unwrap());
    // Key order is the author's, not alphabetical: the schema and the mappings read as written.
    let order = |s: &str, keys: &[&str]| keys.iter().map(|k| s.find(&format!("\"{k}\"")).unwrap()).collect::<Vec<_>>();
    let keys = ["_subjects_count", "__manifest", "tags", "_unique_id", "short_name", "commons_url"];
    let (a, b) = (order(&text, &keys), order(&out, &keys));
    assert!(a.windows(2).all(|w| w[0] < w[1]) && b.windows(2).all(|w| w[0] < w[1]), "{b:?}");
    let maps = ["\"tags\": \"path:tags\"", "\"study_description\": \"path:summary\"", "\"commons\": \"Gen3"];
    let pos: Vec<usize> = maps.iter().map(|m| out.find(m).unwrap()).collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn the_gen3_helm_default_values_import_as_the_same_config() {
    let Some(dir) = reference() else { return };
    let values: Yaml = yaml(&std::fs::read_to_string(dir.join("gen3-helm/metadata/values.yaml")).unwrap());
    // The chart's own values are the metadata subchart's; as the umbrella sees them they sit under
    // `metadata:`.
    let mut umbrella = serde_yaml_ng::Mapping::new();
    umbrella.insert("metadata".into(), values);
    let (cfg, namespace) = config_in(&Yaml::Mapping(umbrella));
    assert!(matches!(namespace.as_deref(), None | Some("default")), "gen3-helm's default namespace: {namespace:?}");
    let sample = std::fs::read_to_string(dir.join("metadata-service/sample_aggregate_mds_config.json")).unwrap();
    assert_eq!(cfg, parse_aggmds(&sample, "sample").unwrap());
}

#[test]
fn unknown_keys_survive_at_every_level() {
    let text = r#"{
      "configuration": {"schema": {"x": {"type": "string", "items": {"type": "string"}}},
                        "settings": {"cache_drs": false, "timestamp_entry": true},
                        "aggregations": {"_subjects_count": {"type": "number", "function": "sum"}}},
      "gen3_commons": {"Legacy": {"mds_url": "https://legacy.example.org/", "commons_url": "legacy.example.org",
                                  "columns_to_fields": {"a": "b"}}},
      "adapter_commons": {
        "Zeta": {"mds_url": "https://z.example.org/", "commons_url": "z.example.org", "adapter": "gen3",
                 "config": {"guid_type": "discovery_metadata", "batchSize": 100, "data_dict_field": "dd"},
                 "field_mappings": {"summary": {"path": "description", "filters": [], "default_value": "N/A"},
                                    "year": 2020, "sites": [], "flag": true},
                 "per_item_values": {"g1": {"authz": "/open"}}, "data_dict_field": "vlmd"},
        "Alpha": {"mds_url": "https://a.example.org/", "commons_url": "a.example.org", "adapter": "icpsr",
                  "filters": {"study_ids": [1, 2]}}
      },
      "fields": {}
    }"#;
    let cfg = parse_aggmds(text, "custom.json").unwrap();
    assert_eq!(commons_names(&cfg), ["Zeta", "Alpha"], "the file's order, not alphabetical");
    let out = to_json_pretty(&cfg).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap(), serde_json::from_str::<Value>(text).unwrap());
    assert!(out.find("\"Zeta\"").unwrap() < out.find("\"Alpha\"").unwrap());
}

#[test]
fn bad_files_are_named_with_their_line() {
    let err =
        parse_aggmds("{\n  \"adapter_commons\": {\n    \"A\": {,}\n  }\n}", "hub/aggregate_config.json").unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(err.message.starts_with("hub/aggregate_config.json, line 3,"), "{}", err.message);
    assert!(err.message.contains("not valid JSON"), "{}", err.message);

    let missing = "{\"adapter_commons\": {\n \"A\": {\"commons_url\": \"a\", \"adapter\": \"gen3\"}\n}}";
    let err = parse_aggmds(missing, "a.json").unwrap_err();
    assert!(err.message.contains("line 2") && err.message.contains("mds_url"), "{}", err.message);
    assert!(!err.message.contains(" at line "), "serde's own suffix is reworded: {}", err.message);

    let err = parse_aggmds("{\"discoveryConfig\": {}}", "gitops.json").unwrap_err();
    assert!(err.message.contains("adapter_commons"), "{}", err.message);
    let err = parse_aggmds("{\"adapter_commons\": {\"A\": ", "cut.json").unwrap_err();
    assert!(err.message.contains("ends before"), "{}", err.message);
}

#[test]
fn a_generated_config_round_trips_and_follows_the_adapter_conventions() {
    let mut beta = member("Beta Commons", "https://beta.example.org:8443");
    beta.select_field =
        Some(SelectFieldText { field_name: "data_availability".into(), field_value: "available".into() });
    beta.keep_original_fields = true;
    beta.mds_url = Some("https://mds.beta.example.org".into());
    let members = [member("Alpha", "https://alpha.example.org"), beta];
    let cfg = generate(&members, &GenerateOptions { cache_drs: true, schema: None }).unwrap();
    assert_eq!(commons_names(&cfg), ["Alpha", "Beta Commons"]);
    let alpha = &cfg.adapter_commons["Alpha"];
    assert_eq!(alpha.mds_url, "https://alpha.example.org/", "the adapter appends mds/metadata to the root");
    assert_eq!(alpha.commons_url, "alpha.example.org");
    assert_eq!(
        (alpha.adapter.as_str(), alpha.guid_type(), alpha.study_field()),
        ("gen3", "discovery_metadata", "gen3_discovery")
    );
    assert_eq!(alpha.field_mappings.as_ref().unwrap(), &default_field_mappings("Alpha"));
    let beta = &cfg.adapter_commons["Beta Commons"];
    assert_eq!(beta.mds_url, "https://mds.beta.example.org/");
    assert_eq!(beta.commons_url, "beta.example.org:8443");
    assert_eq!(beta.select_field.as_ref().unwrap().field_value, Yaml::from("available"));
    let conf = cfg.configuration.as_ref().unwrap();
    assert_eq!(conf.settings.as_ref().unwrap().cache_drs, Some(true));
    assert_eq!(conf.schema["_subjects_count"].field_type.as_deref(), Some("integer"));
    assert!(conf.schema.contains_key("full_name"), "every mapped field is in the schema");

    let text = to_json_pretty(&cfg).unwrap();
    assert_eq!(parse_aggmds(&text, "generated").unwrap(), cfg);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v["adapter_commons"]["Alpha"]["field_mappings"]["study_description"],
        json!({"path": "study_description", "filters": ["strip_html"]})
    );
    assert_eq!(v["adapter_commons"]["Alpha"]["field_mappings"]["commons"], "Alpha");

    for (bad, words) in [
        (vec![member("A", "https://a.org"), member("A", "https://b.org")], "Two members"),
        (vec![member("A", "ftp://a.org")], "not a commons URL"),
        (vec![member(" ", "https://a.org")], "needs a name"),
        (vec![], "at least one"),
    ] {
        let err = generate(&bad, &GenerateOptions::default()).unwrap_err();
        assert!(err.message.contains(words), "{}", err.message);
    }
}

#[test]
fn values_get_the_config_as_json_text_and_give_it_back() {
    let cfg = generate(&[member("Alpha", "https://alpha.example.org")], &GenerateOptions::default()).unwrap();
    let mut values = yaml(
        "global:\n  hostname: hub.example.org\nmetadata:\n  image:\n    tag: '2025.09'\nfence:\n  enabled: true\n",
    );
    let findings = apply_to_values(&mut values, &cfg, "mesh1", None).unwrap();
    assert_eq!(at(&values, &["metadata", "enabled"]), &Yaml::Bool(true));
    assert_eq!(at(&values, &["metadata", "useAggMds"]), &Yaml::Bool(true));
    assert_eq!(at(&values, &["metadata", "aggMdsNamespace"]), &Yaml::from("mesh1"));
    assert_eq!(at(&values, &["metadata", "image", "tag"]), &Yaml::from("2025.09"), "other keys stay");
    assert_eq!(at(&values, &["fence", "enabled"]), &Yaml::Bool(true));
    let text = at(&values, &["metadata", "aggMdsConfig"]).as_str().expect("gen3-helm takes the config as a string");
    assert_eq!(serde_json::from_str::<Value>(text).unwrap(), serde_json::to_value(&cfg).unwrap());
    assert_eq!(findings.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(), ["aggmds_es_endpoint"]);

    // Through YAML text and back, as the file is written and read again.
    let reread = yaml(&serde_yaml_ng::to_string(&values).unwrap());
    let (back, ns) = config_in(&reread);
    assert_eq!((back, ns), (cfg.clone(), Some("mesh1".to_string())));

    let findings = apply_to_values(&mut values, &cfg, "mesh1", Some("http://aws-es-proxy:9200")).unwrap();
    assert!(findings.is_empty(), "{findings:?}");
    assert_eq!(at(&values, &["metadata", "esEndpoint"]), &Yaml::from("http://aws-es-proxy:9200"));

    assert!(apply_to_values(&mut values, &cfg, "Mesh One", None).unwrap_err().message.contains("namespace"));
    let mut scalar = yaml("metadata: disabled\n");
    assert!(apply_to_values(&mut scalar, &cfg, "default", None).is_err(), "a scalar section is not overwritten");
}

#[test]
fn a_gen3_adapter_pointing_at_mds_is_flagged() {
    let mut cfg = generate(&[member("Alpha", "https://alpha.example.org")], &GenerateOptions::default()).unwrap();
    let alpha = cfg.adapter_commons.get_mut("Alpha").unwrap();
    alpha.mds_url = "https://alpha.example.org/mds/".into();
    alpha.select_field =
        Some(crate::aggmds::SelectField { field_name: "program".into(), field_value: Yaml::from("x") });
    let mut values = yaml("global:\n  dev: true\n");
    let codes: Vec<String> =
        apply_to_values(&mut values, &cfg, "default", None).unwrap().into_iter().map(|f| f.code).collect();
    assert_eq!(codes, ["aggmds_mds_url_path", "aggmds_select_unmapped"]);
}

// ---------------------------------------------------------------------------------------------
// mapping preview

fn adapter(mappings: Value, extra: Value) -> AdapterConfig {
    let mut v = json!({"mds_url": "https://m.example.org/", "commons_url": "m.example.org", "adapter": "gen3",
                       "field_mappings": mappings});
    v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    serde_json::from_value(v).unwrap()
}

#[test]
fn mapping_follows_the_gen3_adapter_semantics() {
    let record = json!({"_guid_type": "discovery_metadata", "gen3_discovery": {
        "project_title": "Study <i>one</i>",
        "summary": "<p>Contact pi@alpha.org for <b>data</b></p>",
        "tags": [{"name": "MRI", "category": "Data Type"}, {"name": "X", "category": "Program"}],
        "count": "42", "bad_count": "4.2", "state": "public", "authz": "/open",
        "nested": {"a": [{"b": "1"}, {"b": "2"}], "n": [1, 2]},
    }});
    let a = adapter(
        json!({
            "title": {"path": "project_title", "filters": ["strip_html", "uppercase"]},
            "description": {"path": "summary", "filters": ["strip_html", "strip_email"]},
            "tags": {"path": "tags", "filters": ["normalize_tags"],
                     "filterParams": {"normalize_tags": {"Data Type": {"MRI": "Imaging"}}}},
            "availability": {"path": "state", "filters": ["normalize_value"],
                             "filterParams": {"normalize_value": {"public": "available"}}},
            "subjects": "path:count",
            "subjects_bad": "path:bad_count",
            "bs": "path:nested.a[*].b",
            "nums": "path:nested.n[*]",
            "link": {"path": "link", "default": "unknown"},
            "absent": "path:nope",
            "short_name": "path:short",
            "commons": "Alpha Commons",
            "year": 2020,
            "info.authz": "path:authz",
            "odd": {"path": "$..b"},
            "weird": {"path": "state", "filters": ["no_such_filter"]},
        }),
        json!({"keep_original_fields": false, "per_item_values": {"g1": {"commons": "Renamed", "unmapped": 1}}}),
    );
    let schema = parse_aggmds(
        r#"{"configuration": {"schema": {"subjects": {"type": "integer"}, "subjects_bad": {"type": "integer"},
            "short_name": {"default": "not_set"}, "tags": {"type": "array"}, "bs": {}, "nums": {}}},
            "adapter_commons": {"x": {"mds_url": "u", "commons_url": "c", "adapter": "gen3"}}}"#,
        "schema",
    )
    .unwrap()
    .schema();
    let m = apply_mapping("g1", &record, &a, &schema);
    let mapped = m.mapped.clone().expect("kept");
    assert_eq!(mapped["title"], "STUDY ONE");
    assert_eq!(mapped["description"], "Contact  for data");
    assert_eq!(
        mapped["tags"],
        json!([{"name": "Imaging", "category": "Data Type"}, {"name": "X", "category": "Program"}])
    );
    assert_eq!(mapped["availability"], "available");
    assert_eq!(mapped["subjects"], 42, "the schema's integer type converts digit text");
    assert_eq!(mapped["subjects_bad"], Value::Null, "\"4.2\" is not an integer: null, as the service gives");
    assert_eq!(mapped["bs"], "12", "a list in a field the schema leaves untyped (text) is joined");
    assert_eq!(mapped["link"], "unknown");
    assert_eq!(mapped["short_name"], "not_set", "the schema's default fills a missing path");
    assert_eq!(mapped["commons"], "Renamed", "per_item_values override mapped fields");
    assert!(!mapped.contains_key("unmapped"), "but add none");
    assert_eq!(mapped["year"], 2020);
    assert_eq!(mapped["info"], json!({"authz": "/open"}), "a dotted key nests");
    assert!(!mapped.contains_key("project_title"), "original fields are dropped with keep_original_fields false");
    // In mapping order (alphabetical here: json! sorts the keys of the test's mappings).
    assert_eq!(m.missing_fields, ["absent", "odd", "subjects_bad"]);
    assert_eq!(m.defaulted_fields, ["link", "short_name"]);
    assert!(m.notes.iter().any(|n| n.contains("`odd`") && n.contains("recursive")), "{:?}", m.notes);
    assert!(m.notes.iter().any(|n| n.contains("no_such_filter")), "{:?}", m.notes);
    assert!(m.notes.iter().any(|n| n.contains("`nums`") && n.contains("non-text")), "{:?}", m.notes);
    assert_eq!(mapped["nums"], json!([1, 2]), "left as it is, with the note");

    // The service's default keeps the original fields; select_field drops what does not match.
    let keep = adapter(json!({"full_name": "path:project_title"}), json!({}));
    let kept = apply_mapping("g1", &record, &keep, &Default::default()).mapped.unwrap();
    assert_eq!(kept["full_name"], "Study <i>one</i>");
    assert_eq!(kept["state"], "public");
    let select =
        adapter(json!({"s": "path:state"}), json!({"select_field": {"field_name": "s", "field_value": "closed"}}));
    let dropped = apply_mapping("g1", &record, &select, &Default::default());
    assert!(dropped.mapped.is_none());
    assert!(dropped.excluded.as_deref().unwrap().contains("\"public\""), "{:?}", dropped.excluded);
    let no_study = apply_mapping("g2", &json!({"_guid_type": "discovery_metadata"}), &keep, &Default::default());
    assert!(no_study.excluded.unwrap().contains("gen3_discovery"));
}

fn preview_member(fleet: &Fleet, name: &str, cfg: &AggMdsConfig) -> PreviewMember {
    let mut adapter = cfg.adapter_commons[name].clone();
    adapter.mds_url = format!("{}/", fleet.base_url(name));
    PreviewMember { name: name.into(), adapter, ca_pem: None }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_preview_maps_real_records_and_isolates_failing_members() {
    let fleet = Fleet::start(vec![
        CommonsSpec::new("alpha").with_discovery_records(5),
        CommonsSpec::new("beta"),
        CommonsSpec::new("gamma"),
    ])
    .await
    .unwrap();
    let members: Vec<MeshMemberSpec> =
        ["alpha", "beta", "gamma"].iter().map(|n| member(n, &fleet.base_url(n))).collect();
    let cfg = generate(&members, &GenerateOptions::default()).unwrap();
    fleet.set_fault("beta", None, Some(Fault::Down));
    fleet.set_fault("gamma", Some(Service::Metadata), Some(Fault::Garbage));
    let ms: Vec<PreviewMember> = ["alpha", "beta", "gamma"].iter().map(|n| preview_member(&fleet, n, &cfg)).collect();
    let out = preview(&ms, &cfg.schema(), 3, &opts()).await;

    assert_eq!(out.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["alpha", "beta", "gamma"]);
    let alpha = &out[0];
    assert!(alpha.error.is_none(), "{:?}", alpha.error);
    assert_eq!(alpha.records.len(), 3, "the limit is sent and honoured");
    for r in &alpha.records {
        let m = r.mapped.as_ref().unwrap();
        let description = m["study_description"].as_str().unwrap();
        assert!(description.contains("A simulated study of") && !description.contains('<'), "{description}");
        assert_eq!(m["_unique_id"], r.guid.as_str());
        assert!(m["_subjects_count"].as_u64().unwrap() > 0);
        assert_eq!(m["commons"], "alpha");
        assert!(m["full_name"].as_str().unwrap().starts_with("alpha study"));
        assert!(r.missing_fields.is_empty(), "{:?}", r.missing_fields);
    }
    let asked: Vec<String> = fleet.requests("alpha").into_iter().map(|r| r.path).collect();
    assert!(
        asked.contains(&"/mds/metadata?data=True&_guid_type=discovery_metadata&limit=3&offset=0".to_string()),
        "{asked:?}"
    );
    assert!(alpha.url.ends_with("/mds/metadata?data=True&_guid_type=discovery_metadata&limit=3&offset=0"));

    let beta = out[1].error.as_ref().expect("a down member has its own error");
    assert_eq!(beta.code, ErrorCode::Unreachable);
    assert!(beta.message.contains("cannot be reached"), "{}", beta.message);
    assert!(out[1].records.is_empty());
    let gamma = out[2].error.as_ref().expect("garbage gives an error");
    assert_eq!(gamma.code, ErrorCode::MalformedResponse);
    assert!(gamma.message.contains("not valid JSON"), "{}", gamma.message);
    fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_upstream_sample_mapping_on_simulated_records_shows_what_is_missing() {
    let Some(dir) = reference() else { return };
    let fleet = Fleet::start(vec![CommonsSpec::new("alpha")]).await.unwrap();
    let text = std::fs::read_to_string(dir.join("metadata-service/sample_aggregate_mds_config.json")).unwrap();
    let cfg = parse_aggmds(&text, "sample").unwrap();
    let mut adapter = cfg.adapter_commons["Gen3"].clone();
    adapter.mds_url = format!("{}/", fleet.base_url("alpha"));
    let out = preview(&[PreviewMember { name: "Gen3".into(), adapter, ca_pem: None }], &cfg.schema(), 2, &opts()).await;
    let r = &out[0].records[0];
    let m = r.mapped.as_ref().unwrap();
    // The sample maps fields these records do not have: the schema's and the mapping's defaults
    // fill some, the others are reported missing.
    assert_eq!(m["short_name"], "not_set");
    assert_eq!(m["study_url"], "unknown");
    assert_eq!(m["commons"], "Gen3 Data Commons");
    assert!(r.missing_fields.contains(&"study_description".to_string()), "{:?}", r.missing_fields);
    assert!(r.missing_fields.contains(&"full_name".to_string()));
    assert_eq!(m["tags"].as_array().unwrap().len(), 2);
    fleet.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// federation

fn fed(name: &str, url: &str, prefix: Option<&str>, client: Option<&str>) -> FederationMember {
    FederationMember {
        name: name.into(),
        base_url: url.into(),
        indexd_prefix: prefix.map(str::to_string),
        wts_client_id: client.map(str::to_string),
        wts_logins: Vec::new(),
    }
}

#[test]
fn wts_entries_have_the_gen3_helm_shape_and_no_secret() {
    let mut midrc = fed("MIDRC", "https://data.midrc.org/", None, Some("wts-hub-client"));
    midrc.wts_logins = vec![
        WtsLogin { idp: "ras".into(), fence_idp: None, label: None },
        WtsLogin { idp: "fence".into(), fence_idp: Some("orcid".into()), label: Some("MIDRC via ORCID".into()) },
    ];
    let members = [midrc, fed("Alpha", "https://alpha.example.org", None, None)];
    let (entries, findings) = wts_external_oidc("https://hub.example.org", &members).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(findings.len(), 1);
    assert!(
        findings[0].message.contains("--urls https://hub.example.org/wts/oauth2/authorize"),
        "{}",
        findings[0].message
    );

    let mut values = yaml(
        "wts:\n  secrets:\n    external_oidc:\n    - base_url: https://other.example.org\n      oidc_client_id: keep\n",
    );
    let notes = apply_wts(&mut values, &entries).unwrap();
    let list = at(&values, &["wts", "secrets", "external_oidc"]).as_sequence().unwrap();
    assert_eq!(list.len(), 2, "entries for other commons are kept");
    let written: Value = serde_json::to_value(&list[1]).unwrap();
    // gen3-helm helm/wts/values.yaml: - base_url, oidc_client_id, (oidc_client_secret), login_options:
    // {<key>: {name, params: {idp}}}; WTS README adds params.fence_idp.
    assert_eq!(
        written,
        json!({"base_url": "https://data.midrc.org", "oidc_client_id": "wts-hub-client", "login_options": {
            "midrc-ras": {"name": "MIDRC NIH RAS login", "params": {"idp": "ras"}},
            "midrc-orcid": {"name": "MIDRC via ORCID", "params": {"idp": "fence", "fence_idp": "orcid"}},
        }})
    );
    assert_eq!(at(&values, &["wts", "enabled"]), &Yaml::Bool(true));
    assert!(!serde_yaml_ng::to_string(&values).unwrap().contains("client_secret"), "no secret is written");
    assert!(notes[0].message.contains("oidc_client_secret") && notes[0].message.contains("data.midrc.org"));

    // Applying again replaces the entry for the same commons instead of adding another.
    apply_wts(&mut values, &entries).unwrap();
    assert_eq!(at(&values, &["wts", "secrets", "external_oidc"]).as_sequence().unwrap().len(), 2);

    // With External Secrets the chart renders no WTS secret from the values: the entries go to the
    // secret manager, named with its keys, and nothing lands where it would do nothing.
    let mut es =
        yaml("global:\n  externalSecrets:\n    deploy: true\nwts:\n  externalSecrets:\n    wtsG3auto: hub-wts-creds\n");
    let notes = apply_wts(&mut es, &entries).unwrap();
    assert!(at(&es, &["wts", "secrets"]).is_null(), "nothing written under wts.secrets");
    let message = &notes[0].message;
    assert_eq!(notes[0].code, "wts_external_oidc_secret_manager");
    for part in ["`hub-wts-creds`", "appcreds.json", "external_oidc", "wts-hub-client", "midrc-orcid"] {
        assert!(message.contains(part), "{part} in: {message}");
    }
}

#[test]
fn a_member_logs_in_through_the_hubs_fence() {
    let login = HubLogin {
        hub_name: "BRH".into(),
        hub_base_url: "https://brh.data-commons.org".into(),
        client_id: "member-client".into(),
        fence_idp: Some("google".into()),
        make_default: true,
    };
    let mut values = yaml(
        "fence:\n  FENCE_CONFIG:\n    LOGIN_OPTIONS:\n    - name: Login from Google\n      idp: google\n    - name: Old hub\n      idp: fence\n",
    );
    let findings = apply_fence_idp(&mut values, &login).unwrap();
    let idp: Value = serde_json::to_value(at(&values, &["fence", "FENCE_CONFIG", "OPENID_CONNECT", "fence"])).unwrap();
    assert_eq!(idp["api_base_url"], "https://brh.data-commons.org/user");
    assert_eq!(idp["client_id"], "member-client");
    assert_eq!(idp["client_kwargs"], json!({"scope": "openid", "redirect_uri": "{{BASE_URL}}/login/fence/login"}));
    assert_eq!(idp["authorize_url"], "{{api_base_url}}/oauth2/authorize");
    assert!(idp.get("client_secret").is_none());
    let options: Value = serde_json::to_value(at(&values, &["fence", "FENCE_CONFIG", "LOGIN_OPTIONS"])).unwrap();
    assert_eq!(options.as_array().unwrap().len(), 2, "the old fence option is replaced, google kept");
    assert_eq!(
        options[1],
        json!({"name": "Login through BRH", "desc": "Use your BRH account", "idp": "fence", "fence_idp": "google"})
    );
    assert_eq!(at(&values, &["fence", "FENCE_CONFIG", "DEFAULT_LOGIN_IDP"]), &Yaml::from("fence"));
    assert_eq!(findings.len(), 1);
    assert!(findings[0].message.contains("fence.externalSecrets.fenceConfig"));
    let err = apply_fence_idp(&mut values, &HubLogin { client_id: " ".into(), ..login }).unwrap_err();
    assert!(err.message.contains("fence-create client-create"), "{}", err.message);

    // Against gen3-helm's documented block: every key written exists there, and the URL templates
    // are the chart's own.
    let Some(dir) = reference() else { return };
    let chart = yaml(&std::fs::read_to_string(dir.join("gen3-helm/fence/values.yaml")).unwrap());
    let reference: Value = serde_json::to_value(at(&chart, &["FENCE_CONFIG", "OPENID_CONNECT", "fence"])).unwrap();
    for (k, v) in idp.as_object().unwrap() {
        assert!(reference.get(k).is_some(), "{k} is not a key of gen3-helm's OPENID_CONNECT.fence");
        if (k.ends_with("_url") && k != "api_base_url") || k == "client_kwargs" {
            assert_eq!(&reference[k], v, "{k}");
        }
    }
    let chart_option: Value = serde_json::to_value(&at(&chart, &["FENCE_CONFIG", "LOGIN_OPTIONS"])[0]).unwrap();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert!(keys(&chart_option).iter().all(|k| options[1].get(k).is_some()), "name, desc and idp as the chart has");
}

#[test]
fn a_member_without_logins_gets_them_in_the_public_config() {
    let login = HubLogin {
        hub_name: "BRH".into(),
        hub_base_url: "https://brh.data-commons.org".into(),
        client_id: "member-client".into(),
        fence_idp: None,
        make_default: false,
    };
    for text in
        ["{}", "fence:\n  FENCE_CONFIG_PUBLIC:\n    LOGIN_OPTIONS: []\n  FENCE_CONFIG:\n    LOGIN_OPTIONS: []\n"]
    {
        let mut values = yaml(text);
        let findings = apply_fence_idp(&mut values, &login).unwrap();
        at(&values, &["fence", "FENCE_CONFIG_PUBLIC", "OPENID_CONNECT", "fence"]);
        assert_eq!(at(&values, &["fence", "FENCE_CONFIG_PUBLIC", "LOGIN_OPTIONS"]).as_sequence().unwrap().len(), 1);
        assert!(
            values.get("fence").and_then(|f| f.get("FENCE_CONFIG")).and_then(|c| c.get("OPENID_CONNECT")).is_none(),
            "nothing written into the private block: {values:?}"
        );
        let default = findings.iter().find(|f| f.code == "fence_default_idp").expect("no default login");
        assert_eq!(default.key.as_deref(), Some("fence.FENCE_CONFIG_PUBLIC.DEFAULT_LOGIN_IDP"));
    }
}

#[test]
fn dist_entries_match_the_resolvers_real_entries() {
    let members = [
        fed("MIDRC", "https://data.midrc.org", Some("dg.MD1R/"), None),
        fed("Biodata Catalyst", "https://gen3.biodatacatalyst.nhlbi.nih.gov", Some("dg.4503"), None),
        fed("No Prefix", "https://np.example.org", None, None),
    ];
    let (entries, findings) = indexd_dist(&members).unwrap();
    let as_json: Vec<Value> = entries.iter().map(|e| serde_json::to_value(e).unwrap()).collect();
    assert_eq!(
        as_json[0],
        json!({"name": "MIDRC", "host": "https://data.midrc.org/index/", "hints": [".*dg\\.MD1R.*"], "type": "indexd"})
    );
    assert_eq!(as_json[2]["hints"], json!([]));
    assert_eq!(findings.len(), 1);
    assert!(findings[0].message.contains("No Prefix"));
    assert_eq!(findings[0].severity, Severity::Warning);

    // indexd reads DIST (JSON) from its environment; Helm replaces the env list, so the chart's
    // defaults stay in it.
    let dist_of = |values: &serde_yaml_ng::Value| -> (Vec<String>, Value) {
        let env: Value = serde_json::to_value(at(values, &["indexd", "env"])).unwrap();
        let names = env.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap().to_string()).collect();
        let dist = env.as_array().unwrap().iter().find(|e| e["name"] == "DIST").expect("a DIST variable");
        (names, serde_json::from_str(dist["value"].as_str().expect("DIST is a string")).unwrap())
    };
    let mut fresh = yaml("indexd:\n  defaultPrefix: dg.HUB1/\n");
    apply_indexd_dist(&mut fresh, &entries).unwrap();
    let (names, dist) = dist_of(&fresh);
    assert_eq!(names, ["ARBORIST", "GEN3_DEBUG", "DIST"]);
    assert_eq!(dist.as_array().unwrap().len(), 3);
    assert_eq!(at(&fresh, &["indexd", "env"])[0]["value"], serde_yaml_ng::Value::from("true"));

    let old = json!([
        {"name": "Old MIDRC", "host": "https://data.midrc.org/index/", "hints": [], "type": "indexd"},
        {"name": "Other", "host": "https://o.org/index/", "hints": [], "type": "indexd"}
    ]);
    let mut values = yaml(&format!(
        "indexd:\n  env:\n  - name: ARBORIST\n    value: \"true\"\n  - name: DIST\n    value: '{old}'\n  - name: EXTRA\n    value: x\n"
    ));
    apply_indexd_dist(&mut values, &entries).unwrap();
    let (names, dist) = dist_of(&values);
    assert_eq!(names, ["ARBORIST", "DIST", "EXTRA"], "the operator's environment is kept, in its order");
    assert_eq!(dist.as_array().unwrap().len(), 4);
    assert_eq!(dist[0], as_json[0], "same host replaced in place");
    assert_eq!(dist[1]["name"], "Other");
    let mut bad = yaml("indexd:\n  env:\n  - name: DIST\n    value: not json\n");
    assert!(apply_indexd_dist(&mut bad, &entries).unwrap_err().message.contains("DIST"));

    let Some(dir) = reference() else { return };
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cdis-manifest/dataguids.org-manifest.json")).unwrap())
            .unwrap();
    let real = manifest["indexd"]["dist"].as_array().unwrap();
    for mine in &as_json[..2] {
        assert!(real.contains(mine), "{mine} is not among dataguids.org's entries");
    }
}

// ---------------------------------------------------------------------------------------------
// the mesh view

async fn mesh_fleet() -> Fleet {
    Fleet::start(vec![
        CommonsSpec::new("alpha").with_discovery_records(4),
        CommonsSpec::new("beta").with_discovery_records(2),
        CommonsSpec::new("gamma").with_discovery_records(3),
        CommonsSpec::new("hub").aggregate_of(&["alpha", "beta", "stray"]),
        CommonsSpec::new("fresh-hub").aggregate_of(&[]),
        CommonsSpec::new("big").with_discovery_records(2500),
    ])
    .await
    .unwrap()
}

fn targets(fleet: &Fleet) -> Vec<MemberTarget> {
    targets_of(fleet, &["alpha", "beta", "gamma"])
}

fn targets_of(fleet: &Fleet, names: &[&str]) -> Vec<MemberTarget> {
    names
        .iter()
        .map(|n| MemberTarget {
            commons_id: Some(format!("id-{n}")),
            name: n.to_string(),
            base_url: fleet.base_url(n),
            ca_pem: None,
            health: Some(ServiceState::Healthy),
            guid_type: None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mesh_view_flags_down_missing_extra_and_garbage_members() {
    let fleet = mesh_fleet().await;
    let configured: Vec<String> = ["alpha", "beta", "gamma"].iter().map(|s| s.to_string()).collect();
    let hub = HubTarget { base_url: fleet.base_url("hub"), ca_pem: None };
    let mut members = targets(&fleet);

    let report = mesh_health(Some(&hub), &members, &configured, &opts()).await;
    let h = report.hub.as_ref().unwrap();
    assert!(h.error.is_none(), "{:?}", h.error);
    assert_eq!(h.aggregate_enabled, Some(true));
    // The hub's terms aggregation lists the commons with most records first (stray 5, alpha 4, beta 2).
    assert_eq!(h.commons.as_deref().unwrap(), ["stray", "alpha", "beta"]);
    assert_eq!(h.missing, ["gamma"]);
    assert_eq!(h.extra, ["stray"]);
    let records: Vec<Option<u64>> = report.members.iter().map(|m| m.records).collect();
    assert_eq!(records, [Some(4), Some(2), Some(3)]);
    assert_eq!(report.members.iter().map(|m| m.in_hub).collect::<Vec<_>>(), [Some(true), Some(true), Some(false)]);
    assert!(h.total_records.unwrap() >= 6, "alpha and beta's records, plus the stray commons'");
    assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
    assert!(report.problems[0].contains("holds no records from gamma"));
    assert!(report.problems[1].contains("stray") && report.problems[1].contains("not a configured member"));

    // One member down, one answering garbage: each gets its own error, the others are read.
    fleet.set_fault("beta", None, Some(Fault::Down));
    fleet.set_fault("gamma", Some(Service::Metadata), Some(Fault::Garbage));
    members[1].health = Some(ServiceState::Down);
    let report = mesh_health(Some(&hub), &members, &configured, &opts()).await;
    let [alpha, beta, gamma] = &report.members[..] else { panic!("three members") };
    assert!(alpha.mds_reachable && alpha.error.is_none());
    assert_eq!(alpha.records, Some(4));
    assert!(!beta.mds_reachable);
    assert_eq!(beta.error.as_ref().unwrap().code, ErrorCode::Unreachable);
    assert_eq!(gamma.error.as_ref().unwrap().code, ErrorCode::MalformedResponse);
    assert!(gamma.error.as_ref().unwrap().message.contains("not valid JSON"));
    assert_eq!(beta.in_hub, Some(true), "the hub keeps what it indexed while beta is down");
    let text = report.problems.join("\n");
    assert!(text.contains("beta is down on the fleet board"), "{text}");
    assert!(text.contains("beta: its metadata service cannot be read") && text.contains("cannot be reached"), "{text}");
    assert!(text.contains("gamma: its metadata service cannot be read"), "{text}");
    fleet.shutdown().await;
}

/// The hub's commons list names only its 10 largest commons: the view asks for the others by name
/// (through what the aggregate API offers) and says when one cannot be confirmed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mesh_of_more_than_ten_members_is_not_read_from_the_hubs_list_alone() {
    let names: Vec<String> = (1..=13).map(|i| format!("m{i:02}")).collect();
    // m01..m12 are aggregated (m01 has the fewest records); m13 is configured but not at the hub.
    let aggregated: Vec<&str> = names[..12].iter().map(String::as_str).collect();
    let mut specs: Vec<CommonsSpec> =
        names.iter().enumerate().map(|(i, n)| CommonsSpec::new(n).with_discovery_records(i + 2)).collect();
    specs.push(CommonsSpec::new("hub").aggregate_of(&aggregated));
    let fleet = Fleet::start(specs).await.unwrap();
    let members = targets_of(&fleet, &names.iter().map(String::as_str).collect::<Vec<_>>());
    let hub = HubTarget { base_url: fleet.base_url("hub"), ca_pem: None };
    let report = mesh_health(Some(&hub), &members, &names, &opts()).await;
    let h = report.hub.as_ref().unwrap();
    assert_eq!(h.commons.as_ref().unwrap().len(), 10, "the hub lists its 10 largest");
    assert_eq!(h.confirmed, ["m01", "m02"], "asked for by name");
    assert_eq!(h.missing, ["m13"]);
    assert!(h.unconfirmed.is_empty() && h.extra.is_empty());
    let in_hub: Vec<Option<bool>> = report.members.iter().map(|m| m.in_hub).collect();
    assert_eq!(in_hub[..12], [Some(true); 12]);
    assert_eq!(in_hub[12], Some(false));
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(report.problems[0].contains("holds no records from m13"));
    fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_without_aggmds_or_unreachable_is_reported_in_words() {
    let fleet = mesh_fleet().await;
    let configured = vec!["alpha".to_string()];
    let members = &targets(&fleet)[..1];
    let plain = HubTarget { base_url: fleet.base_url("gamma"), ca_pem: None };
    let report = mesh_health(Some(&plain), members, &configured, &opts()).await;
    let h = report.hub.as_ref().unwrap();
    assert_eq!(h.aggregate_enabled, Some(false));
    assert!(h.commons.is_none() && h.missing.is_empty());
    assert_eq!(report.members[0].in_hub, None);
    assert!(report.problems[0].contains("without aggregate metadata"), "{:?}", report.problems);

    fleet.set_fault("hub", Some(Service::Metadata), Some(Fault::Html));
    let hub = HubTarget { base_url: fleet.base_url("hub"), ca_pem: None };
    let report = mesh_health(Some(&hub), members, &configured, &opts()).await;
    assert_eq!(report.hub.as_ref().unwrap().error.as_ref().unwrap().code, ErrorCode::NotGen3);
    assert!(report.problems[0].starts_with("The hub cannot be checked: "), "{:?}", report.problems);
    assert_eq!(report.members[0].records, Some(4), "members are still read");

    // A hub whose sync has not run yet: nothing listed, an empty index.
    let fresh = HubTarget { base_url: fleet.base_url("fresh-hub"), ca_pem: None };
    let report = mesh_health(Some(&fresh), members, &configured, &opts()).await;
    assert_eq!(report.hub.as_ref().unwrap().missing, ["alpha"]);
    assert_eq!(report.hub.as_ref().unwrap().total_records, Some(0));
    assert!(
        report.problems.iter().any(|p| p.contains("index is empty although the members publish 4")),
        "{:?}",
        report.problems
    );

    // The count stops at the query's limit and says so.
    let big = MemberTarget { name: "big".into(), base_url: fleet.base_url("big"), ..members[0].clone() };
    let report = mesh_health(None, &[big], &configured, &opts()).await;
    assert_eq!((report.members[0].records, report.members[0].records_at_least), (Some(2000), true));
    assert!(report.problems[0].contains("no hub"));
    fleet.shutdown().await;
}
