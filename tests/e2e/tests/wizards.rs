//! Issue 5 and 6 journeys through the real built app: a new user configures a dev commons in the
//! wizard and launches it into a gitops repository (a real bare repo), and builds a mesh of demo
//! commons written the same way. Run by scripts/test.sh under xvfb-run with GEN3_CSOC_E2E_APP set.

use std::path::Path;

use csoc_e2e::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: scripts/test.sh runs it"]
async fn a_new_user_configures_a_dev_commons_and_launches_it_through_gitops() {
    let data = tempfile::tempdir().unwrap();
    let (bare, clone) = gitops_repo(&repos_in(data.path()));
    let clone_path = clone.display().to_string();
    let driver = Driver::start();
    let app = driver.open_app(data.path()).await;
    journey("commons-wizard", &app, |c| async move {
        click(&c, "[data-testid=nav-wizards]").await?;
        click(&c, "[data-testid=wizard-new-commons]").await?;

        // 1 destination: the local clone, shown with its branch and remote.
        wait_for(&c, "[data-testid=wizard-step-destination]").await?;
        type_into(&c, "[data-testid=field-destination-repo_path]", &clone_path).await?;
        type_into(&c, "[data-testid=field-destination-cluster_folder]", "devcluster").await?;
        wait_text(&c, "[data-testid=gitops-status]", "master").await?;
        type_into(&c, "[data-testid=field-destination-namespace]", "qa-dev").await?;
        type_into(&c, "[data-testid=field-destination-release_name]", "qa-dev").await?;
        next(&c, "identity").await?;

        // 2 identity: a bad hostname is explained inline and holds the wizard on this step.
        type_into(&c, "[data-testid=field-identity-name]", "QA dev commons").await?;
        type_into(&c, "[data-testid=field-identity-hostname]", "qa dev").await?;
        wait_text(&c, "[data-testid=field-identity-hostname-finding]", "not a hostname").await?;
        wait_for(&c, "[data-testid=wizard-next-reason]").await?;
        type_into(&c, "[data-testid=field-identity-hostname]", "qa-dev.example.org").await?;
        type_into(&c, "[data-testid=field-identity-release]", "2026.07").await?;
        wait_count(&c, "[data-testid=field-identity-hostname-finding]", 0).await?;
        next(&c, "database").await?;

        // 3 database: in-chart PostgreSQL for a dev commons. 4 services: the chart's defaults.
        next(&c, "services").await?;
        wait_for(&c, "[data-testid=service-fence]:checked").await?;
        next(&c, "login").await?;

        // 5 login: a dev commons may use mock login.
        click(&c, "[data-testid=field-login-mock_login]").await?;
        next(&c, "authorization").await?;
        type_into(&c, "#field-authorization-admins", "admin@example.org").await?;
        next(&c, "settings").await?;
        type_into(&c, "[data-testid=field-settings-indexd_prefix]", "dg.QADV/").await?;
        next(&c, "review").await?;

        // 8 review: the files the wizard writes, each new to the clone.
        wait_count(&c, "[data-testid=review-file]", 5).await?;
        let files = text_of(&c, "[data-testid=review-files]").await?;
        for f in
            ["devcluster/qa-dev.example.org/templates/app.yaml", "devcluster/qa-dev.example.org/values/values.yaml"]
        {
            if !files.contains(f) {
                return Err(format!("{f} is not in the review: {files:?}"));
            }
        }
        next(&c, "launch").await?;

        // 9 launch: confirm the named target; the result names the pushed branch.
        select(&c, "[data-testid=launch-watch-secs]", "0").await?;
        click(&c, "[data-testid=wizard-launch]").await?;
        wait_text(&c, "[data-testid=launch-target]", "qa-dev.example.org").await?;
        click(&c, "[data-testid=launch-confirm]").await?;
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

/// Like `next`, for the mesh wizard's steps.
async fn mesh_next(c: &fantoccini::Client, step: &str) -> StepResult {
    activate(c, "[data-testid=mesh-next]").await?;
    wait_for(c, &format!("[data-testid=mesh-step-{step}]")).await.map(drop)
}

/// Issue 6's journey: a mesh of three demo commons (the hub and two members), previewed against
/// their real metadata, reviewed, written to a bare gitops repo, then watched in the mesh view.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: scripts/test.sh runs it"]
async fn a_mesh_of_demo_commons_is_written_to_gitops_and_watched_as_one() {
    let data = tempfile::tempdir().unwrap();
    let (bare, clone) = gitops_repo(&repos_in(data.path()));
    // The hub's commons folder, as the operator's clone holds it.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hub.example.org");
    let hub_folder = clone.join("meshes/hub.example.org");
    copy_dir(&fixture, &hub_folder);
    git(&clone, &["add", "meshes"]);
    git(&clone, &["-c", "user.name=ops", "-c", "user.email=ops@example.org", "commit", "-q", "-m", "hub"]);
    git(&clone, &["push", "-q", "origin", "master"]);
    let hub_path = hub_folder.display().to_string();

    let driver = Driver::start();
    let app = driver.open_app(data.path()).await;
    journey("mesh-wizard", &app, |c| async move {
        click(&c, "[data-testid=try-demo]").await?;
        wait_count(&c, "[data-testid=board-row]", 12).await?;
        click(&c, "[data-testid=nav-wizards]").await?;
        click(&c, "[data-testid=wizard-new-mesh]").await?;

        wait_for(&c, "[data-testid=mesh-step-hub]").await?;
        type_into(&c, "[data-testid=mesh-name]", "Research mesh").await?;
        select(&c, "[data-testid=mesh-hub]", "demo-brh").await?;
        type_into(&c, "[data-testid=mesh-hub-folder]", &hub_path).await?;
        mesh_next(&c, "members").await?;

        for member in ["AIDS Data Hub", "Pediatric Cancer Commons"] {
            activate(&c, &format!("[data-testid=\"mesh-member-{member}\"]")).await?;
        }
        wait_count(&c, "[data-testid=mesh-member-card]", 2).await?;
        mesh_next(&c, "mapping").await?;

        // The preview reads each member's real discovery records through the mappings.
        activate(&c, "[data-testid=mesh-preview]").await?;
        wait_count(&c, "[data-testid=mesh-preview-member]", 2).await?;
        wait_count(&c, "[data-testid=mesh-preview-member-error]", 0).await?;
        mesh_next(&c, "review").await?;

        // The hub's values file is changed in place; production findings are acknowledged here.
        wait_for(&c, "[data-testid=mesh-aggmds-config]").await?;
        wait_text(&c, "[data-testid=review-files]", "meshes/hub.example.org/values/values.yaml").await?;
        wait_for(&c, "[data-testid=review-findings]").await?;
        let acks = c
            .find_all(fantoccini::Locator::Css("[data-testid^=ack-]"))
            .await
            .map_err(|e| format!("finding acknowledgements: {e}"))?;
        for ack in acks {
            let arg = serde_json::to_value(&ack).map_err(|e| e.to_string())?;
            c.execute("if (!arguments[0].checked) arguments[0].click();", vec![arg])
                .await
                .map_err(|e| e.to_string())?;
        }
        mesh_next(&c, "launch").await?;

        select(&c, "[data-testid=launch-watch-secs]", "0").await?;
        activate(&c, "[data-testid=wizard-launch]").await?;
        wait_text(&c, "[data-testid=launch-target]", "hub.example.org").await?;
        if count(&c, "#launch-confirm-host").await? == 1 {
            type_into(&c, "#launch-confirm-host", "hub.example.org").await?;
        }
        activate(&c, "[data-testid=launch-confirm]").await?;
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
