#!/bin/sh
# genstudio-cli image with the GAN: one image per seed, reproducible, with
# its parameters; ×4 upscale; diffusion-only options and broken files
# refused with a message and no output; listed by `models list`.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
cli=$1
. "$(dirname "$0")/expect.sh"
GS_MODELS_DIR="$work/models"
export GS_MODELS_DIR

no_output() { [ ! -e "$work/out.png" ] || { fail "$1 left an output file"; rm -f "$work/out.png"; }; }
says() { grep -q -- "$1" "$work/err" || fail "no message with '$1': $(cat "$work/err")"; }
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ print $3 * 256 + $4 "x" $7 * 256 + $8 }'; }

expect "GAN image" 0 "$cli" image --model gan-emoji32 --prompt "red apple" --seed 5 -o "$work/a.png"
[ "$(png_size "$work/a.png")" = "32x32" ] || fail "GAN image is $(png_size "$work/a.png"), not 32x32"
grep -a -q "Generator: GAN (one forward pass), Seed: 5, Size: 32x32, Model: gan-emoji32" "$work/a.png" ||
  fail "GAN parameters missing"
expect "same seed again" 0 "$cli" image --model gan-emoji32 --prompt "red apple" --seed 5 -o "$work/b.png"
cmp -s "$work/a.png" "$work/b.png" || fail "the same seed gave a different image"
expect "another seed" 0 "$cli" image --model gan-emoji32 --prompt "red apple" --seed 6 -o "$work/c.png"
cmp -s "$work/a.png" "$work/c.png" && fail "another seed gave the same image"
expect "GAN then ×4" 0 "$cli" image --model gan-emoji32 --prompt "dog face" --upscale 4 -o "$work/u.png"
[ "$(png_size "$work/u.png")" = "128x128" ] || fail "upscaled GAN image is $(png_size "$work/u.png")"
grep -a -q "Model: gan-emoji32, Upscale: 4x ESRGAN-slim" "$work/u.png" || fail "no Upscale entry"

for option in "--steps 5" "--cfg 3" "--negative blue" "--width 64" "--sampler euler"; do
  # shellcheck disable=SC2086
  expect "GAN with $option" 2 "$cli" image --model gan-emoji32 --prompt "sun" $option -o "$work/out.png"
  says "${option%% *} is for diffusion models"; no_output "$option"
done

head -c 4000 /dev/urandom > "$work/broken.safetensors"
expect "a broken file as the model" 1 "$cli" image --model "$work/broken.safetensors" --prompt "sun" -o "$work/out.png"
no_output "broken file"

expect "models list" 0 "$cli" models list
grep -q "^gan-emoji32 .*GenStudio GAN .*built-in" "$work/out" || fail "list lacks the GAN: $(cat "$work/out")"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
