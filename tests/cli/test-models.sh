#!/bin/sh
# genstudio-cli models: list (the built-in model, copies, links, a refused
# file with its reason), add by copy and by link, remove (a link never its
# target), add-tokenizer, and image --model NAME through the models folder.
# Uses emoji32 under other names; GS_TEST_SD_MODEL (a .safetensors file or
# diffusers folder) is added and listed as well when set.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
cli=$1
emoji32=$2
. "$(dirname "$0")/expect.sh"
GS_MODELS_DIR="$work/models"
export GS_MODELS_DIR
mkdir "$work/mine"

expect "models without a command" 2 "$cli" models
expect "models, unknown command" 2 "$cli" models frobnicate
expect "list, no folder yet" 0 "$cli" models list
grep -q "^emoji32 .*GenStudio .*built-in" "$work/out" || fail "list does not show the built-in emoji32: $(cat "$work/out")"

cp "$emoji32" "$work/mine/emoji-copy.safetensors"
expect "add a copy" 0 "$cli" models add "$work/mine/emoji-copy.safetensors"
grep -q "emoji-copy — GenStudio" "$work/out" || fail "add does not name the family: $(cat "$work/out")"
cmp -s "$emoji32" "$GS_MODELS_DIR/emoji-copy.safetensors" || fail "the copy differs from the original"
[ -z "$(ls -A "$GS_MODELS_DIR" | grep '^\.')" ] || fail "a temporary file was left in the folder"
expect "add the same name again" 1 "$cli" models add "$work/mine/emoji-copy.safetensors"
grep -q "already" "$work/err" || fail "no message about the name being taken"

cp "$emoji32" "$work/mine/emoji-linked.safetensors"
expect "add a link" 0 "$cli" models add --link "$work/mine/emoji-linked.safetensors"
[ -L "$GS_MODELS_DIR/emoji-linked.safetensors" ] || fail "--link did not make a link"

head -c 3000 /dev/urandom > "$work/mine/garbage.safetensors"
expect "add a broken file" 1 "$cli" models add "$work/mine/garbage.safetensors"
[ ! -e "$GS_MODELS_DIR/garbage.safetensors" ] || fail "a refused file was copied"
printf 'not a pickle, but named like one' > "$GS_MODELS_DIR/old.ckpt"
cp "$work/mine/garbage.safetensors" "$GS_MODELS_DIR/garbage.safetensors"
echo "notes" > "$GS_MODELS_DIR/readme.txt"

expect "list" 0 "$cli" models list
cat "$work/out"
grep -q "^emoji-copy .*GenStudio .*5\.1 MB .*copy" "$work/out" || fail "list does not show the copy with family and size"
grep -q "^emoji-linked .*GenStudio .*link" "$work/out" || fail "list does not show the link"
grep -q "^garbage .*refused: ." "$work/out" || fail "list does not give the reason a broken file is refused"
grep -q "^old.ckpt .*refused: ." "$work/out" || fail "list does not give the reason a pickle is refused"
grep -q "readme" "$work/out" && fail "list shows a file that is not a model"
grep -q "CLIP tokenizer files: none" "$work/out" || fail "list does not say the tokenizer files are missing"

expect "image --model NAME" 0 "$cli" image --model emoji-copy --prompt "red apple" --steps 2 -o "$work/a.png"
grep -a -q "Model: emoji-copy" "$work/a.png" || fail "the PNG does not name the model"
expect "image --model PATH" 0 "$cli" image --model "$work/mine/emoji-linked.safetensors" --prompt "red apple" \
  --steps 2 -o "$work/b.png"
cmp -s "$work/a.png" "$work/b.png" && fail "two model names gave identical PNGs (the name is in the parameters)"
expect "image --model unknown" 1 "$cli" image --model nothing-like-it --prompt x --steps 2 -o "$work/x.png"
grep -q "no model named" "$work/err" || fail "no message naming the missing model"
expect "image --model refused" 1 "$cli" image --model garbage --prompt x --steps 2 -o "$work/x.png"

expect "remove the built-in model" 1 "$cli" models remove emoji32
expect "remove an unknown model" 1 "$cli" models remove nothing-like-it
expect "remove the link" 0 "$cli" models remove emoji-linked
[ ! -e "$GS_MODELS_DIR/emoji-linked.safetensors" ] && [ ! -L "$GS_MODELS_DIR/emoji-linked.safetensors" ] ||
  fail "the link is still there"
cmp -s "$emoji32" "$work/mine/emoji-linked.safetensors" || fail "removing the link touched its target"
expect "remove the copy" 0 "$cli" models remove emoji-copy
[ ! -e "$GS_MODELS_DIR/emoji-copy.safetensors" ] || fail "the copy is still there"
[ -e "$work/mine/emoji-copy.safetensors" ] || fail "removing the copy touched the original"

# Tokenizer files: from a diffusers folder's tokenizer/, and a .gz vocabulary.
mkdir -p "$work/sd/tokenizer"
printf '{"i": 0, "n": 1, "in</w>": 2, "<|startoftext|>": 3, "<|endoftext|>": 4}' > "$work/sd/tokenizer/vocab.json"
printf '#version: 0.2\ni n\n' > "$work/sd/tokenizer/merges.txt"
expect "add-tokenizer, nothing there" 1 "$cli" models add-tokenizer "$work/mine"
expect "add-tokenizer from a diffusers folder" 0 "$cli" models add-tokenizer "$work/sd"
[ -f "$GS_MODELS_DIR/tokenizers/clip/vocab.json" ] && [ -f "$GS_MODELS_DIR/tokenizers/clip/merges.txt" ] ||
  fail "vocab.json and merges.txt were not copied"
printf '"bpe_simple_vocab_16e6.txt#version: 0.2\ni n\nt h\n' | gzip > "$work/vocab.txt.gz"
expect "add-tokenizer from a .gz" 0 "$cli" models add-tokenizer "$work/vocab.txt.gz"
cmp -s "$work/vocab.txt.gz" "$GS_MODELS_DIR/tokenizers/clip/bpe_simple_vocab_16e6.txt.gz" ||
  fail "the .gz was not stored under CLIP's name"
expect "list with tokenizer files" 0 "$cli" models list
grep -q "CLIP tokenizer files: $GS_MODELS_DIR/tokenizers/clip" "$work/out" || fail "list does not show the tokenizer files"
grep -q "^tokenizers" "$work/out" && fail "the tokenizers folder is listed as a model"

if [ -n "${GS_TEST_SD_MODEL:-}" ]; then
  expect "add GS_TEST_SD_MODEL" 0 "$cli" models add --link "$GS_TEST_SD_MODEL"
  expect "list with an SD model" 0 "$cli" models list
  grep -q " SD" "$work/out" || fail "the SD model is not listed with an SD family: $(cat "$work/out")"
else
  echo "GS_TEST_SD_MODEL is not set: no SD checkpoint tried"
fi

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
