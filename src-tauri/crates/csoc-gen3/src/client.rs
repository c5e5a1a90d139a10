//! A client for one commons: API-key exchange with an in-memory access token (refreshed 5 minutes
//! before it expires, one fresh retry on 401/403), bounded time and size for every request, TLS
//! always verified (a private CA may be added), and no redirect followed to another host.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::{Mutex, Semaphore, SemaphorePermit};

use super::failure;
use csoc_model::credentials::{decode_claims, ApiKey};
use csoc_model::error::{CoreError, CoreResult, ErrorCode};
use csoc_model::model::now_ms;
use csoc_model::secret::{Secret, SecretKind};

const REFRESH_MARGIN_SECS: i64 = 300;
/// Requests a sweep sends to one commons at once, and the idle connections its client keeps: over
/// HTTP/1.1 every request in flight takes its own connection, so a burst wider than the pool
/// opens connections only to close them (a TCP, and on HTTPS a TLS, handshake per request).
pub const CONNECTIONS_PER_COMMONS: usize = 4;
/// Pooled connections a GET may find closed in a row before it fails: the pool keeps
/// [`CONNECTIONS_PER_COMMONS`] idle ones, and then a new one is opened.
const STALE_CONNECTION_RETRIES: usize = CONNECTIONS_PER_COMMONS + 1;
const EXCHANGE_PATH: &str = "/user/credentials/api/access_token";

#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    /// For the whole request, body included.
    pub request_timeout: Duration,
    pub max_body_bytes: usize,
    /// A private CA (PEM) this commons' certificate chains to, added to the system's roots.
    pub extra_ca_pem: Option<String>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(20),
            max_body_bytes: 8 * 1024 * 1024,
            extra_ca_pem: None,
        }
    }
}

/// A response read in full (up to the size cap).
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl RawResponse {
    fn is_html(&self) -> bool {
        self.content_type.contains("html") || self.body.trim_ascii_start().starts_with(b"<")
    }
}

struct AccessToken {
    token: Secret,
    exp: i64,
}

pub struct Gen3Client {
    http: reqwest::Client,
    base_url: String,
    host: String,
    api_key: Option<ApiKey>,
    /// Why a stored key could not be read (no keyring, locked vault): the key check reports it
    /// instead of passing as "no key stored".
    key_problem: Option<CoreError>,
    token: Mutex<Option<AccessToken>>,
    opts: ClientOptions,
    slots: Semaphore,
}

impl Gen3Client {
    /// `base_url` is the normalized commons URL (`https://host[:port]`).
    pub fn new(base_url: &str, api_key: Option<ApiKey>, opts: ClientOptions) -> CoreResult<Self> {
        let http = http_client(&opts)?;
        Self::with_http(http, base_url, api_key, opts)
    }

    /// A client over a shared connection pool (a sweep probes hundreds of commons with one).
    pub fn with_http(
        http: reqwest::Client,
        base_url: &str,
        api_key: Option<ApiKey>,
        opts: ClientOptions,
    ) -> CoreResult<Self> {
        let parsed =
            url::Url::parse(base_url).map_err(|_| CoreError::invalid(format!("“{base_url}” is not a URL.")))?;
        Ok(Self {
            http,
            host: parsed.host_str().unwrap_or(base_url).to_string()
                + &parsed.port().map(|p| format!(":{p}")).unwrap_or_default(),
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key,
            key_problem: None,
            token: Mutex::new(None),
            opts,
            slots: Semaphore::new(CONNECTIONS_PER_COMMONS),
        })
    }

    /// A client for a commons whose stored key exists but could not be read: the authenticated
    /// check fails with `why` instead of being skipped.
    pub fn with_unreadable_key(mut self, why: CoreError) -> Self {
        self.key_problem = Some(why);
        self
    }

