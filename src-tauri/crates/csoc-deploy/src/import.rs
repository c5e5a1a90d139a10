//! An existing commons into the wizard: a gen3-gitops folder (values + app.yaml), a lone values
//! file, or a legacy manifest.json (migrated with cloud-automation's migrate-to-helm rules). What
//! the answers do not model rides along in `ImportedBase`, so generating the import again gives
//! the same configuration.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_yaml_ng::Value;
use ts_rs::TS;

use crate::answers::{
    CommonsAnswers, Database, DatabaseMode, Destination, GitopsDestination, GuppyIndex, HelmDestination, Identity,
    ImportedBase, Login, LoginProvider, ProviderKind, ServiceSettings, SourceFile, DEFAULT_DICTIONARY_URL,
    HELM_VALUES_FILE,
};
use crate::gitops::{self, GitopsCommons, ImportSource};
use crate::yaml::{get_path, parse_values_lenient, read_config_file, require_mapping, yaml_to_json};
use crate::{catalog, manifest, Finding};
use csoc_model::counted::counted;
use csoc_model::error::{CoreError, CoreResult};
use csoc_model::model::Commons;
use csoc_model::model::{CommonsDraft, Deployment, Environment};
use csoc_model::validate::{is_release, normalize_base_url};
use csoc_store::inventory;
use csoc_store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    GitopsFolder,
    ValuesFile,
    Manifest,
    /// A monthly release manifest (`releases/YYYY/MM`): versions for a template, no commons.
    ReleaseTemplate,
    /// A cluster-level `cluster-values.yaml`: not a commons.
    ClusterValues,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ImportedCommons {
    pub kind: ImportKind,
    pub answers: CommonsAnswers,
    pub warnings: Vec<Finding>,
    /// One line for the operator: what was read.
    pub summary: String,
}

impl ImportedCommons {
    /// A commons the inventory can hold (a real hostname), not a template or cluster file.
    pub fn is_commons(&self) -> bool {
        matches!(self.kind, ImportKind::GitopsFolder | ImportKind::ValuesFile | ImportKind::Manifest)
            && csoc_model::validate::normalize_base_url(&self.answers.identity.hostname).is_ok()
    }
}

fn str_at<'a>(values: &'a Value, path: &str) -> Option<&'a str> {
    get_path(values, path).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

fn bool_at(values: &Value, path: &str) -> Option<bool> {
    get_path(values, path).and_then(|v| v.as_bool().or_else(|| v.as_str().map(|s| s.eq_ignore_ascii_case("true"))))
}

/// The release most service images are pinned to, if they follow the monthly tags.
pub(crate) fn release_of(values: &Value) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for info in catalog::services() {
        if let Some(tag) = str_at(values, &format!("{}.image.tag", info.name)).filter(|t| is_release(t)) {
            match counts.iter_mut().find(|(t, _)| t == tag) {
                Some((_, n)) => *n += 1,
                None => counts.push((tag.to_string(), 1)),
            }
        }
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(t, _)| t).unwrap_or_default()
}

/// Where the login settings live: where the values already keep them, else `FENCE_CONFIG_PUBLIC`
/// when External Secrets is on (gen3-helm renders `FENCE_CONFIG` only into the `fence-config`
/// Secret, which External Secrets then replaces; the public ConfigMap is always rendered), else
/// `FENCE_CONFIG`.
pub(crate) fn login_block(values: &Value) -> &'static str {
    const PUBLIC: &str = "fence.FENCE_CONFIG_PUBLIC";
    const SECRET: &str = "fence.FENCE_CONFIG";
    if get_path(values, &format!("{PUBLIC}.LOGIN_OPTIONS")).is_some() {
        PUBLIC
    } else if get_path(values, &format!("{SECRET}.LOGIN_OPTIONS")).is_some() {
        SECRET
    } else if bool_at(values, "global.externalSecrets.deploy") == Some(true) {
        PUBLIC
    } else {
        SECRET
    }
}

