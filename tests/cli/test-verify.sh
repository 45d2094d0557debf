#!/bin/sh
# genstudio-cli verify and the marks every exporter leaves: images (with and
# without a watermark by size), an upscale, speech, music and a mix are
# found; a plain picture is not; exit codes 0, 1 and 2.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
cli=$1
. "$(dirname "$0")/expect.sh"
export GENSTUDIO_INSTALL_ID=5eed1d
data="$(dirname "$0")/../../data"

found() { # DESCRIPTION FILE PATTERN: verify exits 0 and prints PATTERN
  expect "verify $1" 0 "$cli" verify "$2"
  grep -q "$3" "$work/out" || { fail "verify $1: no '$3' in"; cat "$work/out"; }
}

# The GAN is one pass: a 32² image, metadata only, then ×8 to 256², watermarked.
expect "a small image" 0 "$cli" image --model gan-emoji32 --prompt "red apple" --seed 3 -o "$work/small.png"
found "a 32² image" "$work/small.png" "metadata only"
grep -q "trainedAlgorithmicMedia; GenStudio" "$work/out" || fail "no source type in the metadata"
expect "a 256² image" 0 "$cli" image --model gan-emoji32 --prompt "red apple" --seed 3 --upscale 8 -o "$work/big.png"
found "a 256² image" "$work/big.png" "watermark: found.*install 005eed1d"
expect "an upscale of someone's image" 0 "$cli" upscale --model bicubic --scale 8 "$data/screenshots/red-apple-seed42.png" \
  -o "$work/upscaled.png"
found "an upscale" "$work/upscaled.png" "compositeWithTrainedAlgorithmicMedia"
grep -q "watermark: found" "$work/out" || fail "the upscale carries no watermark"

expect "speech to Opus" 0 "$cli" speak --text "A short sentence to mark. And a second one, so that the take lasts a while." \
  -o "$work/take.opus"
found "an Opus take" "$work/take.opus" "watermark: found.*install eed1d"
expect "music" 0 "$cli" music --prompt "calm piano, 90 bpm, 6 seconds" --seed 1 -o "$work/music.ogg"
found "a music render" "$work/music.ogg" "watermark: found"
expect "a mix" 0 "$cli" mix -o "$work/mix.flac" "$work/music.ogg@0:-6" "$work/take.opus@1"
found "a mix" "$work/mix.flac" "watermark: found"

expect "verify a plain picture" 1 "$cli" verify "$data/screenshots/red-apple-seed42.png"
grep -q "watermark: not found" "$work/out" || fail "no 'not found' for a plain picture"
expect "verify a marked and a plain file" 1 "$cli" verify "$work/big.png" "$data/screenshots/red-apple-seed42.png"
printf 'not media\n' > "$work/notes.txt"
expect "verify a text file" 2 "$cli" verify "$work/notes.txt"
grep -q "unreadable" "$work/out" || fail "no 'unreadable' for a text file"
expect "verify a missing file" 2 "$cli" verify "$work/missing.png"
expect "verify without files" 2 "$cli" verify

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
