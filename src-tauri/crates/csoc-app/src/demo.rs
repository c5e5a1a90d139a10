//! Demo mode: the fleet simulator (`gen3-sim`, a separate program shipped beside the app) with a
//! dozen commons in varied health, added to a separate demo inventory, so a new user sees a living
//! board before touching a real commons. The simulator runs as a child process and the app talks
//! to it over loopback like to any commons: the plan goes to its stdin, the addresses, the CA
//! certificate and the demo keys come back on its stdout.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::process::{Child, Command};

use crate::credentials::parse_credentials;
use crate::demo_history::Story;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::model::{now_ms, Commons, CommonsDraft, Deployment, Environment, Relation};
use crate::store::Store;
use crate::vault::Vault;

/// What the simulator does wrong for a commons (or one of its services).
#[derive(Clone, Copy)]
enum Fault {
    Down,
    Slow(u64),
    Html,
}

struct DemoCommons {
    slug: &'static str,
    name: &'static str,
    environment: Environment,
    /// The simulator's TLS mode: `plain`, `trusted-ca`, `expires-soon`.
    tls: &'static str,
    version: &'static str,
    /// Catalog ids of the deployed services; `None` = every service.
    services: Option<&'static [&'static str]>,
    fault: Option<(Option<&'static str>, Fault)>,
    key_days: Option<i64>,
    tags: &'static [&'static str],
    mesh: bool,
    /// The demo mesh's hub aggregates these commons' metadata (AggMDS), listed under their slugs.
    aggregates: Option<&'static [&'static str]>,
    /// What the outside-in checks find: the simulator plan's fields for its issuer, IdPs, ETL
    /// age, dist, ...
    facts: fn() -> Value,
}

const PARTIAL: &[&str] = &["revproxy", "fence", "indexd", "metadata", "portal"];
/// A cloud-automation commons of the manifest era: no manifestservice, no FastAPI services.
const LEGACY: &[&str] = &[
    "revproxy",
    "fence",
    "indexd",
    "sheepdog",
    "peregrine",
    "metadata",
    "guppy",
    "wts",
    "hatchery",
    "sower",
    "portal",
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
        tls: "plain",
        version: "2025.09",
        services: None,
        fault: None,
        key_days: None,
        tags: &[],
        mesh: false,
        aggregates: None,
        facts: || json!({}),
    };
    vec![
        DemoCommons {
            tls: "trusted-ca",
            key_days: Some(25),
            tags: &["hub"],
            mesh: true,
            aggregates: Some(&["aids", "imaging"]),
            // indexd's dist forgets the imaging hub; WTS knows both members.
            facts: || json!({"dist": ["aids"], "external_oidc": ["aids", "imaging"]}),
            ..c("brh", "Biomedical Research Hub", Production)
        },
        DemoCommons { tags: &["niaid"], mesh: true, ..c("aids", "AIDS Data Hub", Production) },
        DemoCommons { fault: Some((None, Fault::Down)), tags: &["nhlbi"], ..c("kidney", "Kidney Atlas", Production) },
        DemoCommons {
            fault: Some((Some("metadata"), Fault::Down)),
            mesh: true,
            // Its siblings in the mesh offer Google only.
            facts: || json!({"login_providers": ["google", "orcid"]}),
            ..c("imaging", "Imaging Hub", Staging)
        },
        DemoCommons { tls: "expires-soon", tags: &["nhlbi"], ..c("genomics", "Genomics Data Commons", Production) },
        DemoCommons {
            version: "2025.06",
            services: Some(LEGACY),
            facts: || json!({"cloud_automation": true}),
            ..c("legacy", "Legacy Commons", Staging)
        },
        DemoCommons {
            fault: Some((Some("guppy"), Fault::Slow(3500))),
            facts: || json!({"etl_age_secs": 21 * 86_400}),
            ..c("explorer", "Data Explorer Sandbox", Dev)
        },
        DemoCommons { services: Some(PARTIAL), ..c("minimal", "Minimal Commons", Dev) },
        DemoCommons { key_days: Some(3), ..c("training", "Training Commons", Dev) },
        DemoCommons { fault: Some((Some("sheepdog"), Fault::Html)), ..c("portal", "Portal Preview", Staging) },
        c("pediatric", "Pediatric Cancer Commons", Production),
        DemoCommons {
            // Its fence configuration was copied from a staging commons.
            facts: || json!({"oidc_issuer": "https://vet-staging.example.org/user"}),
            ..c("vet", "Veterinary Commons", Other)
        },
    ]
}

