//! The simulated metadata service: discovery records as a Gen3 commons publishes them, and a mesh
//! hub's aggregate API (metadata-service `src/mds/agg_mds/query.py` shapes), faults included.

use std::time::Duration;

use gen3_sim::{CommonsSpec, Fault, Fleet, Service};
use serde_json::{json, Value};

async fn get(url: String) -> (u16, Value) {
    let r = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(10)).build().unwrap().get(url);
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    let body = r.bytes().await.unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

async fn mesh() -> Fleet {
    Fleet::start(vec![
        CommonsSpec::new("alpha").with_discovery_records(7),
        CommonsSpec::new("beta").with_discovery_records(2),
        CommonsSpec::new("empty").with_discovery_records(0),
        CommonsSpec::new("hub").aggregate_of(&["alpha", "beta", "empty", "outside"]),
    ])
    .await
    .unwrap()
}

#[tokio::test]
async fn discovery_records_have_the_fields_real_studies_have_and_page() {
    let fleet = mesh().await;
    let a = fleet.base_url("alpha");
    let (s, all) = get(format!("{a}/mds/metadata?data=True&_guid_type=discovery_metadata&limit=100")).await;
    assert_eq!(s, 200);
    let all = all.as_object().unwrap();
    assert_eq!(all.len(), 7, "the spec sets the number of records");
    for (guid, r) in all {
        let d = &r["gen3_discovery"];
        assert_eq!(d["_unique_id"], guid.as_str());
        assert_eq!(d["_hub_name"], "alpha");
        assert!(d["study_description"].as_str().unwrap().contains("<b>"), "descriptions carry HTML");
        assert!(d["study_description"].as_str().unwrap().contains("@alpha.example.org"));
        assert!(d["authz"].as_str().unwrap().starts_with("/programs/alpha/"));
        assert_eq!(d["commons_url"], a.trim_start_matches("http://"));
        assert!(d["tags"].as_array().unwrap().iter().all(|t| t["name"].is_string() && t["category"].is_string()));
    }
    // limit and offset page through the same order; without data=true, GUIDs only.
    let (_, first) = get(format!("{a}/mds/metadata?data=true&_guid_type=discovery_metadata&limit=3&offset=0")).await;
    let (_, rest) = get(format!("{a}/mds/metadata?_guid_type=discovery_metadata&limit=10&offset=3")).await;
    let mut guids: Vec<String> = first.as_object().unwrap().keys().cloned().collect();
    guids.extend(rest.as_array().unwrap().iter().map(|g| g.as_str().unwrap().to_string()));
    guids.sort();
    let mut expected: Vec<String> = all.keys().cloned().collect();
    expected.sort();
    assert_eq!(guids, expected);
    let (_, none) = get(format!("{}/mds/metadata?data=true", fleet.base_url("empty"))).await;
    assert_eq!(none, json!({}));
    fleet.shutdown().await;
}

