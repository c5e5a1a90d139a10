//! A commons as gen3-gitops holds it: `<cluster>/<hostname>/` with `Chart.yaml`, an empty
//! `values.yaml`, `templates/app.yaml` (an Argo CD Application that deploys gen3-helm with this
//! folder's value files) and `values/values.yaml` plus optional split files (`fence.yaml`, ...);
//! and the cluster-level `<cluster>/cluster-values/cluster-values.yaml`.
//!
//! Import keeps every key, including the ones not modelled here, so rendering an imported commons
//! gives back the same values; a field changed in the model is written into the document it came
//! from. YAML comments are not kept (see [`crate::yaml`]).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_yaml_ng::{Mapping, Value};
use ts_rs::TS;

use super::answers::SourceFile;
use super::yaml::{
    get_path, merge_value_files, parse_values_lenient, parse_yaml, parse_yaml_mapping, read_config_file,
    require_mapping, scalar_text, to_yaml,
};
use super::{Finding, GeneratedFile, Severity};
use csoc_model::error::{CoreError, CoreResult};

/// What CTDS uses for every commons: gen3-helm's umbrella chart from git, values from gen3-gitops.
const GEN3_HELM_REPO: &str = "https://github.com/uc-cdis/gen3-helm";
const GEN3_HELM_PATH: &str = "helm/gen3";
const GEN3_GITOPS_REPO: &str = "https://github.com/uc-cdis/gen3-gitops.git";
const IN_CLUSTER: &str = "https://kubernetes.default.svc";
const ARGO_FINALIZER: &str = "resources-finalizer.argocd.argoproj.io";
const CREATE_NAMESPACE: &str = "CreateNamespace=true";
const DEFAULT_VALUES_REF: &str = "values";

/// The Argo CD Application in `templates/app.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub(crate) struct ArgoApp {
    pub name: String,
    pub project: String,
    pub chart_repo_url: String,
    /// Where the chart is in its source: a path in a git repository (`helm/gen3`), or the chart's
    /// name when the source is a Helm repository.
    pub chart_path: String,
    pub chart_revision: String,
    pub release_name: String,
    /// As written in the app, e.g. `$values/unfunded/aids.diseasedatahub.org/values/values.yaml`.
    pub value_files: Vec<String>,
    pub values_repo_url: String,
    pub values_revision: String,
    pub dest_server: String,
    pub dest_namespace: String,
    pub self_heal: bool,
    pub create_namespace: bool,
    /// `managedNamespaceMetadata.labels.role` (`gen3`), which the cluster's policies select on.
    pub role_label: Option<String>,
    /// The Application as read, so keys not modelled above survive a render; None for a new app.
    #[ts(type = "unknown")]
    #[serde(default)]
    pub document: Option<Value>,
}

/// `Chart.yaml` of a commons folder (a wrapper chart named after the hostname).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub(crate) struct ChartMeta {
    pub name: String,
    pub description: String,
    pub version: String,
    pub app_version: String,
    /// The file as read, so its other keys (`apiVersion`, `type`, ...) survive a render.
    #[ts(type = "unknown")]
    #[serde(default)]
    pub document: Option<Value>,
}

/// One file under `values/`: `values.yaml`, `fence.yaml`, ...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ValuesFile {
    pub name: String,
    /// The whole file; `Null` when it is empty.
    #[ts(type = "unknown")]
    pub values: Value,
}

/// A commons folder of a gen3-gitops repository.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub(crate) struct GitopsCommons {
    /// Repository-relative, e.g. `unfunded/aids.diseasedatahub.org`.
    pub folder: String,
    pub chart: Option<ChartMeta>,
    /// The folder's own `values.yaml` beside Chart.yaml, empty (`Null`) in every CTDS commons.
    #[ts(type = "unknown")]
    pub chart_values: Value,
    pub app: Option<ArgoApp>,
    /// In the order the app applies them, then any the app does not list.
    pub values_files: Vec<ValuesFile>,
    /// What import noticed but did not stop for (a value file the app lists that is absent, ...).
    pub warnings: Vec<Finding>,
    /// The files as read (paths relative to the repository root), for edits in place.
    #[serde(default)]
    pub sources: Vec<SourceFile>,
}

/// The cluster-level `cluster-values.yaml` (gen3-helm `cluster-level-resources`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ClusterValues {
    pub cluster: String,
    pub project: String,
    pub account_number: String,
    /// Every top-level block with an `enabled` switch (`karpenter`, `external-secrets`, ...).
    pub addons: Vec<ClusterAddon>,
    /// The file as read, so the settings not modelled here survive a render.
    #[ts(type = "unknown")]
    pub document: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ClusterAddon {
    pub name: String,
    pub enabled: bool,
    /// The add-on's chart version where the file pins one (`external-secrets` `0.16.2`).
    pub target_revision: Option<String>,
}

