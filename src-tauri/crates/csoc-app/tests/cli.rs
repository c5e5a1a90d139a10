//! The headless subcommands, parsed as a shell would pass them and run over a real cache.

use std::path::Path;

use clap::Parser;
use csoc_app::cli::{self, Cli};
use csoc_model::error::{CoreError, ErrorCode};
use csoc_model::model::{Commons, CommonsDraft, Environment, InventoryFilter, Relation};
use csoc_model::paths::AppPaths;
use csoc_store::inventory;
use csoc_store::Store;

/// Parses `args` (after the program name) and runs the command; returns what it printed.
fn run(data_dir: &Path, args: &[&str]) -> Result<String, CoreError> {
    let mut argv = vec!["gen3-csoc", "--data-dir", data_dir.to_str().unwrap()];
    argv.extend_from_slice(args);
    let parsed = Cli::try_parse_from(&argv).unwrap_or_else(|e| panic!("{argv:?} should parse: {e}"));
    assert_eq!(parsed.data_dir.as_deref(), Some(data_dir), "--data-dir is honoured");
    let paths = AppPaths::resolve(parsed.data_dir.clone());
    let command = parsed.command.expect("a subcommand");
    let mut out: Vec<u8> = Vec::new();
    cli::run(&command, &paths, &mut out)?;
    Ok(String::from_utf8(out).expect("output is UTF-8"))
}

fn draft(name: &str, url: &str, environment: Environment) -> CommonsDraft {
    CommonsDraft::new(name, url, environment)
}

/// Fills the cache in `data_dir` through the library, as the window would.
fn seed(data_dir: &Path) -> Vec<Commons> {
    let store = Store::open(&AppPaths::resolve(Some(data_dir.to_path_buf())).db_path()).unwrap();
    let mut prod = draft("Prod Commons", "prod.example.org", Environment::Production);
    prod.tags = vec!["niaid".into(), "hiv".into()];
    prod.expected_release = Some("2025.09".into());
    prod.meshes = vec!["brh".into()];
    let mut stage = draft("Stage Commons", "stage.example.org", Environment::Staging);
    stage.relation = Relation::Associated;
    stage.owner = "Partner".into();
    let dev = draft("Dev Commons", "dev.example.org", Environment::Dev);
    [prod, stage, dev].iter().map(|d| inventory::create(&store, d).unwrap()).collect()
}

fn parse_list(text: &str) -> Vec<Commons> {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("list --json is a JSON array of commons ({e}): {text}"))
}

#[test]
fn list_on_an_empty_inventory_prints_the_empty_state_hint() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["inventory", "list"]).unwrap();
    assert!(out.contains("The inventory is empty"), "{out}");
    assert!(out.contains("gen3-csoc inventory import"), "the hint says how to fill it: {out}");
    assert!(!out.contains("NAME"), "no table header for an empty list: {out}");
    // The cache was created in the given data dir, not elsewhere.
    assert!(AppPaths::resolve(Some(dir.path().to_path_buf())).db_path().exists());

    let json = run(dir.path(), &["inventory", "list", "--json"]).unwrap();
    assert!(parse_list(&json).is_empty());
}

#[test]
fn list_json_is_the_array_of_commons() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = seed(dir.path());
    let out = run(dir.path(), &["inventory", "list", "--json"]).unwrap();
    let listed = parse_list(&out);
    assert_eq!(listed.len(), 3);
    // Production first, then staging, then dev.
    let names: Vec<&str> = listed.iter().map(|c| c.draft.name.as_str()).collect();
    assert_eq!(names, vec!["Prod Commons", "Stage Commons", "Dev Commons"]);
    for c in &seeded {
        let found = listed.iter().find(|l| l.id == c.id).expect("every commons listed");
        assert_eq!(found.draft.name, c.draft.name);
        assert_eq!(found.draft.base_url, c.draft.base_url);
        assert_eq!(found.draft.tags, c.draft.tags);
        assert_eq!(found.draft.meshes, c.draft.meshes);
        assert_eq!((found.created_at, found.updated_at), (c.created_at, c.updated_at));
    }
    // Field names are the export's.
    let raw: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(raw[0]["base_url"], "https://prod.example.org");
    assert_eq!(raw[0]["environment"], "production");
}

