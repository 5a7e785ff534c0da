#!/usr/bin/env bash
# Make sure the tools that give each docs page a network of its own are there: unshare
# and ip (a network namespace), slirp4netns (its way to the internet); and debootstrap
# with Debian's keyring, which the no-registry lab's page runs on every machine (where
# a registry answers, the base image was pulled and nothing installed them). On Debian
# as root they are installed when missing; elsewhere pages run without isolation, and
# execdocs says why in its summary.
set -euo pipefail

say() { printf 'sandbox-tools: %s\n' "$*" >&2; }

missing=()
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v slirp4netns >/dev/null 2>&1 || missing+=(slirp4netns)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || missing+=(debian-archive-keyring)
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    say "missing ${missing[*]}: pages will share the host's network (install them to isolate each page)"
    exit 0
fi
say "installing ${missing[*]} (one time)"
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
    say "installing ${missing[*]} with apt-get failed: pages will share the host's network"
fi
