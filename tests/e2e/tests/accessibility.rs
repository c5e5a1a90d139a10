//! Issue 13's accessibility audit: axe-core (installed in ui/ by `npm ci`) runs in the real window
//! on every screen of the demo fleet, in the light and the dark theme, and the journey fails
//! listing each serious or critical violation with its rule, impact and the selectors at fault.

use csoc_e2e::walks::*;
use csoc_e2e::*;
use fantoccini::key::Key;
use fantoccini::Client;

const AXE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/node_modules/axe-core/axe.min.js");

/// Runs axe on the page as it is now; one line per serious or critical violation.
async fn audit(c: &Client, theme: &str, screen: &str) -> Result<Vec<String>, String> {
    let loaded = c.execute("return typeof window.axe === 'object';", vec![]).await.map_err(|e| e.to_string())?;
    if loaded != serde_json::json!(true) {
        let source = std::fs::read_to_string(AXE).map_err(|e| format!("reading {AXE} (npm ci in ui/): {e}"))?;
        c.execute(&source, vec![]).await.map_err(|e| format!("injecting axe-core: {e}"))?;
    }
    let found = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'] })
              .then(r => done(r.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)))
              .catch(e => done(`axe failed: ${e}`));"#,
            vec![],
        )
        .await
        .map_err(|e| format!("running axe on {screen}: {e}"))?;
    match found {
        serde_json::Value::Array(lines) => {
            Ok(lines.iter().map(|l| format!("{theme} · {screen}: {}", l.as_str().unwrap_or_default())).collect())
        }
        other => Err(format!("axe on {screen}: {other}")),
    }
}

/// One audited pass: what the screens break, collected so a run lists every violation at once.
struct Pass<'a> {
    c: &'a Client,
    theme: &'static str,
    found: Vec<String>,
}

impl Pass<'_> {
    /// Activates `css`, waits until `shows` is on screen, and audits it as `screen`.
    async fn visit(&mut self, screen: &str, css: &str, shows: &str) -> StepResult {
        activate(self.c, css).await?;
        self.check(screen, shows).await
    }

    async fn check(&mut self, screen: &str, shows: &str) -> StepResult {
        wait_for(self.c, shows).await?;
        let found = audit(self.c, self.theme, screen).await?;
        // Said as found too, so a journey that stops later still tells what it saw.
        found.iter().for_each(|v| eprintln!("{v}"));
        self.found.extend(found);
        Ok(())
    }

    /// The demo fleet's screens, from the board to the command palette.
    async fn demo_screens(&mut self) -> StepResult {
        let c = self.c;
        self.visit("Fleet board", "[data-testid=nav-fleet]", "[data-testid=board-row]").await?;
        self.visit("commons page", "[data-testid=board-row][data-commons=\"Kidney Atlas\"]", "[role=tab]").await?;
        for (tab, shows) in [
            ("overview", "#panel-overview"),
            ("services", "[data-testid=service-row]"),
            ("history", "[data-testid=uptime-chart]"),
            ("credentials", "[data-testid=commons-credentials]"),
            ("configuration", "[data-testid=commons-configuration]"),
            ("activity", "[data-testid=activity-list]"),
        ] {
            self.visit(&format!("commons page, {tab} tab"), &format!("[data-testid=tab-{tab}]"), shows).await?;
        }
        self.visit("Commons", "[data-testid=nav-commons]", "[data-testid=fleet-list]").await?;
        self.visit("Credentials", "[data-testid=nav-credentials]", "[data-testid=credentials-view]").await?;
        self.visit("Meshes", "[data-testid=nav-meshes]", "[data-testid=mesh-row]").await?;
        self.visit("mesh view", "[data-testid=mesh-open]", "[data-testid=mesh-member-row]").await?;
        self.visit("Wizards", "[data-testid=nav-wizards]", "[data-testid=wizards-view]").await?;
        self.visit("Activity", "[data-testid=nav-activity]", "[data-testid=activity-entry]").await?;
        self.visit("Settings", "[data-testid=nav-settings]", "[data-testid=diag-keyring]").await?;
        self.visit("command palette", "[data-testid=open-palette]", "[data-testid=palette-item]").await?;
        let input = wait_for(c, "[data-testid=palette-input]").await?;
        input.send_keys(&String::from(char::from(Key::Escape))).await.map_err(|e| format!("Esc: {e}"))?;
        wait_count(c, "[data-testid=command-palette]", 0).await
    }
}

/// Chooses the theme in Settings, as a user does, and waits until the window wears it.
async fn use_theme(c: &Client, theme: &str) -> StepResult {
    activate(c, "[data-testid=nav-settings]").await?;
    activate(c, &format!("#theme-{theme}")).await?;
    wait_for(c, &format!("html[data-theme={theme}]")).await.map(drop)
}

