#!/usr/bin/env bash
# Build the local test image `harden-test/busybox:1` without any registry:
# a root filesystem made of Debian's static busybox, imported with `docker import`.
#
#   scripts/build-test-image.sh [--force]
#
# Idempotent: does nothing when the image already exists, unless --force is given.
# Environment:
#   HARDEN_TEST_IMAGE  image reference to build (default harden-test/busybox:1)
#   DOCKER             docker CLI to use (default /usr/local/bin/docker if present, else docker)
#   BUSYBOX            static busybox binary (default /usr/bin/busybox, then /bin/busybox)
set -euo pipefail

image="${HARDEN_TEST_IMAGE:-harden-test/busybox:1}"
force=0
for arg in "$@"; do
    case "$arg" in
        --force) force=1 ;;
        -h | --help)
            sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "build-test-image.sh: unknown argument: $arg" >&2
            exit 2
            ;;
    esac
done

if [[ -z "${DOCKER:-}" ]]; then
    if [[ -x /usr/local/bin/docker ]]; then DOCKER=/usr/local/bin/docker; else DOCKER=docker; fi
fi

old_id="$("$DOCKER" image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
if [[ "$force" == 0 && -n "$old_id" ]]; then
    echo "build-test-image.sh: $image already exists (use --force to rebuild)"
    exit 0
fi

if [[ -z "${BUSYBOX:-}" ]]; then
    for candidate in /usr/bin/busybox /bin/busybox; do
        if [[ -x "$candidate" ]]; then BUSYBOX="$candidate"; break; fi
    done
fi
if [[ -z "${BUSYBOX:-}" || ! -x "$BUSYBOX" ]]; then
    echo "build-test-image.sh: no busybox binary found; install Debian's busybox-static" >&2
    exit 1
fi
# The image has no libc: the binary must be static (no ELF interpreter). Debian's
# dynamically linked `busybox` package also installs /usr/bin/busybox, so check.
if ldd "$BUSYBOX" >/dev/null 2>&1; then
    echo "build-test-image.sh: $BUSYBOX is dynamically linked; install busybox-static" >&2
    exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"/{bin,etc,dev,proc,sys,root,run,tmp,var,home}
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"
chmod 0755 "$root/run"
install -m 0755 "$BUSYBOX" "$root/bin/busybox"
count=0
while IFS= read -r applet; do
    # `busybox --list` names busybox itself: a symlink would replace the binary.
    [[ -z "$applet" || "$applet" == busybox ]] && continue
    ln -s busybox "$root/bin/$applet"
    count=$((count + 1))
done < <("$BUSYBOX" --list)
cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
chmod 0644 "$root/etc/passwd" "$root/etc/group"

tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$work/rootfs.tar" .
"$DOCKER" import \
    -c 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'CMD ["/bin/sh"]' \
    "$work/rootfs.tar" "$image" >/dev/null
new_id="$("$DOCKER" image inspect --format '{{.Id}}' "$image")"
if [[ -n "$old_id" && "$old_id" != "$new_id" ]]; then
    # The rebuilt image took the tag; drop the old one unless a container still uses it.
    "$DOCKER" image rm "$old_id" >/dev/null 2>&1 || true
fi
echo "build-test-image.sh: built $image ($count applets from $BUSYBOX)"
