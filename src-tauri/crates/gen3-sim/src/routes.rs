//! What each commons answers: revproxy routing, faults, and the services' endpoints.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{json, Value};

use crate::boot::NotUp;
use crate::edge::{self, Edge, SERVICE_FAILURE_BODY};
use crate::server::Commons;
use crate::{now_secs, Fault, FleetInner, MintOptions, RecordedRequest, Service};

pub(crate) type Body = BoxBody<Bytes, Infallible>;

/// fence MAX_ACCESS_TOKEN_TTL
const MAX_ACCESS_TOKEN_TTL: i64 = 3600;
/// fence MAX_API_KEY_TTL
const MAX_API_KEY_TTL: i64 = 2_592_000;

/// A complete (non-streamed) answer.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn json(status: u16, v: &Value) -> Self {
        Reply { status, content_type: "application/json", headers: Vec::new(), body: v.to_string().into_bytes() }
    }
    fn html(status: u16, body: impl Into<String>) -> Self {
        Reply { status, content_type: "text/html; charset=utf-8", headers: Vec::new(), body: body.into().into_bytes() }
    }
    fn into_response(self) -> Response<Body> {
        let mut b =
            Response::builder().status(self.status).header("content-type", self.content_type).header("server", "nginx");
        for (k, v) in self.headers {
            b = b.header(k, v);
        }
        b.body(Full::new(Bytes::from(self.body)).boxed()).expect("valid response")
    }
}

fn nginx_page(status: u16, reason: &str) -> String {
    format!(
        "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n\
         <center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n\
         </body>\r\n</html>\r\n"
    )
}

fn flask_page(status: u16, reason: &str, text: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=en>\n<title>{status} {reason}</title>\n\
         <h1>{reason}</h1>\n<p>{text}</p>\n"
    )
}

/// fence renders its errors as HTML pages (even for `Accept: application/json`).
fn fence_error(status: u16, message: &str) -> Reply {
    let reason = StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error");
    let message = html_escape(message);
    Reply::html(
        status,
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"UTF-8\">\n  \
             <title>Gen3 - Error</title>\n</head>\n<body>\n  <div class=\"error\">\n    \
             <h1>{status} {reason}</h1>\n    <p>{message}</p>\n  </div>\n</body>\n</html>\n"
        ),
    )
}

fn html_escape(s: &str) -> String {
    // Jinja's autoescape, as fence's error page is rendered.
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&#34;").replace('\'', "&#39;")
}

const PORTAL_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<title>Gen3 Data Commons</title>\n</head>\n<body>\n<noscript>You need to enable JavaScript to run \
this app.</noscript>\n<div id=\"root\"></div>\n<script src=\"/bundle.js\"></script>\n</body>\n</html>\n";

// ---------------------------------------------------------------------------------------------
// deterministic per-commons numbers

pub(crate) fn fnv(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0xff)) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

pub(crate) fn mix(mut x: u64) -> u64 {
    // splitmix64 finaliser
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn commit_sha(c: &Commons, what: &str) -> String {
    (0..3).map(|i| format!("{:016x}", mix(fnv(&[&c.spec.name, what, &i.to_string()])))).collect::<String>()[..40]
        .to_string()
}

/// (fileCount, totalFileSize), non-zero, stable for a commons name.
pub(crate) fn stats(c: &Commons) -> (u64, u64) {
    let h = mix(fnv(&[&c.spec.name, "stats"]));
    let count = 1_000 + h % 999_000;
    let avg = 1_000_000 + (h >> 20) % 999_000_000;
    (count, count * avg)
}

pub(crate) fn iso8601_now() -> String {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    civil(d.as_secs() as i64, d.subsec_micros())
}

/// `YYYY-MM-DDTHH:MM:SS` (UTC) of a Unix time, as tube writes its `time_` aliases.
fn iso8601_at(secs: i64) -> String {
    civil(secs, 0)[..19].to_string()
}

fn civil(secs: i64, micros: u32) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // civil_from_days (Howard Hinnant)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}+00:00",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        micros
    )
}

static COUNTER: AtomicU64 = AtomicU64::new(0x9e37_79b9_7f4a_7c15);

fn random_u64() -> u64 {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
    mix(COUNTER.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed) ^ nanos)
}

// ---------------------------------------------------------------------------------------------
// request helpers

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

pub(crate) fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' if plus_is_space => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn params(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

