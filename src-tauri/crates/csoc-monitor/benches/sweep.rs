//! Sweep throughput over a fleet of simulated commons that each answer every request after a delay.
//!
//! `cargo bench -p csoc-monitor --bench sweep`. Plain binary (no harness). Environment:
//!
//! - `SWEEP_COMMONS` (1000), `SWEEP_DELAY_MS` (20), `SWEEP_CONCURRENCY` ("48,128,256"), `SWEEP_RUNS` (2 per
//!   concurrency).
//! - `SWEEP_SIM` = `inproc` (default: the simulator runs in this process, on the same tokio runtime, so
//!   CPU figures are "app + simulator"), `external` (this binary re-runs itself in serve mode as a child
//!   process; the CPU of the sweep process and of the simulator are read separately), or `both`.
//! - `SWEEP_TLS=1`: every commons serves HTTPS with a certificate from the fleet's private CA, stored
//!   as the commons' `ca_pem` in the inventory (so the sweep builds one HTTPS client per commons and
//!   runs its certificate probe), instead of plain HTTP.
//! - `SWEEP_BENCH_SERVE=DIR`: serve mode only: start the delayed fleet, write `DIR/fleet.json`
//!   (`[{"name","base_url"}]`, the `gen3-sim` binary's format), print `ready`, then serve until killed
//!   (SIGTERM). Commands on stdin, one per line: `clear` (forget recorded requests, answers `ok`),
//!   `count` (answers the number of requests received since the last clear), `connections` (answers
//!   the connections accepted since the start), `quit`.
//!
//! For each sweep: the requests the fleet received (`Fleet::requests`, cleared before), wall time,
//! the ideal `requests × delay / concurrency`, wall/ideal, CPU time (utime+stime from /proc/<pid>/stat)
//! per request, then the time of `history::record` of that sweep into the cache (one transaction).

use std::io::{BufRead, BufReader, Write as _};

/// Healthy, or behind the revproxy's authz check (the bench stores no key): nothing wrong.
fn counts_as_up(s: ServiceState) -> bool {
    matches!(s, ServiceState::Healthy | ServiceState::NeedsKey)
}
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use csoc_model::model::{CommonsDraft, Deployment, Environment, Relation};
use csoc_monitor::history;
use csoc_monitor::probe::ServiceState;
use csoc_monitor::sweep::{self, SweepOptions};
use csoc_monitor::{plan, SweepScope};
use csoc_store::inventory;
use csoc_store::{Store, DB_FILE};
use csoc_vault::Vault;
use gen3_sim::{CommonsSpec, Fault, Fleet, TlsMode};
use tokio_util::sync::CancellationToken;

fn env_or<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn clk_tck() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// utime + stime of a process, in seconds.
fn cpu_secs(pid: &str, tck: f64) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rfind(')').map_or("", |i| &stat[i + 2..]);
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields after "(comm)": state is index 0, so utime (field 14) is 11 and stime 12.
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / tck
}

fn rss_mb(pid: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn tls() -> bool {
    std::env::var("SWEEP_TLS").is_ok_and(|v| v == "1")
}

async fn start_fleet(n: usize, delay: Duration) -> Fleet {
    let width = n.to_string().len().max(4);
    let mode = if tls() { TlsMode::TrustedCa } else { TlsMode::Plain };
    let specs = (1..=n).map(|i| CommonsSpec { tls: mode, ..CommonsSpec::new(&format!("c{i:0width$}")) }).collect();
    let fleet = Fleet::start(specs).await.expect("fleet starts");
    for name in fleet.names() {
        fleet.set_fault(&name, None, Some(Fault::Slow(delay)));
    }
    fleet
}

fn listing(names: &[String], base_url: impl Fn(&str) -> String) -> serde_json::Value {
    names.iter().map(|n| serde_json::json!({"name": n, "base_url": base_url(n)})).collect()
}

/// Serve mode: the delayed fleet in this process, controlled on stdin.
fn serve(dir: &Path, n: usize, delay: Duration) {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let fleet = rt.block_on(start_fleet(n, delay));
    std::fs::create_dir_all(dir).expect("out dir");
    let names = fleet.names();
    let json = listing(&names, |n| fleet.base_url(n));
    std::fs::write(dir.join("fleet.json"), serde_json::to_string_pretty(&json).unwrap() + "\n").expect("fleet.json");
    std::fs::write(dir.join("ca.pem"), fleet.ca_pem()).expect("ca.pem");
    println!("ready");
    std::io::stdout().flush().unwrap();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        match line.trim() {
            "clear" => {
                names.iter().for_each(|n| fleet.clear_requests(n));
                println!("ok");
            }
            "count" => println!("{}", names.iter().map(|n| fleet.requests(n).len()).sum::<usize>()),
            "connections" => println!("{}", names.iter().map(|n| fleet.connections_accepted(n)).sum::<u64>()),
            "quit" => return,
            other => println!("unknown command {other:?}"),
        }
        std::io::stdout().flush().unwrap();
    }
    // stdin closed (e.g. started from a shell with </dev/null): serve until killed.
    rt.block_on(std::future::pending::<()>());
}

