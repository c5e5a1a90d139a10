//! The edge in front of the services: which revproxy `location` a path reaches, as gen3-helm's own
//! configuration (`helm/revproxy/gen3.nginx.conf/*.conf`, portal at the root) declares it, and how
//! each flavour of revproxy answers for a service that is down or not there. [`LOCATIONS`] is the
//! chart's table; the conformance test `tests/edge.rs` parses the chart's files with [`parse`] and
//! fails when the two differ, so the simulator cannot drift from the real edge.
//!
//! - gen3-helm (`nginx.conf`): every service's location file is always mounted, and
//!   `proxy_intercept_errors on` + `error_page 500 501 502 503 504 @5xx` turn any upstream failure,
//!   including a service name that does not resolve because the service is not deployed, into
//!   500 `{ "error": "service failure - try again later"}`. Locations with
//!   `auth_request /gen3-authz` (hatchery, sower, ...) answer 401 to an anonymous request.
//! - cloud-automation: only the locations of deployed services exist; anything else falls
//!   through to `location /`, the portal, which answers 200 with its HTML page.

use crate::Service;

/// The body gen3-helm's revproxy answers for any 5xx from an upstream (`location @5xx`).
pub(crate) const SERVICE_FAILURE_BODY: &str = "{ \"error\": \"service failure - try again later\"}";

/// The revproxy a commons runs behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Edge {
    /// gen3-helm's revproxy: 500 intercept for down and undeployed services, `/canary`.
    #[default]
    Helm,
    /// Legacy cloud-automation revproxy: missing services fall through to the portal (200 HTML).
    CloudAutomation,
}

/// How a `location` matches, as nginx reads its modifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// `location = /path`
    Exact,
    /// `location /path` or `location ^~ /path`
    Prefix,
    /// `location ~ regex` (the chart's few regexes are matched by [`regex_matches`]).
    Regex,
}

/// One top-level `location` block of the chart's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The configuration file it comes from, e.g. `hatchery-service.conf`.
    pub file: &'static str,
    pub kind: Match,
    /// The path or regex as written.
    pub path: &'static str,
    /// `auth_request /gen3-authz` guards it: anonymous requests get 401.
    pub authz: bool,
    /// `internal;`: never reachable from outside.
    pub internal: bool,
}

const fn loc(file: &'static str, kind: Match, path: &'static str, authz: bool, internal: bool) -> Location {
    Location { file, kind, path, authz, internal }
}