/// Every violation the passes found, or none.
fn verdict(passes: [Pass<'_>; 2]) -> StepResult {
    listed(passes.into_iter().flat_map(|p| p.found).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app, a display and ui/node_modules: scripts/test.sh runs it"]
async fn every_demo_screen_passes_axe_core_in_light_and_dark() {
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let app = driver.open_app(data.path()).await;
    journey("accessibility-demo", &app, |c| async move {
        let mut light = Pass { c: &c, theme: "light", found: Vec::new() };
        let mut dark = Pass { c: &c, theme: "dark", found: Vec::new() };
        use_theme(&c, "dark").await?;
        activate(&c, "[data-testid=nav-fleet]").await?;
        click(&c, "[data-testid=try-demo]").await?;
        wait_count(&c, "[data-testid=board-row]", 12).await?;
        dark.demo_screens().await?;
        use_theme(&c, "light").await?;
        light.demo_screens().await?;
        verdict([light, dark])
    })
    .await;
    app.close().await.expect("close the session");
}

/// Audits the page as it is in both themes. The theme is the `data-theme` attribute the app puts
/// on `<html>` (theme.ts), set here directly so a wizard is audited in both without leaving it.
async fn audit_both(c: &Client, screen: &str, found: &mut Vec<String>) -> StepResult {
    for theme in ["dark", "light"] {
        c.execute("document.documentElement.dataset.theme = arguments[0];", vec![serde_json::json!(theme)])
            .await
            .map_err(|e| format!("wearing the {theme} theme: {e}"))?;
        wait_for(c, &format!("html[data-theme={theme}]")).await?;
        let seen = audit(c, theme, screen).await?;
        seen.iter().for_each(|v| eprintln!("{v}"));
        found.extend(seen);
    }
    Ok(())
}

fn listed(found: Vec<String>) -> StepResult {
    if found.is_empty() {
        return Ok(());
    }
    Err(format!("{} serious or critical violations:\n{}", found.len(), found.join("\n")))
}

/// The deploy wizard's every step, its launch confirmation and the launch's result (a GitOps
/// launch into a local bare repository, so no cluster is needed), and the add-to-inventory form,
/// empty and with its errors showing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app, a display and ui/node_modules: scripts/test.sh runs it"]
async fn the_deploy_wizard_and_the_add_form_pass_axe_core_in_light_and_dark() {
    let data = tempfile::tempdir().unwrap();
    let (_bare, clone) = gitops_repo(&repos_in(data.path()));
    let driver = Driver::start();
    let app = driver.open_app(data.path()).await;
    journey("accessibility-deploy-wizard", &app, |c| async move {
        let mut found = Vec::new();
        open_commons_wizard(&c).await?;
        // Before anything is typed: no field may be marked in error yet, and the empty step must pass.
        audit_both(&c, "deploy wizard, destination (empty)", &mut found).await?;
        for step in COMMONS_STEPS {
            fill_commons_step(&c, step, &clone).await?;
            audit_both(&c, &format!("deploy wizard, {step}"), &mut found).await?;
            next(&c, commons_step_after(step)).await?;
        }
        audit_both(&c, "deploy wizard, launch", &mut found).await?;
        ask_to_launch(&c, "qa-dev.example.org").await?;
        audit_both(&c, "deploy wizard, launch confirmation", &mut found).await?;
        confirm_launch(&c, "qa-dev.example.org").await?;
        wait_for(&c, "[data-testid=launch-result]").await?;
        audit_both(&c, "deploy wizard, launch result", &mut found).await?;

        activate(&c, "[data-testid=nav-commons]").await?;
        wait_count(&c, "[data-testid=commons-row]", 1).await?;
        activate(&c, "[data-testid=new-commons]").await?;
        wait_for(&c, "[data-testid=commons-form]").await?;
        audit_both(&c, "add-to-inventory form", &mut found).await?;
        activate(&c, "[data-testid=save-commons]").await?;
        wait_for(&c, "[data-testid=error-name]").await?;
        audit_both(&c, "add-to-inventory form with errors", &mut found).await?;
        listed(found)
    })
    .await;
    app.close().await.expect("close the session");
}

/// The mesh wizard's every step on the demo fleet, its launch confirmation and result.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app, a display and ui/node_modules: scripts/test.sh runs it"]
async fn the_mesh_wizard_passes_axe_core_in_light_and_dark() {
    let data = tempfile::tempdir().unwrap();
    let (_bare, hub_folder) = hub_repo(data.path());
    let driver = Driver::start();
    let app = driver.open_app(data.path()).await;
    journey("accessibility-mesh-wizard", &app, |c| async move {
        let mut found = Vec::new();
        click(&c, "[data-testid=try-demo]").await?;
        wait_count(&c, "[data-testid=board-row]", 12).await?;
        open_mesh_wizard(&c).await?;
        audit_both(&c, "mesh wizard, hub (empty)", &mut found).await?;
        for step in MESH_STEPS {
            fill_mesh_step(&c, step, &hub_folder).await?;
            audit_both(&c, &format!("mesh wizard, {step}"), &mut found).await?;
            mesh_next(&c, mesh_step_after(step)).await?;
        }
        audit_both(&c, "mesh wizard, launch", &mut found).await?;
        ask_to_launch(&c, "hub.example.org").await?;
        audit_both(&c, "mesh wizard, launch confirmation", &mut found).await?;
        confirm_launch(&c, "hub.example.org").await?;
        wait_for(&c, "[data-testid=mesh-launch-result]").await?;
        audit_both(&c, "mesh wizard, launch result", &mut found).await?;
        listed(found)
    })
    .await;
    app.close().await.expect("close the session");
}
