//! The Gen3 client against the fleet simulator on loopback: the key exchange and every fault mode
//! end in a clear, stable error within bounded time, never a panic or a raw library message.

use std::time::{Duration, Instant};

use csoc_gen3::{ClientOptions, Gen3Client};
use csoc_model::credentials::parse_credentials;
use csoc_model::error::{CoreError, ErrorCode};
use gen3_sim::{CommonsSpec, Fault, Fleet, MintOptions, Service, TlsMode};

fn opts() -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(2),
        max_body_bytes: 1024 * 1024,
        extra_ca_pem: None,
    }
}

fn client(fleet: &Fleet, name: &str, key: MintOptions, opts: ClientOptions) -> Gen3Client {
    let creds = fleet.mint_credentials(name, key).to_string();
    let key = parse_credentials(&creds).expect("minted credentials parse");
    assert_eq!(key.info.commons_url, fleet.base_url(name), "commons URL comes from iss");
    Gen3Client::new(&fleet.base_url(name), Some(key), opts).unwrap()
}

/// Asserts a stable code, a message in words, and no internals leaking into it.
fn assert_clear(result: Result<impl std::fmt::Debug, CoreError>, code: ErrorCode, words: &str, started: Instant) {
    let err = result.expect_err("expected a failure");
    assert_eq!(err.code, code, "{}", err.message);
    assert!(err.message.to_lowercase().contains(words), "{words:?} not in {:?}", err.message);
    for raw in ["reqwest", "hyper", "rustls", "error sending request", "os error", "Kind("] {
        assert!(!err.message.contains(raw), "raw library text {raw:?} in {:?}", err.message);
    }
    assert!(started.elapsed() < Duration::from_secs(6), "took {:?}", started.elapsed());
}

