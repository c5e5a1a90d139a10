#!/usr/bin/env bash
# Produces the Debian package: target/release/bundle/deb/Gen3 CSOC_<version>_<arch>.deb
source "$(dirname "$0")/lib.sh"
need_toolchains
apt_install $BUILD_PACKAGES
ui_deps
ui/node_modules/.bin/tauri build --bundles deb
ls -l target/release/bundle/deb/*.deb
