//! The legacy cloud-automation `manifest.json` (cdis-manifest `<hostname>/manifest.json` and the
//! monthly `releases/YYYY/MM/manifest.json`), and its migration to gen3-helm values.
//!
//! The migration follows cloud-automation's `helm-migration-script/migrate-to-helm.py`: `global`
//! keys that gen3-helm has are renamed to camelCase, four are dropped, every other one goes to
//! `global.manifestGlobalExtraValues`; each `versions` entry becomes `<svc>.enabled` and
//! `<svc>.image`; `scaling` becomes `replicaCount` or `autoscaling`; guppy, sower, ssjdispatcher
//! and metadata blocks move to their gen3-helm keys; and the script's forced settings are set.
//! Where the script reads the live cluster or the admin VM (global.aws, secret names), nothing is
//! invented: a note says what to fill in. This module also maps indexd's `dist` and `arborist`,
//! which gen3-helm takes as the `DIST` and `ARBORIST` container variables.
//!
//! What gen3-helm has no place for is not lost: `legacy` is a JSON merge patch (RFC 7386) that
//! turns the manifest rebuilt from the values back into the original, so
//! `values_to_manifest(values, legacy)` gives back the imported manifest exactly.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as J};
use serde_yaml_ng::{Mapping, Value};
use ts_rs::TS;

use super::yaml::{json_to_yaml, scalar_text, yaml_to_json};
use csoc_model::error::{CoreError, CoreResult};

/// The services of gen3-helm's umbrella chart that are switched on by `<name>.enabled`: the keys a
/// `versions` entry can land on. Others (fluentd, fenceshib, ...) have no chart and stay legacy.
pub(crate) const HELM_SERVICES: [&str; 43] = [
    "access-backend",
    "ambassador",
    "arborist",
    "argo-wrapper",
    "audit",
    "aws-es-proxy",
    "aws-sigv4-proxy",
    "cedar",
    "cohort-middleware",
    "dashboard",
    "datareplicate",
    "data-upload-cron",
    "embedding-management-service",
    "etl",
    "frontend-framework",
    "fence",
    "gen3-embeddings",
    "gen3-user-data-library",
    "gen3-workflow",
    "guppy",
    "hatchery",
    "indexd",
    "manifestservice",
    "metadata",
    "peregrine",
    "portal",
    "requestor",
    "revproxy",
    "sheepdog",
    "ssjdispatcher",
    "sower",
    "wts",
    "zendesk-wrapper",
    "dicom-server",
    "ohif-viewer",
    "orthanc",
    "gen3-analysis",
    "ohdsi-atlas",
    "ohdsi-webapi",
    "neuvector",
    "jeg",
    "workspace-proxy",
    "vectis-overlays",
];

/// Manifest `global` keys that gen3-helm has under a camelCase name (the script's
/// DIRECT_TRANSLATE_KEYS, plus `environment`, which it also keeps).
const DIRECT_GLOBALS: [(&str, &str); 7] = [
    ("environment", "environment"),
    ("hostname", "hostname"),
    ("revproxy_arn", "revproxyArn"),
    ("dictionary_url", "dictionaryUrl"),
    ("dispatcher_job_num", "dispatcherJobNum"),
    ("portal_app", "portalApp"),
    ("frontend_root", "frontendRoot"),
];

/// gen3-helm globals that its manifest-global ConfigMap publishes under these manifest names. The
/// migration leaves them in manifestGlobalExtraValues; a commons made in the wizard sets the
/// camelCase key, and a legacy manifest made from it needs them.
const HELM_ONLY_GLOBALS: [(&str, &str); 3] = [
    ("tierAccessLevel", "tier_access_level"),
    ("tierAccessLimit", "tier_access_limit"),
    ("publicDataSets", "public_datasets"),
];

/// Dropped by the script: Argo CD, WAF, PDB and Karpenter are set up differently under Helm.
const DROPPED_GLOBALS: [&str; 4] = ["argocd", "waf_enabled", "pdb", "karpenter"];

