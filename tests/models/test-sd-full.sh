#!/bin/sh
# The slow suite's full-size SD 1.5: writes a random-weight checkpoint with
# the real names in both layouts (tools/sd/make_checkpoint.py, ~20 s) and
# PyTorch's output of UNet calls (tools/sd/unet_call.py, ~30 s) into the
# build folder — never into the project — then runs test-sd-full on them.
# Its 49,408-token text encoder needs CLIP's own vocabulary, which only
# ../shared holds: without it the test is skipped, saying so.
#   test-sd-full.sh TEST_BINARY TOOLS_DIR WORK_DIR CLIP_VOCAB
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
bin=$1 tools=$2 dir=$3 vocab=$4
if [ ! -f "$vocab" ]; then
  echo "SKIP: CLIP's vocabulary $vocab is absent (it is never copied into the project)"
  exit 77
fi
python=/usr/bin/python3
mkdir -p "$dir"
if [ ! -f "$dir/sd15-random.safetensors" ] || [ ! -d "$dir/sd15-random-diffusers" ]; then
  "$python" "$tools/make_checkpoint.py" --family sd1 --size full --dtype f16 --layout both --out "$dir/sd15-random"
fi
for size in 64 16; do
  if [ ! -f "$dir/unet$size.safetensors" ]; then
    "$python" "$tools/unet_call.py" --checkpoint "$dir/sd15-random.safetensors" --size "$size" \
      --out "$dir/unet$size.tmp.safetensors"
    mv "$dir/unet$size.tmp.safetensors" "$dir/unet$size.safetensors"
  fi
done
exec "$bin" "$dir/sd15-random.safetensors" "$dir/sd15-random-diffusers" "$dir/unet64.safetensors" \
  "$dir/unet16.safetensors" "$vocab"
