//! SIGKILL in the middle of a stream of inventory writes, many times over the same cache: the file
//! stays intact and every write that returned Ok is there.
//!
//! The parent test re-runs this test binary as a child (`crash_child`, inert unless
//! `CSOC_CRASH_CHILD_DIR` is set). The child writes forever and prints `try …` before and
//! `ack <kind> <id> <seq>` after each call that returned Ok; the parent kills it at a varying point.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use csoc_model::model::{CommonsDraft, Deployment, Environment, InventoryFilter, Relation};
use csoc_store::inventory;
use csoc_store::{Store, DB_FILE};

const CHILD_DIR_ENV: &str = "CSOC_CRASH_CHILD_DIR";
const CHILD_ROUND_ENV: &str = "CSOC_CRASH_CHILD_ROUND";
const ROUNDS: u64 = 25;

/// Name and URL written by operation `seq` of round `round`; the parent derives them the same way.
fn name_for(round: u64, seq: u64) -> String {
    format!("commons r{round} s{seq}")
}

fn url_for(round: u64, seq: u64) -> String {
    format!("https://r{round}-s{seq}.example.org")
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn child_draft(round: u64, seq: u64, rng: &mut Rng) -> CommonsDraft {
    let tags = ["niaid", "nhlbi", "hiv", "covid", "open"];
    let meshes = ["brh", "anvil", "mesh-c"];
    CommonsDraft {
        name: name_for(round, seq),
        base_url: url_for(round, seq),
        environment: Environment::ALL[rng.below(4) as usize],
        relation: if rng.below(2) == 0 { Relation::WeRunIt } else { Relation::Associated },
        owner: format!("owner {}", rng.below(10)),
        contact: String::new(),
        tags: (0..rng.below(4)).map(|_| tags[rng.below(5) as usize].to_string()).collect(),
        notes: "x".repeat(rng.below(2000) as usize),
        expected_release: Some("2025.09".into()),
        deployment: Deployment::Kube { context: "ctx".into(), namespace: "gen3".into() },
        meshes: (0..rng.below(3)).map(|_| meshes[rng.below(3) as usize].to_string()).collect(),
        ca_pem: None,
    }
}

/// The child: inert in a normal test run.
#[test]
fn crash_child() {
    let Some(dir) = std::env::var_os(CHILD_DIR_ENV) else {
        return;
    };
    let round: u64 = std::env::var(CHILD_ROUND_ENV).unwrap().parse().unwrap();
    let store = Store::open(&Path::new(&dir).join(DB_FILE)).unwrap();
    let mut live: Vec<String> =
        inventory::list(&store, &InventoryFilter::default()).unwrap().commons.into_iter().map(|c| c.id).collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (round + 1).wrapping_mul(0x1000_0000_01B3));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for seq in 0.. {
        let pick = rng.below(10);
        if live.len() < 4 || pick < 4 {
            writeln!(out, "try create - {seq}").unwrap();
            out.flush().unwrap();
            let c = inventory::create(&store, &child_draft(round, seq, &mut rng)).unwrap();
            writeln!(out, "ack create {} {seq}", c.id).unwrap();
            live.push(c.id);
        } else if pick < 8 {
            let id = live[rng.below(live.len() as u64) as usize].clone();
            writeln!(out, "try update {id} {seq}").unwrap();
            out.flush().unwrap();
            inventory::update(&store, &id, &child_draft(round, seq, &mut rng)).unwrap();
            writeln!(out, "ack update {id} {seq}").unwrap();
        } else {
            let id = live.swap_remove(rng.below(live.len() as u64) as usize);
            writeln!(out, "try delete {id} {seq}").unwrap();
            out.flush().unwrap();
            inventory::delete(&store, &id).unwrap();
            writeln!(out, "ack delete {id} {seq}").unwrap();
        }
        out.flush().unwrap();
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Row {
    name: String,
    base_url: String,
}

/// Every commons in the file, read with plain SQLite after checking the file's integrity.
fn read_db(path: &Path) -> BTreeMap<String, Row> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let verdict: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(verdict, "ok", "integrity_check after SIGKILL");
    let orphans: i64 =
        conn.prepare("PRAGMA foreign_key_check").unwrap().query_map([], |_| Ok(())).unwrap().count() as i64;
    assert_eq!(orphans, 0, "no tag or mesh row outlives its commons");
    let mut stmt = conn.prepare("SELECT id, name, base_url FROM commons").unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, Row { name: r.get(1)?, base_url: r.get(2)? })))
        .unwrap()
        .collect::<Result<BTreeMap<_, _>, _>>()
        .unwrap();
    rows
}