/// The fleet under test: in this process, or a child process in serve mode.
enum Sim {
    InProc(Fleet),
    External {
        child: Child,
        stdin: ChildStdin,
        stdout: BufReader<ChildStdout>,
        names: Vec<String>,
        urls: Vec<String>,
        ca: String,
    },
}

impl Sim {
    fn names_urls(&self) -> Vec<(String, String)> {
        match self {
            Sim::InProc(f) => f.names().into_iter().map(|n| (n.clone(), f.base_url(&n))).collect(),
            Sim::External { names, urls, .. } => names.iter().cloned().zip(urls.iter().cloned()).collect(),
        }
    }

    fn ask(stdin: &mut ChildStdin, stdout: &mut BufReader<ChildStdout>, cmd: &str) -> String {
        writeln!(stdin, "{cmd}").unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        line.trim().to_string()
    }

    fn clear(&mut self) {
        match self {
            Sim::InProc(f) => f.names().iter().for_each(|n| f.clear_requests(n)),
            Sim::External { stdin, stdout, .. } => assert_eq!(Self::ask(stdin, stdout, "clear"), "ok"),
        }
    }

    fn count(&mut self) -> usize {
        match self {
            Sim::InProc(f) => f.names().iter().map(|n| f.requests(n).len()).sum(),
            Sim::External { stdin, stdout, .. } => Self::ask(stdin, stdout, "count").parse().expect("a count"),
        }
    }

    /// Connections the fleet accepted since it started.
    fn connections(&mut self) -> u64 {
        match self {
            Sim::InProc(f) => f.names().iter().map(|n| f.connections_accepted(n)).sum(),
            Sim::External { stdin, stdout, .. } => Self::ask(stdin, stdout, "connections").parse().expect("a count"),
        }
    }

    fn ca_pem(&self) -> String {
        match self {
            Sim::InProc(f) => f.ca_pem(),
            Sim::External { ca, .. } => ca.clone(),
        }
    }

    fn pid(&self) -> Option<String> {
        match self {
            Sim::InProc(_) => None,
            Sim::External { child, .. } => Some(child.id().to_string()),
        }
    }
}

fn external(n: usize, delay: Duration, dir: &Path) -> Sim {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env("SWEEP_BENCH_SERVE", dir)
        .env("SWEEP_COMMONS", n.to_string())
        .env("SWEEP_DELAY_MS", delay.as_millis().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("serve child");
    let stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready", "serve child failed to start");
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("fleet.json")).unwrap()).unwrap();
    let names = list.iter().map(|v| v["name"].as_str().unwrap().to_string()).collect();
    let urls = list.iter().map(|v| v["base_url"].as_str().unwrap().to_string()).collect();
    let ca = std::fs::read_to_string(dir.join("ca.pem")).unwrap();
    Sim::External { child, stdin, stdout, names, urls, ca }
}

fn fill_inventory(store: &Store, sim: &Sim) {
    let ca = tls().then(|| sim.ca_pem());
    for (name, base_url) in sim.names_urls() {
        inventory::create(
            store,
            &CommonsDraft {
                name,
                base_url,
                environment: Environment::Dev,
                relation: Relation::WeRunIt,
                owner: String::new(),
                contact: String::new(),
                tags: vec![],
                notes: String::new(),
                expected_release: Some("2025.09".into()),
                deployment: Deployment::Unknown,
                meshes: vec![],
                ca_pem: ca.clone(),
            },
        )
        .expect("create commons");
    }
}

