//! A fleet described in JSON, for a process that runs the simulator as a child (the app's demo
//! mode): `gen3-sim --plan` reads one line of [`Plan`] JSON on stdin, starts the fleet, answers
//! one line of [`Started`] JSON on stdout, and serves until its stdin closes (so the fleet never
//! outlives the process that asked for it) or SIGTERM.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{CommonsSpec, Edge, Fault, Fleet, MintOptions, Service, TlsMode};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub commons: Vec<PlannedCommons>,
}

/// One commons; an omitted field keeps [`CommonsSpec::new`]'s value. Services are named by their
/// gen3-helm names ([`Service::id`]).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannedCommons {
    pub name: String,
    #[serde(default)]
    pub tls: Option<String>,
    #[serde(default)]
    pub services: Option<Vec<String>>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub aggregates: Option<Vec<String>>,
    #[serde(default)]
    pub cloud_automation: bool,
    #[serde(default)]
    pub oidc_issuer: Option<String>,
    #[serde(default)]
    pub login_providers: Option<Vec<String>>,
    #[serde(default)]
    pub etl_age_secs: Option<u64>,
    #[serde(default)]
    pub dist: Vec<String>,
    #[serde(default)]
    pub external_oidc: Vec<String>,
    #[serde(default)]
    pub fault: Option<PlannedFault>,
    /// API keys to mint once the fleet runs, returned in [`StartedCommons::credentials`].
    #[serde(default)]
    pub mint: Vec<PlannedKey>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannedFault {
    /// `None` = the whole commons.
    #[serde(default)]
    pub service: Option<String>,
    /// `down`, `html`, `status500` or `slow` (with `ms`).
    pub kind: String,
    #[serde(default)]
    pub ms: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannedKey {
    pub expires_in_secs: i64,
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
}

#[derive(Debug, Serialize)]
pub struct Started {
    pub ca_pem: String,
    pub commons: Vec<StartedCommons>,
}

#[derive(Debug, Serialize)]
pub struct StartedCommons {
    pub name: String,
    pub base_url: String,
    /// credentials.json documents, in the order of [`PlannedCommons::mint`].
    pub credentials: Vec<serde_json::Value>,
}

fn tls_mode(s: &str) -> Result<TlsMode, String> {
    Ok(match s {
        "plain" => TlsMode::Plain,
        "trusted-ca" => TlsMode::TrustedCa,
        "self-signed" => TlsMode::SelfSigned,
        "expired" => TlsMode::Expired,
        "expires-soon" => TlsMode::ExpiresSoon,
        other => return Err(format!("unknown tls mode {other:?}")),
    })
}

fn service(id: &str) -> Result<Service, String> {
    Service::ALL.into_iter().find(|s| s.id() == id).ok_or_else(|| format!("unknown service {id:?}"))
}

fn fault(f: &PlannedFault) -> Result<(Option<Service>, Fault), String> {
    let kind = match f.kind.as_str() {
        "down" => Fault::Down,
        "html" => Fault::Html,
        "status500" => Fault::Status500,
        "slow" => Fault::Slow(Duration::from_millis(f.ms)),
        other => return Err(format!("unknown fault {other:?}")),
    };
    Ok((f.service.as_deref().map(service).transpose()?, kind))
}

impl PlannedCommons {
    fn spec(&self) -> Result<CommonsSpec, String> {
        let d = CommonsSpec::new(&self.name);
        Ok(CommonsSpec {
            tls: self.tls.as_deref().map(tls_mode).transpose()?.unwrap_or(d.tls),
            services: match &self.services {
                Some(ids) => ids.iter().map(|s| service(s)).collect::<Result<_, _>>()?,
                None => d.services,
            },
            version: self.version.clone().unwrap_or(d.version),
            aggregates: self.aggregates.clone(),
            edge: if self.cloud_automation { Edge::CloudAutomation } else { Edge::Helm },
            oidc_issuer: self.oidc_issuer.clone(),
            login_providers: self.login_providers.clone().unwrap_or(d.login_providers),
            etl_age_secs: self.etl_age_secs.unwrap_or(d.etl_age_secs),
            dist: self.dist.clone(),
            external_oidc: self.external_oidc.clone(),
            ..d
        })
    }
}

/// Starts the planned fleet: faults set, keys minted.
pub async fn start(plan: &Plan) -> Result<(Fleet, Started), String> {
    let specs = plan.commons.iter().map(PlannedCommons::spec).collect::<Result<Vec<_>, _>>()?;
    let faults = plan.commons.iter().map(|c| c.fault.as_ref().map(fault).transpose()).collect::<Result<Vec<_>, _>>()?;
    let fleet = Fleet::start(specs).await.map_err(|e| e.to_string())?;
    let mut commons = Vec::new();
    for (c, f) in plan.commons.iter().zip(faults) {
        if let Some((service, fault)) = f {
            fleet.set_fault(&c.name, service, Some(fault));
        }
        let credentials = c
            .mint
            .iter()
            .map(|k| {
                let d = MintOptions::default();
                let scopes = k.scopes.clone().unwrap_or(d.scopes.clone());
                fleet.mint_credentials(&c.name, MintOptions { expires_in_secs: k.expires_in_secs, scopes, ..d })
            })
            .collect();
        commons.push(StartedCommons { name: c.name.clone(), base_url: fleet.base_url(&c.name), credentials });
    }
    let started = Started { ca_pem: fleet.ca_pem(), commons };
    Ok((fleet, started))
}
