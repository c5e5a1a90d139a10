//! # gen3-sim: a loopback fleet of Gen3 data commons
//!
//! One process serves up to hundreds of simulated commons, one port each on `127.0.0.1`, speaking
//! the Gen3 public API through revproxy paths as the real services do (`/user/...` fence,
//! `/index/...` indexd, `/mds/...` metadata, ...), quirks included: text `Healthy` status pages,
//! MDS `/mds/version` (no underscore), HTML error pages from fence even for JSON clients, RS256
//! API keys and access tokens signed by the fleet. Faults can be injected per commons or per
//! service (down, timeout, slow, 500, HTML, garbage, truncated JSON, huge body, redirect), and each
//! commons can serve plain HTTP or TLS (trusted by the fleet's test CA, self-signed or expired).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use gen3_sim::{CommonsSpec, Fleet, MintOptions};
//! let fleet = Fleet::start(vec![CommonsSpec::new("alpha")]).await?;
//! let creds = fleet.mint_credentials("alpha", MintOptions::default());
//! println!("{} {}", fleet.base_url("alpha"), creds["key_id"]);
//! fleet.shutdown().await;
//! # Ok(()) }
//! ```

mod boot;
pub mod edge;
mod jwt;
mod mds;
pub mod plan;
mod routes;
mod server;
mod tls;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;

use crate::server::Commons;
pub use edge::Edge;

/// How a commons serves its port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TlsMode {
    /// Plain HTTP.
    #[default]
    Plain,
    /// HTTPS with a certificate for `127.0.0.1` and `localhost` signed by the fleet's test CA
    /// ([`Fleet::ca_pem`]).
    TrustedCa,
    /// HTTPS with a self-signed certificate (not chained to any CA).
    SelfSigned,
    /// HTTPS with a certificate signed by the test CA whose `not_after` is in the past (2021).
    Expired,
    /// HTTPS with a certificate signed by the test CA that expires 5 days after the fleet started.
    ExpiresSoon,
}

/// A Gen3 service, as routed by revproxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    /// nginx itself: `/_status`, `/canary`.
    Revproxy,
    /// `/user/...`
    Fence,
    /// `/index/...` and `/ga4gh/drs/v1/...`
    Indexd,
    /// `/api/...` (except `/api/search/...`)
    Sheepdog,
    /// `/peregrine/...` and `/api/search/...`
    Peregrine,
    /// `/mds/...`
    Metadata,
    /// `/guppy/...`
    Guppy,
    /// `/wts/...`
    Wts,
    /// `/manifests/...`
    Manifestservice,
    /// `/audit/...`
    Audit,
    /// `/requestor/...`
    Requestor,
    /// `/lw-workspace/...`
    Hatchery,
    /// `/job/...`
    Sower,
    /// Internal only (`/health`): no external route, so nothing answers for it.
    Arborist,
    /// `/workflows/...`
    Gen3Workflow,
    /// `/library/...`
    UserDataLibrary,
    /// `location /`: the data portal's single-page app (200 HTML for any path it gets).
    Portal,
    /// `/ff`: the frontend framework (HTML).
    FrontendFramework,
    /// `/ai/embeddings/...` (FastAPI).
    Embeddings,
    /// `/analysis/v0/...` (FastAPI).
    Analysis,
    /// `/access-backend/...` (FastAPI).
    AccessBackend,
    /// `/cohort-middleware/...` (Go; `/_health`).
    CohortMiddleware,
    /// `/ga4gh/wes/v2/...` (argo-wrapper; `/test`).
    ArgoWrapper,
    /// `/dicom-server/...` (Orthanc without authz; `/system`).
    DicomServer,
    /// `/orthanc/...` (Orthanc behind `auth_request`; `/system`).
    Orthanc,
    /// `/ohif-viewer/...` (HTML).
    OhifViewer,
}

impl Service {
    /// Every service, in declaration order (the default deployment of a [`CommonsSpec`]).
    pub const ALL: [Service; 26] = [
        Service::Revproxy,
        Service::Fence,
        Service::Indexd,
        Service::Sheepdog,
        Service::Peregrine,
        Service::Metadata,
        Service::Guppy,
        Service::Wts,
        Service::Manifestservice,
        Service::Audit,
        Service::Requestor,
        Service::Hatchery,
        Service::Sower,
        Service::Arborist,
        Service::Gen3Workflow,
        Service::UserDataLibrary,
        Service::Portal,
        Service::FrontendFramework,
        Service::Embeddings,
        Service::Analysis,
        Service::AccessBackend,
        Service::CohortMiddleware,
        Service::ArgoWrapper,
        Service::DicomServer,
        Service::Orthanc,
        Service::OhifViewer,
    ];

