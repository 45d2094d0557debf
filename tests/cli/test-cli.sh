#!/bin/sh
# genstudio-cli end to end: device errors, bad input, reproducible PNGs with
# their parameters chunk, and every step written with --steps-dir.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
cli=$1
. "$(dirname "$0")/expect.sh"

expect "info lists lavapipe" 0 "$cli" info
grep -q "llvmpipe" "$work/out" || { echo "FAIL: info does not list llvmpipe"; failures=$((failures + 1)); }
expect "unknown GS_DEVICE" 1 env GS_DEVICE=nonexistent "$cli" info
grep -q "nonexistent" "$work/err" || { echo "FAIL: no message naming the device"; failures=$((failures + 1)); }
expect "no Vulkan driver" 1 env VK_ICD_FILENAMES=/nonexistent.json "$cli" info
grep -q "Vulkan" "$work/err" || { echo "FAIL: no message about Vulkan"; failures=$((failures + 1)); }
expect "unknown command" 2 "$cli" frobnicate
expect "missing model" 1 "$cli" image --prompt x --model /nonexistent.safetensors -o "$work/x.png"
head -c 5000 /dev/urandom > "$work/garbage.safetensors"
expect "garbage model" 1 "$cli" image --prompt x --model "$work/garbage.safetensors" -o "$work/x.png"
expect "invalid UTF-8 prompt" 2 "$cli" image --prompt "$(printf 'bad \377 text')" --steps 2 -o "$work/x.png"
expect "unknown sampler" 2 "$cli" image --prompt x --sampler nope -o "$work/x.png"
expect "unwritable output" 1 "$cli" image --prompt x --steps 2 -o /nonexistent-dir/x.png
[ ! -e "$work/x.png" ] || { echo "FAIL: a failed run left an output file"; failures=$((failures + 1)); }

expect "image, seed 7" 0 "$cli" image --prompt "red apple" --steps 4 --seed 7 --steps-dir "$work/steps" -o "$work/a.png"
expect "same again" 0 "$cli" image --prompt "red apple" --steps 4 --seed 7 -o "$work/b.png"
cmp -s "$work/a.png" "$work/b.png" || { echo "FAIL: same seed gave different PNG bytes"; failures=$((failures + 1)); }
expect "another seed" 0 "$cli" image --prompt "red apple" --steps 4 --seed 8 -o "$work/c.png"
cmp -s "$work/a.png" "$work/c.png" && { echo "FAIL: different seeds gave the same PNG"; failures=$((failures + 1)); }
grep -a -q "Steps: 4, Sampler: Euler a, CFG scale: 5, Seed: 7, Size: 32x32, Model: emoji32" "$work/a.png" ||
  { echo "FAIL: parameters chunk missing"; failures=$((failures + 1)); }
[ "$(ls "$work/steps" | wc -l)" -eq 4 ] || { echo "FAIL: --steps-dir did not get 4 PNGs"; failures=$((failures + 1)); }

expect "img2img with a mask" 0 "$cli" image --prompt "red heart" --steps 4 --init "$work/a.png" --strength 0.5 \
  --mask "$work/c.png" -o "$work/d.png"
grep -a -q "Denoising strength: 0.5" "$work/d.png" || { echo "FAIL: no strength in parameters"; failures=$((failures + 1)); }

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