pub(crate) fn providers_of(values: &Value) -> Vec<LoginProvider> {
    let block = login_block(values);
    let Some(options) = get_path(values, &format!("{block}.LOGIN_OPTIONS")).and_then(Value::as_sequence) else {
        return Vec::new();
    };
    options
        .iter()
        .filter_map(|o| {
            let idp = o.get("idp")?.as_str()?.to_string();
            // The client id may sit in either block (the secret manager's copy wins at run time).
            let entry = [format!("{block}.OPENID_CONNECT.{idp}"), format!("fence.FENCE_CONFIG.OPENID_CONNECT.{idp}")]
                .into_iter()
                .find(|e| get_path(values, e).is_some())?;
            let kind = match idp.as_str() {
                "google" => ProviderKind::Google,
                "fence" => ProviderKind::Fence,
                "ras" => ProviderKind::Ras,
                _ => ProviderKind::GenericOidc,
            };
            Some(LoginProvider {
                kind,
                label: o.get("name").and_then(Value::as_str).unwrap_or(&idp).to_string(),
                client_id: str_at(values, &format!("{entry}.client_id")).unwrap_or("").into(),
                discovery_url: str_at(values, &format!("{entry}.discovery_url")).unwrap_or("").into(),
                api_base_url: str_at(values, &format!("{entry}.api_base_url")).unwrap_or("").into(),
                secret_stored: false,
                idp,
            })
        })
        .collect()
}

