#!/bin/sh
# No network at run time: the CLI jobs (image with upscaling, upscale,
# speech, music, models list) run in a network namespace with no interfaces
# (unshare -n) and must work; under strace they must open no AF_INET or
# AF_INET6 socket. Each way is skipped, with a note, where the tool or the
# permission is missing.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
cli=$1
. "$(dirname "$0")/expect.sh"
GS_MODELS_DIR="$work/models"
export GS_MODELS_DIR

# `job NAME ARGS...` under $mode: "unshare" or "strace".
job() {
  name=$1
  shift
  if [ "$mode" = unshare ]; then
    expect "$name, no network interfaces" 0 unshare -n "$cli" "$@"
    return
  fi
  expect "$name, traced" 0 strace -f -qq -e trace=socket,connect -o "$work/trace-$name" "$cli" "$@"
  if grep -E 'AF_INET6?[^_A-Z0-9]' "$work/trace-$name" >/dev/null; then
    fail "$name opened a network socket: $(grep -E 'AF_INET6?[^_A-Z0-9]' "$work/trace-$name" | head -3)"
  else
    echo "ok: $name opened no AF_INET/AF_INET6 socket ($(grep -c 'socket(' "$work/trace-$name") of other kinds)"
  fi
}

jobs() {
  job image image --prompt "red apple" --steps 2 --upscale 2 -o "$work/apple.png"
  job upscale upscale "$work/apple.png" --scale 2 -o "$work/big.png"
  job speak speak --text "No network." --vocoder griffinlim -o "$work/take.wav"
  job music music --prompt "calm piano, 80 bpm, 4 seconds" -o "$work/song.wav"
  job models models list
}

if unshare -n true 2>/dev/null; then
  mode=unshare jobs
else
  echo "note: unshare -n is not permitted here; the namespace run is skipped"
fi
if command -v strace >/dev/null 2>&1; then
  mode=strace jobs
else
  echo "note: strace is not installed; the socket check is skipped"
fi
echo "$failures failures"
[ "$failures" -eq 0 ]
