//! The gen3-helm umbrella chart's services: what each subchart is, the values key that turns it on,
//! whether the umbrella `values.yaml` turns it on, and what it cannot work without. The table follows
//! `helm/gen3/Chart.yaml` (48 dependencies) and `helm/gen3/values.yaml`; a test compares it with those
//! files when the reference copies are present.

use serde::Serialize;
use serde_yaml_ng::Value;
use ts_rs::TS;

use super::{Finding, Severity};

/// The wizard's service groups (gen3-admin's `serviceRegistry.js` categories, plus the charts that
/// are infrastructure rather than a Gen3 service).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Core,
    Frontend,
    DataExplorer,
    Workspaces,
    Imaging,
    Ohdsi,
    Ai,
    Other,
    Infrastructure,
}

/// Something a service uses: at least one of `any_of` should be enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct Requirement {
    pub any_of: &'static [&'static str],
    /// Why, in words for the operator.
    pub why: &'static str,
    /// Without it the service does not work at all (an error); otherwise a feature is missing (a
    /// warning). Real commons run hatchery without manifestservice, wts or ambassador, and
    /// guppy against an Elasticsearch outside the chart, so those are soft.
    pub hard: bool,
}

/// One subchart of the umbrella chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct ServiceInfo {
    /// The dependency's name in `Chart.yaml`, also its key in the values.
    pub name: &'static str,
    pub category: Category,
    pub description: &'static str,
    /// The values path that turns it on (`Chart.yaml` `condition`); `None` for the `common` library,
    /// which is always part of the chart.
    pub condition: Option<&'static str>,
    /// What the umbrella `values.yaml` sets at `condition`.
    pub default_enabled: bool,
    pub requires: &'static [Requirement],
}

/// Services of which at most one may be enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub(crate) struct ExclusiveGroup {
    pub members: &'static [&'static str],
    pub why: &'static str,
}

const fn req(any_of: &'static [&'static str], why: &'static str) -> Requirement {
    Requirement { any_of, why, hard: false }
}

const fn hard_req(any_of: &'static [&'static str], why: &'static str) -> Requirement {
    Requirement { any_of, why, hard: true }
}

const fn svc(
    name: &'static str,
    category: Category,
    description: &'static str,
    condition: Option<&'static str>,
    default_enabled: bool,
    requires: &'static [Requirement],
) -> ServiceInfo {
    ServiceInfo { name, category, description, condition, default_enabled, requires }
}

const ARBORIST: Requirement =
    hard_req(&["arborist"], "arborist decides who may do what; the service asks it on every request");
const FENCE: Requirement = hard_req(&["fence"], "fence logs users in and issues the tokens the service checks");
const INDEXD: Requirement = hard_req(&["indexd"], "indexd holds the file records (GUIDs) the service reads and writes");
const REVPROXY: Requirement = hard_req(&["revproxy"], "revproxy is the only way in from outside the cluster");
const ELASTICSEARCH: Requirement = req(
    &["elasticsearch", "aws-es-proxy", "aws-sigv4-proxy"],
    "it reads and writes Elasticsearch: the in-chart one (global.dev) or an AWS one via aws-sigv4-proxy or aws-es-proxy",
);

use Category::*;

