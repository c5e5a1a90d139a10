//! The fleet's last known state as OpenMetrics text (gauges only, so the same body is also valid
//! Prometheus text format 0.0.4 and passes `promtool check metrics`), read from the cache.

use std::fmt::Write;

use crate::monitor::probe::ServiceState;
use crate::monitor::views::{CommonsHealth, FleetView};

/// States a commons' `gen3_csoc_commons_state` series take, one series per state (1 for the current one).
const COMMONS_STATES: [&str; 5] = ["healthy", "degraded", "down", "unknown", "unreachable_here"];
const SERVICE_STATES: [ServiceState; 6] = [
    ServiceState::Healthy,
    ServiceState::Degraded,
    ServiceState::Down,
    ServiceState::NotDeployed,
    ServiceState::Unknown,
    ServiceState::NeedsKey,
];

/// A metric family: its name, help and samples (labels, value).
struct Family {
    name: &'static str,
    help: &'static str,
    samples: Vec<(String, f64)>,
}

impl Family {
    fn new(name: &'static str, help: &'static str) -> Self {
        Self { name, help, samples: Vec::new() }
    }

    fn add(&mut self, labels: &[(&str, &str)], value: f64) {
        let mut text = String::new();
        for (i, (k, v)) in labels.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            let _ = write!(text, "{sep}{k}=\"{}\"", escape(v));
        }
        self.samples.push((text, value));
    }
}

/// Label values escaped as both formats require (backslash, double quote, newline).
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn families() -> [Family; 13] {
    [
        Family::new("gen3_csoc_commons_info", "A commons in the inventory (always 1), with its name and environment."),
        Family::new(
            "gen3_csoc_commons_state",
            "1 for the commons' current overall state, 0 for the others (unreachable_here: not reached from this \
             probe, not known to be down).",
        ),
        Family::new("gen3_csoc_commons_up", "1 when the last check reached the commons' revproxy."),
        Family::new("gen3_csoc_service_state", "1 for each service's current state, 0 for the others."),
        Family::new("gen3_csoc_service_latency_seconds", "How long the service's health route took to answer."),
        Family::new("gen3_csoc_service_version_info", "The image version a service reports (always 1)."),
        Family::new("gen3_csoc_certificate_expiry_timestamp_seconds", "When the commons' TLS certificate expires."),
        Family::new("gen3_csoc_api_key_expiry_timestamp_seconds", "When the stored API key for the commons expires."),
        Family::new("gen3_csoc_indexd_objects", "Objects indexd lists (DRS)."),
        Family::new("gen3_csoc_indexd_size_bytes", "Total size of the objects indexd lists."),
        Family::new(
            "gen3_csoc_checks_failing",
            "Outside-in checks (issuer, keys, login providers, ETL, mesh) failing.",
        ),
        Family::new("gen3_csoc_commons_last_check_timestamp_seconds", "When the commons was last checked."),
        Family::new("gen3_csoc_last_sweep_timestamp_seconds", "When the last sweep of the fleet finished."),
    ]
}

pub(crate) fn render(view: &FleetView) -> String {
    let mut f = families();
    for row in &view.rows {
        commons_samples(&mut f, row);
    }
    if let Some(at) = view.freshness.last_successful.or(view.freshness.last_attempted) {
        f[12].add(&[], at as f64 / 1000.0);
    }
    let mut out = String::new();
    for family in &f {
        let _ = writeln!(out, "# HELP {} {}", family.name, family.help);
        let _ = writeln!(out, "# TYPE {} gauge", family.name);
        for (labels, value) in &family.samples {
            let labels = if labels.is_empty() { String::new() } else { format!("{{{labels}}}") };
            let _ = writeln!(out, "{}{labels} {value}", family.name);
        }
    }
    out.push_str("# EOF\n");
    out
}

fn commons_samples(f: &mut [Family; 13], row: &CommonsHealth) {
    let c = &row.commons;
    let ids = [("commons_id", c.id.as_str()), ("commons", c.draft.name.as_str()), ("host", c.host())];
    let mut info = ids.to_vec();
    info.push(("environment", c.draft.environment.as_str()));
    info.push(("expected_release", c.draft.expected_release.as_deref().unwrap_or("")));
    f[0].add(&info, 1.0);
    let current = if row.unreachable_here { "unreachable_here" } else { row.overall.as_str() };
    for state in COMMONS_STATES {
        let mut labels = ids.to_vec();
        labels.push(("state", state));
        f[1].add(&labels, f64::from(u8::from(state == current)));
    }
    if let Some(at) = row.last_attempted {
        let up = row.last_successful == Some(at);
        f[2].add(&ids, f64::from(u8::from(up)));
        f[11].add(&ids, at as f64 / 1000.0);
    }
    for s in &row.services {
        let mut labels = ids.to_vec();
        labels.push(("service", s.service.as_str()));
        for state in SERVICE_STATES {
            let mut with_state = labels.clone();
            with_state.push(("state", state.as_str()));
            f[3].add(&with_state, f64::from(u8::from(state == s.state)));
        }
        if let Some(ms) = s.latency_ms {
            f[4].add(&labels, f64::from(ms) / 1000.0);
        }
        if let Some(v) = &s.version {
            let mut with_version = labels.clone();
            with_version.push(("version", v.as_str()));
            f[5].add(&with_version, 1.0);
        }
    }
    if let Some(not_after) = row.cert.as_ref().and_then(|c| c.not_after) {
        f[6].add(&ids, not_after as f64);
    }
    if let Some(key) = &row.key {
        f[7].add(&ids, key.expires_at as f64);
    }
    if let Some(n) = row.counts.objects {
        f[8].add(&ids, n as f64);
    }
    if let Some(n) = row.counts.bytes {
        f[9].add(&ids, n as f64);
    }
    if row.last_attempted.is_some() {
        f[10].add(&ids, row.checks.iter().filter(|c| !c.ok).count() as f64);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn label_values_are_escaped() {
        assert_eq!(super::escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    /// The metric names a PromQL expression uses.
    fn metric_names(expr: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = expr;
        while let Some(i) = rest.find("gen3_csoc_") {
            let tail = &rest[i..];
            let end = tail.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(tail.len());
            out.push(tail[..end].to_string());
            rest = &tail[end..];
        }
        out
    }

    #[test]
    fn the_grafana_dashboard_queries_only_metrics_the_exposition_declares() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../docs/grafana/gen3-csoc-fleet.json"))
                .unwrap();
        let dashboard: serde_json::Value = serde_json::from_str(&text).unwrap();
        let declared = super::families().into_iter().map(|f| f.name).collect::<Vec<_>>();
        let panels = dashboard["panels"].as_array().unwrap();
        assert!(panels.len() >= 10);
        let mut used = std::collections::BTreeSet::new();
        for p in panels {
            for t in p["targets"].as_array().unwrap() {
                let expr = t["expr"].as_str().unwrap();
                let names = metric_names(expr);
                assert!(!names.is_empty(), "{expr}");
                for n in names {
                    assert!(declared.contains(&n.as_str()), "{n} in panel {} is not exposed", p["title"]);
                    used.insert(n);
                }
            }
        }
        let variable = &dashboard["templating"]["list"][1]["query"]["query"];
        assert!(declared.iter().any(|n| variable.as_str().unwrap().contains(n)));
        assert!(used.len() >= 10, "the dashboard shows most of what is exposed: {used:?}");
    }
}
