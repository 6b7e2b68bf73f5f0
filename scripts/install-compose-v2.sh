#!/usr/bin/env bash
# Installs Compose v2 (the `docker compose` CLI plugin) from Debian trixie's `docker-compose`
# package, on this bookworm machine, without touching the system's apt sources.
#
#   scripts/install-compose-v2.sh            install unless `docker compose version` is v2 already
#   scripts/install-compose-v2.sh --force    install again
#
# How: a side apt configuration (its own sources list naming trixie, its own lists and cache
# directories under $HARDEN_SIDE_APT, default /var/cache/harden-side-apt) downloads the .deb
# with apt's signature checks (the trixie key is in bookworm's debian-archive-keyring); the
# plugin binary (statically linked Go) is extracted and installed as
# $HARDEN_COMPOSE_PLUGIN_DIR/docker-compose (default /usr/local/lib/docker/cli-plugins, which
# both Docker CLI 20.10 and 28 search). Nothing else from the package is installed.
set -euo pipefail

force=0
case "${1:-}" in
    "") ;;
    --force) force=1 ;;
    *)
        echo "install-compose-v2.sh: unknown argument: $1 (expected --force or nothing)" >&2
        exit 2
        ;;
esac

DOCKER="${DOCKER:-docker}"
side="${HARDEN_SIDE_APT:-/var/cache/harden-side-apt}"
plugin_dir="${HARDEN_COMPOSE_PLUGIN_DIR:-/usr/local/lib/docker/cli-plugins}"

SUDO=()
if [[ "$(id -u)" != 0 ]] && command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
fi

is_v2() {
    local v
    v="$("$DOCKER" compose version --short 2>/dev/null || true)"
    [[ "$v" == 2.* || "$v" == v2.* ]]
}

if ((!force)) && is_v2; then
    echo "install-compose-v2.sh: Compose $("$DOCKER" compose version --short) already installed"
    exit 0
fi

"${SUDO[@]}" mkdir -p "$side/lists/partial" "$side/cache/archives/partial" "$side/etc" "$side/deb"
echo "deb http://deb.debian.org/debian trixie main" | "${SUDO[@]}" tee "$side/etc/sources.list" >/dev/null
apt_side=(
    "${SUDO[@]}" apt-get
    -o "Dir::Etc::SourceList=$side/etc/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$side/lists"
    -o "Dir::Cache=$side/cache"
    -o "Dir::State::Status=/var/lib/dpkg/status"
    -o "APT::Sandbox::User=root"
    -o "Debug::NoLocking=1"
)
echo "install-compose-v2.sh: reading trixie's package lists (side apt configuration in $side)"
"${apt_side[@]}" -qq update
(cd "$side/deb" && "${SUDO[@]}" rm -f docker-compose_*.deb && "${apt_side[@]}" -qq download docker-compose)
deb="$(ls "$side"/deb/docker-compose_*.deb | head -n 1)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp"
bin="$tmp/usr/libexec/docker/cli-plugins/docker-compose"
if [[ ! -x "$bin" ]]; then
    echo "install-compose-v2.sh: $deb holds no usr/libexec/docker/cli-plugins/docker-compose" >&2
    exit 1
fi
"${SUDO[@]}" mkdir -p "$plugin_dir"
"${SUDO[@]}" install -m 0755 "$bin" "$plugin_dir/docker-compose"
echo "install-compose-v2.sh: installed $(basename "$deb") as $plugin_dir/docker-compose"
if ! is_v2; then
    echo "install-compose-v2.sh: \`$DOCKER compose version\` still does not report v2" >&2
    exit 1
fi
echo "install-compose-v2.sh: $("$DOCKER" compose version)"
