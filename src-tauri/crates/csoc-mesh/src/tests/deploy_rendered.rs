//! Generated values count only if the real gen3-helm chart renders them where the services read
//! them. Every wizard fixture, every docs/examples answers file and the example mesh hub go
//! through `helm template` of ../shared/gen3-helm/helm/gen3 with a real helm, and the assertions
//! are on the rendered Kubernetes objects. Skipped, saying why, when the chart or helm is absent
//! (CI has both: scripts/test.sh installs helm).

use std::path::{Path, PathBuf};

use crate::cli::{build_hub, read_mesh_answers};
use csoc_deploy::answers::{CommonsAnswers, Destination};
use csoc_deploy::cli::read_answers;
use csoc_deploy::generate::{generate, Generated};
use csoc_deploy::helm_launch::find_helm;
use csoc_deploy::rendered::{secret_text, ObjectKey, Objects};
use csoc_deploy::rendered_view::{render_files, rendered_view, RenderedView};
use csoc_deploy::review::review;
use csoc_deploy::yaml::get_path;
use csoc_deploy::GeneratedFile;
use csoc_model::model::Environment;
use serde_yaml_ng::Value;

use csoc_test_support::copy_dir;

/// Looks up rendered objects by kind and name, as the assertions read them.
trait Lookup {
    fn get(&self, kind: &str, name: &str) -> Option<&Value>;
    fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (&'a ObjectKey, &'a Value)> + 'a;
    fn len(&self) -> usize;
}

impl Lookup for Objects {
    fn get(&self, kind: &str, name: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k.kind() == kind && k.name == name).map(|(_, v)| v)
    }
    fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (&'a ObjectKey, &'a Value)> + 'a {
        self.0.iter().filter(move |(k, _)| k.kind() == kind)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

/// Merges `overlay` into `base` key by key (a member pasting the hub's snippet into its values).
fn merge(base: &mut Value, overlay: &Value) {
    match (base, overlay) {
        (Value::Mapping(b), Value::Mapping(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

/// The real chart and a real helm, or why the test cannot run here.
fn chart_and_helm() -> Option<(PathBuf, PathBuf)> {
    let chart = workspace().join("../shared/gen3-helm/helm/gen3");
    if !chart.join("Chart.yaml").is_file() {
        eprintln!("skipped: ../shared/gen3-helm is not here (CI has it); these tests render the real chart");
        return None;
    }
    match find_helm() {
        Ok(helm) => Some((chart, helm)),
        Err(e) => {
            eprintln!("skipped: {} (scripts/test.sh installs it)", e.message);
            None
        }
    }
}

fn answers_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in [csoc_test_support::fixtures().join("wizard"), workspace().join("docs/examples")] {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 4, "two fixtures and two commons examples at least: {files:?}");
    files
}

/// The answers in `file`, writing into `root` (the clone, or helm's output folder).
fn answers_in(file: &Path, root: &Path) -> CommonsAnswers {
    let mut a = read_answers(file).unwrap();
    match &mut a.destination {
        Destination::Gitops(g) => g.repo_path = root.display().to_string(),
        Destination::Helm(h) => h.output_dir = root.display().to_string(),
    }
    a
}

/// The answers as if imported from a folder whose one values file holds `values`.
fn imported_with(a: &mut CommonsAnswers, values: &Value) {
    a.base = Some(csoc_deploy::answers::ImportedBase {
        values: csoc_deploy::yaml::yaml_to_json(values),
        split_files: vec!["values.yaml".into()],
        folder: a.gitops_folder().unwrap(),
        app: None,
        chart: None,
        legacy: None,
        sources: Vec::new(),
    });
}

/// The answers rendered into a temporary destination, as `commons render` would write them.
fn render(a: &CommonsAnswers, chart: &Path, helm: &Path) -> (Generated, Objects) {
    let generated = generate(a).unwrap();
    let objects =
        render_files(a, &generated.files, helm, chart).unwrap_or_else(|e| panic!("helm template: {}", e.message));
    assert!(objects.len() > 20, "the chart rendered only {} objects", objects.len());
    (generated, objects)
}

fn text<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    path.iter().try_fold(v, |v, k| v.get(*k)).and_then(Value::as_str).unwrap_or_else(|| panic!("no text at {path:?}"))
}

fn containers(deployment: &Value) -> Vec<&Value> {
    ["containers", "initContainers"]
        .iter()
        .filter_map(|k| deployment.get("spec")?.get("template")?.get("spec")?.get(*k)?.as_sequence())
        .flatten()
        .collect()
}

fn env_of<'a>(container: &'a Value, name: &str) -> Option<&'a str> {
    container
        .get("env")?
        .as_sequence()?
        .iter()
        .find(|e| e.get("name").and_then(Value::as_str) == Some(name))?
        .get("value")?
        .as_str()
}

