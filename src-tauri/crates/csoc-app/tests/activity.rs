//! The activity log: what the app did is recorded where it acts (so the window and the CLI both
//! record), filtered by commons and kind, exported as JSON Lines, printed by `gen3-csoc activity`,
//! and never holds a secret.

use std::path::Path;
use std::time::Duration;

use clap::Parser;
use csoc_app::cli::{self, Cli};
use csoc_gen3::ClientOptions;
use csoc_model::model::{CommonsDraft, Environment};
use csoc_model::paths::AppPaths;
use csoc_monitor::sweep::{self, SweepOptions};
use csoc_monitor::{history, plan, SweepScope};
use csoc_store::activity::{self, ActivityFilter, ActivityKind, ActivityResult};
use csoc_store::inventory;
use csoc_store::transfer;
use csoc_store::Store;
use csoc_vault::Vault;
use gen3_sim::{CommonsSpec, Fault, Fleet};
use tokio_util::sync::CancellationToken;

fn run_cli(data_dir: &Path, args: &[&str]) -> String {
    let mut argv = vec!["gen3-csoc", "--data-dir", data_dir.to_str().unwrap()];
    argv.extend_from_slice(args);
    let parsed = Cli::try_parse_from(&argv).unwrap();
    let mut out = Vec::new();
    cli::run(&parsed.command.unwrap(), &AppPaths::resolve(parsed.data_dir), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn store_in(dir: &Path) -> Store {
    Store::open(&AppPaths::resolve(Some(dir.to_path_buf())).db_path()).unwrap()
}

fn kinds(store: &Store, filter: &ActivityFilter) -> Vec<ActivityKind> {
    activity::list(store, filter).unwrap().into_iter().map(|e| e.kind).collect()
}

async fn sweep_now(store: &Store) -> history::SweepReport {
    let opts = SweepOptions {
        client: ClientOptions {
            connect_timeout: Duration::from_secs(1),
            request_timeout: Duration::from_secs(2),
            ..ClientOptions::default()
        },
        retries: 0,
        ..SweepOptions::default()
    };
    let targets = plan(store, &Vault::new(), &SweepScope::All).unwrap();
    let result = sweep::run(targets, &opts, CancellationToken::new(), |_| {}).await.unwrap();
    history::record(store, &result).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sweeps_and_state_changes_are_recorded_with_counts_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let fleet = Fleet::start(vec![CommonsSpec::new("a"), CommonsSpec::new("b")]).await.unwrap();
    let a =
        inventory::create(&store, &CommonsDraft::new("Alpha", fleet.base_url("a"), Environment::Production)).unwrap();
    inventory::create(&store, &CommonsDraft::new("Beta", fleet.base_url("b"), Environment::Dev)).unwrap();
    sweep_now(&store).await;
    fleet.set_fault("a", None, Some(Fault::Down));
    let report = sweep_now(&store).await;
    assert!(!report.changes.is_empty());

    let all = activity::list(&store, &ActivityFilter::default()).unwrap();
    let sweeps: Vec<_> = all.iter().filter(|e| e.kind == ActivityKind::Sweep).collect();
    assert_eq!(sweeps.len(), 2, "{all:#?}");
    assert!(sweeps[0].summary.starts_with("Checked 2 commons: 1 reachable"), "{}", sweeps[0].summary);
    assert!(sweeps[1].summary.starts_with("Checked 2 commons: 2 reachable, 0 state changes"), "{}", sweeps[1].summary);
    assert!(all.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
    assert!(!all[0].user.is_empty(), "an entry names its user (csoc-store's activity tests say which)");

    let about_a = ActivityFilter { commons_id: Some(a.id.clone()), ..Default::default() };
    let entries = activity::list(&store, &about_a).unwrap();
    let change = entries.iter().find(|e| e.kind == ActivityKind::StateChange).expect("a's change is recorded");
    assert!(change.summary.contains("commons: healthy → down"), "{}", change.summary);
    assert_eq!(change.commons_name.as_deref(), Some("Alpha"));
    assert!(entries.iter().all(|e| e.commons_id.as_deref() == Some(a.id.as_str())), "filtered by commons");
    assert!(entries.iter().any(|e| e.kind == ActivityKind::InventoryChange && e.summary.starts_with("Added Alpha")));

    // The status line names the last check by date, not in milliseconds.
    let mut status = Vec::new();
    let paths = AppPaths::resolve(Some(dir.path().to_path_buf()));
    cli::run(&cli::Command::Status { json: false }, &paths, &mut status).unwrap();
    let status = String::from_utf8(status).unwrap();
    assert!(status.contains(" UTC:") && !status.contains("unix"), "{status}");

    let only_sweeps = ActivityFilter { kind: Some(ActivityKind::Sweep), ..Default::default() };
    assert_eq!(kinds(&store, &only_sweeps), vec![ActivityKind::Sweep, ActivityKind::Sweep]);
    fleet.shutdown().await;
}

#[test]
fn imports_exports_and_failures_are_recorded_and_exported_as_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let c = inventory::create(&store, &CommonsDraft::new("Gamma", "gamma.example.org", Environment::Staging)).unwrap();
    let file = dir.path().join("inventory.json");
    transfer::export_to(&store, &file).unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{not json").unwrap();
    transfer::import_from(&store, &bad).unwrap_err();
    inventory::delete(&store, &c.id).unwrap();

    let all = activity::list(&store, &ActivityFilter::default()).unwrap();
    let kinds: Vec<_> = all.iter().map(|e| (e.kind, e.result)).collect();
    assert_eq!(
        kinds,
        vec![
            (ActivityKind::InventoryChange, ActivityResult::Ok),
            (ActivityKind::InventoryImport, ActivityResult::Failed),
            (ActivityKind::InventoryExport, ActivityResult::Ok),
            (ActivityKind::InventoryChange, ActivityResult::Ok),
        ]
    );
    assert!(all[0].summary.starts_with("Deleted Gamma"), "{}", all[0].summary);
    assert!(all[1].summary.contains("nothing was imported"), "the failure says why: {}", all[1].summary);
    assert!(all[2].summary.ends_with("1 commons, 0 meshes"), "{}", all[2].summary);
    // The deleted commons' entries keep its name.
    let about = ActivityFilter { commons_id: Some(c.id.clone()), ..Default::default() };
    assert_eq!(activity::list(&store, &about).unwrap().len(), 2);

    let out = dir.path().join("activity.jsonl");
    assert_eq!(activity::export_to(&store, &ActivityFilter::default(), &out).unwrap(), 4);
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<activity::ActivityEntry> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines, all, "one entry per line, the same entries");

    let printed = run_cli(dir.path(), &["activity"]);
    assert!(printed.contains("Deleted Gamma") && printed.contains("FAILED"), "{printed}");
    assert!(printed.contains(" UTC "), "dates, not milliseconds: {printed}");
    let json = run_cli(dir.path(), &["activity", "--json", "--commons", &c.id]);
    assert_eq!(json.lines().count(), 2, "{json}");
    for line in json.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["commons_id"], c.id.as_str());
    }
}

