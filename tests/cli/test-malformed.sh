#!/bin/sh
# A folder of malformed model files (tests/models/make-malformed.py: one
# flaw each — truncated, lying headers, offsets out of range, overlaps,
# wrong dtypes and shapes, duplicate or broken names, wrong families,
# broken config and vocabulary, pickles and zips renamed) refused one by one
# by image, upscale and models add: a clear message, an exit status from 1
# to 125, never a signal (GLib criticals are made fatal: a wrongly typed
# JSON node once raised one); the folder of models stays empty.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
cli=$1
maker=$2
emoji32=$3
. "$(dirname "$0")/expect.sh"
GS_MODELS_DIR="$work/models"
G_DEBUG=fatal-criticals
export GS_MODELS_DIR G_DEBUG
/usr/bin/python3 "$maker" "$emoji32" "$work/malformed" || exit 1
"$cli" image --prompt "red apple" --steps 1 -o "$work/small.png" >/dev/null 2>&1 || fail "cannot draw the input image"

# `refused WHAT COMMAND...`: exit 1–125 with a message on stderr naming the file.
refused() {
  what=$1
  shift
  "$@" >"$work/out" 2>"$work/err"
  got=$?
  if [ "$got" -eq 0 ] || [ "$got" -gt 125 ]; then
    echo "FAIL: $what: exit $got"; cat "$work/err"; failures=$((failures + 1))
  elif [ ! -s "$work/err" ]; then
    echo "FAIL: $what: exit $got with no message"; failures=$((failures + 1))
  else
    echo "ok: $what: exit $got: $(head -c 200 "$work/err" | tr '\r\n' '  ')"
  fi
}

count=0
for model in "$work"/malformed/*.safetensors; do
  name=$(basename "$model" .safetensors)
  refused "image --model $name" "$cli" image --prompt "red apple" --steps 1 --model "$model" -o "$work/out.png"
  refused "upscale --model $name" "$cli" upscale "$work/small.png" --model "$model" -o "$work/up.png"
  refused "models add $name" "$cli" models add "$model"
  count=$((count + 1))
done
[ "$count" -ge 40 ] || fail "only $count malformed models"
[ ! -e "$work/out.png" ] && [ ! -e "$work/up.png" ] || fail "an output file was written for a malformed model"
[ -z "$(ls -A "$GS_MODELS_DIR" 2>/dev/null)" ] || fail "refused models were added: $(ls -A "$GS_MODELS_DIR")"
expect "models list with nothing added" 0 "$cli" models list
echo "$count malformed models, $failures failures"
[ "$failures" -eq 0 ]
