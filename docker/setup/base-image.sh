#!/usr/bin/env bash
# Make sure the base image every Dockerfile starts FROM exists.
#
# Pulled where a registry answers; otherwise bootstrapped from Debian's own
# packages: debootstrap --variant=minbase, slimmed the way the official slim
# images are (debuerreotype's slimify), imported and labelled with how it was
# made. Nothing is tagged until the import has succeeded, so a failure half-way
# never leaves a half-made image under the real tag.
#
#   docker/setup/base-image.sh            # ensure debian:trixie-slim exists
#   BASE_IMAGE_FORCE=1 docker/setup/base-image.sh   # rebuild it
#   BASE_ARCH=arm64 BASE_IMAGE=papertrade-arm64/debian:trixie-slim docker/setup/base-image.sh
#       # another architecture (under qemu-user-static: see docker/setup/emulation.sh),
#       # under a name of its own: an engine keeps one image per name, and pulling
#       # another architecture under the usual name would replace this machine's.
#   BASE_IMAGE=debian:bookworm-slim docker/setup/base-image.sh
#       # another release: its suite is the tag's (BASE_SUITE says it otherwise)
set -euo pipefail

image="${BASE_IMAGE:-debian:trixie-slim}"
# debian:bookworm-slim is bookworm: the suite named by a Debian image's tag, so that an
# image is never tagged with another release than the one it holds.
tag="${image##*:}"
case "$image" in
    debian:*-slim | */debian:*-slim) suite="${BASE_SUITE:-${tag%-slim}}" ;;
    *) suite="${BASE_SUITE:-trixie}" ;;
esac
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
native="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
arch="${BASE_ARCH:-$native}"
# Named in the image's provenance label only when it is not this machine's.
arch_option=""
[ "$arch" = "$native" ] || arch_option=" --arch=$arch"
if [ "$arch" != "$native" ] && [ "$image" = debian:trixie-slim ]; then
    printf 'base-image: BASE_ARCH=%s needs BASE_IMAGE set to a name of its own (e.g. papertrade-%s/debian:trixie-slim): debian:trixie-slim is this machine'"'"'s %s image\n' "$arch" "$arch" "$native" >&2
    exit 2
fi

say() { printf 'base-image: %s\n' "$*" >&2; }
die() { printf 'base-image: %s\n' "$*" >&2; exit 1; }

if [ -z "${BASE_IMAGE_FORCE:-}" ] && docker image inspect "$image" >/dev/null 2>&1; then
    exit 0
fi

if [ -z "${BASE_IMAGE_FORCE:-}" ] && [ "$arch" = "$native" ] \
    && timeout 60 docker pull -q "$image" >/dev/null 2>&1; then
    say "pulled $image"
    exit 0
fi

[ "$(id -u)" -eq 0 ] || die "no registry answers and debootstrap needs root: run as root, or 'docker pull $image' where a registry is reachable"
if ! command -v debootstrap >/dev/null 2>&1; then
    say "installing debootstrap (one time)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null \
        || die "installing debootstrap failed: run 'apt-get update && apt-get install debootstrap', then try again"
fi
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || die "$keyring is missing: apt-get install debian-archive-keyring"

