#!/bin/sh
# genstudio-cli speak end to end: each export format decodes back to about
# the right length, both vocoders, and bad input fails with a clear message.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
cli=$1
. "$(dirname "$0")/expect.sh"

text="Hello from GenStudio."
for ext in wav flac ogg opus; do
  expect "speak to .$ext" 0 "$cli" speak --text "$text" -o "$work/hello.$ext"
  [ -s "$work/hello.$ext" ] || fail "no hello.$ext"
done
# Each export plays to its end in gst-play-1.0 (to a fake sink: CI has no sound card).
for ext in wav flac ogg opus; do
  timeout 60 gst-play-1.0 --audiosink=fakesink --no-interactive "$work/hello.$ext" >"$work/play" 2>&1
  if grep -q ERROR "$work/play" || ! grep -q "/ 0:00:0[1-3]" "$work/play"; then
    fail "gst-play-1.0 did not play hello.$ext"; cat "$work/play"
  fi
done
# A second of speech at least, under four: the sentence takes about 1.5 s.
seconds=$(gst-discoverer-1.0 "$work/hello.ogg" 2>/dev/null | sed -n 's/^ *Duration: 0:00:0\([0-9]\).*/\1/p')
[ -n "$seconds" ] && [ "$seconds" -ge 1 ] && [ "$seconds" -le 3 ] || fail "hello.ogg lasts ${seconds:-?} s"
gst-discoverer-1.0 -v "$work/hello.ogg" 2>/dev/null | grep -q "AI-generated" || fail "no AI-generated tag"
expect "neural vocoder" 0 "$cli" speak --text "$text" --vocoder neural -o "$work/neural.wav"
expect "slower, higher, another voice" 0 "$cli" speak --text "$text" --rate 0.7 --pitch 3 --voice awb -o "$work/slow.wav"
expect "formants moved down" 0 "$cli" speak --text "$text" --formants -3 -o "$work/formants.wav"
cmp -s "$work/formants.wav" "$work/hello.wav" && fail "a formant shift changed nothing"
expect "formants beyond 6 semitones" 1 "$cli" speak --text "$text" --formants 7 -o "$work/x.wav"
grep -q "formant shift" "$work/err" || fail "no message about the formant shift"
[ "$(stat -c %s "$work/slow.wav")" -gt "$(stat -c %s "$work/hello.wav")" ] || fail "rate 0.7 is not longer"
expect "a very short sentence, fast" 0 "$cli" speak --text "Oh." --rate 4 --vocoder griffinlim -o "$work/oh.wav"
expect "German through the nearest phonemes" 0 "$cli" speak --lang de --text "Guten Tag." -o "$work/de.wav"
# Languages with voices of their own speak in one of them unless told otherwise.
expect "the voices and their languages" 0 "$cli" speak --list-voices
for lang in ca cs fi it ru; do
  grep -q " $lang (the language's default)" "$work/out" || fail "no default voice for $lang listed"
done
czech=$(sed -n "s/^\([a-z_0-9]*\) *cs (the language's default)/\1/p" "$work/out")
expect "Czech in a Czech voice" 0 "$cli" speak --lang cs --text "Dobrý den, jak se máte?" -o "$work/cs.ogg"
gst-discoverer-1.0 -v "$work/cs.ogg" 2>/dev/null | grep -q "artist: $czech\$" || fail "cs.ogg is not in $czech's voice"
printf 'First line of a script.\n\nSecond paragraph.\n' > "$work/script.txt"
expect "script file" 0 "$cli" speak --file "$work/script.txt" -o "$work/script.wav"

expect "empty text" 1 "$cli" speak --text "   " -o "$work/empty.wav"
grep -q "nothing to say" "$work/err" || fail "no message for empty text"
printf 'bad \377 text\n' > "$work/bad.txt"
expect "invalid UTF-8 file" 1 "$cli" speak --file "$work/bad.txt" -o "$work/bad.wav"
grep -q "UTF-8" "$work/err" || fail "no message about UTF-8"
expect "unknown language" 1 "$cli" speak --lang xx-none --text "$text" -o "$work/x.wav"
grep -q "Unknown language" "$work/err" || fail "no message about the language"
expect "unknown voice" 1 "$cli" speak --voice nobody --text "$text" -o "$work/x.wav"
expect "unknown vocoder" 2 "$cli" speak --vocoder nope --text "$text" -o "$work/x.wav"
expect "unsupported format" 1 "$cli" speak --text "$text" -o "$work/x.mp5"
grep -q "unknown audio format" "$work/err" || fail "no message about the format"
expect "unwritable output" 1 "$cli" speak --text "$text" -o /nonexistent-dir/x.wav
expect "no output" 2 "$cli" speak --text "$text"
ls "$work"/x.* >/dev/null 2>&1 && fail "a failed run left an output file"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