/// Fence's login settings as the pod reads them: the public ConfigMap with External Secrets, the
/// rendered fence-config Secret without.
fn fence_login_config(objects: &Objects, external_secrets: bool) -> Value {
    if external_secrets {
        assert!(
            objects.get("Secret", "fence-config").is_none(),
            "with External Secrets the chart renders no fence-config"
        );
        return fence_public_config(objects);
    }
    let secret = objects.get("Secret", "fence-config").expect("Secret fence-config");
    serde_yaml_ng::from_str(&secret_text(secret, "fence-config.yaml").expect("fence-config.yaml is text"))
        .expect("fence-config.yaml is YAML")
}

/// `FENCE_CONFIG_PUBLIC` as rendered into ConfigMap `manifest-fence` (always).
fn fence_public_config(objects: &Objects) -> Value {
    let cm = objects.get("ConfigMap", "manifest-fence").expect("ConfigMap manifest-fence");
    serde_yaml_ng::from_str(text(cm, &["data", "fence-config-public.yaml"])).expect("the public config is YAML")
}

#[test]
fn every_fixture_and_example_lands_where_the_services_read_it() {
    let Some((chart, helm)) = chart_and_helm() else { return };
    for path in answers_files() {
        let name = path.display().to_string();
        let out = tempfile::tempdir().unwrap();
        let a = answers_in(&path, out.path());
        let (generated, objects) = render(&a, &chart, &helm);
        let host = a.identity.hostname.as_str();
        let release = a.identity.release.as_str();
        eprintln!("{name}: {} objects", objects.len());

        let global = objects.get("ConfigMap", "manifest-global").expect("manifest-global");
        assert_eq!(text(global, &["data", "hostname"]), host, "{name}: manifest-global hostname");
        let ingress_hosts: Vec<&str> = objects
            .of_kind("Ingress")
            .flat_map(|(_, i)| {
                i.get("spec").and_then(|s| s.get("rules")).and_then(Value::as_sequence).into_iter().flatten()
            })
            .filter_map(|r| r.get("host").and_then(Value::as_str))
            .collect();
        assert!(ingress_hosts.contains(&host), "{name}: ingress hosts {ingress_hosts:?}");

        for (service, image) in
            [("fence", "quay.io/cdis/fence"), ("indexd", "quay.io/cdis/indexd"), ("sheepdog", "quay.io/cdis/sheepdog")]
        {
            let d = objects.get("Deployment", &format!("{service}-deployment")).expect(service);
            let images: Vec<&str> =
                containers(d).iter().filter_map(|c| c.get("image").and_then(Value::as_str)).collect();
            assert!(images.contains(&format!("{image}:{release}").as_str()), "{name}: {service} images {images:?}");
        }
        if a.services.iter().any(|s| s == "dashboard") {
            let d =
                objects.get("Deployment", "dashboard-deployment").or_else(|| objects.get("Deployment", "dashboard"));
            let images: Vec<&str> = d
                .map(|d| containers(d).iter().filter_map(|c| c.get("image").and_then(Value::as_str)).collect())
                .unwrap_or_default();
            assert!(
                images.contains(&format!("quay.io/cdis/gen3-statics:{release}").as_str()),
                "{name}: dashboard {images:?}"
            );
        }

        let es = a.database.external_secrets;
        let fence = fence_login_config(&objects, es);
        for p in &a.login.providers {
            assert_eq!(
                get_path(&fence, &format!("OPENID_CONNECT.{}.client_id", p.idp)).and_then(Value::as_str),
                Some(p.client_id.as_str()),
                "{name}: {} client id",
                p.idp
            );
            let options = get_path(&fence, "LOGIN_OPTIONS").and_then(Value::as_sequence).expect("LOGIN_OPTIONS");
            assert!(
                options.iter().any(|o| o.get("idp").and_then(Value::as_str) == Some(&p.idp)),
                "{name}: {options:?}"
            );
        }

        let usersync = get_path(&generated.values, "fence.usersync.usersync") == Some(&Value::Bool(true));
        if let (Some(user_yaml), false) = (&generated.user_yaml, usersync) {
            assert!(objects.get("Job", "useryaml").is_some(), "{name}: the useryaml Job loads the user.yaml");
            let cm = objects.get("ConfigMap", "useryaml").expect("ConfigMap useryaml");
            assert_eq!(text(cm, &["data", "useryaml"]).trim(), user_yaml.trim(), "{name}: USER_YAML reaches the job");
        }

        let policies = objects.of_kind("NetworkPolicy").count();
        if a.identity.environment == Environment::Production {
            assert!(policies > 0, "{name}: a production commons has network policies");
        }
    }
}