const GUPPY_KEYS: [(&str, &str); 3] =
    [("indices", "indices"), ("config_index", "configIndex"), ("auth_filter_field", "authFilterField")];

const METADATA_KEYS: [(&str, &str); 2] = [("USE_AGG_MDS", "useAggMds"), ("AGG_MDS_NAMESPACE", "aggMdsNamespace")];

/// ETL's two images, which the manifest lists as services of their own.
const ETL_IMAGES: [&str; 2] = ["spark", "tube"];

/// gen3-helm indexd's default container variables; a values `env` list replaces them, so they
/// are written again beside `DIST`.
const INDEXD_ARBORIST_DEFAULT: &str = "true";
const INDEXD_DEBUG_DEFAULT: &str = "False";

/// A file beside a cdis-manifest commons' `manifest.json` that migrate-to-helm moves into the
/// values as a string: the AggMDS configuration and the portal's configuration and style.
pub(crate) struct Companion {
    /// Relative to the folder that holds manifest.json.
    pub path: &'static str,
    /// Dotted values path the file's text goes to.
    pub values_path: &'static str,
    pub json: bool,
}

pub(crate) const COMPANION_FILES: [Companion; 3] = [
    Companion { path: "metadata/aggregate_config.json", values_path: "metadata.aggMdsConfig", json: true },
    Companion { path: "portal/gitops.json", values_path: "portal.gitops.json", json: true },
    Companion { path: "portal/gitops.css", values_path: "portal.gitops.css", json: false },
];

/// Puts a companion file's text where gen3-helm reads it (the metadata chart's `aggMdsConfig`,
/// the portal chart's `gitops.json` / `gitops.css`), and says so.
pub(crate) fn adopt_companion(migrated: &mut MigratedManifest, companion: &Companion, text: &str) {
    super::yaml::set_path(&mut migrated.values, companion.values_path, Value::String(text.to_string()));
    migrated.notes.push(format!(
        "{} became {} in the values, as migrate-to-helm does; a manifest.json written from these values writes \
         it back beside the manifest.",
        companion.path, companion.values_path
    ));
}

/// A manifest migrated to gen3-helm values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub(crate) struct MigratedManifest {
    #[ts(type = "unknown")]
    pub values: Value,
    /// JSON merge patch from the manifest the values give back to the original: the parts with
    /// no gen3-helm place (notes, jenkins, hatchery, canary, dropped globals, ...).
    #[ts(type = "unknown")]
    pub legacy: J,
    /// What the operator must know or do, in words.
    pub notes: Vec<String>,
}

/// Parses a manifest.json; errors name `file`, the line and the column, and a JSON file that is
/// not a manifest (no `versions` and no `global`) is refused.
pub(crate) fn parse_manifest(text: &str, file: &str) -> CoreResult<J> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: J = serde_json::from_str(text).map_err(|e| json_error(file, &e))?;
    let J::Object(top) = &value else {
        return Err(CoreError::invalid(format!(
            "{file}: the top level is not a JSON object, so this is not a Gen3 manifest.json. Check that this is the right file."
        )));
    };
    if !top.contains_key("versions") && !top.contains_key("global") {
        return Err(CoreError::invalid(format!(
            "{file} does not look like a Gen3 manifest.json: it has neither `versions` nor `global` at the top level. \
             Check that this is the right file."
        )));
    }
    for block in ["versions", "global", "scaling"] {
        if top.get(block).is_some_and(|v| !v.is_object()) {
            return Err(CoreError::invalid(format!(
                "{file}: `{block}` must be an object (`\"name\": value` pairs), but it is not. Fix it and import again."
            )));
        }
    }
    Ok(value)
}

fn json_error(file: &str, err: &serde_json::Error) -> CoreError {
    let (line, column) = (err.line(), err.column());
    let raw = err.to_string();
    let what = raw.replacen(&format!(" at line {line} column {column}"), "", 1);
    let why = match err.classify() {
        serde_json::error::Category::Eof => format!("{what} (the file ends too early; was it cut short?)"),
        _ => what,
    };
    CoreError::invalid(format!(
        "{file}, line {line}, column {column}: {why}. The file is not valid JSON; fix it and import again."
    ))
}

