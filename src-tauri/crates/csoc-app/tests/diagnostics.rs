//! Diagnostics: the facts are true of this installation, and the zip `gen3-csoc diagnostics` writes
//! holds none of the secrets the vault keeps (a canary: known secrets are stored, then every entry
//! of the zip is searched for them). Runs with the real keyring (scripts/test.sh starts one).

use std::io::Read;
use std::path::Path;

use clap::Parser;
use csoc_app::cli::{self, Cli};
use csoc_model::model::{CommonsDraft, Environment};
use csoc_model::paths::AppPaths;
use csoc_model::secret::{Secret, SecretKind};
use csoc_store::activity;
use csoc_store::inventory;
use csoc_store::Store;
use csoc_vault::keys::{self, KeySource};
use csoc_vault::Vault;
use gen3_sim::{CommonsSpec, Fleet};

fn run_cli(data_dir: &Path, args: &[&str]) -> Result<String, csoc_model::error::CoreError> {
    let mut argv = vec!["gen3-csoc", "--data-dir", data_dir.to_str().unwrap()];
    argv.extend_from_slice(args);
    let parsed = Cli::try_parse_from(&argv).unwrap();
    let mut out = Vec::new();
    cli::run(&parsed.command.unwrap(), &AppPaths::resolve(parsed.data_dir), &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

/// Every entry of the zip, by name, as text.
fn entries(zip: &Path) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut text = String::new();
            f.read_to_string(&mut text).unwrap();
            (f.name().to_string(), text)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_zip_holds_the_facts_and_logs_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let paths = AppPaths::resolve(Some(data.clone()));
    let store = Store::open(&paths.db_path()).unwrap();
    let fleet = Fleet::start(vec![CommonsSpec::new("up")]).await.unwrap();
    let mut up = CommonsDraft::new("Up Commons", fleet.base_url("up"), Environment::Production);
    up.notes = "NOTES-CANARY-7731 the on-call phone is 555".into();
    inventory::create(&store, &up).unwrap();
    // Nothing listens on port 9 of loopback (discard is not run here): refused at once.
    inventory::create(&store, &CommonsDraft::new("Gone Commons", "http://127.0.0.1:9", Environment::Dev)).unwrap();

    // The secrets: an API key from the simulator's fence, and an OIDC client secret.
    let creds = fleet.mint_credentials("up", gen3_sim::MintOptions::default());
    let api_key = creds["api_key"].as_str().unwrap().to_string();
    let signature = api_key.rsplit('.').next().unwrap().to_string();
    let file = dir.path().join("credentials.json");
    std::fs::write(&file, creds.to_string()).unwrap();
    let vault = Vault::new();
    keys::import(&vault, &store, &KeySource::File { path: file.display().to_string() }, None, dir.path()).unwrap();
    std::fs::remove_file(&file).unwrap();
    let client_secret = "CLIENT-SECRET-CANARY-0c9e41";
    vault.store_named(&store, "wizard/d1/google", &Secret::new(SecretKind::ApiKey, client_secret.into())).unwrap();
    drop(store);

    // A log with an error, and a line that quoted the key (as a careless library might).
    std::fs::create_dir_all(&paths.log_dir).unwrap();
    std::fs::write(
        paths.log_dir.join("gen3-csoc.log.2026-12-02"),
        format!(
            "2026-12-02T10:00:00Z  INFO gen3_csoc: starting\n\
             2026-12-02T10:00:01Z ERROR csoc_store: cache open failed error=disk I/O error\n\
             2026-12-02T10:00:02Z DEBUG reqwest: body {{\"api_key\": \"{api_key}\"}}\n\
             2026-12-02T10:00:03Z DEBUG reqwest: header Bearer {api_key}\n"
        ),
    )
    .unwrap();

    let zip = dir.path().join("diag.zip");
    let printed = tokio::task::spawn_blocking({
        let (data, zip) = (data.clone(), zip.clone());
        move || run_cli(&data, &["diagnostics", zip.to_str().unwrap()])
    })
    .await
    .unwrap()
    .unwrap();
    assert!(printed.contains("quick_check ok"), "{printed}");
    assert!(printed.contains("1 of 2 commons reachable; not: Gone Commons"), "{printed}");

    let all = entries(&zip);
    let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["diagnostics.json", "inventory.json", "activity.jsonl", "logs/gen3-csoc.log.2026-12-02"]);
    for (name, text) in &all {
        for canary in [api_key.as_str(), signature.as_str(), client_secret, "NOTES-CANARY-7731"] {
            assert!(!text.contains(canary), "{name} holds {canary}");
        }
    }
    let facts: serde_json::Value = serde_json::from_str(&all[0].1).unwrap();
    assert_eq!(facts["cache"]["quick_check"], "ok");
    assert_eq!(facts["cache"]["schema_version"], facts["cache"]["latest_schema"]);
    assert!(facts["cache"]["size_bytes"].as_u64().unwrap() > 0);
    assert_eq!(facts["keyring"]["reachable"], true, "{}", facts["keyring"]);
    assert_eq!(facts["keyring"]["vault_mode"], "keyring");
    let errors = facts["last_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].as_str().unwrap().contains("cache open failed"));
    let reach = facts["commons"].as_array().unwrap();
    let by_name = |n: &str| reach.iter().find(|c| c["name"] == n).unwrap().clone();
    assert_eq!(by_name("Up Commons")["reachable"], true);
    assert_eq!(by_name("Gone Commons")["reachable"], false);
    assert!(by_name("Gone Commons")["detail"].as_str().unwrap().contains("refused"), "{}", by_name("Gone Commons"));
    let log = &all[3].1;
    assert!(log.contains("\"api_key\": <redacted>\n") && log.contains("Bearer <redacted token>\n"), "{log}");
    assert_eq!(log.lines().count(), 4, "every log line stays a line: {log}");
    let inventory: serde_json::Value = serde_json::from_str(&all[1].1).unwrap();
    assert_eq!(inventory["commons"].as_array().unwrap().len(), 2);

    // The collection itself is in the activity log.
    let store = Store::open(&paths.db_path()).unwrap();
    let last = activity::list(&store, &Default::default()).unwrap().remove(0);
    assert!(last.summary.starts_with("Collected diagnostics to"), "{}", last.summary);
    fleet.shutdown().await;
}

/// A cache that cannot be opened still gets a zip: its facts say why.
#[test]
fn a_damaged_cache_still_yields_a_zip_that_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let paths = AppPaths::resolve(Some(dir.path().to_path_buf()));
    std::fs::write(paths.db_path(), b"not a database at all, just text ".repeat(200)).unwrap();
    let zip = dir.path().join("diag.zip");
    let printed = run_cli(dir.path(), &["diagnostics", zip.to_str().unwrap()]).unwrap();
    assert!(printed.contains("quick_check not run"), "{printed}");
    let all = entries(&zip);
    assert_eq!(all.len(), 1, "only the facts: no inventory to read");
    let facts: serde_json::Value = serde_json::from_str(&all[0].1).unwrap();
    assert!(facts["cache"]["error"].as_str().unwrap().contains("damaged"), "{}", facts["cache"]);
}