fn param(q: &str, name: &str) -> Option<String> {
    params(q).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn bearer(headers: &[(String, String)]) -> Option<String> {
    let v = headers.iter().find(|(k, _)| k == "authorization").map(|(_, v)| v.trim())?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

// ---------------------------------------------------------------------------------------------
// tokens

pub(crate) fn mint_api_key(fleet: &FleetInner, c: &Commons, opts: &MintOptions) -> Value {
    let now = now_secs();
    let exp = now + opts.expires_in_secs;
    let iat = if opts.expires_in_secs > 0 { now } else { exp - 3600 };
    let jti = opts.jti.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let claims = json!({
        "pur": "api_key",
        "sub": opts.sub,
        "iss": c.issuer(),
        "aud": ["gen3"],
        "iat": iat,
        "exp": exp,
        "jti": jti,
        "azp": "",
        "scope": opts.scopes,
    });
    let api_key = fleet.key.sign(&c.kid, &claims);
    c.remember_key(&jti, &opts.user_name, &opts.sub, exp);
    json!({"key_id": jti, "api_key": api_key})
}

/// Validates a token of this commons with purpose `pur`; returns its claims.
fn validate(fleet: &FleetInner, c: &Commons, token: &str, pur: &str) -> Result<Value, String> {
    let (header, claims) = fleet.key.verify(token).map_err(|e| format!("Authentication Error: {e}"))?;
    if header.get("kid").and_then(Value::as_str) != Some(c.kid.as_str()) {
        return Err("Authentication Error: JWT header kid not in the JWKS of this fence".into());
    }
    if claims.get("iss").and_then(Value::as_str) != Some(c.issuer().as_str()) {
        return Err("Authentication Error: Invalid issuer".into());
    }
    let aud_ok = claims.get("aud").and_then(Value::as_array).is_some_and(|a| a.iter().any(|v| v == "gen3"));
    if !aud_ok {
        return Err("Authentication Error: Invalid audience".into());
    }
    match claims.get("exp").and_then(Value::as_i64) {
        Some(exp) if exp > now_secs() => {}
        _ => return Err("Authentication Error: Signature has expired".into()),
    }
    let got = claims.get("pur").and_then(Value::as_str).unwrap_or("");
    if got != pur {
        return Err(format!("Authentication Error: claim 'pur' is '{got}', expected '{pur}'"));
    }
    let jti = claims.get("jti").and_then(Value::as_str).unwrap_or("");
    if c.is_revoked(jti) {
        return Err("Authentication Error: token is blacklisted".into());
    }
    Ok(claims)
}

fn access_claims(headers: &[(String, String)], fleet: &FleetInner, c: &Commons) -> Result<Value, Reply> {
    let Some(token) = bearer(headers) else {
        return Err(fence_error(401, "Authentication Error: no authorization token provided"));
    };
    validate(fleet, c, &token, "access").map_err(|m| fence_error(401, &m))
}

fn exchange(fleet: &FleetInner, c: &Commons, query: &str, body: &[u8]) -> Reply {
    let ttl = match param(query, "expires_in") {
        None => MAX_ACCESS_TOKEN_TTL,
        Some(v) => match v.trim().parse::<i64>() {
            Ok(n) => n.min(MAX_ACCESS_TOKEN_TTL),
            Err(_) => return fence_error(400, "expires_in must be an integer"),
        },
    };
    let api_key = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => m.get("api_key").and_then(Value::as_str).map(str::to_string),
        Ok(_) => None,
        Err(_) => std::str::from_utf8(body).ok().and_then(|b| param(b.trim(), "api_key")),
    }
    .filter(|k| !k.is_empty());
    let Some(api_key) = api_key else {
        return fence_error(400, "Please provide an api_key in payload");
    };
    // fence's `create_user_access_token`: `validate_jwt(api_key, scope={"fence"}, purpose="api_key")`.
    let claims = match validate(fleet, c, &api_key, "api_key").and_then(|cl| require_scopes(cl, &["fence"])) {
        Ok(cl) => cl,
        Err(m) => return fence_error(401, &m),
    };
    let now = now_secs();
    if claims.get("exp").and_then(Value::as_i64).is_some_and(|exp| exp < now + ttl) {
        // fence refuses rather than shortens (`MAX_ACCESS_TOKEN_TTL`, a key in its last hour).
        return fence_error(
            400,
            "Cannot issue an access token that would expire after the provided API key does. Please obtain a new \
             API key and try again",
        );
    }
    let jti = claims.get("jti").and_then(Value::as_str).unwrap_or("");
    let user = c.user_of(jti).unwrap_or_else(|| MintOptions::default().user_name);
    let token = fleet.key.sign(
        &c.kid,
        &json!({
            "pur": "access",
            "iss": c.issuer(),
            "aud": ["gen3"],
            "iat": now,
            "exp": now + ttl,
            "jti": uuid::Uuid::new_v4().to_string(),
            "scope": claims.get("scope").cloned().unwrap_or(json!([])),
            "context": {"user": {"name": user, "is_admin": false, "google": {"proxy_group": null}}},
            "azp": "",
            "sub": claims.get("sub").cloned().unwrap_or(json!("1")),
        }),
    );
    Reply::json(200, &json!({"access_token": token}))
}

fn has_scope(claims: &Value, scope: &str) -> bool {
    claims.get("scope").and_then(Value::as_array).is_some_and(|a| a.iter().any(|s| s == scope))
}

/// authutils' scope check: every required scope in the token's `scope` claim, else its error.
fn require_scopes(claims: Value, required: &[&str]) -> Result<Value, String> {
    let missing: Vec<String> = required.iter().filter(|s| !has_scope(&claims, s)).map(|s| format!("'{s}'")).collect();
    if missing.is_empty() {
        Ok(claims)
    } else {
        Err(format!("Invalid token : token is missing required scopes: {{{}}}", missing.join(", ")))
    }
}

/// The scopes fence lets a user put in an API key (its default `USER_ALLOWED_SCOPES`).
const USER_ALLOWED_SCOPES: [&str; 9] = [
    "fence",
    "openid",
    "user",
    "data",
    "admin",
    "google_credentials",
    "google_service_account",
    "google_link",
    "ga4gh_passport_v1",
];

/// fence's `/user/user` (`get_user_info`, with arborist's resources and auth mapping, and the
/// token's client as `azp`: null for a token from an API key). `tags` only when the user has some.
fn user_info(claims: &Value) -> Value {
    let name = claims.pointer("/context/user/name").cloned().unwrap_or(json!(""));
    let sub = claims.get("sub").and_then(Value::as_str).unwrap_or("1").to_string();
    let user_id = sub.parse::<i64>().unwrap_or(1);
    let is_admin = claims.pointer("/context/user/is_admin").cloned().unwrap_or(json!(false));
    let read = json!([{"method": "read", "service": "*"}, {"method": "read-storage", "service": "*"}]);
    json!({
        "user_id": user_id,
        "sub": sub,
        "idp": "google",
        "username": name,
        "name": name,
        "display_name": null,
        "preferred_username": null,
        "phone_number": null,
        "email": null,
        "is_admin": is_admin,
        "role": if is_admin == json!(true) { "admin" } else { "user" },
        "project_access": {},
        "certificates_uploaded": [],
        "resources_granted": [],
        "groups": [],
        "message": "",
        "primary_google_service_account": null,
        "resources": ["/open", "/programs/program1"],
        "authz": {"/open": read, "/programs/program1": read},
        "azp": claims.get("azp").and_then(Value::as_str).filter(|a| !a.is_empty()),
    })
}

// ---------------------------------------------------------------------------------------------
// services

fn healthy() -> Reply {
    Reply::html(200, "Healthy")
}

fn version(c: &Commons, what: &str) -> Reply {
    Reply::json(200, &json!({"commit": commit_sha(c, what), "version": c.spec.version}))
}

fn method_not_allowed() -> Reply {
    Reply::html(405, flask_page(405, "Method Not Allowed", "The method is not allowed for the requested URL."))
}

fn flask_404() -> Reply {
    Reply::html(
        404,
        flask_page(
            404,
            "Not Found",
            "The requested URL was not found on the server. If you entered the URL manually \
             please check your spelling and try again.",
        ),
    )
}

fn only_get(method: &Method, r: impl FnOnce() -> Reply) -> Reply {
    if method == Method::GET || method == Method::HEAD {
        r()
    } else {
        method_not_allowed()
    }
}

fn revproxy(c: &Commons, method: &Method, path: &str) -> Reply {
    match path {
        "/_status" => only_get(method, || {
            let csrf = format!("{:016x}{:016x}", random_u64(), random_u64());
            let mut r = Reply {
                status: 200,
                content_type: "application/json",
                headers: vec![("set-cookie", format!("csrftoken={csrf}; Path=/; Secure"))],
                body: format!("{{ \"message\": \"Feelin good!\", \"csrf\": \"{csrf}\" }}").into_bytes(),
            };
            r.headers.push(("cache-control", "no-cache".into()));
            r
        }),
        // Only gen3-helm's nginx.conf has `/canary`; elsewhere the path falls through to the portal.
        "/canary" => only_get(method, || match c.spec.edge {
            Edge::Helm => {
                Reply::html(200, "<html><body>You are running the Helm version of this commons</body></html>")
            }
            Edge::CloudAutomation => Reply::html(200, PORTAL_PAGE),
        }),
        _ => Reply::html(404, nginx_page(404, "Not Found")),
    }
}

/// fence's OpenID discovery document (`/user/.well-known/openid-configuration`); the issuer is
/// BASE_URL unless the commons is set up with another one.
fn openid_configuration(c: &Commons) -> Value {
    let base = c.issuer();
    let issuer = c.spec.oidc_issuer.clone().unwrap_or_else(|| base.clone());
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{base}/oauth2/authorize"),
        "token_endpoint": format!("{base}/oauth2/token"),
        "userinfo_endpoint": format!("{base}/user"),
        "jwks_uri": format!("{base}/.well-known/jwks"),
        "response_types_supported": ["code", "id_token", "id_token token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "user", "data", "google_credentials", "google_service_account", "google_link", "ga4gh_passport_v1"],
        "claims_supported": ["aud", "sub", "iss", "exp", "jti", "auth_time", "pur", "context"],
    })
}