#[test]
fn sigkill_during_writes_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(DB_FILE);
    let exe = std::env::current_exe().unwrap();
    let started = Instant::now();
    // What the cache must hold: id -> row, as of the last verified round plus this round's acks.
    let mut model: BTreeMap<String, Row> = BTreeMap::new();
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let (mut total_acks, mut in_flight_seen, mut partial_lines) = (0u64, 0u64, 0u64);

    for round in 0..ROUNDS {
        let kill_after = 5 + rng.below(196); // 5..=200 acks
        let mode = round % 3; // 0: right at the ack, 1: after a short random delay, 2: at a `try`
        let mut child = Command::new(&exe)
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_DIR_ENV, dir.path())
            .env(CHILD_ROUND_ENV, round.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut acks = 0u64;
        let mut killed = false;
        let mut pending: Option<(String, String, u64)> = None; // the last `try` without its ack
        let mut line = String::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            line.clear();
            let n = reader.read_line(&mut line).unwrap();
            if n == 0 {
                break; // EOF: the child is dead and the pipe drained
            }
            if !line.ends_with('\n') {
                partial_lines += 1; // cut mid-line by the kill: that call's outcome is unknown
                continue;
            }
            let parts: Vec<&str> = line.split_whitespace().collect();
            match parts.as_slice() {
                ["try", kind, id, seq] => {
                    pending = Some((kind.to_string(), id.to_string(), seq.parse().unwrap()));
                    if !killed && mode == 2 && acks >= kill_after {
                        child.kill().unwrap();
                        killed = true;
                    }
                }
                ["ack", kind, id, seq] => {
                    let seq: u64 = seq.parse().unwrap();
                    let row = Row { name: name_for(round, seq), base_url: url_for(round, seq) };
                    match *kind {
                        "create" => {
                            assert!(model.insert(id.to_string(), row).is_none(), "fresh id {id}")
                        }
                        "update" => assert!(model.insert(id.to_string(), row).is_some(), "update of known {id}"),
                        "delete" => assert!(model.remove(*id).is_some(), "delete of known {id}"),
                        other => panic!("unknown ack kind {other}"),
                    }
                    pending = None;
                    acks += 1;
                    total_acks += 1;
                    if !killed && mode != 2 && acks >= kill_after {
                        if mode == 1 {
                            std::thread::sleep(Duration::from_micros(rng.below(3000)));
                        }
                        child.kill().unwrap();
                        killed = true;
                    }
                }
                _ => {} // the test harness's own lines
            }
            if !killed && Instant::now() > deadline {
                child.kill().unwrap();
                panic!("round {round}: child too slow ({acks} acks in 20 s)");
            }
        }
        let status = child.wait().unwrap();
        assert!(killed, "round {round}: the child exited by itself ({status}) after {acks} acks");
        assert!(!status.success(), "round {round}: killed child cannot succeed");

        // Check the file as a fresh process would find it.
        let found = read_db(&db);
        let mut extra: HashSet<&String> = found.keys().filter(|id| !model.contains_key(*id)).collect();
        for (id, want) in &model {
            match found.get(id) {
                Some(got) if got == want => {}
                Some(got) => {
                    // Only the one call that was running at the kill may have landed unacknowledged.
                    let Some((kind, pid, seq)) = &pending else {
                        panic!("round {round}: {id} is {got:?}, last ack says {want:?}");
                    };
                    assert!(kind == "update" && pid == id, "round {round}: {id} is {got:?}, want {want:?}");
                    assert_eq!(got, &Row { name: name_for(round, *seq), base_url: url_for(round, *seq) });
                    in_flight_seen += 1;
                }
                None => {
                    let deleting = matches!(&pending, Some((k, pid, _)) if k == "delete" && pid == id);
                    assert!(deleting, "round {round}: acknowledged commons {id} ({want:?}) is missing");
                    in_flight_seen += 1;
                }
            }
        }
        if !extra.is_empty() {
            assert_eq!(extra.len(), 1, "round {round}: unacknowledged rows {extra:?}");
            let id = extra.drain().next().unwrap();
            let Some(("create", _, seq)) = pending.as_ref().map(|(k, i, s)| (k.as_str(), i, *s)) else {
                panic!("round {round}: row {id} was never acknowledged and no create was running");
            };
            assert_eq!(found[id], Row { name: name_for(round, seq), base_url: url_for(round, seq) });
            in_flight_seen += 1;
        }
        // The file as found is the truth for the next round (an in-flight write that landed is durable).
        model = found;

        // And the app opens it.
        let store = Store::open(&db).unwrap_or_else(|e| panic!("round {round}: Store::open after kill: {e}"));
        let view = inventory::list(&store, &InventoryFilter::default()).unwrap();
        assert_eq!(view.total as usize, model.len());
        for c in &view.commons {
            assert_eq!(model[&c.id].name, c.draft.name);
        }
    }
    let elapsed = started.elapsed();
    eprintln!(
        "crash safety: {ROUNDS} kills, {total_acks} acknowledged writes checked, {in_flight_seen} in-flight \
         writes seen landed, {partial_lines} lines cut by the kill, {} commons at the end, {elapsed:.1?}",
        model.len()
    );
    assert!(total_acks >= ROUNDS * 5);
}