/// Whether this is a monthly release's template (hostname `<environment_fqdn>`, or no hostname):
/// its versions are meant, not its placeholders, so it names no commons for the inventory.
pub(crate) fn is_release_template(m: &J) -> bool {
    match m.pointer("/global/hostname").and_then(J::as_str) {
        Some(hostname) => hostname.trim().is_empty() || (hostname.contains('<') && hostname.contains('>')),
        None => true,
    }
}

fn helm_service_name(manifest_name: &str) -> &str {
    if manifest_name == "audit-service" {
        "audit"
    } else {
        manifest_name
    }
}

fn manifest_service_name(helm_name: &str) -> &str {
    if helm_name == "audit" {
        "audit-service"
    } else {
        helm_name
    }
}

fn key(name: &str) -> Value {
    Value::String(name.to_string())
}

fn text_of(value: &J) -> String {
    match value {
        J::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The mapping at `name` in `map`, created (or made a mapping) if it is not one.
fn block<'a>(map: &'a mut Mapping, name: &str) -> &'a mut Mapping {
    let entry = map.entry(key(name)).or_insert(Value::Null);
    if !entry.is_mapping() {
        *entry = Value::Mapping(Mapping::new());
    }
    match entry {
        Value::Mapping(inner) => inner,
        _ => unreachable!("the entry was made a mapping just above"),
    }
}

/// `quay.io/cdis/fence:2025.09` as `{repository: quay.io/cdis/fence, tag: '2025.09'}`. The tag is
/// after the last `:` of the last path segment, so a registry port (`host:5000/x`) stays in the
/// repository.
fn image_of(version: &str) -> Mapping {
    let (path, last) = match version.rsplit_once('/') {
        Some((path, last)) => (Some(path), last),
        None => (None, version),
    };
    let (name, tag) = match last.rsplit_once(':') {
        Some((name, tag)) => (name, Some(tag)),
        None => (last, None),
    };
    let repository = match path {
        Some(path) => format!("{path}/{name}"),
        None => name.to_string(),
    };
    let mut image = Mapping::new();
    image.insert(key("repository"), Value::String(repository));
    if let Some(tag) = tag {
        image.insert(key("tag"), Value::String(tag.to_string()));
    }
    image
}

/// `image.repository[:image.tag]` of a values service, if it names a repository.
fn version_of(image: Option<&Value>) -> Option<String> {
    let image = image?;
    let repository = image.get("repository").and_then(Value::as_str)?;
    match image.get("tag").and_then(scalar_text) {
        Some(tag) if !tag.is_empty() => Some(format!("{repository}:{tag}")),
        _ => Some(repository.to_string()),
    }
}

/// Migrates a manifest to gen3-helm values, keeping what does not migrate in `legacy`.
pub(crate) fn manifest_to_values(manifest: &J) -> MigratedManifest {
    let empty = Map::new();
    let top = manifest.as_object().unwrap_or(&empty);
    let mut values = Mapping::new();
    values.insert(key("global"), Value::Mapping(migrate_global(top.get("global"))));
    migrate_versions(top.get("versions"), &mut values);
    migrate_scaling(top.get("scaling"), &mut values);
    migrate_blocks(top, &mut values);
    let values = Value::Mapping(values);

    let rebuilt = derive_manifest(&values);
    let legacy = merge_patch_between(&rebuilt, manifest);
    let mut notes = vec![
        "Set as the migration script does: global.dev false (no in-cluster databases), global.postgres.dbCreate \
         false and global.externalSecrets.deploy true. The databases and their secrets must already exist in AWS \
         Secrets Manager; the script copies them there from the admin VM, which this app does not do."
            .to_string(),
        "global.aws (enabled, account, IRSA role names) and each service's externalSecrets names are not filled in: \
         the script reads them from the running cluster. Add them before deploying."
            .to_string(),
    ];
    let kept = legacy_paths(&legacy);
    if !kept.is_empty() {
        notes.push(format!(
            "Kept only in the legacy part, because gen3-helm has no place for them: {}. They come back if a \
             manifest.json is written again.",
            kept.join(", ")
        ));
    }
    if is_release_template(manifest) {
        notes.push(
            "This is a release template (its hostname is a placeholder): use its image versions, not its global \
             settings, which are placeholders too."
                .to_string(),
        );
    }
    let mut check = rebuilt;
    apply_merge_patch(&mut check, &legacy);
    if &check != manifest {
        notes.push(
            "Some values in this manifest.json are JSON nulls inside objects, which the legacy part cannot keep; \
             a manifest.json written from these values will leave them out."
                .to_string(),
        );
    }
    MigratedManifest { values, legacy, notes }
}

