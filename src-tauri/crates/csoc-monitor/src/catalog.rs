//! What to probe on a commons and how to read each answer, with the services' real quirks
//! (text `Healthy`, FastAPI `{"status": "OK"}`, MDS `/version` without underscore, revproxy
//! `/_status` JSON, arborist not exposed) and the routes gen3-helm's revproxy guards with
//! `auth_request` (GEN3.md section 2b). Every service gen3-helm routes publicly is here.

/// How a service's `_status` body says it is healthy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusBody {
    /// fence, indexd, sheepdog and the other Flask and Go services: text `Healthy`.
    TextHealthy,
    /// FastAPI services (audit, requestor, gen3-workflow, user-data-library, ...): `{"status": "OK"}`.
    FastApi,
    /// revproxy: `{"message": "Feelin good!", ...}`.
    Revproxy,
    /// metadata: `{"status": "OK", ...}`; 500 `{"message": "aggregate datastore offline"}` is degraded.
    Mds,
    /// guppy: `{"statusCode": 200, "indices": {...}}`.
    Guppy,
    /// A web page (the portal, the frontend framework, the OHIF viewer): 200 HTML.
    Html,
    /// Any 2xx JSON (services whose status body is not documented: cohort-middleware's `/_health`,
    /// argo-wrapper's `/test`, Orthanc's `/system`).
    AnyJson,
    /// Any 2xx that is not a web page (wts, manifestservice, hatchery, sower: their `/_status`
    /// body is not documented upstream, so only "answered as itself" is checked).
    AnyNotHtml,
}

#[derive(Debug, Clone, Copy)]
pub struct ServiceDef {
    /// Stable id, as stored in the cache and shown in the board's columns (gen3-helm's chart name).
    pub id: &'static str,
    pub status_path: &'static str,
    pub status_body: StatusBody,
    /// Where the version is; `None` where a service publishes none (manifestservice, the portal).
    pub version_path: Option<&'static str>,
    /// The route sits behind the revproxy's `auth_request /gen3-authz`: an anonymous probe gets
    /// 401 (or a redirect), so it is probed with the stored key, and without one it "needs a key".
    pub authz: bool,
}

const fn def(id: &'static str, status_path: &'static str, status_body: StatusBody) -> ServiceDef {
    ServiceDef { id, status_path, status_body, version_path: None, authz: false }
}

const fn versioned(id: &'static str, status: &'static str, body: StatusBody, version: &'static str) -> ServiceDef {
    ServiceDef { id, status_path: status, status_body: body, version_path: Some(version), authz: false }
}

const fn guarded(def: ServiceDef) -> ServiceDef {
    ServiceDef { authz: true, ..def }
}

use StatusBody::*;

/// Probed in this order; revproxy first, since its failure means the commons is unreachable.
pub const CATALOG: &[ServiceDef] = &[
    def("revproxy", "/_status", Revproxy),
    versioned("fence", "/user/_status", TextHealthy, "/user/_version"),
    versioned("indexd", "/index/_status", TextHealthy, "/index/_version"),
    versioned("sheepdog", "/api/_status", TextHealthy, "/api/_version"),
    versioned("peregrine", "/peregrine/_status", TextHealthy, "/peregrine/_version"),
    versioned("metadata", "/mds/_status", Mds, "/mds/version"),
    versioned("guppy", "/guppy/_status", Guppy, "/guppy/_version"),
    versioned("wts", "/wts/_status", AnyNotHtml, "/wts/_version"),
    def("manifestservice", "/manifests/_status", AnyNotHtml),
    versioned("audit", "/audit/_status", FastApi, "/audit/_version"),
    versioned("requestor", "/requestor/_status", FastApi, "/requestor/_version"),
    guarded(versioned("hatchery", "/lw-workspace/_status", AnyNotHtml, "/lw-workspace/_version")),
    guarded(versioned("sower", "/job/_status", AnyNotHtml, "/job/_version")),
    versioned("gen3-workflow", "/workflows/_status", FastApi, "/workflows/_version"),
    versioned("gen3-user-data-library", "/library/_status", FastApi, "/library/_version"),
    versioned("gen3-embeddings", "/ai/embeddings/_status", FastApi, "/ai/embeddings/_version"),
    versioned("gen3-analysis", "/analysis/v0/_status", FastApi, "/analysis/v0/_version"),
    versioned("access-backend", "/access-backend/_status", FastApi, "/access-backend/_version"),
    def("cohort-middleware", "/cohort-middleware/_health", AnyJson),
    def("argo-wrapper", "/ga4gh/wes/v2/test", AnyJson),
    versioned("dicom-server", "/dicom-server/system", AnyJson, "/dicom-server/system"),
    guarded(versioned("orthanc", "/orthanc/system", AnyJson, "/orthanc/system")),
    def("ohif-viewer", "/ohif-viewer/", Html),
    def("frontend-framework", "/ff", Html),
    def("portal", "/", Html),
];

pub fn service_ids() -> Vec<&'static str> {
    CATALOG.iter().map(|s| s.id).collect()
}

pub fn find(id: &str) -> Option<&'static ServiceDef> {
    CATALOG.iter().find(|d| d.id == id)
}
