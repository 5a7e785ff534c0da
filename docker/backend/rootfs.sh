#!/bin/sh
# Assemble the production image's whole file system in ROOT (the Dockerfile's prod-rootfs
# stage): Debian's python3.13 binary, its standard library without what the app never
# loads, the app's venv, and exactly the shared libraries these load, as ldd lists them.
# The standard library and the venv ship as bytecode only, except the package APP (the
# application's own), which keeps its source so that its tracebacks show the lines.
# LIBRARY... are shared libraries loaded by name at run time (ctypes), which ldd cannot
# see: they are copied with the libraries they link, and listed for ldconfig.
# Usage: rootfs.sh ROOT VENV APP [LIBRARY...]
set -eu

root=$1
venv=$2
app=$3
shift 3
python=python3.13
stdlib=/usr/lib/$python
multiarch=$(python3 -c 'import sysconfig; print(sysconfig.get_config_var("MULTIARCH"))')
listing=$(mktemp)

# Debian's merged /usr: /lib and /lib64 are links, so ldd's paths resolve the same here.
mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib/$multiarch" "$root/usr/lib64" \
    "$root/etc" "$root/opt"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
ln -s usr/sbin "$root/sbin"
mkdir -m 1777 "$root/tmp"

cp -a "/usr/bin/$python" "$root/usr/bin/"
ln -s "$python" "$root/usr/bin/python3"
cp -a "$stdlib" "$root/usr/lib/"
cp -a "$venv" "$root$venv"

# What the app never imports: tests, GUI and terminal UIs, docs data, packaging tools,
# databases other than PostgreSQL. The prod image's import test proves the rest suffices.
cd "$root$stdlib"
rm -rf test idlelib tkinter turtledemo ensurepip lib2to3 pydoc_data venv sqlite3 curses \
    dbm _pyrepl unittest xmlrpc wsgiref __phello__ turtle.py pydoc.py doctest.py \
    antigravity.py this.py __hello__.py EXTERNALLY-MANAGED sitecustomize.py
rm -f lib-dynload/_test* lib-dynload/_ctypes_test.* lib-dynload/_xxtestfuzz.* \
    lib-dynload/xx* lib-dynload/_sqlite3.* lib-dynload/_curses* lib-dynload/_dbm.* \
    lib-dynload/_gdbm.* lib-dynload/readline.* lib-dynload/_tkinter.*
cd "$root$venv"
rm -rf bin/pip* bin/activate* lib/"$python"/site-packages/pip \
    lib/"$python"/site-packages/pip-*.dist-info
find "$root" -name __pycache__ -type d -prune -exec rm -rf {} +

# Libraries opened by name (psycopg's pure-Python libpq binding): into ROOT, so that the
# ldd pass below brings what they link. ctypes.util.find_library, which psycopg asks for
# their file names, reads `ldconfig -p`: the static ldconfig and a cache made for ROOT.
for library in "$@"; do
    cp -L "/usr/lib/$multiarch/$library" "$root/usr/lib/$multiarch/"
done
if [ "$#" -gt 0 ]; then
    cp /usr/sbin/ldconfig "$root/usr/sbin/"
    cp -a /etc/ld.so.conf /etc/ld.so.conf.d "$root/etc/"
fi

# Every shared library the interpreter, the extension modules and ldconfig (static on
# Debian: none) load, and the loader.
# (ldd fails on files that are not dynamic; "not found" below is what matters.)
find "$root" -type f \( -name '*.so' -o -name '*.so.*' -o -path "*/bin/$python" \
    -o -path "*/sbin/ldconfig" \) \
    -exec ldd {} + > "$listing" 2>/dev/null || true
if grep 'not found' "$listing" >&2; then
    echo "rootfs.sh: the libraries above are missing from the build stage" >&2
    exit 1
fi
awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*[^:]$/ { print $1 }' "$listing" \
    | sort -u > "$listing.paths"
while read -r library; do
    case $library in "$root"/*) continue ;; esac
    cp -L --parents "$library" "$root"
done < "$listing.paths"
rm -f "$listing" "$listing.paths"
test -e "$root/usr/lib/$multiarch/libc.so.6"
if [ "$#" -gt 0 ]; then
    ldconfig -X -r "$root"
    for library in "$@"; do
        grep -q "$library" "$root/etc/ld.so.cache" \
            || { echo "rootfs.sh: $library is not in ldconfig's cache" >&2; exit 1; }
    done
fi

# Bytecode compiled once here, recorded as if compiled in place (file names in tracebacks
# are the real ones). The application's package: source plus bytecode in __pycache__,
# valid without mtimes. Everything else: bytecode beside where the source was (-b), which
# Python imports without the source, and the source removed (tracebacks there show file
# and line, not the line's text).
site=$root$venv/lib/$python/site-packages
test -d "$site/$app"
python3 -m compileall -q -j 0 --invalidation-mode unchecked-hash -s "$root" -p / "$site/$app"
mv "$site/$app" "$root/tmp/$app"
python3 -m compileall -q -j 0 -b -s "$root" -p / "$root$stdlib" "$root$venv"
find "$root$stdlib" "$root$venv" -name '*.py' -type f -delete
mv "$root/tmp/$app" "$site/$app"

# The one user the image runs as; files for the C library's lookups of users and hosts.
echo "app:x:1000:1000:PaperTrade:/nonexistent:/usr/sbin/nologin" > "$root/etc/passwd"
echo "app:x:1000:" > "$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"