fn migrate_global(global: Option<&J>) -> Mapping {
    let mut out = Mapping::new();
    let mut extra = Mapping::new();
    if let Some(J::Object(global)) = global {
        // In gen3-helm's order (hostname near the top) rather than the manifest's, which is lost.
        for (manifest, helm) in DIRECT_GLOBALS {
            if let Some(value) = global.get(manifest) {
                out.insert(key(helm), json_to_yaml(value));
            }
        }
        for (name, value) in global {
            let direct = DIRECT_GLOBALS.iter().any(|(m, _)| *m == name.as_str());
            if !direct && !DROPPED_GLOBALS.contains(&name.as_str()) {
                extra.insert(key(name), json_to_yaml(value));
            }
        }
    }
    out.insert(key("dev"), Value::Bool(false));
    block(&mut out, "postgres").insert(key("dbCreate"), Value::Bool(false));
    block(&mut out, "externalSecrets").insert(key("deploy"), Value::Bool(true));
    if !extra.is_empty() {
        out.insert(key("manifestGlobalExtraValues"), Value::Mapping(extra));
    }
    out
}

fn migrate_versions(versions: Option<&J>, values: &mut Mapping) {
    let Some(J::Object(versions)) = versions else {
        return;
    };
    for (name, version) in versions {
        let Some(version) = version.as_str() else {
            continue;
        };
        if ETL_IMAGES.contains(&name.as_str()) {
            let etl = block(values, "etl");
            etl.insert(key("enabled"), Value::Bool(true));
            block(etl, "image").insert(key(name), Value::Mapping(image_of(version)));
            continue;
        }
        let service = helm_service_name(name);
        if HELM_SERVICES.contains(&service) {
            let entry = block(values, service);
            entry.insert(key("enabled"), Value::Bool(true));
            entry.insert(key("image"), Value::Mapping(image_of(version)));
        }
    }
}

fn migrate_scaling(scaling: Option<&J>, values: &mut Mapping) {
    let Some(J::Object(scaling)) = scaling else {
        return;
    };
    for (name, rule) in scaling {
        let service = helm_service_name(name);
        let Some(rule) = rule.as_object().filter(|_| HELM_SERVICES.contains(&service)) else {
            continue;
        };
        match rule.get("strategy").and_then(J::as_str) {
            Some("auto") => {
                // The script's defaults when the manifest leaves a bound out.
                let number =
                    |name: &str, default: u64| rule.get(name).map(json_to_yaml).unwrap_or(Value::from(default));
                let mut autoscaling = Mapping::new();
                autoscaling.insert(key("enabled"), Value::Bool(true));
                autoscaling.insert(key("minReplicas"), number("min", 1));
                autoscaling.insert(key("maxReplicas"), number("max", 1));
                autoscaling.insert(key("targetCPUUtilizationPercentage"), number("targetCpu", 40));
                block(values, service).insert(key("autoscaling"), Value::Mapping(autoscaling));
            }
            Some("pin") => {
                if let Some(num) = rule.get("num") {
                    block(values, service).insert(key("replicaCount"), json_to_yaml(num));
                }
            }
            _ => {}
        }
    }
}