/// What a path the operator picked for import holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum ImportSource {
    /// A gen3-gitops commons folder; `folder` is its repository-relative path as its app.yaml
    /// names it, when it has one.
    CommonsFolder {
        path: String,
        folder: Option<String>,
    },
    /// A Helm values file on its own.
    ValuesFile {
        path: String,
    },
    ClusterValues {
        path: String,
    },
    /// A legacy cloud-automation manifest.json; a monthly release template holds only versions.
    Manifest {
        path: String,
        release_template: bool,
    },
}

fn text_at(doc: &Value, dotted: &str) -> String {
    get_path(doc, dotted).and_then(scalar_text).unwrap_or_default()
}

fn key(name: &str) -> Value {
    Value::String(name.to_string())
}

fn string(text: &str) -> Value {
    Value::String(text.to_string())
}

fn mapping(entries: Vec<(&str, Value)>) -> Value {
    Value::Mapping(entries.into_iter().map(|(k, v)| (key(k), v)).collect())
}

/// The mapping at `name` inside `map`, created (or made a mapping) if it is not one.
fn child_map<'a>(map: &'a mut Mapping, name: &str) -> &'a mut Mapping {
    let entry = map.entry(key(name)).or_insert(Value::Null);
    if !entry.is_mapping() {
        *entry = Value::Mapping(Mapping::new());
    }
    match entry {
        Value::Mapping(inner) => inner,
        _ => unreachable!("the entry was made a mapping just above"),
    }
}

/// The mapping at a path of keys, created on the way.
fn map_at<'a>(map: &'a mut Mapping, path: &[&str]) -> &'a mut Mapping {
    path.iter().fold(map, |current, name| child_map(current, name))
}

/// Writes `value` at `path` (the last element is the key) when `changed`, keeping the key's place.
fn put(map: &mut Mapping, path: &[&str], value: Value, changed: bool) {
    if !changed {
        return;
    }
    if let Some((last, parents)) = path.split_last() {
        map_at(map, parents).insert(key(last), value);
    }
}

impl ArgoApp {
    /// A new app with the settings every CTDS commons uses (gen3-helm `helm/gen3` at master, values
    /// from gen3-gitops master, in-cluster, self-healing, namespace created with `role: gen3`).
    pub fn new(name: &str, release_name: &str, namespace: &str) -> Self {
        Self {
            name: name.to_string(),
            project: "default".to_string(),
            chart_repo_url: GEN3_HELM_REPO.to_string(),
            chart_path: GEN3_HELM_PATH.to_string(),
            chart_revision: "master".to_string(),
            release_name: release_name.to_string(),
            value_files: Vec::new(),
            values_repo_url: GEN3_GITOPS_REPO.to_string(),
            values_revision: "master".to_string(),
            dest_server: IN_CLUSTER.to_string(),
            dest_namespace: namespace.to_string(),
            self_heal: true,
            create_namespace: true,
            role_label: Some("gen3".to_string()),
            document: None,
        }
    }

    /// Reads an Application document (`templates/app.yaml`); `file` names it in errors.
    pub(crate) fn from_document(doc: &Value, file: &str) -> CoreResult<Self> {
        require_mapping(doc, file)?;
        let kind = text_at(doc, "kind");
        let api_version = text_at(doc, "apiVersion");
        if kind != "Application" || !api_version.starts_with("argoproj.io/") {
            return Err(CoreError::invalid(format!(
                "{file} is not an Argo CD Application (its kind is `{kind}` and its apiVersion `{api_version}`; \
                 expected `Application` and `argoproj.io/v1alpha1`). A gen3-gitops commons keeps its Application \
                 in templates/app.yaml."
            )));
        }
        let name = text_at(doc, "metadata.name");
        if name.is_empty() {
            return Err(CoreError::invalid(format!(
                "{file}: the Application has no metadata.name, which Argo CD requires. Add one and import again."
            )));
        }
        let sources = app_sources(doc);
        let Some(chart) = sources.iter().find(|s| s.get("ref").is_none()).copied() else {
            return Err(CoreError::invalid(format!(
                "{file}: the Application has no chart source (a `spec.sources` entry without `ref`, or \
                 `spec.source`), so it does not say what to deploy. Add the gen3-helm source and import again."
            )));
        };
        let values_source = sources.iter().find(|s| s.get("ref").is_some()).copied();
        let chart = Value::Mapping(chart.clone());
        let values_source = values_source.map(|s| Value::Mapping(s.clone())).unwrap_or(Value::Null);
        let chart_path = match get_path(&chart, "path") {
            Some(path) => scalar_text(path).unwrap_or_default(),
            None => text_at(&chart, "chart"),
        };
        let value_files = match get_path(&chart, "helm.valueFiles") {
            Some(Value::Sequence(files)) => files.iter().filter_map(scalar_text).collect(),
            _ => Vec::new(),
        };
        let sync_options: Vec<String> = match get_path(doc, "spec.syncPolicy.syncOptions") {
            Some(Value::Sequence(options)) => options.iter().filter_map(scalar_text).collect(),
            _ => Vec::new(),
        };
        Ok(Self {
            name,
            project: text_at(doc, "spec.project"),
            chart_repo_url: text_at(&chart, "repoURL"),
            chart_path,
            chart_revision: text_at(&chart, "targetRevision"),
            release_name: text_at(&chart, "helm.releaseName"),
            value_files,
            values_repo_url: text_at(&values_source, "repoURL"),
            values_revision: text_at(&values_source, "targetRevision"),
            dest_server: text_at(doc, "spec.destination.server"),
            dest_namespace: text_at(doc, "spec.destination.namespace"),
            self_heal: get_path(doc, "spec.syncPolicy.automated.selfHeal") == Some(&Value::Bool(true)),
            create_namespace: sync_options.iter().any(|o| o == CREATE_NAMESPACE),
            role_label: get_path(doc, "spec.syncPolicy.managedNamespaceMetadata.labels.role").and_then(scalar_text),
            document: Some(doc.clone()),
        })
    }

