//! Wizard answers become the files Gen3 deploys from: gen3-helm values (split as the commons'
//! folder splits them), the Argo CD Application and chart of a gen3-gitops folder, user.yaml, and
//! on request a legacy manifest.json.
//!
//! Generation starts from what an imported commons already had and writes only what the answers
//! change, so importing a commons and generating it again gives the same values: an operator's
//! review diff then shows exactly their edits.

use std::path::Path;

use serde_yaml_ng::{Mapping, Value};

use crate::deploy::answers::{
    CommonsAnswers, DatabaseMode, Destination, LoginProvider, ProviderKind, DEFAULT_DICTIONARY_URL,
};
use crate::deploy::gitops::{ArgoApp, ChartMeta, GitopsCommons};
use crate::deploy::import::release_of;
use crate::deploy::yaml::{get_path, json_to_yaml, set_path, to_yaml};
use crate::deploy::{catalog, manifest, repo_apps, user_yaml, GeneratedFile};
use crate::error::{CoreError, CoreResult};
use crate::model::Environment;

/// gen3-helm subcharts whose images follow the monthly `YYYY.MM` release tags (GEN3.md 3.6), with
/// their quay.io/cdis image; the others (ambassador, aws-es-proxy, frontend-framework, third-party
/// charts) keep their own tags.
const MONTHLY_IMAGES: &[(&str, &str)] = &[
    ("access-backend", "access-backend"),
    ("arborist", "arborist"),
    ("argo-wrapper", "argo-wrapper"),
    ("audit", "audit-service"),
    ("cohort-middleware", "cohort-middleware"),
    ("dashboard", "gen3-statics"),
    ("fence", "fence"),
    ("gen3-user-data-library", "gen3-user-data-library"),
    ("gen3-workflow", "gen3-workflow"),
    ("guppy", "guppy"),
    ("hatchery", "hatchery"),
    ("indexd", "indexd"),
    ("manifestservice", "manifestservice"),
    ("metadata", "metadata-service"),
    ("peregrine", "peregrine"),
    ("portal", "data-portal"),
    ("requestor", "requestor"),
    ("revproxy", "nginx"),
    ("sheepdog", "sheepdog"),
    ("sower", "sower"),
    ("ssjdispatcher", "ssjdispatcher"),
    ("wts", "workspace-token-service"),
];

/// What the wizard writes, and the merged values it wrote (for the checks).
#[derive(Debug, Clone)]
pub struct Generated {
    pub files: Vec<GeneratedFile>,
    pub values: Value,
    pub user_yaml: Option<String>,
    /// Why the structured authorization answers could not become a user.yaml (the checks report it).
    pub user_yaml_error: Option<String>,
}

/// Turns answers into files. Errors only when the answers cannot be rendered at all (a raw
/// user.yaml that does not parse is reported by the checks, not here).
pub fn generate(answers: &CommonsAnswers) -> CoreResult<Generated> {
    let mut out = Values { tree: base_values(answers), minimal: answers.base.is_some() };
    let values = &mut out;
    apply_identity(values, answers);
    apply_database(values, answers);
    apply_services(values, answers);
    apply_login(values, answers);
    let (user_yaml, user_yaml_error) = match user_yaml_text(answers) {
        Ok(text) => (text, None),
        Err(e) => (None, Some(e.message)),
    };
    if let Some(text) = &user_yaml {
        values.put("fence.USER_YAML", Value::String(text.clone()), None);
    }
    apply_settings(values, answers);
    let values = out.tree;

    let mut files = match &answers.destination {
        Destination::Gitops(_) => gitops_files(answers, &values)?,
        Destination::Helm(_) => vec![GeneratedFile { path: "values.yaml".into(), contents: to_yaml(&values) }],
    };
    let folder = answers.gitops_folder().map(|f| format!("{f}/")).unwrap_or_default();
    if let Some(text) = &user_yaml {
        files.push(GeneratedFile { path: format!("{folder}user.yaml"), contents: text.clone() });
    }
    if answers.legacy_manifest {
        let legacy = answers.base.as_ref().and_then(|b| b.legacy.clone()).unwrap_or(serde_json::Value::Null);
        let manifest = manifest::values_to_manifest(&values, &legacy);
        let mut text = serde_json::to_string_pretty(&manifest)
            .map_err(|e| CoreError::invalid(format!("The manifest.json could not be written ({e}).")))?;
        text.push('\n');
        files.push(GeneratedFile { path: format!("{folder}manifest.json"), contents: text });
    }
    Ok(Generated { files, values, user_yaml, user_yaml_error })
}

fn base_values(answers: &CommonsAnswers) -> Value {
    match answers.base.as_ref().map(|b| &b.values) {
        Some(json) if !json.is_null() => json_to_yaml(json),
        _ => Value::Mapping(Mapping::new()),
    }
}

