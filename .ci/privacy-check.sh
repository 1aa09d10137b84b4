#!/usr/bin/env bash
# Privacy check: one real analysis with HOME at an empty folder, under strace. It must open no
# network socket (AF_INET/AF_INET6) and leave nothing outside its data folder and the output it
# was asked for, which must be readable by its owner only (0600).
set -uo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/home" "$work/out"
# Without CI=true, under which onnxruntime keeps quiet by itself: the package's switch must do it.
env -u CI -u ORT_DISABLE_TELEMETRY -u HF_HUB_OFFLINE -u HF_HUB_DISABLE_TELEMETRY \
    HOME="$work/home" LISTENING_COACH_HOME="$work/home/data" \
    strace -f -qq -e trace=socket,connect -o "$work/trace" \
    python -m listening_coach.cli analyze sample_audio/chores.mono.flac --names Sam,Alex \
    --json "$work/out/talk.json" >/dev/null 2>"$work/stderr" \
    || { echo "privacy check: the analysis failed:" >&2; cat "$work/stderr" >&2; exit 1; }
status=0
if grep -E 'AF_INET6?[,)]' "$work/trace" >&2; then
    echo "privacy check: FAILED, a network socket was opened (above)" >&2; status=1
fi
stray=$(find "$work/home" -mindepth 1 -not -path "$work/home/data" -not -path "$work/home/data/*")
if [ -n "$stray" ]; then
    echo "privacy check: FAILED, files written outside the data folder:" >&2; echo "$stray" >&2; status=1
fi
if [ "$(ls -A "$work/out")" != "talk.json" ] || [ "$(stat -c %a "$work/out/talk.json")" != 600 ]; then
    echo "privacy check: FAILED, the output folder holds: $(ls -lA "$work/out")" >&2; status=1
fi
[ "$status" -eq 0 ] && echo "privacy check: no network socket, nothing outside the data folder, output 0600"
exit "$status"
