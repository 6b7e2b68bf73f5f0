#!/usr/bin/env bash
# harden proxy against the bare engine, both measured in this one run:
#   - /_ping throughput (keep-alive connections, concurrency 50): goal >= 0.5x direct
#   - `docker create` latency (the Docker CLI, median of N): goal <= 1.1x direct
#   - a BuildKit `docker build` (when buildx is installed): the /grpc relay's cost
# Prints a Markdown table (the rows for bench/RESULTS.md).
#
#   bench/proxy.sh [--quick] [--requests N] [--creates N]
#
#   --quick        fewer requests and creates (a smoke test; noisier numbers)
#   --requests N   /_ping requests per side (default 20000)
#   --creates N    `docker create` runs per side (default 20)
#
# Needs: a Docker engine (DOCKER_HOST or /var/run/docker.sock) with the test image
# (scripts/build-test-image.sh), the docker CLI, python3. Uses target/release/harden (built
# here unless HARDEN_BIN names a binary). Containers created here carry harden.bench=1 and are
# removed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

requests=20000
creates=20
builds=6
while (($#)); do
    case "$1" in
        --quick)
            requests=3000
            creates=5
            builds=2
            ;;
        --requests)
            shift
            requests="${1:?--requests N}"
            ;;
        --creates)
            shift
            creates="${1:?--creates N}"
            ;;
        -h | --help)
            sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "bench/proxy.sh: unknown argument: $1" >&2
            exit 2
            ;;
    esac
    shift
done

image=harden-test/busybox:1
upstream="${DOCKER_HOST:-unix:///var/run/docker.sock}"
case "$upstream" in
    unix://*) ;;
    *)
        echo "bench/proxy.sh: needs a unix:// engine (DOCKER_HOST=$upstream)" >&2
        exit 2
        ;;
esac

bin="${HARDEN_BIN:-}"
if [[ -z "$bin" ]]; then
    cargo build --release --quiet
    bin="$PWD/target/release/harden"
fi

