//! Wizard answers become the files Gen3 deploys from: gen3-helm values (split as the commons'
//! folder splits them), the Argo CD Application and chart of a gen3-gitops folder, user.yaml, and
//! on request a legacy manifest.json.
//!
//! Generation starts from what an imported commons already had and writes only what the answers
//! change, so importing a commons and generating it again gives the same values: an operator's
//! review diff then shows exactly their edits.

use std::path::Path;

use serde_yaml_ng::{Mapping, Value};

use crate::answers::{
    CommonsAnswers, DatabaseMode, Destination, ImportedBase, LoginProvider, ProviderKind, DEFAULT_DICTIONARY_URL,
    HELM_VALUES_FILE,
};
use crate::gitops::{argo_app_yaml, ArgoApp, ChartMeta, GitopsCommons};
use crate::import::{login_block, providers_of, release_of};
use crate::yaml::{get_path, json_to_yaml, scalar_text, set_path, to_yaml};
use crate::{catalog, in_place, manifest, repo_apps, user_yaml, GeneratedFile};
use csoc_model::error::{CoreError, CoreResult};
use csoc_model::model::Environment;

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
    /// Imported files that could not be edited in place and were rewritten, in words.
    pub layout_notes: Vec<String>,
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

    let imported = answers.base.as_ref().filter(|b| !b.sources.is_empty());
    let mut written = in_place::Written::default();
    match (&answers.destination, imported) {
        (Destination::Gitops(_), _) => gitops_files(answers, &values, &mut written)?,
        (Destination::Helm(_), Some(base)) if base.source(HELM_VALUES_FILE).is_some() => {
            written.value_files(base, "", "", &[HELM_VALUES_FILE.to_string()], &values);
        }
        (Destination::Helm(_), _) => {
            written.files.push(GeneratedFile { path: HELM_VALUES_FILE.into(), contents: to_yaml(&values) })
        }
    }
    let mut files = written.files;
    let folder = answers.gitops_folder().map(|f| format!("{f}/")).unwrap_or_default();
    // An imported commons that kept its user.yaml inside the values gets no separate file.
    let user_yaml_file = imported.is_none_or(|b| b.source(&format!("{}user.yaml", folder_of(b))).is_some());
    if let (Some(text), true) = (&user_yaml, user_yaml_file) {
        files.push(GeneratedFile { path: format!("{folder}user.yaml"), contents: text.clone() });
    }
    if answers.legacy_manifest {
        files.extend(legacy_files(answers, &values, &folder)?);
    }
    Ok(Generated { files, values, user_yaml, user_yaml_error, layout_notes: written.notes })
}

fn folder_of(base: &ImportedBase) -> String {
    if base.folder.is_empty() {
        String::new()
    } else {
        format!("{}/", base.folder)
    }
}

