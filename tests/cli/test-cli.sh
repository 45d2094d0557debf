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
grep -a -q "Steps: 4, Sampler: Euler, CFG scale: 5, Seed: 7, Size: 32x32, Model: emoji32" "$work/a.png" ||
  { echo "FAIL: parameters chunk missing"; failures=$((failures + 1)); }
expect "the model's defaults" 0 "$cli" image --prompt "red apple" --seed 7 -o "$work/d.png"
grep -a -q "Steps: 10, Sampler: Euler, CFG scale: 5" "$work/d.png" ||
  { echo "FAIL: emoji32's defaults are not plain Euler at 10 steps"; failures=$((failures + 1)); }
[ "$(ls "$work/steps" | wc -l)" -eq 4 ] || { echo "FAIL: --steps-dir did not get 4 PNGs"; failures=$((failures + 1)); }

expect "img2img with a mask" 0 "$cli" image --prompt "red heart" --steps 4 --init "$work/a.png" --strength 0.5 \
  --mask "$work/c.png" -o "$work/d.png"
grep -a -q "Denoising strength: 0.5" "$work/d.png" || { echo "FAIL: no strength in parameters"; failures=$((failures + 1)); }

# --upscale: ESRGAN after diffusion, 32² → 128², recorded in the parameters.
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ print $3 * 256 + $4 "x" $7 * 256 + $8 }'; }
expect "image --upscale 4" 0 "$cli" image --prompt "red apple" --steps 2 --seed 7 --upscale 4 -o "$work/up.png"
[ "$(png_size "$work/up.png")" = 128x128 ] || fail "--upscale 4 gave $(png_size "$work/up.png"), not 128x128"
grep -a -q "Seed: 7, Size: 32x32, Model: emoji32.*, Upscale: 4x ESRGAN-slim" "$work/up.png" ||
  fail "no Upscale entry in the parameters"
expect "image --upscale 2 medium" 0 "$cli" image --prompt "red apple" --steps 2 --seed 7 --upscale 2 \
  --upscale-model medium -o "$work/up2.png"
[ "$(png_size "$work/up2.png")" = 64x64 ] || fail "--upscale 2 gave $(png_size "$work/up2.png"), not 64x64"
grep -a -q "Upscale: 2x ESRGAN-medium" "$work/up2.png" || fail "no medium Upscale entry"
expect "image --upscale 3" 2 "$cli" image --prompt x --steps 2 --upscale 3 -o "$work/bad.png"
grep -q "upscale must be 2, 4 or 8" "$work/err" || fail "no message for --upscale 3"
expect "image --upscale-model huge" 2 "$cli" image --prompt x --steps 2 --upscale 4 --upscale-model huge -o "$work/bad.png"
grep -q "unknown --upscale-model" "$work/err" || fail "no message for an unknown upscale model"
expect "image --upscale-model alone" 2 "$cli" image --prompt x --steps 2 --upscale-model medium -o "$work/bad.png"
[ ! -e "$work/bad.png" ] || fail "a refused --upscale left an output file"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