    /// The `ref` of the values source (`values`), which value files start with as `$values/`.
    pub(crate) fn values_ref(&self) -> String {
        self.document
            .as_ref()
            .and_then(|doc| app_sources(doc).into_iter().find_map(|s| s.get("ref").and_then(scalar_text)))
            .unwrap_or_else(|| DEFAULT_VALUES_REF.to_string())
    }

    /// How the app refers to `values/<name>` of the commons at `folder`.
    pub(crate) fn value_file_entry(&self, folder: &str, name: &str) -> String {
        format!("${}/{}/values/{}", self.values_ref(), folder.trim_matches('/'), name)
    }

    /// The repository-relative commons folder the value files point into, if they agree on one.
    pub(crate) fn values_folder(&self) -> Option<String> {
        let prefix = format!("${}/", self.values_ref());
        let mut folders = self.value_files.iter().filter_map(|entry| {
            let (folder, _) = entry.strip_prefix(&prefix)?.rsplit_once("/values/")?;
            Some(folder.to_string())
        });
        let first = folders.next()?;
        folders.all(|f| f == first).then_some(first)
    }

    /// Of a value-file entry, the file name under this commons' `values/`, if it points there.
    pub(crate) fn local_value_file(&self, folder: &str, entry: &str) -> Option<String> {
        let prefix = self.value_file_entry(folder, "");
        let name = entry.strip_prefix(&prefix)?;
        is_plain_yaml_name(name).then(|| name.to_string())
    }
}

/// The app's sources: `spec.sources`, or the single `spec.source`.
fn app_sources(doc: &Value) -> Vec<&Mapping> {
    match (get_path(doc, "spec.sources"), get_path(doc, "spec.source")) {
        (Some(Value::Sequence(sources)), _) => sources.iter().filter_map(Value::as_mapping).collect(),
        (_, Some(Value::Mapping(source))) => vec![source],
        _ => Vec::new(),
    }
}

/// A value-file name that stays inside `values/`: no separators, not hidden, `.yaml`/`.yml`.
fn is_plain_yaml_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\'])
        && (name.ends_with(".yaml") || name.ends_with(".yml"))
}

/// The Application document for `app`: the imported one with changed fields written in, or, for a
/// new app, the shape gen3-gitops uses (multi-source, finalizer, self-heal, CreateNamespace, role).
pub(crate) fn argo_app_yaml(app: &ArgoApp) -> Value {
    let Some(doc @ Value::Mapping(_)) = &app.document else {
        return new_app_document(app);
    };
    let Ok(before) = ArgoApp::from_document(doc, "templates/app.yaml") else {
        return new_app_document(app);
    };
    let mut doc = doc.clone();
    if let Value::Mapping(root) = &mut doc {
        patch_app(root, &before, app);
    }
    doc
}