const DEMO_MESH: &str = "Demo mesh";

/// The running demo fleet: held for as long as the app shows it.
pub struct DemoFleet {
    simulator: Child,
}

impl DemoFleet {
    /// Stops the simulated commons (leaving demo mode); the demo cache stays for next time.
    pub async fn stop(mut self) {
        // Closing its stdin stops the simulator; a stuck one is killed.
        drop(self.simulator.stdin.take());
        if tokio::time::timeout(Duration::from_secs(5), self.simulator.wait()).await.is_err() {
            let _ = self.simulator.kill().await;
        }
    }
}

/// The simulator's plan of one demo commons (see gen3-sim's `plan` module).
fn planned(d: &DemoCommons) -> Value {
    let mut c = json!({"name": d.slug, "tls": d.tls, "version": d.version, "services": d.services,
        "aggregates": d.aggregates});
    if let Some((service, fault)) = d.fault {
        let (kind, ms) = match fault {
            Fault::Down => ("down", 0),
            Fault::Slow(ms) => ("slow", ms),
            Fault::Html => ("html", 0),
        };
        c["fault"] = json!({"service": service, "kind": kind, "ms": ms});
    }
    if let Some(days) = d.key_days {
        // A key that may list its user's keys, and another of the same user about to expire.
        let scopes = ["fence", "openid", "user", "data", "credentials"];
        c["mint"] = json!([{"expires_in_secs": days * 86_400, "scopes": scopes},
            {"expires_in_secs": 2 * 86_400, "scopes": scopes}]);
    }
    if let (Some(c), Value::Object(facts)) = (c.as_object_mut(), (d.facts)()) {
        c.extend(facts);
    }
    c
}

/// Where the simulator is: `GEN3_CSOC_SIM`, else beside the app (a build tree, or the .deb's
/// `/usr/lib/gen3-csoc/`), else one folder up (a test binary in `target/<profile>/deps/`).
fn simulator_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("GEN3_CSOC_SIM") {
        return Some(PathBuf::from(p));
    }
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    let name = format!("gen3-sim{}", std::env::consts::EXE_SUFFIX);
    [dir.join(&name), dir.join("../lib/gen3-csoc").join(&name), dir.join("..").join(&name)]
        .into_iter()
        .find(|p| p.is_file())
}

fn not_started(why: &str) -> CoreError {
    tracing::error!(why, "demo fleet");
    CoreError::new(ErrorCode::Io, "The demo fleet could not start. Details are in the log file.")
}

/// The simulator's answer to the plan: its addresses, CA certificate and minted keys.
struct Started {
    ca_pem: String,
    base_urls: std::collections::HashMap<String, String>,
    credentials: std::collections::HashMap<String, Value>,
}