static SERVICES: &[ServiceInfo] = &[
    svc(
        "access-backend",
        Other,
        "Access requests and approvals that update user access",
        Some("access-backend.enabled"),
        false,
        &[FENCE],
    ),
    svc(
        "ambassador",
        Workspaces,
        "Proxy that routes users to their workspace pods",
        Some("ambassador.enabled"),
        true,
        &[],
    ),
    svc(
        "arborist",
        Core,
        "Authorization: policies, roles and resources from user.yaml",
        Some("arborist.enabled"),
        true,
        &[],
    ),
    svc(
        "argo-wrapper",
        Workspaces,
        "API in front of Argo Workflows for user-submitted workflows",
        Some("argo-wrapper.enabled"),
        false,
        &[ARBORIST],
    ),
    svc("audit", Core, "Audit log of logins and presigned URL requests", Some("audit.enabled"), true, &[ARBORIST]),
    svc(
        "aws-es-proxy",
        DataExplorer,
        "Older signing proxy to an AWS Elasticsearch domain",
        Some("aws-es-proxy.enabled"),
        false,
        &[],
    ),
    svc(
        "aws-sigv4-proxy",
        DataExplorer,
        "Signing proxy to an AWS Elasticsearch/OpenSearch domain",
        Some("aws-sigv4-proxy.enabled"),
        false,
        &[],
    ),
    svc(
        "cedar",
        Other,
        "Imports study metadata from CEDAR into the metadata service",
        Some("cedar.enabled"),
        false,
        &[req(&["metadata"], "it writes the studies it imports into the metadata service")],
    ),
    svc(
        "cohort-middleware",
        Ohdsi,
        "Cohort queries over an OMOP database for the analysis tools",
        Some("cohort-middleware.enabled"),
        false,
        &[ARBORIST],
    ),
    svc("common", Infrastructure, "Library chart with templates shared by every Gen3 subchart", None, true, &[]),
    svc("dashboard", Other, "Static operations dashboard served from a bucket", Some("dashboard.enabled"), false, &[]),
    svc(
        "datareplicate",
        Other,
        "Jobs that replicate data files between buckets",
        Some("datareplicate.enabled"),
        false,
        &[],
    ),
    svc(
        "data-upload-cron",
        Other,
        "Scheduled job that processes uploaded data files",
        Some("data-upload-cron.enabled"),
        false,
        &[],
    ),
    svc(
        "embedding-management-service",
        Ai,
        "Stores and serves embeddings for AI search",
        Some("embedding-management-service.enabled"),
        false,
        &[ARBORIST],
    ),
    svc(
        "etl",
        DataExplorer,
        "Tube ETL: copies graph data into Elasticsearch indices",
        Some("etl.enabled"),
        true,
        &[req(&["sheepdog"], "it reads the graph data sheepdog's database holds"), ELASTICSEARCH],
    ),
    svc(
        "frontend-framework",
        Frontend,
        "Gen3 Frontend Framework (Next.js) user interface",
        Some("frontend-framework.enabled"),
        false,
        &[REVPROXY, FENCE],
    ),
    svc("fence", Core, "Login (OIDC), tokens, API keys and signed URLs", Some("fence.enabled"), true, &[ARBORIST]),
    svc(
        "funnel",
        Workspaces,
        "GA4GH TES task runner behind gen3-workflow (on with gen3-workflow)",
        Some("gen3-workflow.enabled"),
        false,
        &[],
    ),
    svc("gen3-embeddings", Ai, "Vector store API for embeddings", Some("gen3-embeddings.enabled"), false, &[ARBORIST]),
    svc(
        "gen3-user-data-library",
        Other,
        "Users' saved lists of data and queries",
        Some("gen3-user-data-library.enabled"),
        false,
        &[ARBORIST],
    ),
    svc(
        "gen3-workflow",
        Workspaces,
        "Workflow API (TES) for users' tasks, with funnel",
        Some("gen3-workflow.enabled"),
        false,
        &[ARBORIST, FENCE],
    ),
    svc(
        "guppy",
        DataExplorer,
        "GraphQL over the Elasticsearch indices for the exploration page",
        Some("guppy.enabled"),
        false,
        &[req(&["etl"], "guppy serves the indices etl builds"), ELASTICSEARCH, ARBORIST],
    ),
    svc(
        "hatchery",
        Workspaces,
        "Launches users' workspaces (notebooks)",
        Some("hatchery.enabled"),
        true,
        &[
            req(&["ambassador"], "workspaces are reached through ambassador"),
            req(&["manifestservice"], "workspaces load users' file manifests from the manifest service"),
            req(&["wts"], "workspaces get their users' tokens from the workspace token service"),
            FENCE,
        ],
    ),
    svc(
        "indexd",
        Core,
        "File records: GUIDs, hashes, sizes and storage URLs",
        Some("indexd.enabled"),
        true,
        &[ARBORIST],
    ),
    svc(
        "manifestservice",
        Workspaces,
        "Stores users' file manifests for workspaces",
        Some("manifestservice.enabled"),
        true,
        &[FENCE],
    ),
    svc(
        "metadata",
        Core,
        "Metadata service (MDS), also the aggregate MDS of a data mesh",
        Some("metadata.enabled"),
        true,
        &[ARBORIST],
    ),
    svc(
        "peregrine",
        Core,
        "GraphQL queries over the submitted graph data",
        Some("peregrine.enabled"),
        true,
        &[
            hard_req(&["sheepdog"], "peregrine reads the graph database sheepdog creates and writes"),
            INDEXD,
            ARBORIST,
            FENCE,
        ],
    ),
    svc(
        "portal",
        Frontend,
        "Gen3 data portal (the classic React user interface)",
        Some("portal.enabled"),
        true,
        &[REVPROXY, FENCE],
    ),
    svc(
        "requestor",
        Other,
        "Access requests that grant policies once approved",
        Some("requestor.enabled"),
        false,
        &[ARBORIST, FENCE],
    ),
    svc(
        "revproxy",
        Core,
        "Reverse proxy (nginx): the commons' single entry point",
        Some("revproxy.enabled"),
        true,
        &[],
    ),
    svc(
        "sheepdog",
        Core,
        "Data submission API for the graph model",
        Some("sheepdog.enabled"),
        true,
        &[INDEXD, ARBORIST, FENCE],
    ),
    svc(
        "ssjdispatcher",
        Other,
        "Indexes files uploaded to the data bucket (runs indexing jobs)",
        Some("ssjdispatcher.enabled"),
        false,
        &[INDEXD],
    ),
    svc("sower", Other, "Runs user-requested jobs (exports, pfb)", Some("sower.enabled"), false, &[FENCE]),
    svc(
        "wts",
        Core,
        "Workspace token service: tokens for workspaces and other commons",
        Some("wts.enabled"),
        true,
        &[FENCE],
    ),
    svc("zendesk-wrapper", Other, "Forwards support requests to Zendesk", Some("zendesk-wrapper.enabled"), false, &[]),
    svc(
        "gen3-network-policies",
        Infrastructure,
        "Kubernetes network policies between the services",
        Some("global.netPolicy.enabled"),
        false,
        &[],
    ),
    svc("dicom-server", Imaging, "DICOM server (imaging data)", Some("dicom-server.enabled"), false, &[]),
    svc(
        "ohif-viewer",
        Imaging,
        "OHIF viewer for medical images",
        Some("ohif-viewer.enabled"),
        false,
        &[req(&["dicom-server", "orthanc"], "the viewer shows images a DICOM server serves")],
    ),
    svc("orthanc", Imaging, "Orthanc DICOM server (imaging data)", Some("orthanc.enabled"), false, &[]),
    svc(
        "gen3-analysis",
        Other,
        "Analysis API over the commons' data",
        Some("gen3-analysis.enabled"),
        false,
        &[ARBORIST],
    ),
    svc(
        "ohdsi-atlas",
        Ohdsi,
        "OHDSI Atlas user interface",
        Some("ohdsi-atlas.enabled"),
        false,
        &[req(&["ohdsi-webapi"], "Atlas is a front end to the OHDSI WebAPI")],
    ),
    svc("ohdsi-webapi", Ohdsi, "OHDSI WebAPI (cohorts over OMOP data)", Some("ohdsi-webapi.enabled"), false, &[FENCE]),
    svc(
        "elasticsearch",
        Infrastructure,
        "In-cluster Elasticsearch 7 for development (global.dev)",
        Some("global.dev"),
        true,
        &[],
    ),
    svc(
        "postgresql",
        Infrastructure,
        "In-cluster PostgreSQL for development (global.dev)",
        Some("global.dev"),
        true,
        &[],
    ),
    svc(
        "neuvector",
        Infrastructure,
        "NeuVector security policies (NeuVector installed separately)",
        Some("neuvector.enabled"),
        false,
        &[],
    ),
    svc("jeg", Workspaces, "Jupyter Enterprise Gateway for vectis workspaces", Some("jeg.enabled"), false, &[]),
    svc(
        "workspace-proxy",
        Workspaces,
        "Per-user workspace HTTP/WebSocket router",
        Some("workspace-proxy.enabled"),
        false,
        &[],
    ),
    svc(
        "vectis-overlays",
        Other,
        "vectis add-ons: guppy-compat, siem-service, search-auth-proxy",
        Some("vectis-overlays.enabled"),
        false,
        &[],
    ),
];

