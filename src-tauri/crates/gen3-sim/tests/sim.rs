//! The simulator answers like the real Gen3 services (GEN3.md sections 2 and 9), faults included.

use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use gen3_sim::{CommonsSpec, Fault, Fleet, MintOptions, Service, TlsMode};
use serde_json::{json, Value};

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(20)).build().unwrap()
}

fn no_redirect_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

fn claims(jwt: &str) -> Value {
    let p = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
}

fn header(jwt: &str) -> Value {
    let p = jwt.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
}

/// Whether `jwt`'s RS256 signature verifies under the PEM public key (what a Gen3 service does with
/// fence's `/user/jwt/keys`).
fn signed_by(jwt: &str, public_pem: &str) -> bool {
    use rsa::pkcs8::DecodePublicKey as _;
    use rsa::signature::Verifier as _;
    let key = rsa::RsaPublicKey::from_public_key_pem(public_pem).unwrap();
    let verifying = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key);
    let (signed, sig) = jwt.rsplit_once('.').unwrap();
    let Ok(sig) = URL_SAFE_NO_PAD.decode(sig) else { return false };
    let Ok(sig) = rsa::pkcs1v15::Signature::try_from(sig.as_slice()) else { return false };
    verifying.verify(signed.as_bytes(), &sig).is_ok()
}

fn ctype(r: &reqwest::Response) -> String {
    r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

async fn get(url: String) -> (u16, String, String) {
    let r = client().get(url).send().await.unwrap();
    let status = r.status().as_u16();
    let ct = ctype(&r);
    (status, ct, r.text().await.unwrap())
}

async fn one(name: &str) -> (Fleet, String) {
    let fleet = Fleet::start(vec![CommonsSpec::new(name)]).await.unwrap();
    let base = fleet.base_url(name);
    (fleet, base)
}

async fn exchange_json(base: &str, body: Value, query: &str) -> reqwest::Response {
    client().post(format!("{base}/user/credentials/api/access_token{query}")).json(&body).send().await.unwrap()
}

// ---------------------------------------------------------------------------------------------
// routes

#[tokio::test]
async fn health_and_version_routes_answer_like_the_real_services() {
    let mut spec = CommonsSpec::new("alpha");
    spec.version = "2024.11".into();
    let fleet = Fleet::start(vec![spec]).await.unwrap();
    let b = fleet.base_url("alpha");
    assert!(b.starts_with("http://127.0.0.1:"), "{b}");

    let (s, ct, body) = get(format!("{b}/_status")).await;
    assert_eq!((s, ct.as_str()), (200, "application/json"));
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["message"], "Feelin good!");
    assert!(!v["csrf"].as_str().unwrap().is_empty());

    let (s, ct, body) = get(format!("{b}/canary")).await;
    assert_eq!(s, 200);
    assert!(ct.starts_with("text/html"));
    assert!(body.contains("You are running the Helm version of this commons"));

    for p in
        ["/user/_status", "/index/_status", "/api/_status", "/peregrine/_status", "/wts/_status", "/manifests/_status"]
    {
        let (s, ct, body) = get(format!("{b}{p}")).await;
        assert_eq!((s, body.as_str()), (200, "Healthy"), "{p}");
        assert!(ct.starts_with("text/html"), "{p}: {ct}");
    }

    for p in ["/user/_version", "/index/_version", "/guppy/_version", "/wts/_version"] {
        let (s, ct, body) = get(format!("{b}{p}")).await;
        assert_eq!((s, ct.as_str()), (200, "application/json"), "{p}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["version"], "2024.11", "{p}");
        assert_eq!(v["commit"].as_str().unwrap().len(), 40, "{p}");
    }

    let (_, _, body) = get(format!("{b}/api/_version")).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["version"], "2024.11");
    assert!(v["dictionary"]["version"].is_string());
    assert_eq!(v["dictionary"]["commit"].as_str().unwrap().len(), 40);
    for p in ["/peregrine/_version", "/api/search/_version"] {
        let (s, _, body) = get(format!("{b}{p}")).await;
        assert_eq!(s, 200);
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["dictionary"]["commit"], "", "{p}");
    }

    // MDS: JSON status, version at /mds/version as a bare JSON string, no /mds/_version.
    let (s, ct, body) = get(format!("{b}/mds/_status")).await;
    assert_eq!((s, ct.as_str()), (200, "application/json"));
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "OK");
    assert_eq!(v["aggregate_metadata_enabled"], false);
    assert!(v["timestamp"].as_str().unwrap().ends_with("+00:00"));
    let (s, _, body) = get(format!("{b}/mds/version")).await;
    assert_eq!((s, body.as_str()), (200, "\"4.3.0\""));
    let (s, _, body) = get(format!("{b}/mds/_version")).await;
    assert_eq!(s, 404);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["detail"], "Not Found");

    let (s, _, body) = get(format!("{b}/guppy/_status")).await;
    assert_eq!(s, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["statusCode"], 200);
    assert!(v["warnings"].is_null());
    assert!(v["indices"].is_object());

    fleet.shutdown().await;
}

