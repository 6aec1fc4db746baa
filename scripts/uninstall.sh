#!/usr/bin/env bash
# Removes what install.sh put into PREFIX (default /usr/local), as listed in PREFIX/share/doc/bellwork/installed-files:
# those files and nothing else (a listed path that is not a regular file, or that leaves the prefix, is left
# alone and named), then the folder share/doc/bellwork when it is empty. Shared folders (bin, share/man/man1, …)
# stay. Run it as PREFIX/share/doc/bellwork/uninstall.sh, or `make uninstall PREFIX=…`.
set -euo pipefail
prefix=${1:-${PREFIX:-/usr/local}}
list="$prefix/share/doc/bellwork/installed-files"
[ -f "$list" ] || { echo "uninstall: $list not found: Bellwork is not installed in $prefix" >&2; exit 1; }
removed=0
while IFS= read -r path; do
  case "$path" in ""|/*|*..*) echo "uninstall: skipped '$path' (not a path inside the prefix)" >&2; continue ;; esac
  if [ -f "$prefix/$path" ] && [ ! -L "$prefix/$path" ]; then
    rm -f -- "$prefix/$path"; removed=$((removed + 1))
  elif [ -e "$prefix/$path" ] || [ -L "$prefix/$path" ]; then
    echo "uninstall: left $prefix/$path (not a regular file)" >&2
  fi
done < "$list"
rm -f -- "$list"
rmdir -- "$prefix/share/doc/bellwork" 2>/dev/null || true
echo "removed $removed files of Bellwork from $prefix"
