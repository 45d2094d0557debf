#!/bin/sh
# Renders the ten sample prompts of app/music/README.md to data/samples/
# (Ogg Opus, at most 10 s each with the tail) and prints their measured features as the README's
# table rows. Run from the source tree after building into ./build.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
cli=build/app/cli/genstudio-cli
measure=build/tests/measure-music
out=data/samples

sample() { # NAME PROMPT
  "$cli" music --prompt "$2" -o "$out/$1.opus" >/dev/null
  "$measure" "$2" "$out/$1.opus"
}

echo "| prompt | style | planned bpm | heard bpm | onsets/s | centroid Hz | RMS | sections (s) | ignored |"
echo "|---|---|---|---|---|---|---|---|---|"
sample punk "energetic punk rock, 8 seconds"
sample disco "funky disco with slap bass, 8 seconds"
sample drone "slow ambient drone, 6 seconds"
sample trance "trance, intro build drop, 8 seconds"
sample salsa "salsa with piano and trumpet, 8 seconds"
sample afrobeat "afrobeat with brass, 8 seconds"
sample jazz "swing jazz with tenor sax, 8 seconds"
sample bluegrass "bluegrass with banjo and fiddle, 8 seconds"
sample cinematic "epic cinematic trailer, 8 seconds"
sample chiptune "happy 8-bit video game music, 8 seconds"