/// Reads the answers back out of Helm values; everything else stays in `base`.
pub(crate) fn answers_from_values(values: &Value, destination: Destination, base: ImportedBase) -> CommonsAnswers {
    let dev = bool_at(values, "global.dev").unwrap_or(true);
    let hostname = str_at(values, "global.hostname").unwrap_or("").to_string();
    let guppy_indices = get_path(values, "guppy.indices")
        .and_then(Value::as_sequence)
        .map(|s| {
            s.iter()
                .filter_map(|i| {
                    Some(GuppyIndex {
                        index: i.get("index")?.as_str()?.to_string(),
                        kind: i.get("type")?.as_str()?.to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let mut answers = CommonsAnswers {
        destination,
        identity: Identity {
            name: hostname.clone(),
            environment: if dev { Environment::Dev } else { Environment::Production },
            release: release_of(values),
            revproxy_arn: str_at(values, "global.revproxyArn").unwrap_or("").into(),
            hostname,
        },
        database: Database {
            mode: if dev { DatabaseMode::Dev } else { DatabaseMode::External },
            host: str_at(values, "global.postgres.master.host").unwrap_or("").into(),
            port: str_at(values, "global.postgres.master.port").and_then(|p| p.parse().ok()).unwrap_or(5432),
            username: str_at(values, "global.postgres.master.username").unwrap_or("postgres").into(),
            password_secret_name: str_at(values, "global.postgres.externalSecret").unwrap_or("").into(),
            external_secrets: bool_at(values, "global.externalSecrets.deploy").unwrap_or(false),
            aws_region: str_at(values, "global.aws.region").unwrap_or("us-east-1").into(),
        },
        services: catalog::enabled_in(values),
        login: Login {
            providers: providers_of(values),
            default_idp: str_at(values, &format!("{}.DEFAULT_LOGIN_IDP", login_block(values))).unwrap_or("").into(),
            mock_login: bool_at(values, "fence.FENCE_CONFIG.MOCK_GOOGLE_AUTH").unwrap_or(false)
                || bool_at(values, "fence.FENCE_CONFIG.MOCK_AUTH").unwrap_or(false),
        },
        settings: ServiceSettings {
            indexd_prefix: str_at(values, "indexd.defaultPrefix").unwrap_or("").into(),
            dictionary_url: str_at(values, "global.dictionaryUrl").unwrap_or(DEFAULT_DICTIONARY_URL).into(),
            portal_app: str_at(values, "global.portalApp").unwrap_or("gitops").into(),
            guppy_indices,
            guppy_config_index: str_at(values, "guppy.configIndex").unwrap_or("").into(),
        },
        base: Some(base),
        ..CommonsAnswers::default()
    };
    // Kept exactly as imported (not trimmed), so it round-trips.
    answers.authorization.raw = get_path(values, "fence.USER_YAML")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string);
    answers
}

/// The git clone a folder lives in, and the folder's path inside it.
fn repo_and_folder(dir: &Path) -> (Option<PathBuf>, Option<String>) {
    let mut cur = dir;
    loop {
        if cur.join(".git").exists() {
            let rel = dir.strip_prefix(cur).ok().map(|p| p.to_string_lossy().replace('\\', "/"));
            return (Some(cur.to_path_buf()), rel);
        }
        match cur.parent() {
            Some(p) => cur = p,
            None => return (None, None),
        }
    }
}

/// `dir` without its trailing repository-relative `folder` (`/x/unfunded/aids.org` for
/// `unfunded/aids.org` gives `/x`).
fn root_above(dir: &Path, folder: &str) -> Option<PathBuf> {
    let mut root = dir.to_path_buf();
    for part in folder.split('/').filter(|p| !p.is_empty()).rev() {
        if root.file_name()?.to_str()? != part {
            return None;
        }
        root.pop();
    }
    Some(root)
}

fn import_gitops(dir: &Path, app_folder: Option<String>) -> CoreResult<ImportedCommons> {
    let dir_name = dir.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    // The Application's value files say where the folder sits in the gitops repository; when the
    // path on disk ends that way, that is the root, whatever clone (or copy) holds it.
    let by_app = app_folder.as_ref().and_then(|f| root_above(dir, f).map(|root| (Some(root), f.clone())));
    // Outside a clone, a folder beside `cluster-values/` is `<cluster>/<hostname>` of a gen3-gitops
    // tree, even when its app.yaml points elsewhere (that is reported, not followed).
    let by_layout = || {
        let cluster = dir.parent()?;
        cluster.join("cluster-values").is_dir().then(|| {
            let name = cluster.file_name()?.to_str()?;
            Some((cluster.parent().map(Path::to_path_buf), format!("{name}/{dir_name}")))
        })?
    };
    let (repo, folder) = match by_app {
        Some(found) => found,
        None => match repo_and_folder(dir) {
            (Some(repo), Some(rel)) if !rel.is_empty() => (Some(repo), rel),
            (None, _) if by_layout().is_some() => by_layout().unwrap_or_default(),
            (repo, _) => (repo, app_folder.unwrap_or(dir_name.clone())),
        },
    };
    let commons = GitopsCommons::read(dir, &folder)?;
    let values = commons.merged_values();
    let (cluster_folder, _) = folder.rsplit_once('/').unwrap_or(("", &folder));
    let app = commons.app.clone();
    let destination = Destination::Gitops(GitopsDestination {
        // Outside a clone, the folder's place in the repository still says where the root is.
        repo_path: repo.or_else(|| root_above(dir, &folder)).map(|r| r.display().to_string()).unwrap_or_default(),
        cluster_folder: cluster_folder.to_string(),
        argo_project: app.as_ref().map(|a| a.project.clone()).unwrap_or_else(|| "default".into()),
        namespace: app.as_ref().map(|a| a.dest_namespace.clone()).unwrap_or_default(),
        release_name: app.as_ref().map(|a| a.release_name.clone()).unwrap_or_default(),
        values_repo_url: app.as_ref().map(|a| a.values_repo_url.clone()).unwrap_or_default(),
        chart_revision: app.as_ref().map(|a| a.chart_revision.clone()).unwrap_or_else(|| "master".into()),
    });
    let base = ImportedBase {
        values: yaml_to_json(&values),
        split_files: commons.values_files.iter().map(|f| f.name.clone()).collect(),
        folder: folder.clone(),
        app: app.as_ref().map(serde_json::to_value).transpose().map_err(|e| CoreError::invalid(e.to_string()))?,
        chart: commons
            .chart
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(|e| CoreError::invalid(e.to_string()))?,
        legacy: None,
        sources: commons.sources.clone(),
    };
    let mut answers = answers_from_values(&values, destination, base);
    if answers.identity.hostname.is_empty() {
        // Values without a hostname (a stub folder): the folder is named after the commons.
        let named = commons.chart.as_ref().map(|c| c.name.clone()).filter(|n| n.contains('.')).unwrap_or(dir_name);
        if csoc_model::validate::normalize_base_url(&named).is_ok() {
            answers.identity.name = named.clone();
            answers.identity.hostname = named;
        }
    }
    let summary = format!(
        "gen3-gitops folder {folder}: {}, {}, release {}",
        counted(commons.values_files.len(), "values file", "values files"),
        counted(answers.services.len(), "service", "services"),
        if answers.identity.release.is_empty() { "not pinned" } else { &answers.identity.release }
    );
    let kind = if commons.app.is_some() || commons.chart.is_some() {
        ImportKind::GitopsFolder
    } else {
        ImportKind::ValuesFile
    };
    Ok(ImportedCommons { kind, answers, warnings: commons.warnings, summary })
}

/// A lone values file is what a direct Helm install reads: the answers target helm, writing
/// beside the file (no kube context is needed until launch).
fn import_values_file(path: &Path) -> CoreResult<ImportedCommons> {
    let name = path.display().to_string();
    let text = read_config_file(path)?;
    let (values, warnings) = parse_values_lenient(&text, &name)?;
    require_mapping(&values, &name)?;
    super::import_report::require_gen3_values(&values, &name)?;
    let destination = Destination::Helm(HelmDestination {
        output_dir: path.parent().map(|p| p.display().to_string()).unwrap_or_default(),
        ..HelmDestination::default()
    });
    let base = ImportedBase {
        values: yaml_to_json(&values),
        split_files: Vec::new(),
        folder: String::new(),
        app: None,
        chart: None,
        legacy: None,
        sources: vec![SourceFile { path: HELM_VALUES_FILE.into(), text }],
    };
    let answers = answers_from_values(&values, destination, base);
    let summary = format!("Helm values file {name}: {} services", answers.services.len());
    Ok(ImportedCommons { kind: ImportKind::ValuesFile, answers, warnings, summary })
}

/// A legacy cloud-automation commons: its `manifest.json`, and where the folder has them its
/// `metadata/aggregate_config.json` (the AggMDS configuration) and `portal/gitops.json` /
/// `portal/gitops.css` (the portal's configuration), which migrate-to-helm moves into
/// `metadata.aggMdsConfig` and `portal.gitops`.
fn import_manifest(path: &Path) -> CoreResult<ImportedCommons> {
    let name = path.display().to_string();
    let text = read_config_file(path)?;
    let parsed = manifest::parse_manifest(&text, &name)?;
    let mut migrated = manifest::manifest_to_values(&parsed);
    let template = manifest::is_release_template(&parsed);
    let mut sources = vec![SourceFile { path: "manifest.json".into(), text }];
    let folder = path.parent().unwrap_or(Path::new("."));
    for companion in &manifest::COMPANION_FILES {
        let file = folder.join(companion.path);
        if !file.is_file() {
            continue;
        }
        let text = read_config_file(&file)?;
        if companion.json {
            serde_json::from_str::<serde_json::Value>(&text).map_err(|e| {
                CoreError::invalid(format!(
                    "{}, line {}: not valid JSON ({e}). Fix the file and import again.",
                    file.display(),
                    e.line()
                ))
            })?;
        }
        manifest::adopt_companion(&mut migrated, companion, &text);
        sources.push(SourceFile { path: companion.path.into(), text });
    }
    let base = ImportedBase {
        values: yaml_to_json(&migrated.values),
        split_files: Vec::new(),
        folder: String::new(),
        app: None,
        chart: None,
        legacy: Some(migrated.legacy),
        sources,
    };
    let mut answers = answers_from_values(&migrated.values, Destination::default(), base);
    answers.legacy_manifest = true;
    if !template {
        if let Destination::Gitops(g) = &mut answers.destination {
            g.release_name = answers.identity.hostname.split('.').next().unwrap_or("gen3").to_string();
        }
    }
    let summary = if template {
        format!("release manifest: {} service versions, release {}", answers.services.len(), answers.identity.release)
    } else {
        format!("legacy manifest.json of {}: {} services", answers.identity.hostname, answers.services.len())
    };
    let warnings = migrated
        .notes
        .into_iter()
        .map(|note| Finding {
            severity: crate::Severity::Warning,
            code: "migration_note".into(),
            message: note,
            file: Some(name.clone()),
            key: None,
            acknowledgeable: false,
        })
        .collect();
    Ok(ImportedCommons {
        kind: if template { ImportKind::ReleaseTemplate } else { ImportKind::Manifest },
        answers,
        warnings,
        summary,
    })
}

/// Reads whatever the operator pointed at into wizard answers.
pub fn import_path(path: &Path) -> CoreResult<ImportedCommons> {
    // `a/b/../c` would find the wrong clone when walking up for `.git`.
    let path = &std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    match gitops::detect(path)? {
        ImportSource::CommonsFolder { path, folder } => import_gitops(Path::new(&path), folder),
        ImportSource::ValuesFile { path } => import_values_file(Path::new(&path)),
        ImportSource::Manifest { path, .. } => import_manifest(Path::new(&path)),
        ImportSource::ClusterValues { path } => {
            let cluster = gitops::ClusterValues::read(Path::new(&path))?;
            Ok(ImportedCommons {
                kind: ImportKind::ClusterValues,
                answers: CommonsAnswers::default(),
                warnings: Vec::new(),
                summary: format!(
                    "cluster-level values for cluster {} (project {}): not a commons, nothing to add",
                    cluster.cluster, cluster.project
                ),
            })
        }
    }
}

/// Adds (or updates, matched by URL) the commons the answers describe in the inventory.
pub fn add_to_inventory(store: &Store, a: &CommonsAnswers) -> CoreResult<Commons> {
    let mut draft = CommonsDraft::new(&a.identity.name, &a.identity.hostname, a.identity.environment);
    draft.expected_release = Some(a.identity.release.clone()).filter(|r| !r.is_empty());
    draft.deployment = match (&a.destination, a.gitops_folder()) {
        (Destination::Gitops(g), Some(folder)) if !g.repo_path.is_empty() => {
            Deployment::Gitops { folder: Path::new(&g.repo_path).join(folder).display().to_string() }
        }
        (Destination::Helm(h), _) => {
            Deployment::Kube { context: h.kube_context.clone(), namespace: h.namespace.clone() }
        }
        _ => Deployment::Unknown,
    };
    // The inventory keeps URLs normalized; a hostname typed in another case is the same commons.
    let url = normalize_base_url(&a.identity.hostname).unwrap_or_else(|_| format!("https://{}", a.identity.hostname));
    let commons = match inventory::find_by_url(store, &url)? {
        Some(existing) => {
            // The operator's own fields stay; the configuration's facts are refreshed.
            let mut keep = existing.draft.clone();
            keep.environment = draft.environment;
            keep.expected_release = draft.expected_release.or(keep.expected_release);
            keep.deployment = draft.deployment;
            inventory::update(store, &existing.id, &keep)?
        }
        None => inventory::create(store, &draft)?,
    };
    // What the configuration deploys tells monitoring "down" from "not deployed" (gen3-helm's
    // revproxy answers the same 500 for both).
    let services: Vec<&str> = a.services.iter().map(String::as_str).collect();
    let source = match &a.base {
        Some(base) if !base.folder.is_empty() => format!("the values of {}", base.folder),
        Some(_) => "the imported values".to_string(),
        None => "the wizard's services".to_string(),
    };
    csoc_monitor::known::set_expected(store, &commons.id, &services, &source)?;
    Ok(commons)
}
