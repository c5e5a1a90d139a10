//! Gen3 deployment file formats: gen3-gitops commons folders, cluster-values.yaml and the legacy
//! manifest.json. The conformance tests read the real Gen3 files in `../shared/gen3-reference`
//! (present in CI) and report themselves skipped when that folder is absent; the others use this
//! crate's own fixtures under `tests/fixtures/deploy/`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::gitops::{argo_app_yaml, detect, ArgoApp, ClusterValues, GitopsCommons, ImportSource};
use crate::manifest::{is_release_template, manifest_to_values, parse_manifest, values_to_manifest, HELM_SERVICES};
use crate::yaml::{get_path, parse_yaml, to_yaml};
use crate::{GeneratedFile, Severity};
use csoc_model::error::ErrorCode;
use serde_json::json;
use serde_yaml_ng::Value;

fn reference() -> Option<PathBuf> {
    csoc_test_support::shared("gen3-reference")
}

fn fixtures() -> PathBuf {
    csoc_test_support::fixtures().join("deploy")
}

fn demo_commons() -> PathBuf {
    fixtures().join("gitops/demo/gen3.example.org")
}

fn yaml_file(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    parse_yaml(&text, &path.display().to_string()).unwrap()
}

fn json_file(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    parse_manifest(&text, &path.display().to_string()).unwrap()
}

fn rendered<'a>(files: &'a [GeneratedFile], path: &str) -> &'a GeneratedFile {
    files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path} not rendered; got {:?}", files.iter().map(|f| &f.path).collect::<Vec<_>>()))
}

fn reparse(file: &GeneratedFile) -> Value {
    parse_yaml(&file.contents, &file.path).unwrap_or_else(|e| panic!("{} does not parse: {}", file.path, e.message))
}

/// Every file under `dir`, as paths relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

/// Reads a commons folder, renders it, and checks each file it had against the rendering.
fn assert_round_trip(dir: &Path, folder: &str) -> GitopsCommons {
    let commons = GitopsCommons::read(dir, folder).unwrap();
    let files = commons.render();
    for relative in files_under(dir) {
        let original = yaml_file(&dir.join(&relative));
        let again = reparse(rendered(&files, &format!("{folder}/{relative}")));
        assert_eq!(again, original, "{relative} changed in the round trip");
    }
    for file in &files {
        let relative = file.path.strip_prefix(&format!("{folder}/")).unwrap();
        assert!(
            dir.join(relative).is_file() || relative == "values.yaml",
            "render invented {relative}, which the folder does not have"
        );
    }
    commons
}

fn write_files(root: &Path, files: &[GeneratedFile]) {
    for file in files {
        let path = root.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &file.contents).unwrap();
    }
}

/// Mapping-key paths of a document, list positions written as `*`.
fn key_paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Mapping(map) => {
            for (k, v) in map {
                let path = format!("{prefix}.{}", k.as_str().unwrap());
                out.insert(path.clone());
                key_paths(v, &path, out);
            }
        }
        Value::Sequence(items) => {
            for item in items {
                key_paths(item, &format!("{prefix}.*"), out);
            }
        }
        _ => {}
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for relative in files_under(from) {
        let target = to.join(&relative);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(from.join(&relative), target).unwrap();
    }
}

// ---- conformance with the real gen3-gitops and cdis-manifest files ----