    /// The service's name in gen3-helm (its chart and the app's monitoring catalog).
    pub fn id(self) -> &'static str {
        match self {
            Service::Revproxy => "revproxy",
            Service::Fence => "fence",
            Service::Indexd => "indexd",
            Service::Sheepdog => "sheepdog",
            Service::Peregrine => "peregrine",
            Service::Metadata => "metadata",
            Service::Guppy => "guppy",
            Service::Wts => "wts",
            Service::Manifestservice => "manifestservice",
            Service::Audit => "audit",
            Service::Requestor => "requestor",
            Service::Hatchery => "hatchery",
            Service::Sower => "sower",
            Service::Arborist => "arborist",
            Service::Gen3Workflow => "gen3-workflow",
            Service::UserDataLibrary => "gen3-user-data-library",
            Service::Portal => "portal",
            Service::FrontendFramework => "frontend-framework",
            Service::Embeddings => "gen3-embeddings",
            Service::Analysis => "gen3-analysis",
            Service::AccessBackend => "access-backend",
            Service::CohortMiddleware => "cohort-middleware",
            Service::ArgoWrapper => "argo-wrapper",
            Service::DicomServer => "dicom-server",
            Service::Orthanc => "orthanc",
            Service::OhifViewer => "ohif-viewer",
        }
    }

    /// The service a request path is routed to by revproxy, if any: nginx's own `/_status` and
    /// `/canary`, else the chart's `location` the path reaches ([`edge::route`]).
    pub(crate) fn for_path(path: &str) -> Option<Service> {
        let path = path.split('?').next().unwrap_or("");
        if path == "/_status" || path == "/canary" || path.starts_with("/canary/") {
            return Some(Service::Revproxy);
        }
        edge::service_of_file(edge::route(path)?.file)
    }
}

/// One simulated commons.
#[derive(Debug, Clone, PartialEq)]
pub struct CommonsSpec {
    /// Unique name in the fleet (used by every [`Fleet`] method).
    pub name: String,
    pub tls: TlsMode,
    /// Deployed services; a route of a service not listed answers nginx's 404 HTML page.
    pub services: Vec<Service>,
    /// Image tag reported by the `_version` endpoints, e.g. `"2025.09"`.
    pub version: String,
    /// How many discovery records the MDS serves; `None` = 3 to 5, fixed by the commons' name.
    pub discovery_records: Option<usize>,
    /// Makes this commons a mesh hub: its MDS runs the aggregate API (`/mds/aggregate/...`) over
    /// the discovery records of these commons (fleet names; an unknown name is served as an
    /// external commons with records of its own), as a hub's AggMDS holds them after a sync.
    pub aggregates: Option<Vec<String>>,
    /// The revproxy in front: gen3-helm's (default) or a legacy cloud-automation one.
    pub edge: Edge,
    /// fence's OpenID `issuer`; `None` = its own BASE_URL (`<base url>/user`), as a correct
    /// deployment has it.
    pub oidc_issuer: Option<String>,
    /// The IdPs fence offers at `/user/login` (ids such as `google`, `ras`, `orcid`); the first is
    /// the default provider.
    pub login_providers: Vec<String>,
    /// How long ago guppy's ETL ran: its indices carry the alias `time_<that moment>`.
    pub etl_age_secs: u64,
    /// indexd's `DIST` (`/index/_dist`): the commons (fleet names) it resolves GUIDs through.
    pub dist: Vec<String>,
    /// WTS `external_oidc` (`/wts/external_oidc/`): the commons (fleet names) it gets tokens from.
    pub external_oidc: Vec<String>,
}

impl CommonsSpec {
    /// Plain HTTP behind gen3-helm's revproxy, all services, version "2025.09", Google login,
    /// data indexed 6 hours ago.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            tls: TlsMode::Plain,
            services: Service::ALL.to_vec(),
            version: "2025.09".to_string(),
            discovery_records: None,
            aggregates: None,
            edge: Edge::Helm,
            oidc_issuer: None,
            login_providers: vec!["google".to_string()],
            etl_age_secs: 6 * 3600,
            dist: Vec::new(),
            external_oidc: Vec::new(),
        }
    }

    /// The same commons serving exactly `n` discovery records.
    pub fn with_discovery_records(self, n: usize) -> Self {
        Self { discovery_records: Some(n), ..self }
    }

    /// The same commons as the hub of a mesh aggregating these commons' records.
    pub fn aggregate_of(self, members: &[&str]) -> Self {
        Self { aggregates: Some(members.iter().map(|m| m.to_string()).collect()), ..self }
    }
}

