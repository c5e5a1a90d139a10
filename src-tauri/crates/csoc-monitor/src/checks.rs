//! Outside-in checks no anchor inside a cluster makes, read through the public API only: fence's
//! OpenID `issuer` against the commons' own address, its signing keys (JWKS) fingerprint, the
//! login providers it offers, how old the explorer's data is (guppy's ETL alias), a mesh hub's
//! `/index/_dist`, `/wts/external_oidc/` and AggMDS per-member counts, and, with a stored key,
//! the key owner's other API keys. Each yields a [`CheckResult`]; comparisons over time (JWKS) and
//! across commons (login providers, AggMDS counts) are made from the cache (`history`, `views`).

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::probe::{fetch_as, Known, ProbeCtx};
use super::text;
use csoc_gen3::{Gen3Client, RawResponse};
use csoc_model::counted::counted;

/// Check ids, as stored in the cache and named on the commons page.
pub(crate) const ISSUER: &str = "openid_issuer";
pub const JWKS: &str = "jwks";
pub(crate) const LOGIN_PROVIDERS: &str = "login_providers";
pub(crate) const ETL_AGE: &str = "etl_age";
pub(crate) const MDS_RECORDS: &str = "mds_records";
pub(crate) const MESH_DIST: &str = "mesh_dist";
pub(crate) const MESH_WTS: &str = "mesh_wts";
pub(crate) const AGGMDS_COUNTS: &str = "aggmds_counts";
pub(crate) const API_KEYS: &str = "api_keys";

/// Another API key of the same user expiring within this many days is worth a warning.
pub(crate) const OTHER_KEY_WARN_SECS: i64 = 7 * 86_400;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CheckResult {
    /// One of this module's ids (`openid_issuer`, `jwks`, ...).
    pub check: String,
    pub ok: bool,
    /// What was found, in words (server text cleaned and bounded).
    pub summary: String,
    /// What was read, kept to compare with the next sweep or with other commons: the JWKS
    /// fingerprint, the IdP ids, the ETL time, record counts.
    pub fact: Option<String>,
}

/// What a check is about, in words (the commons page's label, a notification's subject).
pub(crate) fn title(check: &str) -> &'static str {
    match check {
        ISSUER => "fence's OpenID issuer",
        JWKS => "fence's signing keys",
        LOGIN_PROVIDERS => "login providers",
        ETL_AGE => "explorer data freshness",
        MDS_RECORDS => "discovery records",
        MESH_DIST => "mesh GUID resolution (indexd dist)",
        MESH_WTS => "mesh tokens (WTS external_oidc)",
        AGGMDS_COUNTS => "mesh metadata (AggMDS per member)",
        API_KEYS => "the key owner's other API keys",
        _ => "check",
    }
}

/// A check id, if `service` names one (state changes of checks share the table with services').
pub(crate) fn is_check(service: &str) -> bool {
    title(service) != "check"
}

/// How long a change of fence's signing keys stays on the board.
pub(crate) const JWKS_CHANGE_SHOWN_MS: i64 = 24 * 3600 * 1000;

fn result(check: &str, ok: bool, summary: String, fact: Option<String>) -> CheckResult {
    CheckResult { check: check.into(), ok, summary, fact }
}

fn json_of(r: &RawResponse) -> Option<serde_json::Value> {
    (200..300).contains(&r.status).then(|| serde_json::from_slice(&r.body).ok()).flatten()
}

async fn get_json(ctx: &ProbeCtx, client: &Gen3Client, path: &str, auth: bool) -> Option<Option<serde_json::Value>> {
    let (r, _) = fetch_as(ctx, client, path, auth).await?;
    Some(r.ok().as_ref().and_then(json_of))
}