#[test]
fn reference_gitops_commons_imports_with_warnings_and_round_trips() {
    let Some(reference) = reference() else { return };
    let dir = reference.join("gen3-gitops/aids.diseasedatahub.org");
    let commons = assert_round_trip(&dir, "unfunded/aids.diseasedatahub.org");

    let app = commons.app.as_ref().unwrap();
    assert_eq!(app.name, "gen3-charlie");
    assert_eq!(app.release_name, "charlie");
    assert_eq!(app.dest_namespace, "charliehelm");
    assert_eq!(app.chart_path, "helm/gen3");
    assert!(app.self_heal && app.create_namespace);
    assert_eq!(app.role_label.as_deref(), Some("gen3"));
    assert_eq!(app.values_folder().as_deref(), Some("unfunded/aids.diseasedatahub.org"));
    assert_eq!(commons.chart.as_ref().unwrap().version, "0.1.4");

    let missing: Vec<_> =
        commons.warnings.iter().filter(|w| w.code == "value_file_missing").map(|w| w.file.clone().unwrap()).collect();
    assert_eq!(missing, ["values/portal.yaml", "values/etl.yaml"]);
    assert!(commons.warnings.iter().all(|w| w.severity == Severity::Warning));
    let names: Vec<_> = commons.values_files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["values.yaml", "fence.yaml", "guppy.yaml"]);

    let merged = commons.merged_values();
    assert_eq!(get_path(&merged, "global.hostname").and_then(Value::as_str), Some("aids.diseasedatahub.org"));
    assert_eq!(get_path(&merged, "fence.image.tag").and_then(Value::as_str), Some("2026.04"));
    assert_eq!(get_path(&merged, "guppy.configIndex").and_then(Value::as_str), Some("daids_array-config"));
    // fence.yaml's nulls are kept for Helm to apply against the chart defaults.
    assert_eq!(get_path(&merged, "fence.externalSecrets.fenceGoogleAppCredsSecret"), Some(&Value::Null));
}

#[test]
fn reference_ci_default_values_round_trip() {
    let Some(reference) = reference() else { return };
    let dir = reference.join("gen3-gitops/ci-default");
    let commons = assert_round_trip(&dir, "ci/default");
    assert!(commons.app.is_none() && commons.chart.is_none());
    assert!(commons.warnings.is_empty(), "{:?}", commons.warnings);
    let merged = commons.merged_values();
    assert_eq!(
        get_path(&merged, "postgresql.primary.extendedConfiguration").and_then(Value::as_str),
        Some("max_connections = 200")
    );
    assert_eq!(get_path(&merged, "global.hostname"), Some(&Value::Null));
}

#[test]
fn reference_cluster_values_read() {
    let Some(reference) = reference() else { return };
    let path = reference.join("gen3-gitops/csoc/cluster-values/cluster-values.yaml");
    let cluster = ClusterValues::read(&path).unwrap();
    assert_eq!(cluster.cluster, "csoc_main_vpc");
    assert_eq!(cluster.project, "gen3-csoc");
    assert_eq!(cluster.account_number, "433568766270");
    let karpenter = cluster.addons.iter().find(|a| a.name == "karpenter").unwrap();
    assert_eq!(karpenter.target_revision.as_deref(), Some("1.9.0"));
    assert_eq!(cluster.addons.len(), 9);
}

#[test]
fn reference_manifests_round_trip_through_values() {
    let Some(reference) = reference() else { return };
    for name in ["dataguids.org-manifest.json", "login.bionimbus.org-manifest.json", "releases-2025-09-manifest.json"] {
        let manifest = json_file(&reference.join("cdis-manifest").join(name));
        let migrated = manifest_to_values(&manifest);
        assert_eq!(values_to_manifest(&migrated.values, &migrated.legacy), manifest, "{name} changed");
        // The values survive being written as YAML and read back, and so does the result.
        let written = parse_yaml(&to_yaml(&migrated.values), name).unwrap();
        assert_eq!(written, migrated.values, "{name}: values changed when written as YAML");
        assert_eq!(values_to_manifest(&written, &migrated.legacy), manifest);
        assert!(!migrated.notes.iter().any(|n| n.contains("cannot keep")), "{name}: {:?}", migrated.notes);
    }
}

