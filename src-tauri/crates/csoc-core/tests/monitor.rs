//! Fleet monitoring against the simulator: every fault mode ends in the right state with a clear
//! reason, recoveries are noticed, changes and expiry alerts are reported once, retention keeps the
//! cache bounded, and a cancelled sweep leaves it consistent.

use std::time::Duration;

use csoc_core::gen3::ClientOptions;
use csoc_core::inventory;
use csoc_core::model::{CommonsDraft, Environment, InventoryFilter};
use csoc_core::monitor::history::{self, SweepReport};
use csoc_core::monitor::probe::ServiceState;
use csoc_core::monitor::sweep::{self, SweepOptions};
use csoc_core::monitor::views::{self, CommonsHealth, HistoryRange};
use csoc_core::monitor::{targets, SweepScope};
use csoc_core::store::{Store, DB_FILE};
use csoc_core::vault::Vault;
use gen3_sim::{CommonsSpec, Fault, Fleet, Service, TlsMode};
use tokio_util::sync::CancellationToken;

fn opts() -> SweepOptions {
    SweepOptions {
        concurrency: 16,
        client: ClientOptions {
            connect_timeout: Duration::from_secs(1),
            request_timeout: Duration::from_secs(1),
            max_body_bytes: 256 * 1024,
            extra_ca_pem: None,
        },
        retries: 1,
        slow: Duration::from_millis(400),
    }
}

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    vault: Vault,
    fleet: Fleet,
}

async fn world(specs: Vec<CommonsSpec>) -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    let fleet = Fleet::start(specs).await.unwrap();
    for name in fleet.names() {
        inventory::create(
            &store,
            &CommonsDraft {
                expected_release: Some("2025.09".into()),
                ..CommonsDraft::new(
                    name.clone(),
                    fleet.base_url(&name),
                    if name == "prod" { Environment::Production } else { Environment::Dev },
                )
            },
        )
        .unwrap();
    }
    World { _dir: dir, store, vault: Vault::new(), fleet }
}

async fn sweep_once(w: &World, scope: SweepScope) -> SweepReport {
    let t = targets(&w.store, &w.vault, &scope).unwrap();
    let result = sweep::run(t, &opts(), CancellationToken::new(), |_| {}).await.unwrap();
    history::record(&w.store, &result).unwrap()
}

fn health(w: &World, name: &str) -> CommonsHealth {
    let view = views::fleet(&w.store, &InventoryFilter::default()).unwrap();
    view.rows.into_iter().find(|r| r.commons.draft.name == name).expect(name)
}

