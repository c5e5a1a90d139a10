//! Demo mode: the fleet simulator inside the app with a dozen commons in varied health, added to
//! a separate demo inventory, so a new user sees a living board before touching a real commons.

use std::time::Duration;

use gen3_sim::{CommonsSpec, Edge, Fault, Fleet, MintOptions, Service, TlsMode};

use crate::credentials::parse_credentials;
use crate::demo_history::Story;
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
    /// What the outside-in checks find: the spec with its issuer, IdPs, ETL age, dist, ...
    facts: fn(CommonsSpec) -> CommonsSpec,
}

const PARTIAL: &[Service] = &[Service::Revproxy, Service::Fence, Service::Indexd, Service::Metadata, Service::Portal];
/// A cloud-automation commons of the manifest era: no manifestservice, no FastAPI services.
const LEGACY: &[Service] = &[
    Service::Revproxy,
    Service::Fence,
    Service::Indexd,
    Service::Sheepdog,
    Service::Peregrine,
    Service::Metadata,
    Service::Guppy,
    Service::Wts,
    Service::Hatchery,
    Service::Sower,
    Service::Portal,
];
/// The commons whose fence published other signing keys at "yesterday's check", so the first
/// sweep shows a JWKS change.
const ROTATED: &str = "pediatric";

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
        facts: |s| s,
    };
    vec![
        DemoCommons {
            tls: TlsMode::TrustedCa,
            key_days: Some(25),
            tags: &["hub"],
            mesh: true,
            aggregates: Some(&["aids", "imaging"]),
            // indexd's dist forgets the imaging hub; WTS knows both members.
            facts: |s| CommonsSpec {
                dist: vec!["aids".into()],
                external_oidc: vec!["aids".into(), "imaging".into()],
                ..s
            },
            ..c("brh", "Biomedical Research Hub", Production)
        },
        DemoCommons { tags: &["niaid"], mesh: true, ..c("aids", "AIDS Data Hub", Production) },
        DemoCommons { fault: Some((None, Fault::Down)), tags: &["nhlbi"], ..c("kidney", "Kidney Atlas", Production) },
        DemoCommons {
            fault: Some((Some(Service::Metadata), Fault::Down)),
            mesh: true,
            // Its siblings in the mesh offer Google only.
            facts: |s| CommonsSpec { login_providers: vec!["google".into(), "orcid".into()], ..s },
            ..c("imaging", "Imaging Hub", Staging)
        },
        DemoCommons {
            tls: TlsMode::ExpiresSoon,
            tags: &["nhlbi"],
            ..c("genomics", "Genomics Data Commons", Production)
        },
        DemoCommons {
            version: "2025.06",
            services: Some(LEGACY),
            facts: |s| CommonsSpec { edge: Edge::CloudAutomation, ..s },
            ..c("legacy", "Legacy Commons", Staging)
        },
        DemoCommons {
            fault: Some((Some(Service::Guppy), Fault::Slow(Duration::from_millis(3500)))),
            facts: |s| CommonsSpec { etl_age_secs: 21 * 86_400, ..s },
            ..c("explorer", "Data Explorer Sandbox", Dev)
        },
        DemoCommons { services: Some(PARTIAL), ..c("minimal", "Minimal Commons", Dev) },
        DemoCommons { key_days: Some(3), ..c("training", "Training Commons", Dev) },
        DemoCommons { fault: Some((Some(Service::Sheepdog), Fault::Html)), ..c("portal", "Portal Preview", Staging) },
        c("pediatric", "Pediatric Cancer Commons", Production),
        DemoCommons {
            // Its fence configuration was copied from a staging commons.
            facts: |s| CommonsSpec { oidc_issuer: Some("https://vet-staging.example.org/user".into()), ..s },
            ..c("vet", "Veterinary Commons", Other)
        },
    ]
}

const DEMO_MESH: &str = "Demo mesh";

/// The running demo fleet: held for as long as the app shows it (its servers live with the runtime).
pub struct DemoFleet {
    fleet: Fleet,
}

impl DemoFleet {
    /// Stops the simulated commons (leaving demo mode); the demo cache stays for next time.
    pub async fn stop(self) {
        self.fleet.shutdown().await;
    }
}