/// Every top-level `location` of gen3-helm 42cc46bc's `gen3.nginx.conf/*.conf` (files in name
/// order, then `portal-as-root/`, the chart's default root), as [`parse`] reads them.
pub(crate) const LOCATIONS: &[Location] = &[
    loc("access-backend-service.conf", Match::Prefix, r"/access-backend/", false, false),
    loc("ambassador-service.conf", Match::Prefix, r"/lw-workspace/proxy/", true, false),
    loc("arborist-service.conf", Match::Exact, r"/gen3-authz", false, true),
    loc("arborist-service.conf", Match::Exact, r"/authz", false, false),
    loc("arborist-service.conf", Match::Exact, r"/authz/resources", false, false),
    loc("arborist-service.conf", Match::Exact, r"/authz/mapping", false, false),
    loc("arborist-service.conf", Match::Exact, r"/authz/policy", true, false),
    loc("arborist-service.conf", Match::Exact, r"/gen3-authz-test", true, false),
    loc("argo-server.conf", Match::Prefix, r"/argo/", true, false),
    loc("argo-wrapper-service.conf", Match::Prefix, r"/ga4gh/wes/v2/", false, false),
    loc("argocd-service.conf", Match::Prefix, r"/argocd", true, false),
    loc("arranger-service.conf", Match::Prefix, r"/api/v0/flat-search/", false, false),
    loc("audit-service.conf", Match::Prefix, r"/audit/", false, false),
    loc("auspice-service.conf", Match::Prefix, r"/auspice/", false, false),
    loc("cedar-wrapper-service.conf", Match::Prefix, r"/cedar/", true, false),
    loc("cogwheel-service.conf", Match::Prefix, r"/cogwheel/", false, false),
    loc("cohort-middleware-service.conf", Match::Prefix, r"/cohort-middleware/", false, false),
    loc("cohort-middleware-service.conf", Match::Prefix, r"/cohort-middleware/cohort-data/", false, false),
    loc("dashboard.conf", Match::Prefix, r"/dashboard/Secure/", true, false),
    loc("dashboard.conf", Match::Prefix, r"/dashboard/Public/", false, false),
    loc("devbot-service.conf", Match::Prefix, r"/devbot/", false, false),
    loc("dicom-server-service.conf", Match::Prefix, r"/dicom-server/", false, false),
    loc("dicom-viewer-service.conf", Match::Prefix, r"/dicom-viewer/", false, false),
    loc("fence-service-ga4gh.conf", Match::Regex, r"\/ga4gh\/drs\/v1\/objects\/(.*)\/access", false, false),
    loc("fence-service-ga4gh.conf", Match::Regex, r"\/ga4gh\/drs\/v1\/objects\/access", false, false),
    loc("fence-service.conf", Match::Prefix, r"/authn-proxy", false, true),
    loc("fence-service.conf", Match::Prefix, r"/block-denylisted-token", false, true),
    loc("fence-service.conf", Match::Prefix, r"/user/credentials/token/denylisted", false, false),
    loc("fence-service.conf", Match::Prefix, r"/user/", false, false),
    loc("fence-service.conf", Match::Prefix, r"/user/register", false, false),
    loc("fence-service.conf", Match::Prefix, r"/user/data/download", false, false),
    loc("fence-service.conf", Match::Prefix, r"/user/metrics", false, false),
    loc("fence-service.conf", Match::Prefix, r"/.well-known/", false, false),
    loc("gen3-analysis-service.conf", Match::Prefix, r"/analysis/v0/", false, false),
    loc("gen3-discovery-ai-service.conf", Match::Prefix, r"/ai/ask", false, false),
    loc("gen3-discovery-ai-service.conf", Match::Prefix, r"/ai/topics", false, false),
    loc("gen3-discovery-ai-service.conf", Match::Prefix, r"/ai/discovery", false, false),
    loc("gen3-embeddings-service.conf", Match::Prefix, r"/ai/vectorstore", false, false),
    loc("gen3-embeddings-service.conf", Match::Prefix, r"/ai/embeddings", false, false),
    loc("gen3-embeddings-service.conf", Match::Prefix, r"/ai/embeddings/_version", false, false),
    loc("gen3-embeddings-service.conf", Match::Prefix, r"/ai/embeddings/_status", false, false),
    loc("gen3-user-data-library-service.conf", Match::Prefix, r"/library", false, false),
    loc("gen3-workflow-service.conf", Match::Prefix, r"/ga4gh/tes/v1/", false, false),
    loc("gen3-workflow-service.conf", Match::Prefix, r"/workflows/", false, false),
    loc("google-sa-validation-service.conf", Match::Prefix, r"/google-sa-validation-status/", false, false),
    loc("grafana.conf", Match::Prefix, r"/grafana/", true, false),
    loc("guppy-service.conf", Match::Prefix, r"/guppy/", false, false),
    loc("hatchery-service.conf", Match::Prefix, r"/lw-workspace/", true, false),
    loc("indexd-service.conf", Match::Prefix, r"/ga4gh/", false, false),
    loc("indexd-service.conf", Match::Prefix, r"/index/", false, false),
    loc("indexd-service.conf", Match::Prefix, r"/index-admin/", true, false),
    loc("kayako-wrapper-service.conf", Match::Prefix, r"/kayako/", true, false),
    loc("manifestservice-service.conf", Match::Prefix, r"/manifests/", false, false),
    loc("mariner-service.conf", Match::Prefix, r"/ga4gh/wes/v1/", false, false),
    loc("metadata-service.conf", Match::Prefix, r"/mds/", false, false),
    loc("metadata-service.conf", Match::Prefix, r"/mds-admin/", true, false),
    loc("ohdsi-atlas-service.conf", Match::Prefix, r"/ohdsi-atlas/", false, false),
    loc("ohdsi-webapi-service.conf", Match::Prefix, r"/ohdsi-webapi/", false, false),
    loc("ohif-viwer.conf", Match::Prefix, r"/ohif-viewer/", false, false),
    loc("orthanc-service.conf", Match::Prefix, r"/orthanc/", true, false),
    loc("orthanc-service.conf", Match::Prefix, r"/orthanc/dicom-web/studies", true, false),
    loc("peregrine-service.conf", Match::Prefix, r"/peregrine/_status", false, false),
    loc("peregrine-service.conf", Match::Prefix, r"/peregrine/_version", false, false),
    loc("peregrine-service.conf", Match::Prefix, r"/api/search", false, false),
    loc("peregrine-service.conf", Match::Prefix, r"/api/v0/submission/graphql", false, false),
    loc("peregrine-service.conf", Match::Prefix, r"/api/v0/submission/getschema", false, false),
    loc("pidgin-service.conf", Match::Prefix, r"/coremetadata/", false, false),
    loc("prometheus-server.conf", Match::Prefix, r"/prometheus/", true, false),
    loc("qa-dashboard-service.conf", Match::Prefix, r"/qa-dashboard/", false, false),
    loc("qa-dashboard-service.conf", Match::Prefix, r"/views/", false, false),
    loc("qa-dashboard-service.conf", Match::Prefix, r"/assets/", false, false),
    loc("requestor-service.conf", Match::Prefix, r"/requestor/api/v1/rems-webhook", false, false),
    loc("requestor-service.conf", Match::Prefix, r"/requestor/", false, false),
    loc("sheepdog-service.conf", Match::Prefix, r"/api/", false, false),
    loc("shiny-nb2-service.conf", Match::Regex, r"^/(shiny|explore)/", false, false),
    loc("shiny-service.conf", Match::Regex, r"^/(shiny|explore)/", false, false),
    loc("sower-service.conf", Match::Prefix, r"/job/", true, false),
    loc("status-api-service.conf", Match::Prefix, r"/status/", false, false),
    loc("thor-service.conf", Match::Prefix, r"/thor/", false, false),
    loc("thor-service.conf", Match::Prefix, r"/thor-admin/", true, false),
    loc("tty.conf", Match::Prefix, r"/tty/", true, false),
    loc("workspace-token-service.conf", Match::Prefix, r"/wts/", false, false),
    loc("ws-storage.conf", Match::Prefix, r"/ws-storage/", true, false),
    loc("zendesk-wrapper-service.conf", Match::Prefix, r"/zendesk/", true, false),
    loc("frontend-framework-service.conf", Match::Regex, r"^/ff($|/)", false, false),
    loc("frontend-framework-service.conf", Match::Prefix, r"/ff/api/auth/", false, false),
    loc("portal-service.conf", Match::Prefix, r"/", false, false),
];