/// A display name for the IdP ids fence knows.
fn idp_name(id: &str) -> String {
    match id {
        "google" => "Google OAuth".into(),
        "ras" => "NIH Login / Login.gov".into(),
        "orcid" => "ORCID Login".into(),
        "microsoft" => "Microsoft Login".into(),
        "fence" => "Login through another Gen3 commons".into(),
        "shibboleth" => "NIH Login".into(),
        other => format!("{other} Login"),
    }
}

/// `/user/login` (fence's rule has no trailing slash): the default provider and every login
/// option, as `get_provider_info` describes them (`id` is the deprecated twin of `idp`, `url` of
/// `urls`).
fn login_providers(c: &Commons) -> Value {
    let base = c.issuer();
    let provider = |id: &str| {
        let route = if id == "shibboleth" { "shib" } else { id };
        let url = format!("{base}/login/{route}");
        json!({"id": id, "idp": id, "name": idp_name(id), "url": url,
               "urls": [{"name": idp_name(id), "url": url}], "desc": null, "secondary": false})
    };
    let providers: Vec<Value> = c.spec.login_providers.iter().map(|p| provider(p)).collect();
    json!({"default_provider": providers.first().cloned().unwrap_or(Value::Null), "providers": providers})
}

fn fence(
    fleet: &FleetInner,
    c: &Commons,
    method: &Method,
    path: &str,
    query: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Reply {
    let sub = &path["/user".len()..];
    let get = method == Method::GET || method == Method::HEAD;
    match sub {
        "/_status" => only_get(method, healthy),
        "/_version" => only_get(method, || version(c, "fence")),
        "/jwt/keys" => only_get(method, || {
            let keys: Vec<Value> = c.published_kids().into_iter().map(|k| json!([k, fleet.key.public_pem()])).collect();
            Reply::json(200, &json!({"keys": keys}))
        }),
        "/.well-known/jwks" => only_get(method, || {
            let keys: Vec<Value> = c.published_kids().iter().map(|k| fleet.key.jwk(k)).collect();
            Reply::json(200, &json!({"keys": keys}))
        }),
        "/.well-known/openid-configuration" => only_get(method, || Reply::json(200, &openid_configuration(c))),
        "/login" => only_get(method, || Reply::json(200, &login_providers(c))),
        // `login_required({"user"})`: an access token with the `user` and `openid` scopes.
        "/user" | "/user/" if get || method == Method::POST => {
            match access_claims(headers, fleet, c).and_then(|cl| {
                require_scopes(cl, &["user", "openid"])
                    .map_err(|m| fence_error(401, &format!("failed to validate token: {m}")))
            }) {
                Ok(cl) => Reply::json(200, &user_info(&cl)),
                Err(r) => r,
            }
        }
        "/user" | "/user/" => method_not_allowed(),
        "/credentials/api/access_token" | "/credentials/cdis/access_token" => {
            if method == Method::POST {
                exchange(fleet, c, query, body)
            } else {
                method_not_allowed()
            }
        }
        "/credentials/api" | "/credentials/api/" | "/credentials/cdis" | "/credentials/cdis/" => {
            let claims = match access_claims(headers, fleet, c) {
                Ok(cl) => cl,
                Err(r) => return r,
            };
            if !has_scope(&claims, "credentials") {
                return fence_error(401, "Authentication Error: Requested scope(s) ['credentials'] not in token scope");
            }
            let sub = claims.get("sub").and_then(Value::as_str).unwrap_or("1").to_string();
            if get {
                let jtis: Vec<Value> =
                    c.keys_of(&sub).into_iter().map(|(jti, exp)| json!({"jti": jti, "exp": exp})).collect();
                Reply::json(200, &json!({"jtis": jtis}))
            } else if method == Method::POST {
                let ttl = param(query, "expires_in")
                    .and_then(|v| v.parse::<i64>().ok())
                    .unwrap_or(MAX_API_KEY_TTL)
                    .min(MAX_API_KEY_TTL);
                // The requested scopes, fence's defaults, and the token's own; never `credentials`.
                let mut scopes = serde_json::from_slice::<Value>(body)
                    .ok()
                    .and_then(|v| v.get("scope").cloned())
                    .and_then(|v| {
                        v.as_array()
                            .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect::<Vec<_>>())
                    })
                    .unwrap_or_default();
                scopes.extend(["fence".to_string(), "openid".to_string()]);
                if let Some(bad) = scopes.iter().find(|s| !USER_ALLOWED_SCOPES.contains(&s.as_str())) {
                    return fence_error(400, &format!("Scope {bad} is not supported"));
                }
                let own = claims.get("scope").and_then(Value::as_array).cloned().unwrap_or_default();
                scopes.extend(
                    own.iter()
                        .filter_map(Value::as_str)
                        .filter(|s| USER_ALLOWED_SCOPES.contains(s))
                        .map(str::to_string),
                );
                scopes.sort();
                scopes.dedup();
                let opts = MintOptions {
                    expires_in_secs: ttl,
                    scopes,
                    user_name: claims.pointer("/context/user/name").and_then(Value::as_str).unwrap_or("").to_string(),
                    sub,
                    jti: None,
                };
                Reply::json(200, &mint_api_key(fleet, c, &opts))
            } else {
                method_not_allowed()
            }
        }
        _ if sub.starts_with("/credentials/api/") || sub.starts_with("/credentials/cdis/") => {
            if method != Method::DELETE {
                return method_not_allowed();
            }
            let claims = match access_claims(headers, fleet, c) {
                Ok(cl) => cl,
                Err(r) => return r,
            };
            if !has_scope(&claims, "credentials") {
                return fence_error(401, "Authentication Error: Requested scope(s) ['credentials'] not in token scope");
            }
            let jti = sub.rsplit('/').next().unwrap_or("");
            c.revoke(jti);
            Reply { status: 204, content_type: "text/html; charset=utf-8", headers: Vec::new(), body: Vec::new() }
        }
        _ => flask_404(),
    }
}