/// The legacy manifest.json and, for a cdis-manifest commons, the files beside it that the values
/// hold as strings (AggMDS and portal configuration). Files that say what they said when imported
/// keep their bytes.
fn legacy_files(answers: &CommonsAnswers, values: &Value, folder: &str) -> CoreResult<Vec<GeneratedFile>> {
    let base = answers.base.as_ref();
    let legacy = base.and_then(|b| b.legacy.clone()).unwrap_or(serde_json::Value::Null);
    let manifest = manifest::values_to_manifest(values, &legacy);
    let imported = base.and_then(|b| b.source("manifest.json"));
    let text = match imported {
        Some(text) if serde_json::from_str::<serde_json::Value>(text).is_ok_and(|old| old == manifest) => {
            text.to_string()
        }
        _ => {
            let mut text = serde_json::to_string_pretty(&manifest)
                .map_err(|e| CoreError::invalid(format!("The manifest.json could not be written ({e}).")))?;
            text.push('\n');
            text
        }
    };
    let mut files = vec![GeneratedFile { path: format!("{folder}manifest.json"), contents: text }];
    for companion in &manifest::COMPANION_FILES {
        let Some(text) = get_path(values, companion.values_path).and_then(Value::as_str) else {
            continue;
        };
        // Only a cdis-manifest commons keeps these beside its manifest; gen3-helm reads them from the values.
        if base.and_then(|b| b.source(companion.path)).is_some() {
            files.push(GeneratedFile { path: format!("{folder}{}", companion.path), contents: text.to_string() });
        }
    }
    Ok(files)
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
    // An imported stub without a hostname (named by its folder) stays as it was.
    let named_by_folder = values.minimal
        && values.get("global.hostname").is_none()
        && a.base.as_ref().is_some_and(|b| b.folder.rsplit('/').next() == Some(host));
    if !host.is_empty() && !named_by_folder {
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
    let old_release = release_of(&values.tree);
    let retag = !values.minimal || old_release != release;
    // When an imported commons moves release, images that followed the old one move with it;
    // exceptions pinned to another tag (a feature branch, a hotfix) stay as the operator set them.
    // A service on the chart's default tag stays there too, unless it is newly switched on here.
    let enabled_before = catalog::enabled_in(&values.tree);
    let follows = |values: &Values, service: &str, tag: &str| {
        !values.minimal
            || match values.get(tag).and_then(scalar_text) {
                Some(t) => t == old_release,
                None => !enabled_before.iter().any(|s| s == service),
            }
    };
    let had_gen3ff = enabled_before.iter().any(|s| s == "frontend-framework");
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
        let tag = format!("{name}.image.tag");
        if let (true, true, false, Some(image), true) =
            (retag, wanted, release.is_empty(), image, follows(values, name, &tag))
        {
            // A new commons names its images, as production values do (and a legacy manifest needs).
            if !values.minimal && values.get(&format!("{name}.image.repository")).is_none() {
                values.put(&format!("{name}.image.repository"), string(&format!("quay.io/cdis/{image}")), None);
            }
            values.put(&tag, string(release), None);
        }
    }
    if retag && a.services.iter().any(|s| s == "etl") && !release.is_empty() {
        for (part, image) in [("tube", "tube"), ("spark", "gen3-spark")] {
            if !values.minimal && values.get(&format!("etl.image.{part}.repository")).is_none() {
                values.put(&format!("etl.image.{part}.repository"), string(&format!("quay.io/cdis/{image}")), None);
            }
            let tag = format!("etl.image.{part}.tag");
            if follows(values, "etl", &tag) {
                values.put(&tag, string(release), None);
            }
        }
    }
    // The front end follows frontend-framework when it is switched on or off here; an imported
    // commons keeps its own choice otherwise (some run both front ends).
    let gen3ff = a.services.iter().any(|s| s == "frontend-framework");
    let toggled = had_gen3ff != gen3ff;
    if !values.minimal || toggled {
        values.put("global.frontendRoot", string(if gen3ff { "gen3ff" } else { "portal" }), Some(string("portal")));
    }
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

fn apply_login(values: &mut Values, a: &CommonsAnswers) {
    let host = a.identity.hostname.trim();
    let base = login_block(&values.tree);
    let mock = Value::Bool(a.login.mock_login);
    values.put("fence.FENCE_CONFIG.MOCK_AUTH", mock.clone(), Some(Value::Bool(false)));
    values.put("fence.FENCE_CONFIG.MOCK_GOOGLE_AUTH", mock, Some(Value::Bool(false)));
    if a.login.providers.is_empty() {
        return;
    }
    // An imported commons' login settings are written again only where the operator changed them:
    // its entries may hold more than the wizard models (desc, secondary, discovery blocks).
    let imported = values.minimal.then(|| providers_of(&values.tree));
    let unchanged = |p: &LoginProvider| imported.as_ref().is_some_and(|list| list.contains(p));
    for p in a.login.providers.iter().filter(|p| !unchanged(p)) {
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
    let same_list = imported.as_ref().is_some_and(|list| *list == a.login.providers);
    let default = if a.login.default_idp.is_empty() { &a.login.providers[0].idp } else { &a.login.default_idp };
    if same_list {
        if !a.login.default_idp.is_empty() {
            values.put(&format!("{base}.DEFAULT_LOGIN_IDP"), string(default), None);
        }
        return;
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

fn gitops_files(a: &CommonsAnswers, values: &Value, written: &mut in_place::Written) -> CoreResult<()> {
    let Destination::Gitops(dest) = &a.destination else {
        return Ok(());
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
    if let Some(base) = base.filter(|b| {
        !b.sources.is_empty()
            && b.split_files.iter().any(|f| b.source(&format!("{}values/{f}", folder_of(b))).is_some())
    }) {
        // An imported folder: each file edited in place, the value files as the app lists them.
        written.document(base, &folder, "Chart.yaml", &chart.to_document());
        if let Some(text) = base.source(&format!("{}values.yaml", folder_of(base))) {
            written.files.push(GeneratedFile { path: format!("{folder}/values.yaml"), contents: text.to_string() });
        }
        if base.app.is_some() {
            written.document(base, &folder, "templates/app.yaml", &argo_app_yaml(&app));
        }
        // The files Helm applies, in its order: the ones the app lists (all, without an app).
        // (An app that reads none of this folder's files is reported at import; the files are
        // still the folder's own, so they are written as the folder holds them.)
        let listed: Vec<String> =
            app.value_files.iter().filter_map(|entry| app.local_value_file(&base.folder, entry)).collect();
        let applied = if base.app.is_none() || listed.is_empty() { base.split_files.clone() } else { listed };
        written.value_files(base, &folder, "values", &applied, values);
        return Ok(());
    }
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
    written.files.extend(commons.render());
    Ok(())
}
