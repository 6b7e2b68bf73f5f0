#!/usr/bin/env bash
# Installs Docker CLI plugins from Debian trixie's packages, on this bookworm machine, without
# touching the system's apt sources:
#   compose   Compose v2 (`docker compose`), from the `docker-compose` package
#   buildx    BuildKit's client (`docker buildx`, and `docker build` through BuildKit), from
#             the `docker-buildx` package
#
#   scripts/install-cli-plugins.sh [--force] compose buildx   install those not working already
#                                                             (--force: install again)
#
# How: a side apt configuration (its own sources list naming trixie, its own lists and cache
# directories under $HARDEN_SIDE_APT, default /var/cache/harden-side-apt) downloads the .debs
# with apt's signature checks (the trixie key is in bookworm's debian-archive-keyring); each
# plugin binary (statically linked Go) is extracted and installed as
# $HARDEN_COMPOSE_PLUGIN_DIR/docker-NAME (default /usr/local/lib/docker/cli-plugins, which
# both Docker CLI 20.10 and 28 search). Nothing else from the packages is installed.
set -euo pipefail

me="install-cli-plugins.sh"
force=0
plugins=()
for a in "$@"; do
    case "$a" in
        --force) force=1 ;;
        compose | buildx) plugins+=("$a") ;;
        *)
            echo "$me: unknown argument: $a (expected --force, compose, buildx)" >&2
            exit 2
            ;;
    esac
done
if ((!${#plugins[@]})); then
    echo "$me: name a plugin: compose, buildx" >&2
    exit 2
fi

DOCKER="${DOCKER:-docker}"
side="${HARDEN_SIDE_APT:-/var/cache/harden-side-apt}"
plugin_dir="${HARDEN_COMPOSE_PLUGIN_DIR:-/usr/local/lib/docker/cli-plugins}"

SUDO=()
if [[ "$(id -u)" != 0 ]] && command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
fi

# Whether the plugin answers as it should; `version PLUGIN` prints its version.
works() {
    case "$1" in
        compose)
            local v
            v="$("$DOCKER" compose version --short 2>/dev/null || true)"
            [[ "$v" == 2.* || "$v" == v2.* ]]
            ;;
        buildx) "$DOCKER" buildx version >/dev/null 2>&1 ;;
    esac
}
version() {
    case "$1" in
        compose) "$DOCKER" compose version ;;
        buildx) "$DOCKER" buildx version ;;
    esac
}

wanted=()
for p in "${plugins[@]}"; do
    if ((!force)) && works "$p"; then
        echo "$me: $p already installed: $(version "$p")"
    else
        wanted+=("$p")
    fi
done
if ((!${#wanted[@]})); then
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
echo "$me: reading trixie's package lists (side apt configuration in $side)"
"${apt_side[@]}" -qq update
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"${SUDO[@]}" mkdir -p "$plugin_dir"
for p in "${wanted[@]}"; do
    pkg="docker-$p"
    (cd "$side/deb" && "${SUDO[@]}" rm -f "${pkg}"_*.deb && "${apt_side[@]}" -qq download "$pkg")
    deb="$(ls "$side/deb/${pkg}"_*.deb | head -n 1)"
    dpkg-deb -x "$deb" "$tmp/$p"
    bin="$tmp/$p/usr/libexec/docker/cli-plugins/docker-$p"
    if [[ ! -x "$bin" ]]; then
        echo "$me: $deb holds no usr/libexec/docker/cli-plugins/docker-$p" >&2
        exit 1
    fi
    "${SUDO[@]}" install -m 0755 "$bin" "$plugin_dir/docker-$p"
    echo "$me: installed $(basename "$deb") as $plugin_dir/docker-$p"
    if ! works "$p"; then
        echo "$me: \`$DOCKER $p version\` does not answer as expected after the install" >&2
        exit 1
    fi
    echo "$me: $(version "$p")"
done