#[tokio::test]
async fn a_hub_serves_the_aggregate_api_over_its_members() {
    let fleet = mesh().await;
    let hub = fleet.base_url("hub");
    let (_, status) = get(format!("{hub}/mds/_status")).await;
    assert_eq!(status["aggregate_metadata_enabled"], true);
    let (_, status) = get(format!("{}/mds/_status", fleet.base_url("alpha"))).await;
    assert_eq!(status["aggregate_metadata_enabled"], false);
    let (s, _) = get(format!("{}/mds/aggregate/commons", fleet.base_url("alpha"))).await;
    assert_eq!(s, 404, "a commons without AggMDS has no aggregate routes");

    // A member with no records is not listed (the hub indexed nothing from it); an external
    // commons the fleet does not run still has records of its own.
    let (s, commons) = get(format!("{hub}/mds/aggregate/commons")).await;
    assert_eq!(s, 200);
    // Most records first (alpha 7, outside 3 to 5, beta 2), as the terms aggregation orders them.
    assert_eq!(commons, json!({"commons": ["alpha", "outside", "beta"]}));

    let (_, page) = get(format!("{hub}/mds/aggregate/metadata?limit=8&offset=0&pagination=true")).await;
    let total = page["pagination"]["hits"].as_u64().unwrap();
    let outside = get(format!("{hub}/mds/aggregate/metadata/outside")).await.1.as_array().unwrap().len() as u64;
    assert_eq!(total, 7 + 2 + outside);
    assert_eq!(page["pagination"]["pages"], total.div_ceil(8));
    let results = page["results"].as_object().unwrap();
    assert_eq!(results["alpha"].as_array().unwrap().len(), 7);
    assert_eq!(results["beta"].as_array().unwrap().len(), 1, "the page ends after 8 records");
    let first = results["alpha"][0].as_object().unwrap();
    let (guid, rec) = first.iter().next().unwrap();
    assert_eq!(rec["gen3_discovery"]["commons_name"], "alpha");

    let (_, flat) = get(format!("{hub}/mds/aggregate/metadata?limit=100&flatten=true&counts=tags")).await;
    let flat = flat.as_array().unwrap();
    assert_eq!(flat.len() as u64, total);
    assert_eq!(flat[0][guid.as_str()]["gen3_discovery"]["tags"], 2, "counts= replaces a list by its length");

    let (_, by_guid) = get(format!("{hub}/mds/aggregate/metadata/guid/{guid}")).await;
    assert_eq!(by_guid["gen3_discovery"]["_unique_id"], guid.as_str());
    let (_, info) = get(format!("{hub}/mds/aggregate/info/alpha")).await;
    assert_eq!(info["commons_url"], fleet.base_url("alpha").trim_start_matches("http://"));
    let (_, info2) = get(format!("{hub}/mds/aggregate/metadata/alpha/info")).await;
    assert_eq!(info, info2);
    let (s, missing) = get(format!("{hub}/mds/aggregate/metadata/nobody")).await;
    assert_eq!(s, 404);
    assert_eq!(missing["detail"]["message"], "no common exists with the given: nobody");
    let (_, tags) = get(format!("{hub}/mds/aggregate/tags")).await;
    assert_eq!(tags["Program"]["total"].as_u64(), Some(total));
    fleet.shutdown().await;
}

#[tokio::test]
async fn metadata_faults_apply_to_the_aggregate_routes() {
    let fleet = mesh().await;
    let hub = fleet.base_url("hub");
    fleet.set_fault("hub", Some(Service::Metadata), Some(Fault::Garbage));
    let r = reqwest::Client::new().get(format!("{hub}/mds/aggregate/commons")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(serde_json::from_slice::<Value>(&r.bytes().await.unwrap()).is_err());
    fleet.set_fault("hub", Some(Service::Metadata), Some(Fault::Down));
    assert_eq!(get(format!("{hub}/mds/aggregate/metadata")).await.0, 500, "gen3-helm's intercept");
    fleet.set_fault("hub", Some(Service::Metadata), None);
    assert_eq!(get(format!("{hub}/mds/aggregate/commons")).await.0, 200);
    // A member that goes down keeps its records at the hub (they were indexed earlier).
    fleet.set_fault("alpha", None, Some(Fault::Down));
    let (_, commons) = get(format!("{hub}/mds/aggregate/commons")).await;
    assert!(commons["commons"].as_array().unwrap().contains(&json!("alpha")));
    fleet.shutdown().await;
}

#[tokio::test]
async fn the_aggregate_lists_at_most_ten_commons() {
    let members: Vec<String> = (0..12).map(|i| format!("m{i:02}")).collect();
    let refs: Vec<&str> = members.iter().map(String::as_str).collect();
    let mut specs: Vec<CommonsSpec> =
        members.iter().enumerate().map(|(i, m)| CommonsSpec::new(m).with_discovery_records(i + 1)).collect();
    specs.push(CommonsSpec::new("hub").aggregate_of(&refs));
    let fleet = Fleet::start(specs).await.unwrap();
    let (_, commons) = get(format!("{}/mds/aggregate/commons", fleet.base_url("hub"))).await;
    let listed: Vec<&str> = commons["commons"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(listed, ["m11", "m10", "m09", "m08", "m07", "m06", "m05", "m04", "m03", "m02"], "the 10 largest");
    let (_, all) = get(format!("{}/mds/aggregate/metadata?limit=1000", fleet.base_url("hub"))).await;
    assert_eq!(all.as_object().unwrap().len(), 12, "the records of all 12 are still served");
    // Asked by name, a commons' records come from a search without `size`: 10 at most.
    let by_name = |m: &str| {
        let url = format!("{}/mds/aggregate/metadata/{m}", fleet.base_url("hub"));
        async move { get(url).await.1.as_array().unwrap().len() }
    };
    assert_eq!((by_name("m00").await, by_name("m09").await, by_name("m11").await), (1, 10, 10));
    fleet.shutdown().await;
}