#[tokio::test]
async fn indexd_stats_and_drs_service_info_agree() {
    let fleet = Fleet::start(vec![CommonsSpec::new("a"), CommonsSpec::new("b")]).await.unwrap();
    let b = fleet.base_url("a");
    let (s, _, body) = get(format!("{b}/index/_stats")).await;
    assert_eq!(s, 200);
    let st: Value = serde_json::from_str(&body).unwrap();
    let (count, size) = (st["fileCount"].as_u64().unwrap(), st["totalFileSize"].as_u64().unwrap());
    assert!(count > 0 && size > 0);
    // deterministic
    let (_, _, again) = get(format!("{b}/index/_stats")).await;
    assert_eq!(body, again);
    let (_, _, other) = get(format!("{}/index/_stats", fleet.base_url("b"))).await;
    assert_ne!(body, other);

    let (s, ct, body) = get(format!("{b}/ga4gh/drs/v1/service-info")).await;
    assert_eq!((s, ct.as_str()), (200, "application/json"));
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["name"], "DRS System");
    assert_eq!(v["version"], "1.5.0");
    assert_eq!(v["type"]["group"], "org.ga4gh");
    assert_eq!(v["type"]["artifact"], "drs");
    assert!(v["organization"]["name"].is_string());
    assert_eq!(v["drs"]["objectCount"].as_u64(), Some(count));
    assert_eq!(v["drs"]["totalObjectSize"].as_u64(), Some(size));
    assert!(v["maxBulkRequestLength"].is_number());

    let (s, _, body) = get(format!("{b}/index/_dist")).await;
    assert_eq!((s, body.as_str()), (200, "[]"));
    let (s, _, body) = get(format!("{b}/index/no-such-did")).await;
    assert_eq!(s, 404);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["error"], "no record found");
    fleet.shutdown().await;
}

#[tokio::test]
async fn mds_discovery_metadata() {
    let (fleet, b) = one("m").await;
    let (s, _, body) = get(format!("{b}/mds/metadata?data=true&_guid_type=discovery_metadata&limit=100")).await;
    assert_eq!(s, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    let recs = v.as_object().unwrap();
    assert!(recs.len() >= 3);
    for (guid, r) in recs {
        assert_eq!(r["_guid_type"], "discovery_metadata");
        assert_eq!(r["gen3_discovery"]["study_id"], guid.as_str());
        assert!(r["gen3_discovery"]["project_title"].is_string());
        assert!(r["gen3_discovery"]["_subjects_count"].as_u64().unwrap() > 0);
    }
    let (_, _, body) = get(format!("{b}/mds/metadata?_guid_type=discovery_metadata&limit=2")).await;
    let l: Value = serde_json::from_str(&body).unwrap();
    let l = l.as_array().unwrap();
    assert_eq!(l.len(), 2);
    let guid = l[0].as_str().unwrap();
    assert!(recs.contains_key(guid));

    let (s, _, body) = get(format!("{b}/mds/metadata/{guid}")).await;
    assert_eq!(s, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), recs[guid]);
    let (s, ct, body) = get(format!("{b}/mds/metadata/nope")).await;
    assert_eq!((s, ct.as_str()), (404, "application/json"));
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), json!({"detail": "Not found: nope"}));
    let (_, _, body) = get(format!("{b}/mds/metadata?_guid_type=other&data=true")).await;
    assert_eq!(body, "{}");
    fleet.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// fence: API keys and access tokens