/// Reads the top-level `location` blocks of one configuration file (comments dropped; nested
/// locations belong to their parent; named `@` locations are error handlers, not routes).
pub fn parse(file: &str, text: &str) -> Vec<ParsedLocation> {
    let mut out: Vec<ParsedLocation> = Vec::new();
    let mut depth = 0i32;
    for raw in text.lines() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if depth == 0 {
            if let Some(rest) = line.strip_prefix("location ") {
                let words: Vec<&str> = rest.trim_end_matches('{').split_whitespace().collect();
                let (kind, path) = match words.as_slice() {
                    ["=", p, ..] => (Match::Exact, *p),
                    ["~", p, ..] | ["~*", p, ..] => (Match::Regex, *p),
                    ["^~", p, ..] => (Match::Prefix, *p),
                    [p, ..] => (Match::Prefix, *p),
                    [] => (Match::Prefix, ""),
                };
                if !path.is_empty() && !path.starts_with('@') {
                    out.push(ParsedLocation {
                        file: file.to_string(),
                        kind,
                        path: path.to_string(),
                        authz: false,
                        internal: false,
                    });
                }
            }
        } else if depth == 1 {
            if let Some(l) = out.last_mut() {
                match line.trim_end_matches(';').split_whitespace().collect::<Vec<_>>().as_slice() {
                    ["auth_request", "/gen3-authz"] => l.authz = true,
                    ["internal"] => l.internal = true,
                    _ => {}
                }
            }
        }
        depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
    }
    out
}