#[test]
fn usersync_from_s3_is_a_finding_and_the_job_does_not_run() {
    let Some((chart, helm)) = chart_and_helm() else { return };
    let out = tempfile::tempdir().unwrap();
    let mut a = answers_in(&workspace().join("docs/examples/dev-commons.yaml"), out.path());
    let mut base = generate(&a).unwrap().values;
    csoc_deploy::yaml::set_path(&mut base, "fence.usersync.usersync", Value::Bool(true));
    csoc_deploy::yaml::set_path(&mut base, "fence.usersync.userYamlS3Path", Value::from("s3://my-bucket/user.yaml"));
    imported_with(&mut a, &base);
    let (_, objects) = render(&a, &chart, &helm);
    assert!(objects.get("Job", "useryaml").is_none(), "usersync on: no useryaml job");
    assert!(objects.get("CronJob", "usersync").is_some(), "usersync on: the usersync CronJob");
    let r = review(&a).unwrap();
    let f = r
        .findings
        .iter()
        .find(|f| f.finding.code == "user_yaml_from_s3")
        .expect("a finding says the user.yaml is unused");
    assert!(f.finding.message.contains("s3://my-bucket/user.yaml"), "{}", f.finding.message);
}

fn mesh_hub(out: &Path) -> crate::wizard::MeshBuild {
    let answers = read_mesh_answers(&workspace().join("docs/examples/mesh/mesh.yaml")).unwrap();
    build_hub(&answers, out).unwrap()
}