/// The values being generated. A new commons states every answer; an imported one (`minimal`)
/// gets only what changes something, so a re-generation without edits is the same configuration.
struct Values {
    tree: Value,
    minimal: bool,
}

impl Values {
    /// Sets `path` unless it already holds `new`, or (imported commons) is absent and `new` is
    /// what the chart does by `default`.
    fn put(&mut self, path: &str, new: Value, default: Option<Value>) {
        match get_path(&self.tree, path) {
            Some(current) if *current == new => {}
            None if self.minimal && default.as_ref() == Some(&new) => {}
            _ => set_path(&mut self.tree, path, new),
        }
    }

    fn get(&self, path: &str) -> Option<&Value> {
        get_path(&self.tree, path)
    }
}

fn string(s: &str) -> Value {
    Value::String(s.to_string())
}

fn apply_identity(values: &mut Values, a: &CommonsAnswers) {
    let host = a.identity.hostname.trim();
    if !host.is_empty() {
        values.put("global.hostname", string(host), None);
    }
    if !a.identity.revproxy_arn.trim().is_empty() {
        values.put("global.revproxyArn", string(a.identity.revproxy_arn.trim()), None);
    }
    // A new commons gets its environment label and, in production, pod disruption budgets; an
    // imported one keeps what it had. Network policies are a service choice (gen3-network-policies).
    if !values.minimal {
        let env = host.split('.').next().unwrap_or(host);
        values.put("global.environment", string(env), None);
        if a.identity.environment == Environment::Production {
            values.put("global.pdb", Value::Bool(true), None);
        }
        // revproxy renders its ALB Ingress (which carries the certificate ARN and the hostname)
        // only with global.aws.enabled; without it a non-dev commons has no Ingress at all.
        if !a.identity.revproxy_arn.trim().is_empty() {
            values.put("global.aws.enabled", Value::Bool(true), None);
        }
    }
}

fn apply_database(values: &mut Values, a: &CommonsAnswers) {
    let db = &a.database;
    match db.mode {
        DatabaseMode::Dev => values.put("global.dev", Value::Bool(true), Some(Value::Bool(true))),
        DatabaseMode::External => {
            values.put("global.dev", Value::Bool(false), Some(Value::Bool(true)));
            if !db.host.trim().is_empty() {
                values.put("global.postgres.master.host", string(db.host.trim()), None);
                values.put("global.postgres.master.port", string(&db.port.to_string()), Some(string("5432")));
                values.put("global.postgres.master.username", string(db.username.trim()), Some(string("postgres")));
            }
            if !db.password_secret_name.trim().is_empty() {
                values.put("global.postgres.externalSecret", string(db.password_secret_name.trim()), None);
            }
        }
    }
    values.put("global.externalSecrets.deploy", Value::Bool(db.external_secrets), Some(Value::Bool(false)));
    if db.external_secrets {
        values.put("global.aws.region", string(db.aws_region.trim()), Some(string("us-east-1")));
    }
}

fn apply_services(values: &mut Values, a: &CommonsAnswers) {
    let release = a.identity.release.trim();
    // An imported commons keeps its pinned tags (exceptions included) until the operator moves
    // it to another release.
    let retag = !values.minimal || release_of(&values.tree) != release;
    for info in catalog::services() {
        let name = info.name;
        // postgresql and elasticsearch follow global.dev, which the database step owns.
        let Some(condition) = info.condition.filter(|c| *c != "global.dev") else {
            continue;
        };
        let wanted = a.services.iter().any(|s| s == name);
        if !wanted && !info.default_enabled && values.get(condition).is_none() {
            continue;
        }
        values.put(condition, Value::Bool(wanted), Some(Value::Bool(info.default_enabled)));
        let image = MONTHLY_IMAGES.iter().find(|(chart, _)| *chart == name).map(|(_, image)| image);
        if let (true, true, false, Some(image)) = (retag, wanted, release.is_empty(), image) {
            // A new commons names its images, as production values do (and a legacy manifest needs).
            if !values.minimal && values.get(&format!("{name}.image.repository")).is_none() {
                values.put(&format!("{name}.image.repository"), string(&format!("quay.io/cdis/{image}")), None);
            }
            values.put(&format!("{name}.image.tag"), string(release), None);
        }
    }
    if retag && a.services.iter().any(|s| s == "etl") && !release.is_empty() {
        for (part, image) in [("tube", "tube"), ("spark", "gen3-spark")] {
            if !values.minimal && values.get(&format!("etl.image.{part}.repository")).is_none() {
                values.put(&format!("etl.image.{part}.repository"), string(&format!("quay.io/cdis/{image}")), None);
            }
            values.put(&format!("etl.image.{part}.tag"), string(release), None);
        }
    }
    let root = if a.services.iter().any(|s| s == "frontend-framework") { "gen3ff" } else { "portal" };
    values.put("global.frontendRoot", string(root), Some(string("portal")));
}

