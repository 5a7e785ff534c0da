#!/usr/bin/env bash
# Make sure this machine runs arm64 binaries under emulation, for `make test-arm64`:
# Debian's qemu-user-static registered with the kernel's binfmt_misc, with the F flag
# (the interpreter is opened once, at registration), so that containers and the
# engine's builds run arm64 programs too. On an arm64 machine there is nothing to do.
# It changes the host's binfmt_misc registrations (adds qemu-aarch64), nothing else;
# `update-binfmts --disable qemu-aarch64` takes it back.
set -euo pipefail

say() { printf 'emulation: %s\n' "$*" >&2; }
die() { printf 'emulation: %s\n' "$*" >&2; exit 1; }

[ "$(uname -m)" = aarch64 ] && exit 0
binfmt=/proc/sys/fs/binfmt_misc
if [ -f "$binfmt/qemu-aarch64" ] && grep -qx enabled "$binfmt/qemu-aarch64" \
    && grep -q '^flags:.*F' "$binfmt/qemu-aarch64"; then
    exit 0
fi
[ "$(id -u)" -eq 0 ] || die "arm64 emulation is not set up and needs root: run as root, or register qemu-aarch64 with binfmt_misc (F flag) yourself"
if ! command -v update-binfmts >/dev/null 2>&1 || ! command -v qemu-aarch64-static >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 || die "install qemu-user-static and binfmt-support, then run again"
    say "installing qemu-user-static and binfmt-support (one time)"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends qemu-user-static binfmt-support >/dev/null; } \
        || die "apt-get install qemu-user-static binfmt-support failed: check the package mirror, then run again"
fi
if ! mountpoint -q "$binfmt"; then
    mount -t binfmt_misc binfmt_misc "$binfmt" || die "cannot mount $binfmt (a container without it?): run on a host or VM"
fi
update-binfmts --enable qemu-aarch64 || die "update-binfmts --enable qemu-aarch64 failed"
grep -qx enabled "$binfmt/qemu-aarch64" || die "qemu-aarch64 is registered but not enabled: see $binfmt/qemu-aarch64"
say "arm64 programs now run under qemu-user-static"
