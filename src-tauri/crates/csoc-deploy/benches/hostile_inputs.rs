//! What the hostile inputs of issue 12 cost now: a 60,000-commons inventory file, one commons with
//! 100,000 tags, and a 100,000-level nested YAML document. Figures only (no pass/fail).
//!
//! `cargo bench -p csoc-deploy --bench hostile_inputs` (add `--profile dev` for a debug build).

use std::time::Instant;

use csoc_model::model::{Commons, CommonsDraft, Environment};
use csoc_store::transfer;
use csoc_store::{Store, DB_FILE};

fn file(commons: Vec<Commons>) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({"format": transfer::FORMAT, "version": transfer::VERSION,
        "exported_at": 0, "commons": commons}))
    .unwrap()
}

fn commons(i: usize, tags: Vec<String>) -> Commons {
    let mut draft = CommonsDraft::new(format!("c{i}"), format!("https://c{i}.example.org"), Environment::Dev);
    draft.tags = tags;
    Commons { id: format!("id-{i}"), draft, created_at: 0, updated_at: 0 }
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    println!("{what}: {:.2} s", started.elapsed().as_secs_f64());
    out
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();

    let many = file((0..60_000).map(|i| commons(i, Vec::new())).collect());
    let summary = timed("import of 60,000 commons (one transaction)", || transfer::import_bytes(&store, &many));
    println!("  -> {:?}", summary.map(|s| s.added));

    let tags = file(vec![commons(60_001, (0..100_000).map(|t| format!("t{t}")).collect())]);
    let summary = timed("import of one commons with 100,000 tags", || transfer::import_bytes(&store, &tags));
    println!("  -> {:?}", summary.map(|s| s.added).map_err(|e| e.message.chars().take(120).collect::<String>()));

    for (what, text) in [
        ("100,000-level nested YAML (flow)", "[".repeat(100_000)),
        ("100,000-level nested YAML (- - -)", "- ".repeat(100_000) + "x"),
    ] {
        let r = timed(what, || csoc_deploy::yaml::parse_yaml(&text, "deep.yaml"));
        println!("  -> {}", r.err().map(|e| e.message).unwrap_or_else(|| "parsed".into()));
    }
}
