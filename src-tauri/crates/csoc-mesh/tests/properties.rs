//! Property tests for every parser that reads an operator's file or a server's answer: whatever
//! the bytes, the parser returns (a value or a `CoreError` in words), never panics, and does not
//! hang (each case runs under proptest's per-case timeout). Inputs are both arbitrary text and
//! text shaped like the real thing, so the parsers' deeper paths are reached too.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use csoc_deploy::yaml::{parse_yaml, yaml_to_json};
use csoc_mesh::aggmds::parse_aggmds;
use csoc_model::credentials::{parse_api_key, parse_credentials, scan_profiles};
use csoc_model::secret::{Secret, SecretKind};
use csoc_store::{Store, DB_FILE};
use csoc_test_support::parsers::{config, jsonish, readable, yamlish};
use proptest::prelude::*;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn yaml_never_panics(text in prop_oneof![yamlish(), jsonish(), any::<String>()]) {
        if let Ok(doc) = parse_yaml(&text, "values.yaml") {
            let _ = yaml_to_json(&doc);
        } else if let Err(e) = parse_yaml(&text, "values.yaml") {
            readable(&e.message);
        }
    }

    #[test]
    fn aggmds_never_panics(text in prop_oneof![jsonish(), yamlish(), any::<String>()]) {
        if let Err(e) = parse_aggmds(&text, "aggmds.json") { readable(&e.message) }
    }

    #[test]
    fn credentials_and_jwts_never_panic(
        claims in jsonish(),
        header in any::<Vec<u8>>(),
        sig in "[A-Za-z0-9_=.-]{0,20}",
        raw in any::<String>(),
        key_id in prop::option::of("[a-z0-9-]{0,12}"),
    ) {
        let jwt = format!("{}.{}.{sig}", b64(&header), b64(claims.as_bytes()));
        for candidate in [jwt.clone(), raw.clone()] {
            if let Err(e) = parse_api_key(Secret::new(SecretKind::ApiKey, candidate.clone())) { readable(&e.message) }
            let file = serde_json::json!({"api_key": candidate, "key_id": key_id}).to_string();
            if let Err(e) = parse_credentials(&file) { readable(&e.message) }
        }
        if let Err(e) = parse_credentials(&raw) { readable(&e.message) }
    }

    #[test]
    fn profile_folders_never_panic(ini in any::<String>(), json in jsonish()) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("gen3_client_config.ini"), format!("[p]\napi_key={ini}\n{ini}")).unwrap();
        std::fs::write(dir.path().join("x.json"), &json).unwrap();
        for found in scan_profiles(dir.path()) {
            if let Err(e) = found.key { readable(&e.message) }
        }
    }

    #[test]
    fn inventory_files_never_panic(text in prop_oneof![jsonish(), any::<String>()], bytes in any::<Vec<u8>>()) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
        let shaped = format!(r#"{{"format": "gen3-csoc-inventory", "version": 1, "exported_at": 0, "commons": [{text}]}}"#);
        for input in [text.as_bytes(), shaped.as_bytes(), &bytes] {
            if let Err(e) = csoc_store::transfer::import_bytes(&store, input) { readable(&e.message) }
        }
    }

    #[test]
    fn certificate_dates_never_panic(der in any::<Vec<u8>>()) {
        let _ = csoc_gen3::tls_cert::not_after(&der);
    }
}

/// What the hostile server answers: every request the same status, content type and body, except
/// the API key exchange when `token` is set (so the authenticated probes are reached too).
#[derive(Clone, Default)]
struct Answer {
    status: u16,
    content_type: String,
    body: Vec<u8>,
    token: Option<Vec<u8>>,
}

/// A loopback server answering every request with the current [`Answer`].
struct HostileServer {
    url: String,
    answer: Arc<Mutex<Answer>>,
    /// Key exchanges asked for: the authenticated probes were reached.
    exchanges: Arc<std::sync::atomic::AtomicUsize>,
}

fn hostile_server() -> HostileServer {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let answer = Arc::new(Mutex::new(Answer::default()));
    let exchanges = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (shared, counted) = (answer.clone(), exchanges.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (shared, counted) = (shared.clone(), counted.clone());
            std::thread::spawn(move || {
                let mut stream = stream;
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let mut buf = [0u8; 8192];
                let n = std::io::Read::read(&mut stream, &mut buf).unwrap_or(0);
                let answer = shared.lock().unwrap().clone();
                let exchange = buf[..n].windows(13).any(|w| w == b"/access_token");
                if exchange {
                    counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                let (status, content_type, body) = match answer.token {
                    Some(token) if exchange => (200, "application/json".to_string(), token),
                    _ => (answer.status, answer.content_type, answer.body),
                };
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            });
        }
    });
    HostileServer { url, answer, exchanges }
}

fn client_options() -> csoc_gen3::ClientOptions {
    csoc_test_support::client_options(Duration::from_secs(2))
}

