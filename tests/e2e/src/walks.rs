//! The wizards walked as a quick user walks them, shared by the journeys that launch what they
//! configure and the accessibility audit that looks at every step on the way.

use std::path::Path;

use fantoccini::Client;

use crate::*;

/// The deploy wizard's steps before the launch page, in order.
pub const COMMONS_STEPS: [&str; 8] =
    ["destination", "identity", "database", "services", "login", "authorization", "settings", "review"];

/// Opens the deploy wizard from the Wizards screen at its first step.
pub async fn open_commons_wizard(c: &Client) -> StepResult {
    activate(c, "[data-testid=nav-wizards]").await?;
    activate(c, "[data-testid=wizard-new-commons]").await?;
    wait_for(c, "[data-testid=wizard-step-destination]").await.map(drop)
}

/// Answers one step of the deploy wizard for a dev commons `qa-dev.example.org` written into the
/// gitops clone at `clone`, without pressing Next.
pub async fn fill_commons_step(c: &Client, step: &str, clone: &Path) -> StepResult {
    match step {
        // The local clone, shown with its branch and remote.
        "destination" => {
            type_into(c, "[data-testid=field-destination-repo_path]", &clone.display().to_string()).await?;
            type_into(c, "[data-testid=field-destination-cluster_folder]", "devcluster").await?;
            wait_text(c, "[data-testid=gitops-status]", "master").await?;
            type_into(c, "[data-testid=field-destination-namespace]", "qa-dev").await?;
            type_into(c, "[data-testid=field-destination-release_name]", "qa-dev").await
        }
        "identity" => {
            type_into(c, "[data-testid=field-identity-name]", "QA dev commons").await?;
            type_into(c, "[data-testid=field-identity-hostname]", "qa-dev.example.org").await?;
            type_into(c, "[data-testid=field-identity-release]", "2026.07").await?;
            wait_count(c, "[data-testid=field-identity-hostname-finding]", 0).await
        }
        // In-chart PostgreSQL for a dev commons, and the chart's default services.
        "database" => Ok(()),
        "services" => wait_for(c, "[data-testid=service-fence]:checked").await.map(drop),
        // A dev commons may use mock login.
        "login" => activate(c, "[data-testid=field-login-mock_login]").await,
        "authorization" => type_into(c, "#field-authorization-admins", "admin@example.org").await,
        "settings" => type_into(c, "[data-testid=field-settings-indexd_prefix]", "dg.QADV/").await,
        // The files the wizard writes, each new to the clone.
        "review" => wait_count(c, "[data-testid=review-file]", 5).await,
        other => Err(format!("the deploy wizard has no step {other:?}")),
    }
}

/// The step after `step` in the deploy wizard (the launch page after the review).
pub fn commons_step_after(step: &str) -> &'static str {
    let at = COMMONS_STEPS.iter().position(|s| *s == step).map_or(COMMONS_STEPS.len(), |i| i + 1);
    COMMONS_STEPS.get(at).copied().unwrap_or("launch")
}

/// On the launch page: asks for the launch without watching and waits for the confirmation naming `target`.
pub async fn ask_to_launch(c: &Client, target: &str) -> StepResult {
    select(c, "[data-testid=launch-watch-secs]", "0").await?;
    activate(c, "[data-testid=wizard-launch]").await?;
    wait_text(c, "[data-testid=launch-target]", target).await.map(drop)
}

/// Like `next`, for the mesh wizard's steps.
pub async fn mesh_next(c: &Client, step: &str) -> StepResult {
    activate(c, "[data-testid=mesh-next]").await?;
    wait_for(c, &format!("[data-testid=mesh-step-{step}]")).await.map(drop)
}

/// The mesh wizard's steps before the launch page, in order.
pub const MESH_STEPS: [&str; 4] = ["hub", "members", "mapping", "review"];

/// Opens the mesh wizard from the Wizards screen (the demo fleet is loaded) at its first step.
pub async fn open_mesh_wizard(c: &Client) -> StepResult {
    activate(c, "[data-testid=nav-wizards]").await?;
    activate(c, "[data-testid=wizard-new-mesh]").await?;
    wait_for(c, "[data-testid=mesh-step-hub]").await.map(drop)
}

/// Answers one step of the mesh wizard: the demo BRH as the hub (its folder at `hub_folder`), two
/// demo members previewed against their real metadata, the review's findings acknowledged.
pub async fn fill_mesh_step(c: &Client, step: &str, hub_folder: &Path) -> StepResult {
    match step {
        "hub" => {
            type_into(c, "[data-testid=mesh-name]", "Research mesh").await?;
            select(c, "[data-testid=mesh-hub]", "demo-brh").await?;
            type_into(c, "[data-testid=mesh-hub-folder]", &hub_folder.display().to_string()).await
        }
        "members" => {
            for member in ["AIDS Data Hub", "Pediatric Cancer Commons"] {
                activate(c, &format!("[data-testid=\"mesh-member-{member}\"]")).await?;
            }
            wait_count(c, "[data-testid=mesh-member-card]", 2).await
        }
        // The preview reads each member's real discovery records through the mappings.
        "mapping" => {
            activate(c, "[data-testid=mesh-preview]").await?;
            wait_count(c, "[data-testid=mesh-preview-member]", 2).await?;
            wait_count(c, "[data-testid=mesh-preview-member-error]", 0).await
        }
        // The hub's values file is changed in place; production findings are acknowledged here.
        "review" => {
            wait_for(c, "[data-testid=mesh-aggmds-config]").await?;
            wait_text(c, "[data-testid=review-files]", "meshes/hub.example.org/values/values.yaml").await?;
            wait_for(c, "[data-testid=review-findings]").await?;
            c.execute(
                "document.querySelectorAll('[data-testid^=ack-]').forEach(a => { if (!a.checked) a.click(); });",
                vec![],
            )
            .await
            .map(drop)
            .map_err(|e| format!("acknowledging the findings: {e}"))
        }
        other => Err(format!("the mesh wizard has no step {other:?}")),
    }
}

/// The step after `step` in the mesh wizard (the launch page after the review).
pub fn mesh_step_after(step: &str) -> &'static str {
    let at = MESH_STEPS.iter().position(|s| *s == step).map_or(MESH_STEPS.len(), |i| i + 1);
    MESH_STEPS.get(at).copied().unwrap_or("launch")
}

/// A gitops clone (with its bare remote) holding the hub's commons folder at
/// `meshes/hub.example.org`, as an operator's clone holds it; returns the bare remote and the folder.
pub fn hub_repo(data: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (bare, clone) = gitops_repo(&repos_in(data));
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hub.example.org");
    let hub_folder = clone.join("meshes/hub.example.org");
    copy_dir(&fixture, &hub_folder);
    git(&clone, &["add", "meshes"]);
    git(&clone, &["-c", "user.name=ops", "-c", "user.email=ops@example.org", "commit", "-q", "-m", "hub"]);
    git(&clone, &["push", "-q", "origin", "master"]);
    (bare, hub_folder)
}

/// Confirms the launch the confirmation names, typing the hostname when a production target asks for it.
pub async fn confirm_launch(c: &Client, host: &str) -> StepResult {
    if count(c, "#launch-confirm-host").await? == 1 {
        type_into(c, "#launch-confirm-host", host).await?;
    }
    activate(c, "[data-testid=launch-confirm]").await
}
