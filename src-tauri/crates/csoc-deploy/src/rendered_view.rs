//! The review's "Rendered" view: the commons' value files on disk and the generated ones, both
//! rendered with the operator's gen3-helm chart folder, compared object by object. Nothing in
//! Argo CD or gen3-admin shows this before a push.

use std::path::{Path, PathBuf};

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::answers::{CommonsAnswers, Destination};
use crate::generate::generate;
use crate::gitops::ArgoApp;
use crate::helm_launch::find_helm;
use crate::rendered::{compare, helm_template, parse_objects, Objects, RenderComparison, TemplateInput, Volatile};
use crate::review::destination_root;
use crate::yaml::{parse_yaml, read_config_file};
use crate::{output, GeneratedFile};
use csoc_model::error::{CoreError, CoreResult, ErrorCode};
use csoc_store::Store;

/// Where the app finds a gen3-helm chart to render with. Empty: the Rendered view is off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct RenderSettings {
    /// A gen3-helm clone, or its `helm/gen3` folder.
    pub chart_dir: String,
}

pub fn settings(store: &Store) -> CoreResult<RenderSettings> {
    let raw: Option<String> =
        store.conn().query_row("SELECT value FROM settings WHERE key = 'rendering'", [], |r| r.get(0)).optional()?;
    Ok(raw.and_then(|r| serde_json::from_str(&r).ok()).unwrap_or_default())
}

/// Saves the chart folder after checking that it holds the gen3 chart.
pub fn save_settings(store: &Store, s: &RenderSettings) -> CoreResult<RenderSettings> {
    let s = RenderSettings { chart_dir: s.chart_dir.trim().to_string() };
    if !s.chart_dir.is_empty() {
        gen3_chart(Path::new(&s.chart_dir))?;
    }
    let text = serde_json::to_string(&s)
        .map_err(|e| CoreError::invalid(format!("The rendering settings could not be written ({e}).")))?;
    let conn = store.conn();
    conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES ('rendering', ?1)", [text])?;
    let what = match s.chart_dir.as_str() {
        "" => "Rendering settings: no gen3 chart folder".to_string(),
        dir => format!("Rendering settings: the gen3 chart folder is {dir}"),
    };
    csoc_store::activity::record_on(
        &conn,
        &csoc_store::activity::Note::new(csoc_store::activity::ActivityKind::ConfigWrite, what),
    )?;
    Ok(s)
}

