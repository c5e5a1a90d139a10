//! What to probe on a commons and how to read each answer, with the services' real quirks
//! (text `Healthy`, MDS `/version` without underscore, revproxy `/_status` JSON, arborist not exposed).

/// How a service's `_status` body says it is healthy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusBody {
    /// fence, indexd, sheepdog and most Flask services: text `Healthy`.
    TextHealthy,
    /// revproxy: `{"message": "Feelin good!", ...}`.
    Revproxy,
    /// metadata: `{"status": "OK", ...}`; 500 `{"message": "aggregate datastore offline"}` is degraded.
    Mds,
    /// guppy: `{"statusCode": 200, "indices": {...}}`.
    Guppy,
    /// Any 2xx body (services whose status body is not documented).
    Any2xx,
}

#[derive(Debug, Clone, Copy)]
pub struct ServiceDef {
    /// Stable id, as stored in the cache and shown in the board's columns.
    pub id: &'static str,
    pub status_path: &'static str,
    pub status_body: StatusBody,
    /// Where the version is; `None` where a service publishes none.
    pub version_path: Option<&'static str>,
}

/// Probed in this order; revproxy first, since its failure means the commons is unreachable.
pub const CATALOG: &[ServiceDef] = &[
    ServiceDef { id: "revproxy", status_path: "/_status", status_body: StatusBody::Revproxy, version_path: None },
    ServiceDef {
        id: "fence",
        status_path: "/user/_status",
        status_body: StatusBody::TextHealthy,
        version_path: Some("/user/_version"),
    },
    ServiceDef {
        id: "indexd",
        status_path: "/index/_status",
        status_body: StatusBody::TextHealthy,
        version_path: Some("/index/_version"),
    },
    ServiceDef {
        id: "sheepdog",
        status_path: "/api/_status",
        status_body: StatusBody::TextHealthy,
        version_path: Some("/api/_version"),
    },
    ServiceDef {
        id: "peregrine",
        status_path: "/peregrine/_status",
        status_body: StatusBody::TextHealthy,
        version_path: Some("/peregrine/_version"),
    },
    ServiceDef {
        id: "metadata",
        status_path: "/mds/_status",
        status_body: StatusBody::Mds,
        version_path: Some("/mds/version"),
    },
    ServiceDef {
        id: "guppy",
        status_path: "/guppy/_status",
        status_body: StatusBody::Guppy,
        version_path: Some("/guppy/_version"),
    },
    ServiceDef {
        id: "wts",
        status_path: "/wts/_status",
        status_body: StatusBody::Any2xx,
        version_path: Some("/wts/_version"),
    },
    ServiceDef {
        id: "manifestservice",
        status_path: "/manifests/_status",
        status_body: StatusBody::Any2xx,
        version_path: Some("/manifests/_version"),
    },
    ServiceDef {
        id: "audit",
        status_path: "/audit/_status",
        status_body: StatusBody::Any2xx,
        version_path: Some("/audit/_version"),
    },
    ServiceDef {
        id: "requestor",
        status_path: "/requestor/_status",
        status_body: StatusBody::Any2xx,
        version_path: Some("/requestor/_version"),
    },
    ServiceDef {
        id: "hatchery",
        status_path: "/lw-workspace/_status",
        status_body: StatusBody::Any2xx,
        version_path: Some("/lw-workspace/_version"),
    },
    ServiceDef {
        id: "sower",
        status_path: "/job/_status",
        status_body: StatusBody::Any2xx,
        version_path: Some("/job/_version"),
    },
];

pub fn service_ids() -> Vec<&'static str> {
    CATALOG.iter().map(|s| s.id).collect()
}