/// A `location` read from a file, to compare with [`LOCATIONS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedLocation {
    pub file: String,
    pub kind: Match,
    pub path: String,
    pub authz: bool,
    pub internal: bool,
}

impl From<&Location> for ParsedLocation {
    fn from(l: &Location) -> Self {
        Self { file: l.file.into(), kind: l.kind, path: l.path.into(), authz: l.authz, internal: l.internal }
    }
}

/// The chart's regex locations, matched by hand (the simulator carries no regex engine).
fn regex_matches(regex: &str, path: &str) -> bool {
    match regex {
        // fence-service-ga4gh.conf: `\/ga4gh\/drs\/v1\/objects\/(.*)\/access` and `.../objects/access`
        r"\/ga4gh\/drs\/v1\/objects\/(.*)\/access" => {
            path.strip_prefix("/ga4gh/drs/v1/objects/").is_some_and(|rest| rest.contains("/access"))
        }
        r"\/ga4gh\/drs\/v1\/objects\/access" => path.contains("/ga4gh/drs/v1/objects/access"),
        // frontend-framework: `^/ff($|/)`
        "^/ff($|/)" => path == "/ff" || path.starts_with("/ff/"),
        // shiny: `^/(shiny|explore)/`
        "^/(shiny|explore)/" => path.starts_with("/shiny/") || path.starts_with("/explore/"),
        _ => false,
    }
}

/// The location nginx picks for a path: an exact match, else the longest prefix unless a regex
/// matches (nginx tries regexes after remembering the longest prefix).
pub fn route(path: &str) -> Option<&'static Location> {
    let all = LOCATIONS;
    if let Some(l) = all.iter().find(|l| l.kind == Match::Exact && l.path == path) {
        // An `internal` location answers 404 to a request from outside.
        return Some(l).filter(|l| !l.internal);
    }
    let prefix =
        all.iter().filter(|l| l.kind == Match::Prefix && path.starts_with(&l.path)).max_by_key(|l| l.path.len());
    let regex = all.iter().find(|l| l.kind == Match::Regex && regex_matches(&l.path, path));
    regex.or(prefix).filter(|l| !l.internal)
}