#[test]
fn dataguids_migration_lands_where_gen3_helm_reads_it() {
    let Some(reference) = reference() else { return };
    let manifest = json_file(&reference.join("cdis-manifest/dataguids.org-manifest.json"));
    assert!(!is_release_template(&manifest));
    let m = manifest_to_values(&manifest);
    let v = &m.values;
    let text = |p: &str| get_path(v, p).and_then(Value::as_str).map(str::to_string);
    assert_eq!(text("global.hostname").as_deref(), Some("dataguids.org"));
    assert_eq!(text("global.environment").as_deref(), Some("dataguids"));
    assert_eq!(text("global.portalApp").as_deref(), Some("dev"));
    assert!(text("global.revproxyArn").unwrap().ends_with("742b0502-bcd6-45b9-8a18-921560be4432"));
    assert_eq!(text("global.manifestGlobalExtraValues.kube_bucket").as_deref(), Some("kube-dataguids-gen3"));
    assert_eq!(text("global.manifestGlobalExtraValues.sync_from_dbgap").as_deref(), Some("False"));
    assert_eq!(get_path(v, "global.dev"), Some(&Value::Bool(false)));
    assert_eq!(get_path(v, "global.postgres.dbCreate"), Some(&Value::Bool(false)));
    assert_eq!(get_path(v, "global.externalSecrets.deploy"), Some(&Value::Bool(true)));
    for dropped in ["argocd", "pdb", "waf_enabled"] {
        assert_eq!(get_path(v, &format!("global.manifestGlobalExtraValues.{dropped}")), None);
        assert!(m.legacy["global"].get(dropped).is_some(), "{dropped} not kept in legacy");
    }
    assert_eq!(
        text("revproxy.image.repository").as_deref(),
        Some("707767160287.dkr.ecr.us-east-1.amazonaws.com/gen3/nginx")
    );
    assert_eq!(text("revproxy.image.tag").as_deref(), Some("2024.02"));
    assert_eq!(get_path(v, "metadata.enabled"), Some(&Value::Bool(true)));
    assert_eq!(text("portal.image.tag").as_deref(), Some("1.0.2"));
    // fluentd has no gen3-helm chart: only the legacy part keeps it.
    assert_eq!(get_path(v, "fluentd"), None);
    assert_eq!(
        m.legacy["versions"]["fluentd"],
        json!("fluent/fluentd-kubernetes-daemonset:v1.15.3-debian-cloudwatch-1.0")
    );
    for kept in ["notes", "jenkins", "jupyterhub", "canary"] {
        assert_eq!(m.legacy[kept], manifest[kept], "{kept}");
    }
    // indexd's dist becomes gen3-helm indexd's DIST variable, beside the chart's default ones.
    let env = get_path(v, "indexd.env").and_then(Value::as_sequence).unwrap();
    let names: Vec<_> = env.iter().map(|e| e.get("name").and_then(Value::as_str).unwrap()).collect();
    assert_eq!(names, ["ARBORIST", "GEN3_DEBUG", "DIST"]);
    let dist_text = env[2].get("value").and_then(Value::as_str).unwrap();
    let dist: serde_json::Value = serde_json::from_str(dist_text).unwrap();
    assert_eq!(dist, manifest["indexd"]["dist"]);
    assert_eq!(dist.as_array().unwrap().len(), 21);
    assert_eq!(dist[0]["hints"][0], json!(".*dg\\.4503.*"));
    assert!(to_yaml(v).contains("      value: |-\n        [\n"), "DIST is not a readable block");
    assert!(m.notes.iter().any(|n| n.contains("versions.fluentd") && n.contains("global.argocd")), "{:?}", m.notes);
    // Everything else comes back from the values: the legacy part holds only what has no place
    // (and removes the ARBORIST default the values had to add).
    let expected_legacy = json!({
        "notes": manifest["notes"], "jenkins": manifest["jenkins"], "jupyterhub": manifest["jupyterhub"],
        "canary": manifest["canary"],
        "global": {"argocd": "true", "pdb": "on", "waf_enabled": "true"},
        "versions": {"fluentd": manifest["versions"]["fluentd"]},
        "indexd": {"arborist": null},
    });
    assert_eq!(m.legacy, expected_legacy);
}

