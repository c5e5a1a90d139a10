//! Issue 5 and 6 journeys through the real built app: a new user configures a dev commons in the
//! wizard and launches it into a gitops repository (a real bare repo), and builds a mesh of demo
//! commons written the same way. Run by scripts/test.sh under xvfb-run with GEN3_CSOC_E2E_APP set.

use csoc_e2e::walks::*;
use csoc_e2e::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: scripts/test.sh runs it"]
async fn a_new_user_configures_a_dev_commons_and_launches_it_through_gitops() {
    let data = tempfile::tempdir().unwrap();
    let (bare, clone) = gitops_repo(&repos_in(data.path()));
    let clone_path = clone.clone();
    let driver = Driver::start();
    let app = driver.open_app(data.path()).await;
    journey("commons-wizard", &app, |c| async move {
        open_commons_wizard(&c).await?;
        for step in COMMONS_STEPS {
            if step == "identity" {
                // A bad hostname is explained inline and holds the wizard on this step.
                type_into(&c, "[data-testid=field-identity-hostname]", "qa dev").await?;
                wait_text(&c, "[data-testid=field-identity-hostname-finding]", "not a hostname").await?;
                wait_for(&c, "[data-testid=wizard-next-reason]").await?;
            }
            fill_commons_step(&c, step, &clone_path).await?;
            if step == "review" {
                let files = text_of(&c, "[data-testid=review-files]").await?;
                for f in [
                    "devcluster/qa-dev.example.org/templates/app.yaml",
                    "devcluster/qa-dev.example.org/values/values.yaml",
                ] {
                    if !files.contains(f) {
                        return Err(format!("{f} is not in the review: {files:?}"));
                    }
                }
            }
            next(&c, commons_step_after(step)).await?;
        }

        // 9 launch: confirm the named target; the result names the pushed branch.
        ask_to_launch(&c, "qa-dev.example.org").await?;
        confirm_launch(&c, "qa-dev.example.org").await?;
        wait_for(&c, "[data-testid=launch-result]").await?;
        let branch = text_of(&c, "[data-testid=launch-branch]").await?;
        if !branch.starts_with("gen3-csoc/qa-dev-example-org") {
            return Err(format!("unexpected branch {branch:?}"));
        }

        // The launched commons is in the inventory.
        click(&c, "[data-testid=nav-commons]").await?;
        wait_count(&c, "[data-testid=commons-row]", 1).await?;
        wait_text(&c, "[data-testid=fleet-list]", "qa-dev.example.org").await?;
        // The Activity screen records the launch: the branch, the commit and the remote.
        click(&c, "[data-testid=nav-activity]").await?;
        wait_count(&c, "[data-testid=activity-entry][data-kind=launch]", 1).await?;
        let entry = wait_text(
            &c,
            "[data-testid=activity-entry][data-kind=launch]",
            "pushed branch gen3-csoc/qa-dev-example-org",
        )
        .await?;
        if !entry.contains("to origin") || !entry.contains("Done") {
            return Err(format!("the launch entry lacks its remote or result: {entry}"));
        }
        Ok(())
    })
    .await;
    app.close().await.expect("close the session");

    // The remote holds the branch with the generated folder; the operator's checkout is untouched.
    let branches = git(&bare, &["branch", "--list", "gen3-csoc/*"]);
    let branch = branches.trim_start_matches(['*', ' ']).trim().to_string();
    assert!(branch.starts_with("gen3-csoc/qa-dev-example-org"), "{branches}");
    let values = git(&bare, &["show", &format!("{branch}:devcluster/qa-dev.example.org/values/values.yaml")]);
    assert!(values.contains("hostname: qa-dev.example.org") && values.contains("2026.07"), "{values}");
    assert!(!clone.join("devcluster").exists(), "the clone's working tree is left as the operator had it");
}

/// Issue 6's journey: a mesh of three demo commons (the hub and two members), previewed against
/// their real metadata, reviewed, written to a bare gitops repo, then watched in the mesh view.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: scripts/test.sh runs it"]
async fn a_mesh_of_demo_commons_is_written_to_gitops_and_watched_as_one() {
    let data = tempfile::tempdir().unwrap();
    let (bare, hub_folder) = hub_repo(data.path());
    let driver = Driver::start();
    let app = driver.open_app(data.path()).await;
    journey("mesh-wizard", &app, |c| async move {
        click(&c, "[data-testid=try-demo]").await?;
        wait_count(&c, "[data-testid=board-row]", 12).await?;
        open_mesh_wizard(&c).await?;
        for step in MESH_STEPS {
            fill_mesh_step(&c, step, &hub_folder).await?;
            mesh_next(&c, mesh_step_after(step)).await?;
        }
        ask_to_launch(&c, "hub.example.org").await?;
        confirm_launch(&c, "hub.example.org").await?;
        wait_for(&c, "[data-testid=mesh-launch-result]").await?;

        // The mesh view: members with their health, the hub's list against the configuration.
        activate(&c, "[data-testid=mesh-open-view]").await?;
        wait_for(&c, "[data-testid=mesh-view]").await?;
        wait_count(&c, "[data-testid=mesh-member-row]", 2).await?;
        wait_for(&c, "[data-testid=mesh-hub-list]").await?;
        wait_for(&c, "[data-testid=mesh-problems]").await.map(drop)
    })
    .await;
    app.close().await.expect("close the session");

    let branches = git(&bare, &["branch", "--list", "gen3-csoc/*"]);
    let branch = branches.trim_start_matches(['*', ' ']).trim().to_string();
    assert!(!branch.is_empty(), "a branch was pushed: {branches}");
    let values = git(&bare, &["show", &format!("{branch}:meshes/hub.example.org/values/values.yaml")]);
    assert!(values.contains("useAggMds: true") && values.contains("AIDS Data Hub"), "{values}");
}
