//! What the fleet board and a commons' health page read from the cache (never the network).

use std::collections::HashMap;

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::board_query;
use super::catalog::service_ids;
use super::checks;
use super::history::{StateChange, HEALTH_SOURCE};
use super::probe::{Counts, ServiceState};
use csoc_gen3::tls_cert::CertInfo;
use csoc_model::error::CoreResult;
use csoc_model::model::{now_ms, BoardProblem, Commons, Environment, Freshness, InventoryFilter, SortKey};
use csoc_model::validate::is_release;
use csoc_store::inventory;
use csoc_store::Store;
use csoc_vault::{key_status, KeyStatus};

pub(super) const CERT_SOON_DAYS: i64 = 14;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ServiceStatus {
    pub service: String,
    pub state: ServiceState,
    #[ts(type = "number")]
    pub since: i64,
    pub latency_ms: Option<u32>,
    pub version: Option<String>,
    pub detail: Option<String>,
}

/// One outside-in check of a commons as last recorded (and, for login providers and AggMDS
/// counts, as compared with the other commons).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CheckStatus {
    pub check: String,
    /// What it is about, in words.
    pub title: String,
    pub ok: bool,
    pub summary: String,
    /// Since when it has been passing or failing.
    #[ts(type = "number")]
    pub since: i64,
    #[ts(type = "number")]
    pub checked_at: i64,
    /// What it read (the JWKS fingerprint, IdP ids, ETL time, counts), for comparisons.
    pub fact: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct KeySummary {
    pub status: KeyStatus,
    #[ts(type = "number")]
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CommonsHealth {
    pub commons: Commons,
    /// The worst state across services; `unknown` before the first sweep, and for a commons this
    /// computer cannot reach when that says nothing about the commons (see `unreachable_here`).
    pub overall: ServiceState,
    /// The last check could not reach the commons, and either it was never reached from here or
    /// nothing else was reachable either (offline, off the VPN): "unreachable from here", not down.
    pub unreachable_here: bool,
    #[ts(type = "number | null")]
    pub last_attempted: Option<i64>,
    #[ts(type = "number | null")]
    pub last_successful: Option<i64>,
    /// Why the last attempt failed to reach the commons.
    pub error: Option<String>,
    pub services: Vec<ServiceStatus>,
    pub cert: Option<CertInfo>,
    pub counts: Counts,
    pub dictionary_version: Option<String>,
    pub helm: Option<bool>,
    pub key: Option<KeySummary>,
    pub key_error: Option<String>,
    /// Services whose image version names another release than the expected one, e.g. "fence 2025.06".
    pub drift: Vec<String>,
    /// The outside-in checks (fence's issuer and keys, IdPs, ETL age, mesh), failing first.
    pub checks: Vec<CheckStatus>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct FleetSummary {
    pub commons: u32,
    pub commons_down: u32,
    pub commons_degraded: u32,
    pub services_down: u32,
    pub certs_expiring: u32,
    pub certs_expired: u32,
    pub keys_expiring: u32,
    pub keys_expired: u32,
    pub drifting: u32,
    pub never_checked: u32,
    /// Commons not reached from this computer that are not known to be down.
    pub unreachable_here: u32,
    /// Commons with at least one failing outside-in check.
    pub checks_failing: u32,
    pub healthy: u32,
    /// Commons with at least one service down (the link behind `services_down`).
    pub commons_with_services_down: u32,
}

impl FleetSummary {
    /// The counter of a problem; services down are counted per service, not here.
    fn count_of(&mut self, p: BoardProblem) -> &mut u32 {
        match p {
            BoardProblem::Down => &mut self.commons_down,
            BoardProblem::Degraded => &mut self.commons_degraded,
            BoardProblem::UnreachableHere => &mut self.unreachable_here,
            BoardProblem::NeverChecked => &mut self.never_checked,
            BoardProblem::CertsExpired => &mut self.certs_expired,
            BoardProblem::CertsExpiring => &mut self.certs_expiring,
            BoardProblem::KeysExpired => &mut self.keys_expired,
            BoardProblem::KeysExpiring => &mut self.keys_expiring,
            BoardProblem::ChecksFailing => &mut self.checks_failing,
            BoardProblem::Drifting => &mut self.drifting,
            BoardProblem::Healthy => &mut self.healthy,
            BoardProblem::ServicesDown => &mut self.commons_with_services_down,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FleetView {
    /// Production first, then by name.
    pub rows: Vec<CommonsHealth>,
    /// How many rows the filters match: more than `rows` holds when the request had a `limit`.
    pub matched: u32,
    pub summary: FleetSummary,
    /// The board's columns, in catalog order.
    pub services: Vec<String>,
    pub freshness: Freshness,
    /// The last sweep reached no commons at all.
    pub offline: bool,
    #[ts(type = "number")]
    pub read_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HistoryRange {
    Day,
    Week,
    Month,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct HistoryPoint {
    #[ts(type = "number")]
    pub at: i64,
    /// Share of healthy answers among deployed services in this bucket (0..1); null with no samples.
    pub uptime: Option<f64>,
    pub latency_ms: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CommonsHealthDetail {
    pub health: CommonsHealth,
    pub range: HistoryRange,
    pub history: Vec<HistoryPoint>,
    pub changes: Vec<StateChange>,
    #[ts(type = "number")]
    pub read_at: i64,
}

pub fn fleet(store: &Store, filter: &InventoryFilter) -> CoreResult<FleetView> {
    let (filter, searched_states) = board_query::split(filter);
    let conn = store.conn();
    // Only the rows: the inventory view's counts, tag and mesh lists are not needed here.
    let commons = inventory::query_commons(&conn, &filter)?;
    let freshness = inventory::freshness(&conn, HEALTH_SOURCE)?;
    let offline = freshness.last_error.is_some() && freshness.last_attempted.is_some();
    let mut parts = load_parts(&conn)?;
    let order = catalog_order();
    let mut rows: Vec<CommonsHealth> = commons.into_iter().map(|c| build(c, &mut parts, &order)).collect();
    cross_checks(&mut rows);
    let mut summary = FleetSummary::default();
    let now_secs = now_ms() / 1000;
    let problems: Vec<Vec<BoardProblem>> = rows.iter().map(|h| board_query::problems_of(h, now_secs)).collect();
    for (h, found) in rows.iter().zip(&problems) {
        summary.commons += 1;
        summary.services_down += h.services.iter().filter(|s| s.state == ServiceState::Down).count() as u32;
        for p in found {
            *summary.count_of(*p) += 1;
        }
    }
    // The summary counts what the search and filters matched; a state or problem narrows only
    // the rows, so its links keep their numbers while one of them is followed.
    let wanted: Vec<BoardProblem> = searched_states.into_iter().chain(filter.problem).collect();
    let mut rows: Vec<(u8, CommonsHealth)> = rows
        .into_iter()
        .zip(problems)
        .filter(|(_, found)| wanted.iter().all(|w| found.contains(w)))
        .map(|(h, found)| (board_query::urgency(&found), h))
        .collect();
    let by_problems = filter.sort == SortKey::Problems;
    rows.sort_by_key(|(urgency, r)| {
        (
            if by_problems { *urgency } else { 0 },
            r.commons.draft.environment != Environment::Production,
            r.commons.draft.name.to_lowercase(),
        )
    });
    let matched = rows.len() as u32;
    let shown = filter.limit.map_or(rows.len(), |limit| limit as usize);
    let rows: Vec<CommonsHealth> = rows.into_iter().take(shown).map(|(_, r)| r).collect();
    Ok(FleetView {
        offline,
        rows,
        matched,
        summary,
        services: service_ids().into_iter().map(str::to_string).collect(),
        freshness,
        read_at: now_ms(),
    })
}

pub fn commons_detail(store: &Store, id: &str, range: HistoryRange) -> CoreResult<CommonsHealthDetail> {
    let commons = inventory::get(store, id)?;
    // Before taking the connection: the health reads the whole fleet through it.
    let health = health(store, commons)?;
    let conn = store.conn();
    let now = now_ms();
    let (span, bucket) = match range {
        HistoryRange::Day => (24 * 3_600_000, 3_600_000),
        HistoryRange::Week => (7 * 24 * 3_600_000, 6 * 3_600_000),
        HistoryRange::Month => (30 * 24 * 3_600_000, 24 * 3_600_000),
    };
    let history = history(&conn, id, now - span, now, bucket)?;
    let changes = conn
        .prepare_cached(
            "SELECT s.service, s.at, s.from_state, s.to_state, s.detail, c.name FROM state_changes s
             JOIN commons c ON c.id = s.commons_id WHERE s.commons_id = ?1 ORDER BY s.at DESC, s.id DESC LIMIT 50",
        )?
        .query_map([id], |r| {
            Ok(StateChange {
                commons_id: id.to_string(),
                service: r.get(0)?,
                at: r.get(1)?,
                from: ServiceState::parse(&r.get::<_, String>(2)?),
                to: ServiceState::parse(&r.get::<_, String>(3)?),
                detail: r.get(4)?,
                commons_name: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(CommonsHealthDetail { health, range, history, changes, read_at: now })
}

type StatusRow = (
    i64,
    Option<i64>,
    bool,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<bool>,
    Option<String>,
    bool,
);

/// Everything the board needs, read in three queries whatever the fleet's size.
#[derive(Default)]
struct Parts {
    status: HashMap<String, StatusRow>,
    services: HashMap<String, Vec<ServiceStatus>>,
    keys: HashMap<String, (i64, Option<String>)>,
    checks: HashMap<String, Vec<CheckStatus>>,
}

fn load_parts(conn: &Connection) -> CoreResult<Parts> {
    let mut parts = Parts::default();
    let mut stmt = conn.prepare_cached(
        "SELECT commons_id, last_attempted, last_successful, reachable, error, cert_not_after, cert_problem,
                object_count, total_size, dictionary_version, helm, key_error, unreachable_here
         FROM commons_status",
    )?;
    for row in stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            (
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
                r.get(11)?,
                r.get(12)?,
            ),
        ))
    })? {
        let (id, status) = row?;
        parts.status.insert(id, status);
    }
    let mut stmt = conn
        .prepare_cached("SELECT commons_id, service, state, since, latency_ms, version, detail FROM service_status")?;
    for row in stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            ServiceStatus {
                service: r.get(1)?,
                state: ServiceState::parse(&r.get::<_, String>(2)?),
                since: r.get(3)?,
                latency_ms: r.get(4)?,
                version: r.get(5)?,
                detail: r.get(6)?,
            },
        ))
    })? {
        let (id, service) = row?;
        parts.services.entry(id).or_default().push(service);
    }
    let mut stmt = conn.prepare_cached("SELECT commons_id, expires_at, last_test_code FROM credentials")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?))))? {
        let (id, key) = row?;
        parts.keys.insert(id, key);
    }
    let mut stmt =
        conn.prepare_cached("SELECT commons_id, check_id, ok, summary, since, checked_at, fact FROM commons_checks")?;
    for row in stmt.query_map([], |r| {
        let check: String = r.get(1)?;
        Ok((
            r.get::<_, String>(0)?,
            CheckStatus {
                title: checks::title(&check).to_string(),
                check,
                ok: r.get(2)?,
                summary: r.get(3)?,
                since: r.get(4)?,
                checked_at: r.get(5)?,
                fact: r.get(6)?,
            },
        ))
    })? {
        let (id, check) = row?;
        parts.checks.entry(id).or_default().push(check);
    }
    Ok(parts)
}

