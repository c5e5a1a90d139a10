//! Fleet monitoring against the simulator: every fault mode ends in the right state with a clear
//! reason, recoveries are noticed, changes and expiry alerts are reported once, retention keeps the
//! cache bounded, and a cancelled sweep leaves it consistent.

mod demo_sim;

use std::time::Duration;

use csoc_model::model::{CommonsDraft, Environment, InventoryFilter};
use csoc_monitor::history::{self, SweepReport};
use csoc_monitor::probe::ServiceState;
use csoc_monitor::sweep::{self, SweepOptions};
use csoc_monitor::views::{self, CommonsHealth, HistoryRange};
use csoc_monitor::{plan, SweepScope};
use csoc_store::inventory;
use csoc_store::{Store, DB_FILE};
use csoc_vault::Vault;
use gen3_sim::{CommonsSpec, Edge, Fault, Fleet, Service, TlsMode};
use tokio_util::sync::CancellationToken;

/// The check ids the cache stores and the commons page names (what the UI reads).
mod checks {
    pub use csoc_monitor::checks::JWKS;
    pub const ISSUER: &str = "openid_issuer";
    pub const LOGIN_PROVIDERS: &str = "login_providers";
    pub const ETL_AGE: &str = "etl_age";
    pub const MESH_DIST: &str = "mesh_dist";
    pub const MESH_WTS: &str = "mesh_wts";
    pub const AGGMDS_COUNTS: &str = "aggmds_counts";
    pub const API_KEYS: &str = "api_keys";
}

/// A version string a server sends is cut to this many characters before the UI shows it.
const VERSION_CHARS: usize = 64;

