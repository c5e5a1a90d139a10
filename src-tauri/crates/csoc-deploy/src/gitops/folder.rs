//! A commons folder read from a gen3-gitops repository (its app, chart and value files, every key
//! kept) and the files it renders back to.

use super::*;

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