/// The gen3 umbrella chart in `dir`: the folder itself, or `helm/gen3` of a gen3-helm clone.
pub(crate) fn gen3_chart(dir: &Path) -> CoreResult<PathBuf> {
    for candidate in [dir.to_path_buf(), dir.join("helm").join("gen3")] {
        let chart = read_config_file(&candidate.join("Chart.yaml")).unwrap_or_default();
        if chart.lines().any(|l| l.trim() == "name: gen3") {
            return Ok(candidate);
        }
    }
    Err(CoreError::invalid(format!(
        "{} holds no gen3 chart: choose a gen3-helm clone (https://github.com/uc-cdis/gen3-helm) or its helm/gen3 \
         folder, after `helm dependency build helm/gen3` there.",
        dir.display()
    )))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RenderedView {
    /// helm or the chart folder is missing: what to do to see the view.
    Unavailable { reason: String },
    Ready {
        comparison: RenderComparison,
        /// The chart rendered with, for the view's caption.
        chart_dir: String,
        /// No value file was on disk yet: every object is new.
        first_render: bool,
    },
}

/// The Rendered view for `answers` with the chart folder from the settings (empty: off).
pub fn rendered_view(answers: &CommonsAnswers, chart_dir: &str) -> CoreResult<RenderedView> {
    if chart_dir.trim().is_empty() {
        return Ok(RenderedView::Unavailable {
            reason: "To see the Kubernetes objects this change adds, changes and removes, set the gen3-helm chart \
                     folder in Settings (a clone of https://github.com/uc-cdis/gen3-helm after `helm dependency build \
                     helm/gen3`) and install helm."
                .into(),
        });
    }
    let chart = match gen3_chart(Path::new(chart_dir.trim())) {
        Ok(chart) => chart,
        Err(e) => return Ok(RenderedView::Unavailable { reason: format!("{} Change it in Settings.", e.message) }),
    };
    let helm = match find_helm() {
        Ok(helm) => helm,
        Err(e) if e.code == ErrorCode::ToolMissing => return Ok(RenderedView::Unavailable { reason: e.message }),
        Err(e) => return Err(e),
    };
    let generated = generate(answers)?;
    let after = render_files(answers, &generated.files, &helm, &chart)?;
    let again = render_files(answers, &generated.files, &helm, &chart)?;
    let root = destination_root(answers);
    let present: Vec<String> = values_order(answers, |rel| output::read_existing(&root, &[file(rel)]).pop().flatten())
        .into_iter()
        .filter(|f| root.join(f).is_file())
        .collect();
    let first_render = present.is_empty();
    let before = if first_render { Objects::default() } else { render_at(answers, &root, &present, &helm, &chart)? };
    Ok(RenderedView::Ready {
        comparison: compare(&before, &after, &Volatile::between(&after, &again)),
        chart_dir: chart.display().to_string(),
        first_render,
    })
}

/// Renders generated files (staged in a temporary folder) with `chart`, reading the value files
/// Helm or Argo CD would read, in their order.
pub fn render_files(
    answers: &CommonsAnswers,
    files: &[GeneratedFile],
    helm: &Path,
    chart: &Path,
) -> CoreResult<Objects> {
    let staging =
        tempfile::tempdir().map_err(|e| CoreError::io("create a temporary folder in", &std::env::temp_dir(), &e))?;
    output::write_atomically(staging.path(), files)?;
    let order = values_order(answers, |rel| files.iter().find(|f| f.path == rel).map(|f| f.contents.clone()));
    render_at(answers, staging.path(), &order, helm, chart)
}

/// Renders the value files `files` (relative to `root`, absent ones skipped) with the answers'
/// release and namespace.
fn render_at(
    answers: &CommonsAnswers,
    root: &Path,
    files: &[String],
    helm: &Path,
    chart: &Path,
) -> CoreResult<Objects> {
    let (release, namespace) = match &answers.destination {
        Destination::Gitops(g) => (g.release_name.trim(), g.namespace.trim()),
        Destination::Helm(h) => (h.release_name.trim(), h.namespace.trim()),
    };
    let namespace = if namespace.is_empty() { "default" } else { namespace };
    let input = TemplateInput {
        chart_dir: chart.to_path_buf(),
        release: if release.is_empty() { "gen3" } else { release }.to_string(),
        namespace: namespace.to_string(),
        values_files: files.iter().map(|f| root.join(f)).filter(|p| p.is_file()).collect(),
    };
    parse_objects(&helm_template(helm, &input)?, namespace)
}

fn file(path: &str) -> GeneratedFile {
    GeneratedFile { path: path.to_string(), contents: String::new() }
}

/// The value files Helm reads, relative to the destination root, in Argo CD's `valueFiles` order
/// (from the commons' `templates/app.yaml` as `read` gives it); a Helm destination has one.
fn values_order(answers: &CommonsAnswers, read: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let Some(folder) = answers.gitops_folder() else {
        return vec!["values.yaml".to_string()];
    };
    let app_path = format!("{folder}/templates/app.yaml");
    let app = read(&app_path)
        .and_then(|text| parse_yaml(&text, &app_path).ok())
        .and_then(|doc| ArgoApp::from_document(&doc, &app_path).ok());
    match app {
        Some(app) => {
            let prefix = format!("${}/", app.values_ref());
            // Only files inside the repository: an entry with `..` is not followed.
            app.value_files
                .iter()
                .filter_map(|f| f.strip_prefix(&prefix))
                .filter(|f| output::relative_path(f).is_ok())
                .map(str::to_string)
                .collect()
        }
        None => vec![format!("{folder}/values/values.yaml")],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_chart_folder_the_view_says_how_to_enable_it() {
        let view = rendered_view(&CommonsAnswers::default(), " ").unwrap();
        let RenderedView::Unavailable { reason } = view else { panic!("expected unavailable") };
        assert!(reason.contains("Settings") && reason.contains("gen3-helm"), "{reason}");
        let dir = tempfile::tempdir().unwrap();
        let view = rendered_view(&CommonsAnswers::default(), dir.path().to_str().unwrap()).unwrap();
        let RenderedView::Unavailable { reason } = view else { panic!("expected unavailable") };
        assert!(reason.contains("holds no gen3 chart"), "{reason}");
    }

    #[test]
    fn a_clone_or_its_chart_folder_is_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let chart = dir.path().join("helm/gen3");
        std::fs::create_dir_all(&chart).unwrap();
        std::fs::write(chart.join("Chart.yaml"), "apiVersion: v2\nname: gen3\nversion: 0.1.0\n").unwrap();
        assert_eq!(gen3_chart(dir.path()).unwrap(), chart);
        assert_eq!(gen3_chart(&chart).unwrap(), chart);
        assert!(gen3_chart(&dir.path().join("helm")).is_err());
    }
}