#[test]
fn release_template_migrates_versions_scaling_and_jobs() {
    let Some(reference) = reference() else { return };
    let manifest = json_file(&reference.join("cdis-manifest/releases-2025-09-manifest.json"));
    assert!(is_release_template(&manifest));
    let m = manifest_to_values(&manifest);
    let v = &m.values;
    let at = |p: &str| get_path(v, p).cloned();
    assert_eq!(at("fence.image.repository"), Some(Value::from("quay.io/cdis/fence")));
    assert_eq!(at("fence.image.tag"), Some(Value::from("2025.09")));
    assert_eq!(at("fence.autoscaling.enabled"), Some(Value::Bool(true)));
    assert_eq!(at("fence.autoscaling.minReplicas"), Some(Value::from(5)));
    assert_eq!(at("fence.autoscaling.maxReplicas"), Some(Value::from(15)));
    assert_eq!(at("fence.autoscaling.targetCPUUtilizationPercentage"), Some(Value::from(40)));
    assert_eq!(at("etl.enabled"), Some(Value::Bool(true)));
    assert_eq!(at("etl.image.spark.repository"), Some(Value::from("quay.io/cdis/gen3-spark")));
    assert_eq!(at("etl.image.tube.tag"), Some(Value::from("2025.09")));
    assert_eq!(at("spark"), None);
    assert_eq!(at("ambassador.image.repository"), Some(Value::from("quay.io/datawire/ambassador")));
    assert_eq!(at("aws-es-proxy.image.tag"), Some(Value::from("v1.3.1")));
    assert_eq!(at("guppy.configIndex"), Some(Value::from("<environment_prefix>_array-config")));
    assert_eq!(at("guppy.authFilterField"), Some(Value::from("auth_resource_path")));
    assert_eq!(get_path(v, "guppy.indices").and_then(Value::as_sequence).map(Vec::len), Some(2));
    assert_eq!(at("sower.sowerConfig.0.name"), Some(Value::from("pelican-export")));
    assert_eq!(at("ssjdispatcher.indexing"), Some(Value::from("quay.io/cdis/indexs3client:2025.09")));
    assert_eq!(at("indexd.env.0.value"), Some(Value::from("true")));
    assert_eq!(at("global.dispatcherJobNum"), Some(Value::from("5")));
    assert_eq!(at("global.manifestGlobalExtraValues.public_datasets"), Some(Value::Bool(true)));
    assert_eq!(at("global.manifestGlobalExtraValues.tier_access_limit"), Some(Value::from("50")));
    // No gen3-helm place: hatchery's workspace list, arborist's deployment version, the
    // presigned-url-fence deployment's scaling.
    assert_eq!(m.legacy["hatchery"], manifest["hatchery"]);
    assert_eq!(m.legacy["arborist"], json!({"deployment_version": "2"}));
    assert_eq!(m.legacy["scaling"]["presigned-url-fence"], manifest["scaling"]["presigned-url-fence"]);
    let kept: BTreeSet<&str> = m.legacy.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(kept, BTreeSet::from(["arborist", "canary", "hatchery", "jenkins", "notes", "scaling", "versions"]));
    assert_eq!(m.legacy["versions"], json!({"fluentd": manifest["versions"]["fluentd"]}));
    assert_eq!(m.legacy["scaling"].as_object().unwrap().len(), 1);
    assert!(m.notes.iter().any(|n| n.contains("release template")), "{:?}", m.notes);
}

#[test]
fn login_bionimbus_keeps_fenceshib_as_legacy() {
    let Some(reference) = reference() else { return };
    let manifest = json_file(&reference.join("cdis-manifest/login.bionimbus.org-manifest.json"));
    let m = manifest_to_values(&manifest);
    assert_eq!(get_path(&m.values, "fenceshib"), None);
    assert_eq!(
        m.legacy,
        json!({
            "notes": manifest["notes"], "jenkins": manifest["jenkins"], "jupyterhub": manifest["jupyterhub"],
            "canary": manifest["canary"], "global": {"argocd": "true", "waf_enabled": "true"},
            "versions": {"fenceshib": "quay.io/cdis/fence-shib:2.7.5"},
        })
    );
    assert_eq!(get_path(&m.values, "revproxy.image.tag").and_then(Value::as_str), Some("2025.03"));
    assert_eq!(
        get_path(&m.values, "global.manifestGlobalExtraValues.useryaml_s3path").and_then(Value::as_str),
        Some("s3://cdis-gen3-users/loginbionimbus/user.yaml")
    );
}

#[test]
fn helm_service_list_matches_the_umbrella_chart() {
    let Some(reference) = reference() else { return };
    let chart = yaml_file(&reference.join("gen3-helm/gen3/Chart.yaml"));
    let from_chart: BTreeSet<String> = chart["dependencies"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|d| {
            let name = d["name"].as_str()?;
            (d.get("condition").and_then(Value::as_str) == Some(&format!("{name}.enabled"))).then(|| name.to_string())
        })
        .collect();
    let ours: BTreeSet<String> = HELM_SERVICES.iter().map(|s| s.to_string()).collect();
    assert_eq!(ours, from_chart);
}

