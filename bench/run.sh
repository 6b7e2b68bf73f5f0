#!/usr/bin/env bash
# harden's benchmarks: each comparison runs both sides in this one run of the script, several
# times each (hyperfine), and reports the medians and their ratio. Writes bench/RESULTS.md.
#
#   bench/run.sh [--quick] [--no-install] [--skip engine|compose|scale|proxy]...
#
#   --quick       fewer runs (a smoke test of the script; the numbers are noisier)
#   --no-install  do not install the tools compared against (hyperfine, compose-lint, dclint);
#                 comparisons whose tool is missing are reported as skipped
#   --skip X      leave out a group: engine (create/run), compose (lint/fix over the corpus),
#                 scale (generated files of 100 to 10,000 services), proxy (bench/proxy.sh:
#                 harden proxy against the bare engine)
#
# Needs: a release build (made here), a Docker engine with the test image for the engine group
# (built with scripts/build-test-image.sh when missing), python3 (pooling runs; with pip,
# compose-lint), npm for dclint, GNU time for peak memory. The corpus: ../shared/corpus/compose/
# (HARDEN_CORPUS overrides it). Containers created here carry harden.bench=1 and are removed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

quick=0
install=1
skip=" "
while (($#)); do
    case "$1" in
        --quick) quick=1 ;;
        --no-install) install=0 ;;
        --skip)
            shift
            skip+="${1:-} "
            ;;
        -h | --help)
            sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "bench/run.sh: unknown argument: $1" >&2
            exit 2
            ;;
    esac
    shift
done
skipped() { [[ "$skip" == *" $1 "* ]]; }

CORPUS="${HARDEN_CORPUS:-$ROOT/../shared/corpus/compose}"
IMAGE="${HARDEN_BENCH_IMAGE:-harden-test/busybox:1}"
if [[ -x /usr/local/bin/docker ]]; then DOCKER=/usr/local/bin/docker; else DOCKER=docker; fi
LABEL=harden.bench=1
WORK="$(mktemp -d "${TMPDIR:-/tmp}/harden-bench.XXXXXX")"
RESULTS="$ROOT/bench/RESULTS.md"
TABLE="$WORK/table.md"
NOTES="$WORK/notes.md"
PROXY="$WORK/proxy.md"
: >"$PROXY"
: >"$TABLE"
: >"$NOTES"
export NO_COLOR=1
unset HARDEN_PRESET COMPOSE_FILE

cleanup_containers() {
    local ids
    ids="$("$DOCKER" ps -aq --filter "label=$LABEL" 2>/dev/null || true)"
    if [[ -n "$ids" ]]; then
        # shellcheck disable=SC2086
        "$DOCKER" rm -f $ids >/dev/null 2>&1 || true
    fi
}
finish() {
    if ! skipped engine; then cleanup_containers; fi
    rm -rf "$WORK"
}
trap finish EXIT

say() { printf '%s\n' "$*" >&2; }
note() { printf -- '- %s\n' "$*" >>"$NOTES"; say "note: $*"; }

runs() { # runs NORMAL QUICK
    if ((quick)); then echo "$2"; else echo "$1"; fi
}

# ---------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------
have() { command -v "$1" >/dev/null 2>&1; }

if ! have hyperfine && ((install)); then
    say "installing hyperfine (apt)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends hyperfine >&2 ||
        { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends hyperfine >&2; } ||
        true
fi
have hyperfine || { say "bench/run.sh: hyperfine is required (apt-get install hyperfine)"; exit 1; }
if [[ ! -x /usr/bin/time ]] && ((install)); then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends time >&2 || true
fi
if ! have compose-lint && ((install)); then
    say "installing compose-lint (pip)"
    python3 -m pip install --quiet compose-lint >&2 || true
    hash -r
fi
if ! have dclint && ((install)); then
    say "installing dclint (npm)"
    npm install -g --silent dclint >&2 || true
    hash -r
fi

say "building harden (release)"
cargo build --release --quiet
HARDEN="$ROOT/target/release/harden"

# ---------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------

# median_of CSV INDEX: the median (seconds) of the INDEX-th command (0-based) in hyperfine's CSV.
median_of() {
    awk -F, -v want="$2" 'NR > 1 { if (n++ == want) { print $4; exit } }' "$1"
}