work="$(mktemp -d)"
proxy_pid=""
cleanup() {
    if [[ -n "$proxy_pid" ]]; then kill "$proxy_pid" 2>/dev/null || true; fi
    docker --host "$upstream" ps -aq --filter label=harden.bench=1 |
        xargs -r docker --host "$upstream" rm -f >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

docker --host "$upstream" image inspect "$image" >/dev/null 2>&1 ||
    DOCKER_HOST="$upstream" scripts/build-test-image.sh >/dev/null

sock="$work/proxy.sock"
"$bin" proxy --listen "unix://$sock" --upstream "$upstream" --log "$work/decisions.jsonl" \
    2>"$work/proxy.err" &
proxy_pid=$!
for _ in $(seq 100); do [[ -S "$sock" ]] && break; sleep 0.05; done
[[ -S "$sock" ]] || { cat "$work/proxy.err" >&2; exit 1; }

# /_ping at concurrency 50: asyncio over 50 keep-alive connections, two client processes.
pings() {
    python3 - "$1" "$requests" <<'PY'
import asyncio, multiprocessing, sys, time
path, total = sys.argv[1], int(sys.argv[2])
CONNS, PROCS = 50, 2
REQ = b"GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n"

async def conn(n, errors):
    r, w = await asyncio.open_unix_connection(path)
    for _ in range(n):
        w.write(REQ)
        head = await r.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await r.readexactly(length)
        if not head.startswith(b"HTTP/1.1 200"):
            errors.append(head[:40])
    w.close()

def worker(n, q):
    errors = []
    async def main():
        per = n // (CONNS // PROCS)
        await asyncio.gather(*(conn(per, errors) for _ in range(CONNS // PROCS)))
    asyncio.run(main())
    q.put(len(errors))

if __name__ == "__main__":
    q = multiprocessing.Queue()
    ps = [multiprocessing.Process(target=worker, args=(total // PROCS, q)) for _ in range(PROCS)]
    t = time.perf_counter()
    for p in ps: p.start()
    for p in ps: p.join()
    dt = time.perf_counter() - t
    errors = sum(q.get() for _ in ps)
    if errors:
        print(f"errors: {errors}", file=sys.stderr)
        sys.exit(1)
    print(f"{total / dt:.0f}")
PY
}

# `docker create` wall times (ms), direct and through the proxy alternately (so a change in
# the machine's load hits both sides alike); prints the two medians.
# The third side is the same hardened container created directly (the settings the default
# preset gives it), so the proxy's own cost shows apart from the engine's cost of hardening.
hardened=(--cap-drop ALL --security-opt no-new-privileges --user 65534:65534 --read-only
    --tmpfs /tmp:rw,noexec,nosuid,nodev,size=64m,uid=65534,gid=65534
    --tmpfs /run:rw,noexec,nosuid,nodev,size=64m,uid=65534,gid=65534
    --memory 512m --cpus 1 --pids-limit 256)
creates_ms() {
    local direct=() proxied=() by_hand=() t0 t1
    for _ in $(seq "$creates"); do
        t0=$(date +%s%N)
        docker --host "$upstream" create --label harden.bench=1 "$image" true >/dev/null 2>&1
        t1=$(date +%s%N)
        direct+=($(((t1 - t0) / 1000000)))
        t0=$(date +%s%N)
        docker --host "$upstream" create --label harden.bench=1 "${hardened[@]}" "$image" true >/dev/null 2>&1
        t1=$(date +%s%N)
        by_hand+=($(((t1 - t0) / 1000000)))
        t0=$(date +%s%N)
        docker --host "unix://$sock" create --label harden.bench=1 "$image" true >/dev/null 2>&1
        t1=$(date +%s%N)
        proxied+=($(((t1 - t0) / 1000000)))
    done
    median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
    echo "$(median "${direct[@]}") $(median "${proxied[@]}") $(median "${by_hand[@]}")"
}

pings "${upstream#unix://}" >/dev/null # warm-up
direct_rps=$(pings "${upstream#unix://}")
proxy_rps=$(pings "$sock")
rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$proxy_pid/status")

docker --host "unix://$sock" create --label harden.bench=1 "$image" true >/dev/null 2>&1 # warm the image facts
read -r direct_ms proxy_ms hardened_ms < <(creates_ms)
judge_ms=$(python3 -c '
import json, statistics, sys
ms = [json.loads(l).get("judge_ms", 0) for l in open(sys.argv[1]) if "container-create" in l]
print(f"{statistics.median(ms):.1f}" if ms else "n/a")' "$work/decisions.jsonl")

# BuildKit builds (buildx's `docker build`: its solve call read and judged on the upgraded
# /grpc connection), direct and through the proxy alternately.
build_row=""
if docker buildx version >/dev/null 2>&1; then
    mkdir -p "$work/ctx"
    printf 'FROM %s\nRUN echo built > /built\n' "$image" >"$work/ctx/Dockerfile"
    builds_ms() {
        local direct=() proxied=() t0 t1
        for _ in $(seq "$builds"); do
            t0=$(date +%s%N)
            DOCKER_BUILDKIT=1 docker --host "$upstream" build -q --no-cache "$work/ctx" >/dev/null 2>&1
            t1=$(date +%s%N)
            direct+=($(((t1 - t0) / 1000000)))
            t0=$(date +%s%N)
            DOCKER_BUILDKIT=1 docker --host "unix://$sock" build -q --no-cache "$work/ctx" >/dev/null 2>&1
            t1=$(date +%s%N)
            proxied+=($(((t1 - t0) / 1000000)))
        done
        median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
        echo "$(median "${direct[@]}") $(median "${proxied[@]}")"
    }
    read -r build_direct build_proxy < <(builds_ms)
    build_row="| BuildKit \`docker build --no-cache\` (one RUN step), median of $builds | $build_direct ms | $build_proxy ms | $(python3 -c "print(f'{$build_proxy / $build_direct:.2f}')")x | (the /grpc relay's cost) |"
fi

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
echo "| Proxy measurement | direct | through harden proxy | ratio | goal |"
echo "| --- | --- | --- | --- | --- |"
echo "| \`/_ping\` throughput, concurrency 50, $requests requests | $direct_rps req/s | $proxy_rps req/s | $(ratio "$proxy_rps" "$direct_rps")x | >= 0.5x |"
echo "| \`docker create\` latency, median of $creates | $direct_ms ms | $proxy_ms ms | $(ratio "$proxy_ms" "$direct_ms")x | <= 1.1x |"
echo "| \`docker create\` latency, the same hardened container created directly | $hardened_ms ms | $proxy_ms ms | $(ratio "$proxy_ms" "$hardened_ms")x | (the proxy's own cost) |"
[[ -z "$build_row" ]] || echo "$build_row"
echo
echo "Proxy RSS after the ping runs: $((rss_kib / 1024)) MiB; median time the judge took per create"
echo "(image inspect through the upstream included): $judge_ms ms. Through the proxy the container"
echo "is also hardened (read-only root, tmpfs, limits), which the engine does at create."
