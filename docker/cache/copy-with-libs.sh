#!/bin/sh
# copy-with-libs.sh [--libraries-only] ROOT FILE...
# Copies each program (or native module) and every shared library it loads, as ldd
# resolves them, the dynamic loader included, into ROOT at the same paths: a root file
# system for `scratch` that holds exactly what the programs need. With
# --libraries-only the files themselves are left out (they get there another way).
set -eu
copy_files=yes
if [ "$1" = --libraries-only ]; then
  copy_files=no
  shift
fi
root=$1
shift
for file in "$@"; do
  if [ "$copy_files" = yes ]; then
    cp --parents --dereference "$file" "$root"
  fi
  ldd "$file" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
    while read -r library; do
      cp --parents --dereference --no-clobber "$library" "$root"
    done
done
