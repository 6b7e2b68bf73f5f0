#!/bin/sh
# The same unhardened `docker run` line (a web server on all interfaces, a password in the
# environment) under the `default` preset. --dry-run prints the command harden would run instead;
# tests/examples.rs checks the output against web-default.expected.
exec "${HARDEN:-harden}" run --dry-run --preset default \
    -p 8080:80 -e DB_PASSWORD=hunter2 --restart always \
    nginx:1.27