fmt_time() { # seconds → "12.3 ms" / "1.23 s"
    awk -v s="$1" 'BEGIN {
        if (s < 0.001) printf "%.0f µs", s * 1e6;
        else if (s < 1) printf "%.1f ms", s * 1e3;
        else printf "%.2f s", s }'
}

# Commands are run by a shell (globs), whose start hyperfine estimates once and subtracts; with
# no_shell=1 they are run directly (hyperfine -N), with nothing to estimate: the engine rows,
# whose few milliseconds the estimate would blur.
no_shell=0

# measure CSV RUNS WARMUP PREPARE -- CMD…: runs every command RUNS times and writes their
# medians to CSV (read with median_of). RUNS may be ROUNDSxN: ROUNDS hyperfine runs of N runs
# of each command one after the other (each with WARMUP warmup runs), medians over all the runs
# pooled. The engine's own speed drifts by tens of percent within minutes; rounds give every
# command the same moments, where one block per command would give each its own.
measure() {
    local csv="$1" nruns="$2" warm="$3" prepare="$4"
    shift 5
    local rounds=1
    if [[ "$nruns" == *x* ]]; then
        rounds="${nruns%x*}"
        nruns="${nruns#*x}"
    fi
    local args=(--style basic --runs "$nruns" --warmup "$warm" --ignore-failure)
    if [[ -n "$prepare" ]]; then args+=(--prepare "$prepare"); fi
    if ((no_shell)); then args+=(--shell=none); fi
    if ((rounds == 1)); then
        hyperfine "${args[@]}" --export-csv "$csv" "$@" >&2
    else
        local r
        for ((r = 1; r <= rounds; r++)); do
            say "-- round $r of $rounds"
            hyperfine "${args[@]}" --export-json "$csv.$r.json" "$@" >&2
        done
        pool_rounds "$csv" "$csv".*.json
    fi
}

# row NAME GOAL CSV H CMD_H O CMD_O: one table row, harden's command (index H in CSV) against
# another (index O): medians and harden/other. A goal is "le X" (harden/other ≤ X) or
# "speedup X" (other/harden ≥ X) or "-".
row() {
    local name="$1" goal="$2" csv="$3" hcmd="$5" other="$7"
    local h o ratio speed verdict
    h="$(median_of "$csv" "$4")"
    o="$(median_of "$csv" "$6")"
    ratio="$(awk -v a="$h" -v b="$o" 'BEGIN { printf "%.3f", a / b }')"
    speed="$(awk -v a="$h" -v b="$o" 'BEGIN { printf "%.1f", b / a }')"
    case "$goal" in
        le\ *)
            verdict="$(awk -v r="$ratio" -v g="${goal#le }" 'BEGIN { print (r <= g) ? "met" : "missed" }') (≤ ${goal#le }×)"
            ;;
        speedup\ *)
            verdict="$(awk -v s="$speed" -v g="${goal#speedup }" 'BEGIN { print (s >= g) ? "met" : "missed" }') (≥ ${goal#speedup }× faster)"
            ;;
        *) verdict="-" ;;
    esac
    printf '| %s | `%s` | %s | `%s` | %s | %s× | %s× | %s |\n' \
        "$name" "$(short "$hcmd")" "$(fmt_time "$h")" "$(short "$other")" "$(fmt_time "$o")" \
        "$ratio" "$speed" "$verdict" >>"$TABLE"
}

csv_for() { echo "$WORK/$(echo "$1" | tr -c 'a-zA-Z0-9' '_').csv"; }

# compare NAME GOALS RUNS WARMUP PREPARE -- CMD_HARDEN CMD_OTHER [CMD_OTHER…]
# Measures every command (see measure); one table row per other command. GOALS has one goal
# per other command, separated by ";" (the last one serves the commands left).
compare() {
    local name="$1" goals="$2" nruns="$3" warm="$4" prepare="$5"
    shift 6
    local goal rest="$goals" csv
    csv="$(csv_for "$name")"
    say ""
    say "== $name"
    measure "$csv" "$nruns" "$warm" "$prepare" -- "$@"
    local hcmd="$1" i=1
    shift
    for other in "$@"; do
        goal="${rest%%;*}"
        if [[ "$rest" == *";"* ]]; then rest="${rest#*;}"; fi
        row "$name" "$goal" "$csv" 0 "$hcmd" "$i" "$other"
        i=$((i + 1))
    done
}

