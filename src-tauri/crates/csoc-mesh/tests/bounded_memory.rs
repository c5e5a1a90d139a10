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
use csoc_test_support::memory::{hostile_documents, peak_growth_kib};
use csoc_vault::keys::{self, KeySource};

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

    for (what, text, limit_kib) in hostile_documents() {
        // manifest.json and user.yaml: csoc-deploy's tests::memory (their parsers are its own).
        let parsers: [(&str, &dyn Fn(&str)); 4] = [
            ("values / app.yaml", &|t| drop(deploy::yaml::parse_yaml(t, "values.yaml"))),
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