fn new_app_document(app: &ArgoApp) -> Value {
    let value_files = Value::Sequence(app.value_files.iter().map(|f| string(f)).collect());
    let chart_source = mapping(vec![
        ("path", string(&app.chart_path)),
        ("repoURL", string(&app.chart_repo_url)),
        ("targetRevision", string(&app.chart_revision)),
        ("helm", mapping(vec![("releaseName", string(&app.release_name)), ("valueFiles", value_files)])),
    ]);
    let mut sources = vec![chart_source];
    if !app.values_repo_url.is_empty() {
        sources.push(mapping(vec![
            ("repoURL", string(&app.values_repo_url)),
            ("targetRevision", string(&app.values_revision)),
            ("ref", string(DEFAULT_VALUES_REF)),
        ]));
    }
    let mut sync_policy = Vec::new();
    if let Some(role) = &app.role_label {
        sync_policy
            .push(("managedNamespaceMetadata", mapping(vec![("labels", mapping(vec![("role", string(role))]))])));
    }
    if app.create_namespace {
        sync_policy.push(("syncOptions", Value::Sequence(vec![string(CREATE_NAMESPACE)])));
    }
    sync_policy.push(("automated", mapping(vec![("selfHeal", Value::Bool(app.self_heal))])));
    mapping(vec![
        ("apiVersion", string("argoproj.io/v1alpha1")),
        ("kind", string("Application")),
        (
            "metadata",
            mapping(vec![
                ("name", string(&app.name)),
                ("namespace", string("argocd")),
                ("finalizers", Value::Sequence(vec![string(ARGO_FINALIZER)])),
            ]),
        ),
        (
            "spec",
            mapping(vec![
                ("project", string(&app.project)),
                ("sources", Value::Sequence(sources)),
                (
                    "destination",
                    mapping(vec![("server", string(&app.dest_server)), ("namespace", string(&app.dest_namespace))]),
                ),
                ("syncPolicy", mapping(sync_policy)),
            ]),
        ),
    ])
}

/// Writes into an imported Application only the fields that differ from what it said.
fn patch_app(root: &mut Mapping, before: &ArgoApp, app: &ArgoApp) {
    put(root, &["metadata", "name"], string(&app.name), before.name != app.name);
    put(root, &["spec", "project"], string(&app.project), before.project != app.project);
    put(root, &["spec", "destination", "server"], string(&app.dest_server), before.dest_server != app.dest_server);
    put(
        root,
        &["spec", "destination", "namespace"],
        string(&app.dest_namespace),
        before.dest_namespace != app.dest_namespace,
    );
    patch_sources(root, before, app);
    patch_sync_policy(root, before, app);
}

fn patch_sources(root: &mut Mapping, before: &ArgoApp, app: &ArgoApp) {
    let spec = child_map(root, "spec");
    let sources: Vec<&mut Mapping> = if spec.contains_key("sources") {
        match spec.get_mut("sources") {
            Some(Value::Sequence(list)) => list.iter_mut().filter_map(Value::as_mapping_mut).collect(),
            _ => Vec::new(),
        }
    } else {
        vec![child_map(spec, "source")]
    };
    let mut chart_done = false;
    let mut values_done = false;
    for source in sources {
        if source.contains_key("ref") {
            if values_done {
                continue;
            }
            values_done = true;
            put(source, &["repoURL"], string(&app.values_repo_url), before.values_repo_url != app.values_repo_url);
            put(
                source,
                &["targetRevision"],
                string(&app.values_revision),
                before.values_revision != app.values_revision,
            );
        } else if !chart_done {
            chart_done = true;
            let path_key = if source.contains_key("chart") && !source.contains_key("path") { "chart" } else { "path" };
            put(source, &[path_key], string(&app.chart_path), before.chart_path != app.chart_path);
            put(source, &["repoURL"], string(&app.chart_repo_url), before.chart_repo_url != app.chart_repo_url);
            put(source, &["targetRevision"], string(&app.chart_revision), before.chart_revision != app.chart_revision);
            put(source, &["helm", "releaseName"], string(&app.release_name), before.release_name != app.release_name);
            let files = Value::Sequence(app.value_files.iter().map(|f| string(f)).collect());
            put(source, &["helm", "valueFiles"], files, before.value_files != app.value_files);
        }
    }
    let values_changed = before.values_repo_url != app.values_repo_url || before.values_revision != app.values_revision;
    if !values_done && values_changed && !app.values_repo_url.is_empty() {
        if let Some(Value::Sequence(list)) = child_map(root, "spec").get_mut("sources") {
            list.push(mapping(vec![
                ("repoURL", string(&app.values_repo_url)),
                ("targetRevision", string(&app.values_revision)),
                ("ref", string(DEFAULT_VALUES_REF)),
            ]));
        }
    }
}