#[test]
fn a_mesh_hub_resolves_guids_aggregates_metadata_and_gets_tokens() {
    let Some((chart, helm)) = chart_and_helm() else { return };
    let out = tempfile::tempdir().unwrap();
    let built = mesh_hub(out.path());
    let (_, objects) = render(&built.hub, &chart, &helm);

    let indexd = objects.get("Deployment", "indexd-deployment").expect("indexd");
    let c = containers(indexd).into_iter().find(|c| env_of(c, "DIST").is_some()).expect("a container with DIST");
    let dist: serde_json::Value = serde_json::from_str(env_of(c, "DIST").unwrap()).expect("DIST is JSON");
    let hosts: Vec<&str> = dist.as_array().unwrap().iter().filter_map(|e| e["host"].as_str()).collect();
    assert_eq!(hosts, ["https://alpha.example.org/index/", "https://beta.example.org/index/"]);
    assert_eq!(env_of(c, "ARBORIST"), Some("true"), "the chart's ARBORIST is kept");
    assert_eq!(env_of(c, "GEN3_DEBUG"), Some("False"), "the chart's GEN3_DEBUG is kept");

    let agg = objects.get("ConfigMap", "agg-mds-config").expect("the AggMDS ConfigMap");
    let config: serde_json::Value = serde_json::from_str(text(agg, &["data", "aggregate_config.json"])).unwrap();
    let names: Vec<&String> = config["adapter_commons"].as_object().expect("adapter_commons").keys().collect();
    assert_eq!(names, ["Alpha", "Beta"]);
    let metadata = objects.get("Deployment", "metadata-deployment").expect("metadata");
    assert!(containers(metadata).iter().any(|c| env_of(c, "USE_AGG_MDS").is_some()), "metadata runs with AggMDS");

    // The entries are where gen3-helm documents them; the chart at the pinned commit renders
    // `"external_oidc": []` whatever they say, and then the hub's findings must say so.
    let written = get_path(&generate(&built.hub).unwrap().values, "wts.secrets.external_oidc")
        .and_then(Value::as_sequence)
        .map(|l| {
            l.iter().filter_map(|e| e.get("base_url").and_then(Value::as_str).map(str::to_string)).collect::<Vec<_>>()
        })
        .unwrap_or_default();
    assert_eq!(written, ["https://alpha.example.org", "https://beta.example.org"]);
    let wts = objects.get("Secret", "wts-g3auto").expect("the wts Secret");
    let appcreds_text = secret_text(wts, "appcreds.json").expect("appcreds.json");
    let appcreds: serde_json::Value = serde_json::from_str(&appcreds_text).expect("appcreds.json is JSON");
    let urls: Vec<&str> =
        appcreds["external_oidc"].as_array().unwrap().iter().filter_map(|e| e["base_url"].as_str()).collect();
    if urls.is_empty() {
        let note = built.findings.iter().find(|f| f.code == "wts_client_secret").expect("a finding about WTS");
        assert!(
            note.message.contains("\"external_oidc\": []") && note.message.contains("`wts-g3auto`"),
            "{}",
            note.message
        );
    } else {
        assert_eq!(urls, ["https://alpha.example.org", "https://beta.example.org"]);
    }
    assert!(!appcreds_text.contains("oidc_client_secret"), "no secret value written");
}

#[test]
fn with_external_secrets_the_hub_says_what_goes_into_the_secret_manager() {
    let Some((chart, helm)) = chart_and_helm() else { return };
    let out = tempfile::tempdir().unwrap();
    let mut answers = read_mesh_answers(&workspace().join("docs/examples/mesh/mesh.yaml")).unwrap();
    // The same hub with External Secrets on: a copy of its folder with the switch set.
    let hub = tempfile::tempdir().unwrap();
    let folder = hub.path().join("hub/hub.example.org");
    copy_dir(Path::new(&answers.hub.gitops_folder), &folder);
    let values = folder.join("values/values.yaml");
    let mut doc: Value = serde_yaml_ng::from_str(&std::fs::read_to_string(&values).unwrap()).unwrap();
    csoc_deploy::yaml::set_path(&mut doc, "global.externalSecrets.deploy", Value::Bool(true));
    std::fs::write(&values, serde_yaml_ng::to_string(&doc).unwrap()).unwrap();
    answers.hub.gitops_folder = folder.display().to_string();
    let built = build_hub(&answers, out.path()).unwrap();
    let note = built.findings.iter().find(|f| f.code == "wts_external_oidc_secret_manager").expect("the instruction");
    for part in ["`wts-g3auto`", "appcreds.json", "external_oidc", "wts-hub-at-alpha", "https://beta.example.org"] {
        assert!(note.message.contains(part), "{part} in: {}", note.message);
    }
    let (_, objects) = render(&built.hub, &chart, &helm);
    assert!(objects.get("Secret", "wts-g3auto").is_none(), "the chart renders no wts Secret with External Secrets");
    assert!(objects.get("ExternalSecret", "wts-g3auto").is_some(), "WTS reads it from the secret manager");
}