    /// One of the commons' request slots ([`CONNECTIONS_PER_COMMONS`]): a sweep takes one before a
    /// place in the sweep-wide bound, so waiting for this commons never holds a place.
    pub async fn slot(&self) -> Option<SemaphorePermit<'_>> {
        self.slots.acquire().await.ok()
    }

    pub fn has_key(&self) -> bool {
        self.api_key.is_some() || self.key_problem.is_some()
    }

    /// The stored key carries this scope (its claims say which fence will grant its tokens).
    pub fn key_has_scope(&self, scope: &str) -> bool {
        self.api_key.as_ref().is_some_and(|k| k.info.scopes.iter().any(|s| s == scope))
    }

    /// The stored key's id (its `jti`), to tell it from the user's other keys.
    pub fn key_id(&self) -> Option<&str> {
        self.api_key.as_ref().map(|k| k.info.key_id.as_str())
    }

    /// A GET read in full, with no status interpretation (for probes that read status codes).
    pub async fn get_raw(&self, path: &str, auth: bool) -> CoreResult<RawResponse> {
        if !auth {
            return self.send(self.http.get(self.url(path))).await;
        }
        let token = self.access_token(false).await?;
        let first = self.send(self.http.get(self.url(path)).header("Authorization", bearer(&token))).await?;
        if first.status != 401 && first.status != 403 {
            return Ok(first);
        }
        let token = self.access_token(true).await?;
        self.send(self.http.get(self.url(path)).header("Authorization", bearer(&token))).await
    }

    /// A GET that must answer 2xx with JSON, as Gen3 services do.
    pub async fn get_json(&self, path: &str, auth: bool) -> CoreResult<serde_json::Value> {
        let resp = self.get_raw(path, auth).await?;
        self.expect_json(path, resp)
    }

    /// Exchanges the key and asks fence who it belongs to: the "test connection" action.
    pub async fn current_user(&self) -> CoreResult<String> {
        // fence's rule is `/user/` (a branch URL): without the slash Flask answers a redirect first.
        let user = self.get_json("/user/user/", true).await?;
        Ok(user
            .get("username")
            .or_else(|| user.get("name"))
            .and_then(|v| v.as_str())
            .unwrap_or("(unnamed user)")
            .to_string())
    }

    /// The cached access token, or a fresh one from fence when it is within 5 minutes of expiry.
    async fn access_token(&self, force: bool) -> CoreResult<Secret> {
        let mut cached = self.token.lock().await;
        let now = now_ms() / 1000;
        if let Some(t) = cached.as_ref().filter(|t| !force && t.exp - REFRESH_MARGIN_SECS > now) {
            return Ok(t.token.clone());
        }
        let fresh = self.exchange().await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    async fn exchange(&self) -> CoreResult<AccessToken> {
        if let Some(why) = &self.key_problem {
            return Err(CoreError::new(
                why.code,
                format!("The stored API key for {} could not be checked: {}", self.host, why.message),
            ));
        }
        let key = self.api_key.as_ref().ok_or_else(|| {
            CoreError::new(
                ErrorCode::Unauthorized,
                format!("No API key is stored for {}. Import its credentials.json.", self.host),
            )
        })?;
        // The key goes only to the origin it is bound to (its issuer's), whatever URL the
        // inventory now holds for the commons: a changed URL must not carry the key elsewhere.
        if !key.may_be_sent_to(&self.base_url) {
            return Err(CoreError::new(
                ErrorCode::KeySetAside,
                format!(
                    "The stored API key (ending in {}) belongs to {}, but this commons' URL is now {}; the key was \
                     not sent. Confirm the new URL for this key in the vault, or import a key issued by {}.",
                    key.info.ends_with, key.bound_origin, self.base_url, self.base_url
                ),
            ));
        }
        let now = now_ms() / 1000;
        if key.info.expires_at <= now {
            return Err(CoreError::new(
                ErrorCode::KeyExpired,
                format!(
                    "The API key for {} expired (key ending in {}). Create a new one on the portal's Profile page and import it.",
                    self.host, key.info.ends_with
                ),
            ));
        }
        let body = serde_json::json!({ "api_key": key.secret.expose() });
        let resp = self.send(self.http.post(self.url(EXCHANGE_PATH)).json(&body)).await?;
        match resp.status {
            200 => {
                #[derive(Deserialize)]
                struct Exchanged {
                    access_token: String,
                }
                #[derive(Deserialize)]
                struct Exp {
                    exp: i64,
                }
                let parsed: Exchanged = serde_json::from_slice(&resp.body).map_err(|_| self.not_fence())?;
                let exp = decode_claims::<Exp>(&parsed.access_token).map_or(now + 1200, |c| c.exp);
                Ok(AccessToken { token: Secret::new(SecretKind::AccessToken, parsed.access_token), exp })
            }
            401 | 403 => {
                let text = String::from_utf8_lossy(&resp.body).to_lowercase();
                Err(if text.contains("missing required scopes") && text.contains("fence") {
                    // fence exchanges only keys with its own `fence` scope (which it adds to every key
                    // it creates): this key was made some other way.
                    CoreError::new(
                        ErrorCode::KeyRejected,
                        format!(
                            "fence at {} refuses to exchange the API key ending in {}: the key lacks the “fence” \
                             scope fence requires. Create a new key on the portal's Profile page and import it.",
                            self.host, key.info.ends_with
                        ),
                    )
                } else if text.contains("expired") {
                    CoreError::new(
                        ErrorCode::KeyExpired,
                        format!("fence at {} says the API key has expired. Import a new credentials.json.", self.host),
                    )
                } else {
                    CoreError::new(
                        ErrorCode::KeyRejected,
                        format!(
                            "fence at {} rejected the API key ending in {} (revoked, or issued by another commons). \
                             Create a new one on the portal's Profile page and import it.",
                            self.host, key.info.ends_with
                        ),
                    )
                })
            }
            // fence refuses a token that would outlive the key (MAX_ACCESS_TOKEN_TTL, 1 hour).
            400 if String::from_utf8_lossy(&resp.body).contains("would expire after the provided API key") => {
                Err(CoreError::new(
                    ErrorCode::KeyExpired,
                    format!(
                        "The API key for {} (ending in {}) expires within the hour, so fence issues no more tokens \
                         for it: import a new one.",
                        self.host, key.info.ends_with
                    ),
                ))
            }
            s if (300..400).contains(&s) => Err(self.redirected()),
            s if s >= 500 => Err(self.server_error("fence", s)),
            _ => Err(self.not_fence()),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> CoreResult<RawResponse> {
        let timeout = self.opts.request_timeout.as_secs().max(1);
        // Servers and load balancers close idle keep-alive connections; one closed just as a pooled
        // connection is reused fails before any answer. A GET is then sent again (a new connection
        // each time the pool has no live one left); nothing else is, as the server may have acted on it.
        let request = request.build().map_err(|e| failure::transport(&self.host, &e, timeout))?;
        let spare = if request.method() == reqwest::Method::GET { request.try_clone() } else { None };
        let mut sent = self.http.execute(request).await;
        if let Some(spare) = spare {
            for _ in 0..STALE_CONNECTION_RETRIES {
                match &sent {
                    Err(e) if failure::closed_before_answer(e) => {}
                    _ => break,
                }
                let Some(again) = spare.try_clone() else { break };
                tracing::info!(host = %self.host, "the connection closed before an answer; sending the GET again");
                sent = self.http.execute(again).await;
            }
        }
        let mut resp = sent.map_err(|e| failure::transport(&self.host, &e, timeout))?;
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let too_big = || {
            CoreError::new(
                ErrorCode::MalformedResponse,
                format!(
                    "{} sent more than {} MB for one status request; no Gen3 route answers with that much.",
                    self.host,
                    self.opts.max_body_bytes / (1024 * 1024)
                ),
            )
        };
        if resp.content_length().is_some_and(|n| n as usize > self.opts.max_body_bytes) {
            return Err(too_big());
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| failure::transport(&self.host, &e, timeout))? {
            if body.len() + chunk.len() > self.opts.max_body_bytes {
                return Err(too_big());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse { status, content_type, body })
    }

    fn expect_json(&self, path: &str, resp: RawResponse) -> CoreResult<serde_json::Value> {
        match resp.status {
            200..=299 => {}
            300..=399 => return Err(self.redirected()),
            401 | 403 => {
                let why = match missing_scopes(&resp.body) {
                    Some(scopes) => format!(
                        "the API key was created without the {scopes} scope fence requires there; create a new key \
                         on the portal's Profile page"
                    ),
                    None => "the key's user lacks permission".to_string(),
                };
                return Err(CoreError::new(
                    ErrorCode::Unauthorized,
                    format!("{} refused access to {path} even with a fresh token: {why}.", self.host),
                ));
            }
            404 => {
                return Err(CoreError::new(
                    ErrorCode::NotGen3,
                    format!(
                    "{} has no {path} (HTTP 404): the service is not deployed there, or this is not a Gen3 commons.",
                    self.host
                ),
                ))
            }
            s if s >= 500 => return Err(self.server_error(path, s)),
            s => {
                return Err(CoreError::new(ErrorCode::NotGen3, format!("{} answered {path} with HTTP {s}.", self.host)))
            }
        }
        if resp.is_html() {
            return Err(CoreError::new(
                ErrorCode::NotGen3,
                format!(
                    "{} answered {path} with a web page instead of Gen3 JSON (a login portal, proxy or error page?).",
                    self.host
                ),
            ));
        }
        serde_json::from_slice(&resp.body).map_err(|e| {
            let why = if e.is_eof() { "cut off before its end" } else { "not valid JSON" };
            CoreError::new(
                ErrorCode::MalformedResponse,
                format!("{} answered {path} with a body that is {why}.", self.host),
            )
        })
    }

    fn redirected(&self) -> CoreError {
        CoreError::new(
            ErrorCode::NotGen3,
            format!(
                "{} redirects to another host. Gen3 APIs answer in place, so the app does not follow it with credentials; \
                 check the commons URL.",
                self.host
            ),
        )
    }

    fn server_error(&self, what: &str, status: u16) -> CoreError {
        CoreError::new(
            ErrorCode::Unreachable,
            format!("{} answered {what} with a server error (HTTP {status}).", self.host),
        )
    }

    fn not_fence(&self) -> CoreError {
        CoreError::new(
            ErrorCode::NotGen3,
            format!("{} did not answer the API-key exchange as Gen3's fence does. Is this a Gen3 commons?", self.host),
        )
    }
}

/// The scopes named in fence's "token is missing required scopes: {'user'}" (authutils), as
/// “user”, at most a few short names.
fn missing_scopes(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let (_, rest) = text.split_once("missing required scopes: {")?;
    let (list, _) = rest.split_once('}')?;
    let names: Vec<String> = list
        .split(',')
        .map(|s| {
            s.replace("&#39;", "").replace("&#x27;", "").trim().trim_matches(|c| c == '\'' || c == '"').to_string()
        })
        .filter(|s| !s.is_empty() && s.len() <= 40 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .take(4)
        .map(|s| format!("“{s}”"))
        .collect();
    (!names.is_empty()).then(|| names.join(" and "))
}

fn bearer(token: &Secret) -> String {
    format!("bearer {}", token.expose())
}

/// The TLS settings every client uses: the system's and the web's roots, plus an optional
/// private CA. Built once per trust store (loading the system roots costs milliseconds).
pub fn tls_config(extra_ca_pem: Option<&str>) -> CoreResult<Arc<tokio_rustls::rustls::ClientConfig>> {
    use tokio_rustls::rustls;
    let roots = crate::tls_cert::trust_store(extra_ca_pem)?;
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|_| CoreError::new(ErrorCode::Tls, "The TLS settings could not be built."))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// An HTTP client with the app's rules: verified TLS (plus an optional private CA), timeouts, and
/// redirects followed only within the origin the request started at.
pub fn http_client(opts: &ClientOptions) -> CoreResult<reqwest::Client> {
    http_client_with(opts, tls_config(opts.extra_ca_pem.as_deref())?)
}

/// The same with prepared TLS settings: cheap enough to build one client per commons in a sweep,
/// whose connections close when its probe ends.
pub fn http_client_with(
    opts: &ClientOptions,
    tls: Arc<tokio_rustls::rustls::ClientConfig>,
) -> CoreResult<reqwest::Client> {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt.previous().first().is_none_or(|first| first.origin() == attempt.url().origin());
        if attempt.previous().len() >= 5 {
            attempt.error("too many redirects")
        } else if same_origin {
            attempt.follow()
        } else {
            // Never carry a token, or an API key in a body, to another host: stop and report it.
            attempt.stop()
        }
    });
    reqwest::Client::builder()
        .use_preconfigured_tls((*tls).clone())
        .connect_timeout(opts.connect_timeout)
        .timeout(opts.request_timeout)
        .redirect(policy)
        .pool_max_idle_per_host(CONNECTIONS_PER_COMMONS)
        .user_agent(concat!("gen3-csoc/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| {
            tracing::error!(error = %e, "http client");
            CoreError::new(ErrorCode::Tls, "The HTTPS client could not be set up (details are in the log file).")
        })
}