#[tokio::test]
async fn minted_credentials_look_like_credentials_json() {
    let (fleet, b) = one("fence").await;
    let creds = fleet.mint_credentials("fence", MintOptions::default());
    let obj = creds.as_object().unwrap();
    assert_eq!(obj.len(), 2);
    let key_id = creds["key_id"].as_str().unwrap();
    assert_eq!(key_id.len(), 36);
    let key = creds["api_key"].as_str().unwrap();
    let c = claims(key);
    assert_eq!(c["pur"], "api_key");
    assert_eq!(c["sub"], "1");
    assert_eq!(c["iss"], format!("{b}/user"));
    assert_eq!(c["aud"], json!(["gen3"]));
    assert_eq!(c["jti"], key_id);
    assert_eq!(c["azp"], "");
    assert_eq!(c["scope"], json!(["fence", "openid", "user", "data"]));
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 30 * 24 * 3600);
    let h = header(key);
    assert_eq!(h["alg"], "RS256");
    let kid = h["kid"].as_str().unwrap();

    // jwt/keys publishes the kid and the PEM public key
    let (s, _, body) = get(format!("{b}/user/jwt/keys")).await;
    assert_eq!(s, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["keys"][0][0], kid);
    assert!(v["keys"][0][1].as_str().unwrap().starts_with("-----BEGIN PUBLIC KEY-----"));
    assert!(signed_by(key, v["keys"][0][1].as_str().unwrap()), "the published key verifies the API key");
    assert!(!signed_by(&format!("{key}x"), v["keys"][0][1].as_str().unwrap()), "and only an intact one");

    let custom = fleet.mint_credentials(
        "fence",
        MintOptions {
            jti: Some("my-key".into()),
            sub: "42".into(),
            scopes: vec!["data".into()],
            ..MintOptions::default()
        },
    );
    assert_eq!(custom["key_id"], "my-key");
    let c = claims(custom["api_key"].as_str().unwrap());
    assert_eq!((c["sub"].clone(), c["scope"].clone()), (json!("42"), json!(["data"])));
    fleet.shutdown().await;
}

#[tokio::test]
async fn token_exchange_json_form_alias_and_expires_in_cap() {
    let (fleet, b) = one("f").await;
    let creds =
        fleet.mint_credentials("f", MintOptions { user_name: "ops@example.org".into(), ..MintOptions::default() });
    let api_key = creds["api_key"].as_str().unwrap();

    // JSON body, whole credentials.json (extra key_id ignored)
    let r = exchange_json(&b, creds.clone(), "").await;
    assert_eq!(r.status(), 200);
    assert_eq!(ctype(&r), "application/json");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v.as_object().unwrap().len(), 1);
    let tok = v["access_token"].as_str().unwrap();
    let c = claims(tok);
    assert_eq!(c["pur"], "access");
    assert_eq!(c["iss"], format!("{b}/user"));
    assert_eq!(c["aud"], json!(["gen3"]));
    assert_eq!(c["sub"], "1");
    assert_eq!(c["azp"], "");
    assert_eq!(c["scope"], json!(["fence", "openid", "user", "data"]));
    assert_eq!(
        c["context"],
        json!({"user": {"name": "ops@example.org", "is_admin": false, "google": {"proxy_group": null}}})
    );
    assert!(c["jti"].as_str().unwrap() != creds["key_id"].as_str().unwrap());
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 3600);
    assert_eq!(header(tok)["kid"], header(api_key)["kid"]);

    // the cdis alias and form encoding
    let r = client()
        .post(format!("{b}/user/credentials/cdis/access_token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("api_key={api_key}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(v["access_token"].is_string());

    // expires_in: capped at 3600, smaller honoured
    for (q, want) in [("?expires_in=99999", 3600), ("?expires_in=60", 60)] {
        let r = exchange_json(&b, json!({"api_key": api_key}), q).await;
        assert_eq!(r.status(), 200, "{q}");
        let v: Value = r.json().await.unwrap();
        let c = claims(v["access_token"].as_str().unwrap());
        assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), want, "{q}");
    }
    fleet.shutdown().await;
}

