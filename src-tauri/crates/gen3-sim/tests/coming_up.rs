//! A commons that is starting comes up service by service: nginx's 502 for revproxy and 503 for
//! the services at first, then revproxy, then each deployed service in order, never early.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use gen3_sim::{CommonsSpec, Fleet, Service};

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(10)).build().unwrap()
}

async fn status(base: &str, path: &str) -> u16 {
    client().get(format!("{base}{path}")).send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn services_come_up_one_by_one_in_order() {
    let spec = CommonsSpec {
        services: vec![Service::Revproxy, Service::Fence, Service::Indexd],
        ..CommonsSpec::new("booting")
    };
    let fleet = Fleet::start(vec![spec, CommonsSpec::new("steady")]).await.unwrap();
    let base = fleet.base_url("booting");
    let step = Duration::from_millis(500);
    let started = Instant::now();
    fleet.coming_up("booting", step);

    let page = client().get(format!("{base}/_status")).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 502);
    assert!(page.text().await.unwrap().contains("502 Bad Gateway"), "nginx's page");
    assert_eq!(status(&base, "/user/_status").await, 503);
    assert_eq!(status(&base, "/index/_status").await, 503);
    assert_eq!(status(&base, "/canary").await, 502);
    assert!(started.elapsed() < step, "the first checks must run before revproxy is due");
    assert_eq!(status(&fleet.base_url("steady"), "/user/_status").await, 200, "other commons are not affected");

    let routes = ["/_status", "/user/_status", "/index/_status"];
    let mut up_at: [Option<Duration>; 3] = [None; 3];
    while up_at.iter().any(Option::is_none) && started.elapsed() < Duration::from_secs(10) {
        for (i, path) in routes.iter().enumerate() {
            if up_at[i].is_none() {
                let before = started.elapsed();
                if status(&base, path).await == 200 {
                    up_at[i] = Some(before);
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    let up_at: Vec<Duration> = up_at.iter().map(|t| t.expect("every service comes up")).collect();
    // A request sent before a service's time can never find it up.
    assert!(up_at[0] + Duration::from_millis(60) >= step, "revproxy up too early: {up_at:?}");
    assert!(up_at[1] + Duration::from_millis(60) >= step * 2, "fence up too early: {up_at:?}");
    assert!(up_at[2] + Duration::from_millis(60) >= step * 3, "indexd up too early: {up_at:?}");
    assert!(up_at[0] < up_at[1] && up_at[1] < up_at[2], "in order: {up_at:?}");
    assert_eq!(
        status(&base, "/mds/_status").await,
        500,
        "a service not deployed answers gen3-helm's 500 intercept once revproxy is up"
    );
    fleet.shutdown().await;
}

#[test]
fn the_binary_starts_every_commons_booting() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gen3-sim"))
        .args(["--fleet", "2", "--coming-up-ms", "60000", "--out"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready");
    let fleet: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("fleet.json")).unwrap()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    for c in fleet.as_array().unwrap() {
        let base = c["base_url"].as_str().unwrap();
        assert_eq!(rt.block_on(status(base, "/_status")), 502, "{base}");
        assert_eq!(rt.block_on(status(base, "/user/_status")), 503, "{base}");
    }
    child.kill().unwrap();
    child.wait().unwrap();
}
