//! The demo fleet's last 30 days, so its charts and uptime mean something on first start: hourly
//! aggregates shaped like what a sweep every 5 minutes records, telling the same story as each
//! demo commons' fault (Kidney Atlas answered until a day ago; a broken service failed for the last
//! hours; the rest had the odd bad hour). Hours already in the cache are kept.

use rusqlite::params;

use crate::error::CoreResult;
use crate::store::Store;

const HOUR_MS: i64 = 3_600_000;
const DAYS: i64 = 30;
/// Samples a sweep every 5 minutes takes in an hour.
const SAMPLES: i64 = 12;

/// What a demo commons went through, for its history.
pub(crate) enum Story {
    Healthy,
    /// Unreachable for the last day.
    DownSinceYesterday,
    /// One service failing for the last six hours.
    ServiceFailing,
    /// One service answering slowly for the last six hours.
    Slow,
}

/// Writes the 30 days before `now` for `commons_id`, with `services` deployed.
pub(crate) fn seed(store: &Store, commons_id: &str, services: i64, story: &Story, now: i64) -> CoreResult<()> {
    let this_hour = now - now.rem_euclid(HOUR_MS);
    // A stable per-commons number, so each commons' chart differs and reruns agree.
    let salt: i64 = commons_id.bytes().map(i64::from).sum();
    let base_latency = 60 + salt % 140;
    let mut conn = store.conn();
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare_cached(
            "INSERT OR IGNORE INTO probe_hourly(commons_id, hour, samples, healthy, deployed, latency_sum, latency_n)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for ago in 1..=DAYS * 24 {
            let hour = this_hour - ago * HOUR_MS;
            let all = services * SAMPLES;
            // Healthy answers in the hour (of `all`) and the mean latency of those that answered.
            let (healthy, latency) = match story {
                Story::DownSinceYesterday if ago <= 24 => (0, 0),
                Story::ServiceFailing if ago <= 6 => (all - SAMPLES, base_latency),
                Story::Slow if ago <= 6 => (all, 3500),
                // The odd bad hour: one service failing for a quarter of it.
                _ if (ago + salt) % 97 == 0 => (all - 3, base_latency * 2),
                _ => (all, base_latency + (ago + salt) % 23),
            };
            let answered = if healthy == 0 { 0 } else { all };
            insert.execute(params![commons_id, hour, SAMPLES, healthy, all, latency * answered, answered])?;
        }
    }
    tx.commit()?;
    Ok(())
}
