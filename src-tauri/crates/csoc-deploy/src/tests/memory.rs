//! Bounded memory of the readers of a legacy manifest.json and of user.yaml (issue 12): each
//! hostile document costs at most its bound (csoc_test_support::memory). The peak is the process's,
//! so the test runs itself again as a child process where nothing else runs beside it.

use std::process::Command;

use csoc_test_support::memory::{hostile_documents, peak_growth_kib};

use crate::manifest::parse_manifest;
use crate::user_yaml::parse_user_yaml;

const ALONE: &str = "CSOC_MEMORY_TEST_ALONE";

#[test]
fn manifest_and_user_yaml_cost_bounded_memory() {
    if std::env::var_os(ALONE).is_none() {
        let name = "tests::memory::manifest_and_user_yaml_cost_bounded_memory";
        let out = Command::new(std::env::current_exe().unwrap())
            .args([name, "--exact", "--test-threads=1", "--nocapture"])
            .env(ALONE, "1")
            .output()
            .unwrap();
        let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success() && said.contains("1 passed"), "the measuring child failed:\n{said}");
        return;
    }
    for (what, text, limit_kib) in hostile_documents() {
        let parsers: [(&str, &dyn Fn(&str)); 2] = [
            ("manifest.json", &|t| drop(parse_manifest(t, "manifest.json"))),
            ("user.yaml", &|t| drop(parse_user_yaml(t, "user.yaml"))),
        ];
        for (parser, parse) in parsers {
            let kib = peak_growth_kib(|| parse(&text));
            eprintln!("{parser} of {what} ({} bytes): peak +{kib} KiB", text.len());
            assert!(kib < limit_kib, "{parser} of {what} raised the peak by {kib} KiB");
        }
    }
}