/// The simulated service behind a configuration file, if the simulator implements it.
pub(crate) fn service_of_file(file: &str) -> Option<Service> {
    Some(match file {
        "fence-service.conf" | "fence-service-ga4gh.conf" => Service::Fence,
        "indexd-service.conf" => Service::Indexd,
        "sheepdog-service.conf" => Service::Sheepdog,
        "peregrine-service.conf" => Service::Peregrine,
        "metadata-service.conf" => Service::Metadata,
        "guppy-service.conf" => Service::Guppy,
        "workspace-token-service.conf" => Service::Wts,
        "manifestservice-service.conf" => Service::Manifestservice,
        "audit-service.conf" => Service::Audit,
        "requestor-service.conf" => Service::Requestor,
        "hatchery-service.conf" => Service::Hatchery,
        "sower-service.conf" => Service::Sower,
        "arborist-service.conf" => Service::Arborist,
        "gen3-workflow-service.conf" => Service::Gen3Workflow,
        "gen3-user-data-library-service.conf" => Service::UserDataLibrary,
        "portal-service.conf" => Service::Portal,
        "frontend-framework-service.conf" => Service::FrontendFramework,
        "gen3-embeddings-service.conf" => Service::Embeddings,
        "gen3-analysis-service.conf" => Service::Analysis,
        "access-backend-service.conf" => Service::AccessBackend,
        "cohort-middleware-service.conf" => Service::CohortMiddleware,
        "argo-wrapper-service.conf" => Service::ArgoWrapper,
        "dicom-server-service.conf" => Service::DicomServer,
        "orthanc-service.conf" => Service::Orthanc,
        "ohif-viwer.conf" => Service::OhifViewer,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn chart_revproxy() -> Option<PathBuf> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/gen3-helm/helm/revproxy");
        dir.is_dir().then_some(dir)
    }

    /// The table the simulator routes by is exactly what the chart's files declare.
    #[test]
    fn the_route_table_is_the_charts() {
        let Some(dir) = chart_revproxy() else {
            eprintln!("skipped: ../shared/gen3-helm is not here (a fresh clone); CI has it");
            return;
        };
        let conf = dir.join("gen3.nginx.conf");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&conf)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "conf"))
            .collect();
        files.sort();
        let mut root: Vec<PathBuf> =
            std::fs::read_dir(conf.join("portal-as-root")).unwrap().map(|e| e.unwrap().path()).collect();
        root.sort();
        files.extend(root);
        let parsed: Vec<ParsedLocation> = files
            .iter()
            .flat_map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                parse(&name, &std::fs::read_to_string(p).unwrap())
            })
            .collect();
        let ours: Vec<ParsedLocation> = LOCATIONS.iter().map(ParsedLocation::from).collect();
        for l in &parsed {
            assert!(ours.contains(l), "the chart has {l:?}, the simulator does not");
        }
        for l in &ours {
            assert!(parsed.contains(l), "the simulator has {l:?}, the chart does not");
        }
        assert_eq!(parsed.len(), ours.len());

        // The intercept, the canary and the status answer the simulator copies.
        let nginx = std::fs::read_to_string(dir.join("nginx/nginx.conf")).unwrap();
        assert!(nginx.contains("proxy_intercept_errors on;"));
        assert!(nginx.contains("error_page 500 501 502 503 504 @5xx;"));
        assert!(nginx.contains(&format!("return 500 {:?};", SERVICE_FAILURE_BODY)), "the @5xx body");
        assert!(nginx.contains("You are running the Helm version of this commons"));
    }

    #[test]
    fn the_chart_routes_land_where_nginx_sends_them() {
        let file = |p: &str| route(p).map(|l| l.file);
        assert_eq!(file("/user/_status"), Some("fence-service.conf"));
        assert_eq!(file("/index/_status"), Some("indexd-service.conf"));
        assert_eq!(file("/ga4gh/drs/v1/service-info"), Some("indexd-service.conf"));
        assert_eq!(file("/ga4gh/drs/v1/objects/abc/access/s3"), Some("fence-service-ga4gh.conf"));
        assert_eq!(file("/api/search/_version"), Some("peregrine-service.conf"));
        assert_eq!(file("/api/_status"), Some("sheepdog-service.conf"));
        assert_eq!(file("/peregrine/_status"), Some("peregrine-service.conf"));
        assert_eq!(file("/lw-workspace/_status"), Some("hatchery-service.conf"));
        assert_eq!(file("/lw-workspace/proxy/x"), Some("ambassador-service.conf"));
        assert_eq!(file("/ff"), Some("frontend-framework-service.conf"));
        assert_eq!(file("/anything/else"), Some("portal-service.conf"));
        assert_eq!(file("/gen3-authz"), None, "internal locations are not routes");
        assert!(route("/lw-workspace/_status").unwrap().authz);
        assert!(route("/job/_status").unwrap().authz);
        assert!(!route("/mds/_status").unwrap().authz);
    }
}
