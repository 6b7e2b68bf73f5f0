#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 900), one after the other, with the seeds of
# fuzz/seed.sh, a 5 s limit per input (a slower input counts as a failure) and 2 GB of memory.
# Logs go to fuzz/logs/<target>.log; failing inputs to fuzz/artifacts/<target>/.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# Needs cargo-fuzz and a nightly toolchain (`cargo +nightly fuzz`; see fuzz/README.md).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
secs="${1:-900}"
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then targets=(argv compose_lint compose_fix proxy_body); fi
[[ -d corpus/argv ]] || ./seed.sh
mkdir -p logs
cargo +nightly fuzz build -a >/dev/null 2>&1
status=0
for t in "${targets[@]}"; do
    extra=()
    if [[ "$t" == argv ]]; then extra+=(-dict=argv.dict); fi
    if [[ "$t" == proxy_body ]]; then extra+=(-dict=proxy_body.dict -max_len=65536); fi
    echo "== $t: ${secs}s" >&2
    cargo +nightly fuzz run -a "$t" -- -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 \
        -print_final_stats=1 "${extra[@]}" >"logs/$t.log" 2>&1
    rc=$?
    grep -E '^#[0-9]+.*DONE|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
        "logs/$t.log" >&2
    if ((rc != 0)); then
        echo "$t: FAILED (exit $rc); see fuzz/logs/$t.log and fuzz/artifacts/$t/" >&2
        status=1
    fi
done
exit $status
