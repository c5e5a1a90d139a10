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
        // With commons in the inventory the app opens on the Fleet board; the list is one click away.
        wait_for(&c, "[data-testid=fleet-board]").await?;
        click(&c, "[data-testid=nav-commons]").await?;
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

/// The window may open an https address (a pull request) in the browser and nothing else: the
/// opener's scope in the capability refuses a file, an http address and other schemes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: scripts/test.sh runs it"]
async fn the_window_may_open_only_https_addresses_in_the_browser() {
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let app = driver.open_app(data.path()).await;
    journey("opener-scope", &app, |c| async move {
        wait_for(&c, "[data-testid=empty-state]").await?;
        for url in ["file:///etc/passwd", "http://example.org/", "ssh://git@example.org/gen3-gitops"] {
            // Started here and read back by polling: a script waiting on the IPC could hold the session.
            c.execute(
                r#"window.__opened = null;
                window.__TAURI_INTERNALS__.invoke('plugin:opener|open_url', { url: arguments[0] })
                  .then(() => { window.__opened = 'opened'; }, (e) => { window.__opened = String(e); });"#,
                vec![serde_json::json!(url)],
            )
            .await
            .map_err(|e| format!("asking to open {url}: {e}"))?;
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            let answer = loop {
                let v = c.execute("return window.__opened;", vec![]).await.map_err(|e| e.to_string())?;
                if !v.is_null() || std::time::Instant::now() > deadline {
                    break v;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            };
            if !answer.as_str().unwrap_or_default().contains("Not allowed to open url") {
                return Err(format!("opening {url} answered {answer}, not a refusal by the scope"));
            }
        }
        Ok(())
    })
    .await;
    app.close().await.expect("close the session");
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

/// Issue 3's journey: a minted credentials.json pasted into the app adds its commons with a valid
/// key, the connection test exchanges it at the (simulated) commons, the secret never shows in the
/// page, and the key can be deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app, a display and a keyring: scripts/test.sh runs it"]
async fn import_a_key_test_the_connection_and_delete_it() {
    use gen3_sim::{CommonsSpec, Fleet, MintOptions};
    let fleet = Fleet::start(vec![CommonsSpec::new("e2e")]).await.unwrap();
    let creds = fleet
        .mint_credentials("e2e", MintOptions { user_name: "e2e-operator@example.org".into(), ..Default::default() });
    let api_key = creds["api_key"].as_str().unwrap().to_string();
    let signature = api_key.rsplit('.').next().unwrap().to_string();
    let host = fleet.base_url("e2e").trim_start_matches("http://").to_string();
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let app = driver.open_app(data.path()).await;
    let text = creds.to_string();
    let secret = signature.clone();
    journey("credentials", &app, |c| async move {
        wait_for(&c, "[data-testid=empty-state]").await?;
        click(&c, "[data-testid=nav-credentials]").await?;
        type_into(&c, "#credentials-paste", &text).await?;
        click(&c, "[data-testid=preview-key]").await?;
        wait_text(&c, "[data-testid=key-preview]", &host).await?;
        type_into(&c, "#new-commons-name", "E2E Commons").await?;
        click(&c, "[data-testid=store-key]").await?;
        wait_count(&c, "[data-testid=credential-row][data-status=valid]", 1).await?;
        let paste = c
            .execute("return document.querySelector('#credentials-paste')?.value ?? ''", vec![])
            .await
            .map_err(|e| e.to_string())?;
        if paste.as_str().is_some_and(|v| !v.is_empty()) {
            return Err("the pasted credentials stayed in the text box".into());
        }
        click(&c, "[data-testid=test-connection]").await?;
        wait_text(&c, "[data-testid=test-result]", "e2e-operator@example.org").await?;
        let page = c.source().await.map_err(|e| e.to_string())?;
        if page.contains(&secret) {
            return Err("the API key's signature is in the page".into());
        }
        click(&c, "[data-testid=nav-commons]").await?;
        wait_text(&c, "[data-testid=fleet-list]", "E2E Commons").await?;
        click(&c, "[data-testid=nav-credentials]").await?;
        click(&c, "[data-testid=delete-key]").await?;
        wait_for(&c, "[data-testid=confirm-delete-key]").await?;
        click(&c, "[data-testid=confirm-delete-key-button]").await?;
        wait_count(&c, "[data-testid=credential-row]", 0).await
    })
    .await;
    app.close().await.expect("close the session");
    let exchanges = fleet.requests("e2e").iter().filter(|r| r.path.contains("access_token")).count();
    assert_eq!(exchanges, 1, "the connection test exchanged the key at the commons once");
    // The canary on disk: the cache and the logs never hold the key in the clear.
    for file in walk(data.path()) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert!(!bytes.windows(signature.len()).any(|w| w == signature.as_bytes()), "key found in {}", file.display());
    }
    fleet.shutdown().await;
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Issue 4's journey: the demo fleet from the empty state shows a living board with the expected
/// problems, and the down commons' health page says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: scripts/test.sh runs it"]
async fn the_demo_fleet_shows_its_problems_and_why() {
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let app = driver.open_app(data.path()).await;
    journey("demo", &app, |c| async move {
        click(&c, "[data-testid=try-demo]").await?;
        wait_for(&c, "[data-testid=demo-banner]").await?;
        wait_count(&c, "[data-testid=board-row]", 12).await?;
        for (field, n) in [("commons_down", 1), ("services_down", 1), ("certs_expiring", 1), ("drifting", 1)] {
            wait_count(&c, &format!("[data-testid=summary-{field}][data-count=\"{n}\"]"), 1).await?;
        }
        wait_count(&c, "[data-testid=board-row][data-commons=\"Kidney Atlas\"][data-overall=down]", 1).await?;
        wait_count(
            &c,
            "[data-testid=board-row][data-commons=\"Imaging Hub\"] [data-testid=cell-metadata][data-state=down]",
            1,
        )
        .await?;
        activate(&c, "[data-testid=board-row][data-commons=\"Kidney Atlas\"]").await?;
        wait_text(&c, "[data-testid=health-error]", "refused").await?;
        Ok(())
    })
    .await;
    app.close().await.expect("close the session");
    // The user's own inventory stays empty: the demo has its own cache.
    let out = std::process::Command::new(app_path())
        .arg("--data-dir")
        .arg(data.path())
        .args(["inventory", "list"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("The inventory is empty"));
}

/// The shared reference material (../shared beside the repository), or why a journey cannot run.
fn shared(path: &str) -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared").join(path);
    if dir.exists() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is not here (CI has it)", dir.display());
        None
    }
}

/// Issue 10's journey: a real commons folder (BloodPAC from uc-cdis/gen3-gitops) opens with
/// `--import`; its release changes in the wizard, and the review's diff changes only the image-tag
/// lines; with the gen3-helm chart set in Settings, the Rendered view lists changed objects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app, a display and helm: scripts/test.sh runs it"]
async fn a_real_commons_is_imported_its_release_changed_and_rendered() {
    let (Some(corpus), Some(chart)) = (shared("gen3-corpus/gen3-gitops/bloodv2"), shared("gen3-helm")) else {
        return;
    };
    // A gen3-gitops clone holding the commons, as the operator has it.
    let repo = tempfile::tempdir().unwrap();
    copy_dir(&corpus, &repo.path().join("bloodv2"));
    for args in [
        &["init", "-q"][..],
        &["add", "."],
        &["-c", "user.name=op", "-c", "user.email=op@example.org", "commit", "-q", "-m", "bloodv2"],
    ] {
        let ok = Command::new("git").current_dir(repo.path()).args(args).status().unwrap().success();
        assert!(ok, "git {args:?}");
    }
    let folder = repo.path().join("bloodv2/data.bloodpac.org");
    let values = folder.join("values/values.yaml");
    let original = std::fs::read_to_string(&values).unwrap();
    let data = tempfile::tempdir().unwrap();
    // Typed paths are allowed inside the app's own folders: the chart folder goes there.
    let chart_copy = data.path().join("gen3-helm");
    copy_dir(&chart, &chart_copy);
    let chart = chart_copy;
    let driver = Driver::start();
    let app = driver.open_app_with(data.path(), &["--import", folder.to_str().unwrap()]).await;
    journey("import-real-commons", &app, |c| async move {
        wait_text(&c, "[data-testid=import-commons]", "data.bloodpac.org").await?;
        click(&c, "[data-testid=nav-settings]").await?;
        type_into(&c, "#render-chart-dir", chart.to_str().unwrap()).await?;
        click(&c, "[data-testid=save-rendering]").await?;
        if count(&c, "[data-testid=render-chart-error]").await? > 0 {
            return Err(text_of(&c, "[data-testid=render-chart-error]").await?);
        }
        click(&c, "[data-testid=nav-wizards]").await?;
        click(&c, "[data-testid=draft-resume]").await?;
        click(&c, "[data-testid=wizard-step-2]").await?;
        type_into(&c, "[data-testid=field-identity-release]", "2026.03").await?;
        click(&c, "[data-testid=wizard-step-8]").await?;
        wait_for(&c, "[data-testid=review-file] [data-testid=file-diff]").await?;
        let changed = texts_of(&c, "[data-testid=file-diff] [data-kind=added] .text").await?;
        let removed = texts_of(&c, "[data-testid=file-diff] [data-kind=removed] .text").await?;
        if changed.is_empty() || changed.len() != removed.len() {
            return Err(format!("expected pairs of changed lines, got +{changed:?} -{removed:?}"));
        }
        for (new, old) in changed.iter().zip(&removed) {
            if !new.contains("2026.03") || !old.contains("2025.12") || new.replace("2026.03", "2025.12") != *old {
                return Err(format!("a line other than a release tag changed: -{old:?} +{new:?}"));
            }
        }
        activate(&c, "[data-testid=rendered-run]").await?;
        // helm renders the chart three times: seconds, more in a debug build on a busy machine.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while count(&c, "[data-testid=rendered-summary], [data-testid=rendered-error]").await? == 0 {
            if std::time::Instant::now() > deadline {
                return Err("the Rendered view did not finish within 120 s".into());
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        if count(&c, "[data-testid=rendered-error]").await? > 0 {
            return Err(text_of(&c, "[data-testid=rendered-error]").await?);
        }
        let objects = texts_of(&c, "[data-testid=rendered-object][data-kind=changed]").await?;
        if !objects.iter().any(|o| o.contains("fence")) {
            return Err(format!("the fence Deployment's image changes: {objects:?}"));
        }
        Ok(())
    })
    .await;
    app.close().await.expect("close the session");
    assert_eq!(std::fs::read_to_string(&values).unwrap(), original, "the review writes nothing");
}
