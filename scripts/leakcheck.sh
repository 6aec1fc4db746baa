#!/usr/bin/env bash
# Valgrind over the media layer's decode loop and its error paths. Valgrind 3.19 cannot read the DWARF 5
# that Swift emits by default, so this builds with DWARF 4 into its own folder. Fails on any definite or
# indirect leak. (Uninitialised-value reports are off: the Swift runtime's metadata setup trips them.)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --scratch-path .build-leak --product bellwork -Xswiftc -dwarf-version=4 -Xcc -gdwarf-4 >/dev/null
bin=.build-leak/debug/bellwork
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=20" -f lavfi -i "sine=duration=20" \
  -c:v libx264 -preset veryfast -bf 3 -pix_fmt yuv420p -c:a aac -shortest "$work/lesson.mp4"
# Over a minute: analyze decodes the later half of the video on a second thread (MediaIO's VideoStretch).
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=320x180:rate=30:duration=70" -f lavfi -i "sine=duration=70" \
  -c:v libx264 -preset veryfast -bf 3 -g 60 -pix_fmt yuv420p -c:a aac -shortest "$work/long.mp4"
printf '#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nsegment.ts\n' > "$work/playlist.mp4"
status=0
run() {
  local log="$work/valgrind.log"
  valgrind --leak-check=full --undef-value-errors=no --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=99 "$@" >/dev/null 2>"$log" || true
  local lost
  lost=$(grep -E "definitely lost|indirectly lost" "$log" | sed 's/==[0-9]*== *//' | tr '\n' ' ')
  if grep -q "ERROR SUMMARY: 0 errors" "$log"; then echo "ok    ${*:2}: ${lost:-no leaks}"; else echo "LEAK  ${*:2}: $lost"; status=1; fi
}
run "$bin" decode "$work/lesson.mp4"
run "$bin" decode --rate 0 "$work/lesson.mp4"
run "$bin" decode --skip-nonref "$work/lesson.mp4"
run "$bin" decode --skip-bframes "$work/lesson.mp4"
run "$bin" analyze "$work/long.mp4" --format json --quiet
run "$bin" decode Fixtures/media/jsonize__iphone_rotated_iPhone4S.mov
run "$bin" probe Fixtures/media/DERIVED_iphone_rotated_first80000bytes_moov_missing.mov
run "$bin" probe "$work/playlist.mp4"
exit $status
