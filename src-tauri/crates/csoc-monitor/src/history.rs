//! Sweep results in the cache: one transaction per sweep, state changes detected against the
//! stored state (so each change is reported once), expiry alerts raised once per threshold, and
//! retention that keeps raw samples 7 days, then hourly aggregates.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::checks;
use super::probe::{CommonsProbe, ServiceState};
use super::sweep::SweepResult;
use csoc_model::error::CoreResult;
use csoc_model::model::now_ms;
use csoc_store::activity::{self, ActivityKind, Note};
use csoc_store::Store;

pub(crate) const RAW_RETENTION_MS: i64 = 7 * 24 * 3600 * 1000;
use csoc_model::dates::HOURLY_RETENTION_MS;
pub(crate) const SAMPLE_EVERY_MS: i64 = 5 * 60 * 1000;
const HOUR_MS: i64 = 3600 * 1000;
pub(crate) const HEALTH_SOURCE: &str = "health";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MonitorSettings {
    /// Seconds between scheduled sweeps; 0 turns the schedule off.
    pub interval_secs: u32,
    pub notifications: bool,
    /// Days before a TLS certificate's expiry at which to warn, e.g. [30, 14, 7, 1].
    pub cert_warn_days: Vec<u32>,
    pub key_warn_days: Vec<u32>,
    /// The explorer's data is stale when guppy's last ETL ran more than this many days ago.
    #[serde(default = "default_etl_stale_days")]
    pub etl_stale_days: u32,
    /// Seconds between readings of a commons' slow-moving facts: its outside-in checks (fence's
    /// issuer and keys, IdPs, ETL age, mesh) and its services' versions; every sweep when 0.
    #[serde(default = "default_checks_interval_secs")]
    pub checks_interval_secs: u32,
}

fn default_etl_stale_days() -> u32 {
    7
}

fn default_checks_interval_secs() -> u32 {
    900
}