fn opts() -> SweepOptions {
    SweepOptions {
        concurrency: 16,
        ..csoc_test_support::sweep_options(Duration::from_secs(1), 1, Duration::from_millis(400))
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
    let t = plan(&w.store, &w.vault, &scope).unwrap();
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
    for s in &ok.services {
        let authz = csoc_monitor::catalog::find(&s.service).unwrap().authz;
        let want = if authz { ServiceState::NeedsKey } else { ServiceState::Healthy };
        assert_eq!(s.state, want, "{s:?}");
    }
    assert_eq!(service(&ok, "fence").0, ServiceState::Healthy);
    assert!(ok.services.iter().find(|s| s.service == "metadata").unwrap().version.as_deref() == Some("4.3.0"));
    assert!(ok.counts.objects.unwrap() > 0 && ok.counts.bytes.unwrap() > 0, "DRS counts read");
    assert!(ok.dictionary_version.is_some(), "dictionary version from /api/_version");
    assert_eq!(ok.helm, Some(true), "/canary fingerprint");
    assert!(ok.drift.is_empty());
    let small = health(&w, "small");
    let (state, why) = service(&small, "guppy");
    assert_eq!(state, ServiceState::NotDeployed, "never answered, and gen3-helm's 500 intercept: {why}");
    assert!(why.contains("never answered"), "{why}");
    assert_eq!(small.overall, ServiceState::Healthy);
    let old = health(&w, "old");
    assert!(old.drift.iter().any(|d| d == "fence 2025.06"), "release drift: {:?}", old.drift);

    let cases: Vec<(Fault, ServiceState, &str)> = vec![
        (Fault::Down, ServiceState::Down, "service failure - try again later” (it answered here before)"),
        (Fault::Status500, ServiceState::Down, "service failure"),
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
        let mut t = plan(&w.store, &w.vault, &SweepScope::All).unwrap();
        t.targets.retain(|t| t.base_url == w.fleet.base_url("faulty"));
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
    assert!(cert.not_after.unwrap() < csoc_model::model::now_ms() / 1000);
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
    let t = plan(&w.store, &w.vault, &SweepScope::All).unwrap();
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
            assert_eq!(row.services.len(), csoc_monitor::catalog::CATALOG.len());
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
    let now = csoc_model::model::now_ms();
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
    let w = rt.block_on(world(vec![CommonsSpec::new("prod"), CommonsSpec::new("gone"), CommonsSpec::new("never")]));
    w.fleet.set_fault("never", None, Some(Fault::Down));
    let dir = w._dir.path().to_str().unwrap().to_string();
    let run = |args: &[&str]| {
        let cli = csoc_app::cli::Cli::try_parse_from([&["gen3-csoc", "--data-dir", &dir], args].concat()).unwrap();
        let paths = csoc_model::paths::AppPaths::resolve(cli.data_dir.clone());
        let mut out = Vec::new();
        csoc_app::cli::run(&cli.command.unwrap(), &paths, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    run(&["sweep", "--json"]);
    w.fleet.set_fault("gone", None, Some(Fault::Down));
    let report: serde_json::Value = serde_json::from_str(&run(&["sweep", "--json"])).unwrap();
    assert_eq!((report["probed"].as_u64(), report["reachable"].as_u64()), (Some(3), Some(1)), "{report}");
    let status = run(&["status"]);
    assert!(status.contains("3 commons") && status.contains("1 down, 1 unreachable from here"), "{status}");
    assert!(status.contains("PROD prod") && status.contains("refused"), "{status}");
    assert!(status.contains("never (") && status.contains("): unreachable from here"), "{status}");
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

// ------------------------------------------------------------------------------------------------
// the real edge: gen3-helm's and cloud-automation's revproxies (GEN3.md 2b)

const SMALL: &[Service] = &[Service::Revproxy, Service::Fence, Service::Indexd, Service::Metadata, Service::Portal];

fn spec(name: &str, services: &[Service], edge: Edge) -> CommonsSpec {
    CommonsSpec { services: services.to_vec(), edge, ..CommonsSpec::new(name) }
}

/// A healthy gen3-helm commons that does not run manifestservice (or guppy, hatchery, ...), whose
/// hatchery and sower sit behind `auth_request`, is healthy: nothing it does not run counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_helm_commons_with_undeployed_and_authz_routes_reads_healthy() {
    let w = world(vec![spec("helm", SMALL, Edge::Helm), CommonsSpec::new("full")]).await;
    sweep_once(&w, SweepScope::All).await;
    let h = health(&w, "helm");
    assert_eq!(h.overall, ServiceState::Healthy, "{:?}", h.services);
    assert_eq!(h.helm, Some(true));
    let (state, why) = service(&h, "manifestservice");
    assert_eq!(state, ServiceState::NotDeployed, "{why}");
    assert!(why.contains("never answered") && why.contains("service failure"), "the reason is shown: {why}");
    for id in ["hatchery", "sower", "orthanc"] {
        let (state, why) = service(&h, id);
        assert_eq!(state, ServiceState::NeedsKey, "{id}: {why}");
        assert!(why.contains("store an API key"), "{why}");
    }
    let full = health(&w, "full");
    assert_eq!(full.overall, ServiceState::Healthy, "{:?}", full.services);
    assert_eq!(service(&full, "gen3-workflow").0, ServiceState::Healthy, "FastAPI {{\"status\": \"OK\"}}");
    assert_eq!(service(&full, "portal").0, ServiceState::Healthy);
    assert!(full.services.iter().find(|s| s.service == "audit").unwrap().version.is_some());
    let summary = views::fleet(&w.store, &InventoryFilter::default()).unwrap().summary;
    assert_eq!((summary.commons_degraded, summary.services_down), (0, 0));
    w.fleet.shutdown().await;
}

/// The same 500 from a service that ran here reads down, and its commons degraded; the deployed
/// services recorded for a commons decide without history.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployed_service_that_fails_reads_down_and_its_commons_degraded() {
    let w = world(vec![spec("helm", SMALL, Edge::Helm), spec("declared", SMALL, Edge::Helm)]).await;
    sweep_once(&w, SweepScope::All).await;
    w.fleet.set_fault("helm", Some(Service::Metadata), Some(Fault::Down));
    let report = sweep_once(&w, SweepScope::All).await;
    let h = health(&w, "helm");
    let (state, why) = service(&h, "metadata");
    assert_eq!(state, ServiceState::Down, "{why}");
    assert!(why.contains("answered here before"), "{why}");
    assert_eq!(h.overall, ServiceState::Degraded);
    assert!(report.changes.iter().any(|c| c.service == "metadata" && c.to == ServiceState::Down));

    // Never seen, but recorded as deployed: down at once. Recorded as not deployed: not deployed.
    let declared = health(&w, "declared").commons.id;
    csoc_monitor::known::set_expected(&w.store, &declared, &["fence", "indexd", "metadata", "guppy"], "a test")
        .unwrap();
    sweep_once(&w, SweepScope::All).await;
    let d = health(&w, "declared");
    let (state, why) = service(&d, "guppy");
    assert_eq!(state, ServiceState::Down, "{why}");
    assert!(why.contains("among this commons' deployed services"), "{why}");
    assert_eq!(service(&d, "manifestservice").0, ServiceState::NotDeployed);
    w.fleet.shutdown().await;
}

/// A legacy cloud-automation commons hands missing routes to the portal (200 HTML): not deployed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_legacy_commons_missing_service_reads_not_deployed() {
    let w = world(vec![spec("legacy", SMALL, Edge::CloudAutomation)]).await;
    sweep_once(&w, SweepScope::All).await;
    let h = health(&w, "legacy");
    assert_eq!(h.helm, Some(false), "/canary answered by the portal");
    let (state, why) = service(&h, "manifestservice");
    assert_eq!(state, ServiceState::NotDeployed, "{why}");
    assert!(why.contains("portal"), "{why}");
    assert_eq!(h.overall, ServiceState::Healthy, "{:?}", h.services);
    w.fleet.shutdown().await;
}

/// With a key the authz routes are checked as the key's user; a key in its last hour reads as
/// expiring ("import a new one"), never "not Gen3".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authz_routes_use_the_key_and_a_key_in_its_last_hour_reads_as_expiring() {
    use csoc_gen3::Gen3Client;
    use csoc_model::credentials::parse_credentials;
    use csoc_monitor::probe::{probe_commons_with, Known, ProbeCtx};
    let fleet = Fleet::start(vec![CommonsSpec::new("a")]).await.unwrap();
    let base = fleet.base_url("a");
    let ctx = ProbeCtx {
        permits: std::sync::Arc::new(tokio::sync::Semaphore::new(8)),
        cancel: CancellationToken::new(),
        retries: 0,
        slow: Duration::from_secs(5),
        request_timeout: Duration::from_secs(5),
        checks: Some(csoc_monitor::checks::CheckPolicy { etl_stale_secs: 7 * 86_400 }),
    };
    let probe_with = |days: i64| {
        let creds = fleet
            .mint_credentials("a", gen3_sim::MintOptions { expires_in_secs: days, ..gen3_sim::MintOptions::default() });
        let key = parse_credentials(&creds.to_string()).unwrap();
        Gen3Client::new(&base, Some(key), opts().client).unwrap()
    };
    let good = probe_with(30 * 86_400);
    let p = probe_commons_with(&ctx, "a", &base, &good, None, &Known::default()).await.unwrap();
    let hatchery = p.services.iter().find(|s| s.service == "hatchery").unwrap();
    assert_eq!(hatchery.state, ServiceState::Healthy, "{:?}", hatchery.detail);
    assert!(p.key_error.is_none());
    // A key as fence creates them (no `credentials` scope) cannot list its user's keys: not asked.
    assert!(p.checks.iter().all(|c| c.check != checks::API_KEYS), "{:?}", p.checks);
    assert!(fleet.requests("a").iter().all(|r| r.path != "/user/credentials/api/"));

    let last_hour = probe_with(1800);
    let p = probe_commons_with(&ctx, "a", &base, &last_hour, None, &Known::default()).await.unwrap();
    let err = p.key_error.expect("the exchange is refused");
    assert_eq!(err.code, csoc_model::error::ErrorCode::KeyExpired);
    assert!(err.message.contains("expires within the hour") && err.message.contains("import a new one"), "{err:?}");
    let hatchery = p.services.iter().find(|s| s.service == "hatchery").unwrap();
    assert_eq!(hatchery.state, ServiceState::NeedsKey, "{:?}", hatchery.detail);

    // A key that may list its user's keys shows the others' expiry; one expiring soon is a warning.
    let scopes: Vec<String> = ["fence", "openid", "user", "data", "credentials"].map(String::from).to_vec();
    let mint = |secs: i64| {
        let opts = gen3_sim::MintOptions { expires_in_secs: secs, scopes: scopes.clone(), ..Default::default() };
        parse_credentials(&fleet.mint_credentials("a", opts).to_string()).unwrap()
    };
    let lister = Gen3Client::new(&base, Some(mint(30 * 86_400)), opts().client).unwrap();
    mint(3 * 86_400);
    let p = probe_commons_with(&ctx, "a", &base, &lister, None, &Known::default()).await.unwrap();
    let keys = p.checks.iter().find(|c| c.check == checks::API_KEYS).expect("listed");
    // The others: the 30-day key, the one in its last hour, and the new 3-day one.
    assert!(!keys.ok && keys.summary.contains("3 other API keys; the next expires within a day"), "{keys:?}");
    fleet.shutdown().await;
}

/// Never reached, or nothing reachable at all: "unreachable from here", not down, and no change is
/// reported; a commons reached before that stops answering while others answer is down.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_from_here_is_not_down() {
    let w = world(vec![CommonsSpec::new("a"), CommonsSpec::new("b"), CommonsSpec::new("never")]).await;
    w.fleet.set_fault("never", None, Some(Fault::Down));
    sweep_once(&w, SweepScope::All).await;
    let never = health(&w, "never");
    assert!(never.unreachable_here && never.overall == ServiceState::Unknown, "{never:?}");
    let summary = views::fleet(&w.store, &InventoryFilter::default()).unwrap().summary;
    assert_eq!((summary.commons_down, summary.unreachable_here), (0, 1));

    // Offline: nothing answers (refused, as a local proxy or firewall may do, or silent).
    w.fleet.set_fault("a", None, Some(Fault::Down));
    w.fleet.set_fault("b", None, Some(Fault::Timeout));
    let offline = sweep_once(&w, SweepScope::All).await;
    assert!(offline.changes.is_empty(), "offline is not three commons going down: {:?}", offline.changes);
    let view = views::fleet(&w.store, &InventoryFilter::default()).unwrap();
    assert!(view.offline);
    assert_eq!(view.summary.commons_down, 0);
    assert!(view.rows.iter().all(|r| r.unreachable_here && r.overall == ServiceState::Unknown));

    // Back online, and one commons that was reached before refuses: down.
    w.fleet.set_fault("b", None, None);
    let back = sweep_once(&w, SweepScope::All).await;
    assert!(back.changes.iter().any(|c| c.service == "commons" && c.to == ServiceState::Down));
    let a = health(&w, "a");
    assert_eq!((a.overall, a.unreachable_here), (ServiceState::Down, false));

    // Checked alone: a refusing host is down; one that does not answer at all may be this
    // computer's network, so it is unreachable from here and raises nothing.
    w.fleet.set_fault("a", None, None);
    sweep_once(&w, SweepScope::All).await;
    let id = health(&w, "b").commons.id;
    w.fleet.set_fault("b", None, Some(Fault::Down));
    let alone = sweep_once(&w, SweepScope::Commons { id: id.clone() }).await;
    assert!(alone.changes.iter().any(|c| c.service == "commons" && c.to == ServiceState::Down), "refused");
    w.fleet.set_fault("b", None, None);
    sweep_once(&w, SweepScope::Commons { id: id.clone() }).await;
    w.fleet.set_fault("b", None, Some(Fault::Timeout));
    let silent = sweep_once(&w, SweepScope::Commons { id }).await;
    assert!(silent.changes.is_empty(), "{:?}", silent.changes);
    let b = health(&w, "b");
    assert!(b.unreachable_here && b.overall == ServiceState::Unknown, "{b:?}");
    w.fleet.set_fault("b", None, None);
    w.fleet.set_fault("never", None, None);
    w.fleet.shutdown().await;
}