#[test]
fn the_rendered_view_lists_what_an_edit_changes() {
    let Some((chart, _)) = chart_and_helm() else { return };
    let repo = tempfile::tempdir().unwrap();
    let mut a = answers_in(&workspace().join("docs/examples/dev-commons.yaml"), repo.path());
    let chart_dir = chart.display().to_string();

    let RenderedView::Ready { comparison, first_render, .. } = rendered_view(&a, &chart_dir).unwrap() else {
        panic!("helm and the chart are here")
    };
    assert!(first_render, "nothing on disk yet");
    assert!(comparison.changes.len() > 20 && comparison.changes.iter().all(|c| c.diff.starts_with("--- a/")));

    // On disk now; an unchanged re-render changes no object (generated passwords included).
    let generated: Vec<GeneratedFile> = generate(&a).unwrap().files;
    csoc_deploy::output::write_atomically(repo.path(), &generated).unwrap();
    let RenderedView::Ready { comparison, first_render, .. } = rendered_view(&a, &chart_dir).unwrap() else { panic!() };
    assert!(!first_render);
    assert_eq!(comparison.changes, [], "no change, no object changes");
    assert!(comparison.unchanged > 20);

    // A new monthly release changes the Deployments' images, and nothing is added or removed.
    a.identity.release = "2026.08".into();
    let RenderedView::Ready { comparison, .. } = rendered_view(&a, &chart_dir).unwrap() else { panic!() };
    let fence =
        comparison.changes.iter().find(|c| c.key.name == "fence-deployment").expect("fence's Deployment changed");
    assert!(
        fence.diff.lines().any(|l| l.starts_with('-') && l.ends_with("image: quay.io/cdis/fence:2026.07"))
            && fence.diff.lines().any(|l| l.starts_with('+') && l.ends_with("image: quay.io/cdis/fence:2026.08")),
        "{}",
        fence.diff
    );
    assert!(comparison.changes.iter().all(|c| c.change == csoc_deploy::rendered::ObjectChangeKind::Changed));
    assert!(
        comparison.changes.iter().all(|c| c.key.api_version_kind != "v1/Secret"),
        "no Secret differs but by chance"
    );
}

#[test]
fn login_settings_stay_where_the_commons_keeps_them() {
    // A commons without External Secrets whose logins are in FENCE_CONFIG_PUBLIC, as the real
    // gen3-gitops commons keep them: an edited provider is written there, not into FENCE_CONFIG.
    let out = tempfile::tempdir().unwrap();
    let mut a = answers_in(&workspace().join("docs/examples/dev-commons.yaml"), out.path());
    let mut base = generate(&a).unwrap().values;
    let fence = base.get_mut("fence").and_then(Value::as_mapping_mut).unwrap();
    let config = fence.remove("FENCE_CONFIG").unwrap();
    fence.insert(Value::from("FENCE_CONFIG_PUBLIC"), config);
    imported_with(&mut a, &base);
    a.login.providers[0].client_id = "edited-client.apps.googleusercontent.com".into();
    let values = generate(&a).unwrap().values;
    assert_eq!(
        get_path(&values, "fence.FENCE_CONFIG_PUBLIC.OPENID_CONNECT.google.client_id").and_then(Value::as_str),
        Some("edited-client.apps.googleusercontent.com")
    );
    assert!(get_path(&values, "fence.FENCE_CONFIG.OPENID_CONNECT").is_none(), "nothing copied into FENCE_CONFIG");
    let Some((chart, helm)) = chart_and_helm() else { return };
    let (_, objects) = render(&a, &chart, &helm);
    let public = fence_public_config(&objects);
    assert_eq!(
        get_path(&public, "OPENID_CONNECT.google.client_id").and_then(Value::as_str),
        Some("edited-client.apps.googleusercontent.com")
    );
}

