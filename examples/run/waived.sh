#!/bin/sh
# Docker-in-Docker with a reasoned waiver: the team file next to this script allows
# `privileged` for dind images only. tests/examples.rs checks the output against waived.expected.
HARDEN="${HARDEN:-harden}"
cd "$(dirname "$0")" || exit 2
exec "$HARDEN" run --dry-run --preset ./dind.harden.yaml --privileged docker:27-dind