/// A private CA that cannot be used fails its own commons with the reason, never the sweep; a
/// CA that is not a certificate is refused when it is entered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_bad_private_ca_fails_only_its_commons() {
    let w = world(vec![CommonsSpec::new("good"), CommonsSpec::new("bad")]).await;
    let bad = health(&w, "bad").commons;
    let damaged = "-----BEGIN CERTIFICATE-----\nQUJDRA==\n-----END CERTIFICATE-----";
    let refused =
        inventory::update(&w.store, &bad.id, &CommonsDraft { ca_pem: Some(damaged.into()), ..bad.draft.clone() });
    let err = refused.expect_err("a damaged CA is refused when entered");
    assert!(format!("{err:?}").contains("not a valid X.509 certificate"), "{err:?}");
    // One stored before validation was this strict.
    let conn = rusqlite::Connection::open(w._dir.path().join(DB_FILE)).unwrap();
    conn.execute("UPDATE commons SET ca_pem = ?1 WHERE id = ?2", [damaged, &bad.id]).unwrap();
    let report = sweep_once(&w, SweepScope::All).await;
    assert_eq!((report.probed, report.reachable), (2, 1));
    let h = health(&w, "bad");
    assert!(h.error.as_deref().unwrap_or_default().contains("private CA"), "{:?}", h.error);
    assert_eq!(health(&w, "good").overall, ServiceState::Healthy);
    w.fleet.shutdown().await;
}

