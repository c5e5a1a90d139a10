#!/usr/bin/env bash
# Checks the Debian package's desktop integration with the freedesktop and AppStream validators:
# the sources in packaging/ always, and a built package when one is given
# (`tests/packaging/check.sh target/release/bundle/deb/gen3-csoc_0.1.0_amd64.deb`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "packaging: $*" >&2; exit 1; }

validate() { # desktop file, metainfo file
  desktop-file-validate "$1" || fail "$1 does not pass desktop-file-validate"
  appstreamcli validate --no-net --explain "$2" >"$work/appstream.txt" 2>&1 \
    || { cat "$work/appstream.txt" >&2; fail "$2 does not pass appstreamcli validate"; }
  grep -q '^Categories=System;Monitor;$' "$1" || fail "$1: categories are not System;Monitor;"
}

# The template's placeholders are what Tauri's bundler fills in (handlebars).
sed -e 's/{{exec}}/gen3-csoc/; s/{{icon}}/gen3-csoc/' "$ROOT/packaging/gen3-csoc.desktop" \
  >"$work/org.gen3.csoc.desktop"
validate "$work/org.gen3.csoc.desktop" "$ROOT/packaging/org.gen3.csoc.metainfo.xml"

if [ $# -ge 1 ]; then
  deb="$1"
  [[ "$(basename "$deb")" =~ ^gen3-csoc_[0-9][^_\ ]*_[a-z0-9]+\.deb$ ]] \
    || fail "$(basename "$deb") is not named gen3-csoc_<version>_<arch>.deb"
  [ "$(dpkg-deb -f "$deb" Package)" = gen3-csoc ] || fail "the package is not called gen3-csoc"
  dpkg-deb -x "$deb" "$work/root"
  for f in usr/bin/gen3-csoc usr/lib/gen3-csoc/gen3-sim usr/share/applications/org.gen3.csoc.desktop \
    usr/share/metainfo/org.gen3.csoc.metainfo.xml; do
    [ -f "$work/root/$f" ] || fail "$deb lacks /$f"
  done
  [ "$(find "$work/root/usr/share/applications" -name '*.desktop' | wc -l)" -eq 1 ] \
    || fail "$deb ships more than one desktop file"
  validate "$work/root/usr/share/applications/org.gen3.csoc.desktop" \
    "$work/root/usr/share/metainfo/org.gen3.csoc.metainfo.xml"
  (cd "$work/root" && md5sum --quiet -c <(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./md5sums)) \
    || fail "$deb: md5sums do not match its files"
fi
echo "packaging: desktop file and AppStream metainfo valid${1:+, $(basename "$1") well formed}"
