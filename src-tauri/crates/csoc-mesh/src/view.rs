//! The mesh view: each member's metadata service read along the path the hub's gen3 adapter uses
//! (checked from this computer), its discovery record count, the hub's aggregate list against the
//! configured members, and the mesh's problems in words.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::aggmds::DEFAULT_GUID_TYPE;
use csoc_gen3::{ClientOptions, Gen3Client};
use csoc_model::error::{CoreError, CoreResult, ErrorCode};
use csoc_model::model::now_ms;
use csoc_monitor::probe::ServiceState;

/// The MDS query API returns at most this many GUIDs per request: a count that reaches it is a
/// lower bound.
pub(crate) const COUNT_LIMIT: u64 = 2000;
/// `/mds/aggregate/commons` is an Elasticsearch terms aggregation of the default size: it names at
/// most this many commons, those with most records first.
pub(crate) const AGG_COMMONS_LISTED: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HubTarget {
    pub base_url: String,
    #[serde(default)]
    pub ca_pem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MemberTarget {
    /// The inventory id; none for an external commons known by URL only.
    #[serde(default)]
    pub commons_id: Option<String>,
    /// The name the hub lists this commons under (its AggMDS `adapter_commons` key).
    pub name: String,
    pub base_url: String,
    #[serde(default)]
    pub ca_pem: Option<String>,
    /// Its overall state on the fleet board (from the cache), when the inventory has it.
    #[serde(default)]
    pub health: Option<ServiceState>,
    #[serde(default)]
    pub guid_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MemberReport {
    pub commons_id: Option<String>,
    pub name: String,
    pub base_url: String,
    pub health: Option<ServiceState>,
    /// Its metadata service answered the adapter's query.
    pub mds_reachable: bool,
    /// Discovery records it publishes.
    pub records: Option<u64>,
    /// `records` stopped at the query limit: the member has at least that many.
    pub records_at_least: bool,
    /// Whether the hub lists it; none when the hub's list is unknown.
    pub in_hub: Option<bool>,
    pub error: Option<CoreError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct HubReport {
    pub base_url: String,
    /// `aggregate_metadata_enabled` of the hub's `/mds/_status`.
    pub aggregate_enabled: Option<bool>,
    /// The hub's `/mds/aggregate/commons`: at most 10 names, the commons with most records first.
    pub commons: Option<Vec<String>>,
    /// Configured members that list left out (it was full), found at the hub when asked one by one.
    pub confirmed: Vec<String>,
    /// Configured members the full list left out and whose records at the hub could not be read.
    pub unconfirmed: Vec<String>,
    /// Configured, but the hub holds no records from them.
    pub missing: Vec<String>,
    /// Listed by the hub, but not configured.
    pub extra: Vec<String>,
    /// Records in the hub's aggregate index.
    pub total_records: Option<u64>,
    pub error: Option<CoreError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MeshReport {
    pub hub: Option<HubReport>,
    pub members: Vec<MemberReport>,
    /// The mesh's problems, most serious first, in words.
    pub problems: Vec<String>,
    #[ts(type = "number")]
    pub checked_at: i64,
}

fn client(base_url: &str, ca_pem: &Option<String>, opts: &ClientOptions) -> CoreResult<Gen3Client> {
    let mut opts = opts.clone();
    if ca_pem.is_some() {
        opts.extra_ca_pem = ca_pem.clone();
    }
    Gen3Client::new(base_url.trim().trim_end_matches('/'), None, opts)
}

fn malformed(what: String) -> CoreError {
    CoreError::new(ErrorCode::MalformedResponse, what)
}

/// Checks the hub and every member concurrently; a member that fails gets its own error while
/// the rest are checked. `configured_names` are the hub's AggMDS commons names.
pub async fn mesh_health(
    hub: Option<&HubTarget>,
    members: &[MemberTarget],
    configured_names: &[String],
    opts: &ClientOptions,
) -> MeshReport {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, m) in members.iter().enumerate() {
        let (m, opts) = (m.clone(), opts.clone());
        tasks.spawn(async move { (i, member_records(&m, &opts).await) });
    }
    let hub_report = match hub {
        Some(h) => Some(check_hub(h, configured_names, opts).await),
        None => None,
    };
    let mut counts: Vec<Option<CoreResult<(u64, bool)>>> = vec![None; members.len()];
    while let Some(joined) = tasks.join_next().await {
        if let Ok((i, r)) = joined {
            counts[i] = Some(r);
        }
    }
    let reports: Vec<MemberReport> = members
        .iter()
        .zip(counts)
        .map(|(m, count)| {
            let count = count.unwrap_or_else(|| {
                Err(CoreError::new(ErrorCode::Unreachable, "The check of this member stopped unexpectedly."))
            });
            let (records, records_at_least, error) = match count {
                Ok((n, capped)) => (Some(n), capped, None),
                Err(e) => (None, false, Some(e)),
            };
            MemberReport {
                commons_id: m.commons_id.clone(),
                name: m.name.clone(),
                base_url: m.base_url.clone(),
                health: m.health,
                mds_reachable: error.is_none(),
                records,
                records_at_least,
                in_hub: hub_report.as_ref().filter(|h| h.commons.is_some()).and_then(|h| held(h, &m.name)),
                error,
            }
        })
        .collect();
    let problems = problems(hub_report.as_ref(), &reports);
    MeshReport { hub: hub_report, members: reports, problems, checked_at: now_ms() }
}

/// The member's discovery GUIDs, counted, as the hub's adapter would page them.
async fn member_records(m: &MemberTarget, opts: &ClientOptions) -> CoreResult<(u64, bool)> {
    let guid_type = m.guid_type.as_deref().unwrap_or(DEFAULT_GUID_TYPE);
    let path = format!("/mds/metadata?_guid_type={guid_type}&limit={COUNT_LIMIT}");
    let body = client(&m.base_url, &m.ca_pem, opts)?.get_json(&path, false).await?;
    match body {
        Value::Array(guids) => Ok((guids.len() as u64, guids.len() as u64 >= COUNT_LIMIT)),
        _ => Err(malformed(format!(
            "The metadata service of {} answered its GUID query with something other than a list of GUIDs, so the \
             hub's gen3 adapter cannot read it either.",
            m.name
        ))),
    }
}

/// Whether the hub holds a configured member's records: `None` when that could not be confirmed.
fn held(h: &HubReport, name: &str) -> Option<bool> {
    let listed = h.commons.as_ref().is_some_and(|l| l.iter().any(|n| n == name));
    if listed || h.confirmed.iter().any(|n| n == name) {
        Some(true)
    } else if h.missing.iter().any(|n| n == name) {
        Some(false)
    } else {
        None
    }
}

async fn check_hub(h: &HubTarget, configured: &[String], opts: &ClientOptions) -> HubReport {
    let mut report = HubReport {
        base_url: h.base_url.clone(),
        aggregate_enabled: None,
        commons: None,
        confirmed: Vec::new(),
        unconfirmed: Vec::new(),
        missing: Vec::new(),
        extra: Vec::new(),
        total_records: None,
        error: None,
    };
    if let Err(e) = read_hub(h, configured, opts, &mut report).await {
        report.error = Some(e);
    }
    report
}

async fn read_hub(
    h: &HubTarget,
    configured: &[String],
    opts: &ClientOptions,
    report: &mut HubReport,
) -> CoreResult<()> {
    let c = client(&h.base_url, &h.ca_pem, opts)?;
    let status = c.get_json("/mds/_status", false).await?;
    report.aggregate_enabled = status.get("aggregate_metadata_enabled").and_then(Value::as_bool);
    if report.aggregate_enabled != Some(true) {
        return Ok(());
    }
    let commons = c.get_json("/mds/aggregate/commons", false).await?;
    let names: Vec<String> = match commons.get("commons").and_then(Value::as_array) {
        Some(list) => list.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        // The service answers [] when it cannot query its Elasticsearch.
        None if commons.is_array() => {
            return Err(malformed(
                "The hub's aggregate metadata service could not read its index (it answered an empty list instead \
                 of its commons): its Elasticsearch is probably down or unreachable."
                    .into(),
            ))
        }
        None => return Err(malformed("The hub answered /mds/aggregate/commons without a `commons` list.".into())),
    };
    report.extra = names.iter().filter(|n| !configured.contains(n)).cloned().collect();
    for name in configured.iter().filter(|n| !names.contains(n)) {
        // A list shorter than the aggregation's size is complete; a full one may have left
        // members out, so ask for each of those by name.
        let at_hub = if names.len() < AGG_COMMONS_LISTED { Some(false) } else { holds_records_of(&c, name).await };
        match at_hub {
            Some(true) => report.confirmed.push(name.clone()),
            Some(false) => report.missing.push(name.clone()),
            None => report.unconfirmed.push(name.clone()),
        }
    }
    report.commons = Some(names);
    let page = c.get_json("/mds/aggregate/metadata?limit=1&offset=0&pagination=true", false).await?;
    // Elasticsearch 7 reports hits as {"value": n}, older ones as n.
    let hits = page.pointer("/pagination/hits");
    report.total_records = hits.and_then(|h| h.as_u64().or_else(|| h.get("value")?.as_u64()));
    Ok(())
}

/// `/mds/aggregate/metadata/{name}`: the member's records at the hub (at most 10: a search with
/// Elasticsearch's default size), or 404 when it holds none. `None` when the answer says neither.
async fn holds_records_of(c: &Gen3Client, name: &str) -> Option<bool> {
    let path = format!("/mds/aggregate/metadata/{}", csoc_monitor::checks::urlencode(name));
    let r = c.get_raw(&path, false).await.ok()?;
    match r.status {
        404 => Some(false),
        200 => match serde_json::from_slice::<Value>(&r.body).ok()? {
            Value::Array(records) => Some(!records.is_empty()),
            _ => None,
        },
        _ => None,
    }
}

fn problems(hub: Option<&HubReport>, members: &[MemberReport]) -> Vec<String> {
    let mut out = Vec::new();
    match hub {
        None => out.push("The mesh has no hub: pick the commons whose metadata service aggregates the others.".into()),
        Some(h) => {
            if let Some(e) = &h.error {
                out.push(format!("The hub cannot be checked: {}", e.message));
            } else if h.aggregate_enabled != Some(true) {
                out.push(
                    "The hub's metadata service runs without aggregate metadata (metadata.useAggMds is not true), so \
                     the mesh has no shared discovery page."
                        .into(),
                );
            }
            for name in &h.missing {
                out.push(format!(
                    "The hub holds no records from {name}, which its AggMDS configuration lists: check that {name}'s \
                     metadata service is reachable from the hub and publishes discovery records, then re-run the \
                     hub's aggregate sync."
                ));
            }
            for name in &h.unconfirmed {
                out.push(format!(
                    "Whether the hub holds {name}'s records could not be confirmed: its commons list shows only the \
                     {AGG_COMMONS_LISTED} commons with most records, and asking for {name} by name got no clear answer."
                ));
            }
            for name in &h.extra {
                out.push(format!(
                    "The hub lists {name}, which is not a configured member: records left from an earlier \
                     configuration, or a member missing from this mesh."
                ));
            }
            let member_total: u64 = members.iter().filter_map(|m| m.records).sum();
            if h.total_records == Some(0) && member_total > 0 {
                out.push(format!(
                    "The hub's aggregate index is empty although the members publish {member_total} records: its \
                     aggregate sync has not run or failed."
                ));
            }
        }
    }
    for m in members {
        if m.health == Some(ServiceState::Down) {
            out.push(format!("{} is down on the fleet board.", m.name));
        }
        if let Some(e) = &m.error {
            out.push(format!("{}: its metadata service cannot be read: {}", m.name, e.message));
        } else if m.records == Some(0) {
            out.push(format!(
                "{} publishes no discovery records, so it adds nothing to the hub's discovery page.",
                m.name
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A member the hub's full list left out and whose records could not be read by name is
    /// neither listed nor missing, and the problems say so.
    #[test]
    fn an_unconfirmed_member_is_said_to_be_unconfirmed() {
        let hub = HubReport {
            base_url: "https://hub.example.org".into(),
            aggregate_enabled: Some(true),
            commons: Some((1..=10).map(|i| format!("big{i}")).collect()),
            confirmed: vec!["small".into()],
            unconfirmed: vec!["shy".into()],
            missing: vec!["gone".into()],
            extra: Vec::new(),
            total_records: Some(100),
            error: None,
        };
        let verdicts: Vec<Option<bool>> = ["big3", "small", "shy", "gone"].iter().map(|n| held(&hub, n)).collect();
        assert_eq!(verdicts, [Some(true), Some(true), None, Some(false)]);
        let said = problems(Some(&hub), &[]).join("\n");
        assert!(said.contains("holds no records from gone"), "{said}");
        assert!(said.contains("Whether the hub holds shy's records could not be confirmed"), "{said}");
        assert!(!said.contains("small"), "{said}");
    }
}
