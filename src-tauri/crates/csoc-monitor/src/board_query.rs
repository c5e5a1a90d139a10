//! The board's own narrowing and order on top of the inventory's filter: search words that name a
//! state or an environment ("down", "production"), a state or summary problem to show only, and
//! the problems-first order.

use super::probe::ServiceState;
use super::views::{CommonsHealth, CERT_SOON_DAYS};
use csoc_model::model::{BoardProblem, Environment, InventoryFilter};
use csoc_vault::KeyStatus;

/// Search words the board reads as a state or an environment rather than as text.
const WORDS: [(&str, Facet); 11] = [
    ("down", Facet::Problem(BoardProblem::Down)),
    ("degraded", Facet::Problem(BoardProblem::Degraded)),
    ("healthy", Facet::Problem(BoardProblem::Healthy)),
    ("unreachable", Facet::Problem(BoardProblem::UnreachableHere)),
    ("drift", Facet::Problem(BoardProblem::Drifting)),
    ("drifting", Facet::Problem(BoardProblem::Drifting)),
    ("production", Facet::Env(Environment::Production)),
    ("prod", Facet::Env(Environment::Production)),
    ("staging", Facet::Env(Environment::Staging)),
    ("dev", Facet::Env(Environment::Dev)),
    ("other", Facet::Env(Environment::Other)),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Facet {
    Problem(BoardProblem),
    Env(Environment),
}

/// The inventory filter with state and environment words taken out of the search (and the
/// environment set from them), and the states the words asked for.
pub(crate) fn split(filter: &InventoryFilter) -> (InventoryFilter, Vec<BoardProblem>) {
    let mut out = filter.clone();
    let mut states = Vec::new();
    let mut text = Vec::new();
    for word in filter.search.split_whitespace() {
        match WORDS.iter().find(|(w, _)| w.eq_ignore_ascii_case(word)) {
            Some((_, Facet::Problem(p))) => states.push(*p),
            Some((_, Facet::Env(e))) if out.environment.is_none() || out.environment == Some(*e) => {
                out.environment = Some(*e)
            }
            _ => text.push(word),
        }
    }
    out.search = text.join(" ");
    (out, states)
}

/// Every problem (and the state) a row has, as the summary counts them.
pub(crate) fn problems_of(row: &CommonsHealth, now_secs: i64) -> Vec<BoardProblem> {
    let mut found = Vec::new();
    match (&row.last_attempted, row.overall) {
        (None, _) => found.push(BoardProblem::NeverChecked),
        _ if row.unreachable_here => found.push(BoardProblem::UnreachableHere),
        (_, ServiceState::Down) => found.push(BoardProblem::Down),
        (_, ServiceState::Degraded) => found.push(BoardProblem::Degraded),
        (_, ServiceState::Healthy) => found.push(BoardProblem::Healthy),
        _ => {}
    }
    if row.services.iter().any(|s| s.state == ServiceState::Down) {
        found.push(BoardProblem::ServicesDown);
    }
    if let Some(na) = row.cert.as_ref().and_then(|c| c.not_after) {
        if na <= now_secs {
            found.push(BoardProblem::CertsExpired);
        } else if na - now_secs <= CERT_SOON_DAYS * 86_400 {
            found.push(BoardProblem::CertsExpiring);
        }
    }
    match row.key.as_ref().map(|k| k.status) {
        Some(KeyStatus::Expired | KeyStatus::Rejected) => found.push(BoardProblem::KeysExpired),
        Some(KeyStatus::Expiring) => found.push(BoardProblem::KeysExpiring),
        _ => {}
    }
    if !row.drift.is_empty() {
        found.push(BoardProblem::Drifting);
    }
    if row.checks.iter().any(|c| !c.ok) {
        found.push(BoardProblem::ChecksFailing);
    }
    found
}

/// How urgent a row is, 0 first: down, degraded, expired, expiring or drifting or failing a check,
/// not known (unreachable from here, never checked), healthy.
pub(crate) fn urgency(problems: &[BoardProblem]) -> u8 {
    use BoardProblem::*;
    let rank = |p: &BoardProblem| match p {
        Down => 0,
        Degraded | ServicesDown => 1,
        CertsExpired | KeysExpired => 2,
        CertsExpiring | KeysExpiring | Drifting | ChecksFailing => 3,
        UnreachableHere | NeverChecked => 4,
        Healthy => 5,
    };
    problems.iter().map(rank).min().unwrap_or(5)
}