/// indexd's `DIST` (`/index/_dist`): one entry per commons it resolves GUIDs through, in the
/// shape of a legacy manifest's `indexd.dist` (dataguids.org).
fn dist(fleet: &FleetInner, c: &Commons) -> Value {
    Value::Array(
        c.spec
            .dist
            .iter()
            .map(|name| {
                let base = fleet.commons.get(name).map_or_else(|| format!("https://{name}.example.org"), |o| o.base_url.clone());
                json!({"name": name, "host": format!("{base}/index/"), "hints": [format!(".*dg\\.{name}.*")], "type": "indexd"})
            })
            .collect(),
    )
}

fn indexd(fleet: &FleetInner, c: &Commons, method: &Method, path: &str, query: &str) -> Reply {
    let (count, size) = stats(c);
    match path {
        "/index/_status" => only_get(method, healthy),
        "/index/_version" => only_get(method, || version(c, "indexd")),
        "/index/_stats" => only_get(method, || match (param(query, "month"), param(query, "year")) {
            (None, None) => Reply::json(200, &json!({"fileCount": count, "totalFileSize": size})),
            (Some(_), Some(_)) => Reply::json(200, &json!({"fileCount": count / 12, "totalFileSize": size / 12})),
            _ => Reply::json(400, &json!({"error": "Both month and year must be provided, or neither"})),
        }),
        "/index/_dist" => only_get(method, || Reply::json(200, &dist(fleet, c))),
        "/index" | "/index/" | "/index/index" | "/index/index/" => only_get(method, || {
            let limit = param(query, "limit").and_then(|l| l.parse::<u64>().ok()).unwrap_or(100);
            Reply::json(
                200,
                &json!({"records": [], "limit": limit, "start": null, "page": null,
                        "file_name": null, "size": null, "urls": null, "acl": null,
                        "authz": null, "hashes": null, "metadata": null, "version": null,
                        "ids": null, "uploader": null, "form": null, "urls_metadata": null,
                        "negate_params": null}),
            )
        }),
        "/ga4gh/drs/v1/service-info" => only_get(method, || {
            Reply::json(
                200,
                &json!({
                    "id": format!("io.gen3.sim.{}", c.spec.name),
                    "name": "DRS System",
                    "version": "1.5.0",
                    "type": {"group": "org.ga4gh", "artifact": "drs"},
                    "organization": {"name": "CTDS", "url": "https://ctds.uchicago.edu"},
                    "drs": {"maxBulkRequestLength": 100, "objectCount": count, "totalObjectSize": size},
                    "maxBulkRequestLength": 100,
                }),
            )
        }),
        _ if path.starts_with("/index/") && !path["/index/".len()..].contains('/') => {
            only_get(method, || Reply::json(404, &json!({"error": "no record found"})))
        }
        _ if path.starts_with("/ga4gh/drs/v1/objects/") => {
            only_get(method, || Reply::json(404, &json!({"msg": "no record found", "status_code": 404})))
        }
        _ => flask_404(),
    }
}

