#!/usr/bin/env bash
# Produces the Debian package target/release/bundle/deb/gen3-csoc_<version>_<arch>.deb, with the
# desktop file under its reverse-DNS id (org.gen3.csoc.desktop), an AppStream metainfo file and the
# demo's fleet simulator (/usr/lib/gen3-csoc/gen3-sim). Under $CARGO_TARGET_DIR if set.
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
# Tauri's bundler names both the package file and the desktop file after productName ("Gen3 CSOC",
# with a space); Debian and AppStream want `gen3-csoc_<version>_<arch>.deb` and
# `<id>.desktop`, so the package is repacked with those two names and nothing else changed.
deb_dir="$TARGET/release/bundle/deb"
built="$(ls -t "$deb_dir"/"Gen3 CSOC_"*.deb | head -1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dpkg-deb -R "$built" "$work/pkg"
mv "$work/pkg/usr/share/applications/Gen3 CSOC.desktop" "$work/pkg/usr/share/applications/org.gen3.csoc.desktop"
(cd "$work/pkg" && find usr -type f -print0 | sort -z | xargs -0 md5sum >DEBIAN/md5sums)
version="$(dpkg-deb -f "$built" Version)"
arch="$(dpkg-deb -f "$built" Architecture)"
out="$deb_dir/gen3-csoc_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zgzip -b "$work/pkg" "$out" >/dev/null
rm -f "$built"
tests/packaging/check.sh "$out"
ls -l "$out"