impl Default for MonitorSettings {
    fn default() -> Self {
        Self {
            interval_secs: 300,
            notifications: true,
            cert_warn_days: vec![30, 14, 7, 1],
            key_warn_days: vec![7, 1],
            etl_stale_days: default_etl_stale_days(),
            checks_interval_secs: default_checks_interval_secs(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct StateChange {
    pub commons_id: String,
    pub commons_name: String,
    /// A catalog service id, or "commons" for the commons as a whole (reachable or not).
    pub service: String,
    pub from: ServiceState,
    pub to: ServiceState,
    #[ts(type = "number")]
    pub at: i64,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    Certificate,
    ApiKey,
}

impl AlertKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Certificate => "certificate",
            Self::ApiKey => "api_key",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ExpiryAlert {
    pub commons_id: String,
    pub commons_name: String,
    pub kind: AlertKind,
    #[ts(type = "number")]
    pub expires_at: i64,
    /// The threshold crossed; 0 means it has expired.
    pub threshold_days: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct SweepReport {
    pub probed: u32,
    pub reachable: u32,
    pub cancelled: bool,
    pub changes: Vec<StateChange>,
    pub alerts: Vec<ExpiryAlert>,
}

pub fn settings(store: &Store) -> CoreResult<MonitorSettings> {
    let raw: Option<String> =
        store.conn().query_row("SELECT value FROM settings WHERE key = 'monitor'", [], |r| r.get(0)).optional()?;
    Ok(raw.and_then(|r| serde_json::from_str(&r).ok()).unwrap_or_default())
}

pub fn save_settings(store: &Store, s: &MonitorSettings) -> CoreResult<()> {
    if !(1..=365).contains(&s.etl_stale_days) {
        return Err(csoc_model::error::CoreError::invalid(
            "The explorer's data is stale after 1 to 365 days; enter a number of days in that range.",
        ));
    }
    let mut s = s.clone();
    s.cert_warn_days.sort_unstable_by(|a, b| b.cmp(a));
    s.key_warn_days.sort_unstable_by(|a, b| b.cmp(a));
    let conn = store.conn();
    conn.execute(
        "INSERT OR REPLACE INTO settings(key, value) VALUES ('monitor', ?1)",
        [serde_json::to_string(&s).expect("settings serialize")],
    )?;
    let what = format!(
        "Monitoring settings: check every {} s, notifications {}, certificate warnings at {:?} days, key warnings at {:?} days",
        s.interval_secs,
        if s.notifications { "on" } else { "off" },
        s.cert_warn_days,
        s.key_warn_days
    );
    activity::record_on(&conn, &Note::new(ActivityKind::ConfigWrite, what))?;
    Ok(())
}

/// The sweep's activity entry with its counts, and one entry per state change.
fn note_sweep(conn: &Connection, report: &SweepReport) -> rusqlite::Result<()> {
    let mut what = format!(
        "Checked {} commons: {} reachable, {} state change{}, {} expiry alert{}",
        report.probed,
        report.reachable,
        report.changes.len(),
        if report.changes.len() == 1 { "" } else { "s" },
        report.alerts.len(),
        if report.alerts.len() == 1 { "" } else { "s" }
    );
    let mut note = Note::new(ActivityKind::Sweep, "");
    if report.cancelled {
        what.push_str(" (cancelled; only finished commons were recorded)");
        note = note.cancelled();
    }
    note.summary = what;
    activity::record_on(conn, &note)?;
    for c in &report.changes {
        let mut what = format!("{}: {} → {}", c.service, c.from.as_str(), c.to.as_str());
        if let Some(detail) = &c.detail {
            what.push_str(&format!(" ({detail})"));
        }
        activity::record_on(conn, &Note::new(ActivityKind::StateChange, what).about(&c.commons_id, &c.commons_name))?;
    }
    Ok(())
}

/// Writes a sweep in one transaction and returns what changed since the last one.
pub fn record(store: &Store, sweep: &SweepResult) -> CoreResult<SweepReport> {
    let settings = settings(store)?;
    let mut conn = store.conn();
    // Every statement below runs once per commons or per service: prepared once per connection.
    conn.set_prepared_statement_cache_capacity(64);
    let tx = conn.transaction()?;
    let mut report = SweepReport { cancelled: sweep.cancelled, ..Default::default() };
    let mut named = Vec::with_capacity(sweep.probes.len());
    for probe in &sweep.probes {
        let name = tx
            .prepare_cached("SELECT name FROM commons WHERE id = ?1")?
            .query_row([&probe.commons_id], |r| r.get::<_, String>(0))
            .optional()?;
        // A commons deleted while the sweep ran is skipped.
        if let Some(name) = name {
            report.probed += 1;
            report.reachable += u32::from(probe.reachable);
            named.push((probe, name));
        }
    }
    // A commons that does not answer is down only if it answered here before and the failure is
    // about it: other commons were reached in the same sweep, or (checked alone) its host refused
    // the connection. A sweep of several commons that reached none says more about this computer
    // (offline, off the VPN): nothing is down, all are "unreachable from here".
    let offline = report.probed > 1 && report.reachable == 0;
    let reach = Reach { others_reached: report.reachable > 0, offline };
    for (probe, name) in named {
        record_probe(&tx, probe, &name, reach, &mut report.changes)?;
        cert_alerts(&tx, probe, &name, &settings, &mut report.alerts)?;
    }
    key_alerts(&tx, &settings, &mut report.alerts)?;
    let error =
        offline.then(|| "No commons could be reached. This computer may be offline, or off the VPN.".to_string());
    tx.prepare_cached(
        "INSERT INTO freshness(source, last_attempted, last_successful, last_error) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(source) DO UPDATE SET last_attempted = ?2,
            last_successful = COALESCE(?3, last_successful), last_error = ?4",
    )?
    .execute(params![HEALTH_SOURCE, sweep.finished_at, error.is_none().then_some(sweep.finished_at), error])?;
    prune(&tx, sweep.finished_at)?;
    note_sweep(&tx, &report)?;
    tx.commit()?;
    Ok(report)
}

/// What the whole sweep says about reaching commons from this computer.
#[derive(Debug, Clone, Copy)]
struct Reach {
    others_reached: bool,
    offline: bool,
}

fn record_probe(
    tx: &Connection,
    p: &CommonsProbe,
    name: &str,
    reach: Reach,
    changes: &mut Vec<StateChange>,
) -> CoreResult<()> {
    let changes_before = changes.len();
    let reached_before: Option<Option<i64>> = tx
        .prepare_cached("SELECT last_successful FROM commons_status WHERE commons_id = ?1")?
        .query_row([&p.commons_id], |r| r.get(0))
        .optional()?;
    let last_reported: Option<String> = tx
        .prepare_cached(
            "SELECT to_state FROM state_changes WHERE commons_id = ?1 AND service = 'commons'
             ORDER BY at DESC, id DESC LIMIT 1",
        )?
        .query_row([&p.commons_id], |r| r.get(0))
        .optional()?;
    let was_reached = reached_before.flatten().is_some();
    // The commons as reported: healthy when reached; down when the failure is about it (its TLS
    // failed, or it answered here before and now its host refuses or other commons answer);
    // otherwise "unreachable from here", which says nothing about the commons and raises nothing.
    let previous = match last_reported {
        Some(s) => Some(ServiceState::parse(&s)),
        None => was_reached.then_some(ServiceState::Healthy),
    };
    let tls_failed = p.cert.as_ref().is_some_and(|c| c.problem.is_some());
    let about_it = reach.others_reached || (p.host_answered && !reach.offline);
    let down = !p.reachable && (tls_failed || (was_reached && about_it));
    let unreachable_here = !p.reachable && !down;
    let now = if p.reachable { Some(ServiceState::Healthy) } else { down.then_some(ServiceState::Down) };
    if let (Some(from), Some(to)) = (previous, now) {
        if from != to {
            changes.push(change(tx, p, name, "commons", from, to, p.error.clone())?);
        }
    }
    let key_code = p
        .key_error
        .as_ref()
        .and_then(|e| serde_json::to_value(e.code).ok())
        .and_then(|v| v.as_str().map(str::to_string));
    tx.prepare_cached(
        "INSERT INTO commons_status(commons_id, last_attempted, last_successful, reachable, error, cert_not_after,
            cert_problem, object_count, total_size, dictionary_version, helm, key_error, key_error_code,
            unreachable_here)
         VALUES (?1, ?2, CASE WHEN ?3 THEN ?2 END, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT(commons_id) DO UPDATE SET last_attempted = ?2, unreachable_here = ?13,
            last_successful = CASE WHEN ?3 THEN ?2 ELSE last_successful END, reachable = ?3, error = ?4,
            cert_not_after = COALESCE(?5, cert_not_after), cert_problem = ?6,
            object_count = COALESCE(?7, object_count), total_size = COALESCE(?8, total_size),
            dictionary_version = COALESCE(?9, dictionary_version), helm = COALESCE(?10, helm),
            key_error = ?11, key_error_code = ?12",
    )?
    .execute(params![
        p.commons_id,
        p.at,
        p.reachable,
        p.error,
        p.cert.as_ref().and_then(|c| c.not_after),
        p.cert.as_ref().and_then(|c| c.problem.clone()),
        p.counts.objects.map(|n| n as i64),
        p.counts.bytes.map(|n| n as i64),
        p.dictionary_version,
        p.helm,
        p.key_error.as_ref().map(|e| e.message.clone()),
        key_code,
        unreachable_here,
    ])?;
    if p.key_checked {
        // The vault shows the same outcome as a manual test.
        tx.prepare_cached(
            "UPDATE credentials SET last_test_at = ?2, last_test_error = ?3, last_test_code = ?4 WHERE commons_id = ?1",
        )?
        .execute(params![p.commons_id, p.at, p.key_error.as_ref().map(|e| e.message.clone()), key_code])?;
    }
    for s in &p.services {
        let old: Option<String> = tx
            .prepare_cached("SELECT state FROM service_status WHERE commons_id = ?1 AND service = ?2")?
            .query_row(params![p.commons_id, s.service], |r| r.get(0))
            .optional()?;
        let old = old.map(|o| ServiceState::parse(&o));
        let changed = old.is_some_and(|o| o != s.state);
        // An unreachable commons says nothing new about its services: keep their last known state.
        if !p.reachable && old.is_some() {
            continue;
        }
        if changed {
            changes.push(change(
                tx,
                p,
                name,
                &s.service,
                old.unwrap_or(ServiceState::Unknown),
                s.state,
                s.detail.clone(),
            )?);
        }
        // It answered as itself: from now on gen3-helm's "service failure" for it means down.
        let answered = matches!(s.state, ServiceState::Healthy | ServiceState::Degraded).then_some(p.at);
        tx.prepare_cached(
            "INSERT INTO service_status(commons_id, service, state, since, checked_at, latency_ms, version, detail,
                last_answered)
             VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT(commons_id, service) DO UPDATE SET state = ?3,
                since = CASE WHEN state = ?3 THEN since ELSE ?4 END, checked_at = ?4, latency_ms = ?5,
                version = COALESCE(?6, version), detail = ?7, last_answered = COALESCE(?8, last_answered)",
        )?
        .execute(params![
            p.commons_id,
            s.service,
            s.state.as_str(),
            p.at,
            s.latency_ms,
            s.version,
            s.detail,
            answered
        ])?;
    }
    record_checks(tx, p, name, changes)?;
    sample(tx, p, changes.len() > changes_before)
}

/// Stores the outside-in checks; a check that starts or stops failing is a state change (so it
/// is notified once), and a changed JWKS fingerprint fails its check for a day.
fn record_checks(tx: &Connection, p: &CommonsProbe, name: &str, changes: &mut Vec<StateChange>) -> CoreResult<()> {
    for c in &p.checks {
        let prev: Option<(bool, Option<String>, String, i64)> = tx
            .prepare_cached(
                "SELECT ok, fact, summary, since FROM commons_checks WHERE commons_id = ?1 AND check_id = ?2",
            )?
            .query_row(params![p.commons_id, c.check], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()?;
        let (mut ok, mut summary) = (c.ok, c.summary.clone());
        if c.check == checks::JWKS {
            let digest = |f: &Option<String>| f.as_deref().and_then(|f| f.split(' ').next()).map(str::to_string);
            match &prev {
                Some((_, old, _, _)) if old.is_some() && c.fact.is_some() && digest(old) != digest(&c.fact) => {
                    let kids = |f: &Option<String>| {
                        f.as_deref().and_then(|f| f.split_once(' ')).map_or("", |(_, k)| k).to_string()
                    };
                    ok = false;
                    summary = format!(
                        "fence's signing keys changed ({} → {}): a key rotation, or a deploy with the wrong keys",
                        kids(old),
                        kids(&c.fact)
                    );
                }
                Some((false, old, old_summary, since))
                    if old == &c.fact
                        && p.at - since < checks::JWKS_CHANGE_SHOWN_MS
                        && old_summary.contains("changed") =>
                {
                    ok = false;
                    summary = old_summary.clone();
                }
                _ => {}
            }
        }
        if let Some((was_ok, _, _, _)) = &prev {
            if *was_ok != ok {
                let state = |ok: bool| if ok { ServiceState::Healthy } else { ServiceState::Degraded };
                changes.push(change(tx, p, name, &c.check, state(*was_ok), state(ok), Some(summary.clone()))?);
            }
        }
        tx.prepare_cached(
            "INSERT INTO commons_checks(commons_id, check_id, ok, summary, fact, since, checked_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
             ON CONFLICT(commons_id, check_id) DO UPDATE SET
                since = CASE WHEN ok = ?3 AND NOT (?2 = 'jwks' AND fact IS NOT ?5) THEN since ELSE ?6 END,
                ok = ?3, summary = ?4, fact = ?5, checked_at = ?6",
        )?
        .execute(params![p.commons_id, c.check, ok, summary, c.fact, p.at])?;
    }
    Ok(())
}

/// Folds a probe into one sample row, written when a state changed or the last sample is older
/// than `SAMPLE_EVERY_MS`: a 5-second schedule writes no more than a 5-minute one.
fn sample(tx: &Connection, p: &CommonsProbe, changed: bool) -> CoreResult<()> {
    let last: Option<i64> = tx
        .prepare_cached("SELECT max(at) FROM probe_samples WHERE commons_id = ?1")?
        .query_row([&p.commons_id], |r| r.get(0))?;
    if !changed && last.is_some_and(|last| p.at - last < SAMPLE_EVERY_MS) {
        return Ok(());
    }
    // Services not deployed, or not checkable without a key, are neither up nor down.
    let deployed: Vec<_> =
        p.services.iter().filter(|s| !matches!(s.state, ServiceState::NotDeployed | ServiceState::NeedsKey)).collect();
    let healthy = deployed.iter().filter(|s| s.state == ServiceState::Healthy).count() as i64;
    let latencies: Vec<i64> = deployed.iter().filter_map(|s| s.latency_ms.map(i64::from)).collect();
    tx.prepare_cached(
        "INSERT OR REPLACE INTO probe_samples(commons_id, at, healthy, deployed, latency_sum, latency_n)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        p.commons_id,
        p.at,
        healthy,
        deployed.len() as i64,
        latencies.iter().sum::<i64>(),
        latencies.len() as i64
    ])?;
    Ok(())
}

fn change(
    tx: &Connection,
    p: &CommonsProbe,
    name: &str,
    service: &str,
    from: ServiceState,
    to: ServiceState,
    detail: Option<String>,
) -> CoreResult<StateChange> {
    tx.prepare_cached("INSERT INTO state_changes(commons_id, service, at, from_state, to_state, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?.execute(params![p.commons_id, service, p.at, from.as_str(), to.as_str(), detail],
    )?;
    Ok(StateChange {
        commons_id: p.commons_id.clone(),
        commons_name: name.into(),
        service: service.into(),
        from,
        to,
        at: p.at,
        detail,
    })
}

/// Raises an alert for the tightest threshold crossed that has not been raised for this expiry.
fn crossed(
    tx: &Connection,
    commons_id: &str,
    kind: AlertKind,
    expires_at: i64,
    thresholds: &[u32],
    now_secs: i64,
) -> CoreResult<Option<u32>> {
    let days_left = (expires_at - now_secs).div_euclid(86_400);
    let threshold = if expires_at <= now_secs {
        Some(0)
    } else {
        thresholds.iter().copied().filter(|t| days_left < i64::from(*t)).min()
    };
    let Some(threshold) = threshold else { return Ok(None) };
    let inserted = tx.execute(
        "INSERT OR IGNORE INTO alert_marks(commons_id, kind, expires_at, threshold_days) VALUES (?1, ?2, ?3, ?4)",
        params![commons_id, kind.as_str(), expires_at, threshold],
    )?;
    Ok((inserted > 0).then_some(threshold))
}

fn cert_alerts(
    tx: &Connection,
    p: &CommonsProbe,
    name: &str,
    s: &MonitorSettings,
    out: &mut Vec<ExpiryAlert>,
) -> CoreResult<()> {
    let Some(expires_at) = p.cert.as_ref().and_then(|c| c.not_after) else { return Ok(()) };
    if let Some(threshold_days) =
        crossed(tx, &p.commons_id, AlertKind::Certificate, expires_at, &s.cert_warn_days, p.at / 1000)?
    {
        out.push(ExpiryAlert {
            commons_id: p.commons_id.clone(),
            commons_name: name.into(),
            kind: AlertKind::Certificate,
            expires_at,
            threshold_days,
        });
    }
    Ok(())
}

fn key_alerts(tx: &Connection, s: &MonitorSettings, out: &mut Vec<ExpiryAlert>) -> CoreResult<()> {
    let keys: Vec<(String, String, i64)> = tx
        .prepare("SELECT k.commons_id, c.name, k.expires_at FROM credentials k JOIN commons c ON c.id = k.commons_id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let now_secs = now_ms() / 1000;
    for (commons_id, name, expires_at) in keys {
        if let Some(threshold_days) =
            crossed(tx, &commons_id, AlertKind::ApiKey, expires_at, &s.key_warn_days, now_secs)?
        {
            out.push(ExpiryAlert {
                commons_id,
                commons_name: name,
                kind: AlertKind::ApiKey,
                expires_at,
                threshold_days,
            });
        }
    }
    Ok(())
}

/// Records that a commons was reached at `at`, unless it has a status already: the demo's commons
/// that is down "went down after yesterday's check", so it reads down, not unreachable from here.
pub fn mark_reached(store: &Store, commons_id: &str, at: i64) -> CoreResult<()> {
    store.conn().execute(
        "INSERT INTO commons_status(commons_id, last_attempted, last_successful, reachable) VALUES (?1, ?2, ?2, 1)
         ON CONFLICT(commons_id) DO NOTHING",
        params![commons_id, at],
    )?;
    Ok(())
}

/// Records what a check read at `at`, as an earlier sweep would have (the demo's story of
/// yesterday). A check recorded since is kept.
pub fn remember_check(store: &Store, commons_id: &str, c: &checks::CheckResult, at: i64) -> CoreResult<()> {
    store.conn().execute(
        "INSERT INTO commons_checks(commons_id, check_id, ok, summary, fact, since, checked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT(commons_id, check_id) DO NOTHING",
        params![commons_id, c.check, c.ok, c.summary, c.fact, at],
    )?;
    Ok(())
}

/// Forgets what one check read for the commons whose ids start with `id_prefix` (the demo's
/// simulator signs with a new key each start).
pub fn forget_check(store: &Store, id_prefix: &str, check: &str) -> CoreResult<()> {
    store.conn().execute(
        "DELETE FROM commons_checks WHERE check_id = ?1 AND substr(commons_id, 1, length(?2)) = ?2",
        params![check, id_prefix],
    )?;
    Ok(())
}

/// Folds raw samples older than 7 days into hourly aggregates and drops aggregates past 90 days.
pub fn prune(conn: &Connection, now: i64) -> CoreResult<()> {
    let cutoff = now - RAW_RETENTION_MS;
    conn.execute(
        "INSERT INTO probe_hourly(commons_id, hour, samples, healthy, deployed, latency_sum, latency_n)
         SELECT commons_id, (at / ?2) * ?2, count(*), sum(healthy), sum(deployed), sum(latency_sum), sum(latency_n)
         FROM probe_samples WHERE at < ?1 GROUP BY commons_id, at / ?2
         ON CONFLICT(commons_id, hour) DO UPDATE SET samples = samples + excluded.samples,
            healthy = healthy + excluded.healthy, deployed = deployed + excluded.deployed,
            latency_sum = latency_sum + excluded.latency_sum, latency_n = latency_n + excluded.latency_n",
        params![cutoff, HOUR_MS],
    )?;
    conn.execute("DELETE FROM probe_samples WHERE at < ?1", [cutoff])?;
    conn.execute("DELETE FROM probe_hourly WHERE hour < ?1", [now - HOURLY_RETENTION_MS])?;
    Ok(())
}
