//! "Collect diagnostics": the facts, the logs and the inventory without notes, in one zip with no
//! secret. The sources hold none by design (the vault is never read here); still, every entry loses
//! token-shaped text, and log lines lose the value after a secret-naming key, in case a library
//! quoted one (structured entries are not masked that way: it would break their JSON).

use std::io::Write;
use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::facts::{log_files, tail, Diagnostics};
use crate::activity::{self, ActivityFilter, ActivityKind, Note};
use crate::error::{CoreError, CoreResult};
use crate::store::Store;

/// The tail of each log file that goes into the zip.
const LOG_BYTES: u64 = 4 * 1024 * 1024;
/// Activity entries that go into the zip, newest first.
const ACTIVITY_ENTRIES: u32 = 1000;

#[derive(Debug, Clone, Serialize, TS)]
pub struct CollectSummary {
    pub path: String,
    /// The names of the zip's entries.
    pub entries: Vec<String>,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// Writes the zip to `out` (a temporary file renamed into place) and records it in the activity log.
pub fn collect(facts: &Diagnostics, store: Option<&Store>, log_dir: &Path, out: &Path) -> CoreResult<CollectSummary> {
    let result = write_zip(facts, store, log_dir, out);
    if let Some(s) = store {
        let what = match &result {
            Ok(sum) => format!("Collected diagnostics to {} ({} files)", sum.path, sum.entries.len()),
            Err(_) => format!("Collecting diagnostics to {}", out.display()),
        };
        activity::record(s, Note::new(ActivityKind::ConfigWrite, what).outcome(&result));
    }
    result
}

fn write_zip(facts: &Diagnostics, store: Option<&Store>, log_dir: &Path, out: &Path) -> CoreResult<CollectSummary> {
    let mut entries: Vec<(String, String)> =
        vec![("diagnostics.json".into(), serde_json::to_string_pretty(facts).expect("facts serialize"))];
    if let Some(s) = store {
        entries.push(("inventory.json".into(), inventory_without_notes(s)?));
        let recent = ActivityFilter { limit: Some(ACTIVITY_ENTRIES), ..Default::default() };
        entries.push(("activity.jsonl".into(), activity::to_json_lines(&activity::list(s, &recent)?)));
    }
    for file in log_files(log_dir) {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        entries.push((format!("logs/{name}"), scrubbed(&tail(&file, LOG_BYTES))));
    }

    let tmp = out.with_extension("zip.partial");
    let io = |e: std::io::Error| CoreError::io("write", &tmp, &e);
    let zip_err = |e: zip::result::ZipError| {
        tracing::error!(error = %e, "diagnostics zip");
        CoreError::new(crate::error::ErrorCode::Io, format!("Could not write the zip {}.", out.display()))
    };
    let file = std::fs::File::create(&tmp).map_err(io)?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o600);
    for (name, text) in &entries {
        zip.start_file(name.as_str(), options).map_err(zip_err)?;
        zip.write_all(without_tokens(text).as_bytes()).map_err(io)?;
    }
    zip.finish().map_err(zip_err)?;
    std::fs::rename(&tmp, out).map_err(|e| CoreError::io("write", out, &e))?;
    let bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    tracing::info!(path = %out.display(), entries = entries.len(), bytes, "diagnostics collected");
    Ok(CollectSummary {
        path: out.display().to_string(),
        entries: entries.into_iter().map(|(n, _)| n).collect(),
        bytes,
    })
}

/// The inventory export with every commons' notes emptied (notes are free text an operator may
/// have put anything in).
fn inventory_without_notes(store: &Store) -> CoreResult<String> {
    let mut file: serde_json::Value =
        serde_json::from_str(&crate::transfer::export_json(store)?).expect("own export parses");
    for c in file["commons"].as_array_mut().into_iter().flatten() {
        c["notes"] = serde_json::Value::String(String::new());
    }
    Ok(serde_json::to_string_pretty(&file).expect("inventory serializes"))
}

/// Log text with JWT-shaped tokens replaced and the value after a secret-naming key masked, line by line.
pub(super) fn scrubbed(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        // Masking rewrites the line after the key, so the line ending is kept aside.
        let (body, end) = line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n"));
        out.push_str(&crate::deploy::helm_launch::mask_secrets(&without_tokens(body)));
        out.push_str(end);
    }
    out
}

/// Replaces every `eyJ….….…` run (a JSON Web Token: an API key, an access token) with a marker.
fn without_tokens(line: &str) -> String {
    let is_token_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("eyJ") {
        out.push_str(&rest[..at]);
        let run_len = rest[at..].find(|c: char| !is_token_char(c)).unwrap_or(rest.len() - at);
        let run = &rest[at..at + run_len];
        if run.matches('.').count() >= 2 {
            out.push_str("<redacted token>");
        } else {
            out.push_str(run);
        }
        rest = &rest[at + run_len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::scrubbed;

    #[test]
    fn tokens_and_secret_values_are_scrubbed() {
        let line = "INFO got eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiI3In0.c2lnbmF0dXJl from fence\n";
        assert_eq!(scrubbed(line), "INFO got <redacted token> from fence\n");
        assert_eq!(scrubbed("client_secret: hunter2\n"), "client_secret: <redacted>\n");
        assert_eq!(scrubbed("eyJ is only a prefix here\n"), "eyJ is only a prefix here\n");
        assert_eq!(scrubbed("token=abc\nnext line\n"), "token= <redacted>\nnext line\n", "lines stay apart");
    }
}