fn dictionary(c: &Commons, peregrine: bool) -> Value {
    json!({
        "version": format!("3.{}.0", fnv(&[&c.spec.name, "dict"]) % 10),
        "commit": if peregrine { String::new() } else { commit_sha(c, "dictionary") },
    })
}

fn sheepdog(c: &Commons, method: &Method, path: &str) -> Reply {
    match path {
        "/api/_status" => only_get(method, healthy),
        "/api/_version" => only_get(method, || {
            Reply::json(
                200,
                &json!({"version": c.spec.version, "commit": commit_sha(c, "sheepdog"),
                        "dictionary": dictionary(c, false)}),
            )
        }),
        "/api/v0/submission" | "/api/v0/submission/" => {
            only_get(method, || Reply::json(200, &json!({"links": ["/v0/submission/program1"]})))
        }
        _ => flask_404(),
    }
}

fn peregrine(c: &Commons, method: &Method, path: &str) -> Reply {
    match path {
        "/peregrine/_status" | "/api/search/_status" => only_get(method, healthy),
        "/peregrine/_version" | "/api/search/_version" => only_get(method, || {
            Reply::json(
                200,
                &json!({"version": c.spec.version, "commit": commit_sha(c, "peregrine"),
                        "dictionary": dictionary(c, true)}),
            )
        }),
        _ => flask_404(),
    }
}