/// One commons' health, compared with the fleet (its checks against its siblings' and mesh's).
fn health(store: &Store, commons: Commons) -> CoreResult<CommonsHealth> {
    let view = fleet(store, &InventoryFilter::default())?;
    view.rows
        .into_iter()
        .find(|r| r.commons.id == commons.id)
        .ok_or_else(|| csoc_model::error::CoreError::not_found("This commons is no longer in the inventory."))
}

/// Checks that need more than one commons: a commons offering other login providers than its
/// siblings (the commons sharing a mesh with it, else its environment), and a mesh hub whose
/// AggMDS holds another number of a member's records than the member publishes.
fn cross_checks(rows: &mut [CommonsHealth]) {
    let fact = |h: &CommonsHealth, id: &str| h.checks.iter().find(|c| c.check == id).and_then(|c| c.fact.clone());
    let idps: Vec<Option<String>> = rows.iter().map(|h| fact(h, checks::LOGIN_PROVIDERS)).collect();
    let records: HashMap<String, u64> =
        rows.iter().filter_map(|h| Some((h.commons.id.clone(), fact(h, checks::MDS_RECORDS)?.parse().ok()?))).collect();
    let names: HashMap<String, String> =
        rows.iter().map(|h| (h.commons.id.clone(), h.commons.draft.name.clone())).collect();
    let siblings = |i: usize, j: usize| {
        let (a, b) = (&rows[i].commons.draft, &rows[j].commons.draft);
        if a.meshes.is_empty() {
            b.meshes.is_empty() && a.environment == b.environment
        } else {
            a.meshes.iter().any(|m| b.meshes.contains(m))
        }
    };
    let mut verdicts: Vec<Option<String>> = vec![None; rows.len()];
    for (i, own) in idps.iter().enumerate() {
        let Some(own) = own else { continue };
        let mut tally: HashMap<&str, usize> = HashMap::new();
        for (j, other) in idps.iter().enumerate() {
            if let Some(other) = other.as_deref().filter(|_| j != i && siblings(i, j)) {
                *tally.entry(other).or_default() += 1;
            }
        }
        let seen: usize = tally.values().sum();
        let Some((usual, n)) = tally.into_iter().max_by_key(|(set, n)| (*n, std::cmp::Reverse(*set))) else {
            continue;
        };
        if seen >= 2 && n * 2 > seen && usual != own {
            verdicts[i] = Some(format!(
                "offers logins {} where its siblings offer {}",
                own.replace(',', ", "),
                usual.replace(',', ", ")
            ));
        }
    }
    for (h, verdict) in rows.iter_mut().zip(verdicts) {
        if let (Some(v), Some(c)) = (verdict, h.checks.iter_mut().find(|c| c.check == checks::LOGIN_PROVIDERS)) {
            c.ok = false;
            c.summary = v;
        }
        let Some(c) = h.checks.iter_mut().find(|c| c.check == checks::AGGMDS_COUNTS) else { continue };
        let Some(counts) = c.fact.as_deref().and_then(|f| serde_json::from_str::<checks::AggCounts>(f).ok()) else {
            continue;
        };
        let (mut off, mut unconfirmed) = (Vec::new(), Vec::new());
        for (member, &at_hub) in &counts.held {
            let name = names.get(member).map_or(member.clone(), String::clone);
            match records.get(member) {
                // A partial listing only bounds the hub's count from below.
                Some(&own) if at_hub == own || (at_hub < own && !counts.complete) => {
                    if at_hub != own {
                        unconfirmed.push(format!("{name} (at least {at_hub} of {own})"));
                    }
                }
                Some(&own) => off.push(format!("{name}: {at_hub} of {own}")),
                None => unconfirmed.push(format!("{name} (its own count is unknown)")),
            }
        }
        off.sort();
        unconfirmed.sort();
        let unsure =
            if unconfirmed.is_empty() { String::new() } else { format!("; not confirmed: {}", unconfirmed.join(", ")) };
        if !off.is_empty() {
            c.ok = false;
            c.summary = format!(
                "the hub's AggMDS holds other record counts than the members publish ({}){unsure}",
                off.join("; ")
            );
        } else if unconfirmed.is_empty() {
            c.summary = format!("the hub holds every member's records ({} members)", counts.held.len());
        } else {
            c.summary = format!("the hub's counts match where known{unsure}");
        }
    }
    for h in rows.iter_mut() {
        h.checks.sort_by_key(|c| (c.ok, c.check.clone()));
    }
}

