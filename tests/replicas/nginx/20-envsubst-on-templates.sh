#!/bin/sh
# nginx replica: renders /etc/nginx/templates/**/*.template into /etc/nginx/conf.d with envsubst,
# substituting only the variables set in the environment, as the official script does.
set -e
me=$(basename "$0")
say() { [ -n "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ] || echo "$me: $*"; }

template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
filter="${NGINX_ENVSUBST_FILTER:-}"

[ -d "$template_dir" ] || exit 0
if [ ! -w "$output_dir" ]; then
	say "ERROR: $template_dir exists, but $output_dir is not writable"
	exit 0
fi
vars=$(printf '${%s} ' $(env | cut -d= -f1 | grep -E "${filter:-.}"))
find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
	rel="${template#"$template_dir/"}"
	out="$output_dir/${rel%"$suffix"}"
	mkdir -p "$(dirname "$out")"
	say "Running envsubst on $template to $out"
	envsubst "$vars" <"$template" >"$out"
done