/// Starts the simulator and writes its commons into `store` (the demo cache), replacing the demo
/// commons' addresses from an earlier run (ports change) and keeping their history.
pub async fn start(store: &Store, vault: &Vault) -> CoreResult<DemoFleet> {
    let plan = fleet_plan();
    let specs = plan
        .iter()
        .map(|d| {
            (d.facts)(CommonsSpec {
                tls: d.tls,
                services: d.services.map(<[Service]>::to_vec).unwrap_or_else(|| Service::ALL.to_vec()),
                version: d.version.into(),
                aggregates: d.aggregates.map(|a| a.iter().map(|m| m.to_string()).collect()),
                ..CommonsSpec::new(d.slug)
            })
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
    // The simulator signs with a new key each start: forget the last run's fingerprints, so the
    // one change the board shows is the one planned here.
    crate::monitor::history::forget_check(store, "demo-", crate::monitor::checks::JWKS)?;
    let earlier = crate::monitor::checks::CheckResult {
        check: crate::monitor::checks::JWKS.into(),
        ok: true,
        summary: format!("1 signing key(s): fence_key_{ROTATED}_2024"),
        fact: Some(format!("00000000000000a1 fence_key_{ROTATED}_2024")),
    };
    crate::monitor::history::remember_check(store, &format!("demo-{ROTATED}"), &earlier, now - 86_400_000)?;
    for d in &plan {
        let id = format!("demo-{}", d.slug);
        let services: Vec<&str> = d.services.unwrap_or(&Service::ALL).iter().filter_map(|s| catalog_id(*s)).collect();
        crate::monitor::known::set_expected(store, &id, &services, "the demo fleet's plan")?;
        let story = match &d.fault {
            Some((None, Fault::Down)) => Story::DownSinceYesterday,
            Some((Some(_), Fault::Slow(_))) => Story::Slow,
            Some((Some(_), _)) => Story::ServiceFailing,
            _ => Story::Healthy,
        };
        crate::demo_history::seed(store, &id, services.len() as i64, &story, now)?;
        if let Some((None, Fault::Down)) = &d.fault {
            crate::monitor::history::mark_reached(store, &id, now - 86_400_000)?;
        }
        if let Some((service, fault)) = &d.fault {
            fleet.set_fault(d.slug, *service, Some(fault.clone()));
        }
        if let Some(days) = d.key_days {
            // A key that may list its user's keys, and another of the same user about to expire.
            let mut scopes = MintOptions::default().scopes;
            scopes.push("credentials".into());
            let mint = |days: i64| {
                fleet.mint_credentials(
                    d.slug,
                    MintOptions { expires_in_secs: days * 86_400, scopes: scopes.clone(), ..Default::default() },
                )
            };
            let minted = mint(days);
            mint(2);
            let stored = parse_credentials(&minted.to_string())
                .and_then(|key| vault.store_key(store, &format!("demo-{}", d.slug), &key));
            if let Err(e) = stored {
                // Without a keyring the demo runs without keys; the board still shows everything else.
                tracing::warn!(code = ?e.code, "demo key not stored");
            }
        }
    }
    tracing::info!(commons = plan.len(), "demo fleet started");
    Ok(DemoFleet { fleet })
}

/// The monitoring catalog's id of a simulated service (arborist has no public route).
fn catalog_id(s: Service) -> Option<&'static str> {
    Some(match s {
        Service::Revproxy => "revproxy",
        Service::Fence => "fence",
        Service::Indexd => "indexd",
        Service::Sheepdog => "sheepdog",
        Service::Peregrine => "peregrine",
        Service::Metadata => "metadata",
        Service::Guppy => "guppy",
        Service::Wts => "wts",
        Service::Manifestservice => "manifestservice",
        Service::Audit => "audit",
        Service::Requestor => "requestor",
        Service::Hatchery => "hatchery",
        Service::Sower => "sower",
        Service::Gen3Workflow => "gen3-workflow",
        Service::UserDataLibrary => "gen3-user-data-library",
        Service::Portal => "portal",
        Service::FrontendFramework => "frontend-framework",
        Service::Embeddings => "gen3-embeddings",
        Service::Analysis => "gen3-analysis",
        Service::AccessBackend => "access-backend",
        Service::CohortMiddleware => "cohort-middleware",
        Service::ArgoWrapper => "argo-wrapper",
        Service::DicomServer => "dicom-server",
        Service::Orthanc => "orthanc",
        Service::OhifViewer => "ohif-viewer",
        Service::Arborist => return None,
    })
}
