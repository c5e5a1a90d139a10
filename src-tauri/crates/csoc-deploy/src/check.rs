//! `gen3-csoc commons check`: every finding the wizard's review would show for a commons on disk
//! (a gen3-gitops folder, a values file, a cdis-manifest folder or manifest.json), located in the
//! file and line that sets it, for an operator's CI. Nothing is written and the inventory is not
//! opened.

use std::path::Path;

use serde::Serialize;
use serde_yaml_ng::Value;

use super::answers::ImportedBase;
use super::generate::generate;
use super::import::{import_path, ImportKind};
use super::review::{all_findings, step_name};
use super::yaml::parse_values_lenient;
use super::yaml_edit::{exists, Step};
use super::{Finding, Severity};
use csoc_model::counted::counted;
use csoc_model::error::CoreResult;

#[derive(Debug, Clone, Serialize)]
pub struct CheckedFinding {
    /// `code@key`: what `commons render --acknowledge` takes.
    pub id: String,
    pub severity: Severity,
    pub acknowledgeable: bool,
    /// The wizard step that fixes it (0: the import itself).
    pub step: u8,
    pub step_name: &'static str,
    pub key: Option<String>,
    pub file: Option<String>,
    /// 1-based line in `file` where `key` is set.
    pub line: Option<usize>,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub path: String,
    pub kind: ImportKind,
    pub summary: String,
    pub findings: Vec<CheckedFinding>,
    /// Errors that cannot be acknowledged: the check fails while there are any.
    pub blocking: usize,
}

/// Checks whatever `path` holds, as the review of its unchanged import.
pub fn check(path: &Path) -> CoreResult<CheckReport> {
    let imported = import_path(path)?;
    let generated = generate(&imported.answers)?;
    let base = imported.answers.base.as_ref();
    let mut findings: Vec<CheckedFinding> =
        imported.warnings.iter().map(|w| located(base, format!("{}@{}", w.code, key_of(w)), 0, w)).collect();
    findings.extend(
        all_findings(&imported.answers, &generated).iter().map(|f| located(base, f.ack_id.clone(), f.step, &f.finding)),
    );
    findings.sort_by_key(|f| (std::cmp::Reverse(f.severity), f.step));
    let blocking = findings.iter().filter(|f| f.severity == Severity::Error && !f.acknowledgeable).count();
    Ok(CheckReport {
        path: path.display().to_string(),
        kind: imported.kind,
        summary: imported.summary,
        findings,
        blocking,
    })
}

fn key_of(f: &Finding) -> &str {
    f.key.as_deref().unwrap_or("")
}

fn located(base: Option<&ImportedBase>, id: String, step: u8, f: &Finding) -> CheckedFinding {
    let found = base.zip(f.key.as_deref()).and_then(|(b, key)| locate(b, key));
    let (file, line) = match found {
        Some((file, line)) => (Some(file), line),
        None => (f.file.clone(), None),
    };
    CheckedFinding {
        id,
        severity: f.severity,
        acknowledgeable: f.acknowledgeable,
        step,
        step_name: step_name(step),
        key: f.key.clone(),
        file,
        line,
        message: f.message.clone(),
    }
}

/// The imported file that sets dotted `key` (the last one, as Helm applies them) and its line.
fn locate(base: &ImportedBase, key: &str) -> Option<(String, Option<usize>)> {
    let steps: Vec<Step> = key
        .split('.')
        .map(|k| k.parse::<usize>().map(Step::Index).unwrap_or_else(|_| Step::Key(k.to_string())))
        .collect();
    base.sources.iter().rev().find_map(|source| {
        let (value, _) = parse_values_lenient(&source.text, &source.path).ok()?;
        if !matches!(value, Value::Mapping(_)) || !exists(&value, &steps) {
            return None;
        }
        Some((source.path.clone(), line_of(&source.text, &steps)))
    })
}

fn line_of(text: &str, steps: &[Step]) -> Option<usize> {
    let route = yamlpath::Route::from(
        steps
            .iter()
            .map(|s| match s {
                Step::Key(k) => yamlpath::Component::Key(k.clone().into()),
                Step::Index(i) => yamlpath::Component::Index(*i),
            })
            .collect::<Vec<_>>(),
    );
    let document = yamlpath::Document::new(text.to_string()).ok()?;
    let feature = document.query_key_only(&route).or_else(|_| document.query_pretty(&route)).ok()?;
    let start = feature.location.byte_span.0;
    Some(text[..start.min(text.len())].matches('\n').count() + 1)
}

/// The report as an operator reads it in a CI log.
pub fn to_text(report: &CheckReport) -> String {
    let mut lines = vec![format!("{}: {}", report.path, report.summary)];
    for f in &report.findings {
        let severity = match (f.severity, f.acknowledgeable) {
            (Severity::Error, false) => "error",
            (Severity::Error, true) => "error (can be acknowledged)",
            (Severity::Warning, _) => "warning",
        };
        let place = match (&f.file, f.line) {
            (Some(file), Some(line)) => format!(" {file}:{line}"),
            (Some(file), None) => format!(" {file}"),
            _ => String::new(),
        };
        lines.push(format!(
            "{severity} [{}] {}{place} (step {}: {})",
            f.id,
            f.key.as_deref().unwrap_or("-"),
            f.step,
            f.step_name
        ));
        lines.push(format!("    {}", f.message));
    }
    let errors = report.findings.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings = report.findings.len() - errors;
    lines.push(format!(
        "{}, {} of them blocking (the others can be acknowledged with --acknowledge ID); {}.",
        counted(errors, "error", "errors"),
        report.blocking,
        counted(warnings, "warning", "warnings")
    ));
    lines.join("\n")
}
