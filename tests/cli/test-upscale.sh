#!/bin/sh
# genstudio-cli upscale end to end: bad input refused with a message, a
# non-zero exit and no output file; a default-model image upscaled ×4 keeps
# its parameters and gains an Upscale entry.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
cli=$1
. "$(dirname "$0")/expect.sh"

no_output() { [ ! -e "$work/out.png" ] || { fail "$1 left an output file"; rm -f "$work/out.png"; }; }
says() { grep -q "$1" "$work/err" || fail "no message with '$1'"; }

expect "missing input" 1 "$cli" upscale "$work/nope.png" -o "$work/out.png"
says "nope.png"; no_output "missing input"
head -c 3000 /dev/urandom > "$work/garbage.png"
expect "not a PNG" 1 "$cli" upscale "$work/garbage.png" -o "$work/out.png"
says "garbage.png"; no_output "not a PNG"
expect "unknown model" 2 "$cli" upscale --model huge "$work/garbage.png" -o "$work/out.png"
says "unknown model"; no_output "unknown model"
expect "unknown scale" 2 "$cli" upscale --scale 3 "$work/garbage.png" -o "$work/out.png"
says "scale"; no_output "unknown scale"
expect "no output given" 2 "$cli" upscale "$work/garbage.png"
expect "corrupt model file" 1 "$cli" upscale --model "$work/garbage.png.safetensors" "$work/garbage.png" -o "$work/out.png"
head -c 5000 /dev/urandom > "$work/bad.safetensors"
expect "garbage model file" 1 "$cli" upscale --model "$work/bad.safetensors" --scale 2 "$work/garbage.png" -o "$work/out.png"
no_output "garbage model file"

expect "an image to upscale" 0 "$cli" image --prompt "red apple" --steps 2 --seed 3 -o "$work/a.png"
expect "bad model file" 1 "$cli" upscale --model "$work/bad.safetensors" --scale 2 "$work/a.png" -o "$work/out.png"
says "bad.safetensors"; no_output "bad model file"
expect "unwritable output" 1 "$cli" upscale "$work/a.png" -o /nonexistent-dir/out.png
expect "upscale ×4 slim" 0 "$cli" upscale "$work/a.png" -o "$work/out.png"
grep -q "128×128" "$work/out" || fail "×4 of 32×32 is not 128×128: $(cat "$work/out")"
grep -a -q "Steps: 2, Sampler: Euler, CFG scale: 5, Seed: 3, Size: 32x32, Model: emoji32.*, Upscale: 4x ESRGAN-slim" \
  "$work/out.png" || fail "parameters not kept with the Upscale entry"
grep -a -q "red apple" "$work/out.png" || fail "prompt not kept"
expect "upscale ×2 medium" 0 "$cli" upscale --scale 2 --model medium "$work/a.png" -o "$work/m.png"
grep -a -q "Upscale: 2x ESRGAN-medium" "$work/m.png" || fail "no medium entry"
expect "upscale ×4 bicubic" 0 "$cli" upscale --model bicubic "$work/a.png" -o "$work/b.png"
grep -q "128×128" "$work/out" || fail "bicubic ×4 of 32×32 is not 128×128: $(cat "$work/out")"
grep -a -q "Upscale: 4x bicubic" "$work/b.png" || fail "no bicubic entry"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