// ---- this crate's own fixtures ----

#[test]
fn fixture_commons_round_trips_and_merges_in_app_order() {
    let commons = assert_round_trip(&demo_commons(), "demo/gen3.example.org");
    let codes: Vec<_> = commons.warnings.iter().map(|w| (w.code.as_str(), w.file.clone().unwrap())).collect();
    assert_eq!(
        codes,
        [
            ("value_file_missing", "values/portal.yaml".to_string()),
            ("value_file_not_listed", "values/extra.yaml".to_string())
        ]
    );
    let names: Vec<_> = commons.values_files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["values.yaml", "fence.yaml", "extra.yaml"]);
    let merged = commons.merged_values();
    assert_eq!(get_path(&merged, "fence.image.tag").and_then(Value::as_str), Some("2026.07"), "fence.yaml wins");
    assert_eq!(get_path(&merged, "fence.image.repository").and_then(Value::as_str), Some("quay.io/cdis/fence"));
    assert_eq!(get_path(&merged, "fence.externalSecrets.fenceGoogleAppCredsSecret"), Some(&Value::Null));
    assert_eq!(get_path(&merged, "guppy"), None, "extra.yaml is not applied by Argo CD");

    let files = commons.render();
    let values_text = &rendered(&files, "demo/gen3.example.org/values/values.yaml").contents;
    assert!(values_text.contains("maintenanceMode: 'off'"), "{values_text}");
    assert!(values_text.contains("  aggMdsConfig: |\n    {\n"), "{values_text}");
    assert_eq!(rendered(&files, "demo/gen3.example.org/values.yaml").contents, "");
}

#[test]
fn edited_app_changes_only_what_was_edited() {
    let mut commons = GitopsCommons::read(&demo_commons(), "demo/gen3.example.org").unwrap();
    let app = commons.app.as_mut().unwrap();
    app.release_name = "demo2".to_string();
    app.self_heal = false;
    app.role_label = None;
    app.value_files.retain(|f| !f.ends_with("portal.yaml"));
    let original = yaml_file(&demo_commons().join("templates/app.yaml"));
    let edited = argo_app_yaml(commons.app.as_ref().unwrap());

    let mut expected = original.clone();
    let source = &mut expected["spec"]["sources"][0]["helm"];
    source["releaseName"] = Value::from("demo2");
    source["valueFiles"].as_sequence_mut().unwrap().pop();
    expected["spec"]["syncPolicy"]["automated"]["selfHeal"] = Value::Bool(false);
    expected["spec"]["syncPolicy"]["managedNamespaceMetadata"]["labels"].as_mapping_mut().unwrap().remove("role");
    assert_eq!(edited, expected);
    // Keys the model does not know are still there.
    assert_eq!(get_path(&edited, "spec.revisionHistoryLimit"), Some(&Value::from(3)));
    assert!(get_path(&edited, "metadata.annotations").is_some());
}

