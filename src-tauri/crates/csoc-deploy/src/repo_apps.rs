//! What the other commons of a gen3-gitops repository do, for the defaults of a new one: a new
//! Application tracks the gen3-helm revision its neighbours track, so a repository pinned to a
//! tag does not get one commons on `master`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::gitops::ArgoApp;
use crate::yaml::{parse_yaml, read_config_file};

/// gen3-helm's default branch, which upstream gen3-gitops Applications track.
pub(crate) const DEFAULT_CHART_REVISION: &str = "master";

/// The gen3-helm `targetRevision` most Applications in the repository at `repo` use
/// (`<cluster>/<commons>/templates/app.yaml` or `<commons>/templates/app.yaml`); on a tie the one
/// that sorts first; `master` when the repository has none.
pub(crate) fn chart_revision(repo: &Path) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for app in app_files(repo) {
        let Ok(text) = read_config_file(&app) else { continue };
        let label = app.display().to_string();
        let Some(app) = parse_yaml(&text, &label).ok().and_then(|doc| ArgoApp::from_document(&doc, &label).ok()) else {
            continue;
        };
        let revision = app.chart_revision.trim();
        if !revision.is_empty() {
            *counts.entry(revision.to_string()).or_default() += 1;
        }
    }
    let best = counts.values().copied().max().unwrap_or(0);
    counts.into_iter().find(|(_, n)| *n == best && best > 0).map_or_else(|| DEFAULT_CHART_REVISION.into(), |(r, _)| r)
}

/// `templates/app.yaml` one or two folders below the repository root (hidden folders skipped).
fn app_files(repo: &Path) -> Vec<std::path::PathBuf> {
    let subdirs = |dir: &Path| -> Vec<std::path::PathBuf> {
        let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
        let mut dirs: Vec<_> = entries
            .filter_map(Result::ok)
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        dirs
    };
    let mut out = Vec::new();
    if repo.as_os_str().is_empty() {
        return out;
    }
    for first in subdirs(repo) {
        for dir in std::iter::once(first.clone()).chain(subdirs(&first)) {
            let app = dir.join("templates").join("app.yaml");
            if app.is_file() {
                out.push(app);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(revision: &str) -> String {
        format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: x\nspec:\n  sources:\n  - repoURL: \
             https://github.com/uc-cdis/gen3-helm\n    path: helm/gen3\n    targetRevision: {revision}\n  - repoURL: \
             https://github.com/uc-cdis/gen3-gitops\n    targetRevision: master\n    ref: values\n"
        )
    }

    #[test]
    fn a_new_app_follows_its_neighbours() {
        let repo = tempfile::tempdir().unwrap();
        assert_eq!(chart_revision(repo.path()), "master", "an empty repository: upstream's default");
        for (folder, revision) in [("prod/a.org", "gen3-1.2.3"), ("prod/b.org", "gen3-1.2.3"), ("c.org", "develop")] {
            let dir = repo.path().join(folder).join("templates");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("app.yaml"), app(revision)).unwrap();
        }
        std::fs::create_dir_all(repo.path().join("broken/templates")).unwrap();
        std::fs::write(repo.path().join("broken/templates/app.yaml"), "kind: [").unwrap();
        assert_eq!(chart_revision(repo.path()), "gen3-1.2.3");
    }
}