fn guppy(c: &Commons, method: &Method, path: &str) -> Reply {
    match path {
        "/guppy/_status" => only_get(method, || {
            // tube's ETL points the alias `time_<when it ran>` at the indices it wrote.
            let ran = iso8601_at(now_secs() - c.spec.etl_age_secs as i64);
            let aliases = |name: &str| json!({name: {}, format!("time_{ran}"): {}});
            Reply::json(
                200,
                &json!({"statusCode": 200, "warnings": null, "indices": {
                    "gen3_subject_v1": {"aliases": aliases("subject"), "arrayFields": []},
                    "gen3_file_v1": {"aliases": aliases("file"), "arrayFields": []},
                }}),
            )
        }),
        "/guppy/_version" => only_get(method, || version(c, "guppy")),
        _ => Reply::html(
            404,
            format!(
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
                 <title>Error</title>\n</head>\n<body>\n<pre>Cannot {} {}</pre>\n</body>\n</html>\n",
                method,
                html_escape(&path["/guppy".len()..])
            ),
        ),
    }
}

/// A Flask or Go service: text `Healthy`, `/_version` unless the service has none
/// (manifestservice publishes no version).
fn flask_service(c: &Commons, method: &Method, path: &str, prefix: &str, has_version: bool) -> Reply {
    match &path[prefix.len()..] {
        "/_status" => only_get(method, healthy),
        "/_version" if has_version => only_get(method, || version(c, prefix)),
        _ => flask_404(),
    }
}

/// A FastAPI service (audit, requestor, gen3-workflow, user-data-library, ...): `/_status` is
/// `{"status": "OK"}` (user-data-library adds a timestamp) and `/_version` is `{"version"}` only.
fn fastapi_service(c: &Commons, method: &Method, path: &str, prefix: &str, timestamp: bool) -> Reply {
    match &path[prefix.len()..] {
        "/_status" => only_get(method, || {
            let mut body = json!({"status": "OK"});
            if timestamp {
                body["timestamp"] = json!(iso8601_now());
            }
            Reply::json(200, &body)
        }),
        "/_version" => only_get(method, || Reply::json(200, &json!({"version": c.spec.version}))),
        _ => Reply::json(404, &json!({"detail": "Not Found"})),
    }
}

/// workspace-token-service (Flask): status, version, and the commons it fetches tokens from
/// (`/external_oidc/`, the shape the portal reads).
fn wts(fleet: &FleetInner, c: &Commons, method: &Method, path: &str) -> Reply {
    match path {
        "/wts/external_oidc" | "/wts/external_oidc/" => only_get(method, || {
            let providers: Vec<Value> = c
                .spec
                .external_oidc
                .iter()
                .map(|name| {
                    let base = fleet.commons.get(name).map_or_else(|| format!("https://{name}.example.org"), |o| o.base_url.clone());
                    json!({"base_url": base, "idp": name, "name": format!("{name} login"),
                           "refresh_token_expiration": null,
                           "urls": [{"name": format!("{name} login"), "url": format!("{base}/wts/oauth2/authorization_url?idp={name}")}]})
                })
                .collect();
            Reply::json(200, &json!({"providers": providers}))
        }),
        _ => flask_service(c, method, path, "/wts", true),
    }
}