#[test]
fn table_marks_production_with_prod() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let out = run(dir.path(), &["inventory", "list"]).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "header and three rows: {out}");
    for col in ["NAME", "HOST", "ENV", "RELATION", "RELEASE", "TAGS"] {
        assert!(lines[0].contains(col), "header has {col}: {}", lines[0]);
    }
    let row = |name: &str| *lines.iter().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name} row: {out}"));
    let prod = row("Prod Commons");
    assert!(prod.contains("PROD"), "{prod}");
    assert!(prod.contains("prod.example.org") && !prod.contains("https://"), "host, not URL: {prod}");
    assert!(prod.contains("2025.09") && prod.contains("hiv,niaid"), "{prod}");
    assert!(prod.contains("we run it"), "{prod}");
    let stage = row("Stage Commons");
    assert!(!stage.contains("PROD") && stage.contains("staging") && stage.contains("associated"), "{stage}");
    assert!(!row("Dev Commons").contains("PROD"));
    assert_eq!(lines.iter().filter(|l| l.contains("PROD")).count(), 1);
    // Columns line up: the host column starts at the same offset on every line.
    let host_col = lines[0].find("HOST").unwrap();
    assert_eq!(prod.find("prod.example.org"), Some(host_col), "{out}");
    assert_eq!(stage.find("stage.example.org"), Some(host_col), "{out}");
}

#[test]
fn env_and_search_filter_the_list() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let prod = parse_list(&run(dir.path(), &["inventory", "list", "--json", "--env", "production"]).unwrap());
    assert_eq!(prod.iter().map(|c| c.draft.name.as_str()).collect::<Vec<_>>(), vec!["Prod Commons"]);
    let dev = parse_list(&run(dir.path(), &["inventory", "list", "--env", "dev", "--json"]).unwrap());
    assert_eq!(dev.iter().map(|c| c.draft.name.as_str()).collect::<Vec<_>>(), vec!["Dev Commons"]);
    let other = parse_list(&run(dir.path(), &["inventory", "list", "--json", "--env", "other"]).unwrap());
    assert!(other.is_empty());
    let table = run(dir.path(), &["inventory", "list", "--env", "staging"]).unwrap();
    assert!(table.contains("Stage Commons") && !table.contains("Prod Commons"), "{table}");

    let found = parse_list(&run(dir.path(), &["inventory", "list", "--json", "--search", "PARTNER"]).unwrap());
    assert_eq!(found.iter().map(|c| c.draft.name.as_str()).collect::<Vec<_>>(), vec!["Stage Commons"]);

    assert!(Cli::try_parse_from(["gen3-csoc", "inventory", "list", "--env", "prod"]).is_err(), "unknown env refused");
}

#[test]
fn export_then_import_into_another_data_dir_round_trips() {
    let src = tempfile::tempdir().unwrap();
    let dst = tempfile::tempdir().unwrap();
    let seeded = seed(src.path());
    let file = src.path().join("out.json");
    let file_arg = file.to_str().unwrap();

    let out = run(src.path(), &["inventory", "export", file_arg]).unwrap();
    assert!(out.contains("Exported 3 commons and 1 meshes"), "{out}");
    assert!(file.exists());

    let out = run(dst.path(), &["inventory", "import", file_arg]).unwrap();
    assert!(out.contains("3 added, 0 updated, 1 meshes"), "{out}");
    let a = parse_list(&run(src.path(), &["inventory", "list", "--json"]).unwrap());
    let b = parse_list(&run(dst.path(), &["inventory", "list", "--json"]).unwrap());
    assert_eq!(a.len(), 3);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!((&x.id, &x.draft, x.created_at), (&y.id, &y.draft, y.created_at));
    }
    assert!(b.iter().all(|c| seeded.iter().any(|s| s.id == c.id)));

    // Importing again updates in place.
    let out = run(dst.path(), &["inventory", "import", file_arg]).unwrap();
    assert!(out.contains("0 added, 3 updated"), "{out}");
    let store = Store::open(&AppPaths::resolve(Some(dst.path().to_path_buf())).db_path()).unwrap();
    assert_eq!(inventory::list(&store, &InventoryFilter::default()).unwrap().total, 3);
}

