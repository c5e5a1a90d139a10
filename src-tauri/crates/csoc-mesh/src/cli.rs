//! `gen3-csoc mesh render ANSWERS --out DIR`: a mesh's hub files for scripts and CI, through the
//! same build and checks as the mesh wizard.

use std::path::Path;

use crate::wizard::{build, MeshAnswers, MeshBuild};
use csoc_deploy::answers::Destination;
use csoc_deploy::cli::write_checked;
use csoc_deploy::generate::generate;
use csoc_deploy::review::all_findings;
use csoc_deploy::{yaml, Severity};
use csoc_model::error::{CoreError, CoreResult};

/// Reads a mesh answers file (YAML or JSON). A relative `hub.gitops_folder` is read from the
/// answers file's folder, so an answers file can sit beside the repository it describes.
pub(crate) fn read_mesh_answers(path: &Path) -> CoreResult<MeshAnswers> {
    let text = yaml::read_config_file(path)?;
    let name = path.display().to_string();
    let mut answers: MeshAnswers = serde_yaml_ng::from_value(yaml::parse_yaml(&text, &name)?)
        .map_err(|e| CoreError::invalid(format!("{name} is not a mesh answers file: {e}.")))?;
    let folder = answers.hub.gitops_folder.trim();
    if !folder.is_empty() && Path::new(folder).is_relative() {
        let base = path.parent().unwrap_or(Path::new("."));
        answers.hub.gitops_folder = base.join(folder).display().to_string();
    }
    Ok(answers)
}

/// Builds the mesh into its hub's answers, with the hub's gen3-gitops clone at `repo`.
pub(crate) fn build_hub(answers: &MeshAnswers, repo: &Path) -> CoreResult<MeshBuild> {
    let mut built = build(answers)?;
    if let Destination::Gitops(g) = &mut built.hub.destination {
        g.repo_path = repo.display().to_string();
    }
    Ok(built)
}

/// Writes the hub's files into `out` (the gen3-gitops repository root) and returns what to print:
/// the files, every warning, and the values each member must add for Fence as IdP. Refuses,
/// writing nothing, while an error stands.
pub fn render(answers_file: &Path, out: &Path) -> CoreResult<String> {
    let answers = read_mesh_answers(answers_file)?;
    let built = build_hub(&answers, out)?;
    let generated = generate(&built.hub)?;
    let hub_findings = all_findings(&built.hub, &generated);
    let (mesh_errors, mesh_warnings): (Vec<_>, Vec<_>) =
        built.findings.iter().partition(|f| f.severity == Severity::Error);
    let errors = mesh_errors.iter().map(|f| format!("error: {}", f.message)).collect();
    let mut lines = write_checked(answers_file, out, &generated.files, &hub_findings, errors)?;
    lines.extend(mesh_warnings.iter().map(|f| format!("warning: {}", f.message)));
    for s in &built.member_snippets {
        lines.push(format!("Add to {}'s values (its users log in through the hub):\n{}", s.member, s.yaml.trim_end()));
    }
    Ok(lines.join("\n"))
}