#[allow(clippy::too_many_arguments)]
fn route(
    fleet: &FleetInner,
    c: &Commons,
    service: Service,
    method: &Method,
    path: &str,
    query: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Reply {
    match service {
        Service::Revproxy => revproxy(c, method, path),
        Service::Fence => fence(fleet, c, method, path, query, headers, body),
        Service::Indexd => indexd(fleet, c, method, path, query),
        Service::Sheepdog => sheepdog(c, method, path),
        Service::Peregrine => peregrine(c, method, path),
        Service::Metadata => crate::mds::route(fleet, c, method, path, query),
        Service::Guppy => guppy(c, method, path),
        Service::Wts => wts(fleet, c, method, path),
        Service::Manifestservice => flask_service(c, method, path, "/manifests", false),
        Service::Audit => fastapi_service(c, method, path, "/audit", false),
        Service::Requestor => fastapi_service(c, method, path, "/requestor", false),
        Service::Hatchery => flask_service(c, method, path, "/lw-workspace", true),
        Service::Sower => flask_service(c, method, path, "/job", true),
        Service::Gen3Workflow => fastapi_service(c, method, path, "/workflows", false),
        Service::UserDataLibrary => fastapi_service(c, method, path, "/library", true),
        Service::Embeddings => fastapi_service(c, method, path, "/ai/embeddings", false),
        Service::Analysis => fastapi_service(c, method, path, "/analysis/v0", false),
        Service::AccessBackend => fastapi_service(c, method, path, "/access-backend", false),
        Service::Portal | Service::FrontendFramework | Service::OhifViewer => {
            only_get(method, || Reply::html(200, PORTAL_PAGE))
        }
        Service::CohortMiddleware => match path {
            "/cohort-middleware/_health" => only_get(method, || Reply::json(200, &json!({"status": "healthy"}))),
            _ => Reply::json(404, &json!({"message": "not found"})),
        },
        Service::ArgoWrapper => match path {
            "/ga4gh/wes/v2/test" => only_get(method, || Reply::json(200, &json!({"message": "test"}))),
            _ => Reply::json(404, &json!({"detail": "Not Found"})),
        },
        Service::DicomServer | Service::Orthanc => match path.rsplit_once('/') {
            Some((_, "system")) => only_get(method, || {
                Reply::json(
                    200,
                    &json!({"Name": "Orthanc", "Version": "1.12.4", "ApiVersion": 24, "DicomAet": "ORTHANC"}),
                )
            }),
            _ => Reply::json(404, &json!({"HttpError": "Not Found", "HttpStatus": 404})),
        },
        Service::Arborist => Reply::html(404, nginx_page(404, "Not Found")),
    }
}

// ---------------------------------------------------------------------------------------------
// the edge

/// gen3-helm's `location @5xx`: what any failing or missing upstream looks like from outside.
fn service_failure() -> Reply {
    Reply {
        status: 500,
        content_type: "application/octet-stream",
        headers: Vec::new(),
        body: SERVICE_FAILURE_BODY.as_bytes().to_vec(),
    }
}

/// A route whose service is not deployed: gen3-helm mounts its location anyway, so the name does
/// not resolve and the 500 intercept answers; cloud-automation has no such location, so the
/// request falls through to the portal.
fn not_there(c: &Commons, service: Option<Service>) -> Reply {
    match c.spec.edge {
        Edge::Helm => service_failure(),
        Edge::CloudAutomation if service == Some(Service::Revproxy) => Reply::html(200, PORTAL_PAGE),
        Edge::CloudAutomation if c.spec.services.contains(&Service::Portal) => Reply::html(200, PORTAL_PAGE),
        Edge::CloudAutomation => Reply::html(404, nginx_page(404, "Not Found")),
    }
}

/// `auth_request /gen3-authz` (arborist's `/auth/proxy`): no valid access token of this commons
/// is a 401, which sower's `error_page 401 = @errorworkspace` turns into a redirect to
/// `/no-workspace-access`. `mounted`: the location exists on this revproxy.
fn authz_gate(
    fleet: &FleetInner,
    c: &Commons,
    path: &str,
    headers: &[(String, String)],
    mounted: bool,
) -> Option<Reply> {
    let location = edge::route(path).filter(|l| l.authz && mounted)?;
    let allowed = bearer(headers).is_some_and(|t| validate(fleet, c, &t, "access").is_ok());
    if allowed {
        return None;
    }
    if location.file == "sower-service.conf" {
        // nginx writes `https://$host/no-workspace-access`; the simulator keeps its own scheme.
        let mut r = Reply::html(302, nginx_page(302, "Found"));
        r.headers.push(("location", format!("{}/no-workspace-access", c.base_url)));
        return Some(r);
    }
    Some(Reply::html(401, nginx_page(401, "Authorization Required")))
}

// ---------------------------------------------------------------------------------------------
// faults

struct Huge {
    remaining: usize,
}

static HUGE_CHUNK: [u8; 65536] = [b'x'; 65536];

impl hyper::body::Body for Huge {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let n = self.remaining.min(HUGE_CHUNK.len());
        self.remaining -= n;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&HUGE_CHUNK[..n])))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining as u64)
    }
}

