#!/usr/bin/env bash
# The no-registry lab: a throwaway Docker engine that reaches no registry (nor anything
# else: it lives in a network namespace of its own, with only a loopback), to show on any
# machine what a build does where no registry answers. As root, in the foreground:
#   bash engine.sh run DIR   starts it, its state all in DIR (new or empty); Ctrl-C (or
#                            SIGTERM) stops it and removes DIR
#   bash engine.sh env DIR   waits until it answers, then prints the DOCKER_HOST line to
#                            eval: every docker command after it talks to the lab's engine
set -euo pipefail

usage() { echo "usage: bash engine.sh run|env DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
command="$1"
dir="$2"
socket="$dir/docker.sock"

case "$command" in
run)
    [ "$(id -u)" -eq 0 ] || { echo "no-registry lab: dockerd needs root: run it as root" >&2; exit 1; }
    if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
        echo "no-registry lab: $dir is not empty: give a new or empty folder (it is removed at the end)" >&2
        exit 1
    fi
    mkdir -p "$dir"
    chmod 0700 "$dir"
    # No bridge and no iptables rules: containers of this engine get no network at all,
    # and the host's firewall is left as it was. ($1 expands in the inner shell.)
    # shellcheck disable=SC2016
    unshare --net --fork --kill-child=TERM sh -c '
        ip link set lo up
        exec dockerd --data-root "$1/data" --exec-root "$1/exec" --pidfile "$1/dockerd.pid" \
            --host "unix://$1/docker.sock" --bridge none --iptables=false --ip6tables=false \
            --storage-driver vfs
    ' sh "$dir" >"$dir/dockerd.log" 2>&1 &
    engine=$!
    # shellcheck disable=SC2329  # run by the traps below
    stop() {
        # dockerd unmounts and stops its containerd when asked to stop; unshare returns
        # once it has, and only then is its state removed.
        if [ -s "$dir/dockerd.pid" ]; then kill -TERM "$(cat "$dir/dockerd.pid")" 2>/dev/null || true; fi
        wait "$engine" 2>/dev/null || true
        rm -rf "$dir"
    }
    trap stop EXIT
    trap 'exit 0' INT TERM
    wait "$engine"
    ;;
env)
    for _ in $(seq 1 300); do
        if docker --host "unix://$socket" version >/dev/null 2>&1; then
            echo "export DOCKER_HOST=unix://$socket"
            exit 0
        fi
        sleep 0.1
    done
    echo "no-registry lab: no engine answers on $socket after 30 s (see $dir/dockerd.log)" >&2
    exit 1
    ;;
*) usage ;;
esac