fn catalog_order() -> HashMap<&'static str, usize> {
    service_ids().into_iter().enumerate().map(|(i, s)| (s, i)).collect()
}

fn build(commons: Commons, parts: &mut Parts, order: &HashMap<&'static str, usize>) -> CommonsHealth {
    let status = parts.status.remove(&commons.id);
    let mut services = parts.services.remove(&commons.id).unwrap_or_default();
    services.sort_by_key(|s| order.get(s.service.as_str()).copied().unwrap_or(usize::MAX));
    let key = parts.keys.remove(&commons.id).map(|(expires_at, code)| KeySummary {
        status: key_status(
            expires_at,
            matches!(code.as_deref(), Some("key_rejected" | "key_expired")),
            now_ms() / 1000,
        ),
        expires_at,
    });
    let drift = match commons.draft.expected_release.as_deref() {
        Some(expected) => services
            .iter()
            .filter_map(|s| {
                s.version.as_deref().filter(|v| is_release(v) && *v != expected).map(|v| format!("{} {v}", s.service))
            })
            .collect(),
        None => Vec::new(),
    };
    // Decided when the sweep was recorded (history): never reached, or nothing else reachable.
    let unreachable_here = status.as_ref().is_some_and(|s| !s.2 && s.11);
    let overall = match &status {
        None => ServiceState::Unknown,
        Some(_) if unreachable_here => ServiceState::Unknown,
        Some(s) if !s.2 => ServiceState::Down,
        Some(_) => worst(&services),
    };
    let (last_attempted, last_successful, error, cert, counts, dictionary_version, helm, key_error) = match status {
        Some((la, ls, _, err, na, problem, objects, bytes, dict, helm, key_error, _)) => (
            Some(la),
            ls,
            err,
            (na.is_some() || problem.is_some()).then_some(CertInfo { not_after: na, problem }),
            Counts { objects: objects.map(|n| n as u64), bytes: bytes.map(|n| n as u64) },
            dict,
            helm,
            key_error,
        ),
        None => (None, None, None, None, Counts::default(), None, None, None),
    };
    let checks = parts.checks.remove(&commons.id).unwrap_or_default();
    CommonsHealth {
        checks,
        commons,
        overall,
        unreachable_here,
        last_attempted,
        last_successful,
        error,
        services,
        cert,
        counts,
        dictionary_version,
        helm,
        key,
        key_error,
        drift,
    }
}