/// The checks for one reachable commons, judged by the operator's `policy`; `up` says which
/// services answered, so a missing answer from them is worth reporting. `None` when cancelled.
pub(crate) async fn run(
    ctx: &ProbeCtx,
    policy: &CheckPolicy,
    client: &Gen3Client,
    base_url: &str,
    known: &Known,
    up: &Up,
) -> Option<Vec<CheckResult>> {
    let mut out = Vec::new();
    if up.fence {
        out.push(issuer(base_url, get_json(ctx, client, "/user/.well-known/openid-configuration", false).await?));
        let jwks = match get_json(ctx, client, "/user/.well-known/jwks", false).await? {
            Some(v) => Some(v),
            None => get_json(ctx, client, "/user/jwt/keys", false).await?,
        };
        out.push(jwks_fingerprint(jwks));
        // fence routes `/login` without a trailing slash (`/user/login/` is its 404).
        out.push(login_providers(get_json(ctx, client, "/user/login", false).await?));
        // fence lists a user's keys only to a token with the `credentials` scope, which it never
        // puts in the keys it creates: ask only with a key that has it.
        if client.key_has_scope("credentials") {
            if let Some(r) = api_keys(client, get_json(ctx, client, "/user/credentials/api/", true).await?) {
                out.push(r);
            }
        }
    }
    if let Some(status) = &up.guppy_status {
        out.push(etl_age(status, csoc_model::model::now_ms() / 1000, policy.etl_stale_secs));
    }
    if up.metadata {
        let path = "/mds/metadata?_guid_type=discovery_metadata&limit=2000";
        if let Some(n) = get_json(ctx, client, path, false).await?.and_then(|v| v.as_array().map(Vec::len)) {
            out.push(result(MDS_RECORDS, true, format!("{n} discovery records"), Some(n.to_string())));
        }
    }
    if let Some(members) = known.mesh_members.as_ref().filter(|m| !m.is_empty()) {
        let dist = get_json(ctx, client, "/index/_dist", false).await?.and_then(|v| v.as_array().cloned());
        out.push(coverage(&DIST, members, dist));
        let oidc = get_json(ctx, client, "/wts/external_oidc/", false).await?;
        out.push(coverage(&WTS, members, oidc.and_then(|v| v.get("providers")?.as_array().cloned())));
        if up.metadata {
            out.push(aggmds_counts(members, hub_records(ctx, client).await?));
        }
    }
    Some(out)
}

/// The hub's aggregate listing is read this many records a page (real discovery records run to
/// several kilobytes each; a page stays well under the sweep's body limit).
const AGG_PAGE: u64 = 100;
/// Elasticsearch's `max_result_window`: the listing cannot be paged past it.
const AGG_WINDOW: u64 = 10_000;

/// Records the hub holds per commons name, from its paged aggregate listing (neither
/// `/aggregate/commons`, which names only the 10 largest, nor `/aggregate/metadata/{name}`, which
/// returns at most 10 records, can count them); `complete` when every page was read. `None` when
/// cancelled; `Some(None)` when the listing did not answer at all.
async fn hub_records(ctx: &ProbeCtx, client: &Gen3Client) -> Option<Option<AggCounts>> {
    let mut counts = AggCounts::default();
    let mut offset = 0;
    loop {
        let path = format!("/mds/aggregate/metadata?limit={AGG_PAGE}&offset={offset}&pagination=true");
        let Some(page) = get_json(ctx, client, &path, false).await? else {
            return Some((offset > 0).then_some(counts));
        };
        // Without `pagination` support (older MDS) the page is the by-commons object itself.
        let Some(results) = page.get("results").unwrap_or(&page).as_object() else {
            return Some((offset > 0).then_some(counts));
        };
        let mut read = 0;
        for (name, records) in results {
            let n = records.as_array().map_or(0, |a| a.len() as u64);
            *counts.held.entry(name.clone()).or_default() += n;
            read += n;
        }
        // Elasticsearch 7 reports hits as {"value": n}, older ones as n.
        let hits = page.pointer("/pagination/hits").and_then(|h| h.as_u64().or_else(|| h.get("value")?.as_u64()));
        offset += AGG_PAGE;
        if read < AGG_PAGE || hits.is_some_and(|h| offset >= h) {
            counts.complete = true;
            return Some(Some(counts));
        }
        if offset >= AGG_WINDOW {
            return Some(Some(counts));
        }
    }
}

