//! A stored API key is bound to the origin of its issuer: after the inventory moves a commons to
//! another URL (an edit, or an inventory import matching its id), no sweep or test sends the key
//! there until the operator confirms the new URL. And without a keyring the sweep says the key
//! could not be checked instead of skipping the check and reporting the commons healthy.
//!
//! Runs against the real OS keyring (scripts/test.sh starts the tests inside `dbus-run-session`).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use csoc_model::error::ErrorCode;
use csoc_model::model::{CommonsDraft, Environment, InventoryFilter};
use csoc_model::secret::{Secret, SecretKind};
use csoc_monitor::sweep::{self, SweepOptions};
use csoc_monitor::{history, plan, views, SweepScope};
use csoc_store::activity::{self, ActivityFilter, ActivityKind};
use csoc_store::inventory;
use csoc_store::transfer;
use csoc_store::{Store, DB_FILE};
use csoc_vault::keys::{self, KeySource};
use csoc_vault::Vault;
use gen3_sim::{CommonsSpec, Fleet, MintOptions};
use tokio_util::sync::CancellationToken;

fn opts() -> SweepOptions {
    csoc_test_support::sweep_options(Duration::from_secs(2), 0, Duration::from_secs(2))
}

async fn sweep_all(store: &Store, vault: &Vault) {
    let t = plan(store, vault, &SweepScope::All).unwrap();
    let result = sweep::run(t, &opts(), CancellationToken::new(), |_| {}).await.unwrap();
    history::record(store, &result).unwrap();
}

fn key_requests(fleet: &Fleet, name: &str) -> usize {
    fleet
        .requests(name)
        .iter()
        .filter(|r| r.path.contains("access_token") || r.header("authorization").is_some())
        .count()
}

fn key_error(store: &Store, name: &str) -> Option<String> {
    let view = views::fleet(store, &InventoryFilter::default()).unwrap();
    view.rows.into_iter().find(|r| r.commons.draft.name == name).expect(name).key_error
}

/// Stores a key minted by `name` for the inventory commons at its URL; returns the commons id.
fn store_key(store: &Store, vault: &Vault, fleet: &Fleet, name: &str) -> String {
    let creds = fleet.mint_credentials(name, MintOptions::default()).to_string();
    let source = KeySource::Text { text: Secret::new(SecretKind::ApiKey, creds) };
    keys::import(vault, store, &source, None, Path::new("/nonexistent")).unwrap().commons_id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_key_never_follows_its_commons_to_another_url() {
    let fleet = Fleet::start(vec![CommonsSpec::new("home"), CommonsSpec::new("elsewhere")]).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    let vault = Vault::new();
    let home = inventory::create(&store, &CommonsDraft::new("Home", fleet.base_url("home"), Environment::Dev)).unwrap();
    let id = store_key(&store, &vault, &fleet, "home");
    assert_eq!(id, home.id);
    // As a key stored before keys were bound (schema 6): the first use records its origin.
    rusqlite::Connection::open(dir.path().join(DB_FILE))
        .unwrap()
        .execute("UPDATE credentials SET bound_origin = NULL", [])
        .unwrap();
    sweep_all(&store, &vault).await;
    assert!(key_requests(&fleet, "home") > 0, "the key is used at its own commons");
    assert_eq!(key_error(&store, "Home"), None);

    // An inventory import that matches the commons by id and gives it another URL.
    let mut moved = inventory::get(&store, &id).unwrap();
    moved.draft.base_url = fleet.base_url("elsewhere");
    let file = serde_json::json!({"format": transfer::FORMAT, "version": transfer::VERSION, "exported_at": 0,
        "commons": [moved]});
    transfer::import_bytes(&store, file.to_string().as_bytes()).unwrap();

    sweep_all(&store, &vault).await;
    assert_eq!(key_requests(&fleet, "elsewhere"), 0, "the key (or a token) reached the new host");
    let said = key_error(&store, "Home").expect("the sweep says why the key was not used");
    assert!(said.contains("not sent") && said.contains(&fleet.base_url("home")), "{said}");
    let view = vault.view(&store, &id).unwrap();
    assert!(view.set_aside.as_deref().is_some_and(|s| s.contains(&fleet.base_url("elsewhere"))), "{view:?}");

    // A connection test is refused the same way, before anything is sent.
    let err = keys::test_connection(&vault, &store, &id, opts().client).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::KeySetAside, "{}", err.message);
    assert_eq!(key_requests(&fleet, "elsewhere"), 0);

    // The operator confirms the new URL: only then is the key sent there.
    let confirmed = vault.confirm_url(&store, &id).unwrap();
    assert_eq!(confirmed.set_aside, None);
    let confirmations =
        activity::list(&store, &ActivityFilter { kind: Some(ActivityKind::KeyConfirm), ..Default::default() }).unwrap();
    assert_eq!(confirmations.len(), 1, "the confirmation is in the activity log: {confirmations:?}");
    assert!(confirmations[0].summary.contains(&fleet.base_url("elsewhere").trim_end_matches('/').to_string()));
    sweep_all(&store, &vault).await;
    assert!(key_requests(&fleet, "elsewhere") > 0, "after confirming, the key goes to the new URL");
    fleet.shutdown().await;
}

/// With no keyring answering, a commons with a stored key is not reported as if it had none: the
/// sweep records that the key could not be checked and why, and `status` prints it.
#[test]
fn without_a_keyring_the_sweep_says_the_key_could_not_be_checked() {
    if let Some(dir) = std::env::var_os("CSOC_SWEEP_NO_KEYRING_CHILD") {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let store = Store::open(&Path::new(&dir).join(DB_FILE)).unwrap();
        rt.block_on(sweep_all(&store, &Vault::new()));
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fleet = rt.block_on(Fleet::start(vec![CommonsSpec::new("kr")])).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    let vault = Vault::new();
    inventory::create(&store, &CommonsDraft::new("KR", fleet.base_url("kr"), Environment::Production)).unwrap();
    let id = store_key(&store, &vault, &fleet, "kr");
    // An earlier key problem must not be wiped by a sweep that could not look at the key.
    fleet.revoke("kr", &vault.api_key(&store, &id).unwrap().info.key_id);
    rt.block_on(sweep_all(&store, &vault));
    assert!(key_error(&store, "KR").is_some_and(|e| e.contains("rejected")));
    drop(store);

    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "without_a_keyring_the_sweep_says_the_key_could_not_be_checked", "--test-threads=1"])
        .env("CSOC_SWEEP_NO_KEYRING_CHILD", dir.path())
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    let said = key_error(&store, "KR").expect("the key check is reported, not skipped");
    assert!(said.contains("could not be checked") && said.to_lowercase().contains("keyring"), "{said}");
    let test = vault.view(&store, &id).unwrap();
    assert!(test.last_test_error.is_some_and(|e| e.contains("could not be checked")));

    let paths = csoc_model::paths::AppPaths::resolve(Some(dir.path().to_path_buf()));
    let mut out = Vec::new();
    csoc_app::cli::run(&csoc_app::cli::Command::Status { json: false }, &paths, &mut out).unwrap();
    let status = String::from_utf8(out).unwrap();
    assert!(status.contains("API key: The stored API key") && status.contains("could not be checked"), "{status}");
    rt.block_on(fleet.shutdown());
}