work="$(mktemp -d /var/tmp/base-image.XXXXXX)"
tmp_tag="base-image-partial:$$"
cleanup() {
    # Only unmount what debootstrap may have left mounted inside the root.
    for m in proc sys dev/pts dev; do umount -l "$work/rootfs/$m" 2>/dev/null || true; done
    rm -rf "$work"
    docker image rm -f "$tmp_tag" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rootfs="$work/rootfs"
if [ "$arch" = "$native" ]; then
    say "no registry: bootstrapping $image from $mirror ($suite, minbase); about two minutes"
else
    say "bootstrapping $image for $arch from $mirror ($suite, minbase) under emulation; several minutes"
fi
bootstrap() {
    debootstrap --arch="$arch" --variant=minbase --keyring="$keyring" "$suite" "$rootfs" "$mirror" \
        >"$work/debootstrap.log" 2>&1
}
# A download that fails half-way ("Couldn't download packages") is most often the
# network's moment: one more try from scratch, then give up with debootstrap's words.
if ! bootstrap; then
    say "debootstrap failed ($(grep -m 1 '^E:' "$work/debootstrap.log" || echo 'see its log')); trying once more"
    for m in proc sys dev/pts dev; do umount -l "$rootfs/$m" 2>/dev/null || true; done
    rm -rf "$rootfs"
    if ! bootstrap; then
        tail -n 5 "$work/debootstrap.log" >&2
        die "debootstrap of $suite from $mirror failed (above): check that the mirror answers, then run again"
    fi
fi

# Slim it as the official images do: these dpkg excludes keep future installs
# small too, and the files they name are removed from what is already there.
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/man/*
CFG
find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} + 2>/dev/null || true
rm -rf "$rootfs/usr/share/man/"* "$rootfs/usr/share/info/"* "$rootfs/usr/share/groff/"* \
       "$rootfs/usr/share/linda/"* "$rootfs/usr/share/lintian/overrides/"*

cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CFG
printf 'Acquire::Languages "none";\n' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
printf 'Acquire::GzipIndexes "true";\n' >"$rootfs/etc/apt/apt.conf.d/docker-gzip-indexes"
printf 'Apt::AutoRemove::SuggestsImportant "false";\n' >"$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests"
# A mirror whose name does not resolve for a moment fails a build after apt's three
# retries (7 s); eight wait up to about two minutes (the delay doubles, at most 30 s).
printf 'Acquire::Retries "8";\n' >"$rootfs/etc/apt/apt.conf.d/papertrade-retries"

rm -f "$rootfs/etc/apt/sources.list"
cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<CFG
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
CFG

rm -rf "$rootfs/var/lib/apt/lists/"* "$rootfs/var/cache/apt/"*.bin "$rootfs/var/cache/apt/archives/"*.deb \
       "$rootfs/var/cache/debconf/"*-old "$rootfs/var/lib/dpkg/"*-old "$rootfs/var/log/"* \
       "$rootfs/tmp/"* "$rootfs/root/.bash_history" "$rootfs/etc/machine-id" 2>/dev/null || true
: >"$rootfs/etc/hostname"
rm -f "$rootfs/etc/resolv.conf"

created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
version="$(cat "$rootfs/etc/debian_version")"
tar --numeric-owner --xattrs -C "$rootfs" -cf "$work/rootfs.tar" .

docker import \
    --platform "linux/$arch" \
    --change 'CMD ["bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL org.opencontainers.image.created=$created" \
    --change "LABEL org.opencontainers.image.version=$version" \
    --change "LABEL org.opencontainers.image.description=\"Debian $suite minbase, slimmed like the official slim image\"" \
    --change "LABEL org.papertrade.base.provenance=\"debootstrap${arch_option} --variant=minbase $suite $mirror\"" \
    --change "LABEL org.papertrade.base.builder=docker/setup/base-image.sh" \
    "$work/rootfs.tar" "$tmp_tag" >/dev/null \
    || die "docker import of the bootstrapped root failed: read 'docker info' and try again"

if [ "$arch" != "$native" ]; then
    # The import is labelled as this machine's architecture whatever --platform says
    # (set-architecture.py says why); relabel it, then drop the mislabelled copy.
    imported="$(docker image inspect -f '{{.Id}}' "$tmp_tag")"
    docker save "$tmp_tag" | python3 "$(dirname "$0")/set-architecture.py" "$arch" | docker load -q >/dev/null \
        || die "relabelling the image as $arch failed: run again with BASE_IMAGE_FORCE=1"
    docker image rm "$imported" >/dev/null 2>&1 || true
fi
docker tag "$tmp_tag" "$image"
say "tagged $image (Debian $version, $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))"
