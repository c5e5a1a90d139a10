//! Journeys through the real built app. Run by scripts/test.sh under xvfb-run with
//! GEN3_CSOC_E2E_APP set; ignored in a plain `cargo test` because they need the built app.

use std::process::Command;

use csoc_e2e::*;

async fn add_commons(c: &fantoccini::Client, name: &str, host: &str, env: &str) -> StepResult {
    type_into(c, "#commons-name", name).await?;
    type_into(c, "#commons-base-url", host).await?;
    select(c, "#commons-environment", env).await?;
    click(c, "[data-testid=save-commons]").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: scripts/test.sh runs it"]
async fn new_user_builds_an_inventory_that_survives_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start();

    let app = driver.open_app(data.path()).await;
    journey("first-run", &app, |c| async move {
        wait_for(&c, "[data-testid=empty-state]").await?;
        click(&c, "[data-testid=add-commons]").await?;

        // A bad hostname is explained inline before anything is saved.
        type_into(&c, "#commons-name", "AIDS Data Hub").await?;
        type_into(&c, "#commons-base-url", "not a host!").await?;
        wait_text(&c, "[data-testid=error-base_url]", "not a valid hostname").await?;

        add_commons(&c, "AIDS Data Hub", "aids.diseasedatahub.org", "production").await?;
        wait_count(&c, "[data-testid=commons-row]", 1).await?;
        click(&c, "[data-testid=new-commons]").await?;
        add_commons(&c, "Staging sandbox", "https://staging.example.org", "staging").await?;
        wait_count(&c, "[data-testid=commons-row]", 2).await?;
        wait_count(&c, "[data-testid=commons-row][data-environment=production] [data-testid=prod-badge]", 1).await?;

        type_into(&c, "#fleet-search", "sandbox").await?;
        wait_count(&c, "[data-testid=commons-row]", 1).await?;
        let row = text_of(&c, "[data-testid=commons-row]").await?;
        if !row.contains("staging.example.org") {
            return Err(format!("search kept the wrong commons: {row:?}"));
        }
        Ok(())
    })
    .await;
    app.close().await.expect("close the first session");

    let app = driver.open_app(data.path()).await;
    journey("after-restart", &app, |c| async move {
        wait_count(&c, "[data-testid=commons-row]", 2).await?;
        let list = text_of(&c, "[data-testid=fleet-list]").await?;
        for host in ["aids.diseasedatahub.org", "staging.example.org"] {
            if !list.contains(host) {
                return Err(format!("{host} missing after restart: {list:?}"));
            }
        }
        let as_of = text_of(&c, "[data-testid=as-of]").await?;
        if !as_of.to_lowercase().contains("as of") {
            return Err(format!("no freshness label: {as_of:?}"));
        }
        Ok(())
    })
    .await;
    app.close().await.expect("close the second session");

    // The headless CLI reads the same cache the window wrote.
    let out =
        Command::new(app_path()).args(["--data-dir"]).arg(data.path()).args(["inventory", "list"]).output().unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && table.contains("PROD") && table.contains("staging.example.org"), "{table}");
}

#[test]
#[ignore = "needs the built app: scripts/test.sh runs it"]
fn without_a_display_the_binary_explains_instead_of_crashing() {
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(app_path())
        .arg("--data-dir")
        .arg(data.path())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no display") && stderr.contains("inventory list"), "{stderr}");
}