/// Service blocks with a clear gen3-helm place: guppy's indices, metadata's aggregate MDS switch,
/// sower's jobs, ssjdispatcher's indexing image, indexd's `dist` and `arborist`.
fn migrate_blocks(top: &Map<String, J>, values: &mut Mapping) {
    if let Some(J::Object(guppy)) = top.get("guppy") {
        for (from, to) in GUPPY_KEYS {
            if let Some(v) = guppy.get(from) {
                block(values, "guppy").insert(key(to), json_to_yaml(v));
            }
        }
    }
    if let Some(J::Object(metadata)) = top.get("metadata") {
        for (from, to) in METADATA_KEYS {
            if let Some(v) = metadata.get(from) {
                block(values, "metadata").insert(key(to), json_to_yaml(v));
            }
        }
    }
    if let Some(jobs @ J::Array(_)) = top.get("sower") {
        block(values, "sower").insert(key("sowerConfig"), json_to_yaml(jobs));
    }
    if let Some(indexing) = top.get("ssjdispatcher").and_then(|s| s.pointer("/job_images/indexing")) {
        block(values, "ssjdispatcher").insert(key("indexing"), json_to_yaml(indexing));
    }
    if let Some(J::Object(indexd)) = top.get("indexd") {
        let dist = indexd.get("dist");
        let arborist = indexd.get("arborist");
        if dist.is_some() || arborist.is_some() {
            let variable = |name: &str, value: String| {
                Value::Mapping([(key("name"), key(name)), (key("value"), Value::String(value))].into_iter().collect())
            };
            let mut env = vec![
                variable("ARBORIST", arborist.map(text_of).unwrap_or_else(|| INDEXD_ARBORIST_DEFAULT.to_string())),
                variable("GEN3_DEBUG", INDEXD_DEBUG_DEFAULT.to_string()),
            ];
            if let Some(dist) = dist {
                let pretty = serde_json::to_string_pretty(dist).unwrap_or_else(|_| dist.to_string());
                env.push(variable("DIST", pretty));
            }
            block(values, "indexd").insert(key("env"), Value::Sequence(env));
        }
    }
}

/// A manifest.json from gen3-helm values, for an operator who still deploys with cloud-automation.
/// `legacy` (from [`manifest_to_values`], or `{}`/null for a commons made here) is applied last as
/// a JSON merge patch; a legacy that is not an object is ignored.
pub(crate) fn values_to_manifest(values: &Value, legacy: &J) -> J {
    let mut manifest = derive_manifest(values);
    if legacy.is_object() {
        apply_merge_patch(&mut manifest, legacy);
    }
    manifest
}

/// The manifest the values say, before the legacy part.
fn derive_manifest(values: &Value) -> J {
    let mut out = Map::new();
    let global = derive_global(values.get("global"));
    if !global.is_empty() {
        out.insert("global".into(), J::Object(global));
    }
    let mut versions = Map::new();
    let mut scaling = Map::new();
    if let Some(map) = values.as_mapping() {
        for (name, service) in map {
            let Some(name) = name.as_str().filter(|n| HELM_SERVICES.contains(n)) else {
                continue;
            };
            if service.get("enabled") == Some(&Value::Bool(true)) {
                if name == "etl" {
                    for part in ETL_IMAGES {
                        if let Some(v) = version_of(service.get("image").and_then(|i| i.get(part))) {
                            versions.insert(part.to_string(), J::String(v));
                        }
                    }
                } else if let Some(v) = version_of(service.get("image")) {
                    versions.insert(manifest_service_name(name).to_string(), J::String(v));
                }
            }
            if let Some(rule) = scaling_rule(service) {
                scaling.insert(manifest_service_name(name).to_string(), rule);
            }
        }
    }
    if !versions.is_empty() {
        out.insert("versions".into(), J::Object(versions));
    }
    if !scaling.is_empty() {
        out.insert("scaling".into(), J::Object(scaling));
    }
    derive_blocks(values, &mut out);
    J::Object(out)
}