#[test]
fn new_commons_renders_the_gitops_layout() {
    let merged = parse_yaml(
        "global:\n  hostname: new.example.org\n  maintenanceMode: 'off'\nfence:\n  enabled: true\n  \
         externalSecrets:\n    fenceGoogleAppCredsSecret: null\nindexd:\n  enabled: true\nguppy:\n  enabled: true\n  \
         indices:\n    - index: new_subject\n      type: subject\n",
        "merged",
    )
    .unwrap();
    let app = ArgoApp::new("gen3-new", "new", "newhelm");
    let commons = GitopsCommons::new_commons(
        "demo/new.example.org",
        "new.example.org",
        app,
        merged.clone(),
        &["fence", "guppy", "etl"],
    );
    let files = commons.render();
    let paths: Vec<_> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "demo/new.example.org/Chart.yaml",
            "demo/new.example.org/values.yaml",
            "demo/new.example.org/templates/app.yaml",
            "demo/new.example.org/values/values.yaml",
            "demo/new.example.org/values/fence.yaml",
            "demo/new.example.org/values/guppy.yaml",
        ]
    );
    let expected_app = std::fs::read_to_string(fixtures().join("expected-new-app.yaml")).unwrap();
    assert_eq!(rendered(&files, "demo/new.example.org/templates/app.yaml").contents, expected_app);
    let chart = reparse(rendered(&files, "demo/new.example.org/Chart.yaml"));
    assert_eq!(chart["name"], Value::from("new.example.org"));
    assert_eq!(chart["apiVersion"], Value::from("v2"));
    let fence = reparse(rendered(&files, "demo/new.example.org/values/fence.yaml"));
    assert_eq!(fence.as_mapping().unwrap().len(), 1);
    let main = reparse(rendered(&files, "demo/new.example.org/values/values.yaml"));
    let keys: Vec<_> = main.as_mapping().unwrap().keys().map(|k| k.as_str().unwrap()).collect();
    assert_eq!(keys, ["global", "indexd"]);

    // Written out and imported again, the folder gives back the same values and no warnings.
    let repo = tempfile::tempdir().unwrap();
    write_files(repo.path(), &files);
    let again = GitopsCommons::read(&repo.path().join("demo/new.example.org"), "demo/new.example.org").unwrap();
    assert!(again.warnings.is_empty(), "{:?}", again.warnings);
    assert_eq!(again.merged_values(), merged);
    assert!(matches!(
        detect(&repo.path().join("demo/new.example.org")).unwrap(),
        ImportSource::CommonsFolder { folder: Some(f), .. } if f == "demo/new.example.org"
    ));

    // Same keys as the real gen3-gitops Application, when it is here to compare with.
    if let Some(reference) = reference() {
        let real = yaml_file(&reference.join("gen3-gitops/aids.diseasedatahub.org/templates/app.yaml"));
        let (mut ours, mut theirs) = (BTreeSet::new(), BTreeSet::new());
        key_paths(&parse_yaml(&expected_app, "expected").unwrap(), "", &mut ours);
        key_paths(&real, "", &mut theirs);
        assert_eq!(ours, theirs);
    }
}

#[test]
fn small_manifest_migrates_and_comes_back() {
    let manifest = json_file(&fixtures().join("manifest-small.json"));
    let m = manifest_to_values(&manifest);
    let v = &m.values;
    let at = |p: &str| get_path(v, p).cloned();
    assert_eq!(at("audit.image.repository"), Some(Value::from("quay.io/cdis/audit-service")));
    assert_eq!(at("audit-service"), None);
    assert_eq!(at("indexd.image.repository"), Some(Value::from("registry.example.org:5000/gen3/indexd")));
    assert_eq!(at("revproxy.replicaCount"), Some(Value::from(2)));
    assert_eq!(at("fence.autoscaling.targetCPUUtilizationPercentage"), Some(Value::from(50)));
    assert_eq!(at("metadata.useAggMds"), Some(Value::Bool(true)));
    assert_eq!(at("metadata.aggMdsNamespace"), Some(Value::from("demo")));
    assert_eq!(at("global.manifestGlobalExtraValues.tier_access_level"), Some(Value::from("regular")));
    assert_eq!(at("global.manifestGlobalExtraValues.karpenter"), None);
    assert_eq!(m.legacy["global"], json!({"argocd": "true", "karpenter": "arm"}));
    assert_eq!(m.legacy["hatchery"], manifest["hatchery"]);
    // The manifest has no indexd.arborist; the values must set ARBORIST (the env list replaces the
    // chart's), so the legacy part removes it again on the way back.
    assert_eq!(m.legacy["indexd"], json!({"arborist": null}));
    let kept: BTreeSet<&str> = m.legacy.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(kept, BTreeSet::from(["global", "hatchery", "indexd", "jenkins", "notes", "scaling", "versions"]));
    assert_eq!(m.legacy["versions"], json!({"fluentd": manifest["versions"]["fluentd"]}));
    assert_eq!(m.legacy["scaling"], json!({"presigned-url-fence": manifest["scaling"]["presigned-url-fence"]}));
    assert_eq!(values_to_manifest(v, &m.legacy), manifest);
    assert!(!is_release_template(&manifest));
}

