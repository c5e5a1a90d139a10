//! Words for desktop notifications: one per state change or expiry alert, folded into one summary
//! when a sweep brings many, so a bad morning is one notification, not fifty.

use super::checks;
use super::history::{AlertKind, SweepReport};
use super::probe::ServiceState;

const MAX_SEPARATE: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
}

fn state_word(s: ServiceState) -> &'static str {
    match s {
        ServiceState::Healthy => "healthy",
        ServiceState::Degraded => "degraded",
        ServiceState::Down => "down",
        ServiceState::NotDeployed => "not deployed",
        ServiceState::Unknown => "unknown",
        ServiceState::NeedsKey => "waiting for an API key to be checked",
    }
}

/// One notice per change and per expiry alert, in the sweep's order (for a webhook, which lists them all).
pub(crate) fn each_notice(report: &SweepReport) -> Vec<Notice> {
    report
        .changes
        .iter()
        .map(|c| {
            let what = if c.service == "commons" { "the commons".to_string() } else { c.service.clone() };
            if checks::is_check(&c.service) {
                let verdict = if c.to == ServiceState::Healthy { "looks right again" } else { "needs a look" };
                let title = format!("{}: {} {verdict}", c.commons_name, checks::title(&c.service));
                return Notice { title, body: c.detail.clone().unwrap_or_default() };
            }
            let title = match c.to {
                ServiceState::Healthy => format!("{}: {what} is healthy again", c.commons_name),
                to => format!("{}: {what} is {}", c.commons_name, state_word(to)),
            };
            Notice { title, body: c.detail.clone().unwrap_or_else(|| format!("It was {}.", state_word(c.from))) }
        })
        .chain(report.alerts.iter().map(|a| {
            let what = match a.kind {
                AlertKind::Certificate => "TLS certificate",
                AlertKind::ApiKey => "API key",
            };
            let title = if a.threshold_days == 0 {
                format!("{}: the {what} has expired", a.commons_name)
            } else {
                format!("{}: the {what} expires within {} days", a.commons_name, a.threshold_days)
            };
            let body = match a.kind {
                AlertKind::Certificate => "Renew it before clients stop trusting the commons.".to_string(),
                AlertKind::ApiKey => "Create a new key on the portal's Profile page and import it.".to_string(),
            };
            Notice { title, body }
        }))
        .collect()
}

/// [`each_notice`], folded into one summary when there are many (a desktop's notifications).
pub fn notices(report: &SweepReport) -> Vec<Notice> {
    let mut out = each_notice(report);
    if out.len() > MAX_SEPARATE {
        let down = report.changes.iter().filter(|c| c.to == ServiceState::Down).count();
        let recovered = report.changes.iter().filter(|c| c.to == ServiceState::Healthy).count();
        out = vec![Notice {
            title: format!("{} changes in the fleet", out.len()),
            body: format!(
                "{down} went down, {recovered} recovered, {} expiry warnings. Open the Fleet board for details.",
                report.alerts.len()
            ),
        }];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{ExpiryAlert, StateChange};

    fn change(to: ServiceState) -> StateChange {
        StateChange {
            commons_id: "x".into(),
            commons_name: "AIDS Data Hub".into(),
            service: "fence".into(),
            from: ServiceState::Healthy,
            to,
            at: 0,
            detail: Some("revproxy cannot reach fence (HTTP 502)".into()),
        }
    }

    #[test]
    fn one_notice_per_change_and_a_summary_when_many() {
        let mut report = SweepReport { changes: vec![change(ServiceState::Down)], ..Default::default() };
        report.alerts.push(ExpiryAlert {
            commons_id: "x".into(),
            commons_name: "AIDS Data Hub".into(),
            kind: AlertKind::Certificate,
            expires_at: 0,
            threshold_days: 7,
        });
        let n = notices(&report);
        assert_eq!(n.len(), 2);
        assert_eq!(n[0].title, "AIDS Data Hub: fence is down");
        assert!(n[0].body.contains("HTTP 502"));
        assert_eq!(n[1].title, "AIDS Data Hub: the TLS certificate expires within 7 days");
        report.changes = (0..6).map(|_| change(ServiceState::Down)).collect();
        let n = notices(&report);
        assert_eq!(n.len(), 1);
        assert!(n[0].title.starts_with("7 changes"), "{}", n[0].title);
        assert!(notices(&SweepReport::default()).is_empty());
    }
}