#[test]
fn import_errors_surface_as_core_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "[1, 2, 3]").unwrap();
    let err = run(dir.path(), &["inventory", "import", bad.to_str().unwrap()]).unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid, "{}", err.message);
    let missing = dir.path().join("missing.json");
    let err = run(dir.path(), &["inventory", "import", missing.to_str().unwrap()]).unwrap_err();
    assert_eq!(err.code, ErrorCode::Io, "{}", err.message);
    assert!(parse_list(&run(dir.path(), &["inventory", "list", "--json"]).unwrap()).is_empty());
}

/// A filter that matches nothing should not claim the inventory is empty (it holds 3 commons).
#[test]
fn filtered_list_with_no_match_does_not_say_the_inventory_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let out = run(dir.path(), &["inventory", "list", "--search", "zzz"]).unwrap();
    assert!(!out.contains("The inventory is empty"), "{out}");
    let out = run(dir.path(), &["inventory", "list", "--env", "other"]).unwrap();
    assert!(!out.contains("The inventory is empty"), "{out}");
}

fn fixture(path: &str) -> String {
    csoc_test_support::fixtures().join(path).display().to_string()
}

#[test]
fn commons_import_adds_a_gitops_commons_and_keeps_a_draft() {
    let dir = tempfile::tempdir().unwrap();
    let printed = run(dir.path(), &["commons", "import", &fixture("deploy/gitops/demo/gen3.example.org")]).unwrap();
    assert!(printed.contains("gen3.example.org") && printed.contains("wizard draft"), "{printed}");
    let store = Store::open(&AppPaths::resolve(Some(dir.path().to_path_buf())).db_path()).unwrap();
    let listed = inventory::list(&store, &InventoryFilter::default()).unwrap();
    assert_eq!(listed.commons.len(), 1);
    assert_eq!(listed.commons[0].draft.base_url, "https://gen3.example.org");
    assert_eq!(csoc_deploy::drafts::list(&store).unwrap().len(), 1);

    // Importing the same folder again refreshes the record instead of adding a second one.
    run(dir.path(), &["commons", "import", &fixture("deploy/gitops/demo/gen3.example.org")]).unwrap();
    assert_eq!(inventory::list(&store, &InventoryFilter::default()).unwrap().commons.len(), 1);

    let err = run(dir.path(), &["commons", "import", &fixture("wizard")]).unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid, "{}", err.message);
}

#[test]
fn commons_render_writes_files_or_exits_with_the_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let printed =
        run(dir.path(), &["commons", "render", &fixture("wizard/prod-commons.yaml"), "--out", out.to_str().unwrap()])
            .unwrap();
    assert!(printed.contains("values.yaml") && out.join("user.yaml").is_file(), "{printed}");
    let values = std::fs::read_to_string(out.join("values.yaml")).unwrap();
    assert!(values.contains("externalSecret: genomics-prod-master-password"), "{values}");

    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "identity:\n  hostname: localhost\n").unwrap();
    let err =
        run(dir.path(), &["commons", "render", bad.to_str().unwrap(), "--out", dir.path().join("x").to_str().unwrap()])
            .unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(err.message.contains("nothing was written") && err.message.contains("localhost"), "{}", err.message);
}

