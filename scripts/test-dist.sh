#!/usr/bin/env bash
# `make dist-check`: builds the tarball, installs it into a fresh prefix with its install.sh, and runs the
# installed binary with no Swift toolchain in reach (an empty environment, PATH /usr/bin:/bin): --version,
# a man page, the completions, and an analysis of the sample lesson that matches the build's own; then uninstalls.
set -euo pipefail
cd "$(dirname "$0")/.."
tarball=$(scripts/make-dist.sh | tail -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xzf "$tarball"
"$work"/bellwork-*/install.sh "$work/prefix" >/dev/null
run() { env -i PATH=/usr/bin:/bin HOME="$work" "$work/prefix/bin/bellwork" "$@"; }
run --version | grep -q '^FFmpeg ' || { echo "dist-check: --version does not name FFmpeg" >&2; exit 1; }
if ldd "$work/prefix/bin/bellwork" | grep -q 'libswiftCore'; then echo "dist-check: the Swift runtime is not linked in" >&2; exit 1; fi
for page in bellwork.1 bellwork.analyze.1 bellwork.batch.1 bellwork.render.1; do
  [ -s "$work/prefix/share/man/man1/$page" ] || { echo "dist-check: no man page $page" >&2; exit 1; }
done
# The page reads as a manual (man -l, as a user would open it).
MANPAGER=cat MANWIDTH=100 man -l "$work/prefix/share/man/man1/bellwork.analyze.1" 2>/dev/null | grep -q 'bellwork analyze' \
  || { echo "dist-check: man -l cannot show bellwork.analyze.1" >&2; exit 1; }
grep -q 'bellwork' "$work/prefix/share/bash-completion/completions/bellwork"
grep -q 'bellwork' "$work/prefix/share/zsh/site-functions/_bellwork"
grep -q 'bellwork' "$work/prefix/share/fish/vendor_completions.d/bellwork.fish"
run analyze Fixtures/sample-lesson.mp4 --format json --quiet > "$work/installed.json"
.build-static/release/bellwork analyze Fixtures/sample-lesson.mp4 --format json --quiet > "$work/built.json"
cmp -s "$work/installed.json" "$work/built.json" || { echo "dist-check: the installed binary's result differs" >&2; exit 1; }
# Uninstalling removes exactly what was installed: a file of the user's beside them stays, and nothing of
# Bellwork's is left.
touch "$work/prefix/bin/users-own-tool"
"$work/prefix/share/doc/bellwork/uninstall.sh" "$work/prefix" >/dev/null
left=$(cd "$work/prefix" && find . -type f | sort)
[ "$left" = "./bin/users-own-tool" ] || { echo "dist-check: after uninstall: $left" >&2; exit 1; }
echo "dist-check: $tarball installs into a fresh prefix and runs without Swift ($(du -h "$tarball" | cut -f1))"