fn patch_sync_policy(root: &mut Mapping, before: &ArgoApp, app: &ArgoApp) {
    if before.self_heal != app.self_heal {
        put(root, &["spec", "syncPolicy", "automated", "selfHeal"], Value::Bool(app.self_heal), true);
    }
    if before.create_namespace != app.create_namespace {
        let policy = map_at(root, &["spec", "syncPolicy"]);
        let options = policy.entry(key("syncOptions")).or_insert(Value::Sequence(Vec::new()));
        if !options.is_sequence() {
            *options = Value::Sequence(Vec::new());
        }
        if let Value::Sequence(list) = options {
            list.retain(|o| o.as_str() != Some(CREATE_NAMESPACE));
            if app.create_namespace {
                list.push(string(CREATE_NAMESPACE));
            }
        }
    }
    if before.role_label != app.role_label {
        let labels = map_at(root, &["spec", "syncPolicy", "managedNamespaceMetadata", "labels"]);
        match &app.role_label {
            Some(role) => {
                labels.insert(key("role"), string(role));
            }
            None => {
                labels.shift_remove("role");
            }
        }
    }
}

impl ChartMeta {
    /// The wrapper chart gen3-gitops gives a new commons: named after its hostname, version 0.1.0.
    pub(crate) fn for_hostname(hostname: &str) -> Self {
        Self {
            name: hostname.to_string(),
            description: format!("{hostname} argo application"),
            version: "0.1.0".to_string(),
            app_version: "1.0".to_string(),
            document: None,
        }
    }

    /// Reads a Chart.yaml document; `file` names it in errors.
    pub(crate) fn from_document(doc: &Value, file: &str) -> CoreResult<Self> {
        require_mapping(doc, file)?;
        let name = text_at(doc, "name");
        if name.is_empty() {
            return Err(CoreError::invalid(format!(
                "{file} has no `name`, which Helm requires of a chart. Add it (the commons' hostname) and import again."
            )));
        }
        Ok(Self {
            name,
            description: text_at(doc, "description"),
            version: text_at(doc, "version"),
            app_version: text_at(doc, "appVersion"),
            document: Some(doc.clone()),
        })
    }

    /// The Chart.yaml document: the imported one with changed fields written in, or a new one.
    pub(crate) fn to_document(&self) -> Value {
        let before = self.document.as_ref().and_then(|doc| Self::from_document(doc, "Chart.yaml").ok());
        match (&self.document, before) {
            (Some(Value::Mapping(root)), Some(before)) => {
                let mut root = root.clone();
                put(&mut root, &["name"], string(&self.name), before.name != self.name);
                put(&mut root, &["description"], string(&self.description), before.description != self.description);
                put(&mut root, &["version"], string(&self.version), before.version != self.version);
                put(&mut root, &["appVersion"], string(&self.app_version), before.app_version != self.app_version);
                Value::Mapping(root)
            }
            _ => mapping(vec![
                ("apiVersion", string("v2")),
                ("name", string(&self.name)),
                ("description", string(&self.description)),
                ("type", string("application")),
                ("version", string(&self.version)),
                ("appVersion", string(&self.app_version)),
            ]),
        }
    }
}

fn warning(code: &str, file: String, message: String) -> Finding {
    Finding {
        severity: Severity::Warning,
        code: code.to_string(),
        message,
        file: Some(file),
        key: None,
        acknowledgeable: false,
    }
}

/// Reads and parses `dir/relative` if it exists, keeping its text in `sources` under `label`
/// (its repository-relative path), which also names it in errors.
fn read_optional_yaml(
    dir: &Path,
    relative: &str,
    label: &str,
    sources: &mut Vec<SourceFile>,
) -> CoreResult<Option<Value>> {
    let path = dir.join(relative);
    if !path.exists() {
        return Ok(None);
    }
    let text = read_config_file(&path)?;
    let value = parse_yaml_mapping(&text, label)?;
    sources.push(SourceFile { path: label.to_string(), text });
    Ok(Some(value))
}

