//! The words `gen3-csoc team` prints.

use super::{SyncReport, TeamStatus};
use csoc_model::display_text::shown;
use csoc_model::error::{CoreError, CoreResult, ErrorCode};

const LINE_CHARS: usize = 400;

/// A sync's summary; an unreachable repository is an error (exit code) that says the changes wait.
pub fn sync_text(report: SyncReport) -> CoreResult<String> {
    if let Some(why) = report.offline {
        return Err(CoreError::new(
            ErrorCode::Unreachable,
            format!("{} {} — they are pushed at the next sync.", shown(&why, LINE_CHARS), waiting(report.pending)),
        ));
    }
    let mut text = format!(
        "Synced: {} taken from the team repository, {} shared{}.",
        report.pulled,
        report.pushed,
        report.commit.as_deref().map(|c| format!(" in commit {}", c.get(..12).unwrap_or(c))).unwrap_or_default()
    );
    if report.conflicts > 0 {
        text.push_str(&format!(
            "\n{} conflict{} to resolve: see `gen3-csoc team status`.",
            report.conflicts,
            if report.conflicts == 1 { "" } else { "s" }
        ));
    }
    Ok(text)
}

fn waiting(pending: u32) -> String {
    match pending {
        0 => "No local change is waiting".into(),
        1 => "1 local change waits".into(),
        n => format!("{n} local changes wait"),
    }
}

pub fn status_text(s: &TeamStatus) -> String {
    let Some(repo) = &s.repo else {
        return "Not part of a team repository. Join one with: gen3-csoc team join REPO [--folder PATH]".into();
    };
    let mut lines = vec![format!(
        "Team repository {} (branch {}, folder {}).",
        shown(repo, LINE_CHARS),
        s.branch.as_deref().unwrap_or("?"),
        s.folder.as_deref().unwrap_or("?")
    )];
    lines.push(match s.last_synced {
        Some(t) => format!("Last synced at {t} (unix ms)."),
        None => "Never synced.".into(),
    });
    if let Some(e) = &s.last_error {
        lines.push(format!("The last sync failed: {}", shown(e, LINE_CHARS)));
    }
    lines.push(format!("{}.", waiting(s.pending)));
    for c in &s.conflicts {
        let when = |t: Option<i64>| t.map(|t| format!(" at {t}")).unwrap_or_default();
        let what = if c.field == "*" { "the whole record".to_string() } else { c.field.clone() };
        lines.push(format!(
            "CONFLICT {} {} {}: {} — {}\n  mine ({}{}): {}\n  theirs ({}{}): {}\n  resolve: gen3-csoc team resolve {} {} '{}' --keep mine|theirs",
            c.kind,
            c.key,
            c.field,
            shown(&c.label, LINE_CHARS),
            what,
            shown(&c.mine_by, 80),
            when(c.mine_at),
            shown(&c.mine, LINE_CHARS),
            shown(&c.theirs_by, 80),
            when(c.theirs_at),
            shown(&c.theirs, LINE_CHARS),
            c.kind,
            c.key,
            c.field
        ));
    }
    lines.join("\n")
}
