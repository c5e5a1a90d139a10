//! Demo mode: the fleet simulator inside the app with a dozen commons in varied health, added to
//! a separate demo inventory, so a new user sees a living board before touching a real commons.

use std::time::Duration;

use gen3_sim::{CommonsSpec, Fault, Fleet, MintOptions, Service, TlsMode};

use crate::credentials::parse_credentials;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::model::{now_ms, Commons, CommonsDraft, Deployment, Environment, Relation};
use crate::store::Store;
use crate::vault::Vault;

struct DemoCommons {
    slug: &'static str,
    name: &'static str,
    environment: Environment,
    tls: TlsMode,
    version: &'static str,
    services: Option<&'static [Service]>,
    fault: Option<(Option<Service>, Fault)>,
    key_days: Option<i64>,
    tags: &'static [&'static str],
    mesh: bool,
    /// The demo mesh's hub aggregates these commons' metadata (AggMDS), listed under their slugs.
    aggregates: Option<&'static [&'static str]>,
}

const PARTIAL: &[Service] = &[Service::Revproxy, Service::Fence, Service::Indexd, Service::Metadata];

fn fleet_plan() -> Vec<DemoCommons> {
    use Environment::*;
    let c = |slug, name, environment| DemoCommons {
        slug,
        name,
        environment,
        tls: TlsMode::Plain,
        version: "2025.09",
        services: None,
        fault: None,
        key_days: None,
        tags: &[],
        mesh: false,
        aggregates: None,
    };
    vec![
        DemoCommons {
            tls: TlsMode::TrustedCa,
            key_days: Some(25),
            tags: &["hub"],
            mesh: true,
            aggregates: Some(&["aids", "imaging"]),
            ..c("brh", "Biomedical Research Hub", Production)
        },
        DemoCommons { tags: &["niaid"], mesh: true, ..c("aids", "AIDS Data Hub", Production) },
        DemoCommons { fault: Some((None, Fault::Down)), tags: &["nhlbi"], ..c("kidney", "Kidney Atlas", Production) },
        DemoCommons {
            fault: Some((Some(Service::Metadata), Fault::Down)),
            mesh: true,
            ..c("imaging", "Imaging Hub", Staging)
        },
        DemoCommons {
            tls: TlsMode::ExpiresSoon,
            tags: &["nhlbi"],
            ..c("genomics", "Genomics Data Commons", Production)
        },
        DemoCommons { version: "2025.06", ..c("legacy", "Legacy Commons", Staging) },
        DemoCommons {
            fault: Some((Some(Service::Guppy), Fault::Slow(Duration::from_millis(3500)))),
            ..c("explorer", "Data Explorer Sandbox", Dev)
        },
        DemoCommons { services: Some(PARTIAL), ..c("minimal", "Minimal Commons", Dev) },
        DemoCommons { key_days: Some(3), ..c("training", "Training Commons", Dev) },
        DemoCommons { fault: Some((Some(Service::Sheepdog), Fault::Html)), ..c("portal", "Portal Preview", Staging) },
        c("pediatric", "Pediatric Cancer Commons", Production),
        c("vet", "Veterinary Commons", Other),
    ]
}

const DEMO_MESH: &str = "Demo mesh";

/// The running demo fleet: held for as long as the app shows it (its servers live with the runtime).
pub struct DemoFleet {
    _fleet: Fleet,
}

/// Starts the simulator and writes its commons into `store` (the demo cache), replacing the demo
/// commons' addresses from an earlier run (ports change) and keeping their history.
pub async fn start(store: &Store, vault: &Vault) -> CoreResult<DemoFleet> {
    let plan = fleet_plan();
    let specs = plan
        .iter()
        .map(|d| CommonsSpec {
            tls: d.tls,
            services: d.services.map(<[Service]>::to_vec).unwrap_or_else(|| Service::ALL.to_vec()),
            version: d.version.into(),
            aggregates: d.aggregates.map(|a| a.iter().map(|m| m.to_string()).collect()),
            ..CommonsSpec::new(d.slug)
        })
        .collect();
    let fleet = Fleet::start(specs).await.map_err(|e| {
        tracing::error!(error = %e, "demo fleet");
        CoreError::new(
            ErrorCode::Io,
            "The demo fleet could not start (no free local ports?). Details are in the log file.",
        )
    })?;
    let now = now_ms();
    let commons: Vec<Commons> = plan
        .iter()
        .map(|d| Commons {
            id: format!("demo-{}", d.slug),
            draft: CommonsDraft {
                name: d.name.into(),
                base_url: fleet.base_url(d.slug),
                environment: d.environment,
                relation: Relation::WeRunIt,
                owner: "Demo CSOC".into(),
                contact: "csoc@example.org".into(),
                tags: d.tags.iter().map(|t| t.to_string()).chain(["demo".to_string()]).collect(),
                notes: "A simulated commons from the demo fleet.".into(),
                expected_release: Some("2025.09".into()),
                deployment: Deployment::Unknown,
                meshes: if d.mesh { vec![DEMO_MESH.into()] } else { vec![] },
                ca_pem: (d.tls != TlsMode::Plain).then(|| fleet.ca_pem()),
            },
            created_at: now,
            updated_at: now,
        })
        .collect();
    let file = serde_json::json!({"format": crate::transfer::FORMAT, "version": crate::transfer::VERSION,
        "exported_at": now, "commons": commons});
    crate::transfer::import_bytes(store, file.to_string().as_bytes())?;
    for hub in plan.iter().filter(|d| d.aggregates.is_some()) {
        let names = hub.aggregates.unwrap_or_default().iter().map(|m| (format!("demo-{m}"), serde_json::json!(m)));
        crate::mesh::wizard::set_hub(store, DEMO_MESH, Some(&format!("demo-{}", hub.slug)), &names.collect())?;
    }
    for d in &plan {
        if let Some((service, fault)) = &d.fault {
            fleet.set_fault(d.slug, *service, Some(fault.clone()));
        }
        if let Some(days) = d.key_days {
            let minted =
                fleet.mint_credentials(d.slug, MintOptions { expires_in_secs: days * 86_400, ..Default::default() });
            let stored = parse_credentials(&minted.to_string())
                .and_then(|key| vault.store_key(store, &format!("demo-{}", d.slug), &key));
            if let Err(e) = stored {
                // Without a keyring the demo runs without keys; the board still shows everything else.
                tracing::warn!(code = ?e.code, "demo key not stored");
            }
        }
    }
    tracing::info!(commons = plan.len(), "demo fleet started");
    Ok(DemoFleet { _fleet: fleet })
}