#[test]
fn manifest_from_wizard_values_without_legacy() {
    let values = parse_yaml(
        "global:\n  hostname: w.example.org\n  environment: wenv\n  tierAccessLevel: private\n  dev: false\n  \
         manifestGlobalExtraValues:\n    kube_bucket: kube-w\nfence:\n  enabled: true\n  image:\n    repository: \
         quay.io/cdis/fence\n    tag: '2026.07'\n  replicaCount: 2\nperegrine:\n  enabled: false\n  image:\n    \
         repository: quay.io/cdis/peregrine\n    tag: '2026.07'\naudit:\n  enabled: true\n  image:\n    repository: \
         quay.io/cdis/audit-service\n    tag: '2026.07'\n",
        "values",
    )
    .unwrap();
    let manifest = values_to_manifest(&values, &serde_json::Value::Null);
    assert_eq!(
        manifest,
        json!({
            "global": {"hostname": "w.example.org", "environment": "wenv", "tier_access_level": "private", "kube_bucket": "kube-w"},
            "versions": {"fence": "quay.io/cdis/fence:2026.07", "audit-service": "quay.io/cdis/audit-service:2026.07"},
            "scaling": {"fence": {"strategy": "pin", "num": 2}}
        })
    );
}

#[test]
fn detect_tells_each_kind_apart() {
    let dir = tempfile::tempdir().unwrap();
    let commons = demo_commons();
    assert_eq!(
        detect(&commons).unwrap(),
        ImportSource::CommonsFolder {
            path: commons.display().to_string(),
            folder: Some("demo/gen3.example.org".to_string())
        }
    );
    assert!(matches!(detect(&commons.join("templates/app.yaml")).unwrap(), ImportSource::CommonsFolder { .. }));
    assert!(matches!(detect(&commons.join("values/fence.yaml")).unwrap(), ImportSource::ValuesFile { .. }));
    assert!(matches!(detect(&fixtures().join("cluster-values.yaml")).unwrap(), ImportSource::ClusterValues { .. }));
    assert!(matches!(
        detect(&fixtures().join("manifest-small.json")).unwrap(),
        ImportSource::Manifest { release_template: false, .. }
    ));
    let err = detect(dir.path()).unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(err.message.contains("not a commons folder") && err.message.contains("cdis-manifest"), "{}", err.message);
    assert_eq!(detect(&dir.path().join("nope")).unwrap_err().code, ErrorCode::NotFound);
    let other = dir.path().join("package.json");
    std::fs::write(&other, "{\"name\": \"x\"}").unwrap();
    assert!(detect(&other).unwrap_err().message.contains("neither `versions` nor `global`"));
    if let Some(reference) = reference() {
        let template = reference.join("cdis-manifest/releases-2025-09-manifest.json");
        assert!(matches!(detect(&template).unwrap(), ImportSource::Manifest { release_template: true, .. }));
    }
}

// ---- bad input ----

/// A copy of the demo commons in a temporary folder, to break.
fn scratch_commons() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&demo_commons(), dir.path());
    dir
}

#[test]
fn malformed_values_file_names_the_file_and_line_and_changes_nothing() {
    let dir = scratch_commons();
    let broken = "global:\n  hostname: x\nfence:\n  enabled: true\n  image: [quay.io/cdis/fence\n";
    std::fs::write(dir.path().join("values/values.yaml"), broken).unwrap();
    let before = files_under(dir.path());
    let err = GitopsCommons::read(dir.path(), "demo/gen3.example.org").unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(err.message.starts_with("demo/gen3.example.org/values/values.yaml, line 6"), "{}", err.message);
    assert_eq!(files_under(dir.path()), before);
    assert_eq!(std::fs::read_to_string(dir.path().join("values/values.yaml")).unwrap(), broken);
}

#[test]
fn duplicate_key_is_a_warning_naming_both_lines_and_the_last_wins() {
    let dir = scratch_commons();
    std::fs::write(
        dir.path().join("values/fence.yaml"),
        "fence:\n  image:\n    tag: a\n  enabled: true\n  image: {}\n",
    )
    .unwrap();
    let commons = GitopsCommons::read(dir.path(), "demo/gen3.example.org").unwrap();
    let dup = commons.warnings.iter().find(|w| w.code == "duplicate_key").expect("a duplicate-key warning");
    assert_eq!(dup.file.as_deref(), Some("demo/gen3.example.org/values/fence.yaml"));
    assert!(dup.message.contains("at line 2 and at line 5") && dup.message.contains("`image`"), "{}", dup.message);
    // As Helm reads it: the second `image` (an empty map) replaces the first.
    let fence = commons.values_files.iter().find(|f| f.name == "fence.yaml").unwrap();
    assert_eq!(fence.values["fence"]["image"], Value::Mapping(Default::default()));
    assert_eq!(fence.values["fence"]["enabled"], Value::Bool(true));
}