static EXCLUSIVE: &[ExclusiveGroup] = &[ExclusiveGroup {
    members: &["aws-es-proxy", "aws-sigv4-proxy"],
    why: "both are proxies to the same AWS Elasticsearch domain; keep one (aws-sigv4-proxy is the maintained one)",
}];

/// Every subchart of the umbrella chart, in `Chart.yaml` order.
pub fn services() -> &'static [ServiceInfo] {
    SERVICES
}

/// The catalog entry for a subchart name.
pub fn service(name: &str) -> Option<&'static ServiceInfo> {
    SERVICES.iter().find(|s| s.name == name)
}

/// Missing dependencies and exclusive conflicts in a set of enabled service names.
pub(crate) fn check_selection(enabled: &[String]) -> Vec<Finding> {
    let on = |name: &str| enabled.iter().any(|e| e == name);
    let mut findings = Vec::new();
    for info in SERVICES.iter().filter(|s| on(s.name)) {
        for need in info.requires.iter().filter(|r| !r.any_of.iter().any(|n| on(n))) {
            let wanted = match need.any_of {
                [one] => format!("{one}, which is not enabled"),
                many => format!("one of {}, and none is enabled", many.join(", ")),
            };
            let message = if need.hard {
                format!(
                    "{} needs {wanted}: {}. Enable {} or turn {} off.",
                    info.name,
                    need.why,
                    enable_hint(need.any_of),
                    info.name
                )
            } else {
                format!(
                    "{} uses {wanted}: {}. It runs without it, but that feature will not work; enable {} if you \
                     need it.",
                    info.name,
                    need.why,
                    enable_hint(need.any_of)
                )
            };
            findings.push(Finding {
                severity: if need.hard { Severity::Error } else { Severity::Warning },
                code: "missing_dependency".into(),
                message,
                file: None,
                key: info.condition.map(str::to_string),
                acknowledgeable: false,
            });
        }
    }
    for group in EXCLUSIVE {
        let both: Vec<&str> = group.members.iter().copied().filter(|m| on(m)).collect();
        if both.len() > 1 {
            findings.push(Finding {
                severity: Severity::Error,
                code: "exclusive_services".into(),
                message: format!("{} are all enabled, but only one may be: {}.", both.join(" and "), group.why),
                file: None,
                key: service(both[1]).and_then(|s| s.condition).map(str::to_string),
                acknowledgeable: false,
            });
        }
    }
    findings
}