// ------------------------------------------------------------------------------------------------
// outside-in checks

/// Puts the hub and its members (inventory names = simulator names) in one mesh, the hub's
/// AggMDS listing each member under its simulator name.
fn mesh_of<'a>(w: &World, mesh: &str, hub: &'a str, members: impl IntoIterator<Item = &'a str>) {
    let mut names = serde_json::Map::new();
    for name in members.into_iter().chain([hub]) {
        let c = health(w, name).commons;
        inventory::update(&w.store, &c.id, &CommonsDraft { meshes: vec![mesh.into()], ..c.draft.clone() }).unwrap();
        names.insert(c.id.clone(), serde_json::json!(name));
    }
    let hub_id = health(w, hub).commons.id;
    csoc_mesh::wizard::set_hub(&w.store, mesh, Some(&hub_id), &names).unwrap();
}

fn check(h: &CommonsHealth, id: &str) -> views::CheckStatus {
    h.checks.iter().find(|c| c.check == id).unwrap_or_else(|| panic!("{id} in {:?}", h.checks)).clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fence_issuer_jwks_idps_and_etl_age_are_checked_from_outside() {
    let w = world(vec![
        CommonsSpec::new("good"),
        CommonsSpec { oidc_issuer: Some("https://staging.example.org/user".into()), ..CommonsSpec::new("copied") },
        CommonsSpec { login_providers: vec!["google".into(), "orcid".into()], ..CommonsSpec::new("odd") },
        CommonsSpec { etl_age_secs: 30 * 86_400, ..CommonsSpec::new("stale") },
    ])
    .await;
    // Every sweep runs the checks here (the default runs them every 15 minutes).
    let every = history::MonitorSettings { checks_interval_secs: 0, ..Default::default() };
    history::save_settings(&w.store, &every).unwrap();
    sweep_once(&w, SweepScope::All).await;
    let good = health(&w, "good");
    assert!(good.checks.iter().all(|c| c.ok), "{:?}", good.checks);
    assert!(check(&good, checks::ETL_AGE).summary.contains("6 hours ago"));
    let copied = check(&health(&w, "copied"), checks::ISSUER);
    assert!(!copied.ok && copied.summary.contains("staging.example.org"), "{copied:?}");
    let odd = check(&health(&w, "odd"), checks::LOGIN_PROVIDERS);
    assert!(
        !odd.ok && odd.summary.contains("google, orcid") && odd.summary.contains("siblings offer google"),
        "{odd:?}"
    );
    let stale = check(&health(&w, "stale"), checks::ETL_AGE);
    assert!(!stale.ok && stale.summary.contains("30 days ago"), "{stale:?}");
    let summary = views::fleet(&w.store, &InventoryFilter::default()).unwrap().summary;
    assert_eq!(summary.checks_failing, 3);

    // A new signing key is an event, reported once, and shown for a day.
    w.fleet.rotate_jwt_keys("good");
    let rotated = sweep_once(&w, SweepScope::All).await;
    let events: Vec<_> = rotated.changes.iter().filter(|c| c.service == checks::JWKS).collect();
    assert_eq!(events.len(), 1, "{:?}", rotated.changes);
    assert!(events[0].detail.as_deref().unwrap().contains("fence_key_good → fence_key_good,fence_key_good_1"));
    let notices = csoc_monitor::notify::notices(&rotated);
    assert!(notices.iter().any(|n| n.title == "good: fence's signing keys needs a look"), "{notices:?}");
    let again = sweep_once(&w, SweepScope::All).await;
    assert!(again.changes.iter().all(|c| c.service != checks::JWKS), "once: {:?}", again.changes);
    assert!(!check(&health(&w, "good"), checks::JWKS).ok, "still shown after the next sweep");
    w.fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mesh_hub_is_checked_against_its_members() {
    let hub = CommonsSpec {
        dist: vec!["alpha".into()],
        external_oidc: vec!["alpha".into()],
        ..CommonsSpec::new("hub").aggregate_of(&["alpha"])
    };
    let w = world(vec![hub, CommonsSpec::new("alpha"), CommonsSpec::new("beta")]).await;
    mesh_of(&w, "m", "hub", ["alpha", "beta"]);
    sweep_once(&w, SweepScope::All).await;
    let h = health(&w, "hub");
    let dist = check(&h, checks::MESH_DIST);
    assert!(!dist.ok && dist.summary.contains("lacks beta"), "{dist:?}");
    let wts = check(&h, checks::MESH_WTS);
    assert!(!wts.ok && wts.summary.contains("for beta"), "{wts:?}");
    let agg = check(&h, checks::AGGMDS_COUNTS);
    assert!(!agg.ok && agg.summary.contains("beta: 0 of"), "{agg:?}");
    assert!(!agg.summary.contains("alpha:"), "alpha's records are all there: {agg:?}");
    w.fleet.shutdown().await;
}

/// The operator's staleness threshold judges guppy's ETL age; the checks run on their own
/// cadence, and at once when one commons is checked on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_etl_threshold_is_a_setting_and_checks_keep_their_own_cadence() {
    let w = world(vec![CommonsSpec { etl_age_secs: 2 * 86_400, ..CommonsSpec::new("two-days") }]).await;
    let asked = |w: &World| {
        w.fleet.requests("two-days").iter().filter(|r| r.path == "/user/.well-known/openid-configuration").count()
    };
    sweep_once(&w, SweepScope::All).await;
    let etl = check(&health(&w, "two-days"), checks::ETL_AGE);
    assert!(etl.ok && etl.summary.contains("2 days ago"), "within the default 7 days: {etl:?}");
    assert_eq!(asked(&w), 1);

    let strict = history::MonitorSettings { etl_stale_days: 1, ..history::settings(&w.store).unwrap() };
    history::save_settings(&w.store, &strict).unwrap();
    sweep_once(&w, SweepScope::All).await;
    assert_eq!(asked(&w), 1, "checks read slow-moving facts: not again within 15 minutes");
    assert!(check(&health(&w, "two-days"), checks::ETL_AGE).ok, "not re-judged until the checks run");
    let id = health(&w, "two-days").commons.id;
    let report = sweep_once(&w, SweepScope::Commons { id }).await;
    assert_eq!(asked(&w), 2, "checking one commons is someone asking now");
    let etl = check(&health(&w, "two-days"), checks::ETL_AGE);
    assert!(!etl.ok && etl.summary.contains("over a day"), "{etl:?}");
    assert!(report.changes.iter().any(|c| c.service == checks::ETL_AGE), "{:?}", report.changes);

    let zero = history::MonitorSettings { etl_stale_days: 0, ..strict };
    let refused = history::save_settings(&w.store, &zero).unwrap_err();
    assert_eq!(refused.code, csoc_model::error::ErrorCode::Invalid);
    assert_eq!(history::settings(&w.store).unwrap().etl_stale_days, 1, "a refused setting changes nothing");
    w.fleet.shutdown().await;
}

/// A hub of more than 10 members: its AggMDS counts are read from the paged listing, not from
/// `/aggregate/commons` (10 names at most) or `/aggregate/metadata/{name}` (10 records at most).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mesh_of_more_than_ten_members_gets_exact_counts() {
    let names: Vec<String> = (1..=13).map(|i| format!("m{i:02}")).collect();
    let aggregated: Vec<&str> = names[..12].iter().map(String::as_str).collect();
    let mut specs: Vec<CommonsSpec> =
        names.iter().enumerate().map(|(i, n)| CommonsSpec::new(n).with_discovery_records(i + 3)).collect();
    specs.push(CommonsSpec::new("hub").aggregate_of(&aggregated));
    let w = world(specs).await;
    mesh_of(&w, "big", "hub", names.iter().map(String::as_str));
    sweep_once(&w, SweepScope::All).await;
    let agg = check(&health(&w, "hub"), checks::AGGMDS_COUNTS);
    assert!(!agg.ok, "{agg:?}");
    assert!(agg.summary.contains("(m13: 0 of 15)"), "only the member the hub lacks: {agg:?}");
    assert!(!agg.summary.contains("not confirmed"), "{agg:?}");
    let paged = w.fleet.requests("hub").iter().filter(|r| r.path.starts_with("/mds/aggregate/metadata?")).count();
    assert_eq!(paged, 2, "the hub's {} records take two pages of 100", (3..15).sum::<usize>());
    w.fleet.shutdown().await;
}