fn derive_global(global: Option<&Value>) -> Map<String, J> {
    let mut out = Map::new();
    let Some(global) = global else {
        return out;
    };
    for (manifest, helm) in DIRECT_GLOBALS {
        if let Some(v) = global.get(helm) {
            out.insert(manifest.to_string(), yaml_to_json(v));
        }
    }
    for (helm, manifest) in HELM_ONLY_GLOBALS {
        if let Some(v) = global.get(helm) {
            out.insert(manifest.to_string(), yaml_to_json(v));
        }
    }
    // cloud-automation's switch for what gen3-helm calls global.netPolicy.enabled (gen3utils
    // refuses hatchery without it); a migrated manifest carries its own value in the extras below.
    if global.get("netPolicy").and_then(|n| n.get("enabled")) == Some(&Value::Bool(true)) {
        out.insert("netpolicy".into(), J::String("on".into()));
    }
    if let Some(Value::Mapping(extra)) = global.get("manifestGlobalExtraValues") {
        if let J::Object(extra) = yaml_to_json(&Value::Mapping(extra.clone())) {
            out.extend(extra);
        }
    }
    out
}

fn scaling_rule(service: &Value) -> Option<J> {
    let autoscaling = service.get("autoscaling");
    if autoscaling.and_then(|a| a.get("enabled")) == Some(&Value::Bool(true)) {
        let mut rule = Map::new();
        rule.insert("strategy".into(), J::String("auto".into()));
        for (helm, manifest) in
            [("minReplicas", "min"), ("maxReplicas", "max"), ("targetCPUUtilizationPercentage", "targetCpu")]
        {
            if let Some(v) = autoscaling.and_then(|a| a.get(helm)) {
                rule.insert(manifest.into(), yaml_to_json(v));
            }
        }
        return Some(J::Object(rule));
    }
    let count = service.get("replicaCount")?;
    let mut rule = Map::new();
    rule.insert("strategy".into(), J::String("pin".into()));
    rule.insert("num".into(), yaml_to_json(count));
    Some(J::Object(rule))
}

fn derive_blocks(values: &Value, out: &mut Map<String, J>) {
    let mut put = |block: &str, name: &str, value: J| {
        if let J::Object(map) = out.entry(block.to_string()).or_insert_with(|| J::Object(Map::new())) {
            map.insert(name.to_string(), value);
        }
    };
    for (manifest, helm) in GUPPY_KEYS {
        if let Some(v) = values.get("guppy").and_then(|g| g.get(helm)) {
            put("guppy", manifest, yaml_to_json(v));
        }
    }
    for (manifest, helm) in METADATA_KEYS {
        if let Some(v) = values.get("metadata").and_then(|m| m.get(helm)) {
            put("metadata", manifest, yaml_to_json(v));
        }
    }
    if let Some(Value::Sequence(env)) = values.get("indexd").and_then(|i| i.get("env")) {
        for variable in env {
            let value = variable.get("value").and_then(Value::as_str);
            match (variable.get("name").and_then(Value::as_str), value) {
                (Some("ARBORIST"), Some(v)) => put("indexd", "arborist", J::String(v.to_string())),
                (Some("DIST"), Some(v)) => {
                    if let Ok(dist) = serde_json::from_str::<J>(v) {
                        put("indexd", "dist", dist);
                    }
                }
                _ => {}
            }
        }
    }
    if let Some(Value::Sequence(jobs)) = values.get("sower").and_then(|s| s.get("sowerConfig")) {
        out.insert("sower".into(), yaml_to_json(&Value::Sequence(jobs.clone())));
    }
    if let Some(indexing) = values.get("ssjdispatcher").and_then(|s| s.get("indexing")) {
        let mut job_images = Map::new();
        job_images.insert("indexing".into(), yaml_to_json(indexing));
        if let J::Object(ssj) = out.entry("ssjdispatcher").or_insert_with(|| J::Object(Map::new())) {
            ssj.insert("job_images".into(), J::Object(job_images));
        }
    }
}