# compare_both NAME_A NAME_B GOAL RUNS WARMUP PREPARE -- CMD_HARDEN_A CMD_HARDEN_B CMD_OTHER
# Two harden commands against one other, all three measured in the same rounds: two rows.
compare_both() {
    local name_a="$1" name_b="$2" goal="$3" nruns="$4" warm="$5" prepare="$6" csv
    shift 7
    csv="$(csv_for "$name_a")"
    say ""
    say "== $name_a; $name_b"
    measure "$csv" "$nruns" "$warm" "$prepare" -- "$@"
    row "$name_a" "$goal" "$csv" 0 "$1" 2 "$3"
    row "$name_b" "$goal" "$csv" 1 "$2" 2 "$3"
}

# pool_rounds CSV JSON…: the medians of every command over the runs of all the hyperfine JSON
# exports, written as the CSV median_of reads (command, mean, stddev, median).
pool_rounds() {
    local csv="$1"
    shift
    python3 - "$csv" "$@" <<'PY'
import json, statistics, sys
out, files = sys.argv[1], sys.argv[2:]
names, times = [], {}
for f in files:
    for r in json.load(open(f))["results"]:
        if r["command"] not in times:
            names.append(r["command"])
            times[r["command"]] = []
        times[r["command"]].extend(t for t in r["times"] if t is not None)
with open(out, "w") as o:
    o.write("command,mean,stddev,median\n")
    for n in names:
        t = times[n]
        o.write('"%s",%.9f,%.9f,%.9f\n' % (n.replace('"', "'"), statistics.mean(t),
                statistics.pstdev(t), statistics.median(t)))
PY
}

# Shortens a command for the table (paths of this machine left out).
short() {
    sed -e "s#$ROOT/target/release/##g" -e "s#$WORK/##g" -e "s#$ROOT/bench/##g" \
        -e 's/|/\\|/g' <<<"$1"
}

# ---------------------------------------------------------------------------------------------
# Engine: create and run
# ---------------------------------------------------------------------------------------------
if ! skipped engine; then
    if ! "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; then
        note "engine comparisons skipped: no Docker engine answers"
    else
        if ! "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; then
            say "building the test image $IMAGE"
            DOCKER="$DOCKER" scripts/build-test-image.sh >&2
        fi
        cleanup_containers
        prep="sh -c '$DOCKER ps -aq --filter label=$LABEL | xargs -r $DOCKER rm -f >/dev/null'"
        no_shell=1
        args="--label $LABEL $IMAGE sh -c 'exit 0'"
        compare_both "create, hardened" "create, not hardened" "le 0.5" "$(runs 6x10 1x5)" 1 "$prep" -- \
            "$HARDEN create $args" "$HARDEN create --no-harden $args" "$DOCKER create $args"
        compare_both "run --rm, hardened" "run --rm, not hardened" "le 1.0" "$(runs 4x6 1x3)" 1 "$prep" -- \
            "$HARDEN run --rm $args" "$HARDEN run --rm --no-harden $args" "$DOCKER run --rm $args"
        no_shell=0
        note "engine rows: run without a shell (hyperfine -N); 6 rounds of 10 runs (create) and 4 rounds of 6 (run --rm); in each round harden hardened, harden not hardened and docker one after the other; medians over the pooled runs"
        cleanup_containers
        left="$("$DOCKER" ps -aq --filter "label=$LABEL" | wc -l)"
        note "engine: containers left behind after the engine comparisons: $left"
    fi
fi

# ---------------------------------------------------------------------------------------------
# Proxy: harden proxy against the bare engine (bench/proxy.sh, both sides in its one run)
# ---------------------------------------------------------------------------------------------
if ! skipped proxy; then
    if ! "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; then
        note "proxy comparisons skipped: no Docker engine answers"
    elif ! HARDEN_BIN="$HARDEN" bench/proxy.sh $( ((quick)) && echo --quick) >"$PROXY"; then
        : >"$PROXY"
        note "proxy comparisons failed: run bench/proxy.sh to see why"
    fi
fi