struct Row {
    sim: &'static str,
    concurrency: usize,
    requests: usize,
    /// New connections the fleet accepted during the sweep.
    connections: u64,
    wall: f64,
    ideal: f64,
    cpu_app: f64,
    cpu_sim: Option<f64>,
    probed: usize,
    healthy: usize,
    record_ms: f64,
    record_rows: (u32, usize),
}

fn run_mode(
    rt: &tokio::runtime::Runtime,
    mode: &'static str,
    n: usize,
    delay: Duration,
    conc: &[usize],
    runs: usize,
) -> Vec<Row> {
    let tck = clk_tck();
    let dir = tempfile::tempdir().unwrap();
    let mut sim = match mode {
        "external" => external(n, delay, &dir.path().join("fleet")),
        _ => Sim::InProc(rt.block_on(start_fleet(n, delay))),
    };
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    fill_inventory(&store, &sim);
    let vault = Vault::new();
    let urls: std::collections::HashMap<String, String> = plan(&store, &vault, &SweepScope::All)
        .unwrap()
        .targets
        .into_iter()
        .map(|t| (t.commons_id, t.base_url.split("://").nth(1).unwrap_or_default().to_string()))
        .collect();
    let mut rows = Vec::new();
    for &c in conc {
        for _ in 0..runs {
            let t = plan(&store, &vault, &SweepScope::All).unwrap();
            assert_eq!(t.targets.len(), n);
            let opts = SweepOptions { concurrency: c, ..SweepOptions::default() };
            sim.clear();
            let conns0 = sim.connections();
            let cpu0 = cpu_secs("self", tck);
            let sim0 = sim.pid().map(|p| cpu_secs(&p, tck));
            let t0 = Instant::now();
            let result = rt.block_on(sweep::run(t, &opts, CancellationToken::new(), |_| {})).unwrap();
            let wall = t0.elapsed().as_secs_f64();
            let cpu_app = cpu_secs("self", tck) - cpu0;
            let cpu_sim = sim.pid().map(|p| cpu_secs(&p, tck) - sim0.unwrap());
            let requests = sim.count();
            let connections = sim.connections() - conns0;
            let healthy = result
                .probes
                .iter()
                .filter(|p| p.reachable && p.services.iter().all(|s| counts_as_up(s.state)))
                .count();
            let probed = result.probes.len();
            let reachable = result.probes.iter().filter(|p| p.reachable).count();
            if reachable < probed {
                println!("    reachable: {reachable} of {probed}");
            }
            // Why services were not healthy, most frequent first (none expected).
            let mut why = std::collections::BTreeMap::<String, usize>::new();
            for p in &result.probes {
                for s in p.services.iter().filter(|s| !counts_as_up(s.state)) {
                    // Group by service, state and reason, without the host:port.
                    let detail = s.detail.as_deref().unwrap_or("").replace(&p_host(&p.commons_id, &urls), "<host>");
                    *why.entry(format!("{} {:?}: {}", s.service, s.state, detail)).or_default() += 1;
                }
            }
            let mut why: Vec<_> = why.into_iter().collect();
            why.sort_by_key(|w| std::cmp::Reverse(w.1));
            for (w, k) in why.iter().take(5) {
                println!("    not healthy x{k}: {w}");
            }
            let t1 = Instant::now();
            let report = history::record(&store, &result).unwrap();
            let record_ms = t1.elapsed().as_secs_f64() * 1000.0;
            let samples: usize = result.probes.iter().map(|p| p.services.len()).sum();
            let ideal = requests as f64 * delay.as_secs_f64() / c as f64;
            let row = Row {
                sim: mode,
                concurrency: c,
                requests,
                connections,
                wall,
                ideal,
                cpu_app,
                cpu_sim,
                probed,
                healthy,
                record_ms,
                record_rows: (report.probed, samples),
            };
            print_row(&row);
            rows.push(row);
        }
    }
    if let Sim::External { mut child, mut stdin, .. } = sim {
        let _ = writeln!(stdin, "quit");
        drop(stdin);
        std::thread::sleep(Duration::from_millis(300));
        let _ = child.kill();
        let _ = child.wait();
    }
    rows
}

