//! Start-up benchmark (not a test): launch-to-first-paint time and memory (PSS of the app plus its
//! WebKit processes) of the app with N cached commons against the blank window built the same way.
//!
//! usage: startup_bench --app PATH --blank PATH [--runs 7] [--commons 1000]
//! Needs a display (xvfb-run). Prints medians and the ratios.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use csoc_app::model::{Commons, CommonsDraft, Deployment, Environment, Relation};

struct Sample {
    paint_ms: f64,
    pss_mb: f64,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let app = PathBuf::from(arg("--app").expect("--app PATH"));
    let blank = PathBuf::from(arg("--blank").expect("--blank PATH"));
    let runs: usize = arg("--runs").map_or(7, |r| r.parse().expect("--runs N"));
    let n: usize = arg("--commons").map_or(1000, |r| r.parse().expect("--commons N"));

    let data = tempfile::tempdir().unwrap();
    seed(data.path(), n);

    let (mut app_samples, mut blank_samples) = (Vec::new(), Vec::new());
    for run in 0..runs {
        // Alternate so drift on the machine affects both alike.
        app_samples.push(launch(&app, data.path(), run));
        blank_samples.push(launch(&blank, data.path(), run));
    }
    let med = |v: &[Sample], f: fn(&Sample) -> f64| {
        let mut xs: Vec<f64> = v.iter().map(f).collect();
        xs.sort_by(f64::total_cmp);
        xs[xs.len() / 2]
    };
    let (ap, bp) = (med(&app_samples, |s| s.paint_ms), med(&blank_samples, |s| s.paint_ms));
    let (am, bm) = (med(&app_samples, |s| s.pss_mb), med(&blank_samples, |s| s.pss_mb));
    println!("runs: {runs} each, {n} cached commons");
    println!("launch to first paint (median): app {ap:.0} ms, blank window {bp:.0} ms, ratio {:.2}", ap / bp);
    println!("PSS app+WebKit (median): app {am:.1} MB, blank window {bm:.1} MB, ratio {:.2}", am / bm);
    for (i, (a, b)) in app_samples.iter().zip(&blank_samples).enumerate() {
        println!(
            "  run {i}: app {:.0} ms {:.1} MB | blank {:.0} ms {:.1} MB",
            a.paint_ms, a.pss_mb, b.paint_ms, b.pss_mb
        );
    }
}

fn seed(dir: &Path, n: usize) {
    let envs = [Environment::Production, Environment::Staging, Environment::Dev, Environment::Other];
    let commons: Vec<Commons> = (0..n)
        .map(|i| Commons {
            id: format!("bench-{i}"),
            draft: CommonsDraft {
                name: format!("Commons {i:04}"),
                base_url: format!("https://commons-{i}.example.org"),
                environment: envs[i % 4],
                relation: if i % 3 == 0 { Relation::Associated } else { Relation::WeRunIt },
                owner: format!("team-{}", i % 17),
                contact: format!("ops{}@example.org", i % 17),
                tags: vec![format!("program-{}", i % 40), "nih".into()],
                notes: String::new(),
                expected_release: Some("2025.09".into()),
                deployment: Deployment::Unknown,
                meshes: if i % 10 == 0 { vec!["brh".into()] } else { vec![] },
                ca_pem: None,
            },
            created_at: 0,
            updated_at: 0,
        })
        .collect();
    let file = serde_json::json!({"format": "gen3-csoc-inventory", "version": 1, "exported_at": 0, "commons": commons});
    let store = csoc_app::store::Store::open(&dir.join(csoc_app::store::DB_FILE)).unwrap();
    csoc_app::transfer::import_bytes(&store, file.to_string().as_bytes()).unwrap();
}

fn launch(bin: &Path, data: &Path, run: usize) -> Sample {
    let ready = data.join(format!("ready-{run}-{}", bin.file_name().unwrap().to_string_lossy()));
    let started = Instant::now();
    let mut child = Command::new(bin)
        .arg("--data-dir")
        .arg(data)
        .env("GEN3_CSOC_READY_FILE", &ready)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("launch");
    let paint_ms = loop {
        if std::fs::read_to_string(&ready).is_ok_and(|s| !s.is_empty()) {
            break started.elapsed().as_secs_f64() * 1000.0;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{} never painted", bin.display());
        std::thread::sleep(Duration::from_millis(2));
    };
    // Let the WebKit processes settle before reading memory.
    std::thread::sleep(Duration::from_secs(2));
    let pss_mb = tree(child.id()).iter().map(|p| pss_kb(*p)).sum::<u64>() as f64 / 1024.0;
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();
    Sample { paint_ms, pss_mb }
}

/// The process and all its descendants (WebKitWebProcess, WebKitNetworkProcess).
fn tree(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let after = &stat[stat.rfind(')')? + 2..];
            let ppid = after.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    out
}

fn pss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Pss:"))?.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}
