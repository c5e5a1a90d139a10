//! Export and import of the whole inventory: round trips, merging, all-or-nothing, refusal of bad
//! files, and a canary that the format carries no secrets.

use std::path::Path;
use std::time::Instant;

use csoc_model::error::ErrorCode;
use csoc_model::model::{
    now_ms, Commons, CommonsDraft, Deployment, Environment, InventoryFilter, InventoryView, Mesh, Relation,
};
use csoc_store::inventory;
use csoc_store::transfer;
use csoc_store::{Store, DB_FILE};
use serde_json::Value;
use tempfile::TempDir;

fn open() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    (dir, store)
}

fn draft(name: &str, url: &str, environment: Environment) -> CommonsDraft {
    CommonsDraft::new(name, url, environment)
}

fn view(store: &Store) -> InventoryView {
    inventory::list(store, &InventoryFilter::default()).unwrap()
}

/// Three commons using every field and both deployment kinds, plus mesh descriptions.
fn populate(store: &Store) -> Vec<Commons> {
    let mut a = draft("AIDS Data Hub", "aids.diseasedatahub.org", Environment::Production);
    a.owner = "CTDS".into();
    a.contact = "ops@example.org".into();
    a.tags = vec!["niaid".into(), "hiv".into()];
    a.notes = "Line one\nLine two with “quotes” and ünïcode".into();
    a.expected_release = Some("2025.09".into());
    a.deployment = Deployment::Gitops { folder: "unfunded/aids.diseasedatahub.org".into() };
    a.meshes = vec!["brh".into()];

    let mut b = draft("BDC staging", "https://staging.example.org:8443", Environment::Staging);
    b.relation = Relation::Associated;
    b.tags = vec!["nhlbi".into()];
    b.deployment = Deployment::Kube { context: "bdc-staging".into(), namespace: "gen3".into() };
    b.meshes = vec!["anvil".into(), "brh".into()];

    let c = draft("Local sim", "http://localhost:8080", Environment::Dev);

    let out: Vec<Commons> = [a, b, c].iter().map(|d| inventory::create(store, d).unwrap()).collect();
    inventory::save_mesh(
        store,
        &Mesh { name: "brh".into(), description: "Biomedical Research Hub".into(), members: vec![] },
    )
    .unwrap();
    inventory::save_mesh(store, &Mesh { name: "lonely".into(), description: "no members".into(), members: vec![] })
        .unwrap();
    out
}

fn export_value(store: &Store) -> Value {
    serde_json::from_str(&transfer::export_json(store).unwrap()).unwrap()
}

fn write_json(dir: &Path, name: &str, value: &Value) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
    path
}

/// Asserts an import failed with `code`, and that the store is exactly as before.
fn assert_refused(store: &Store, path: &Path, code: ErrorCode, message_has: &[&str]) -> String {
    let before = view(store);
    let err = transfer::import_from(store, path).unwrap_err();
    assert_eq!(err.code, code, "{}", err.message);
    for part in message_has {
        assert!(err.message.contains(part), "message should mention {part:?}: {}", err.message);
    }
    let after = view(store);
    assert_eq!(after.commons, before.commons, "nothing written");
    assert_eq!(after.meshes, before.meshes, "no meshes written");
    assert_eq!(after.freshness, before.freshness, "freshness untouched");
    err.message
}

#[test]
fn export_then_import_into_a_fresh_store_round_trips() {
    let (dir, a) = open();
    let created = populate(&a);
    let file = dir.path().join("inventory.json");
    let summary = transfer::export_to(&a, &file).unwrap();
    assert_eq!((summary.commons, summary.meshes), (3, 3));
    assert_eq!(summary.path, file.display().to_string());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file left behind: {leftovers:?}");

    let (_dir2, b) = open();
    let started = now_ms();
    let s = transfer::import_from(&b, &file).unwrap();
    assert_eq!((s.added, s.updated, s.meshes), (3, 0, 3));

    let (va, vb) = (view(&a), view(&b));
    assert_eq!(vb.total, 3);
    assert_eq!(vb.commons.len(), va.commons.len());
    for (x, y) in va.commons.iter().zip(&vb.commons) {
        assert_eq!(x.id, y.id);
        assert_eq!(x.draft, y.draft, "every inventory field survives");
        assert_eq!(x.created_at, y.created_at, "created_at is carried over");
        // updated_at records when this cache changed, i.e. the import.
        assert!(y.updated_at >= started, "{} >= {started}", y.updated_at);
    }
    for c in &created {
        assert_eq!(inventory::get(&b, &c.id).unwrap().draft, inventory::get(&a, &c.id).unwrap().draft);
    }
    assert_eq!(vb.meshes, va.meshes, "mesh names, descriptions and members");
    assert_eq!(vb.tags, va.tags);
    assert!(vb.freshness.last_successful.unwrap() >= started);
}

