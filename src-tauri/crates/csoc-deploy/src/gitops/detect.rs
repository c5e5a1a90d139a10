//! What a path the operator picked for import holds.

use super::*;

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
        let manifest = crate::manifest::parse_manifest(&text, &shown)?;
        return Ok(ImportSource::Manifest {
            path: shown,
            release_template: crate::manifest::is_release_template(&manifest),
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
            .and_then(|text| crate::manifest::parse_manifest(&text, "manifest.json").ok())
            .is_some_and(|m| crate::manifest::is_release_template(&m));
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
