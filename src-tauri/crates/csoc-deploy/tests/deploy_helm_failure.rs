//! Issue 12 item 6: a helm launch is all or nothing for the inventory. A helm that fails ends the
//! launch with helm's error, leaves the inventory as it was, keeps the values and records the
//! failure; the same launch with a helm that succeeds adds the commons. A test binary of its own:
//! it puts its fake `helm` first on PATH.

use std::path::Path;

use csoc_deploy::answers::{Destination, HelmDestination};
use csoc_deploy::cli::read_answers;
use csoc_deploy::launch::{launch, LaunchControl, LaunchRequest};
use csoc_model::error::ErrorCode;
use csoc_model::model::InventoryFilter;
use csoc_store::activity::{self, ActivityFilter, ActivityKind, ActivityResult};
use csoc_store::inventory;
use csoc_store::Store;
use csoc_vault::Vault;

/// A `helm` that prints a line and exits with the code written in `exit_code` beside it.
fn helm_exiting_as_told(bin: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    let helm = bin.join("helm");
    let script = format!(
        "#!/bin/sh\necho 'Error: INSTALLATION FAILED: timed out' >&2\nexit $(cat '{}')\n",
        bin.join("exit_code").display()
    );
    std::fs::write(&helm, script).unwrap();
    std::fs::set_permissions(&helm, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[tokio::test]
async fn a_failed_helm_adds_nothing_to_the_inventory_and_a_successful_one_adds_the_commons() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    helm_exiting_as_told(&bin);
    let mut dirs = vec![bin.clone()];
    dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::set_var("PATH", std::env::join_paths(dirs).unwrap());

    let store = Store::open(&tmp.path().join("cache.db")).unwrap();
    let vault = Vault::new();
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let mut answers = read_answers(&csoc_test_support::fixtures().join("wizard/dev-commons.yaml")).unwrap();
    answers.destination = Destination::Helm(HelmDestination {
        kube_context: "kind-qa".into(),
        namespace: "qa-dev".into(),
        release_name: "qa-dev".into(),
        output_dir: out.display().to_string(),
        ..Default::default()
    });
    // No client secret to hand over: this launch never needs the keyring.
    answers.login.providers.iter_mut().for_each(|p| p.secret_stored = false);
    let request =
        LaunchRequest { answers, confirmation: "qa-dev.example.org".into(), watch_secs: 0, draft_id: "d1".into() };
    let listed = |store: &Store| inventory::list(store, &InventoryFilter::default()).unwrap().commons;

    std::fs::write(bin.join("exit_code"), "1").unwrap();
    let err = launch(&store, &vault, &request, |_| {}, LaunchControl::default()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::ToolFailed);
    assert!(err.message.contains("exit code 1") && err.message.contains("INSTALLATION FAILED"), "{}", err.message);
    assert!(listed(&store).is_empty(), "a failed helm added {:?}", listed(&store));
    assert!(out.join("values.yaml").is_file(), "the values are kept for the next try");
    let filter = ActivityFilter { kind: Some(ActivityKind::Launch), ..Default::default() };
    let entries = activity::list(&store, &filter).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].result, ActivityResult::Failed);
    assert!(entries[0].summary.contains("INSTALLATION FAILED") && entries[0].commons_id.is_none(), "{:?}", entries[0]);

    std::fs::write(bin.join("exit_code"), "0").unwrap();
    let report = launch(&store, &vault, &request, |_| {}, LaunchControl::default()).await.unwrap();
    let added = listed(&store);
    assert_eq!(added.len(), 1, "{added:?}");
    assert_eq!(added[0].draft.base_url, "https://qa-dev.example.org");
    assert_eq!(report.commons_id.as_deref(), Some(added[0].id.as_str()));
}