#[test]
fn importing_into_the_same_store_updates_instead_of_duplicating() {
    let (dir, store) = open();
    populate(&store);
    let file = dir.path().join("inv.json");
    transfer::export_to(&store, &file).unwrap();
    let before = view(&store);
    let s = transfer::import_from(&store, &file).unwrap();
    assert_eq!((s.added, s.updated), (0, 3));
    let after = view(&store);
    assert_eq!(after.total, 3);
    assert_eq!(after.meshes, before.meshes);
    for (x, y) in before.commons.iter().zip(&after.commons) {
        assert_eq!((&x.id, &x.draft, x.created_at), (&y.id, &y.draft, y.created_at));
    }
    // And a second time, still no duplicates.
    let s = transfer::import_from(&store, &file).unwrap();
    assert_eq!((s.added, s.updated), (0, 3));
    assert_eq!(view(&store).total, 3);
}

#[test]
fn a_record_matching_by_base_url_updates_the_local_commons() {
    let (dir, store) = open();
    let local = inventory::create(&store, &draft("Local name", "shared.example.org", Environment::Staging)).unwrap();
    let other = inventory::create(&store, &draft("Untouched", "other.example.org", Environment::Dev)).unwrap();

    let mut file = export_value(&store);
    let records = file["commons"].as_array_mut().unwrap();
    records.retain(|r| r["id"] == Value::String(local.id.clone()));
    records[0]["id"] = "id-from-another-laptop".into();
    records[0]["name"] = "Name from file".into();
    records[0]["base_url"] = "HTTPS://Shared.Example.org/".into();
    records[0]["environment"] = "production".into();
    records[0]["created_at"] = 5.into();
    // And one new commons.
    let mut new = records[0].clone();
    new["id"] = "brand-new".into();
    new["name"] = "New one".into();
    new["base_url"] = "new.example.org".into();
    records.push(new);
    let path = write_json(dir.path(), "edited.json", &file);

    let s = transfer::import_from(&store, &path).unwrap();
    assert_eq!((s.added, s.updated), (1, 1));
    let v = view(&store);
    assert_eq!(v.total, 3, "matched by URL: no duplicate");
    let updated = inventory::get(&store, &local.id).unwrap();
    assert_eq!(updated.draft.name, "Name from file");
    assert_eq!(updated.draft.environment, Environment::Production);
    assert_eq!(updated.draft.base_url, "https://shared.example.org");
    assert_eq!(updated.created_at, local.created_at, "the local record keeps its identity and creation time");
    assert_eq!(inventory::get(&store, "id-from-another-laptop").unwrap_err().code, ErrorCode::NotFound);
    assert_eq!(inventory::get(&store, "brand-new").unwrap().draft.name, "New one");
    assert_eq!(inventory::get(&store, &other.id).unwrap(), other);
}

#[test]
fn a_bad_third_record_imports_nothing() {
    let (dir, store) = open();
    populate(&store);
    // A file of five new commons (fresh ids and URLs), the 3rd with a bad hostname.
    let mut file = export_value(&store);
    let template = file["commons"][0].clone();
    let mut records = Vec::new();
    for i in 1..=5 {
        let mut r = template.clone();
        r["id"] = format!("new-{i}").into();
        r["name"] = format!("New commons {i}").into();
        r["base_url"] = format!("new{i}.example.org").into();
        r["meshes"] = serde_json::json!(["mesh-from-file"]);
        records.push(r);
    }
    records[2]["base_url"] = "bad host!.example.org".into();
    file["commons"] = Value::Array(records);
    file["meshes"] = serde_json::json!([{"name": "mesh-from-file", "description": "should not appear"}]);
    let path = write_json(dir.path(), "bad3.json", &file);

    let msg = assert_refused(&store, &path, ErrorCode::Invalid, &["#3", "New commons 3", "nothing was imported"]);
    assert!(msg.contains("base_url") || msg.to_lowercase().contains("hostname"), "{msg}");
    for i in 1..=5 {
        assert_eq!(inventory::get(&store, &format!("new-{i}")).unwrap_err().code, ErrorCode::NotFound);
    }
    assert!(!view(&store).meshes.iter().any(|m| m.name == "mesh-from-file"));

    // The same file with the record fixed imports all five.
    file["commons"][2]["base_url"] = "new3.example.org".into();
    let path = write_json(dir.path(), "fixed.json", &file);
    let s = transfer::import_from(&store, &path).unwrap();
    assert_eq!((s.added, s.updated, s.meshes), (5, 0, 1));
    assert_eq!(view(&store).total, 8);
}