async fn fleet() -> Fleet {
    let mut specs: Vec<CommonsSpec> = ["ok", "faulty", "other"].iter().map(|n| CommonsSpec::new(n)).collect();
    for (name, tls) in [("ca", TlsMode::TrustedCa), ("selfsigned", TlsMode::SelfSigned), ("expired", TlsMode::Expired)]
    {
        specs.push(CommonsSpec { tls, ..CommonsSpec::new(name) });
    }
    Fleet::start(specs).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exchange_then_user_and_the_token_is_reused() {
    let fleet = fleet().await;
    let c = client(&fleet, "ok", MintOptions { user_name: "ops@example.org".into(), ..Default::default() }, opts());
    assert_eq!(c.current_user().await.unwrap(), "ops@example.org");
    assert_eq!(c.current_user().await.unwrap(), "ops@example.org");
    let requests = fleet.requests("ok");
    let exchanges = requests.iter().filter(|r| r.path.starts_with("/user/credentials/api/access_token")).count();
    assert_eq!(exchanges, 1, "the access token is cached in memory and reused");
    let user_calls: Vec<_> = requests.iter().filter(|r| r.path == "/user/user/").collect();
    assert_eq!(user_calls.len(), 2);
    assert!(user_calls.iter().all(|r| r.header("authorization").is_some_and(|a| a.starts_with("bearer "))));
    let mds = c.get_json("/mds/_status", false).await.unwrap();
    assert_eq!(mds["status"], "OK");
    fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_and_revoked_keys_are_told_apart() {
    let fleet = fleet().await;
    let t = Instant::now();
    let expired = client(&fleet, "ok", MintOptions { expires_in_secs: -60, ..Default::default() }, opts());
    assert_clear(expired.current_user().await, ErrorCode::KeyExpired, "expired", t);

    let jti = "revoked-key-1".to_string();
    let revoked = client(&fleet, "ok", MintOptions { jti: Some(jti.clone()), ..Default::default() }, opts());
    fleet.revoke("ok", &jti);
    assert_clear(revoked.current_user().await, ErrorCode::KeyRejected, "rejected", t);

    // fence exchanges only keys with its `fence` scope, and `/user/user` needs `user` in the token.
    let scopes = |s: &[&str]| MintOptions { scopes: s.iter().map(|s| s.to_string()).collect(), ..Default::default() };
    let unfenced = client(&fleet, "ok", scopes(&["openid", "user", "data"]), opts());
    assert_clear(unfenced.current_user().await, ErrorCode::KeyRejected, "lacks the “fence” scope", t);
    let userless = client(&fleet, "ok", scopes(&["fence", "openid", "data"]), opts());
    assert_clear(userless.current_user().await, ErrorCode::Unauthorized, "without the “user” scope", t);

    // A key from another commons, handed to a client for this one: it is bound to its issuer's
    // origin, so it is refused before anything is sent here.
    let foreign = parse_credentials(&fleet.mint_credentials("other", MintOptions::default()).to_string()).unwrap();
    let c = Gen3Client::new(&fleet.base_url("ok"), Some(foreign), opts()).unwrap();
    let before = fleet.requests("ok").iter().filter(|r| r.path.contains("access_token")).count();
    assert_clear(c.current_user().await, ErrorCode::KeySetAside, "not sent", Instant::now());
    let after = fleet.requests("ok").iter().filter(|r| r.path.contains("access_token")).count();
    assert_eq!(before, after, "a foreign key was posted to this commons");
    fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_mode_gives_a_clear_error_in_bounded_time() {
    let fleet = fleet().await;
    let c = client(&fleet, "faulty", MintOptions::default(), opts());
    let cases: Vec<(Option<Service>, Fault, ErrorCode, &str)> = vec![
        (Some(Service::Metadata), Fault::Status500, ErrorCode::Unreachable, "server error"),
        (Some(Service::Metadata), Fault::Down, ErrorCode::Unreachable, "server error"),
        (Some(Service::Metadata), Fault::Html, ErrorCode::NotGen3, "web page"),
        (Some(Service::Metadata), Fault::Garbage, ErrorCode::MalformedResponse, "not valid json"),
        (Some(Service::Metadata), Fault::TruncatedJson, ErrorCode::MalformedResponse, "cut off"),
        (Some(Service::Metadata), Fault::HugeBody(50 * 1024 * 1024), ErrorCode::MalformedResponse, "more than"),
        (Some(Service::Metadata), Fault::Timeout, ErrorCode::Unreachable, "did not answer"),
        (Some(Service::Metadata), Fault::Slow(Duration::from_secs(5)), ErrorCode::Unreachable, "did not answer"),
        (None, Fault::Down, ErrorCode::Unreachable, "refused"),
        (Some(Service::Metadata), Fault::RedirectTo("other".into()), ErrorCode::NotGen3, "redirects to another host"),
    ];
    for (service, fault, code, words) in cases {
        fleet.set_fault("faulty", service, Some(fault.clone()));
        let t = Instant::now();
        let result = c.get_json("/mds/_status", false).await;
        fleet.set_fault("faulty", service, None);
        let err = result.as_ref().err().cloned();
        assert_clear(result, code, words, t);
        eprintln!("{fault:?}: {}", err.unwrap().message);
    }
    // A slow answer inside the timeout is fine.
    fleet.set_fault("faulty", Some(Service::Metadata), Some(Fault::Slow(Duration::from_millis(300))));
    assert_eq!(c.get_json("/mds/_status", false).await.unwrap()["status"], "OK");
    fleet.set_fault("faulty", Some(Service::Metadata), None);
    fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_credentials_follow_a_redirect_to_another_host() {
    let fleet = fleet().await;
    let c = client(&fleet, "faulty", MintOptions::default(), opts());
    fleet.set_fault("faulty", Some(Service::Fence), Some(Fault::RedirectTo("other".into())));
    let t = Instant::now();
    assert_clear(c.current_user().await, ErrorCode::NotGen3, "redirects to another host", t);
    let leaked: Vec<_> = fleet
        .requests("other")
        .into_iter()
        .filter(|r| r.header("authorization").is_some() || r.path.contains("access_token"))
        .collect();
    assert!(leaked.is_empty(), "credentials reached the other host: {leaked:?}");
    fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_is_always_verified_and_a_private_ca_can_be_added() {
    let fleet = fleet().await;
    let t = Instant::now();
    for (name, words) in [("selfsigned", "not signed by an authority"), ("ca", "not signed by an authority")] {
        let c = client(&fleet, name, MintOptions::default(), opts());
        assert_clear(c.get_json("/mds/_status", false).await, ErrorCode::Tls, words, t);
    }
    let with_ca = ClientOptions { extra_ca_pem: Some(fleet.ca_pem()), ..opts() };
    let expired = client(&fleet, "expired", MintOptions::default(), with_ca.clone());
    assert_clear(expired.get_json("/mds/_status", false).await, ErrorCode::Tls, "expired", t);
    let trusted = client(&fleet, "ca", MintOptions::default(), with_ca);
    assert_eq!(trusted.current_user().await.unwrap(), "test-user@example.org");
    fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unresolvable_hosts_and_closed_ports_are_unreachable() {
    let t = Instant::now();
    let c = Gen3Client::new("https://no-such-commons.invalid", None, opts()).unwrap();
    assert_clear(c.get_json("/user/_status", false).await, ErrorCode::Unreachable, "cannot be reached", t);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let c = Gen3Client::new(&format!("http://127.0.0.1:{port}"), None, opts()).unwrap();
    assert_clear(c.get_json("/user/_status", false).await, ErrorCode::Unreachable, "refused", t);
}

/// Reads one HTTP request (headers only: these are GETs) from `conn`; false at end of stream.
fn read_request(conn: &mut std::net::TcpStream) -> bool {
    use std::io::Read;
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(b"\r\n\r\n") {
        match conn.read(&mut byte) {
            Ok(1) => seen.push(byte[0]),
            _ => return false,
        }
    }
    true
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_get_on_a_keep_alive_connection_the_server_just_closed_is_sent_again() {
    use std::io::Write;
    const ANSWER: &[u8] =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"status\":\"OK\"}";
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // The first connection answers one request, then takes the next and closes without an answer
    // (as a load balancer dropping an idle connection while the request crosses it); the second answers.
    let server = std::thread::spawn(move || {
        let (mut first, _) = listener.accept().unwrap();
        assert!(read_request(&mut first));
        first.write_all(ANSWER).unwrap();
        assert!(read_request(&mut first), "the second GET reuses the kept-alive connection");
        drop(first);
        let (mut second, _) = listener.accept().unwrap();
        assert!(read_request(&mut second));
        second.write_all(ANSWER).unwrap();
    });
    let c = Gen3Client::new(&format!("http://127.0.0.1:{port}"), None, opts()).unwrap();
    assert_eq!(c.get_json("/mds/_status", false).await.unwrap()["status"], "OK");
    let again = c.get_json("/mds/_status", false).await;
    assert_eq!(again.expect("sent again on a new connection")["status"], "OK");
    server.join().expect("the server saw both connections as planned");
}
