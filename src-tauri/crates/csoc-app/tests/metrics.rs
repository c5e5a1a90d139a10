//! `serve --metrics` against the Gen3 fleet simulator: the exposition passes Debian's
//! `promtool check metrics`, and a real Prometheus scraping it on loopback answers a query for a
//! commons' state. Skipped, with the reason printed, where the tools are absent (scripts/test.sh
//! installs the `prometheus` package so CI runs them).

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use csoc_app::metrics::serve::{serve, ServeOptions};
use csoc_model::model::{CommonsDraft, Environment};
use csoc_monitor::sweep::SweepOptions;
use csoc_store::inventory;
use csoc_store::{Store, DB_FILE};
use csoc_vault::Vault;
use gen3_sim::{CommonsSpec, Fault, Fleet, Service, TlsMode};
use tokio_util::sync::CancellationToken;

fn sweep_options() -> SweepOptions {
    csoc_test_support::sweep_options(Duration::from_secs(2), 1, Duration::from_millis(800))
}

fn have(tool: &str) -> bool {
    let found = Command::new(tool).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok();
    if !found {
        eprintln!("SKIPPED: `{tool}` is not installed (Debian package `prometheus`; scripts/test.sh installs it)");
    }
    found
}

struct Served {
    _dir: tempfile::TempDir,
    addr: SocketAddr,
    stop: CancellationToken,
    fleet: Fleet,
}

/// A fleet of three commons (one whose metadata service does not answer), swept and served on loopback.
async fn served() -> Served {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join(DB_FILE)).unwrap());
    let fleet = Fleet::start(vec![
        CommonsSpec { tls: TlsMode::TrustedCa, ..CommonsSpec::new("prod") },
        CommonsSpec::new("staging"),
        CommonsSpec::new("broken"),
    ])
    .await
    .unwrap();
    // A service that does not answer is down from the first sweep (a refusal would read as "not
    // deployed" until it has answered here once).
    fleet.set_fault("broken", Some(Service::Metadata), Some(Fault::Timeout));
    for name in fleet.names() {
        let env = if name == "prod" { Environment::Production } else { Environment::Staging };
        let draft = CommonsDraft {
            ca_pem: (name == "prod").then(|| fleet.ca_pem()),
            ..CommonsDraft::new(format!("{name} \"commons\""), fleet.base_url(&name), env)
        };
        inventory::create(&store, &draft).unwrap();
    }
    let stop = CancellationToken::new();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let options = ServeOptions {
        addr: "127.0.0.1:0".parse().unwrap(),
        interval: Some(Duration::from_secs(3600)),
        sweep: sweep_options(),
    };
    tokio::spawn(serve(store, Arc::new(Vault::new()), options, stop.clone(), move |a| {
        let _ = tx.send(a);
    }));
    let addr = rx.await.unwrap();
    Served { _dir: dir, addr, stop, fleet }
}

