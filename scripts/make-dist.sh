#!/usr/bin/env bash
# Builds the release tarball: `make dist`. The Swift runtime is linked in (--static-swift-stdlib), so the
# binary needs only Debian's FFmpeg, SQLite and libxml2 libraries, not a Swift toolchain.
#   dist/bellwork-VERSION-linux-ARCH.tar.gz holding bin/bellwork, a man page per command (swift-argument-
#   parser's manual plugin), completions for bash, zsh and fish, README.md, install.sh and uninstall.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib --product bellwork --scratch-path .build-static
bin=.build-static/release/bellwork
version=$("$bin" --version | head -1)
name="bellwork-$version-linux-$(uname -m)"
stage="dist/$name"
rm -rf "$stage" "dist/$name.tar.gz"
mkdir -p "$stage/bin" "$stage/share/man/man1" "$stage/share/bash-completion/completions" \
         "$stage/share/zsh/site-functions" "$stage/share/fish/vendor_completions.d" "$stage/share/doc/bellwork"
cp "$bin" "$stage/bin/bellwork"
if command -v strip >/dev/null; then strip "$stage/bin/bellwork"; fi
swift package plugin generate-manual --multi-page --authors "the Bellwork team" >/dev/null
cp .build/plugins/GenerateManual/outputs/bellwork/*.1 "$stage/share/man/man1/"
"$bin" --generate-completion-script bash > "$stage/share/bash-completion/completions/bellwork"
"$bin" --generate-completion-script zsh > "$stage/share/zsh/site-functions/_bellwork"
"$bin" --generate-completion-script fish > "$stage/share/fish/vendor_completions.d/bellwork.fish"
cp README.md "$stage/share/doc/bellwork/"
cp scripts/install.sh "$stage/install.sh"
cp scripts/uninstall.sh "$stage/uninstall.sh"
tar -C dist -czf "dist/$name.tar.gz" "$name"
echo "dist/$name.tar.gz"