/// The `no_ingress` finding holds exactly when the real chart renders nothing that exposes the
/// commons (no Ingress, no Route), over the switches that decide it.
#[test]
fn the_no_ingress_finding_agrees_with_the_chart() {
    let Some((chart, helm)) = chart_and_helm() else { return };
    let cases: [(&str, bool, Option<&str>); 4] = [
        ("certificate ARN (AWS ingress)", true, None),
        ("no ARN, nothing else", false, None),
        ("no ARN, the revproxy's own Ingress", false, Some("revproxy.ingress.enabled")),
        ("no ARN, GCP", false, Some("global.gcp.enabled")),
    ];
    for (name, arn, switch) in cases {
        let out = tempfile::tempdir().unwrap();
        let mut a = answers_in(&workspace().join("docs/examples/production-commons.yaml"), out.path());
        assert!(!a.identity.revproxy_arn.trim().is_empty(), "the production example has a certificate ARN");
        if !arn {
            a.identity.revproxy_arn.clear();
        }
        if let Some(key) = switch {
            let mut base = generate(&a).unwrap().values;
            csoc_deploy::yaml::set_path(&mut base, key, Value::Bool(true));
            imported_with(&mut a, &base);
        }
        let (generated, objects) = render(&a, &chart, &helm);
        assert_eq!(get_path(&generated.values, "global.dev"), Some(&Value::Bool(false)), "{name}: not a dev commons");
        let exposed = objects.of_kind("Ingress").count() + objects.of_kind("Route").count() > 0;
        let finding = review(&a).unwrap().findings.iter().any(|f| f.finding.code == "no_ingress");
        assert_eq!(finding, !exposed, "{name}: rendered an Ingress or Route: {exposed}, finding: {finding}");
    }
}

/// A member's "log in through the hub" snippet, pasted into a commons that uses External Secrets
/// (the production example), reaches fence: the chart renders it into the always-present public
/// configuration, not into a `FENCE_CONFIG` the chart drops.
#[test]
fn a_members_hub_login_reaches_fence_with_external_secrets() {
    let Some((chart, helm)) = chart_and_helm() else { return };
    let out = tempfile::tempdir().unwrap();
    let built = mesh_hub(out.path());
    let snippet: Value = serde_yaml_ng::from_str(&built.member_snippets[0].yaml).unwrap();

    // The member's gitops folder as the wizard wrote it, the snippet pasted into its values file,
    // then imported again, as the operator would.
    let member_repo = tempfile::tempdir().unwrap();
    let member = answers_in(&workspace().join("docs/examples/production-commons.yaml"), member_repo.path());
    assert!(member.database.external_secrets, "the production example uses External Secrets");
    let generated = generate(&member).unwrap();
    for f in &generated.files {
        let path = member_repo.path().join(&f.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &f.contents).unwrap();
    }
    let folder = member_repo.path().join(member.gitops_folder().unwrap());
    let values_file = folder.join("values/values.yaml");
    let mut values: Value = serde_yaml_ng::from_str(&std::fs::read_to_string(&values_file).unwrap()).unwrap();
    merge(&mut values, &snippet);
    std::fs::write(&values_file, serde_yaml_ng::to_string(&values).unwrap()).unwrap();
    let a = csoc_deploy::import::import_path(&folder).unwrap().answers;
    assert!(a.login.providers.iter().any(|p| p.idp == "fence"), "the import reads the hub login back");
    let (_, objects) = render(&a, &chart, &helm);
    let fence = fence_login_config(&objects, true);
    assert_eq!(
        get_path(&fence, "OPENID_CONNECT.fence.api_base_url").and_then(Value::as_str),
        Some("https://hub.example.org/user"),
        "{}",
        built.member_snippets[0].yaml
    );
    let options = get_path(&fence, "LOGIN_OPTIONS").and_then(Value::as_sequence).expect("LOGIN_OPTIONS");
    assert!(options.iter().any(|o| o.get("idp").and_then(Value::as_str) == Some("fence")), "{options:?}");
    assert_eq!(get_path(&fence, "DEFAULT_LOGIN_IDP").and_then(Value::as_str), Some("fence"));
}
