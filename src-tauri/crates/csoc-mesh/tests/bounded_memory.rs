//! Bounded memory (issue 12, item 4 and "no panic, no hang, bounded memory"): hostile files
//! handed to every reader that takes a path, and huge or deeply nested documents handed to every
//! parser, each cost a bounded amount of memory. The peak is measured as the process's peak
//! resident memory (VmHWM, reset through /proc/self/clear_refs), so this file holds one test:
//! its binary is its own process and nothing else runs beside it.

use std::path::{Path, PathBuf};

use csoc_deploy as deploy;
use csoc_mesh as mesh;
use csoc_model::credentials;
use csoc_store::transfer;
use csoc_store::{Store, DB_FILE};
use csoc_vault::keys::{self, KeySource};

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap_or_else(|| panic!("no {field}"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Runs `work` and returns how far it raised the peak resident memory above where it started, in
/// KiB (the peak is reset first, so what ran before does not count).
fn peak_growth_kib(work: impl FnOnce()) -> u64 {
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak (Linux 4.0+)");
    let before = status_kib("VmRSS:");
    work();
    status_kib("VmHWM:").saturating_sub(before)
}

fn mkfifo(path: &Path) {
    assert!(std::process::Command::new("mkfifo").arg(path).status().unwrap().success());
}

/// The hostile files: a 5 GiB (sparse) file, a link to /dev/zero, a FIFO, and a link to a
/// /proc file that claims to be empty but streams megabytes (the only kind of file that passes
/// the type and size checks and still reads on: the read itself must stop at the bound).
fn hostile_files(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    let sparse = dir.join("huge.json");
    std::fs::File::create(&sparse).unwrap().set_len(5 << 30).unwrap();
    let zero = dir.join("zero.json");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let fifo = dir.join("pipe.json");
    mkfifo(&fifo);
    let mut files = vec![("5 GiB file", sparse), ("link to /dev/zero", zero), ("FIFO", fifo)];
    if std::fs::File::open("/proc/kallsyms").is_ok() {
        let stream = dir.join("stream.json");
        std::os::unix::fs::symlink("/proc/kallsyms", &stream).unwrap();
        files.push(("link to /proc/kallsyms (size 0, 5 MB of text)", stream));
    }
    files
}

/// Documents made to exhaust a parser, with the most any parser may raise the peak for each (KiB):
/// deep nesting of every kind is refused before it costs anything (a parser without the nesting
/// check spent 18-70 MB on it), an alias bomb is cut short, and a flat list as large as a
/// configuration file may be costs ~50 bytes a node.
fn hostile_documents() -> Vec<(&'static str, String, u64)> {
    let laughs = (1..10).fold("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n".to_string(), |doc, i| {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        format!("{doc}a{i}: &a{i} [{refs}]\n")
    });
    vec![
        ("100,000 nested [", "[".repeat(100_000), 8 * 1024),
        ("100,000 nested {a:", "{\"a\": ".repeat(100_000), 8 * 1024),
        ("100,000 nested - ", "- ".repeat(100_000) + "x", 8 * 1024),
        ("2,000 indented mappings", (0..2_000).map(|i| format!("{}a:\n", " ".repeat(i))).collect(), 8 * 1024),
        ("alias bomb (10^10 nodes)", laughs, 32 * 1024),
        ("4 MiB flat list (the largest file read)", "- 1\n".repeat(1024 * 1024 - 1), 256 * 1024),
    ]
}

#[test]
fn hostile_files_and_documents_cost_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    let no_profiles = dir.path().join("no-profiles");
    let mut worst = 0;
    for (what, path) in hostile_files(dir.path()) {
        let readers: [(&str, &dyn Fn(&Path)); 4] = [
            ("inventory import", &|p| drop(transfer::import_from(&store, p))),
            ("configuration file", &|p| drop(deploy::yaml::read_config_file(p))),
            ("credentials file", &|p| {
                drop(keys::read_source(&KeySource::File { path: p.display().to_string() }, &no_profiles))
            }),
            ("commons import", &|p| drop(deploy::import::import_path(p))),
        ];
        for (reader, read) in readers {
            let kib = peak_growth_kib(|| read(&path));
            eprintln!("{reader} of a {what}: peak +{kib} KiB");
            worst = worst.max(kib);
        }
    }
    let profiles = dir.path().join("profiles");
    std::fs::create_dir(&profiles).unwrap();
    hostile_files(&profiles);
    let kib = peak_growth_kib(|| drop(credentials::scan_profiles(&profiles)));
    eprintln!("profile scan of a folder of them: peak +{kib} KiB");
    worst = worst.max(kib);
    // Whatever a file claims (5 GiB) or streams, no read raises the peak beyond the largest bound,
    // the inventory file's 64 MiB (a 5 MB stream costs its text and its parse, ~20 MB at most).
    assert!(worst < 64 * 1024, "a hostile file raised the peak by {worst} KiB");

    // manifest.json and user.yaml reach their readers as the app reads them: the import of a legacy
    // commons' file, and the wizard's review of an operator's own user.yaml.
    let manifest = dir.path().join("manifest.json");
    let answers = deploy::cli::read_answers(&csoc_test_support::fixtures().join("wizard/dev-commons.yaml")).unwrap();
    for (what, text, limit_kib) in hostile_documents() {
        std::fs::write(&manifest, &text).unwrap();
        let import = |_: &str| drop(deploy::import::import_path(&manifest));
        // The operator's text is in the draft before the review reads it.
        let mut with_raw = answers.clone();
        with_raw.authorization.raw = Some(text.clone());
        let review = |_: &str| drop(deploy::review::review(&with_raw));
        let parsers: [(&str, &dyn Fn(&str)); 6] = [
            ("values / app.yaml", &|t| drop(deploy::yaml::parse_yaml(t, "values.yaml"))),
            ("manifest.json", &import),
            ("user.yaml", &review),
            ("AggMDS config", &|t| drop(mesh::aggmds::parse_aggmds(t, "aggmds.json"))),
            ("inventory file", &|t| drop(transfer::import_bytes(&store, t.as_bytes()))),
            ("credentials", &|t| drop(credentials::parse_credentials(t))),
        ];
        for (parser, parse) in parsers {
            let kib = peak_growth_kib(|| parse(&text));
            eprintln!("{parser} of {what} ({} bytes): peak +{kib} KiB", text.len());
            assert!(kib < limit_kib, "{parser} of {what} raised the peak by {kib} KiB");
        }
    }
}