fn p_host(commons_id: &str, urls: &std::collections::HashMap<String, String>) -> String {
    urls.get(commons_id).cloned().unwrap_or_else(|| "\u{0}".into())
}

fn header() {
    println!(
        "{:<9} {:>5} {:>7} {:>9} {:>8} {:>8} {:>6} {:>13} {:>13} {:>7} {:>7} {:>10}",
        "simulator",
        "conc",
        "reqs",
        "conn/req",
        "wall s",
        "ideal s",
        "ratio",
        "cpu us/req",
        "sim us/req",
        "probed",
        "healthy",
        "record ms"
    );
}

fn print_row(r: &Row) {
    let per = |s: f64| s * 1e6 / r.requests.max(1) as f64;
    let cpu_label = if r.cpu_sim.is_some() { "" } else { "*" };
    println!(
        "{:<9} {:>5} {:>7} {:>9.3} {:>8.2} {:>8.2} {:>6.2} {:>12.0}{:1} {:>13} {:>7} {:>7} {:>10.0}",
        r.sim,
        r.concurrency,
        r.requests,
        r.connections as f64 / r.requests.max(1) as f64,
        r.wall,
        r.ideal,
        r.wall / r.ideal,
        per(r.cpu_app),
        cpu_label,
        r.cpu_sim.map_or("-".to_string(), |s| format!("{:.0}", per(s))),
        r.probed,
        r.healthy,
        r.record_ms,
    );
    std::io::stdout().flush().unwrap();
}

fn main() {
    let n: usize = env_or("SWEEP_COMMONS", 1000);
    let delay = Duration::from_millis(env_or("SWEEP_DELAY_MS", 20));
    if let Ok(dir) = std::env::var("SWEEP_BENCH_SERVE") {
        serve(Path::new(&dir), n, delay);
        return;
    }
    // `cargo bench` passes `--bench`; nothing else to parse.
    let conc: Vec<usize> = std::env::var("SWEEP_CONCURRENCY")
        .unwrap_or_else(|_| "48,128,256".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs: usize = env_or("SWEEP_RUNS", 2);
    let mode = std::env::var("SWEEP_SIM").unwrap_or_else(|_| "inproc".into());
    let modes: Vec<&'static str> = match mode.as_str() {
        "external" => vec!["external"],
        "both" => vec!["inproc", "external"],
        _ => vec!["inproc"],
    };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    println!(
        "sweep bench: {n} {} commons, every request answered after {} ms, {} cores, tokio workers = cores, \
         default SweepOptions (concurrency {}, retries {}) except concurrency",
        if tls() { "HTTPS (private CA)" } else { "plain-HTTP" },
        delay.as_millis(),
        std::thread::available_parallelism().map_or(0, |p| p.get()),
        SweepOptions::default().concurrency,
        SweepOptions::default().retries,
    );
    println!("(*: CPU of this process, which also runs the simulator: app + simulator)");
    header();
    let mut all = Vec::new();
    for m in modes {
        all.extend(run_mode(&rt, m, n, delay, &conc, runs));
    }
    let first = all.first().map(|r| r.record_rows).unwrap_or_default();
    println!(
        "record: one transaction per sweep, {} commons / {} service samples; first record inserts, later ones update",
        first.0, first.1
    );
    println!("peak RSS of the sweep process: {:.0} MB", rss_mb("self"));
    // What sweep::run does per commons that has a private CA, before any request is sent.
    let ca = rt.block_on(async { Fleet::start(vec![CommonsSpec::new("ca")]).await.unwrap().ca_pem() });
    for (label, pem) in
        [("without a private CA (the shared client)", None), ("with a private CA (one per such commons)", Some(ca))]
    {
        let opts = csoc_gen3::ClientOptions { extra_ca_pem: pem, ..SweepOptions::default().client };
        let t0 = Instant::now();
        let cpu0 = cpu_secs("self", clk_tck());
        for _ in 0..50 {
            drop(csoc_gen3::http_client(&opts).unwrap());
        }
        println!(
            "http_client() build {label}: {:.1} ms wall, {:.1} ms CPU each",
            t0.elapsed().as_secs_f64() * 1000.0 / 50.0,
            (cpu_secs("self", clk_tck()) - cpu0) * 1000.0 / 50.0
        );
    }
}