#[tokio::test]
async fn token_exchange_errors_are_html_pages() {
    let (fleet, b) = one("f").await;
    let good = fleet.mint_credentials("f", MintOptions::default());

    let send = |body: Value| {
        client()
            .post(format!("{b}/user/credentials/api/access_token"))
            .header("accept", "application/json")
            .json(&body)
            .send()
    };
    // missing api_key → 400 HTML
    for body in [json!({}), json!({"key_id": "x"}), json!({"api_key": ""})] {
        let r = send(body.clone()).await.unwrap();
        assert_eq!(r.status(), 400, "{body}");
        assert!(ctype(&r).starts_with("text/html"));
        assert!(r.text().await.unwrap().contains("api_key"));
    }
    let r = client().post(format!("{b}/user/credentials/api/access_token")).send().await.unwrap();
    assert_eq!(r.status(), 400);

    // garbage → 401 HTML
    for key in ["garbage", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30.AAAA"] {
        let r = send(json!({"api_key": key})).await.unwrap();
        assert_eq!(r.status(), 401, "{key}");
        assert!(ctype(&r).starts_with("text/html"), "{key}");
        assert!(r.text().await.unwrap().contains("<html"));
    }

    // tampered signature
    let k = good["api_key"].as_str().unwrap();
    let mut tampered = k.to_string();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(send(json!({"api_key": tampered})).await.unwrap().status(), 401);

    // expired key
    let expired = fleet.mint_credentials("f", MintOptions { expires_in_secs: -10, ..MintOptions::default() });
    let r = send(expired).await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(ctype(&r).starts_with("text/html"));

    // revoked key
    let revoked = fleet.mint_credentials("f", MintOptions::default());
    assert_eq!(send(revoked.clone()).await.unwrap().status(), 200);
    fleet.revoke("f", revoked["key_id"].as_str().unwrap());
    let r = send(revoked).await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(ctype(&r).starts_with("text/html"));
    // the other key still works
    assert_eq!(send(good.clone()).await.unwrap().status(), 200);

    // an access token is not an API key (pur)
    let v: Value = send(good).await.unwrap().json().await.unwrap();
    let r = send(json!({"api_key": v["access_token"]})).await.unwrap();
    assert_eq!(r.status(), 401);

    // GET is not allowed
    let r = client().get(format!("{b}/user/credentials/api/access_token")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    fleet.shutdown().await;
}

#[tokio::test]
async fn key_from_one_commons_is_refused_by_another() {
    let fleet = Fleet::start(vec![CommonsSpec::new("a"), CommonsSpec::new("b")]).await.unwrap();
    let creds = fleet.mint_credentials("a", MintOptions::default());
    let r = exchange_json(&fleet.base_url("b"), creds.clone(), "").await;
    assert_eq!(r.status(), 401);
    let r = exchange_json(&fleet.base_url("a"), creds, "").await;
    assert_eq!(r.status(), 200);
    fleet.shutdown().await;
}

#[tokio::test]
async fn user_endpoint_requires_a_bearer_access_token() {
    let (fleet, b) = one("u").await;
    let creds = fleet.mint_credentials(
        "u",
        MintOptions { user_name: "alice@example.org".into(), sub: "7".into(), ..MintOptions::default() },
    );
    let r = client().get(format!("{b}/user/user")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(ctype(&r).starts_with("text/html"));

    let v: Value = exchange_json(&b, creds.clone(), "").await.json().await.unwrap();
    let tok = v["access_token"].as_str().unwrap();
    for scheme in ["bearer", "Bearer", "BEARER"] {
        let r = client()
            .get(format!("{b}/user/user"))
            .header("authorization", format!("{scheme} {tok}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{scheme}");
        let u: Value = r.json().await.unwrap();
        assert_eq!(u["username"], "alice@example.org");
        assert_eq!(u["sub"], "7");
        assert_eq!(u["is_admin"], false);
        assert!(u["authz"].is_object());
        assert_eq!(u["groups"], json!([]));
        assert!(u.get("azp").is_some());
    }
    // an API key is not an access token; nor is garbage; nor an expired access token
    let short: Value = exchange_json(&b, creds.clone(), "?expires_in=-5").await.json().await.unwrap();
    for bad in [creds["api_key"].as_str().unwrap(), "garbage", short["access_token"].as_str().unwrap()] {
        let r = client().get(format!("{b}/user/user")).bearer_auth(bad).send().await.unwrap();
        assert_eq!(r.status(), 401);
        assert!(ctype(&r).starts_with("text/html"));
    }
    fleet.shutdown().await;
}

/// What fence requires of a key and a token, in its words: the `fence` scope to exchange a key,
/// a key that outlives the token, and `user` + `openid` for `/user/user`.
#[tokio::test]
async fn fence_scope_and_lifetime_rules_as_fence_enforces_them() {
    let (fleet, b) = one("s").await;
    let scoped = |scopes: &[&str], secs: i64| {
        fleet.mint_credentials(
            "s",
            MintOptions {
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                expires_in_secs: secs,
                ..MintOptions::default()
            },
        )
    };
    let r = exchange_json(&b, scoped(&["openid", "user", "data"], 86_400), "").await;
    assert_eq!(r.status(), 401);
    assert!(ctype(&r).starts_with("text/html"));
    let page = r.text().await.unwrap();
    assert!(page.contains("token is missing required scopes: {&#39;fence&#39;}"), "{page}");

    let r = exchange_json(&b, scoped(&["fence", "openid", "user"], 1800), "").await;
    assert_eq!(r.status(), 400);
    let page = r.text().await.unwrap();
    assert!(page.contains("Cannot issue an access token that would expire after the provided API key does"), "{page}");
    let r = exchange_json(&b, scoped(&["fence", "openid", "user"], 1800), "?expires_in=600").await;
    assert_eq!(r.status(), 200, "a shorter token fits in the key's last half hour");

    let token = |creds: Value| {
        let b = b.clone();
        async move {
            let v: Value = exchange_json(&b, creds, "").await.json().await.unwrap();
            v["access_token"].as_str().unwrap().to_string()
        }
    };
    let userless = token(scoped(&["fence", "openid", "data"], 86_400)).await;
    let r = client().get(format!("{b}/user/user")).bearer_auth(&userless).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains("failed to validate token"));
    fleet.shutdown().await;
}

/// `/user/user` and `/user/login` in the shapes fence sends.
#[tokio::test]
async fn user_info_and_login_options_have_fences_shapes() {
    let spec = CommonsSpec { login_providers: vec!["ras".into(), "shibboleth".into()], ..CommonsSpec::new("l") };
    let fleet = Fleet::start(vec![spec]).await.unwrap();
    let b = fleet.base_url("l");
    let creds = fleet.mint_credentials("l", MintOptions { sub: "12".into(), ..MintOptions::default() });
    let v: Value = exchange_json(&b, creds, "").await.json().await.unwrap();
    let tok = v["access_token"].as_str().unwrap();
    let u: Value = client().get(format!("{b}/user/user")).bearer_auth(tok).send().await.unwrap().json().await.unwrap();
    let mut keys: Vec<&str> = u.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "authz",
            "azp",
            "certificates_uploaded",
            "display_name",
            "email",
            "groups",
            "idp",
            "is_admin",
            "message",
            "name",
            "phone_number",
            "preferred_username",
            "primary_google_service_account",
            "project_access",
            "resources",
            "resources_granted",
            "role",
            "sub",
            "user_id",
            "username"
        ]
    );
    assert_eq!((u["sub"].clone(), u["user_id"].clone(), u["azp"].clone()), (json!("12"), json!(12), Value::Null));

    let (s, _, body) = get(format!("{b}/user/login")).await;
    assert_eq!(s, 200);
    let l: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(l["default_provider"]["idp"], "ras");
    let shib = &l["providers"][1];
    assert_eq!((shib["id"].clone(), shib["idp"].clone()), (json!("shibboleth"), json!("shibboleth")));
    assert_eq!(shib["url"], format!("{b}/user/login/shib"));
    assert_eq!(shib["urls"][0]["url"], shib["url"]);
    assert_eq!((shib["desc"].clone(), shib["secondary"].clone()), (Value::Null, json!(false)));
    let (s, _, _) = get(format!("{b}/user/login/")).await;
    assert_eq!(s, 404, "fence's rule is /login, without a trailing slash");
    fleet.shutdown().await;
}

