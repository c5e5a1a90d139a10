//! The Argo CD Application in a commons folder's `templates/app.yaml`: read from the document,
//! written for a new commons in gen3-gitops' shape, or patched field by field into an imported one.

use super::*;

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