#[test]
fn malformed_files_are_refused_clearly_and_nothing_is_written() {
    let (dir, store) = open();
    populate(&store);
    let good = export_value(&store);

    let not_json = dir.path().join("not.json");
    std::fs::write(&not_json, b"{ this is not json").unwrap();
    assert_refused(&store, &not_json, ErrorCode::Invalid, &["not valid JSON"]);

    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, b"").unwrap();
    assert_refused(&store, &empty, ErrorCode::Invalid, &["nothing was imported"]);

    let mut wrong_format = good.clone();
    wrong_format["format"] = "something-else".into();
    let p = write_json(dir.path(), "format.json", &wrong_format);
    assert_refused(&store, &p, ErrorCode::Invalid, &["gen3-csoc-inventory"]);

    let mut no_format = good.clone();
    no_format.as_object_mut().unwrap().remove("format");
    let p = write_json(dir.path(), "noformat.json", &no_format);
    assert_refused(&store, &p, ErrorCode::Invalid, &["format"]);

    let mut newer = good.clone();
    newer["version"] = (transfer::VERSION + 1).into();
    let p = write_json(dir.path(), "newer.json", &newer);
    assert_refused(&store, &p, ErrorCode::Invalid, &["newer", "Update the app"]);

    let mut v0 = good.clone();
    v0["version"] = 0.into();
    let p = write_json(dir.path(), "v0.json", &v0);
    assert_refused(&store, &p, ErrorCode::Invalid, &["version"]);

    let mut missing_field = good.clone();
    missing_field["commons"][1].as_object_mut().unwrap().remove("environment");
    let p = write_json(dir.path(), "missing.json", &missing_field);
    assert_refused(&store, &p, ErrorCode::Invalid, &["environment", "nothing was imported"]);

    let mut bad_enum = good.clone();
    bad_enum["commons"][0]["environment"] = "prod".into();
    let p = write_json(dir.path(), "enum.json", &bad_enum);
    assert_refused(&store, &p, ErrorCode::Invalid, &["nothing was imported"]);

    let mut no_id = good.clone();
    no_id["commons"][1]["id"] = "  ".into();
    let p = write_json(dir.path(), "noid.json", &no_id);
    assert_refused(&store, &p, ErrorCode::Invalid, &["no id"]);

    let mut unnamed_mesh = good.clone();
    unnamed_mesh["meshes"] = serde_json::json!([{"name": " "}]);
    let p = write_json(dir.path(), "mesh.json", &unnamed_mesh);
    assert_refused(&store, &p, ErrorCode::Invalid, &["mesh"]);

    let missing = dir.path().join("does-not-exist.json");
    assert_refused(&store, &missing, ErrorCode::Io, &["does-not-exist.json"]);
}

#[test]
fn duplicates_inside_the_file_are_refused() {
    let (dir, store) = open();
    populate(&store);
    let good = export_value(&store);

    // Same URL, written differently, under two new ids.
    let mut dup_url = good.clone();
    let mut first = dup_url["commons"][0].clone();
    first["id"] = "x1".into();
    first["name"] = "First".into();
    first["base_url"] = "dup.example.org".into();
    let mut second = first.clone();
    second["id"] = "x2".into();
    second["name"] = "Second".into();
    second["base_url"] = "https://DUP.example.org/".into();
    dup_url["commons"] = Value::Array(vec![first.clone(), second]);
    let p = write_json(dir.path(), "dupurl.json", &dup_url);
    assert_refused(&store, &p, ErrorCode::Invalid, &["https://dup.example.org", "twice", "First", "Second"]);

    // Same id twice.
    let mut dup_id = good.clone();
    let mut again = first.clone();
    again["base_url"] = "elsewhere.example.org".into();
    dup_id["commons"] = Value::Array(vec![first, again]);
    let p = write_json(dir.path(), "dupid.json", &dup_id);
    assert_refused(&store, &p, ErrorCode::Invalid, &["nothing was imported"]);
}

