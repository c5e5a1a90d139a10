//! The simulator's edge is gen3-helm's revproxy: its route table is the chart's own (checked
//! against `../shared/gen3-helm` when that folder is present), and both flavours of revproxy answer
//! for down, undeployed and authz-protected services as the real ones do (GEN3.md section 2b).

use std::time::Duration;

use gen3_sim::edge::Edge;
use gen3_sim::{CommonsSpec, Fault, Fleet, MintOptions, Service};
use serde_json::Value;

/// What revproxy's `@5xx` location answers for a service that fails (gen3-helm's nginx.conf).
const SERVICE_FAILURE_BODY: &str = "{ \"error\": \"service failure - try again later\"}";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

async fn get(url: String, token: Option<&str>) -> (u16, String, String) {
    let mut req = client().get(url);
    if let Some(t) = token {
        req = req.header("authorization", format!("bearer {t}"));
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let location = r.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let body = r.text().await.unwrap();
    (status, location, body)
}

async fn access_token(fleet: &Fleet, name: &str) -> String {
    let creds = fleet.mint_credentials(name, MintOptions::default());
    let r = client()
        .post(format!("{}/user/credentials/api/access_token", fleet.base_url(name)))
        .json(&creds)
        .send()
        .await
        .unwrap();
    r.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
}

const SMALL: &[Service] = &[Service::Revproxy, Service::Fence, Service::Indexd, Service::Metadata, Service::Portal];

#[tokio::test]
async fn helm_answers_service_failure_for_down_and_undeployed_alike() {
    let spec = CommonsSpec { services: SMALL.to_vec(), ..CommonsSpec::new("helm") };
    let fleet = Fleet::start(vec![spec]).await.unwrap();
    let b = fleet.base_url("helm");
    for p in ["/manifests/_status", "/guppy/_status", "/api/_status", "/wts/_status", "/ai/embeddings/_status"] {
        assert_eq!(get(format!("{b}{p}"), None).await, (500, String::new(), SERVICE_FAILURE_BODY.into()), "{p}");
    }
    fleet.set_fault("helm", Some(Service::Metadata), Some(Fault::Down));
    assert_eq!(get(format!("{b}/mds/_status"), None).await.2, SERVICE_FAILURE_BODY, "a deployed service down");
    fleet.set_fault("helm", Some(Service::Metadata), Some(Fault::Status500));
    assert_eq!(get(format!("{b}/mds/_status"), None).await.2, SERVICE_FAILURE_BODY, "its own 500 is hidden too");
    fleet.set_fault("helm", Some(Service::Metadata), None);
    assert_eq!(get(format!("{b}/mds/_status"), None).await.0, 200);
    let (s, _, body) = get(format!("{b}/canary"), None).await;
    assert_eq!((s, body.as_str()), (200, "<html><body>You are running the Helm version of this commons</body></html>"));
    let (s, _, body) = get(format!("{b}/some/portal/page"), None).await;
    assert!(s == 200 && body.contains("<div id=\"root\">"), "the portal at the root: {s} {body}");
    fleet.shutdown().await;
}

#[tokio::test]
async fn authz_routes_refuse_anonymous_probes_even_when_undeployed() {
    let spec = CommonsSpec { services: SMALL.to_vec(), ..CommonsSpec::new("small") };
    let fleet = Fleet::start(vec![CommonsSpec::new("full"), spec]).await.unwrap();
    for name in ["full", "small"] {
        let b = fleet.base_url(name);
        assert_eq!(get(format!("{b}/lw-workspace/_status"), None).await.0, 401, "{name}: hatchery");
        let (s, location, _) = get(format!("{b}/job/_status"), None).await;
        assert_eq!((s, location), (302, format!("{b}/no-workspace-access")), "{name}: sower's error_page 401");
    }
    let token = access_token(&fleet, "full").await;
    let b = fleet.base_url("full");
    assert_eq!(get(format!("{b}/lw-workspace/_status"), Some(&token)).await.2, "Healthy", "with a token");
    assert_eq!(get(format!("{b}/job/_status"), Some(&token)).await.2, "Healthy");
    let token = access_token(&fleet, "small").await;
    let b = fleet.base_url("small");
    assert_eq!(get(format!("{b}/lw-workspace/_status"), Some(&token)).await.2, SERVICE_FAILURE_BODY);
    fleet.shutdown().await;
}

#[tokio::test]
async fn cloud_automation_falls_through_to_the_portal() {
    let spec = CommonsSpec { services: SMALL.to_vec(), edge: Edge::CloudAutomation, ..CommonsSpec::new("legacy") };
    let fleet = Fleet::start(vec![spec]).await.unwrap();
    let b = fleet.base_url("legacy");
    for p in ["/manifests/_status", "/guppy/_status", "/canary", "/wts/_status"] {
        let (s, _, body) = get(format!("{b}{p}"), None).await;
        assert!(s == 200 && body.contains("<div id=\"root\">"), "{p}: {s} {body}");
    }
    assert_eq!(get(format!("{b}/index/_status"), None).await.2, "Healthy");
    fleet.set_fault("legacy", Some(Service::Indexd), Some(Fault::Down));
    let (s, _, body) = get(format!("{b}/index/_status"), None).await;
    assert!(s == 502 && body.contains("502 Bad Gateway"), "no intercept on the legacy revproxy: {s}");
    fleet.shutdown().await;
}

#[tokio::test]
async fn service_bodies_are_upstream_shapes() {
    let fleet = Fleet::start(vec![CommonsSpec::new("a")]).await.unwrap();
    let b = fleet.base_url("a");
    for p in ["/audit", "/requestor", "/workflows"] {
        let (s, _, body) = get(format!("{b}{p}/_status"), None).await;
        assert_eq!(
            (s, serde_json::from_str::<Value>(&body).unwrap()),
            (200, serde_json::json!({"status": "OK"})),
            "{p}"
        );
        let v: Value = serde_json::from_str(&get(format!("{b}{p}/_version"), None).await.2).unwrap();
        assert_eq!(v.as_object().unwrap().keys().collect::<Vec<_>>(), ["version"], "{p}");
    }
    let udl: Value = serde_json::from_str(&get(format!("{b}/library/_status"), None).await.2).unwrap();
    assert!(udl["status"] == "OK" && udl["timestamp"].is_string());
    assert_eq!(get(format!("{b}/manifests/_version"), None).await.0, 404, "manifestservice has no _version");
    let drs: Value = serde_json::from_str(&get(format!("{b}/ga4gh/drs/v1/service-info"), None).await.2).unwrap();
    let mut keys: Vec<&String> = drs.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["drs", "id", "maxBulkRequestLength", "name", "organization", "type", "version"]);
    fleet.shutdown().await;
}

#[tokio::test]
async fn a_key_in_its_last_hour_is_refused_with_fences_400() {
    let fleet = Fleet::start(vec![CommonsSpec::new("a")]).await.unwrap();
    let creds = fleet.mint_credentials("a", MintOptions { expires_in_secs: 1800, ..Default::default() });
    let r = client()
        .post(format!("{}/user/credentials/api/access_token", fleet.base_url("a")))
        .json(&creds)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Cannot issue an access token that would expire after the provided API key does"));
    let r = client()
        .post(format!("{}/user/credentials/api/access_token?expires_in=600", fleet.base_url("a")))
        .json(&creds)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "a shorter token still fits");
    fleet.shutdown().await;
}