# ---------------------------------------------------------------------------------------------
# Compose: lint and fix over the corpus
# ---------------------------------------------------------------------------------------------
if ! skipped compose; then
    mapfile -t files < <(find "$CORPUS" -type f \( -name '*.yaml' -o -name '*.yml' \) | sort)
    if ((${#files[@]} == 0)); then
        note "corpus comparisons skipped: no Compose files under $CORPUS"
    else
        # Copies, so no tool can change the corpus (and fixes have somewhere to go).
        mkdir -p "$WORK/corpus"
        i=0
        for f in "${files[@]}"; do
            cp "$f" "$WORK/corpus/$(printf '%02d' $i)-$(basename "$f")"
            i=$((i + 1))
        done
        list="$WORK/corpus/*.y*ml"
        note "corpus: ${#files[@]} files, $(cat "${files[@]}" | wc -l) lines, $(du -ch "${files[@]}" | tail -1 | cut -f1)"
        note "every tool gets all the files in one process: \`harden compose lint FILE…\` lints each file as its own project (as pre-commit passes them; \`-f\` would merge them into one project as \`docker compose\` does)"
        others=()
        have compose-lint && others+=("compose-lint check $list") ||
            note "compose-lint not available: its comparisons are skipped"
        have dclint && others+=("dclint $list") ||
            note "dclint not available: its comparisons are skipped"
        if ((${#others[@]})); then
            # Goals: ≥ 50× faster than compose-lint, ≥ 30× than dclint.
            goals="speedup 30"
            have compose-lint && goals="speedup 50;speedup 30"
            compare "lint, corpus" "$goals" "$(runs 3x10 2)" 1 "" -- \
                "$HARDEN compose lint $list" "${others[@]}"
            note "lint, corpus: 3 rounds of 10 runs of every tool, medians over the pooled runs (harden's few milliseconds vary with the kernel's state of the moment: its page faults take from 3 to 16 ms of system time)"
            fixers=()
            have compose-lint && fixers+=("compose-lint fix $list")
            have dclint && fixers+=("dclint --fix-dry-run $list")
            compare "fix to stdout, corpus" "-" "$(runs 10 2)" 1 "" -- \
                "$HARDEN compose fix --stdout $list" "${fixers[@]}"
            note "fix: \`compose-lint fix\` without \`--apply\` prints a diff and writes nothing, its closest equivalent of \`harden compose fix --stdout\`; \`dclint --fix-dry-run\` fixes style rules, not security settings"
        fi
        # Per file: one invocation on one typical file (process start-up included).
        typical="$WORK/corpus/$(ls "$WORK/corpus" | grep -m1 nginx-flask-mysql || ls "$WORK/corpus" | head -1)"
        one=()
        have compose-lint && one+=("compose-lint check $typical")
        have dclint && one+=("dclint $typical")
        if ((${#one[@]})); then
            compare "lint, one file" "speedup 30" "$(runs 20 3)" 2 "" -- \
                "$HARDEN compose -f $typical lint" "${one[@]}"
        fi
    fi
fi

# ---------------------------------------------------------------------------------------------
# Scaling: generated files
# ---------------------------------------------------------------------------------------------
SCALE="$WORK/scale.md"
: >"$SCALE"
if ! skipped scale; then
    # Goals: lint of 5,000 services ≥ 40× faster than `docker compose config -q` on the same file
    # with a peak RSS ≤ 64 MB; fix ≤ 4× lint at every size; time per service about constant
    # (linear) from 100 to 10,000 services.
    printf '| services | file size | lint median | µs per service | lint max RSS | fix --stdout median | fix max RSS | fix / lint | goal |\n|---:|---:|---:|---:|---:|---:|---:|---:|---|\n' >"$SCALE"
    rss() { # max RSS in MB of one run
        # harden exits 1 when it finds something: that is not a failure here.
        { /usr/bin/time -v "$@" 2>&1 >/dev/null || true; } |
            awk -F: '/Maximum resident/ { printf "%.1f", $2 / 1024 }'
    }
    for n in 100 1000 5000 10000; do
        f="$WORK/scale-$n.yaml"
        bench/gen-compose.sh "$n" >"$f"
        csv="$WORK/scale-$n.csv"
        say ""
        say "== scaling: $n services"
        hyperfine --style basic --runs "$(runs 10 2)" --warmup 1 --ignore-failure --export-csv "$csv" \
            "$HARDEN compose -f $f lint" "$HARDEN compose -f $f fix --stdout" >&2
        lt="$(median_of "$csv" 0)"
        ft="$(median_of "$csv" 1)"
        lm="$(rss "$HARDEN" compose -f "$f" lint)"
        fm="$(rss "$HARDEN" compose -f "$f" fix --stdout)"
        per="$(awk -v t="$lt" -v n="$n" 'BEGIN { printf "%.0f", t * 1e6 / n }')"
        fl="$(awk -v a="$ft" -v b="$lt" 'BEGIN { printf "%.2f", a / b }')"
        verdict="$(awk -v r="$fl" 'BEGIN { print (r <= 4) ? "fix ≤ 4× lint: met" : "fix ≤ 4× lint: missed" }')"
        if ((n == 5000)); then
            verdict+="; $(awk -v c="$lm" 'BEGIN { print (c <= 64) ? "RSS ≤ 64 MB: met" : "RSS ≤ 64 MB: missed" }')"
            if "$DOCKER" compose version >/dev/null 2>&1; then
                # Compose v2 reading (and checking) the same file: seconds a run. harden's
                # runs vary by a third from one to the next (52–88 ms in 30): 3 rounds of 5.
                compare "lint 5,000 services vs config -q" "speedup 40" "$(runs 3x5 1)" 1 "" -- \
                    "$HARDEN compose -f $f lint" "$DOCKER compose -f $f config -q"
                note "lint 5,000 services vs config -q: 3 rounds of 5 runs after one warm-up run each, medians over the pooled runs"
            else
                note "docker compose (v2 plugin) not available: the 5,000-service comparison is skipped"
            fi
        fi
        printf '| %s | %s | %s | %s | %s MB | %s | %s MB | %s× | %s |\n' "$n" "$(du -h "$f" | cut -f1)" \
            "$(fmt_time "$lt")" "$per" "$lm" "$(fmt_time "$ft")" "$fm" "$fl" "$verdict" >>"$SCALE"
    done
    note "scaling: files from \`bench/gen-compose.sh N\` (about 15 lines per service: ports, environment, volumes, comments; every 4th adds a capability and a health check, every 10th is a flow mapping); max RSS from \`/usr/bin/time -v\`, one run each; linear when µs per service stays about the same"
    note "\`docker compose config -q\` is Compose v2 loading, interpolating, merging and validating the file (\`-q\`: prints nothing); harden lints and prints every finding of the same file"
fi

# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------
version_of() { "$@" 2>/dev/null | head -1 || true; }
{
    echo "# Benchmark results"
    echo
    echo "Generated by \`bench/run.sh$( ((quick)) && echo ' --quick')\` on $(date -u '+%Y-%m-%d %H:%M UTC'); do not edit by hand."
    echo "Each row: both sides measured in this run with hyperfine (medians of the runs; the"
    echo "ratio is harden's median over the other's; \"× faster\" is its inverse)."
    echo
    echo "## Machine"
    echo
    echo "- CPU: $(lscpu 2>/dev/null | awk -F: '/Model name/ { gsub(/^ +/, "", $2); print $2; exit }'), $(nproc) cores"
    echo "- Memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "- Kernel: $(uname -sr); OS: $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "- harden: $(version_of "$HARDEN" --version) (release build, git $(git rev-parse --short HEAD 2>/dev/null || echo '?')), $(version_of rustc --version)"
    if ! skipped engine; then
        echo "- Docker CLI: $(version_of "$DOCKER" version --format '{{.Client.Version}}'); Engine: $(version_of "$DOCKER" version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
    fi
    echo "- hyperfine: $(version_of hyperfine --version)"
    have compose-lint && echo "- compose-lint: $(version_of compose-lint --version) on $(version_of python3 --version)"
    have dclint && echo "- dclint: $(version_of dclint --version) on node $(version_of node --version)"
    echo
    echo "## Comparisons"
    echo
    echo "| comparison | harden | median | other | median | ratio | × faster | goal |"
    echo "|---|---|---:|---|---:|---:|---:|---|"
    cat "$TABLE"
    if [[ -s "$SCALE" ]]; then
        echo
        echo "## Scaling (generated Compose files)"
        echo
        cat "$SCALE"
    fi
    if [[ -s "$PROXY" ]]; then
        echo
        echo "## Proxy (bench/proxy.sh)"
        echo
        cat "$PROXY"
    fi
    echo
    echo "## Notes"
    echo
    cat "$NOTES"
} >"$RESULTS"
say ""
cat "$RESULTS"