fn redirect_url(host: &str, idp: &str) -> String {
    format!("https://{host}/user/login/{idp}/login/")
}

fn provider_entry(p: &LoginProvider, host: &str) -> Vec<(&'static str, Value)> {
    let mut entry = vec![("client_id", string(p.client_id.trim()))];
    match p.kind {
        ProviderKind::Google => {
            entry.push(("redirect_url", string(&redirect_url(host, &p.idp))));
            entry.push(("discovery_url", string("https://accounts.google.com/.well-known/openid-configuration")));
        }
        ProviderKind::GenericOidc | ProviderKind::Ras => {
            entry.push(("name", string(p.label.trim())));
            entry.push(("discovery_url", string(p.discovery_url.trim())));
            entry.push(("redirect_url", string(&redirect_url(host, &p.idp))));
            entry.push(("scope", string("openid email")));
            entry.push((
                "user_id_field",
                string(if p.kind == ProviderKind::Ras { "preferred_username" } else { "email" }),
            ));
        }
        ProviderKind::Fence => {
            let api = p.api_base_url.trim().trim_end_matches('/');
            entry.push(("name", string(p.label.trim())));
            entry.push(("api_base_url", string(api)));
            let mut kwargs = Mapping::new();
            kwargs.insert(string("scope"), string("openid"));
            kwargs.insert(string("redirect_uri"), string(&format!("https://{host}/user/login/fence/login")));
            entry.push(("client_kwargs", Value::Mapping(kwargs)));
            entry.push(("authorize_url", string(&format!("{api}/oauth2/authorize"))));
            entry.push(("access_token_url", string(&format!("{api}/oauth2/token"))));
            entry.push(("refresh_token_url", string(&format!("{api}/oauth2/token"))));
        }
    }
    entry
}

/// Where fence's non-secret login settings go: with External Secrets the chart does not render
/// `FENCE_CONFIG` at all (fence-config comes from the secret manager), but it always renders
/// `FENCE_CONFIG_PUBLIC` (ConfigMap `manifest-fence`, which fence merges with the secret). A
/// commons that already keeps its logins there (as real ones do) keeps them there either way.
pub fn fence_login_section(values: &Value) -> &'static str {
    let public_has = |key: &str| get_path(values, &format!("fence.FENCE_CONFIG_PUBLIC.{key}")).is_some();
    if get_path(values, "global.externalSecrets.deploy") == Some(&Value::Bool(true))
        || public_has("LOGIN_OPTIONS")
        || public_has("OPENID_CONNECT")
    {
        "fence.FENCE_CONFIG_PUBLIC"
    } else {
        "fence.FENCE_CONFIG"
    }
}

fn apply_login(values: &mut Values, a: &CommonsAnswers) {
    let host = a.identity.hostname.trim();
    let base = fence_login_section(&values.tree);
    let mock = Value::Bool(a.login.mock_login);
    values.put(&format!("{base}.MOCK_AUTH"), mock.clone(), Some(Value::Bool(false)));
    values.put(&format!("{base}.MOCK_GOOGLE_AUTH"), mock, Some(Value::Bool(false)));
    if a.login.providers.is_empty() {
        return;
    }
    for p in &a.login.providers {
        for (key, v) in provider_entry(p, host) {
            values.put(&format!("{base}.OPENID_CONNECT.{}.{key}", p.idp), v, None);
        }
    }
    // Providers the operator removed leave OPENID_CONNECT too, but only those the wizard manages
    // (present in LOGIN_OPTIONS): other entries may serve linking rather than login.
    let listed: Vec<String> = values
        .get(&format!("{base}.LOGIN_OPTIONS"))
        .and_then(Value::as_sequence)
        .map(|s| s.iter().filter_map(|o| o.get("idp").and_then(Value::as_str).map(str::to_string)).collect())
        .unwrap_or_default();
    if let Some(Value::Mapping(oidc)) = get_path_mut(&mut values.tree, &format!("{base}.OPENID_CONNECT")) {
        for idp in listed {
            if !a.login.providers.iter().any(|p| p.idp == idp) {
                oidc.remove(idp.as_str());
            }
        }
    }
    let options: Vec<Value> = a
        .login
        .providers
        .iter()
        .map(|p| {
            let mut m = Mapping::new();
            m.insert(string("name"), string(p.label.trim()));
            m.insert(string("idp"), string(&p.idp));
            Value::Mapping(m)
        })
        .collect();
    values.put(&format!("{base}.LOGIN_OPTIONS"), Value::Sequence(options), None);
    let default = if a.login.default_idp.is_empty() { &a.login.providers[0].idp } else { &a.login.default_idp };
    values.put(&format!("{base}.DEFAULT_LOGIN_IDP"), string(default), None);
}

