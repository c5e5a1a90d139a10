#!/usr/bin/env bash
# Builds Gen3 CSOC Desktop (release) and launches it. Extra arguments go to the app,
# e.g. `scripts/run.sh --data-dir /tmp/csoc` or `scripts/run.sh inventory list`.
source "$(dirname "$0")/lib.sh"
need_toolchains
apt_install $BUILD_PACKAGES
ui_deps
ui_build
say "building the app (release; the first build takes a few minutes)"
cargo build --release --features custom-protocol --bin gen3-csoc
exec target/release/gen3-csoc "$@"