#[test]
fn values_file_that_is_a_list_is_refused() {
    let dir = scratch_commons();
    std::fs::write(dir.path().join("values/fence.yaml"), "- fence\n- guppy\n").unwrap();
    let err = GitopsCommons::read(dir.path(), "demo/gen3.example.org").unwrap_err();
    assert!(
        err.message.contains("values/fence.yaml") && err.message.contains("top level is a list"),
        "{}",
        err.message
    );
}

#[test]
fn app_that_is_not_an_argo_application_is_refused() {
    let dir = scratch_commons();
    std::fs::write(
        dir.path().join("templates/app.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: fence\n",
    )
    .unwrap();
    let err = GitopsCommons::read(dir.path(), "demo/gen3.example.org").unwrap_err();
    assert!(err.message.contains("templates/app.yaml is not an Argo CD Application"), "{}", err.message);
    assert!(err.message.contains("`Deployment`"), "{}", err.message);
}

#[test]
fn missing_or_empty_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = GitopsCommons::read(&dir.path().join("gone"), "x/gone").unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    assert!(err.message.contains("does not exist"), "{}", err.message);
    let err = GitopsCommons::read(dir.path(), "x/empty").unwrap_err();
    assert!(err.message.contains("not a gen3-gitops commons folder"), "{}", err.message);
}

#[test]
fn value_file_outside_the_folder_is_a_warning() {
    let dir = scratch_commons();
    let app_path = dir.path().join("templates/app.yaml");
    let app = std::fs::read_to_string(&app_path).unwrap();
    std::fs::write(
        &app_path,
        app.replace("$values/demo/gen3.example.org/values/portal.yaml", "$values/shared/portal.yaml"),
    )
    .unwrap();
    let commons = GitopsCommons::read(dir.path(), "demo/gen3.example.org").unwrap();
    let outside = commons.warnings.iter().find(|w| w.code == "value_file_outside_folder").unwrap();
    assert!(outside.message.contains("$values/shared/portal.yaml"), "{}", outside.message);
}

#[test]
fn folder_other_than_the_apps_is_pointed_out() {
    let commons = GitopsCommons::read(&demo_commons(), "moved/gen3.example.org").unwrap();
    let mismatch = commons.warnings.iter().find(|w| w.code == "app_folder_mismatch").unwrap();
    assert!(mismatch.message.contains("demo/gen3.example.org/values/"), "{}", mismatch.message);
    assert!(mismatch.message.contains("moved/gen3.example.org"), "{}", mismatch.message);
}

#[test]
fn huge_file_is_refused_before_reading_it_whole() {
    let dir = scratch_commons();
    let file = std::fs::File::create(dir.path().join("values/values.yaml")).unwrap();
    file.set_len(5 * 1024 * 1024).unwrap();
    let err = GitopsCommons::read(dir.path(), "demo/gen3.example.org").unwrap_err();
    assert!(err.message.contains("larger than 4 MiB"), "{}", err.message);
}

#[test]
fn malformed_manifest_names_the_line() {
    let text = "{\n  \"versions\": {\n    \"fence\": \"quay.io/cdis/fence:1\",\n  }\n}\n";
    let err = parse_manifest(text, "dataguids.org/manifest.json").unwrap_err();
    assert!(err.message.starts_with("dataguids.org/manifest.json, line 4, column 3:"), "{}", err.message);
    let cut = parse_manifest("{\"versions\": {", "m.json").unwrap_err();
    assert!(cut.message.contains("ends too early"), "{}", cut.message);
    let wrong = parse_manifest("{\"versions\": []}", "m.json").unwrap_err();
    assert!(wrong.message.contains("`versions` must be an object"), "{}", wrong.message);
    assert!(parse_manifest("[1]", "m.json").unwrap_err().message.contains("not a JSON object"));
}