fn get_path_mut<'a>(v: &'a mut Value, dotted: &str) -> Option<&'a mut Value> {
    dotted.split('.').try_fold(v, |cur, key| cur.as_mapping_mut()?.get_mut(key))
}

fn user_yaml_text(a: &CommonsAnswers) -> CoreResult<Option<String>> {
    match &a.authorization.raw {
        Some(raw) if !raw.trim().is_empty() => Ok(Some(raw.clone())),
        _ if a.authorization.spec == Default::default() => Ok(None),
        _ => user_yaml::build_user_yaml(&a.authorization.spec).map(Some),
    }
}

fn apply_settings(values: &mut Values, a: &CommonsAnswers) {
    let s = &a.settings;
    if !s.indexd_prefix.trim().is_empty() {
        values.put("indexd.defaultPrefix", string(s.indexd_prefix.trim()), None);
    }
    if !s.dictionary_url.trim().is_empty() {
        values.put("global.dictionaryUrl", string(s.dictionary_url.trim()), Some(string(DEFAULT_DICTIONARY_URL)));
    }
    if !s.portal_app.trim().is_empty() {
        values.put("global.portalApp", string(s.portal_app.trim()), Some(string("gitops")));
    }
    if a.services.iter().any(|x| x == "guppy") && !s.guppy_indices.is_empty() {
        let indices = s
            .guppy_indices
            .iter()
            .map(|i| {
                let mut m = Mapping::new();
                m.insert(string("index"), string(i.index.trim()));
                m.insert(string("type"), string(i.kind.trim()));
                Value::Mapping(m)
            })
            .collect();
        values.put("guppy.indices", Value::Sequence(indices), None);
        if !s.guppy_config_index.trim().is_empty() {
            values.put("guppy.configIndex", string(s.guppy_config_index.trim()), None);
        }
    }
}

fn gitops_files(a: &CommonsAnswers, values: &Value) -> CoreResult<Vec<GeneratedFile>> {
    let Destination::Gitops(dest) = &a.destination else {
        return Ok(Vec::new());
    };
    let folder = a.gitops_folder().unwrap_or_default();
    let host = a.identity.hostname.trim();
    let base = a.base.as_ref();
    // Split files are named for the top-level key they hold (`fence.yaml` holds `fence`).
    let split: Vec<String> = base
        .map(|b| b.split_files.iter().filter_map(|f| f.strip_suffix(".yaml").map(str::to_string)).collect())
        .unwrap_or_default();
    let split_refs: Vec<&str> = split.iter().map(String::as_str).collect();

    let mut app = match base.and_then(|b| b.app.clone()) {
        Some(json) => serde_json::from_value::<ArgoApp>(json).map_err(|e| {
            CoreError::invalid(format!("The imported Argo CD Application could not be read back ({e})."))
        })?,
        None => {
            ArgoApp::new(&format!("gen3-{}", dest.release_name.trim()), dest.release_name.trim(), dest.namespace.trim())
        }
    };
    app.project = dest.argo_project.trim().to_string();
    app.dest_namespace = dest.namespace.trim().to_string();
    app.release_name = dest.release_name.trim().to_string();
    app.chart_revision = match dest.chart_revision.trim() {
        // Empty: what the repository's other Applications track (master when there are none).
        "" if base.and_then(|b| b.app.as_ref()).is_none() => {
            repo_apps::chart_revision(Path::new(dest.repo_path.trim()))
        }
        "" => app.chart_revision.clone(),
        revision => revision.to_string(),
    };
    if !dest.values_repo_url.trim().is_empty() {
        app.values_repo_url = dest.values_repo_url.trim().to_string();
    }
    let chart = match base.and_then(|b| b.chart.clone()) {
        Some(json) => serde_json::from_value::<ChartMeta>(json)
            .map_err(|e| CoreError::invalid(format!("The imported Chart.yaml could not be read back ({e}).")))?,
        None => ChartMeta::for_hostname(host),
    };
    let listed_before = app.value_files.clone();
    let mut commons = GitopsCommons::new_commons(&folder, host, app, values.clone(), &split_refs);
    // Value files the imported Application listed but the folder did not hold (kept elsewhere,
    // or not yet written) stay listed, in their place: the wizard does not decide they are gone.
    if let Some(app) = commons.app.as_mut().filter(|_| !listed_before.is_empty()) {
        let mut files = listed_before;
        for f in &app.value_files {
            if !files.contains(f) {
                files.push(f.clone());
            }
        }
        app.value_files = files;
    }
    commons.chart = Some(chart);
    Ok(commons.render())
}