impl GitopsCommons {
    /// Reads the commons folder `commons_dir`, which sits at `folder` in its gen3-gitops repository
    /// (the path its app.yaml's value files use). Value files the app lists but that are absent, or
    /// that live outside the folder, are warnings, not errors.
    pub fn read(commons_dir: &Path, folder: &str) -> CoreResult<Self> {
        let folder = folder.trim_matches('/').to_string();
        if !commons_dir.is_dir() {
            return Err(if commons_dir.exists() {
                CoreError::invalid(format!(
                    "{} is a file, not a commons folder. Pick the folder that holds Chart.yaml, templates/ and values/.",
                    commons_dir.display()
                ))
            } else {
                CoreError::not_found(format!(
                    "The commons folder {} does not exist. Check the path (a gen3-gitops clone holds one folder per \
                     commons, e.g. unfunded/aids.diseasedatahub.org).",
                    commons_dir.display()
                ))
            });
        }
        csoc_model::operator_files::refuse_links_leaving(commons_dir)?;
        let label =
            |relative: &str| if folder.is_empty() { relative.to_string() } else { format!("{folder}/{relative}") };
        let mut sources = Vec::new();
        let chart = read_optional_yaml(commons_dir, "Chart.yaml", &label("Chart.yaml"), &mut sources)?
            .map(|doc| ChartMeta::from_document(&doc, &label("Chart.yaml")))
            .transpose()?;
        let chart_values =
            read_optional_yaml(commons_dir, "values.yaml", &label("values.yaml"), &mut sources)?.unwrap_or(Value::Null);
        let app = read_optional_yaml(commons_dir, "templates/app.yaml", &label("templates/app.yaml"), &mut sources)?
            .map(|doc| ArgoApp::from_document(&doc, &label("templates/app.yaml")))
            .transpose()?;

        let (present, unmanaged) = list_values_dir(&commons_dir.join("values"))?;
        let mut warnings = Vec::new();
        let mut order: Vec<String> = Vec::new();
        if let Some(app) = &app {
            if let Some(app_folder) = app.values_folder().filter(|f| *f != folder) {
                warnings.push(warning(
                    "app_folder_mismatch",
                    "templates/app.yaml".to_string(),
                    format!(
                        "templates/app.yaml takes its value files from {app_folder}/values/, but this commons was \
                         imported as {folder}. If the folder was copied or moved, update the app's valueFiles; \
                         otherwise import it as {app_folder}."
                    ),
                ));
            }
            for entry in &app.value_files {
                match app.local_value_file(&folder, entry) {
                    Some(name) if present.contains(&name) => {
                        if !order.contains(&name) {
                            order.push(name);
                        }
                    }
                    Some(name) => warnings.push(warning(
                        "value_file_missing",
                        format!("values/{name}"),
                        format!(
                            "templates/app.yaml lists {entry}, but values/{name} is not in the folder. Argo CD will \
                             fail to sync until it exists; create it (it may be empty) or remove it from the list."
                        ),
                    )),
                    None => warnings.push(warning(
                        "value_file_outside_folder",
                        "templates/app.yaml".to_string(),
                        format!(
                            "templates/app.yaml lists the value file {entry}, which is not under this commons' \
                             values/ folder ({}). It was not imported; check that the app points at this folder.",
                            app.value_file_entry(&folder, "")
                        ),
                    )),
                }
            }
            for name in present.iter().filter(|n| !order.contains(n)) {
                warnings.push(warning(
                    "value_file_not_listed",
                    format!("values/{name}"),
                    format!(
                        "values/{name} is not listed in templates/app.yaml, so Argo CD does not apply it. Add it to \
                         the app's valueFiles or delete it."
                    ),
                ));
            }
        } else if present.iter().any(|n| n == "values.yaml") {
            order.push("values.yaml".to_string());
        }
        order.extend(present.iter().filter(|n| !order.contains(n)).cloned().collect::<Vec<_>>());
        if !unmanaged.is_empty() {
            warnings.push(warning(
                "unmanaged_files",
                "values/".to_string(),
                format!(
                    "values/ also holds {}, which this app neither reads nor writes; they are left as they are.",
                    unmanaged.join(", ")
                ),
            ));
        }

        if chart.is_none() && app.is_none() && order.is_empty() {
            return Err(CoreError::invalid(format!(
                "{} is not a gen3-gitops commons folder: it holds none of Chart.yaml, templates/app.yaml and \
                 values/values.yaml. Pick the folder named after the commons' hostname.",
                commons_dir.display()
            )));
        }
        let mut values_files = Vec::new();
        for name in order {
            let relative = format!("values/{name}");
            let text = read_config_file(&commons_dir.join(&relative))?;
            let (values, duplicates) = parse_values_lenient(&text, &label(&relative))?;
            require_mapping(&values, &label(&relative))?;
            warnings.extend(duplicates);
            sources.push(SourceFile { path: label(&relative), text });
            values_files.push(ValuesFile { name, values });
        }
        Ok(Self { folder, chart, chart_values, app, values_files, warnings, sources })
    }

