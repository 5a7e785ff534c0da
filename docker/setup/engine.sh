#!/usr/bin/env bash
# Make sure a Docker engine answers. On Debian as root, install Debian's
# docker.io and start dockerd in the background when none runs; elsewhere,
# say in one line what to install.
set -euo pipefail

log_dir="${DOCKERD_LOG_DIR:-/var/log}"
log_file="$log_dir/execdocs-dockerd.log"

say() { printf 'engine: %s\n' "$*" >&2; }
die() { printf 'engine: %s\n' "$*" >&2; exit 1; }

if docker info >/dev/null 2>&1; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    die "no Docker engine answers and this user is not root: start Docker (or run 'make test' as root on Debian to have it installed)"
fi
if ! command -v apt-get >/dev/null 2>&1; then
    die "no Docker engine answers and apt-get is missing: install Docker Engine (https://docs.docker.com/engine/install/) and start it"
fi

if ! command -v dockerd >/dev/null 2>&1; then
    say "installing Debian's docker.io (one time)"
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends \
            docker.io iptables ca-certificates >/dev/null; }; then
        die "installing docker.io with apt-get failed: check the package mirror, then run 'make test' again"
    fi
fi

# Running, not a zombie: a killed daemon may linger as one until it is reaped.
alive() {
    local state
    state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# A killed dockerd leaves its pid file, and the next start refuses.
for pid_file in /var/run/docker.pid /run/docker.pid /var/run/docker/containerd/containerd.pid; do
    if [ -f "$pid_file" ] && ! alive "$(cat "$pid_file" 2>/dev/null)"; then
        rm -f "$pid_file"
    fi
done

running=
for pid in $(pgrep -x dockerd 2>/dev/null); do
    if alive "$pid"; then running=$pid; fi
done
if [ -z "$running" ]; then
    say "starting dockerd (log: $log_file)"
    mkdir -p "$log_dir"
    nohup setsid dockerd >>"$log_file" 2>&1 </dev/null &
    running=$!
fi

for _ in $(seq 1 120); do
    if docker info >/dev/null 2>&1; then
        say "ready ($(docker version --format '{{.Server.Version}}'))"
        exit 0
    fi
    if ! alive "$running"; then
        die "dockerd exited at start: $(grep -E 'level=(fatal|error)' "$log_file" | tail -n 1 | cut -c1-200)"
    fi
    sleep 0.5
done
die "dockerd did not answer within 60 s: read the end of $log_file"