/// A reachable commons is at worst degraded: "down" is kept for a commons nobody can reach, so the
/// summary's "commons down" means what an operator expects.
fn worst(services: &[ServiceStatus]) -> ServiceState {
    let rank = |s: ServiceState| match s {
        ServiceState::Down => 3,
        ServiceState::Degraded => 2,
        ServiceState::Unknown => 1,
        _ => 0,
    };
    let w = services.iter().map(|s| s.state).max_by_key(|s| rank(*s)).unwrap_or(ServiceState::Unknown);
    match rank(w) {
        0 => ServiceState::Healthy,
        3 => ServiceState::Degraded,
        _ => w,
    }
}

fn history(conn: &Connection, id: &str, from: i64, to: i64, bucket: i64) -> CoreResult<Vec<HistoryPoint>> {
    let n = ((to - from) / bucket) as usize;
    let start = to - n as i64 * bucket;
    let mut acc = vec![(0i64, 0i64, 0i64, 0i64); n]; // deployed, healthy, latency_sum, latency_n
    let mut add = |at: i64, samples: i64, healthy: i64, lsum: i64, ln: i64| {
        if at >= start && at < to {
            let i = ((at - start) / bucket) as usize;
            let a = &mut acc[i.min(n - 1)];
            a.0 += samples;
            a.1 += healthy;
            a.2 += lsum;
            a.3 += ln;
        }
    };
    let mut raw = conn.prepare_cached(
        "SELECT at, deployed, healthy, latency_sum, latency_n FROM probe_samples WHERE commons_id = ?1 AND at >= ?2",
    )?;
    for row in raw.query_map(params![id, start], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))? {
        let (at, s, h, ls, ln) = row?;
        add(at, s, h, ls, ln);
    }
    let mut hourly = conn.prepare_cached(
        "SELECT hour, deployed, healthy, latency_sum, latency_n FROM probe_hourly WHERE commons_id = ?1 AND hour >= ?2",
    )?;
    for row in hourly.query_map(params![id, start], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))? {
        let (at, s, h, ls, ln) = row?;
        add(at, s, h, ls, ln);
    }
    Ok(acc
        .into_iter()
        .enumerate()
        .map(|(i, (s, h, ls, ln))| HistoryPoint {
            at: start + i as i64 * bucket,
            uptime: (s > 0).then(|| h as f64 / s as f64),
            latency_ms: (ln > 0).then(|| ls as f64 / ln as f64),
        })
        .collect())
}
