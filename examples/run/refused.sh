#!/bin/sh
# Unhardened lines from real READMEs that switch off isolation: harden refuses them (exit 125)
# and says how to waive each rule. tests/examples.rs checks the output against refused.expected.
HARDEN="${HARDEN:-harden}"
for line in \
    "--privileged docker:dind" \
    "-v /var/run/docker.sock:/var/run/docker.sock traefik:v3" \
    "--net=host --pid=host -v /:/host:ro,rslave quay.io/prometheus/node-exporter:v1.8.2" \
    "--pid=container:my-nginx --cap-add SYS_PTRACE --security-opt seccomp=unconfined alpine:3.20"; do
    # shellcheck disable=SC2086 # word splitting is the point
    "$HARDEN" run --dry-run $line
    echo "exit $?"
done
exit 0
