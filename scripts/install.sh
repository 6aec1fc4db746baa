#!/usr/bin/env bash
# Installs Bellwork from its release folder (the unpacked tarball of `make dist`) into PREFIX (default
# /usr/local): bin/bellwork, man pages, bash/zsh/fish completions. It needs Debian's FFmpeg libraries:
#   apt-get install libavformat59 libavcodec59 libswscale6 libswresample4 libavutil57 libsqlite3-0 libxml2
# (Debian 12; the same packages with their own numbers elsewhere). Nothing else is changed. The files it put in
# place are listed in PREFIX/share/doc/bellwork/installed-files; PREFIX/share/doc/bellwork/uninstall.sh (or
# `make uninstall PREFIX=…`) removes them.
set -euo pipefail
prefix=${1:-${PREFIX:-/usr/local}}
here="$(cd "$(dirname "$0")" && pwd)"
install -d "$prefix/bin" "$prefix/share/man/man1" "$prefix/share/bash-completion/completions" \
           "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d" "$prefix/share/doc/bellwork"
install -m 755 "$here/bin/bellwork" "$prefix/bin/bellwork"
install -m 644 "$here"/share/man/man1/*.1 "$prefix/share/man/man1/"
install -m 644 "$here/share/bash-completion/completions/bellwork" "$prefix/share/bash-completion/completions/bellwork"
install -m 644 "$here/share/zsh/site-functions/_bellwork" "$prefix/share/zsh/site-functions/_bellwork"
install -m 644 "$here/share/fish/vendor_completions.d/bellwork.fish" "$prefix/share/fish/vendor_completions.d/bellwork.fish"
install -m 644 "$here/share/doc/bellwork/README.md" "$prefix/share/doc/bellwork/README.md"
install -m 755 "$here/uninstall.sh" "$prefix/share/doc/bellwork/uninstall.sh"
# What was installed, relative to the prefix: uninstall.sh removes these files and nothing else.
( cd "$prefix" && { echo bin/bellwork; ls share/man/man1/bellwork*.1; echo share/bash-completion/completions/bellwork;
  echo share/zsh/site-functions/_bellwork; echo share/fish/vendor_completions.d/bellwork.fish;
  echo share/doc/bellwork/README.md; echo share/doc/bellwork/uninstall.sh; } > share/doc/bellwork/installed-files )
if ! "$prefix/bin/bellwork" --version >/dev/null 2>&1; then
  echo "installed, but bellwork does not start: are Debian's FFmpeg libraries installed? (see $0)" >&2
  exit 1
fi
echo "installed $("$prefix/bin/bellwork" --version | head -1) into $prefix"