/// A fault injected into a whole commons or one service of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Whole commons: connection refused (the listener is closed and open connections dropped;
    /// clearing the fault re-binds the same port). One service: 502 nginx "Bad Gateway" page.
    Down,
    /// Accept the request and never answer (until [`Fleet::shutdown`]).
    Timeout,
    /// Answer normally after this delay.
    Slow(Duration),
    /// 500 with an HTML error page.
    Status500,
    /// 200 with an HTML page instead of the normal body.
    Html,
    /// 200 with random bytes (`Content-Type: application/json`).
    Garbage,
    /// 200 with the normal body cut in half (`Content-Type: application/json`).
    TruncatedJson,
    /// 200 streaming this many bytes (`Content-Type: application/json`, with Content-Length).
    HugeBody(usize),
    /// 302 to the same path on another commons of the fleet (by name).
    RedirectTo(String),
}

/// Options for [`Fleet::mint_credentials`].
#[derive(Debug, Clone, PartialEq)]
pub struct MintOptions {
    /// Lifetime of the API key from now; negative → already expired.
    pub expires_in_secs: i64,
    pub scopes: Vec<String>,
    /// Name reported in access tokens (`context.user.name`) and by `/user/user`.
    pub user_name: String,
    pub sub: String,
    /// The key id (`jti` = `key_id`); a random UUID if `None`.
    pub jti: Option<String>,
}

impl Default for MintOptions {
    fn default() -> Self {
        Self {
            expires_in_secs: 30 * 24 * 3600,
            scopes: ["fence", "openid", "user", "data"].iter().map(|s| s.to_string()).collect(),
            user_name: "test-user@example.org".to_string(),
            sub: "1".to_string(),
            jti: None,
        }
    }
}

/// A request a commons received (the last [`REQUEST_LOG_CAPACITY`] per commons are kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// Path with query string, e.g. `/mds/metadata?data=true`.
    pub path: String,
    /// Header names are lowercase.
    pub headers: Vec<(String, String)>,
}

impl RecordedRequest {
    /// The first header with this (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// How many requests are kept per commons by [`Fleet::requests`].
pub(crate) const REQUEST_LOG_CAPACITY: usize = 1000;

pub(crate) struct FleetInner {
    pub(crate) key: jwt::JwtKey,
    pub(crate) tls: tls::FleetTls,
    pub(crate) commons: HashMap<String, Arc<Commons>>,
    pub(crate) order: Vec<String>,
    pub(crate) shutdown: watch::Sender<bool>,
    pub(crate) handle: tokio::runtime::Handle,
    pub(crate) tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

/// A running fleet. Cheap to clone (an `Arc` inside); every clone controls the same fleet.
#[derive(Clone)]
pub struct Fleet {
    inner: Arc<FleetInner>,
}

impl std::fmt::Debug for Fleet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fleet").field("commons", &self.inner.order).finish()
    }
}

pub(crate) fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