/// An unsigned JWT with `claims` (the app never checks signatures; fence does).
fn jwt(claims: serde_json::Value) -> String {
    format!("{}.{}.sig", b64(br#"{"alg":"RS256","typ":"JWT"}"#), b64(claims.to_string().as_bytes()))
}

/// An API key issued by the server at `url`, so the client may exchange it there.
fn key_issued_by(url: &str) -> csoc_model::credentials::ApiKey {
    let claims = serde_json::json!({"pur": "api_key", "iss": format!("{url}/user"), "exp": 4_102_444_800i64,
        "iat": 0, "jti": "hostile-key", "sub": "7", "scope": ["user"]});
    parse_api_key(Secret::new(SecretKind::ApiKey, jwt(claims))).expect("a well-formed key")
}

/// A mesh hub (the server itself) with one member, as the sweep, mesh view and preview read it.
fn mesh_config(url: &str) -> csoc_mesh::aggmds::AggMdsConfig {
    let member = csoc_mesh::aggmds::MeshMemberSpec {
        name: "Member".into(),
        base_url: url.into(),
        mds_url: None,
        guid_type: None,
        study_field: None,
        field_mappings: None,
        select_field: None,
        keep_original_fields: true,
    };
    csoc_mesh::aggmds::generate(&[member], &Default::default()).expect("a one-member mesh")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..config() })]

    /// Every probe of a sweep (the public ones, and with a stored key the exchange, `/user/user`,
    /// the key list and the mesh checks), the mesh view, the mapping preview and the dictionary
    /// check read whatever a server answers.
    #[test]
    fn probe_mesh_and_dictionary_answers_never_panic(
        body in prop_oneof![jsonish().prop_map(String::into_bytes), any::<Vec<u8>>()],
        status in prop_oneof![Just(200u16), Just(401), Just(404), Just(500), 100u16..600],
        html in any::<bool>(),
        with_key in any::<bool>(),
        token in prop_oneof![
            Just(None),
            Just(Some(serde_json::json!({"access_token": jwt(serde_json::json!({"exp": 4_102_444_800i64}))}).to_string())),
            jsonish().prop_map(Some),
        ],
    ) {
        static SERVER: std::sync::OnceLock<HostileServer> = std::sync::OnceLock::new();
        let server = SERVER.get_or_init(hostile_server);
        let content_type = if html { "text/html".into() } else { "application/json".into() };
        *server.answer.lock().unwrap() = Answer { status, content_type, body, token: token.map(String::into_bytes) };
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let exchanges_before = server.exchanges.load(std::sync::atomic::Ordering::SeqCst);
        let target = csoc_monitor::sweep::SweepTarget {
            commons_id: "hostile".into(),
            base_url: server.url.clone(),
            api_key: with_key.then(|| Ok(key_issued_by(&server.url))),
            ca_pem: None,
        };
        let member = csoc_monitor::checks::MeshMember {
            commons_id: "member".into(),
            name: "Member".into(),
            base_url: server.url.clone(),
        };
        let known = csoc_monitor::probe::Known { mesh_members: Some(vec![member]), ..Default::default() };
        let opts = csoc_monitor::sweep::SweepOptions {
            concurrency: 4,
            ..csoc_test_support::sweep_options(Duration::from_secs(2), 0, Duration::from_secs(2))
        };
        let result = rt.block_on(csoc_monitor::sweep::run(
            csoc_monitor::SweepPlan {
                targets: vec![target],
                known: [("hostile".to_string(), known)].into(),
                checks: csoc_monitor::checks::CheckPolicy { etl_stale_secs: 7 * 86_400 },
            },
            &opts,
            tokio_util::sync::CancellationToken::new(),
            |_| {},
        ));
        prop_assert!(result.is_ok());
        let exchanged = server.exchanges.load(std::sync::atomic::Ordering::SeqCst) > exchanges_before;
        // The key goes to its issuer only; an answer that is not HTTP (a bare 1xx) is no commons
        // to check a key with.
        prop_assert!(!exchanged || with_key, "no key was stored, yet one was exchanged");
        prop_assert!(exchanged || !with_key || status < 200, "the stored key was not checked");
        let dict = rt.block_on(csoc_deploy::dictionary::check_dictionary(&format!("{}/schema.json", server.url)));
        if let Err(e) = dict { readable(&e.message) }

        use csoc_mesh::{mapping, view};
        let hub = view::HubTarget { base_url: server.url.clone(), ca_pem: None };
        let member = view::MemberTarget {
            commons_id: None,
            name: "Member".into(),
            base_url: server.url.clone(),
            ca_pem: None,
            health: None,
            guid_type: None,
        };
        let report = rt.block_on(view::mesh_health(Some(&hub), &[member], &["Member".into()], &client_options()));
        for e in report.members.iter().filter_map(|m| m.error.as_ref()) { readable(&e.message) }
        let cfg = mesh_config(&server.url);
        let members: Vec<mapping::PreviewMember> = cfg
            .adapter_commons
            .iter()
            .map(|(name, adapter)| mapping::PreviewMember { name: name.clone(), adapter: adapter.clone(), ca_pem: None })
            .collect();
        for p in rt.block_on(mapping::preview(&members, &cfg.schema(), 3, &client_options())) {
            if let Some(e) = &p.error { readable(&e.message) }
        }
    }
}
