//! The demo runs the `gen3-sim` binary as a separate process (csoc_app::demo), found beside the
//! test binary's folder; a test of the demo builds it first, so `cargo test -p csoc-app` alone
//! tests the simulator of this checkout.

pub fn build_simulator() {
    static BUILT: std::sync::Once = std::sync::Once::new();
    BUILT.call_once(|| {
        let status = std::process::Command::new(env!("CARGO"))
            .args(["build", "--quiet", "-p", "gen3-sim", "--bin", "gen3-sim"])
            .status()
            .expect("cargo runs");
        assert!(status.success(), "gen3-sim builds");
    });
}