#[tokio::test]
async fn api_key_management_needs_the_credentials_scope() {
    let (fleet, b) = one("k").await;
    let token = |creds: Value| {
        let b = b.clone();
        async move {
            let v: Value = exchange_json(&b, creds, "").await.json().await.unwrap();
            v["access_token"].as_str().unwrap().to_string()
        }
    };
    let plain = token(fleet.mint_credentials("k", MintOptions::default())).await;
    let r = client()
        .post(format!("{b}/user/credentials/api/"))
        .bearer_auth(&plain)
        .json(&json!({"scope": ["data", "user"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    let mut opts = MintOptions::default();
    opts.scopes.push("credentials".into());
    let admin = token(fleet.mint_credentials("k", opts)).await;
    let r = client()
        .post(format!("{b}/user/credentials/api/"))
        .bearer_auth(&admin)
        .json(&json!({"scope": ["data", "user"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let created: Value = r.json().await.unwrap();
    let jti = created["key_id"].as_str().unwrap().to_string();
    // fence adds its defaults and the token's own scopes, never `credentials`.
    assert_eq!(claims(created["api_key"].as_str().unwrap())["scope"], json!(["data", "fence", "openid", "user"]));
    let r = client()
        .post(format!("{b}/user/credentials/api/"))
        .bearer_auth(&admin)
        .json(&json!({"scope": ["credentials"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "fence refuses scopes outside USER_ALLOWED_SCOPES");
    assert_eq!(exchange_json(&b, created.clone(), "").await.status(), 200);

    let list: Value = client()
        .get(format!("{b}/user/credentials/api/"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(list["jtis"].as_array().unwrap().iter().any(|j| j["jti"] == jti.as_str() && j["exp"].is_i64()));

    let r = client().delete(format!("{b}/user/credentials/api/{jti}")).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(exchange_json(&b, created, "").await.status(), 401);
    fleet.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// request log

#[tokio::test]
async fn requests_are_recorded_and_bounded() {
    let (fleet, b) = one("r").await;
    client()
        .get(format!("{b}/mds/metadata?data=true&limit=1"))
        .header("x-probe", "1")
        .bearer_auth("tok")
        .send()
        .await
        .unwrap();
    let reqs = fleet.requests("r");
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "GET");
    assert_eq!(reqs[0].path, "/mds/metadata?data=true&limit=1");
    assert_eq!(reqs[0].header("X-Probe"), Some("1"));
    assert_eq!(reqs[0].header("authorization"), Some("Bearer tok"));

    let c = client();
    for _ in 0..1100 {
        c.get(format!("{b}/_status")).send().await.unwrap();
    }
    let reqs = fleet.requests("r");
    assert_eq!(reqs.len(), 1000, "the last 1000 requests are kept");
    assert!(reqs.iter().all(|r| r.path == "/_status"));
    fleet.clear_requests("r");
    assert!(fleet.requests("r").is_empty());
    fleet.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// faults

#[tokio::test]
async fn service_faults_only_hit_that_service() {
    let (fleet, b) = one("x").await;
    fleet.set_fault("x", Some(Service::Indexd), Some(Fault::Down));
    // gen3-helm's revproxy turns the upstream's 502 into its one 500 answer.
    let (s, _, body) = get(format!("{b}/index/_status")).await;
    assert_eq!((s, body.as_str()), (500, "{ \"error\": \"service failure - try again later\"}"));
    // DRS is indexd too
    assert_eq!(get(format!("{b}/ga4gh/drs/v1/service-info")).await.0, 500);
    assert_eq!(get(format!("{b}/user/_status")).await.0, 200);
    assert_eq!(get(format!("{b}/_status")).await.0, 200);

    fleet.set_fault("x", Some(Service::Metadata), Some(Fault::Status500));
    let (s, _, body) = get(format!("{b}/mds/_status")).await;
    assert_eq!((s, body.as_str()), (500, "{ \"error\": \"service failure - try again later\"}"));

    fleet.set_fault("x", Some(Service::Fence), Some(Fault::Html));
    let (s, ct, body) = get(format!("{b}/user/_version")).await;
    assert_eq!(s, 200);
    assert!(ct.starts_with("text/html"));
    assert!(body.contains("<html"));

    fleet.set_fault("x", Some(Service::Indexd), None);
    fleet.set_fault("x", Some(Service::Metadata), None);
    fleet.set_fault("x", Some(Service::Fence), None);
    assert_eq!(get(format!("{b}/index/_status")).await.0, 200);
    assert_eq!(get(format!("{b}/mds/_status")).await.0, 200);
    assert_eq!(get(format!("{b}/user/_version")).await.1, "application/json");
    fleet.shutdown().await;
}

#[tokio::test]
async fn garbage_truncated_and_huge_bodies() {
    let (fleet, b) = one("g").await;
    fleet.set_fault("g", Some(Service::Indexd), Some(Fault::Garbage));
    let r = client().get(format!("{b}/index/_stats")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(ctype(&r), "application/json");
    let bytes = r.bytes().await.unwrap();
    assert!(!bytes.is_empty());
    assert!(serde_json::from_slice::<Value>(&bytes).is_err());

    fleet.set_fault("g", Some(Service::Indexd), Some(Fault::TruncatedJson));
    let r = client().get(format!("{b}/index/_stats")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(ctype(&r), "application/json");
    let text = r.text().await.unwrap();
    assert!(text.starts_with("{\"fileCount\""), "{text}");
    assert!(serde_json::from_str::<Value>(&text).is_err());

    let n = 5 * 1024 * 1024 + 7;
    fleet.set_fault("g", None, Some(Fault::HugeBody(n)));
    let r = client().get(format!("{b}/_status")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.content_length(), Some(n as u64));
    assert_eq!(r.bytes().await.unwrap().len(), n);
    fleet.set_fault("g", None, None);
    assert_eq!(get(format!("{b}/_status")).await.0, 200);
    fleet.shutdown().await;
}

#[tokio::test]
async fn slow_and_timeout() {
    let (fleet, b) = one("s").await;
    fleet.set_fault("s", None, Some(Fault::Slow(Duration::from_millis(400))));
    let t = Instant::now();
    assert_eq!(get(format!("{b}/user/_status")).await.0, 200);
    assert!(t.elapsed() >= Duration::from_millis(400));

    fleet.set_fault("s", Some(Service::Fence), Some(Fault::Timeout));
    fleet.set_fault("s", None, None);
    let quick = reqwest::Client::builder().no_proxy().timeout(Duration::from_millis(500)).build().unwrap();
    let t = Instant::now();
    let e = quick.get(format!("{b}/user/_status")).send().await.unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    assert!(t.elapsed() >= Duration::from_millis(500));
    // other services still answer at once
    assert_eq!(quick.get(format!("{b}/index/_status")).send().await.unwrap().status(), 200);
    // clearing releases it
    fleet.set_fault("s", Some(Service::Fence), None);
    assert_eq!(get(format!("{b}/user/_status")).await.0, 200);
    fleet.shutdown().await;
}

#[tokio::test]
async fn whole_commons_down_refuses_connections_then_comes_back_on_the_same_port() {
    let (fleet, b) = one("d").await;
    let c = client();
    assert_eq!(c.get(format!("{b}/_status")).send().await.unwrap().status(), 200);
    fleet.set_fault("d", None, Some(Fault::Down));
    // The open keep-alive connection was shut down when the fault was set; a client that reuses
    // it before noticing may see it closed once (as with a real server going away).
    let e = c.get(format!("{b}/_status")).send().await.unwrap_err();
    assert!(e.is_connect() || e.is_request(), "{e:?}");
    for _ in 0..3 {
        let e = c.get(format!("{b}/_status")).send().await.unwrap_err();
        assert!(e.is_connect(), "{e:?}");
        let e = client().get(format!("{b}/_status")).send().await.unwrap_err();
        assert!(e.is_connect(), "{e:?}");
        // raw connect is refused too
        let raw = tokio::net::TcpStream::connect(b.trim_start_matches("http://")).await;
        assert_eq!(raw.unwrap_err().kind(), std::io::ErrorKind::ConnectionRefused);
    }
    fleet.set_fault("d", None, None);
    assert_eq!(fleet.base_url("d"), b);
    assert_eq!(c.get(format!("{b}/_status")).send().await.unwrap().status(), 200);
    // down again, and replaced by another fault
    fleet.set_fault("d", None, Some(Fault::Down));
    assert!(c.get(format!("{b}/_status")).send().await.is_err());
    fleet.set_fault("d", None, Some(Fault::Status500));
    assert_eq!(c.get(format!("{b}/_status")).send().await.unwrap().status(), 500);
    fleet.shutdown().await;
}

#[tokio::test]
async fn redirect_to_another_commons_and_no_authorization_follows() {
    let fleet = Fleet::start(vec![CommonsSpec::new("from"), CommonsSpec::new("to")]).await.unwrap();
    let (from, to) = (fleet.base_url("from"), fleet.base_url("to"));
    fleet.set_fault("from", None, Some(Fault::RedirectTo("to".into())));
    let r = no_redirect_client().get(format!("{from}/index/_stats?x=1")).send().await.unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(r.headers()["location"].to_str().unwrap(), format!("{to}/index/_stats?x=1"));

    // a following client lands on the other commons; reqwest drops Authorization cross-origin
    let r = client().get(format!("{from}/user/_status")).bearer_auth("secret").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.url().as_str(), format!("{to}/user/_status"));
    let from_reqs = fleet.requests("from");
    assert_eq!(from_reqs.last().unwrap().header("authorization"), Some("Bearer secret"));
    let to_reqs = fleet.requests("to");
    assert_eq!(to_reqs.last().unwrap().path, "/user/_status");
    assert_eq!(to_reqs.last().unwrap().header("authorization"), None);
    fleet.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// TLS

fn tls_client(ca: Option<&str>) -> reqwest::Client {
    let mut b = reqwest::Client::builder().no_proxy().use_rustls_tls().timeout(Duration::from_secs(20));
    if let Some(pem) = ca {
        b = b.add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap());
    }
    b.build().unwrap()
}

#[tokio::test]
async fn tls_modes() {
    let specs = [
        ("trusted", TlsMode::TrustedCa),
        ("selfsigned", TlsMode::SelfSigned),
        ("expired", TlsMode::Expired),
        ("plain", TlsMode::Plain),
    ]
    .into_iter()
    .map(|(n, tls)| CommonsSpec { tls, ..CommonsSpec::new(n) })
    .collect();
    let fleet = Fleet::start(specs).await.unwrap();
    let ca = fleet.ca_pem();
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));
    let with_ca = tls_client(Some(&ca));
    let without = tls_client(None);

    let t = fleet.base_url("trusted");
    assert!(t.starts_with("https://127.0.0.1:"));
    let r = with_ca.get(format!("{t}/_status")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // "localhost" is in the certificate too
    let lh = t.replace("127.0.0.1", "localhost");
    assert_eq!(with_ca.get(format!("{lh}/_status")).send().await.unwrap().status(), 200);
    assert!(without.get(format!("{t}/_status")).send().await.is_err());

    for n in ["selfsigned", "expired"] {
        let u = fleet.base_url(n);
        assert!(u.starts_with("https://"));
        let e = with_ca.get(format!("{u}/_status")).send().await.unwrap_err();
        assert!(e.is_connect() || e.is_request(), "{n}: {e:?}");
        // but it does serve TLS: an unverifying client gets through
        let lax =
            reqwest::Client::builder().no_proxy().use_rustls_tls().danger_accept_invalid_certs(true).build().unwrap();
        assert_eq!(lax.get(format!("{u}/_status")).send().await.unwrap().status(), 200, "{n}");
    }
    assert!(fleet.base_url("plain").starts_with("http://"));
    fleet.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// scale and lifecycle

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_commons_answer_on_every_port() {
    let t = Instant::now();
    let specs: Vec<_> = (1..=300).map(|i| CommonsSpec::new(&format!("c{i:03}"))).collect();
    let fleet = Fleet::start(specs).await.unwrap();
    let started = t.elapsed();
    let names = fleet.names();
    assert_eq!(names.len(), 300);
    let mut ports: Vec<String> = names.iter().map(|n| fleet.base_url(n)).collect();
    ports.sort();
    ports.dedup();
    assert_eq!(ports.len(), 300);

    let c = client();
    let mut set = tokio::task::JoinSet::new();
    for chunk in names.chunks(30) {
        let (c, fleet, chunk) = (c.clone(), fleet.clone(), chunk.to_vec());
        set.spawn(async move {
            for n in chunk {
                let b = fleet.base_url(&n);
                let r = c.get(format!("{b}/_status")).send().await.unwrap();
                assert_eq!(r.status(), 200, "{n}");
                let r = c.get(format!("{b}/index/_stats")).send().await.unwrap();
                assert_eq!(r.status(), 200, "{n}");
            }
        });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap();
    }
    // tokens for a commons in the middle of the fleet
    let creds = fleet.mint_credentials("c150", MintOptions::default());
    assert_eq!(exchange_json(&fleet.base_url("c150"), creds, "").await.status(), 200);
    eprintln!("300 commons started in {started:?}, all answered in {:?}", t.elapsed());
    fleet.shutdown().await;
}

#[tokio::test]
async fn shutdown_closes_ports_and_releases_held_requests() {
    let (fleet, b) = one("z").await;
    fleet.set_fault("z", None, Some(Fault::Timeout));
    let held = tokio::spawn({
        let b = b.clone();
        async move { client().get(format!("{b}/_status")).send().await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let f2 = fleet.clone();
    tokio::time::timeout(Duration::from_secs(5), f2.shutdown()).await.unwrap();
    let r = tokio::time::timeout(Duration::from_secs(5), held).await.expect("held request released").unwrap();
    assert!(r.is_err());
    assert!(client().get(format!("{b}/_status")).send().await.is_err());
}

#[tokio::test]
async fn duplicate_names_are_rejected() {
    let e = Fleet::start(vec![CommonsSpec::new("a"), CommonsSpec::new("a")]).await.unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
}
