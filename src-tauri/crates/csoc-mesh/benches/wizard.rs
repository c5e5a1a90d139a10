//! Wizard timings: what the UI waits for after an edit (generation, every check and the diff
//! against the disk), for a new commons and for a mesh hub carrying a BRH-sized AggMDS config.
//!
//! `cargo bench -p csoc-mesh --bench wizard`. Plain binary (no harness): 5 warm-ups and 50 runs
//! each; prints min / median / p95 and the size of what was generated.

use std::time::{Duration, Instant};

use csoc_deploy::cli::read_answers;
use csoc_deploy::review::review;
use csoc_mesh::aggmds::MeshMemberSpec;
use csoc_mesh::wizard::{build, MeshAnswers, MeshHub, MeshMemberAnswer};

const WARMUP: usize = 5;
const RUNS: usize = 50;

fn time<T>(label: &str, mut f: impl FnMut() -> T, size: impl Fn(&T) -> String) {
    for _ in 0..WARMUP {
        f();
    }
    let mut samples: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        last = Some(f());
        samples.push(start.elapsed());
    }
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label:<48} min {:>7.2} ms  median {:>7.2} ms  p95 {:>7.2} ms  {}",
        ms(samples[0]),
        ms(samples[RUNS / 2]),
        ms(samples[RUNS * 95 / 100]),
        last.map(|v| size(&v)).unwrap_or_default()
    );
}

fn main() {
    let fixtures = csoc_test_support::fixtures();
    let mut dev = read_answers(&fixtures.join("wizard/dev-commons.yaml")).expect("fixture");
    let tmp = tempfile::tempdir().expect("temp dir");
    if let csoc_deploy::answers::Destination::Gitops(g) = &mut dev.destination {
        g.repo_path = tmp.path().display().to_string();
    }
    time(
        "review: new dev commons (15 services)",
        || review(&dev).expect("review"),
        |r| format!("{} files, {} bytes", r.files.len(), r.files.iter().map(|f| f.contents.len()).sum::<usize>()),
    );

    // A BRH-sized hub: 150 members, each with the default mappings (the real BRH config is ~1 MB).
    let members: Vec<MeshMemberAnswer> = (0..150)
        .map(|i| MeshMemberAnswer {
            commons_id: None,
            adapter: MeshMemberSpec {
                name: format!("Member commons {i}"),
                base_url: format!("https://member{i}.example.org"),
                mds_url: None,
                guid_type: None,
                study_field: None,
                field_mappings: None,
                select_field: None,
                keep_original_fields: false,
            },
            indexd_prefix: format!("dg.M{i:03}/"),
            wts_client_id: format!("wts-{i}"),
            login_through_hub: false,
            hub_client_id: String::new(),
        })
        .collect();
    let mesh = MeshAnswers {
        name: "bench".into(),
        hub: MeshHub {
            commons_id: None,
            name: "Hub".into(),
            base_url: "https://hub.example.org".into(),
            gitops_folder: fixtures.join("deploy/gitops/demo/gen3.example.org").display().to_string(),
        },
        members,
        aggmds_namespace: "bench".into(),
        ..MeshAnswers::default()
    };
    time(
        "mesh build: hub + 150 members",
        || build(&mesh).expect("build"),
        |b| format!("AggMDS config {} bytes", b.aggmds_json.len()),
    );
    let built = build(&mesh).expect("build");
    time(
        "review: hub values with that AggMDS config",
        || review(&built.hub).expect("review"),
        |r| format!("{} files, {} bytes", r.files.len(), r.files.iter().map(|f| f.contents.len()).sum::<usize>()),
    );
}