impl Fleet {
    /// Binds one port per commons on 127.0.0.1 and starts serving. Must be called inside a
    /// tokio runtime (the servers run as tasks on it).
    pub async fn start(specs: Vec<CommonsSpec>) -> std::io::Result<Fleet> {
        let mut seen = HashSet::new();
        for s in &specs {
            if !seen.insert(s.name.clone()) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("duplicate commons name {:?}", s.name),
                ));
            }
        }
        let (key, tls) = tokio::task::spawn_blocking(|| -> std::io::Result<_> {
            Ok((jwt::JwtKey::generate()?, tls::FleetTls::generate()?))
        })
        .await
        .map_err(std::io::Error::other)??;
        let (shutdown, _) = watch::channel(false);
        let mut commons = HashMap::new();
        let mut order = Vec::new();
        for spec in specs {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
            let port = listener.local_addr()?.port();
            let scheme = if spec.tls == TlsMode::Plain { "http" } else { "https" };
            let base_url = format!("{scheme}://127.0.0.1:{port}");
            let name = spec.name.clone();
            order.push(name.clone());
            commons.insert(name, Arc::new(Commons::new(spec, port, base_url, listener)));
        }
        let inner = Arc::new(FleetInner {
            key,
            tls,
            commons,
            order,
            shutdown,
            handle: tokio::runtime::Handle::current(),
            tasks: Mutex::new(Vec::new()),
        });
        let mut tasks = Vec::new();
        for name in &inner.order {
            let c = inner.commons[name].clone();
            tasks.push(tokio::spawn(server::accept_loop(inner.clone(), c)));
        }
        *inner.tasks.lock().unwrap() = tasks;
        Ok(Fleet { inner })
    }

    fn commons(&self, name: &str) -> &Arc<Commons> {
        self.inner.commons.get(name).unwrap_or_else(|| panic!("gen3-sim: no commons named {name:?} in this fleet"))
    }

    /// Names of the commons, in the order given to [`Fleet::start`].
    pub fn names(&self) -> Vec<String> {
        self.inner.order.clone()
    }

    /// e.g. `http://127.0.0.1:41234` or `https://127.0.0.1:41235` (no trailing slash).
    /// Panics on an unknown name.
    pub fn base_url(&self, name: &str) -> String {
        self.commons(name).base_url.clone()
    }

    /// The fleet's test CA certificate (PEM), which signs the `TrustedCa` and `Expired`
    /// certificates.
    pub fn ca_pem(&self) -> String {
        self.inner.tls.ca_pem.clone()
    }

    /// An API key for this commons, exactly as the portal's credentials.json:
    /// `{"key_id": "<uuid>", "api_key": "<RS256 JWT>"}`.
    pub fn mint_credentials(&self, name: &str, opts: MintOptions) -> Value {
        routes::mint_api_key(&self.inner, self.commons(name), &opts)
    }

    /// Blacklists an API key: exchanging it then answers 401 (HTML).
    pub fn revoke(&self, name: &str, key_id: &str) {
        self.commons(name).revoke(key_id);
    }

    /// `service: None` = the whole commons; `fault: None` = clear. Setting a whole-commons
    /// [`Fault::Down`] closes the listener before returning; clearing it (or replacing it with
    /// another fault) re-binds the same port before returning.
    pub fn set_fault(&self, name: &str, service: Option<Service>, fault: Option<Fault>) {
        self.commons(name).set_fault(&self.inner.handle, service, fault);
    }

    /// The requests this commons received, oldest first (at most [`REQUEST_LOG_CAPACITY`]).
    pub fn requests(&self, name: &str) -> Vec<RecordedRequest> {
        self.commons(name).requests()
    }

    /// Rotates fence's signing keys: a new `kid` is published in `/user/jwt/keys` and
    /// `/user/.well-known/jwks` beside the old ones (tokens already issued stay valid).
    pub fn rotate_jwt_keys(&self, name: &str) {
        self.commons(name).state.lock().unwrap().key_rotations += 1;
    }

    /// How many connections this commons accepted since the fleet started (a client that reuses
    /// connections opens far fewer than it sends requests).
    pub fn connections_accepted(&self, name: &str) -> u64 {
        self.commons(name).next_conn.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Forgets the recorded requests of this commons.
    pub fn clear_requests(&self, name: &str) {
        self.commons(name).clear_requests();
    }

    /// Stops every listener and connection (including held `Timeout` requests).
    pub async fn shutdown(self) {
        let _ = self.inner.shutdown.send(true);
        for c in self.inner.commons.values() {
            c.close_listener();
        }
        let tasks = std::mem::take(&mut *self.inner.tasks.lock().unwrap());
        for t in tasks {
            t.abort();
            let _ = t.await;
        }
    }
}

pub(crate) struct CommonsState {
    pub(crate) faults: HashMap<Option<Service>, Fault>,
    pub(crate) revoked: HashSet<String>,
    /// jti → (user name, sub, exp) of the API keys minted by the fleet or created through fence.
    pub(crate) keys: HashMap<String, (String, String, i64)>,
    pub(crate) requests: VecDeque<RecordedRequest>,
    /// Set by [`Fleet::coming_up`]: the commons is starting, service by service.
    pub(crate) boot: Option<boot::Boot>,
    /// How many times fence's signing keys were rotated ([`Fleet::rotate_jwt_keys`]).
    pub(crate) key_rotations: u32,
}