fn corpus(path: &str) -> Option<String> {
    csoc_test_support::shared(&format!("gen3-corpus/{path}")).map(|dir| dir.display().to_string())
}

#[test]
fn commons_check_lists_findings_with_file_and_line_and_opens_no_cache() {
    let Some(path) = corpus("gen3-gitops/stanfordaimi/stanfordaimi.data-commons.org") else { return };
    let dir = tempfile::tempdir().unwrap();
    let text = run(dir.path(), &["commons", "check", &path]).unwrap();
    assert!(text.contains("warning [duplicate_key@replicaCount]"), "{text}");
    assert!(text.contains("0 of them blocking"), "{text}");
    let json = run(dir.path(), &["commons", "check", &path, "--json"]).unwrap();
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["blocking"], 0);
    let located = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "global.frontendRoot")
        .expect("the front-end finding");
    assert_eq!(located["file"], "stanfordaimi/stanfordaimi.data-commons.org/values/values.yaml");
    assert_eq!(located["line"], 29, "global.frontendRoot is set on line 29: {located}");
    assert_eq!(located["step_name"], "Services");
    assert!(!AppPaths::resolve(Some(dir.path().to_path_buf())).db_path().exists(), "check touches no cache");
}

#[test]
fn commons_check_fails_on_an_error_that_cannot_be_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let values = dir.path().join("values.yaml");
    std::fs::write(&values, "global:\n  hostname: data.example.org\nmetadata:\n  aggMdsConfig: '{not json'\n").unwrap();
    let err = run(dir.path(), &["commons", "check", values.to_str().unwrap()]).unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(err.message.contains("must be fixed"), "{}", err.message);
}

