#!/usr/bin/env bash
# Builds the local replicas of official images that the works-after-hardening tests run:
# `harden-test/debian:bookworm` (a debootstrap minbase root filesystem, imported), then every
# `tests/replicas/NAME/Dockerfile` as `harden-replica/NAME:1` (FROM the base, software from
# Debian's packages, users, VOLUMEs, paths and entrypoint written after the official image's).
#
#   scripts/build-replicas.sh [--force] [NAME…]
#
# A replica of an official image is also tagged `NAME:harden-replica`, so that harden's built-in
# profile for NAME applies to it as it does to the official image.
#
# Idempotent: an image is rebuilt only when its directory changed (a hash of the directory is
# kept in the label harden.replica.hash) or with --force. Environment:
#   DOCKER         docker CLI (default /usr/local/bin/docker if present, else docker)
#   DEBIAN_MIRROR  mirror for debootstrap (default: the first URI of the apt sources)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
force=0
names=()
for arg in "$@"; do
    case "$arg" in
        --force) force=1 ;;
        -h | --help)
            sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        -*)
            echo "build-replicas.sh: unknown option: $arg" >&2
            exit 2
            ;;
        *) names+=("$arg") ;;
    esac
done
if [[ -z "${DOCKER:-}" ]]; then
    if [[ -x /usr/local/bin/docker ]]; then DOCKER=/usr/local/bin/docker; else DOCKER=docker; fi
fi
SUDO=()
[[ "$(id -u)" == 0 ]] || SUDO=(sudo -n)
base=harden-test/debian:bookworm

if ((force)) || ! "$DOCKER" image inspect "$base" >/dev/null 2>&1; then
    command -v debootstrap >/dev/null 2>&1 || {
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 \
            install -y --no-install-recommends debootstrap >/dev/null
    }
    if [[ -z "${DEBIAN_MIRROR:-}" ]]; then
        DEBIAN_MIRROR="$(grep -hoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
            awk '{print $2}' | grep -v security | head -n 1 || true)"
        DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
    fi
    work="$(mktemp -d)"
    trap '"${SUDO[@]}" rm -rf "$work"' EXIT
    echo "build-replicas.sh: debootstrap bookworm (minbase) from $DEBIAN_MIRROR"
    if ! "${SUDO[@]}" debootstrap --variant=minbase bookworm "$work/root" "$DEBIAN_MIRROR" >"$work/log" 2>&1; then
        tail -n 30 "$work/log" >&2
        exit 1
    fi
    echo "deb $DEBIAN_MIRROR bookworm main" | "${SUDO[@]}" tee "$work/root/etc/apt/sources.list" >/dev/null
    "${SUDO[@]}" rm -rf "$work/root/var/cache/apt/archives"/*.deb "$work/root/var/lib/apt/lists"/* \
        "$work/root/usr/share/doc" "$work/root/usr/share/man"
    "${SUDO[@]}" tar -C "$work/root" -c . |
        "$DOCKER" import \
            -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            -c 'CMD ["bash"]' \
            - "$base" >/dev/null
    echo "build-replicas.sh: built $base"
fi

if ((${#names[@]} == 0)); then
    for d in tests/replicas/*/; do
        [[ -f "$d/Dockerfile" ]] && names+=("$(basename "$d")")
    done
fi
for name in "${names[@]}"; do
    dir="tests/replicas/$name"
    if [[ ! -f "$dir/Dockerfile" ]]; then
        echo "build-replicas.sh: no $dir/Dockerfile" >&2
        exit 2
    fi
    image="harden-replica/$name:1"
    hash="$(cd "$dir" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
    have="$("$DOCKER" image inspect --format '{{index .Config.Labels "harden.replica.hash"}}' "$image" 2>/dev/null || true)"
    if ((!force)) && [[ "$have" == "$hash" ]]; then
        echo "build-replicas.sh: $image is current"
        continue
    fi
    echo "build-replicas.sh: building $image"
    start=$SECONDS
    if ! DOCKER_BUILDKIT=0 "$DOCKER" build -q --label "harden.replica.hash=$hash" -t "$image" "$dir" >/tmp/build-replica-$name.log 2>&1; then
        tail -n 40 /tmp/build-replica-$name.log >&2
        exit 1
    fi
    echo "build-replicas.sh: built $image in $((SECONDS - start)) s"
done
for name in "${names[@]}"; do
    case "$name" in
        nginx | httpd | postgres | redis | mariadb | mysql | rabbitmq | memcached | haproxy | caddy)
            "$DOCKER" tag "harden-replica/$name:1" "$name:harden-replica"
            ;;
    esac
done
