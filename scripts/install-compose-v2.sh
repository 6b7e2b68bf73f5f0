#!/usr/bin/env bash
# Installs Compose v2 (the `docker compose` CLI plugin) from Debian trixie's `docker-compose`
# package: scripts/install-cli-plugins.sh says how.
#
#   scripts/install-compose-v2.sh            install unless `docker compose version` is v2 already
#   scripts/install-compose-v2.sh --force    install again
set -euo pipefail
exec "$(dirname "$0")/install-cli-plugins.sh" "$@" compose