fn service(h: &CommonsHealth, id: &str) -> (ServiceState, String) {
    let s = h.services.iter().find(|s| s.service == id).unwrap_or_else(|| panic!("{id} in {h:?}"));
    (s.state, s.detail.clone().unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_mode_ends_in_the_right_state_with_a_reason() {
    let w = world(vec![
        CommonsSpec::new("ok"),
        CommonsSpec {
            services: vec![Service::Revproxy, Service::Fence, Service::Indexd, Service::Metadata],
            ..CommonsSpec::new("small")
        },
        CommonsSpec::new("faulty"),
        CommonsSpec { version: "2025.06".into(), ..CommonsSpec::new("old") },
    ])
    .await;
    sweep_once(&w, SweepScope::All).await;
    let ok = health(&w, "ok");
    assert_eq!(ok.overall, ServiceState::Healthy, "{ok:?}");
    assert!(ok.services.iter().all(|s| s.state == ServiceState::Healthy));
    assert_eq!(service(&ok, "fence").0, ServiceState::Healthy);
    assert!(ok.services.iter().find(|s| s.service == "metadata").unwrap().version.as_deref() == Some("4.3.0"));
    assert!(ok.counts.objects.unwrap() > 0 && ok.counts.bytes.unwrap() > 0, "DRS counts read");
    assert!(ok.dictionary_version.is_some(), "dictionary version from /api/_version");
    assert_eq!(ok.helm, Some(true), "/canary fingerprint");
    assert!(ok.drift.is_empty());
    let small = health(&w, "small");
    assert_eq!(service(&small, "guppy").0, ServiceState::NotDeployed, "404 means not deployed, not down");
    assert_eq!(small.overall, ServiceState::Healthy);
    let old = health(&w, "old");
    assert!(old.drift.iter().any(|d| d == "fence 2025.06"), "release drift: {:?}", old.drift);

    let cases: Vec<(Fault, ServiceState, &str)> = vec![
        (Fault::Down, ServiceState::Down, "revproxy cannot reach metadata"),
        (Fault::Status500, ServiceState::Down, "http 500"),
        (Fault::Html, ServiceState::Degraded, "web page"),
        (Fault::Garbage, ServiceState::Degraded, "not its status json"),
        (Fault::TruncatedJson, ServiceState::Degraded, "not its status json"),
        (Fault::HugeBody(4 * 1024 * 1024), ServiceState::Degraded, "broken body"),
        (Fault::Timeout, ServiceState::Down, "did not answer"),
        (Fault::Slow(Duration::from_millis(600)), ServiceState::Degraded, "slow"),
        (Fault::RedirectTo("ok".into()), ServiceState::Degraded, "redirects"),
    ];
    for (fault, want, words) in cases {
        w.fleet.set_fault("faulty", Some(Service::Metadata), Some(fault.clone()));
        let started = std::time::Instant::now();
        let t = targets(&w.store, &w.vault, &SweepScope::All)
            .unwrap()
            .into_iter()
            .filter(|t| t.base_url == w.fleet.base_url("faulty"))
            .collect();
        let result = sweep::run(t, &opts(), CancellationToken::new(), |_| {}).await.unwrap();
        history::record(&w.store, &result).unwrap();
        w.fleet.set_fault("faulty", Some(Service::Metadata), None);
        assert!(started.elapsed() < Duration::from_secs(8), "{fault:?} took {:?}", started.elapsed());
        let (state, detail) = service(&health(&w, "faulty"), "metadata");
        assert_eq!(state, want, "{fault:?}: {detail}");
        assert!(detail.to_lowercase().contains(words), "{fault:?}: {detail:?} lacks {words:?}");
    }
    w.fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commons_going_down_and_coming_back_is_reported_once_each_way() {
    let w = world(vec![CommonsSpec::new("a"), CommonsSpec::new("b")]).await;
    let first = sweep_once(&w, SweepScope::All).await;
    assert!(first.changes.is_empty(), "the first sweep establishes state: {:?}", first.changes);
    w.fleet.set_fault("a", None, Some(Fault::Down));
    let down = sweep_once(&w, SweepScope::All).await;
    let commons_changes: Vec<_> = down.changes.iter().filter(|c| c.service == "commons").collect();
    assert_eq!(commons_changes.len(), 1, "{:?}", down.changes);
    assert_eq!((commons_changes[0].from, commons_changes[0].to), (ServiceState::Healthy, ServiceState::Down));
    let h = health(&w, "a");
    assert_eq!(h.overall, ServiceState::Down);
    assert!(h.error.as_deref().unwrap_or_default().contains("refused"), "{:?}", h.error);
    assert!(h.last_successful.unwrap() < h.last_attempted.unwrap());
    let again = sweep_once(&w, SweepScope::All).await;
    assert!(again.changes.is_empty(), "no repeat while it stays down: {:?}", again.changes);
    w.fleet.set_fault("a", None, None);
    let back = sweep_once(&w, SweepScope::All).await;
    assert_eq!(back.changes.iter().filter(|c| c.service == "commons" && c.to == ServiceState::Healthy).count(), 1);
    assert_eq!(health(&w, "a").overall, ServiceState::Healthy);
    let detail = views::commons_detail(&w.store, &health(&w, "a").commons.id, HistoryRange::Day).unwrap();
    assert_eq!(detail.changes.len(), 2, "both changes are in the history");
    assert!(detail.history.iter().any(|p| p.uptime.is_some()));
    w.fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_certificate_is_read_and_alerted_once() {
    let w = world(vec![CommonsSpec { tls: TlsMode::Expired, ..CommonsSpec::new("expired") }]).await;
    let first = sweep_once(&w, SweepScope::All).await;
    let h = health(&w, "expired");
    assert_eq!(h.overall, ServiceState::Down);
    assert!(h.error.as_deref().unwrap_or_default().contains("expired"), "{:?}", h.error);
    let cert = h.cert.expect("the expired certificate is still read");
    assert!(cert.not_after.unwrap() < csoc_core::model::now_ms() / 1000);
    assert_eq!(first.alerts.len(), 1, "{:?}", first.alerts);
    assert_eq!(first.alerts[0].threshold_days, 0);
    let second = sweep_once(&w, SweepScope::All).await;
    assert!(second.alerts.is_empty(), "alerted once, not every sweep");
    let summary = views::fleet(&w.store, &InventoryFilter::default()).unwrap().summary;
    assert_eq!((summary.commons_down, summary.certs_expired), (1, 1));
    w.fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_sweep_leaves_the_cache_consistent() {
    let names: Vec<String> = (0..12).map(|i| format!("c{i}")).collect();
    let w = world(names.iter().map(|n| CommonsSpec::new(n)).collect()).await;
    for n in &names[6..] {
        w.fleet.set_fault(n, None, Some(Fault::Timeout));
    }
    let cancel = CancellationToken::new();
    let t = targets(&w.store, &w.vault, &SweepScope::All).unwrap();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        c2.cancel();
    });
    let started = std::time::Instant::now();
    let result = sweep::run(t, &opts(), cancel, |_| {}).await.unwrap();
    assert!(result.cancelled);
    assert!(started.elapsed() < Duration::from_millis(900), "cancel is prompt: {:?}", started.elapsed());
    assert!(result.probes.len() < 12, "hanging commons were not completed");
    let report = history::record(&w.store, &result).unwrap();
    assert!(report.cancelled);
    let view = views::fleet(&w.store, &InventoryFilter::default()).unwrap();
    for row in &view.rows {
        let probed = result.probes.iter().any(|p| p.commons_id == row.commons.id);
        assert_eq!(row.last_attempted.is_some(), probed, "only completed commons are recorded");
        if probed {
            assert_eq!(row.services.len(), csoc_core::monitor::catalog::CATALOG.len());
        }
    }
    for n in &names[6..] {
        w.fleet.set_fault(n, None, None);
    }
    w.fleet.shutdown().await;
}

#[test]
fn retention_folds_old_samples_into_hourly_aggregates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let store = Store::open(&path).unwrap();
    let c = inventory::create(&store, &CommonsDraft::new("r", "r.example.org", Environment::Dev)).unwrap();
    let now = csoc_core::model::now_ms();
    let conn = rusqlite::Connection::open(&path).unwrap();
    // 30 days of 5-minute samples of 12 services: what a month of sweeps writes. One service in
    // ten samples is down.
    let tx = conn.unchecked_transaction().unwrap();
    let mut stmt = tx
        .prepare(
            "INSERT INTO probe_samples(commons_id, at, healthy, deployed, latency_sum, latency_n)
             VALUES (?1, ?2, ?3, 12, 240, 12)",
        )
        .unwrap();
    let step = 5 * 60 * 1000;
    let mut written = 0;
    let mut at = now - 30 * 24 * 3_600_000;
    while at < now {
        let healthy = if (at / step) % 10 == 0 { 11 } else { 12 };
        stmt.execute(rusqlite::params![c.id, at, healthy]).unwrap();
        written += 1;
        at += step;
    }
    drop(stmt);
    tx.commit().unwrap();
    history::prune(&conn, now).unwrap();
    let raw: i64 = conn.query_row("SELECT count(*) FROM probe_samples", [], |r| r.get(0)).unwrap();
    let hourly: i64 = conn.query_row("SELECT count(*) FROM probe_hourly", [], |r| r.get(0)).unwrap();
    let folded: i64 = conn.query_row("SELECT sum(samples) FROM probe_hourly", [], |r| r.get(0)).unwrap();
    assert!(raw <= 7 * 24 * 12 + 1, "raw samples kept for 7 days only: {raw}");
    assert_eq!(raw + folded, written, "every sample is kept, raw or aggregated");
    assert!(hourly <= 23 * 24 + 1, "hourly rows: {hourly}");
    let month = views::commons_detail(&store, &c.id, HistoryRange::Month).unwrap();
    let uptimes: Vec<f64> = month.history.iter().filter_map(|p| p.uptime).collect();
    assert!(uptimes.len() >= 28, "a month of history survives downsampling");
    let mean = uptimes.iter().sum::<f64>() / uptimes.len() as f64;
    assert!((mean - (1.0 - 0.1 / 12.0)).abs() < 0.01, "uptime preserved through aggregation: {mean}");
}

/// `gen3-csoc sweep --json` and `status` work from a terminal (cron) over the same cache.
#[test]
fn headless_sweep_and_status() {
    use clap::Parser;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let w = rt.block_on(world(vec![CommonsSpec::new("prod"), CommonsSpec::new("gone")]));
    w.fleet.set_fault("gone", None, Some(Fault::Down));
    let dir = w._dir.path().to_str().unwrap().to_string();
    let run = |args: &[&str]| {
        let cli = csoc_core::cli::Cli::try_parse_from([&["gen3-csoc", "--data-dir", &dir], args].concat()).unwrap();
        let paths = csoc_core::paths::AppPaths::resolve(cli.data_dir.clone());
        let mut out = Vec::new();
        csoc_core::cli::run(&cli.command.unwrap(), &paths, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let report: serde_json::Value = serde_json::from_str(&run(&["sweep", "--json"])).unwrap();
    assert_eq!((report["probed"].as_u64(), report["reachable"].as_u64()), (Some(2), Some(1)), "{report}");
    let status = run(&["status"]);
    assert!(status.contains("2 commons") && status.contains("1 down"), "{status}");
    assert!(status.contains("PROD prod") && status.contains("refused"), "{status}");
    let view: serde_json::Value = serde_json::from_str(&run(&["status", "--json"])).unwrap();
    assert_eq!(view["summary"]["commons_down"], 1);
    rt.block_on(w.fleet.shutdown());
}

/// Sweeps every 5 seconds write no more samples than sweeps every 5 minutes (unless a state
/// changes), so the cache stays small whatever the schedule.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fast_sweeps_do_not_grow_the_cache() {
    let w = world(vec![CommonsSpec::new("a"), CommonsSpec::new("b")]).await;
    for _ in 0..5 {
        sweep_once(&w, SweepScope::All).await;
    }
    let count = |w: &World| -> i64 {
        let conn = rusqlite::Connection::open(w._dir.path().join(DB_FILE)).unwrap();
        conn.query_row("SELECT count(*) FROM probe_samples", [], |r| r.get(0)).unwrap()
    };
    assert_eq!(count(&w), 2, "one sample per commons while nothing changes");
    w.fleet.set_fault("a", Some(Service::Fence), Some(Fault::Down));
    sweep_once(&w, SweepScope::All).await;
    assert_eq!(count(&w), 3, "a state change is sampled at once");
    w.fleet.shutdown().await;
}