/// What the hub's aggregate index holds, by commons name.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub(crate) struct AggCounts {
    pub held: BTreeMap<String, u64>,
    /// Every page was read: the counts are exact, else lower bounds.
    pub complete: bool,
}

/// The hub's records per member, kept (by commons id) to compare with each member's own count
/// across the fleet (`views`).
fn aggmds_counts(members: &[MeshMember], counts: Option<AggCounts>) -> CheckResult {
    let Some(counts) = counts else {
        return result(AGGMDS_COUNTS, false, "the hub's aggregate metadata listing did not answer".into(), None);
    };
    let by_id = AggCounts {
        held: members.iter().map(|m| (m.commons_id.clone(), counts.held.get(&m.name).copied().unwrap_or(0))).collect(),
        complete: counts.complete,
    };
    let summary = if counts.complete {
        "records the hub holds per member".to_string()
    } else {
        "records the hub holds per member (its listing could not be read to the end)".to_string()
    };
    result(AGGMDS_COUNTS, true, summary, serde_json::to_string(&by_id).ok())
}

/// Which services answered, so their checks are worth running (guppy's status already says how
/// old its data is).
#[derive(Debug, Clone, Default)]
pub(crate) struct Up {
    pub fence: bool,
    pub guppy_status: Option<serde_json::Value>,
    pub metadata: bool,
}

/// The operator's settings the checks judge by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckPolicy {
    /// The explorer's data is stale when guppy's last ETL ran longer ago than this.
    pub etl_stale_secs: i64,
}

/// A member of a mesh whose hub is being checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeshMember {
    pub commons_id: String,
    /// The name the hub's AggMDS lists it under.
    pub name: String,
    /// `https://host[:port]`
    pub base_url: String,
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20")
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(|h| format!("{h}{}", u.port().map(|p| format!(":{p}")).unwrap_or_default())))
        .unwrap_or_default()
        .to_lowercase()
}

fn issuer(base_url: &str, config: Option<serde_json::Value>) -> CheckResult {
    let expected = format!("{}/user", base_url.trim_end_matches('/'));
    let Some(found) = config.as_ref().and_then(|v| v.get("issuer")?.as_str().map(str::to_string)) else {
        return result(ISSUER, false, "fence publishes no OpenID configuration with an issuer".into(), None);
    };
    let found = text::clean(&found, text::PHRASE_CHARS);
    if found.trim_end_matches('/') == expected {
        result(ISSUER, true, format!("issuer {found}"), Some(found))
    } else {
        let why = if host_of(&found) != host_of(&expected) {
            "tokens it signs name another host, so clients that check the issuer refuse them"
        } else {
            "it differs from fence's BASE_URL"
        };
        result(ISSUER, false, format!("fence's OpenID issuer is {found}, not {expected}: {why}"), Some(found))
    }
}

/// `{"keys": [JWK...]}` (`/.well-known/jwks`) or `{"keys": [[kid, pem], ...]}` (`/jwt/keys`).
fn jwks_fingerprint(jwks: Option<serde_json::Value>) -> CheckResult {
    let keys = jwks.as_ref().and_then(|v| v.get("keys")?.as_array().cloned()).unwrap_or_default();
    let mut entries: Vec<(String, String)> = keys
        .iter()
        .filter_map(|k| match k {
            serde_json::Value::Array(pair) => {
                Some((pair.first()?.as_str()?.to_string(), pair.get(1)?.as_str()?.to_string()))
            }
            serde_json::Value::Object(o) => Some((
                o.get("kid")?.as_str()?.to_string(),
                format!(
                    "{}.{}",
                    o.get("n").and_then(|v| v.as_str()).unwrap_or(""),
                    o.get("e").and_then(|v| v.as_str()).unwrap_or("")
                ),
            )),
            _ => None,
        })
        .collect();
    if entries.is_empty() {
        return result(JWKS, false, "fence publishes no signing keys".into(), None);
    }
    entries.sort();
    let mut hash = Sha256::new();
    for (kid, material) in &entries {
        hash.update(kid.as_bytes());
        hash.update([0]);
        hash.update(material.as_bytes());
        hash.update([0]);
    }
    let digest: String = hash.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
    let kids: Vec<String> = entries.iter().map(|(k, _)| text::clean(k, 40)).collect();
    let fact = format!("{digest} {}", kids.join(","));
    result(
        JWKS,
        true,
        format!("{}: {}", counted(kids.len(), "signing key", "signing keys"), kids.join(", ")),
        Some(fact),
    )
}

