//! The README's screenshots (not a test): the demo fleet's board and a commons page's history,
//! taken from the real window.
//!
//! usage: GEN3_CSOC_E2E_APP=PATH readme_screenshots DIR   (under xvfb-run, with tauri-driver)
//! Writes DIR/board.png and DIR/commons-page.png.

use std::path::{Path, PathBuf};

use csoc_e2e::*;

async fn shot(c: &fantoccini::Client, dir: &Path, name: &str) -> StepResult {
    let png = c.screenshot().await.map_err(|e| format!("screenshot: {e}"))?;
    std::fs::write(dir.join(name), png).map_err(|e| format!("writing {name}: {e}"))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: readme_screenshots DIR"));
    std::fs::create_dir_all(&dir).expect("create the screenshot folder");
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let app = driver.open_app(data.path()).await;
    journey("screenshots", &app, |c| async move {
        click(&c, "[data-testid=try-demo]").await?;
        wait_count(&c, "[data-testid=board-row]", 12).await?;
        wait_count(&c, "[data-testid=summary-commons_down][data-count=\"1\"]", 1).await?;
        // After the first check, so every cell has its state.
        wait_count(&c, "[data-testid=sweep-progress]", 0).await?;
        shot(&c, &dir, "board.png").await?;
        activate(&c, "[data-testid=board-row][data-commons=\"Kidney Atlas\"]").await?;
        click(&c, "[data-testid=tab-history]").await?;
        click(&c, "[data-testid=range-month]").await?;
        wait_for(&c, "[data-testid=uptime-chart]").await?;
        shot(&c, &dir, "commons-page.png").await
    })
    .await;
    app.close().await.expect("close the session");
}
