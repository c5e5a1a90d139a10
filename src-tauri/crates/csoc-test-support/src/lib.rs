//! What the core crates' integration tests share (each test file is its own crate, and a
//! `tests/common` module would be compiled, half unused, into each of them).

use std::path::{Path, PathBuf};
use std::time::Duration;

use csoc_gen3::ClientOptions;
use csoc_monitor::sweep::SweepOptions;

pub mod memory;
pub mod parsers;

/// The repository's root folder.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

/// `../shared/<sub>` beside the repository (Gen3's real files: gen3-reference, gen3-corpus,
/// gen3-helm), or `None` with the reason printed: CI has them, a fresh clone does not.
pub fn shared(sub: &str) -> Option<PathBuf> {
    let dir = workspace().join("../shared").join(sub);
    if dir.exists() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/{sub} is not here (CI has it; a fresh clone does not)");
        None
    }
}

/// The wizard and import fixtures (`csoc-deploy/tests/fixtures`), which tests of several crates read.
pub fn fixtures() -> PathBuf {
    workspace().join("src-tauri/crates/csoc-deploy/tests/fixtures")
}

/// Copies a folder tree, so a test can change a fixture without touching the committed one.
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
}

/// A client for the loopback simulator: `timeout` for connecting and for the whole request, bodies
/// up to 256 KiB (a fault shows in seconds, not the product's 20).
pub fn client_options(timeout: Duration) -> ClientOptions {
    ClientOptions { connect_timeout: timeout, request_timeout: timeout, max_body_bytes: 256 * 1024, extra_ca_pem: None }
}

/// A sweep of the loopback simulator: 8 requests in flight, [`client_options`], `retries`, and
/// answers slower than `slow` counted as degraded.
pub fn sweep_options(timeout: Duration, retries: u32, slow: Duration) -> SweepOptions {
    SweepOptions { concurrency: 8, client: client_options(timeout), retries, slow }
}
