//! Peak memory of a piece of work, and documents made to exhaust a parser. The peak is the
//! process's (VmHWM, reset through /proc/self/clear_refs): a test measuring it must be alone in its
//! process (a test binary of its own, or a unit test that runs itself again as a child).

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap_or_else(|| panic!("no {field}"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Runs `work` and returns how far it raised the peak resident memory above where it started, in
/// KiB (the peak is reset first, so what ran before does not count).
pub fn peak_growth_kib(work: impl FnOnce()) -> u64 {
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak (Linux 4.0+)");
    let before = status_kib("VmRSS:");
    work();
    status_kib("VmHWM:").saturating_sub(before)
}

/// Documents made to exhaust a parser, with the most any parser may raise the peak for each (KiB):
/// deep nesting of every kind is refused before it costs anything (a parser without the nesting
/// check spent 18-70 MB on it), an alias bomb is cut short, and a flat list as large as a
/// configuration file may be costs ~50 bytes a node.
pub fn hostile_documents() -> Vec<(&'static str, String, u64)> {
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
