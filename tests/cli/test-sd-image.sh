#!/bin/sh
# genstudio-cli image with Stable Diffusion checkpoints (the downsized test
# models, made at build time): each layout and family draws at a size of
# its own with the A1111 options, the same seed gives the same bytes, and
# every file it must refuse is refused with a message naming what it is.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
cli=$1
models=$2
tokenizer=$3
. "$(dirname "$0")/expect.sh"
GS_MODELS_DIR="$work/models"
export GS_MODELS_DIR

png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8 }'; }

expect "single-file SD 1 without tokenizer files" 1 "$cli" image --prompt "a cat" -o "$work/a.png" \
  --model "$models/tiny-sd1.safetensors"
grep -q "tokenizer" "$work/err" || fail "no word about the missing tokenizer: $(cat "$work/err")"
[ ! -e "$work/a.png" ] || fail "a refused run wrote an image"

expect "SD 1 single file, 128x64, weights, BREAK, variation seed, clip skip" 0 "$cli" image \
  --prompt "a (red:1.3) [cat], BREAK oil painting" --negative "blurry" -o "$work/a.png" \
  --model "$models/tiny-sd1.safetensors" --tokenizer "$tokenizer" --width 128 --height 64 --steps 3 \
  --variation-seed 7 --variation-strength 0.3 --clip-skip 2
[ "$(png_size "$work/a.png")" = "128x64" ] || fail "SD 1 image is $(png_size "$work/a.png"), not 128x64"
grep -aq "Size: 128x64, Model: tiny-sd1, Variation seed: 7, Variation seed strength: 0.3, Clip skip: 2" "$work/a.png" \
  || fail "the parameters chunk lacks the SD options"
expect "the same again" 0 "$cli" image \
  --prompt "a (red:1.3) [cat], BREAK oil painting" --negative "blurry" -o "$work/b.png" \
  --model "$models/tiny-sd1.safetensors" --tokenizer "$tokenizer" --width 128 --height 64 --steps 3 \
  --variation-seed 7 --variation-strength 0.3 --clip-skip 2
cmp -s "$work/a.png" "$work/b.png" || fail "the same seed gave different bytes"

expect "SD 2 diffusers folder (its own tokenizer, v from the scheduler config), LCM" 0 "$cli" image \
  --prompt "a lighthouse" -o "$work/c.png" --model "$models/tiny-sd2-diffusers" --sampler lcm --steps 4 --cfg 1 \
  --width 64 --height 128
[ "$(png_size "$work/c.png")" = "64x128" ] || fail "SD 2 image is $(png_size "$work/c.png"), not 64x128"
grep -aq "Prediction: v" "$work/c.png" || fail "the v-prediction model's PNG does not say so"

expect "SD 1 inpainting model, outpainting 64 px to the right" 0 "$cli" image --prompt "more of it" \
  -o "$work/d.png" --model "$models/tiny-sd1-inpaint.safetensors" --tokenizer "$tokenizer" --steps 2 \
  --init "$work/a.png" --outpaint 0,64,0,0
[ "$(png_size "$work/d.png")" = "192x64" ] || fail "outpainted image is $(png_size "$work/d.png"), not 192x64"

long=$(yes cat | head -n 2600 | tr '\n' ' ')
expect "a 2,600-token prompt" 1 "$cli" image --prompt "$long" -o "$work/e.png" --model "$models/tiny-sd2-diffusers" \
  --width 64 --height 64 --steps 1
grep -q "chunks of 75 tokens long; at most 32" "$work/err" || fail "no message about the prompt's length: $(cat "$work/err")"

expect "width not a multiple of 64" 1 "$cli" image --prompt x -o "$work/e.png" \
  --model "$models/tiny-sd2-diffusers" --width 100
grep -q "multiples of 64" "$work/err" || fail "no message about the size: $(cat "$work/err")"
expect "unknown prediction" 2 "$cli" image --prompt x -o "$work/e.png" --model "$models/tiny-sd2-diffusers" \
  --prediction sample

# What GenStudio does not run, each refused with what it is (exit 1, no image).
check_refused() {
  expect "refuses $1" 1 "$cli" image --prompt x -o "$work/r.png" --model "$models/refuse/$1"
  grep -q "$2" "$work/err" || fail "$1: the message does not say \"$2\": $(cat "$work/err")"
  [ ! -e "$work/r.png" ] || fail "$1: an image was written"
}
check_refused sdxl.safetensors "SDXL"
check_refused sdxl-diffusers "SDXL"
check_refused sd3.safetensors "Stable Diffusion 3"
check_refused flux.safetensors "Flux"
check_refused lora-kohya.safetensors "LoRA"
check_refused lora-peft.safetensors "LoRA"
check_refused pickle-zip.ckpt "never unpickles"
check_refused pickle-legacy.pt "never unpickles"
check_refused pickle-zip.bin "never unpickles"
check_refused sd1-missing.safetensors "is missing 6 tensors: model.diffusion_model.input_blocks.1.1.proj_in.weight"
check_refused sd1-wrong-shape.safetensors "emb_layers.1.weight has shape \[64, 128\], expected \[128, 128\]"
check_refused truncated.safetensors "truncated"

# The models folder lists them with their families and reasons.
mkdir -p "$GS_MODELS_DIR"
ln -s "$models/tiny-sd2.safetensors" "$GS_MODELS_DIR/tiny-sd2.safetensors"
ln -s "$models/refuse/sdxl.safetensors" "$GS_MODELS_DIR/sdxl.safetensors"
ln -s "$models/tiny-sd2.safetensors" "$GS_MODELS_DIR/tiny-sd-turbo.safetensors"
expect "models list" 0 "$cli" models list
grep -q "^tiny-sd2 .*SD 2.x.*v" "$work/out" || fail "models list lacks tiny-sd2 as SD 2.x, v: $(cat "$work/out")"
grep -q "sdxl.*SDXL" "$work/out" || fail "models list does not say why sdxl is refused: $(cat "$work/out")"
grep -q "^tiny-sd-turbo .*SD-Turbo" "$work/out" || fail "an SD 2 file named turbo is not SD-Turbo: $(cat "$work/out")"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all SD image checks passed"