    /// A new commons at `folder`: Chart.yaml named after `hostname`, and `merged` split into value
    /// files: each top-level key named in `split` (`fence` -> `fence.yaml`) gets its own file, the
    /// rest stay in `values.yaml`. The app's value files are set to match.
    pub(crate) fn new_commons(folder: &str, hostname: &str, app: ArgoApp, merged: Value, split: &[&str]) -> Self {
        let folder = folder.trim_matches('/').to_string();
        let mut main = Mapping::new();
        let mut split_files: Vec<ValuesFile> = Vec::new();
        match merged {
            Value::Mapping(map) => {
                for (k, v) in map {
                    let split_name = k
                        .as_str()
                        .filter(|name| split.contains(name) && *name != "values")
                        .map(|name| format!("{name}.yaml"))
                        .filter(|file| is_plain_yaml_name(file));
                    match split_name {
                        Some(file) => split_files
                            .push(ValuesFile { name: file, values: Value::Mapping([(k, v)].into_iter().collect()) }),
                        None => {
                            main.insert(k, v);
                        }
                    }
                }
            }
            other => {
                // Not a mapping: nothing to split; import would refuse it, so keep it for the review to show.
                return Self::assemble(
                    folder,
                    hostname,
                    app,
                    vec![ValuesFile { name: "values.yaml".into(), values: other }],
                );
            }
        }
        // Files in the order `split` names them, which is the order Helm will apply them.
        split_files.sort_by_key(|f| split.iter().position(|s| format!("{s}.yaml") == f.name));
        let mut files = vec![ValuesFile { name: "values.yaml".to_string(), values: Value::Mapping(main) }];
        files.extend(split_files);
        Self::assemble(folder, hostname, app, files)
    }

    fn assemble(folder: String, hostname: &str, mut app: ArgoApp, values_files: Vec<ValuesFile>) -> Self {
        app.value_files = values_files.iter().map(|f| app.value_file_entry(&folder, &f.name)).collect();
        Self {
            folder,
            chart: Some(ChartMeta::for_hostname(hostname)),
            chart_values: Value::Null,
            app: Some(app),
            values_files,
            warnings: Vec::new(),
            sources: Vec::new(),
        }
    }

    /// The values Helm gets: the value files merged in the app's `valueFiles` order (every file in
    /// stored order when there is no app), later files winning. Nulls are kept, as Helm keeps them
    /// until it applies the chart's defaults.
    pub(crate) fn merged_values(&self) -> Value {
        let mut merged = Value::Mapping(Mapping::new());
        let listed: Vec<&ValuesFile> = match &self.app {
            Some(app) => app
                .value_files
                .iter()
                .filter_map(|entry| app.local_value_file(&self.folder, entry))
                .filter_map(|name| self.values_files.iter().find(|f| f.name == name))
                .collect(),
            None => Vec::new(),
        };
        // An app that reads none of the folder's files (it points at another folder, which import
        // reports) leaves the folder's own files as what the operator edits.
        let applied = if listed.is_empty() { self.values_files.iter().collect() } else { listed };
        for file in applied {
            merge_value_files(&mut merged, &file.values);
        }
        merged
    }

    /// The folder's files, with paths relative to the repository root (`<folder>/Chart.yaml`,
    /// `<folder>/values.yaml`, `<folder>/templates/app.yaml`, `<folder>/values/<name>`).
    pub fn render(&self) -> Vec<GeneratedFile> {
        let at = |relative: &str| {
            if self.folder.is_empty() {
                relative.to_string()
            } else {
                format!("{}/{relative}", self.folder)
            }
        };
        let mut files = Vec::new();
        if let Some(chart) = &self.chart {
            files.push(GeneratedFile { path: at("Chart.yaml"), contents: to_yaml(&chart.to_document()) });
        }
        if self.chart.is_some() || !self.chart_values.is_null() {
            files.push(GeneratedFile { path: at("values.yaml"), contents: to_yaml(&self.chart_values) });
        }
        if let Some(app) = &self.app {
            files.push(GeneratedFile { path: at("templates/app.yaml"), contents: to_yaml(&argo_app_yaml(app)) });
        }
        for file in &self.values_files {
            files.push(GeneratedFile { path: at(&format!("values/{}", file.name)), contents: to_yaml(&file.values) });
        }
        files
    }
}

/// The value files in `values/` (sorted), and the other entries there (portal assets, ...).
fn list_values_dir(dir: &Path) -> CoreResult<(Vec<String>, Vec<String>)> {
    if !dir.is_dir() {
        return Ok((Vec::new(), Vec::new()));
    }
    let entries = std::fs::read_dir(dir).map_err(|e| CoreError::io("list", dir, &e))?;
    let mut files = Vec::new();
    let mut others = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| CoreError::io("list", dir, &e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if path.is_file() && is_plain_yaml_name(&name) {
            files.push(name);
        } else if path.is_dir() {
            others.push(format!("{name}/"));
        } else {
            others.push(name);
        }
    }
    files.sort();
    others.sort();
    Ok((files, others))
}

impl ClusterValues {
    /// Reads a `cluster-values.yaml` file.
    pub fn read(path: &Path) -> CoreResult<Self> {
        let text = read_config_file(path)?;
        Self::from_yaml(&text, &path.display().to_string())
    }

