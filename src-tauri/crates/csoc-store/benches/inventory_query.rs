//! Fleet-list query timings over a 10,000-commons cache.
//!
//! `cargo bench -p csoc-store --bench inventory_query`. Plain binary (no harness): builds a temp cache
//! in one import transaction, then times `inventory::list` for a few filters, 5 warm-ups and 50 runs
//! each, and prints min / median / p95 and the row count, then the query plans.

use std::time::{Duration, Instant};

use csoc_model::model::{Environment, InventoryFilter, SortKey};
use csoc_store::inventory;
use csoc_store::transfer;
use csoc_store::{Store, DB_FILE};
use serde_json::json;

const N: usize = 10_000;
const TAG_POOL: usize = 50;
const WARMUP: usize = 5;
const RUNS: usize = 50;
const MESHES: [&str; 5] = ["brh", "anvil", "kids-first", "crdc", "vadc"];

/// A fixed pseudo-random stream (splitmix64), so runs are comparable.
fn mix(i: usize, salt: u64) -> usize {
    let mut z = (i as u64).wrapping_add(salt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as usize
}

fn environment(i: usize) -> Environment {
    // 20% production, 20% staging, 40% dev, 20% other.
    match mix(i, 1) % 5 {
        0 => Environment::Production,
        1 => Environment::Staging,
        2 | 3 => Environment::Dev,
        _ => Environment::Other,
    }
}

fn inventory_file() -> Vec<u8> {
    let now = csoc_model::model::now_ms();
    let commons: Vec<_> = (0..N)
        .map(|i| {
            // Three distinct tags from the pool.
            let mut tags: Vec<String> = Vec::new();
            let mut k = 0;
            while tags.len() < 3 {
                let tag = format!("tag{:02}", mix(i, 100 + k) % TAG_POOL);
                k += 1;
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
            // 1 in 4 commons is in a mesh; 1 in 20 in a second one.
            let mut meshes = Vec::new();
            if mix(i, 2) % 4 == 0 {
                meshes.push(MESHES[mix(i, 3) % MESHES.len()]);
            }
            if mix(i, 4) % 20 == 0 && !meshes.contains(&MESHES[0]) {
                meshes.push(MESHES[0]);
            }
            json!({
                "id": format!("bench-{i:05}"),
                "name": format!("Commons {i:05} cohort-{:02}x", i % 100),
                "base_url": format!("https://data{i}.site{}.example.org", i % 37),
                "environment": environment(i).as_str(),
                "relation": if i % 3 == 0 { "associated" } else { "we_run_it" },
                "owner": format!("Team {}", i % 23),
                "contact": format!("ops{}@example.org", i % 11),
                "tags": tags,
                "notes": if i % 10 == 0 { "Long-running production commons with several notes." } else { "" },
                "expected_release": "2025.09",
                "deployment": {"kind": "gitops", "folder": format!("fleet/data{i}")},
                "meshes": meshes,
                "created_at": now - i as i64,
                "updated_at": now - i as i64,
            })
        })
        .collect();
    let meshes: Vec<_> = MESHES.iter().map(|m| json!({"name": m, "description": format!("{m} mesh")})).collect();
    serde_json::to_vec(&json!({
        "format": transfer::FORMAT,
        "version": transfer::VERSION,
        "exported_at": now,
        "commons": commons,
        "meshes": meshes,
    }))
    .unwrap()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn time(store: &Store, label: &str, filter: &InventoryFilter) {
    let mut rows = 0;
    for _ in 0..WARMUP {
        rows = inventory::list(store, filter).unwrap().commons.len();
    }
    let mut samples: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            let view = inventory::list(store, filter).unwrap();
            let d = t.elapsed();
            assert_eq!(view.commons.len(), rows, "stable result");
            d
        })
        .collect();
    samples.sort();
    let p95 = samples[(RUNS * 95).div_ceil(100) - 1];
    println!(
        "{label:<38} rows {rows:>6}   min {:>8.2} ms   median {:>8.2} ms   p95 {:>8.2} ms",
        ms(samples[0]),
        ms(samples[RUNS / 2]),
        ms(p95)
    );
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();

    let t = Instant::now();
    let bytes = inventory_file();
    let summary = transfer::import_bytes(&store, &bytes).unwrap();
    assert_eq!(summary.added as usize, N);
    println!(
        "setup: {N} commons imported in one transaction in {:.1} s ({} KiB file)",
        t.elapsed().as_secs_f64(),
        bytes.len() / 1024
    );

    let search = InventoryFilter { search: "cohort-42x".into(), ..Default::default() };
    let prod_tag =
        InventoryFilter { environment: Some(Environment::Production), tag: Some("tag07".into()), ..Default::default() };
    let mesh = InventoryFilter { mesh: Some("brh".into()), ..Default::default() };
    let all = InventoryFilter::default();
    let all_by_name = InventoryFilter { sort: SortKey::Name, ..Default::default() };

    println!("inventory::list over {N} commons, {WARMUP} warm-ups then {RUNS} runs:");
    time(&store, "(a) search \"cohort-42x\" (~1%)", &search);
    time(&store, "(b) environment=production + tag", &prod_tag);
    time(&store, "(c) mesh=brh", &mesh);
    time(&store, "(d) no filter (all rows)", &all);
    time(&store, "(d') no filter, sort by name", &all_by_name);

    // Where the time goes: the same SQL as src/inventory.rs, run raw on a second connection.
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    let cols = "c.id, c.name, c.base_url, c.environment, c.relation, c.owner, c.contact,
        c.notes, c.expected_release, c.deployment, c.created_at, c.updated_at";
    let lists = ",
        (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM commons_tags t WHERE t.commons_id = c.id ORDER BY tag)),
        (SELECT group_concat(mesh, char(31)) FROM (SELECT mesh FROM mesh_members m WHERE m.commons_id = c.id ORDER BY mesh))";
    let order = " ORDER BY CASE c.environment WHEN 'production' THEN 0 WHEN 'staging' THEN 1
        WHEN 'dev' THEN 2 ELSE 3 END, lower(c.name), c.base_url";
    let search_now = " AND (lower(c.name) LIKE ?1 ESCAPE '\\' OR c.base_url LIKE ?1 ESCAPE '\\'
        OR lower(c.owner) LIKE ?1 ESCAPE '\\' OR lower(c.contact) LIKE ?1 ESCAPE '\\'
        OR lower(c.notes) LIKE ?1 ESCAPE '\\'
        OR EXISTS (SELECT 1 FROM commons_tags t WHERE t.commons_id = c.id AND t.tag LIKE ?1 ESCAPE '\\'))";
    let search_in = " AND (c.name LIKE ?1 ESCAPE '\\' OR c.base_url LIKE ?1 ESCAPE '\\'
        OR c.owner LIKE ?1 ESCAPE '\\' OR c.contact LIKE ?1 ESCAPE '\\' OR c.notes LIKE ?1 ESCAPE '\\'
        OR c.id IN (SELECT commons_id FROM commons_tags WHERE tag LIKE ?1 ESCAPE '\\'))";
    let search_in_lower = search_now.replace(
        "EXISTS (SELECT 1 FROM commons_tags t WHERE t.commons_id = c.id AND t.tag LIKE ?1 ESCAPE '\\')",
        "c.id IN (SELECT commons_id FROM commons_tags WHERE tag LIKE ?1 ESCAPE '\\')",
    );
    let search_no_lower = search_now
        .replace("lower(c.name)", "c.name")
        .replace("lower(c.owner)", "c.owner")
        .replace("lower(c.contact)", "c.contact")
        .replace("lower(c.notes)", "c.notes");
    assert_ne!(search_in_lower, search_now);
    assert!(!search_no_lower.contains("lower("));
    let tag_now = " AND c.environment = 'production'
        AND EXISTS (SELECT 1 FROM commons_tags t WHERE t.commons_id = c.id AND t.tag = ?1)";
    let mesh_now = " AND EXISTS (SELECT 1 FROM mesh_members m WHERE m.commons_id = c.id AND m.mesh = ?1)";
    let mesh_in = " AND c.id IN (SELECT commons_id FROM mesh_members WHERE mesh = ?1)";
    let like = "%cohort-42x%";

    for (label, filter, arg) in [("(a)", search_now, like), ("(b)", tag_now, "tag07"), ("(c)", mesh_now, "brh")] {
        println!("EXPLAIN QUERY PLAN {label}:");
        let sql = format!("EXPLAIN QUERY PLAN SELECT {cols}{lists} FROM commons c WHERE 1=1{filter}{order}");
        let mut stmt = conn.prepare(&sql).unwrap();
        let rows = stmt.query_map([arg], |r| Ok((r.get::<_, i64>(1)?, r.get::<_, String>(3)?))).unwrap();
        for row in rows {
            let (parent, detail) = row.unwrap();
            println!("  {}{detail}", if parent == 0 { "" } else { "  " });
        }
    }

    println!("raw SQL, stepping rows without building Commons (median of {RUNS}):");
    let full = |filter: &str| format!("SELECT {cols}{lists} FROM commons c WHERE 1=1{filter}{order}");
    let bare = |filter: &str| format!("SELECT {cols} FROM commons c WHERE 1=1{filter}{order}");
    let count = |filter: &str| format!("SELECT count(*) FROM commons c WHERE 1=1{filter}");
    let no_arg: &[&dyn rusqlite::ToSql] = &[];
    for (label, sql, arg) in [
        ("(a) as today", full(search_now), Some(like)),
        ("(a) WHERE only, count(*)", count(search_now), Some(like)),
        ("(a) WHERE only, tags IN (...)", count(&search_in_lower), Some(like)),
        ("(a) WHERE only, no lower()", count(&search_no_lower), Some(like)),
        ("(a) WHERE only, no lower(), tags IN", count(search_in), Some(like)),
        ("(a) no lower(), tags IN, full select", full(search_in), Some(like)),
        ("(c) as today", full(mesh_now), Some("brh")),
        ("(c) mesh IN (...)", full(mesh_in), Some("brh")),
        ("(d) as today", full(""), None),
        ("(d) without tag/mesh subqueries", bare(""), None),
        ("list() extra: count(*)", "SELECT count(*) FROM commons".to_string(), None),
        ("list() extra: distinct tags", "SELECT DISTINCT tag FROM commons_tags ORDER BY tag".to_string(), None),
        (
            "list() extra: meshes",
            "SELECT m.name, m.description, group_concat(mm.commons_id, char(31))
             FROM meshes m LEFT JOIN mesh_members mm ON mm.mesh = m.name GROUP BY m.name ORDER BY m.name"
                .to_string(),
            None,
        ),
    ] {
        let mut stmt = conn.prepare(&sql).unwrap();
        let mut run = || {
            let t = Instant::now();
            let mut rows = match arg {
                Some(a) => stmt.query([a]).unwrap(),
                None => stmt.query(no_arg).unwrap(),
            };
            let mut n = 0;
            while let Some(row) = rows.next().unwrap() {
                let _: rusqlite::types::ValueRef = row.get_ref(0).unwrap();
                n += 1;
            }
            (t.elapsed(), n)
        };
        for _ in 0..WARMUP {
            run();
        }
        let mut samples: Vec<(Duration, usize)> = (0..RUNS).map(|_| run()).collect();
        samples.sort();
        println!("  {label:<40} rows {:>6}   median {:>8.2} ms", samples[RUNS / 2].1, ms(samples[RUNS / 2].0));
    }
}
