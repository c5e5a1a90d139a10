//! `gen3-csoc commons render`: the wizard's generation for scripts and CI.

use std::path::Path;

use crate::answers::{CommonsAnswers, Destination};
use crate::generate::generate;
use crate::review::{all_findings, StepFinding};
use crate::{output, yaml, GeneratedFile, Severity};
use csoc_model::error::{CoreError, CoreResult};

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