/// The exposition once the first sweep is recorded (the endpoint serves the cache at once).
async fn scrape_after_sweep(addr: SocketAddr) -> (String, String) {
    let client = reqwest::Client::new();
    for _ in 0..600 {
        let r = client
            .get(format!("http://{addr}/metrics"))
            .header("accept", "application/openmetrics-text; version=1.0.0")
            .send()
            .await
            .unwrap();
        let kind = r.headers()["content-type"].to_str().unwrap().to_string();
        let body = r.text().await.unwrap();
        if body.lines().any(|l| l.starts_with("gen3_csoc_last_sweep_timestamp_seconds ")) {
            return (kind, body);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no sweep was recorded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_exposition_describes_the_fleet_and_passes_promtool() {
    let s = served().await;
    let (kind, body) = scrape_after_sweep(s.addr).await;
    assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
    assert!(body.ends_with("# EOF\n"));
    let line = |prefix: &str| body.lines().find(|l| l.starts_with(prefix)).map(str::to_string);
    // Names with quotes are escaped; each commons' state is a one-of set.
    assert!(body.contains(r#"commons="broken \"commons\"""#), "{body}");
    let broken_down = body
        .lines()
        .find(|l| {
            l.starts_with("gen3_csoc_service_state{")
                && l.contains("broken")
                && l.contains(r#"service="metadata""#)
                && l.contains(r#"state="down""#)
        })
        .unwrap_or_else(|| panic!("{body}"));
    assert!(broken_down.ends_with(" 1"), "{broken_down}");
    let prod_healthy = body
        .lines()
        .find(|l| l.starts_with("gen3_csoc_commons_state{") && l.contains("prod") && l.contains(r#"state="healthy""#))
        .unwrap();
    assert!(prod_healthy.ends_with(" 1"), "{prod_healthy}\n{body}");
    let cert = line("gen3_csoc_certificate_expiry_timestamp_seconds{").expect("the TLS commons' certificate expiry");
    let not_after: f64 = cert.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(not_after > 1.7e9, "{cert}");
    assert!(line("gen3_csoc_service_version_info{").unwrap().contains(r#"version="2025.09""#));
    assert!(line("gen3_csoc_service_latency_seconds{").is_some());
    assert!(line("gen3_csoc_indexd_objects{").is_some(), "{body}");

    // The plain Prometheus text format is served to a scraper that does not ask for OpenMetrics.
    let plain = reqwest::get(format!("http://{}/metrics", s.addr)).await.unwrap();
    assert!(plain.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let missing = reqwest::get(format!("http://{}/other", s.addr)).await.unwrap();
    assert_eq!(missing.status(), 404);

    if have("promtool") {
        let mut child = Command::new("promtool")
            .args(["check", "metrics"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), body.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success() && out.stdout.is_empty(),
            "promtool: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    s.stop.cancel();
    s.fleet.shutdown().await;
}

#[test]
fn the_documented_alert_rules_pass_promtool() {
    if !have("promtool") {
        return;
    }
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../docs/prometheus/gen3-csoc-rules.yml");
    let out = Command::new("promtool").args(["check", "rules"]).arg(&rules).output().unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_prometheus_scrapes_serve_and_answers_a_commons_state() {
    if !have("prometheus") {
        return;
    }
    let s = served().await;
    scrape_after_sweep(s.addr).await;
    let dir = tempfile::tempdir().unwrap();
    let web = free_port();
    std::fs::write(
        dir.path().join("prometheus.yml"),
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: gen3-csoc\n    static_configs:\n      - targets: ['{}']\n",
            s.addr
        ),
    )
    .unwrap();
    let mut prometheus = Prometheus::start(dir.path(), web);
    let client = reqwest::Client::new();
    let query = |q: &str| {
        let client = client.clone();
        let url = format!("http://127.0.0.1:{web}/api/v1/query");
        let q = q.to_string();
        async move {
            let r = client.get(url).query(&[("query", q)]).send().await.ok()?;
            let v: serde_json::Value = r.json().await.ok()?;
            v["data"]["result"].as_array().filter(|a| !a.is_empty()).cloned()
        }
    };
    let mut answer = None;
    for _ in 0..600 {
        answer = query(r#"gen3_csoc_service_state{commons=~"broken.*",service="metadata",state="down"}"#).await;
        if answer.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let answer = answer.unwrap_or_else(|| panic!("Prometheus never answered; its log:\n{}", prometheus.log()));
    assert_eq!(answer[0]["value"][1], "1", "{answer:?}");
    let healthy = query(r#"gen3_csoc_commons_state{commons=~"prod.*",state="healthy"}"#).await.unwrap();
    assert_eq!(healthy[0]["value"][1], "1");
    let broken_healthy = query(r#"gen3_csoc_commons_state{commons=~"broken.*",state="healthy"}"#).await.unwrap();
    assert_eq!(broken_healthy[0]["value"][1], "0");
    // Every query of the Grafana dashboard runs on this Prometheus, and most find series.
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../docs/grafana/gen3-csoc-fleet.json"),
    )
    .unwrap();
    let dashboard: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut answered = 0;
    for p in dashboard["panels"].as_array().unwrap() {
        let expr = p["targets"][0]["expr"].as_str().unwrap().replace("$commons", ".*");
        let r: serde_json::Value = client
            .get(format!("http://127.0.0.1:{web}/api/v1/query"))
            .query(&[("query", &expr)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(r["status"], "success", "{expr}: {r}");
        answered += usize::from(!r["data"]["result"].as_array().unwrap().is_empty());
    }
    assert!(answered >= 10, "only {answered} dashboard panels found data");
    prometheus.stop();
    s.stop.cancel();
    s.fleet.shutdown().await;
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A Prometheus server in the background, stopped when the test ends however it ends.
struct Prometheus {
    child: std::process::Child,
    log: std::path::PathBuf,
}

impl Prometheus {
    fn start(dir: &Path, port: u16) -> Self {
        let log = dir.join("prometheus.log");
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", dir.join("prometheus.yml").display()))
            .arg(format!("--storage.tsdb.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Self { child, log }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        self.stop();
    }
}