fn login_providers(login: Option<serde_json::Value>) -> CheckResult {
    let mut ids: Vec<String> = login
        .as_ref()
        .and_then(|v| v.get("providers")?.as_array().cloned())
        .unwrap_or_default()
        .iter()
        // `idp` since fence's LOGIN_OPTIONS; `id` is its deprecated twin (the only one before).
        .filter_map(|p| p.get("idp").or_else(|| p.get("id"))?.as_str().map(|s| text::clean(s, 40)))
        .collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return result(LOGIN_PROVIDERS, false, "fence lists no login providers at /user/login".into(), None);
    }
    result(LOGIN_PROVIDERS, true, format!("logins: {}", ids.join(", ")), Some(ids.join(",")))
}

/// Unix seconds of `YYYY-MM-DDTHH:MM:SS` (UTC, fraction ignored) or of a bare number of seconds.
fn parse_time(s: &str) -> Option<i64> {
    if let Ok(n) = s.parse::<i64>() {
        return Some(if n > 10_000_000_000 { n / 1000 } else { n });
    }
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || (b[10] != b'T' && b[10] != b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d, h, mi, se) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    // days_from_civil (Howard Hinnant)
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if mo > 2 { mo - 3 } else { mo + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + se)
}

fn days(secs: i64) -> String {
    match secs / 86_400 {
        1 => "a day".to_string(),
        n => format!("{n} days"),
    }
}

fn ago(secs: i64) -> String {
    match secs {
        s if s < 3600 => format!("{} minutes ago", s.max(0) / 60),
        s if s < 2 * 86_400 => format!("{} hours ago", s / 3600),
        s => format!("{} days ago", s / 86_400),
    }
}

/// guppy's `/_status`: its indices' aliases include `time_<when the ETL ran>`; the newest is the
/// age of the data the explorer shows, stale past `stale_secs`.
pub(crate) fn etl_age(status: &serde_json::Value, now: i64, stale_secs: i64) -> CheckResult {
    let newest = status
        .get("indices")
        .and_then(|i| i.as_object().cloned())
        .unwrap_or_default()
        .values()
        .filter_map(|i| i.get("aliases")?.as_object().cloned())
        .flat_map(|a| a.keys().filter_map(|k| parse_time(k.strip_prefix("time_")?)).collect::<Vec<_>>())
        .max();
    let Some(ran) = newest else {
        return result(ETL_AGE, false, "guppy shows no ETL time (no time_ alias on its indices)".into(), None);
    };
    let age = now - ran;
    let ok = age <= stale_secs;
    let summary = if ok {
        format!("explorer data indexed {}", ago(age))
    } else {
        format!("explorer data is stale: the ETL last ran {} (over {})", ago(age), days(stale_secs))
    };
    result(ETL_AGE, ok, summary, Some(ran.to_string()))
}

/// What a hub's list must cover: every member's host, read from its entries' `field`.
struct Coverage {
    check: &'static str,
    field: &'static str,
    silent: &'static str,
    all: &'static str,
    lacks: &'static str,
}

/// The hub's indexd `DIST` should resolve GUIDs through every member.
const DIST: Coverage = Coverage {
    check: MESH_DIST,
    field: "host",
    silent: "the hub's /index/_dist did not answer",
    all: "indexd resolves GUIDs through all members",
    lacks: "the hub's indexd dist lacks {}: their GUIDs do not resolve here",
};