/// The demo fleet shows each kind of problem the board knows, the outside-in checks included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_fleet_shows_one_of_each_problem() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    let vault = Vault::new();
    demo_sim::build_simulator();
    let _demo = csoc_app::demo::start(&store, &vault).await.unwrap();
    let t = plan(&store, &vault, &SweepScope::All).unwrap();
    let result = sweep::run(t, &SweepOptions::default(), CancellationToken::new(), |_| {}).await.unwrap();
    let report = history::record(&store, &result).unwrap();
    assert!(report.changes.iter().any(|c| c.commons_name == "Kidney Atlas" && c.to == ServiceState::Down));
    assert!(
        report.changes.iter().any(|c| c.commons_name == "Pediatric Cancer Commons" && c.service == checks::JWKS),
        "the key change is an event of the first sweep: {:?}",
        report.changes
    );
    let notices = csoc_monitor::notify::notices(&report);
    assert!(
        notices.iter().any(|n| n.title == "Pediatric Cancer Commons: fence's signing keys needs a look"),
        "{notices:?}"
    );
    let view = views::fleet(&store, &InventoryFilter::default()).unwrap();
    let row = |name: &str| view.rows.iter().find(|r| r.commons.draft.name == name).unwrap().clone();
    let s = &view.summary;
    assert_eq!((s.commons_down, s.services_down, s.certs_expiring, s.drifting), (1, 1, 1, 1), "{s:?}");
    let failing = |name: &str, id: &str| {
        let c = check(&row(name), id);
        assert!(!c.ok, "{name} {id}: {c:?}");
    };
    failing("Veterinary Commons", checks::ISSUER);
    failing("Imaging Hub", checks::LOGIN_PROVIDERS);
    failing("Data Explorer Sandbox", checks::ETL_AGE);
    failing("Biomedical Research Hub", checks::MESH_DIST);
    assert!(check(&row("Biomedical Research Hub"), checks::MESH_WTS).ok);
    let legacy = row("Legacy Commons");
    assert_eq!(legacy.helm, Some(false));
    assert_eq!(service(&legacy, "manifestservice").0, ServiceState::NotDeployed);
    let minimal = row("Minimal Commons");
    assert_eq!(minimal.overall, ServiceState::Healthy, "{:?}", minimal.services);
    assert_eq!(service(&minimal, "hatchery").0, ServiceState::NeedsKey);
    failing("Pediatric Cancer Commons", checks::JWKS);
    assert!(check(&row("Pediatric Cancer Commons"), checks::JWKS).summary.contains("changed"));
    assert!(row("Genomics Data Commons").checks.iter().all(|c| c.ok), "a commons with nothing wrong passes");
    assert!(s.checks_failing >= 5, "{s:?}");
}

/// Versions and other server text are stored without control characters and bounded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_text_is_cleaned_before_it_is_stored() {
    let hostile = format!("2025.09\u{1b}[2J\u{0}\u{202e}{}", "x".repeat(500));
    let w = world(vec![CommonsSpec { version: hostile, ..CommonsSpec::new("loud") }]).await;
    sweep_once(&w, SweepScope::All).await;
    let h = health(&w, "loud");
    let fence = h.services.iter().find(|s| s.service == "fence").unwrap().version.clone().unwrap();
    assert!(fence.starts_with("2025.09[2J"), "{fence:?}");
    assert!(!fence.chars().any(|c| c.is_control() || c == '\u{202e}'), "{fence:?}");
    assert_eq!(fence.chars().count(), VERSION_CHARS, "bounded: {fence:?}");
    w.fleet.shutdown().await;
}