#[test]
fn entries_past_the_retention_are_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    inventory::create(&store, &CommonsDraft::new("Old", "old.example.org", Environment::Dev)).unwrap();
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    let old = csoc_model::model::now_ms() - csoc_model::dates::HOURLY_RETENTION_MS - 1000;
    conn.execute("UPDATE activity SET at = ?1", [old]).unwrap();
    drop(conn);
    inventory::create(&store, &CommonsDraft::new("New", "new.example.org", Environment::Dev)).unwrap();
    let all = activity::list(&store, &ActivityFilter::default()).unwrap();
    assert_eq!(all.len(), 1, "{all:#?}");
    assert!(all[0].summary.starts_with("Added New"));
}

/// Key imports, tests and deletions name the key by its last characters only: the key itself is
/// in no entry, no export and no CLI output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_actions_are_recorded_without_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let fleet = Fleet::start(vec![CommonsSpec::new("k")]).await.unwrap();
    let c = inventory::create(&store, &CommonsDraft::new("Kappa", fleet.base_url("k"), Environment::Dev)).unwrap();
    let secret = fleet.mint_credentials("k", gen3_sim::MintOptions::default());
    let file = dir.path().join("credentials.json");
    std::fs::write(&file, secret.to_string()).unwrap();
    let api_key = secret["api_key"].as_str().unwrap().to_string();
    let signature = api_key.rsplit('.').next().unwrap().to_string();

    let vault = Vault::new();
    let source = csoc_vault::keys::KeySource::File { path: file.display().to_string() };
    let view = csoc_vault::keys::import(&vault, &store, &source, None, dir.path()).unwrap();
    csoc_vault::keys::test_connection(&vault, &store, &c.id, ClientOptions::default()).await.unwrap();
    vault.delete(&store, &c.id).unwrap();

    let about = ActivityFilter { commons_id: Some(c.id.clone()), ..Default::default() };
    let all = activity::list(&store, &about).unwrap();
    let got: Vec<_> = all.iter().map(|e| e.kind).collect();
    assert_eq!(
        got,
        vec![ActivityKind::KeyDelete, ActivityKind::KeyTest, ActivityKind::KeyImport, ActivityKind::InventoryChange]
    );
    assert!(all[2].summary.contains(&format!("ending in {}", view.info.ends_with)), "{}", all[2].summary);
    let out = dir.path().join("activity.jsonl");
    activity::export_to(&store, &ActivityFilter::default(), &out).unwrap();
    let printed = run_cli(dir.path(), &["activity"]) + &run_cli(dir.path(), &["activity", "--json"]);
    for text in [std::fs::read_to_string(&out).unwrap(), printed] {
        assert!(!text.contains(&api_key) && !text.contains(&signature), "the key leaked: {text}");
    }
    fleet.shutdown().await;
}