/// Runs the simulator with `plan` and reads its answer.
async fn run_simulator(plan: &Value) -> CoreResult<(Child, Started)> {
    let path = simulator_path().ok_or_else(|| not_started("gen3-sim is not installed beside the app"))?;
    let mut child = Command::new(&path)
        .arg("--plan")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| not_started(&format!("{}: {e}", path.display())))?;
    let (Some(mut stdin), Some(stdout), Some(stderr)) = (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(not_started("no pipes to the simulator"));
    };
    tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            tracing::warn!(line, "gen3-sim");
        }
    });
    let mut request = plan.to_string();
    request.push('\n');
    stdin.write_all(request.as_bytes()).await.map_err(|e| not_started(&format!("writing the plan: {e}")))?;
    // The simulator runs until this pipe closes: kept open in the child handle.
    child.stdin = Some(stdin);
    let mut answer = String::new();
    let mut stdout = BufReader::new(stdout);
    match tokio::time::timeout(Duration::from_secs(60), stdout.read_line(&mut answer)).await {
        Ok(Ok(n)) if n > 0 => {}
        Ok(Ok(_)) => return Err(not_started("the simulator exited before it was ready")),
        Ok(Err(e)) => return Err(not_started(&format!("reading its answer: {e}"))),
        Err(_) => return Err(not_started("the simulator did not answer within 60 s")),
    }
    let answer: Value = serde_json::from_str(&answer).map_err(|e| not_started(&format!("its answer: {e}")))?;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let commons = answer["commons"].as_array().cloned().unwrap_or_default();
    let started = Started {
        ca_pem: text(&answer["ca_pem"]),
        base_urls: commons.iter().map(|c| (text(&c["name"]), text(&c["base_url"]))).collect(),
        credentials: commons.iter().map(|c| (text(&c["name"]), c["credentials"].clone())).collect(),
    };
    Ok((child, started))
}

/// Starts the simulator and writes its commons into `store` (the demo cache), replacing the demo
/// commons' addresses from an earlier run (ports change) and keeping their history.
pub async fn start(store: &Store, vault: &Vault) -> CoreResult<DemoFleet> {
    let plan = fleet_plan();
    let (simulator, fleet) = run_simulator(&json!({"commons": plan.iter().map(planned).collect::<Vec<_>>()})).await?;
    if let Some(d) = plan.iter().find(|d| !fleet.base_urls.contains_key(d.slug)) {
        return Err(not_started(&format!("no address for {}", d.slug)));
    }
    let now = now_ms();
    let commons: Vec<Commons> = plan
        .iter()
        .map(|d| Commons {
            id: format!("demo-{}", d.slug),
            draft: CommonsDraft {
                name: d.name.into(),
                base_url: fleet.base_urls[d.slug].clone(),
                environment: d.environment,
                relation: Relation::WeRunIt,
                owner: "Demo CSOC".into(),
                contact: "csoc@example.org".into(),
                tags: d.tags.iter().map(|t| t.to_string()).chain(["demo".to_string()]).collect(),
                notes: "A simulated commons from the demo fleet.".into(),
                expected_release: Some("2025.09".into()),
                deployment: Deployment::Unknown,
                meshes: if d.mesh { vec![DEMO_MESH.into()] } else { vec![] },
                ca_pem: (d.tls != "plain").then(|| fleet.ca_pem.clone()),
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
        summary: format!("1 signing key: fence_key_{ROTATED}_2024"),
        fact: Some(format!("00000000000000a1 fence_key_{ROTATED}_2024")),
    };
    crate::monitor::history::remember_check(store, &format!("demo-{ROTATED}"), &earlier, now - 86_400_000)?;
    for d in &plan {
        let id = format!("demo-{}", d.slug);
        let services = d.services.map(<[&str]>::to_vec).unwrap_or_else(crate::monitor::catalog::service_ids);
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
        let minted = fleet.credentials.get(d.slug).and_then(|c| c.get(0));
        if let Some(minted) = minted {
            let stored = parse_credentials(&minted.to_string())
                .and_then(|key| vault.store_key(store, &format!("demo-{}", d.slug), &key));
            if let Err(e) = stored {
                // Without a keyring the demo runs without keys; the board still shows everything else.
                tracing::warn!(code = ?e.code, "demo key not stored");
            }
        }
    }
    tracing::info!(commons = plan.len(), "demo fleet started");
    Ok(DemoFleet { simulator })
}