    /// Parses cluster-values YAML; `file` names it in errors.
    pub(crate) fn from_yaml(text: &str, file: &str) -> CoreResult<Self> {
        Self::from_document(parse_yaml_mapping(text, file)?, file)
    }

    fn from_document(document: Value, file: &str) -> CoreResult<Self> {
        let cluster = text_at(&document, "cluster");
        if cluster.is_empty() {
            return Err(CoreError::invalid(format!(
                "{file} has no `cluster` key, so it is not a gen3-gitops cluster-values file (those start with \
                 cluster, project and accountNumber). Check that this is the right file."
            )));
        }
        Ok(Self {
            cluster,
            project: text_at(&document, "project"),
            account_number: text_at(&document, "accountNumber"),
            addons: addons_of(&document),
            document,
        })
    }
}

fn addons_of(document: &Value) -> Vec<ClusterAddon> {
    let Some(map) = document.as_mapping() else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(name, block)| {
            let enabled = block.get("enabled")?.as_bool()?;
            Some(ClusterAddon {
                name: name.as_str()?.to_string(),
                enabled,
                target_revision: block.get("targetRevision").and_then(scalar_text),
            })
        })
        .collect()
}

/// Says what a path the operator picked holds: a commons folder, a values file, a cluster-values
/// file or a manifest.json. Anything else is a clear error.
pub(crate) fn detect(path: &Path) -> CoreResult<ImportSource> {
    if !path.exists() {
        return Err(CoreError::not_found(format!("{} does not exist. Check the path and try again.", path.display())));
    }
    let shown = path.display().to_string();
    if path.is_dir() {
        return detect_folder(path).ok_or_else(|| {
            CoreError::invalid(format!(
                "{shown} is a folder, but not a commons folder: it holds none of Chart.yaml, \
                 templates/app.yaml and values/values.yaml (gen3-gitops) nor a manifest.json (cdis-manifest). \
                 Pick a commons folder, a values file, a cluster-values.yaml or a manifest.json."
            ))
        });
    }
    let text = read_config_file(path)?;
    let looks_like_json =
        path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) || text.trim_start().starts_with('{');
    if looks_like_json {
        let manifest = super::manifest::parse_manifest(&text, &shown)?;
        return Ok(ImportSource::Manifest {
            path: shown,
            release_template: super::manifest::is_release_template(&manifest),
        });
    }
    let (doc, _) = parse_values_lenient(&text, &shown)?;
    require_mapping(&doc, &shown)?;
    let parent = path.parent().map(Path::to_path_buf).unwrap_or_default();
    if text_at(&doc, "kind") == "Application" {
        ArgoApp::from_document(&doc, &shown)?;
        if parent.file_name().is_some_and(|n| n == "templates") {
            let commons = parent.parent().map(Path::to_path_buf).unwrap_or_default();
            if let Some(found) = detect_folder(&commons) {
                return Ok(found);
            }
        }
        return Err(CoreError::invalid(format!(
            "{shown} is an Argo CD Application on its own; import the commons folder that holds it in templates/."
        )));
    }
    if path.file_name().is_some_and(|n| n == "Chart.yaml") {
        if let Some(found) = detect_folder(&parent) {
            return Ok(found);
        }
    }
    let has = |k: &str| doc.get(k).is_some();
    if has("cluster") && (has("project") || has("accountNumber")) && !has("global") {
        return Ok(ImportSource::ClusterValues { path: shown });
    }
    Ok(ImportSource::ValuesFile { path: shown })
}

fn detect_folder(dir: &Path) -> Option<ImportSource> {
    // A cdis-manifest commons folder: manifest.json beside metadata/ and portal/.
    let manifest = dir.join("manifest.json");
    if manifest.is_file() && !dir.join("templates/app.yaml").is_file() {
        let release_template = read_config_file(&manifest)
            .ok()
            .and_then(|text| super::manifest::parse_manifest(&text, "manifest.json").ok())
            .is_some_and(|m| super::manifest::is_release_template(&m));
        return Some(ImportSource::Manifest { path: manifest.display().to_string(), release_template });
    }
    let is_commons = ["Chart.yaml", "templates/app.yaml", "values/values.yaml"].iter().any(|f| dir.join(f).is_file());
    if !is_commons {
        return None;
    }
    let app_path: PathBuf = dir.join("templates/app.yaml");
    let folder = read_config_file(&app_path)
        .ok()
        .and_then(|text| parse_yaml(&text, "templates/app.yaml").ok())
        .and_then(|doc| ArgoApp::from_document(&doc, "templates/app.yaml").ok())
        .and_then(|app| app.values_folder());
    Some(ImportSource::CommonsFolder { path: dir.display().to_string(), folder })
}
