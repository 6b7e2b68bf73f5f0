#!/usr/bin/env bash
# Installs buildx (the `docker buildx` CLI plugin, BuildKit's client) from Debian trixie's
# `docker-buildx` package: scripts/install-cli-plugins.sh says how.
#
#   scripts/install-buildx.sh            install unless `docker buildx version` answers already
#   scripts/install-buildx.sh --force    install again
set -euo pipefail
exec "$(dirname "$0")/install-cli-plugins.sh" "$@" buildx