/// The JSON merge patch (RFC 7386) that turns `from` into `to`. Exact unless `to` holds nulls
/// inside objects, which a merge patch cannot express.
fn merge_patch_between(from: &J, to: &J) -> J {
    match (from, to) {
        (J::Object(from), J::Object(to)) => {
            let mut patch = Map::new();
            for (name, target) in to {
                match from.get(name) {
                    Some(current) if current == target => {}
                    Some(current) => {
                        patch.insert(name.clone(), merge_patch_between(current, target));
                    }
                    None => {
                        patch.insert(name.clone(), target.clone());
                    }
                }
            }
            for name in from.keys().filter(|name| !to.contains_key(*name)) {
                patch.insert(name.clone(), J::Null);
            }
            J::Object(patch)
        }
        _ => to.clone(),
    }
}

/// Applies a JSON merge patch (RFC 7386): objects merge, null deletes, anything else replaces.
fn apply_merge_patch(target: &mut J, patch: &J) {
    let J::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = J::Object(Map::new());
    }
    if let J::Object(target) = target {
        for (name, value) in patch {
            if value.is_null() {
                target.remove(name);
            } else {
                apply_merge_patch(target.entry(name.clone()).or_insert(J::Null), value);
            }
        }
    }
}

/// What the legacy part keeps, as `notes`, `global.argocd`, `versions.fluentd`, ... (blocks that
/// partly migrate are listed by their keys; removals the patch makes are not "kept").
fn legacy_paths(legacy: &J) -> Vec<String> {
    const PARTLY_MIGRATED: [&str; 8] =
        ["global", "versions", "scaling", "guppy", "metadata", "indexd", "ssjdispatcher", "sower"];
    let mut paths = Vec::new();
    if let J::Object(top) = legacy {
        for (name, value) in top {
            match value {
                J::Null => {}
                J::Object(inner) if PARTLY_MIGRATED.contains(&name.as_str()) => {
                    paths.extend(inner.iter().filter(|(_, v)| !v.is_null()).map(|(k, _)| format!("{name}.{k}")));
                }
                _ => paths.push(name.clone()),
            }
        }
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_split_keeps_registry_ports_and_tagless_images() {
        let image = image_of("localhost:5000/gen3/fence:2025.09");
        assert_eq!(image.get("repository").and_then(Value::as_str), Some("localhost:5000/gen3/fence"));
        assert_eq!(image.get("tag").and_then(Value::as_str), Some("2025.09"));
        let bare = image_of("quay.io/cdis/fence");
        assert_eq!(bare.get("tag"), None);
        assert_eq!(version_of(Some(&Value::Mapping(bare))), Some("quay.io/cdis/fence".to_string()));
    }

    #[test]
    fn merge_patch_reproduces_the_target() {
        let from = serde_json::json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1]});
        let to = serde_json::json!({"a": 1, "b": {"c": 5}, "e": [1, 2], "f": "x"});
        let patch = merge_patch_between(&from, &to);
        assert_eq!(patch, serde_json::json!({"b": {"c": 5, "d": null}, "e": [1, 2], "f": "x"}));
        let mut target = from.clone();
        apply_merge_patch(&mut target, &patch);
        assert_eq!(target, to);
    }

    #[test]
    fn pinned_and_unknown_scaling() {
        let manifest = serde_json::json!({
            "versions": {"fence": "quay.io/cdis/fence:1"},
            "scaling": {"fence": {"strategy": "pin", "num": 3}, "sheepdog": {"strategy": "odd"}}
        });
        let migrated = manifest_to_values(&manifest);
        assert_eq!(migrated.values.get("fence").and_then(|f| f.get("replicaCount")), Some(&Value::from(3)));
        assert_eq!(migrated.legacy.pointer("/scaling/sheepdog/strategy"), Some(&J::String("odd".into())));
        assert_eq!(values_to_manifest(&migrated.values, &migrated.legacy), manifest);
    }
}
