#!/usr/bin/env bash
# Build the local image `harden-test/services:1`: a Debian bookworm root filesystem made with
# debootstrap, with nginx-light and redis-server from Debian's packages, imported with
# `docker import` (no image registry needed). Used by the tests that prove real services still
# work under harden's presets.
#
#   scripts/build-service-image.sh [--force]
#
# Idempotent: does nothing when the image already exists, unless --force is given.
# Environment:
#   HARDEN_SERVICE_IMAGE  image reference to build (default harden-test/services:1)
#   DOCKER                docker CLI to use (default /usr/local/bin/docker if present, else docker)
#   DEBIAN_MIRROR         mirror for debootstrap (default: the first URI in /etc/apt sources,
#                         else http://deb.debian.org/debian)
set -euo pipefail

image="${HARDEN_SERVICE_IMAGE:-harden-test/services:1}"
force=0
for arg in "$@"; do
    case "$arg" in
        --force) force=1 ;;
        -h | --help)
            sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "build-service-image.sh: unknown argument: $arg" >&2
            exit 2
            ;;
    esac
done

if [[ -z "${DOCKER:-}" ]]; then
    if [[ -x /usr/local/bin/docker ]]; then DOCKER=/usr/local/bin/docker; else DOCKER=docker; fi
fi

if [[ "$force" == 0 ]] && "$DOCKER" image inspect "$image" >/dev/null 2>&1; then
    echo "build-service-image.sh: $image already exists (use --force to rebuild)"
    exit 0
fi

SUDO=()
[[ "$(id -u)" == 0 ]] || SUDO=(sudo -n)

if ! command -v debootstrap >/dev/null 2>&1; then
    echo "build-service-image.sh: installing debootstrap"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 \
        install -y --no-install-recommends debootstrap >/dev/null ||
        {
            "${SUDO[@]}" apt-get update >/dev/null
            "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap >/dev/null
        }
fi

if [[ -z "${DEBIAN_MIRROR:-}" ]]; then
    DEBIAN_MIRROR="$(grep -hoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
        awk '{print $2}' | grep -v security | head -n 1 || true)"
    DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
fi

work="$(mktemp -d)"
trap '"${SUDO[@]}" rm -rf "$work"' EXIT
echo "build-service-image.sh: debootstrap bookworm from $DEBIAN_MIRROR (about a minute)"
if ! "${SUDO[@]}" debootstrap --variant=minbase --include=nginx-light,redis-server \
    bookworm "$work/root" "$DEBIAN_MIRROR" >"$work/log" 2>&1; then
    tail -n 30 "$work/log" >&2
    exit 1
fi
# Smaller image: no package caches or documentation.
"${SUDO[@]}" rm -rf "$work/root/var/cache/apt/archives"/*.deb "$work/root/usr/share/doc" \
    "$work/root/usr/share/man" "$work/root/var/lib/apt/lists"/*
"${SUDO[@]}" tar -C "$work/root" -c . |
    "$DOCKER" import \
        -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        -c 'EXPOSE 80 6379' \
        -c 'CMD ["bash"]' \
        - "$image" >/dev/null
echo "build-service-image.sh: built $image"
