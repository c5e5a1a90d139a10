//! `gen3-csoc commons import|render`: the wizard's import and generation for scripts and CI.

use std::path::Path;

use crate::answers::{CommonsAnswers, Destination};
use crate::drafts::{self, Draft, DraftKind};
use crate::generate::generate;
use crate::import::{add_to_inventory, import_path};
use crate::review::{all_findings, StepFinding};
use crate::{output, yaml, GeneratedFile, Severity};
use csoc_model::error::{CoreError, CoreResult};
use csoc_store::Store;

/// Imports a commons into the inventory and a draft, and writes its answers to `answers_out`
/// when given; returns what to print.
pub fn import(store: &Store, path: &Path, answers_out: Option<&Path>) -> CoreResult<String> {
    let imported = import_path(path)?;
    let mut lines = vec![format!("Read {}: {}.", path.display(), imported.summary)];
    for w in &imported.warnings {
        lines.push(format!("warning: {}", w.message));
    }
    if let Some(file) = answers_out {
        let text = serde_yaml_ng::to_string(&imported.answers)
            .map_err(|e| CoreError::invalid(format!("The answers could not be written as YAML ({e}).")))?;
        let folder = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        output::write_atomically(folder, &[GeneratedFile { path: name, contents: text }])?;
        lines.push(format!("Wrote the imported answers to {} (render them with `commons render`).", file.display()));
    }
    if imported.is_commons() {
        // Everything that can refuse the draft is checked before the inventory changes.
        let draft = draft_of(&imported.answers, &imported.summary)?;
        drafts::check(&draft)?;
        let c = add_to_inventory(store, &imported.answers)?;
        lines.push(format!("{} ({}) is in the inventory.", c.draft.name, c.draft.base_url));
        let draft = drafts::save(store, &draft).map_err(|e| crate::import_report::kept_without_draft(&c, e))?;
        lines.push(format!("Saved as wizard draft {} to edit and re-launch in the window.", draft.id));
    } else if let Some(problem) = crate::import_report::hostname_problem(&imported) {
        return Err(problem);
    } else {
        lines.push("Nothing added to the inventory (not a commons).".into());
    }
    Ok(lines.join("\n"))
}

/// A wizard draft opened at the review step, for an imported commons.
pub fn draft_of(answers: &CommonsAnswers, summary: &str) -> CoreResult<Draft> {
    let json = serde_json::to_value(answers)
        .map_err(|e| CoreError::invalid(format!("The answers could not be saved as a draft ({e}).")))?;
    Ok(Draft {
        id: String::new(),
        kind: DraftKind::Commons,
        title: if answers.identity.hostname.is_empty() {
            summary.to_string()
        } else {
            answers.identity.hostname.clone()
        },
        // The review step (0-based): an imported commons opens on its files and findings.
        step: 7,
        answers: json,
        updated_at: 0,
    })
}

/// Reads an answers file (YAML, which includes JSON).
pub fn read_answers(path: &Path) -> CoreResult<CommonsAnswers> {
    let text = yaml::read_config_file(path)?;
    let name = path.display().to_string();
    let value = yaml::parse_yaml(&text, &name)?;
    serde_yaml_ng::from_value(value)
        .map_err(|e| CoreError::invalid(format!("{name} is not a wizard answers file: {e}.")))
}

/// Renders an answers file into `out`; refuses, writing nothing, while errors stand.
pub fn render(answers_file: &Path, out: &Path, acknowledge: &[String]) -> CoreResult<String> {
    let mut answers = read_answers(answers_file)?;
    answers.acknowledged.extend(acknowledge.iter().cloned());
    // The output folder stands in for the clone (or helm's folder): render never commits.
    match &mut answers.destination {
        Destination::Gitops(g) => g.repo_path = out.display().to_string(),
        Destination::Helm(h) => h.output_dir = out.display().to_string(),
    }
    let generated = generate(&answers)?;
    let findings = all_findings(&answers, &generated);
    let lines = write_checked(answers_file, out, &generated.files, &findings, Vec::new())?;
    Ok(lines.join("\n"))
}

/// Writes `files` into `out` unless an error stands among `findings` (or `more_errors`, from checks
/// outside the review), in which case nothing is written and the error lists them with the ids to
/// acknowledge; returns the files written and every warning, to print.
pub fn write_checked(
    source: &Path,
    out: &Path,
    files: &[GeneratedFile],
    findings: &[StepFinding],
    more_errors: Vec<String>,
) -> CoreResult<Vec<String>> {
    let errors: Vec<String> = more_errors
        .into_iter()
        .chain(findings.iter().filter(|f| f.finding.severity == Severity::Error && !f.acknowledged).map(|f| {
            let hint = if f.finding.acknowledgeable {
                format!(" (acknowledge with --acknowledge {})", f.ack_id)
            } else {
                String::new()
            };
            format!("error [{}] (step {}): {}{hint}", f.ack_id, f.step, f.finding.message)
        }))
        .collect();
    if !errors.is_empty() {
        return Err(CoreError::invalid(format!(
            "{} does not pass the checks; nothing was written.\n{}",
            source.display(),
            errors.join("\n")
        )));
    }
    std::fs::create_dir_all(out).map_err(|e| CoreError::io("create", out, &e))?;
    let written = output::write_atomically(out, files)?;
    let mut lines: Vec<String> = written.iter().map(|p| format!("wrote {}", p.display())).collect();
    lines.extend(
        findings
            .iter()
            .filter(|f| f.finding.severity == Severity::Warning)
            .map(|f| format!("warning (step {}): {}", f.step, f.finding.message)),
    );
    Ok(lines)
}
