#!/usr/bin/env bash
# Produces the Debian package: target/release/bundle/deb/Gen3 CSOC_<version>_<arch>.deb (under
# $CARGO_TARGET_DIR if set), with the demo's simulator in /usr/lib/gen3-csoc/gen3-sim.
source "$(dirname "$0")/lib.sh"
need_toolchains
apt_install $BUILD_PACKAGES
ui_deps
TARGET="${CARGO_TARGET_DIR:-target}"
# The demo's fleet simulator ships beside the app (tauri.conf.json bundle.linux.deb.files), as its
# own program: the app runs it for `--demo` and never links it.
cargo build --release -p gen3-sim --bin gen3-sim
mkdir -p target/sidecar
cp "$TARGET/release/gen3-sim" target/sidecar/gen3-sim
ui/node_modules/.bin/tauri build --bundles deb
ls -l "$TARGET"/release/bundle/deb/*.deb