#[test]
fn a_record_whose_url_belongs_to_another_local_commons_is_a_conflict() {
    let (dir, store) = open();
    let created = populate(&store);
    let mut file = export_value(&store);
    // The record for created[0] (by id) now claims created[1]'s URL.
    let records = file["commons"].as_array_mut().unwrap();
    let i = records.iter().position(|r| r["id"] == Value::String(created[0].id.clone())).unwrap();
    records[i]["base_url"] = created[1].draft.base_url.clone().into();
    records.retain(|r| r["id"] != Value::String(created[1].id.clone()));
    let p = write_json(dir.path(), "conflict.json", &file);
    assert_refused(&store, &p, ErrorCode::Conflict, &[&created[1].draft.base_url, "nothing was imported"]);
}

#[test]
fn a_file_over_64_mib_is_refused_without_reading_it() {
    let (dir, store) = open();
    populate(&store);
    // Sparse: no disk space used, and reading 16 GiB would take far longer than the bound below.
    let huge = dir.path().join("huge.json");
    std::fs::File::create(&huge).unwrap().set_len(16 * 1024 * 1024 * 1024).unwrap();
    let started = Instant::now();
    assert_refused(&store, &huge, ErrorCode::Invalid, &["huge.json", "nothing was imported"]);
    assert!(started.elapsed().as_secs_f64() < 2.0, "refused from its size, not by reading it");

    // Just over the limit.
    let over = dir.path().join("over.json");
    std::fs::File::create(&over).unwrap().set_len(64 * 1024 * 1024 + 1).unwrap();
    assert_refused(&store, &over, ErrorCode::Invalid, &["64 MiB"]);

    // At the limit the file is read (and then refused for what it holds).
    let at = dir.path().join("at.json");
    std::fs::File::create(&at).unwrap().set_len(64 * 1024 * 1024).unwrap();
    assert_refused(&store, &at, ErrorCode::Invalid, &["not valid JSON"]);
}

/// Canary for the file format: an export must never carry credentials. If a field is added to the
/// export, add it to the allow-list below only after checking it cannot hold a secret.
#[test]
fn export_holds_no_secret_fields() {
    let (_dir, store) = open();
    populate(&store);
    let json = transfer::export_json(&store).unwrap();
    let value: Value = serde_json::from_str(&json).unwrap();

    fn keys(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    out.push(k.clone());
                    keys(child, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|i| keys(i, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    keys(&value, &mut all);
    assert!(!all.is_empty());
    for key in &all {
        let k = key.to_lowercase();
        for banned in ["api_key", "apikey", "access_token", "token", "secret", "password", "credential"] {
            assert!(!k.contains(banned), "export contains a {banned:?} key: {key}");
        }
    }
    for banned in ["\"api_key\"", "\"access_token\"", "\"secret\"", "\"password\""] {
        assert!(!json.contains(banned), "export text contains {banned}");
    }
    let allowed = [
        "format",
        "version",
        "exported_at",
        "commons",
        "meshes",
        "id",
        "name",
        "base_url",
        "environment",
        "relation",
        "owner",
        "contact",
        "tags",
        "notes",
        "expected_release",
        "deployment",
        "kind",
        "folder",
        "context",
        "namespace",
        "created_at",
        "updated_at",
        "description",
        // A private CA's certificate: public by nature (it is what clients trust), not a secret.
        "ca_pem",
    ];
    for key in &all {
        assert!(allowed.contains(&key.as_str()), "new key {key:?} in the export format: check it holds no secret");
    }
    assert_eq!(value["format"], "gen3-csoc-inventory");
    assert_eq!(value["version"], transfer::VERSION);
}

/// Two file records that resolve to the same local commons (one by URL, one by id) must not both
/// be applied: the second silently overwrites the first, and the summary counts two updates.
#[test]
fn two_records_resolving_to_one_local_commons_are_refused() {
    let (dir, store) = open();
    let local = inventory::create(&store, &draft("Local", "one.example.org", Environment::Dev)).unwrap();
    let mut file = export_value(&store);
    let mut by_url = file["commons"][0].clone();
    by_url["id"] = "other-laptop-id".into();
    by_url["name"] = "Renamed on the other laptop".into();
    let mut by_id = file["commons"][0].clone();
    by_id["name"] = "Moved".into();
    by_id["base_url"] = "two.example.org".into();
    file["commons"] = Value::Array(vec![by_url, by_id]);
    let p = write_json(dir.path(), "both.json", &file);
    let before = view(&store);
    let result = transfer::import_from(&store, &p);
    let after = view(&store);
    assert!(
        result.is_err(),
        "imported {result:?}; local is now {:?}",
        inventory::get(&store, &local.id).unwrap().draft
    );
    assert_eq!(after.commons, before.commons);
}
