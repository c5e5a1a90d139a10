//! A commons that is starting, as after a fresh `helm install`: at first the load balancer answers
//! for revproxy with nginx's 502 and every service route with 503; then revproxy comes up, and the
//! deployed services after it, one every `step`.

use std::time::{Duration, Instant};

use crate::server::Commons;
use crate::{Fleet, Service};

#[derive(Debug, Clone, Copy)]
pub(crate) struct Boot {
    started: Instant,
    step: Duration,
}

impl Fleet {
    /// From now on, this commons is starting: revproxy answers 502 and every deployed service 503
    /// until its turn. Revproxy is up after `step`, and the other deployed services follow in the
    /// order of [`CommonsSpec::services`](crate::CommonsSpec::services), one more every `step`
    /// (the i-th after revproxy at `(i + 1) * step`). Once revproxy is up, a service not up (or not
    /// deployed) answers as the commons' revproxy answers for it. Panics on an unknown name.
    pub fn coming_up(&self, name: &str, step: Duration) {
        self.commons(name).state.lock().unwrap().boot = Some(Boot { started: Instant::now(), step });
    }
}

/// Why the route's service cannot answer yet, or `None` once it can (or when the commons is not
/// starting).
pub(crate) enum NotUp {
    /// The load balancer answers, revproxy is not up: this status and reason.
    Edge(u16, &'static str),
    /// revproxy is up, the service behind it is not: what nginx makes of a failing upstream.
    Upstream(u16, &'static str),
}

pub(crate) fn not_up_yet(c: &Commons, service: Option<Service>) -> Option<NotUp> {
    let boot = c.state.lock().unwrap().boot?;
    let elapsed = boot.started.elapsed();
    let up_at = |s: Service| -> Option<Duration> {
        if s == Service::Revproxy {
            return Some(boot.step);
        }
        let others = c.spec.services.iter().filter(|x| **x != Service::Revproxy);
        let i = others.enumerate().find(|(_, x)| **x == s)?.0 as u32;
        Some(boot.step * (i + 2))
    };
    if up_at(Service::Revproxy).is_some_and(|t| elapsed < t) {
        return match service {
            None | Some(Service::Revproxy) => Some(NotUp::Edge(502, "Bad Gateway")),
            Some(_) => Some(NotUp::Edge(503, "Service Temporarily Unavailable")),
        };
    }
    match service.and_then(up_at) {
        Some(t) if elapsed < t => Some(NotUp::Upstream(503, "Service Temporarily Unavailable")),
        _ => None,
    }
}
