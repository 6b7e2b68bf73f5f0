#!/usr/bin/env bash
# Builds the seed corpora and the argv dictionary (fuzz/corpus/<target>/, fuzz/argv.dict) from
#   - ../shared/corpus/docker-run.txt (real `docker run` lines, split like a shell would),
#   - tests/fixtures/argv/cli-28.2.2-runs.jsonl (argument lists recorded against the CLI),
#   - ../shared/corpus/compose/ and every Compose file under tests/fixtures and examples.
# An argv seed is the argument list joined with NUL bytes. Needs python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
root="$PWD/.."
shared="${HARDEN_CORPUS_DIR:-$root/../shared/corpus}"
mkdir -p corpus/argv corpus/compose_lint corpus/compose_fix

python3 - "$shared/docker-run.txt" "$root/tests/fixtures/argv/cli-28.2.2-runs.jsonl" corpus/argv <<'EOF'
import hashlib, json, os, shlex, sys
lines, runs, out = sys.argv[1:4]
seeds = []
for line in open(lines, encoding="utf-8"):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    try:
        words = shlex.split(line, comments=False)
    except ValueError:
        continue
    for i, w in enumerate(words):
        if w in ("run", "create") and i > 0 and words[i - 1].endswith("docker"):
            seeds.append(words[i + 1:])
            break
for line in open(runs, encoding="utf-8"):
    seeds.append(json.loads(line)["args"])
for args in seeds:
    data = "\0".join(args).encode()
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
print(f"argv: {len(seeds)} seeds", file=sys.stderr)
EOF

n=0
while IFS= read -r -d '' f; do
    name="$(sha1sum "$f" | cut -c1-40)"
    cp "$f" "corpus/compose_lint/$name"
    cp "$f" "corpus/compose_fix/$name"
    n=$((n + 1))
done < <(find "$shared/compose" "$root/tests/fixtures" "$root/examples" -type f \
    \( -name '*.yaml' -o -name '*.yml' \) -print0)
echo "compose: $n seeds" >&2

# Every flag of `docker run` (from the recorded help), with and without `=`.
grep -oE -- '--[a-z0-9-]+' "$root/tests/fixtures/argv/docker-run-help-28.2.2.txt" | sort -u |
    awk '{ printf "\"%s\"\n\"%s=\"\n", $0, $0 }' >argv.dict
printf '"%s"\n' -d -e -i -t -p -v -u -w -m -h -l -a -P --preset --allow --no-harden --dry-run \
    --explain --format --review ALL host none bridge "127.0.0.1" "::1" "type=bind" \
    "type=tmpfs" "type=volume" "src=" "dst=" "seccomp=unconfined" "apparmor=unconfined" \
    "no-new-privileges" "/var/run/docker.sock" ":ro" ":rw" "1g" "512m" "0.5" >>argv.dict
echo "argv.dict: $(wc -l <argv.dict) entries" >&2

# proxy_body: the create bodies recorded against CLI 28.2.2, and the tricky bodies of
# tests/fixtures/proxy_body/ (case variants, duplicates, escapes, Kelvin sign, …).
mkdir -p corpus/proxy_body
python3 - "$root/tests/fixtures/argv/cli-28.2.2-runs.jsonl" corpus/proxy_body <<'PY'
import hashlib, json, os, sys
runs, out = sys.argv[1:3]
n = 0
for line in open(runs, encoding="utf-8"):
    body = json.loads(line).get("body")
    if body is None:
        continue
    data = json.dumps(body, separators=(",", ":")).encode()
    with open(os.path.join(out, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)
    n += 1
print(f"proxy_body: {n} recorded bodies", file=sys.stderr)
PY
for f in "$root"/tests/fixtures/proxy_body/*; do
    cp "$f" "corpus/proxy_body/$(sha1sum "$f" | cut -c1-40)"
done
# JSON tokens and the engine's field names (any case).
{
    printf '"%s"\n' '{' '}' '[' ']' ':' ',' 'null' 'true' 'false' '-1' '1e3' '1.5' '\\u' \
        '\\ud800' '\\udc00' '\\u212a' '\\u017f' '\xE2\x84\xAA' '\xC5\xBF' '\\"' '\\\\'
    grep -ohE '"[A-Z][A-Za-z0-9]+"' "$root"/tests/fixtures/proxy_body/full.json | sort -u |
        sed 's/"/\\"/g; s/^/"/; s/$/"/'
} >proxy_body.dict
echo "proxy_body.dict: $(wc -l <proxy_body.dict) entries" >&2
