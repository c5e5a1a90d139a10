#!/usr/bin/env bash
# Runs every test: UI type-check and component tests, core and shell tests (real SQLite, crash
# safety), the binding freshness check, and end-to-end journeys against the built app under Xvfb
# with tauri-driver + WebKitWebDriver. Installs what it needs. Screenshots of failed journeys land
# in tests/output/e2e/.
source "$(dirname "$0")/lib.sh"
need_toolchains
apt_install $BUILD_PACKAGES $TEST_PACKAGES
if ! command -v tauri-driver >/dev/null || ! tauri-driver --help 2>&1 | grep -q -- --native-port; then
  say "installing tauri-driver 2.x"
  cargo install tauri-driver --version "^2" --locked --quiet
fi
export PATH="$HOME/.cargo/bin:$PATH"
ui_deps
# Tests render the real gen3-helm chart with it (../shared/gen3-helm); they say why they skip
# when the chart is absent.
need_helm

say "UI: type-check, component tests, build"
(cd ui && npm run check && npm run test && npm run build)

say "Packaging: desktop file and AppStream metainfo"
tests/packaging/check.sh

say "Rust: format"
cargo fmt --all -- --check

# One feature set for every cargo step, so the app the journeys drive is the one the tests built.
FEATURES=(--features gen3-csoc/custom-protocol)
say "Rust: build the app, the blank-window baseline and all tests"
cargo build --workspace "${FEATURES[@]}" --bins --examples
cargo test --workspace "${FEATURES[@]}" --no-run --quiet

export WEBKIT_DISABLE_DMABUF_RENDERER=1
# Inside dbus-run-session GTK looks for the accessibility bus and stalls for ~25 s per window.
export NO_AT_BRIDGE=1
export GEN3_CSOC_E2E_APP="$ROOT/target/debug/gen3-csoc"
export XDG_RUNTIME_DIR="$(mktemp -d)" XDG_DATA_HOME="$(mktemp -d)"
chmod 700 "$XDG_RUNTIME_DIR"

say "Conformance: the real gen3 Python SDK against the fleet simulator"
GEN3_SIM_BIN="$ROOT/target/debug/gen3-sim" tests/conformance/run.sh

say "Bad inputs: the corpus through the headless commands (exit code, words, unchanged cache)"
GEN3_CSOC_BIN="$ROOT/target/debug/gen3-csoc" tests/bad-input/run.sh

say "Rust: workspace tests, then the end-to-end journeys (Xvfb, tauri-driver, WebKitWebDriver)"
# A session bus with an unlocked gnome-keyring: the OS keyring as a user's machine has it.
dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n ci-keyring-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo test --workspace '"${FEATURES[*]}"'
  xvfb-run -a -s "-screen 0 1280x800x24" cargo test -p csoc-e2e -- --ignored --test-threads=1
'
say "all tests passed"