fn garbage() -> Reply {
    let mut body = Vec::with_capacity(1024);
    // Never valid JSON or UTF-8: starts with a byte that cannot begin either.
    body.push(0xff);
    while body.len() < 1024 {
        body.extend_from_slice(&random_u64().to_le_bytes());
    }
    Reply { status: 200, content_type: "application/json", headers: Vec::new(), body }
}

pub(crate) async fn handle(fleet: Arc<FleetInner>, c: Arc<Commons>, req: Request<Incoming>) -> Response<Body> {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let path_q = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| path.clone());
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    c.record(RecordedRequest { method: method.to_string(), path: path_q.clone(), headers: headers.clone() });

    let service = Service::for_path(&path);
    let deployed = service.is_some_and(|s| c.spec.services.contains(&s));
    let helm = c.spec.edge == Edge::Helm;
    let (whole, svc_fault) = c.faults_for(service);
    let fault = whole.clone().or(if deployed { svc_fault } else { None });
    // What nginx answers when the upstream fails: gen3-helm intercepts every 5xx (but a fault on
    // the whole commons is the load balancer's, in front of nginx).
    let upstream_failed = |status: u16, reason: &str| {
        if helm && whole.is_none() && service != Some(Service::Revproxy) {
            service_failure()
        } else {
            Reply::html(status, nginx_page(status, reason))
        }
    };
    let mut truncate = false;
    match fault {
        None => {}
        Some(Fault::Down) => return upstream_failed(502, "Bad Gateway").into_response(),
        Some(Fault::Timeout) => std::future::pending::<()>().await,
        Some(Fault::Slow(d)) => tokio::time::sleep(d).await,
        Some(Fault::Status500) => return upstream_failed(500, "Internal Server Error").into_response(),
        Some(Fault::Html) => return Reply::html(200, PORTAL_PAGE).into_response(),
        Some(Fault::Garbage) => return garbage().into_response(),
        Some(Fault::TruncatedJson) => truncate = true,
        Some(Fault::HugeBody(n)) => {
            return Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .header("server", "nginx")
                .body(Huge { remaining: n }.boxed())
                .expect("valid response")
        }
        Some(Fault::RedirectTo(other)) => {
            return match fleet.commons.get(&other) {
                Some(o) => {
                    let mut r = Reply::html(302, nginx_page(302, "Found"));
                    r.headers.push(("location", format!("{}{}", o.base_url, path_q)));
                    r.into_response()
                }
                None => Reply::html(502, nginx_page(502, "Bad Gateway")).into_response(),
            }
        }
    }
    match crate::boot::not_up_yet(&c, service) {
        Some(NotUp::Edge(status, reason)) => return Reply::html(status, nginx_page(status, reason)).into_response(),
        Some(NotUp::Upstream(status, reason)) => return upstream_failed(status, reason).into_response(),
        None => {}
    }
    if service != Some(Service::Revproxy) {
        if let Some(denied) = authz_gate(&fleet, &c, &path, &headers, helm || deployed) {
            return denied.into_response();
        }
    }
    let Some(service) = service.filter(|_| deployed) else {
        return not_there(&c, service).into_response();
    };
    let body = match Limited::new(req.into_body(), 1 << 20).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return Reply::html(413, nginx_page(413, "Request Entity Too Large")).into_response(),
    };
    let mut reply = route(&fleet, &c, service, &method, &path, &query, &headers, &body);
    if truncate {
        let keep = reply.body.len() / 2;
        reply.body.truncate(keep.min(reply.body.len().saturating_sub(1)));
        reply.content_type = "application/json";
    }
    if method == Method::HEAD {
        reply.body.clear();
    }
    reply.into_response()
}