fn enable_hint(names: &[&str]) -> String {
    let keys: Vec<String> =
        names.iter().map(|n| service(n).and_then(|s| s.condition).unwrap_or(n).to_string() + ": true").collect();
    keys.join(" or ")
}

/// The services a values file turns on, as Helm decides it: the value at each condition when it is
/// a boolean, the umbrella default when the key is absent, and on when the value is not a boolean
/// (Helm ignores such a condition and keeps the chart).
pub(crate) fn enabled_in(values: &Value) -> Vec<String> {
    SERVICES
        .iter()
        .filter(|s| match s.condition {
            None => true,
            Some(path) => match lookup(values, path) {
                Some(Value::Bool(b)) => *b,
                None | Some(Value::Null) => s.default_enabled,
                Some(_) => true,
            },
        })
        .map(|s| s.name.to_string())
        .collect()
}

fn lookup<'a>(values: &'a Value, dotted: &str) -> Option<&'a Value> {
    dotted.split('.').try_fold(values, |v, key| v.as_mapping()?.get(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_requirement_names_a_catalog_service() {
        for s in SERVICES {
            for r in s.requires {
                for n in r.any_of {
                    assert!(service(n).is_some(), "{} requires unknown {n}", s.name);
                }
            }
        }
        for g in EXCLUSIVE {
            assert!(g.members.iter().all(|m| service(m).is_some()));
        }
    }

    #[test]
    fn non_boolean_condition_keeps_the_chart_like_helm() {
        let values: Value = serde_yaml_ng::from_str("guppy: {enabled: \"yes\"}\nportal: {enabled: false}").unwrap();
        let on = enabled_in(&values);
        assert!(on.contains(&"guppy".to_string()));
        assert!(!on.contains(&"portal".to_string()));
        assert!(on.contains(&"fence".to_string()), "absent key falls back to the umbrella default");
    }
}