#[test]
fn imported_answers_render_back_to_the_same_bytes_and_acknowledge_by_id() {
    let Some(path) = corpus("gen3-gitops/unfunded/aids.diseasedatahub.org") else { return };
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("answers.yaml");
    run(dir.path(), &["commons", "import", &path, "--answers-out", answers.to_str().unwrap()]).unwrap();
    let out = dir.path().join("repo");
    let blocked = run(dir.path(), &["commons", "render", answers.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let printed = match blocked {
        Ok(printed) => printed,
        Err(err) => {
            // Production security findings block until acknowledged by the ids the error names.
            let ids: Vec<&str> =
                err.message.split("--acknowledge ").skip(1).filter_map(|s| s.split(')').next()).collect();
            assert!(!ids.is_empty(), "only acknowledgeable errors may block an imported commons: {}", err.message);
            let mut args = vec!["commons", "render", answers.to_str().unwrap(), "--out", out.to_str().unwrap()];
            for id in &ids {
                args.extend(["--acknowledge", id]);
            }
            run(dir.path(), &args).unwrap()
        }
    };
    assert!(printed.contains("wrote"), "{printed}");
    for name in ["values.yaml", "fence.yaml", "portal.yaml", "guppy.yaml", "etl.yaml"] {
        let rel = format!("unfunded/aids.diseasedatahub.org/values/{name}");
        let original = std::fs::read_to_string(Path::new(&path).join("values").join(name)).unwrap();
        assert_eq!(std::fs::read_to_string(out.join(&rel)).unwrap(), original, "{rel} is byte-identical");
    }
}

/// A credentials.json as fence writes it, for `host` (fake signature: the vault does not verify
/// signatures, the commons does), with a marker to hunt for in files.
fn credentials_json(marker: &str, host: &str) -> String {
    use base64::Engine;
    let b64 = |v: serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let now = csoc_model::model::now_ms() / 1000;
    let claims = serde_json::json!({"pur": "api_key", "iss": format!("https://{host}/user"), "sub": "7",
        "jti": format!("jti-{}", marker.to_lowercase()), "iat": now, "exp": now + 20 * 86_400, "aud": ["gen3"], "azp": "",
        "scope": ["fence", "openid", "user", "data"]});
    let jwt = format!("{}.{}.{marker}", b64(serde_json::json!({"alg": "RS256", "kid": "k"})), b64(claims));
    serde_json::json!({"key_id": format!("jti-{}", marker.to_lowercase()), "api_key": jwt}).to_string()
}

/// `credentials import` and `list` work from a terminal with the system keyring the window uses
/// (scripts/test.sh runs the tests under dbus-run-session with gnome-keyring); the key never
/// reaches the output or a file in the clear.
#[test]
fn credentials_import_and_list_headless() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = seed(dir.path());
    let file = dir.path().join("credentials.json");
    std::fs::write(&file, credentials_json("SIGPRODCANARY", "prod.example.org")).unwrap();
    let out = run(dir.path(), &["credentials", "import", file.to_str().unwrap()]).unwrap();
    assert!(out.contains("Stored the API key ending in") && out.contains("Prod Commons"), "{out}");
    assert!(out.contains("in 19 days") || out.contains("in 20 days"), "{out}");

    // --commons must name the commons that issued the key.
    let stage = seeded.iter().find(|c| c.draft.name == "Stage Commons").unwrap();
    let err = run(dir.path(), &["credentials", "import", file.to_str().unwrap(), "--commons", &stage.id]).unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(err.message.contains("not by Stage Commons"), "{}", err.message);
    let other = dir.path().join("stage.json");
    std::fs::write(&other, credentials_json("SIGSTAGECANARY", "stage.example.org")).unwrap();
    run(dir.path(), &["credentials", "import", other.to_str().unwrap(), "--commons", &stage.id]).unwrap();
    // A key for a commons the inventory does not have is refused with the way out.
    let stray = dir.path().join("stray.json");
    std::fs::write(&stray, credentials_json("SIGSTRAY", "elsewhere.example.org")).unwrap();
    let err = run(dir.path(), &["credentials", "import", stray.to_str().unwrap()]).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound, "{err:?}");

    let table = run(dir.path(), &["credentials", "list"]).unwrap();
    assert!(table.contains("Prod Commons") && table.contains("Stage Commons") && table.contains("valid"), "{table}");
    let json: serde_json::Value =
        serde_json::from_str(&run(dir.path(), &["credentials", "list", "--json"]).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);
    assert_eq!(json[0]["info"]["ends_with"].as_str().unwrap().len(), 4);
    for text in [&out, &table, &json.to_string()] {
        assert!(!text.contains("SIGPRODCANARY") && !text.contains("SIGSTAGECANARY"), "no key text printed");
    }
    std::fs::remove_file(&file).unwrap();
    std::fs::remove_file(&other).unwrap();
    for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
        if entry.path().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            assert!(!bytes.windows(13).any(|w| w == b"SIGPRODCANARY"), "{} holds the key", entry.path().display());
        }
    }
}

#[test]
fn an_imported_commons_tells_monitoring_which_services_it_deploys() {
    let Some(path) = corpus("gen3-gitops/unfunded/aids.diseasedatahub.org") else { return };
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["commons", "import", &path]).unwrap();
    let store = Store::open(&AppPaths::resolve(Some(dir.path().to_path_buf())).db_path()).unwrap();
    let commons = inventory::list(&store, &InventoryFilter::default()).unwrap().commons.remove(0);
    let known = csoc_monitor::known::load(&store).unwrap();
    let expected = known[&commons.id].expected.clone().expect("the imported services are recorded");
    assert!(expected.contains("guppy") && expected.contains("fence"), "{expected:?}");
    // Exactly what its values enable: a "service failure" from any other route is "not deployed".
    let enabled = csoc_deploy::import::import_path(Path::new(&path)).unwrap().answers.services;
    let monitored: std::collections::HashSet<String> =
        enabled.into_iter().filter(|s| csoc_monitor::catalog::find(s).is_some()).collect();
    assert_eq!(expected, monitored);
    assert!(!expected.contains("requestor") && !expected.contains("gen3-workflow"), "{expected:?}");
}