/// The hub's WTS should offer tokens from every member (`external_oidc`).
const WTS: Coverage = Coverage {
    check: MESH_WTS,
    field: "base_url",
    silent: "the hub's /wts/external_oidc/ did not answer",
    all: "WTS gets tokens from all members",
    lacks: "the hub's WTS has no external_oidc entry for {}: their data cannot be fetched",
};

fn coverage(c: &Coverage, members: &[MeshMember], entries: Option<Vec<serde_json::Value>>) -> CheckResult {
    let Some(entries) = entries else {
        return result(c.check, false, c.silent.into(), None);
    };
    let hosts: Vec<String> = entries.iter().filter_map(|e| e.get(c.field)?.as_str().map(host_of)).collect();
    let missing: Vec<&str> =
        members.iter().filter(|m| !hosts.contains(&host_of(&m.base_url))).map(|m| m.name.as_str()).collect();
    if missing.is_empty() {
        result(c.check, true, format!("{} ({})", c.all, members.len()), None)
    } else {
        result(c.check, false, c.lacks.replace("{}", &missing.join(", ")), None)
    }
}

/// `/user/credentials/api/`: the key owner's keys. `None` when fence does not list them for this
/// key after all.
fn api_keys(client: &Gen3Client, list: Option<serde_json::Value>) -> Option<CheckResult> {
    let own = client.key_id().unwrap_or_default();
    let now = csoc_model::model::now_ms() / 1000;
    let mut others: Vec<i64> = list?
        .get("jtis")?
        .as_array()?
        .iter()
        .filter(|k| k.get("jti").and_then(|j| j.as_str()) != Some(own))
        .filter_map(|k| k.get("exp")?.as_i64())
        .filter(|exp| *exp > now)
        .collect();
    others.sort_unstable();
    let Some(&first) = others.first() else {
        return Some(result(API_KEYS, true, "the key's user has no other API keys".into(), Some(String::new())));
    };
    let when = match (first - now) / 86_400 {
        0 => "within a day".to_string(),
        days => format!("in {days} days"),
    };
    let ok = first - now > OTHER_KEY_WARN_SECS;
    let summary = format!(
        "the key's user has {}; the next expires {when}",
        counted(others.len(), "other API key", "other API keys")
    );
    Some(result(API_KEYS, ok, summary, Some(others.iter().map(i64::to_string).collect::<Vec<_>>().join(","))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etl_times_are_read_and_judged() {
        assert_eq!(parse_time("2026-12-03T10:00:00"), Some(1_796_292_000));
        assert_eq!(parse_time("2026-12-03T10:00:00.123456"), Some(1_796_292_000));
        assert_eq!(parse_time("1796292000"), Some(1_796_292_000));
        assert_eq!(parse_time("yesterday"), None);
        let status =
            |t: &str| serde_json::json!({"indices": {"i": {"aliases": {"subject": {}, format!("time_{t}"): {}}}}});
        let now = 1_796_292_000;
        let week = 7 * 86_400;
        assert!(etl_age(&status("2026-12-02T10:00:00"), now, week).ok);
        let stale = etl_age(&status("2026-11-01T10:00:00"), now, week);
        assert!(
            !stale.ok && stale.summary.contains("32 days ago") && stale.summary.contains("over 7 days"),
            "{stale:?}"
        );
        let strict = etl_age(&status("2026-12-01T10:00:00"), now, 86_400);
        assert!(!strict.ok && strict.summary.contains("over a day"), "the threshold is the operator's: {strict:?}");
        assert!(!etl_age(&serde_json::json!({"indices": {}}), now, week).ok);
    }

    #[test]
    fn signing_keys_are_counted_in_words() {
        let one = jwks_fingerprint(Some(serde_json::json!({"keys": [["fence_key_2024", "MIIB"]]})));
        assert_eq!(one.summary, "1 signing key: fence_key_2024");
        let two = jwks_fingerprint(Some(serde_json::json!({"keys": [["a", "MIIB"], ["b", "MIIC"]]})));
        assert_eq!(two.summary, "2 signing keys: a, b");
    }
}
