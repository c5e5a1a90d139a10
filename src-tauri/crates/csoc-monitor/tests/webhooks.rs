//! Webhooks against a local receiver over loopback HTTP: Slack and generic payloads arrive, a
//! failing receiver is retried a bounded number of times, a revoked URL is not retried, a receiver
//! that never answers does not hold up the next sweep, and the URL is kept in the vault (the real
//! OS keyring: scripts/test.sh runs this inside `dbus-run-session`), never in the cache in the clear.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use csoc_model::secret::{Secret, SecretKind};
use csoc_monitor::history::{AlertKind, ExpiryAlert, StateChange, SweepReport};
use csoc_monitor::probe::ServiceState;
use csoc_monitor::webhooks::{self, RetryPolicy, Target, WebhookKind};
use csoc_store::{Store, DB_FILE};
use csoc_vault::Vault;
use http_body_util::{BodyExt, Full};

/// A local webhook receiver answering every request with `status`, after `gate` lets it (if set).
struct Receiver {
    addr: SocketAddr,
    bodies: Arc<Mutex<Vec<serde_json::Value>>>,
    hits: Arc<AtomicU32>,
    gate: Arc<tokio::sync::Semaphore>,
}

async fn receiver(status: u16, open: bool) -> Receiver {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let hits = Arc::new(AtomicU32::new(0));
    let gate = Arc::new(tokio::sync::Semaphore::new(if open { 1_000 } else { 0 }));
    let (b, h, g) = (bodies.clone(), hits.clone(), gate.clone());
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let (b, h, g) = (b.clone(), h.clone(), g.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let (b, h, g) = (b.clone(), h.clone(), g.clone());
                    async move {
                        h.fetch_add(1, Ordering::SeqCst);
                        let body = req.into_body().collect().await.unwrap().to_bytes();
                        b.lock().unwrap().push(serde_json::from_slice(&body).unwrap());
                        let _permit = g.acquire().await.unwrap();
                        Ok::<_, Infallible>(
                            hyper::Response::builder().status(status).body(Full::new(Bytes::from("ok"))).unwrap(),
                        )
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Receiver { addr, bodies, hits, gate }
}

fn report() -> SweepReport {
    SweepReport {
        probed: 2,
        reachable: 2,
        cancelled: false,
        changes: vec![StateChange {
            commons_id: "c1".into(),
            commons_name: "AIDS Data Hub".into(),
            service: "fence".into(),
            from: ServiceState::Healthy,
            to: ServiceState::Down,
            at: 1,
            detail: Some("revproxy cannot reach fence (HTTP 502)".into()),
        }],
        alerts: vec![ExpiryAlert {
            commons_id: "c2".into(),
            commons_name: "BRH".into(),
            kind: AlertKind::Certificate,
            expires_at: 2,
            threshold_days: 7,
        }],
    }
}

fn target(kind: WebhookKind, r: &Receiver) -> Target {
    Target { kind, url: Secret::new(SecretKind::WebhookUrl, format!("http://{}/hook", r.addr)) }
}

fn quick() -> RetryPolicy {
    RetryPolicy { attempts: 3, backoff: Duration::from_millis(20), timeout: Duration::from_secs(5) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_and_generic_payloads_arrive_at_a_local_receiver() {
    let slack = receiver(200, true).await;
    let generic = receiver(200, true).await;
    let targets = vec![target(WebhookKind::Slack, &slack), target(WebhookKind::Generic, &generic)];
    let deliveries = webhooks::dispatch(targets, &report(), quick()).await.unwrap();
    assert!(deliveries.iter().all(|d| d.delivered && d.attempts == 1), "{deliveries:?}");
    let text = slack.bodies.lock().unwrap()[0]["text"].as_str().unwrap().to_string();
    assert!(text.contains("*AIDS Data Hub: fence is down*"), "{text}");
    assert!(text.contains("BRH: the TLS certificate expires within 7 days"), "{text}");
    let g = generic.bodies.lock().unwrap()[0].clone();
    assert_eq!(g["source"], "gen3-csoc");
    assert_eq!(g["changes"][0]["to"], "down");
    assert_eq!(g["alerts"][0]["kind"], "certificate");
    assert_eq!(g["notices"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_receiver_is_retried_a_bounded_number_of_times_and_a_refusal_is_not() {
    let failing = receiver(503, true).await;
    let d = webhooks::dispatch(vec![target(WebhookKind::Slack, &failing)], &report(), quick()).await.unwrap();
    assert_eq!((d[0].delivered, d[0].attempts), (false, 3));
    assert_eq!(failing.hits.load(Ordering::SeqCst), 3, "three tries, then it stops");
    assert_eq!(d[0].error.as_deref(), Some("it answered HTTP 503"));

    let revoked = receiver(404, true).await;
    let d = webhooks::dispatch(vec![target(WebhookKind::Generic, &revoked)], &report(), quick()).await.unwrap();
    assert_eq!((d[0].delivered, d[0].attempts), (false, 1));
    assert_eq!(revoked.hits.load(Ordering::SeqCst), 1);

    // Nobody listening: each try fails to connect, and the error does not carry the URL.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let gone = Target {
        kind: WebhookKind::Slack,
        url: Secret::new(SecretKind::WebhookUrl, format!("http://127.0.0.1:{port}/secret-path")),
    };
    let d = webhooks::dispatch(vec![gone], &report(), quick()).await.unwrap();
    assert_eq!(d[0].attempts, 3);
    assert!(!d[0].error.as_deref().unwrap().contains("secret-path"), "{:?}", d[0].error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_does_not_answer_never_holds_up_the_sweep() {
    let stuck = receiver(200, false).await;
    let fleet = gen3_sim::Fleet::start(vec![gen3_sim::CommonsSpec::new("a")]).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    let draft = csoc_model::model::CommonsDraft::new("a", fleet.base_url("a"), csoc_model::model::Environment::Dev);
    csoc_store::inventory::create(&store, &draft).unwrap();
    let vault = Vault::new();
    let policy = RetryPolicy { attempts: 2, backoff: Duration::from_millis(10), timeout: Duration::from_secs(600) };
    let pending = webhooks::dispatch(vec![target(WebhookKind::Slack, &stuck)], &report(), policy);
    while stuck.hits.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The webhook is still waiting for its answer while a whole sweep runs and is recorded.
    let plan = csoc_monitor::plan(&store, &vault, &csoc_monitor::SweepScope::All).unwrap();
    let result = csoc_monitor::sweep::run(plan, &Default::default(), Default::default(), |_| {}).await.unwrap();
    let recorded = csoc_monitor::history::record(&store, &result).unwrap();
    assert_eq!(recorded.probed, 1);
    assert!(!pending.is_finished(), "the delivery is still waiting on the receiver");
    stuck.gate.add_permits(10);
    let d = pending.await.unwrap();
    assert!(d[0].delivered);
    fleet.shutdown().await;
}

#[test]
fn the_webhook_url_is_kept_in_the_vault_never_in_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    let vault = Vault::new();
    let url = "https://hooks.slack.com/services/T000/B000/CanaryWebhookToken42";
    let secret = Secret::new(SecretKind::WebhookUrl, url.into());
    if let Err(e) = webhooks::set(&store, &vault, WebhookKind::Slack, Some(&secret)) {
        assert_eq!(e.code, csoc_model::error::ErrorCode::KeyringUnavailable, "{e:?}");
        eprintln!("SKIPPED: no OS keyring here ({}); scripts/test.sh runs this inside dbus-run-session", e.message);
        return;
    }
    assert_eq!(webhooks::configured(&store, &vault).unwrap(), [WebhookKind::Slack]);
    let targets = webhooks::targets_for(&store, &Vault::new(), &report()).unwrap();
    assert_eq!((targets[0].kind, targets[0].url.expose()), (WebhookKind::Slack, url));
    // A sweep with nothing new sends nothing (once per change: a sweep reports each change once).
    assert!(webhooks::targets_for(&store, &vault, &SweepReport::default()).unwrap().is_empty());
    drop(targets);
    drop(store);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(20).any(|w| w == b"CanaryWebhookToken42"[..20].as_ref()), "the URL is in a file");
    }
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    let plain = Secret::new(SecretKind::WebhookUrl, "http://hooks.example.org/x".into());
    let err = webhooks::set(&store, &vault, WebhookKind::Generic, Some(&plain)).unwrap_err();
    assert!(err.message.contains("https"), "{}", err.message);
    webhooks::set(&store, &vault, WebhookKind::Slack, None).unwrap();
    assert!(webhooks::configured(&store, &vault).unwrap().is_empty());
}
