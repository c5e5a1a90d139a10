//! The wizard's review: the generated files beside what is on disk now, and every finding (answer
//! checks, the values model, the service catalog, user.yaml, production security) in one list,
//! each tied to the wizard step where it is fixed.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use similar::TextDiff;
use ts_rs::TS;

use crate::answers::{CommonsAnswers, DatabaseMode, Destination, ProviderKind};
use crate::generate::{generate, Generated};
use crate::{findings, landing, output, user_yaml, values_model, Finding, GeneratedFile, Severity};
use csoc_model::error::CoreResult;
use csoc_model::model::Environment;
use csoc_model::validate::is_release;

/// Wizard steps, numbered as the UI shows them.
pub(crate) const STEP_DESTINATION: u8 = 1;
pub(crate) const STEP_IDENTITY: u8 = 2;
pub(crate) const STEP_DATABASE: u8 = 3;
pub(crate) const STEP_SERVICES: u8 = 4;
pub(crate) const STEP_LOGIN: u8 = 5;
pub(crate) const STEP_AUTHORIZATION: u8 = 6;
pub(crate) const STEP_SETTINGS: u8 = 7;
pub const STEP_REVIEW: u8 = 8;

/// A step's name as the wizard shows it (0 is the import itself).
pub(crate) fn step_name(step: u8) -> &'static str {
    match step {
        STEP_DESTINATION => "Destination",
        STEP_IDENTITY => "Identity",
        STEP_DATABASE => "Database and secrets",
        STEP_SERVICES => "Services",
        STEP_LOGIN => "Login",
        STEP_AUTHORIZATION => "Authorization",
        STEP_SETTINGS => "Service settings",
        _ => "Import",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FileChange {
    New,
    Changed,
    Unchanged,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct FileReview {
    pub path: String,
    pub contents: String,
    pub change: FileChange,
    /// Unified diff against the file on disk (empty for new and unchanged files).
    pub diff: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct StepFinding {
    /// The wizard step that fixes it (1-7).
    pub step: u8,
    /// `code@key`: what the operator acknowledges.
    pub ack_id: String,
    pub acknowledged: bool,
    pub finding: Finding,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Review {
    pub files: Vec<FileReview>,
    pub findings: Vec<StepFinding>,
    /// Errors not fixed or acknowledged: the launch is refused while this is true.
    pub blocked: bool,
    /// Where the files go (the gitops clone or the helm output folder).
    pub root: String,
}

fn finding(severity: Severity, code: &str, key: &str, message: String) -> Finding {
    Finding { severity, code: code.into(), message, file: None, key: Some(key.into()), acknowledgeable: false }
}

fn error(code: &str, key: &str, message: impl Into<String>) -> Finding {
    finding(Severity::Error, code, key, message.into())
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn is_hostname(s: &str) -> bool {
    s.len() <= 253 && s.contains('.') && s.split('.').all(is_dns_label)
}

/// Checks on the answers themselves, before any file exists; each names its step's field.
pub(crate) fn check_answers(a: &CommonsAnswers) -> Vec<(u8, Finding)> {
    let mut out = Vec::new();
    let mut at = |step: u8, f: Finding| out.push((step, f));
    destination_checks(a, &mut at);
    identity_checks(a, &mut at);
    database_checks(a, &mut at);
    services_and_login_checks(a, &mut at);
    isolation_and_settings_checks(a, &mut at);
    out
}

/// Where the files go: the repository, folders and chart for GitOps, the release and namespace for Helm.
fn destination_checks(a: &CommonsAnswers, at: &mut impl FnMut(u8, Finding)) {
    match &a.destination {
        Destination::Gitops(g) => {
            if g.repo_path.trim().is_empty() {
                at(
                    STEP_DESTINATION,
                    error(
                        "required",
                        "destination.repo_path",
                        "Choose the local clone of your gen3-gitops repository.",
                    ),
                );
            }
            if !g.namespace.trim().is_empty() && !is_dns_label(g.namespace.trim()) {
                at(
                    STEP_DESTINATION,
                    error(
                        "bad_namespace",
                        "destination.namespace",
                        format!(
                            "\"{}\" is not a Kubernetes namespace name: lowercase letters, digits and '-', at most 63.",
                            g.namespace.trim()
                        ),
                    ),
                );
            }
            if g.namespace.trim().is_empty() {
                at(
                    STEP_DESTINATION,
                    error("required", "destination.namespace", "Enter the namespace Argo CD deploys the commons into."),
                );
            }
            if !is_dns_label(g.release_name.trim()) {
                at(
                    STEP_DESTINATION,
                    error(
                        "bad_release_name",
                        "destination.release_name",
                        "Enter a Helm release name: lowercase letters, digits and '-'.",
                    ),
                );
            }
            if g.cluster_folder.contains("..") || g.cluster_folder.starts_with('/') {
                at(
                    STEP_DESTINATION,
                    error(
                        "bad_cluster_folder",
                        "destination.cluster_folder",
                        "The cluster folder must be a folder inside the repository (no '..', not absolute).",
                    ),
                );
            }
        }
        Destination::Helm(h) => {
            if !is_dns_label(h.namespace.trim()) {
                at(
                    STEP_DESTINATION,
                    error(
                        "bad_namespace",
                        "destination.namespace",
                        "Enter a Kubernetes namespace: lowercase letters, digits and '-', at most 63.",
                    ),
                );
            }
            if !is_dns_label(h.release_name.trim()) {
                at(
                    STEP_DESTINATION,
                    error(
                        "bad_release_name",
                        "destination.release_name",
                        "Enter a Helm release name: lowercase letters, digits and '-'.",
                    ),
                );
            }
            if h.output_dir.trim().is_empty() {
                at(
                    STEP_DESTINATION,
                    error("required", "destination.output_dir", "Choose a folder for the values file helm reads."),
                );
            }
        }
    }
}

/// The hostname and the release pinned.
fn identity_checks(a: &CommonsAnswers, at: &mut impl FnMut(u8, Finding)) {
    let host = a.identity.hostname.trim();
    if !is_hostname(host) {
        at(
            STEP_IDENTITY,
            error(
                "bad_hostname",
                "identity.hostname",
                format!("\"{host}\" is not a hostname the commons can be served at (for example data.example.org)."),
            ),
        );
    }
    if !a.identity.release.trim().is_empty() && !is_release(a.identity.release.trim()) {
        at(
            STEP_IDENTITY,
            error(
                "bad_release",
                "identity.release",
                format!("\"{}\" is not a Gen3 release: use YYYY.MM, for example 2026.07.", a.identity.release.trim()),
            ),
        );
    }
    if a.identity.release.trim().is_empty() {
        at(STEP_IDENTITY, finding(Severity::Warning, "no_release", "identity.release", "No release chosen: every service runs the chart's default image tag (master), which moves. Pin a YYYY.MM release.".into()));
    }
}

/// Where the services find their database credentials.
fn database_checks(a: &CommonsAnswers, at: &mut impl FnMut(u8, Finding)) {
    // The named secret may hold the host too (gen3-helm reads host, user and password from it).
    // With External Secrets every service's database credentials come from the secret manager.
    // An imported commons may also rely on dbcreds secrets made by hand, so only a new one must name it.
    if a.database.mode == DatabaseMode::External
        && !a.database.external_secrets
        && a.database.host.trim().is_empty()
        && a.database.password_secret_name.trim().is_empty()
    {
        let message = "Name the secret that holds the external PostgreSQL's master credentials (the value itself never goes into a file), or enter its host, or turn on External Secrets.";
        let severity = if a.base.is_some() { Severity::Warning } else { Severity::Error };
        at(STEP_DATABASE, finding(severity, "required", "database.password_secret_name", message.into()));
    }
    if a.database.mode == DatabaseMode::Dev && a.identity.environment == Environment::Production {
        let mut f = error("dev_database_in_production", "database.mode", "A production commons on the in-chart PostgreSQL and Elasticsearch loses its data when the pods move. Use an external database.");
        f.acknowledgeable = true;
        at(STEP_DATABASE, f);
    }
}

/// Services chosen, and each login provider complete with its client secret.
fn services_and_login_checks(a: &CommonsAnswers, at: &mut impl FnMut(u8, Finding)) {
    let host = a.identity.hostname.trim();
    if a.services.is_empty() {
        at(STEP_SERVICES, error("no_services", "services", "Choose the services to deploy."));
    }
    for p in &a.login.providers {
        let key = format!("login.{}", p.idp);
        if !is_dns_label(&p.idp.replace('_', "-")) {
            at(
                STEP_LOGIN,
                error(
                    "bad_idp",
                    &key,
                    format!("\"{}\" cannot name a login provider: use letters, digits and '_'.", p.idp),
                ),
            );
        }
        if p.client_id.trim().is_empty() {
            at(
                STEP_LOGIN,
                error(
                    "required",
                    &format!("{key}.client_id"),
                    format!("{} needs the client id registered with the provider.", p.label),
                ),
            );
        }
        let url = match p.kind {
            ProviderKind::GenericOidc | ProviderKind::Ras => Some(("discovery_url", p.discovery_url.trim())),
            ProviderKind::Fence => Some(("api_base_url", p.api_base_url.trim())),
            ProviderKind::Google => None,
        };
        if let Some((field, url)) = url {
            if !url.starts_with("https://") {
                at(
                    STEP_LOGIN,
                    error(
                        "bad_url",
                        &format!("{key}.{field}"),
                        format!("{}: enter the https:// {} of the provider.", p.label, field.replace('_', " ")),
                    ),
                );
            }
        }
        if p.kind == ProviderKind::Fence && p.api_base_url.contains(host) && !host.is_empty() {
            at(
                STEP_LOGIN,
                error(
                    "fence_idp_self",
                    &format!("{key}.api_base_url"),
                    "Fence as IdP must point at another commons' fence (the hub), not this one.",
                ),
            );
        }
        if !p.secret_stored {
            at(STEP_LOGIN, finding(Severity::Warning, "no_client_secret", &format!("{key}.client_secret"), format!("No client secret for {} is in the vault yet. Fence cannot log anyone in through it without one.", p.label)));
        }
    }
    // An imported commons may keep its whole fence configuration, login included, in a secret.
    let fence_config_secret = a
        .base
        .as_ref()
        .and_then(|b| b.values.pointer("/fence/externalSecrets/fenceConfig"))
        .and_then(|v| v.as_str())
        .is_some_and(|name| !name.trim().is_empty());
    if a.login.providers.is_empty() && !a.login.mock_login && !fence_config_secret {
        // An imported commons may keep its whole fence configuration outside these values.
        let (severity, message) = match a.base {
            None => (Severity::Error, "Add a login provider (or, for a dev commons, turn on mock login)."),
            Some(_) => (
                Severity::Warning,
                "No login provider is configured in these values. If fence's configuration comes from elsewhere \
                 (a secret made by hand), that is expected; otherwise nobody can log in.",
            ),
        };
        at(STEP_LOGIN, finding(severity, "no_login", "login.providers", message.into()));
    }
}

/// Workspaces isolated by network policies, and the settings the chosen services need.
fn isolation_and_settings_checks(a: &CommonsAnswers, at: &mut impl FnMut(u8, Finding)) {
    if a.services.iter().any(|s| s == "hatchery") && !a.services.iter().any(|s| s == "gen3-network-policies") {
        // cloud-automation refuses this (gen3utils validate-manifest); Helm installs it, unisolated.
        let severity = if a.legacy_manifest { Severity::Error } else { Severity::Warning };
        at(STEP_SERVICES, finding(severity, "hatchery_without_netpolicy", "services.gen3-network-policies", "hatchery runs users' code in workspaces, and without gen3-network-policies those pods can reach every service and database. Turn network policies on (a legacy manifest.json is refused by gen3utils without them).".into()));
    }
    if a.services.iter().any(|s| s == "guppy") && a.settings.guppy_indices.is_empty() {
        at(
            STEP_SETTINGS,
            finding(
                Severity::Warning,
                "no_guppy_indices",
                "settings.guppy_indices",
                "guppy is on but no Elasticsearch index is listed: the data explorer will be empty.".into(),
            ),
        );
    }
    if a.settings.indexd_prefix.trim().is_empty() && a.services.iter().any(|s| s == "indexd") {
        at(
            STEP_SETTINGS,
            finding(
                Severity::Warning,
                "no_indexd_prefix",
                "settings.indexd_prefix",
                "No indexd GUID prefix: new files get bare UUIDs that no resolver can route to this commons.".into(),
            ),
        );
    }
}

/// Which step fixes a finding from the file checks, by its key.
fn step_of(f: &Finding) -> u8 {
    let key = f.key.as_deref().unwrap_or("");
    let file = f.file.as_deref().unwrap_or("");
    if key.ends_with(".enabled") || f.code == "missing_dependency" || f.code == "exclusive_services" {
        STEP_SERVICES
    } else if file.ends_with("user.yaml") || key.starts_with("fence.USER_YAML") {
        STEP_AUTHORIZATION
    } else if key.contains("OPENID_CONNECT") || key.contains("MOCK_") || key.contains("LOGIN") {
        STEP_LOGIN
    } else if key.starts_with("global.postgres") || key == "global.dev" || key.starts_with("global.externalSecrets") {
        STEP_DATABASE
    } else if key.starts_with("global.hostname") || key.starts_with("global.revproxyArn") {
        STEP_IDENTITY
    } else if key.starts_with("global.dictionaryUrl") || key.starts_with("indexd.") || key.starts_with("guppy.") {
        STEP_SETTINGS
    } else {
        STEP_SERVICES
    }
}

/// Every finding for these answers and the files they generate.
pub fn all_findings(a: &CommonsAnswers, generated: &Generated) -> Vec<StepFinding> {
    let production = a.identity.environment == Environment::Production;
    let mut raw: Vec<(u8, Finding)> = check_answers(a);
    let values_file = "values/values.yaml";
    raw.extend(values_model::validate_values(&generated.values, values_file).into_iter().map(|f| (step_of(&f), f)));
    raw.extend(
        findings::security_findings(&generated.values, production, a.identity.hostname.trim())
            .into_iter()
            .map(|f| (step_of(&f), f)),
    );
    raw.extend(landing::login_secret_findings(a, &generated.values).into_iter().map(|f| (STEP_LOGIN, f)));
    raw.extend(landing::user_yaml_findings(&generated.values).into_iter().map(|f| (STEP_AUTHORIZATION, f)));
    if let Some(why) = &generated.user_yaml_error {
        raw.push((STEP_AUTHORIZATION, error("user_yaml_spec", "authorization.spec", why.clone())));
    }
    if let Some(text) = &generated.user_yaml {
        match user_yaml::parse_user_yaml(text, "user.yaml") {
            Ok(parsed) => raw.extend(user_yaml::check_user_yaml(&parsed).into_iter().map(|f| (STEP_AUTHORIZATION, f))),
            Err(e) => raw.push((STEP_AUTHORIZATION, error("user_yaml_unreadable", "authorization.raw", e.message))),
        }
    }
    let mut seen = std::collections::HashSet::new();
    raw.into_iter()
        .filter_map(|(step, f)| {
            let ack_id = format!("{}@{}", f.code, f.key.as_deref().unwrap_or(""));
            if !seen.insert((ack_id.clone(), f.message.clone())) {
                return None;
            }
            let acknowledged = f.acknowledgeable && a.acknowledged.contains(&ack_id);
            Some(StepFinding { step, ack_id, acknowledged, finding: f })
        })
        .collect()
}

/// The folder the answers write into.
pub(crate) fn destination_root(a: &CommonsAnswers) -> PathBuf {
    match &a.destination {
        Destination::Gitops(g) => PathBuf::from(g.repo_path.trim()),
        Destination::Helm(h) => PathBuf::from(h.output_dir.trim()),
    }
}

fn file_reviews(root: &Path, files: &[GeneratedFile]) -> Vec<FileReview> {
    let existing = output::read_existing(root, files);
    files
        .iter()
        .zip(existing)
        .map(|(f, old)| {
            let (change, diff) = match old {
                None => (FileChange::New, String::new()),
                Some(old) if old == f.contents => (FileChange::Unchanged, String::new()),
                Some(old) => {
                    let diff = TextDiff::from_lines(old.as_str(), f.contents.as_str())
                        .unified_diff()
                        .context_radius(3)
                        .header(&format!("a/{}", f.path), &format!("b/{}", f.path))
                        .to_string();
                    (FileChange::Changed, diff)
                }
            };
            FileReview { path: f.path.clone(), contents: f.contents.clone(), change, diff }
        })
        .collect()
}

/// Generates the files and checks them: what the review step shows.
pub fn review(a: &CommonsAnswers) -> CoreResult<Review> {
    let generated = generate(a)?;
    let root = destination_root(a);
    let findings = all_findings(a, &generated);
    let blocked = findings.iter().any(|f| f.finding.severity == Severity::Error && !f.acknowledged);
    Ok(Review { files: file_reviews(&root, &generated.files), findings, blocked, root: root.display().to_string() })
}
