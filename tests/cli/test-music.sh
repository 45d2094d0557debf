#!/bin/sh
# genstudio-cli music end to end: three styles render to files that decode,
# stems and MIDI are written, the same seed gives the same MIDI, sections are
# listed as asked, and bad input fails with a clear message.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
cli=$1
. "$(dirname "$0")/expect.sh"

# Short pieces keep the test fast; 8 s is about three bars at these tempos.
expect "bossa nova to .ogg" 0 "$cli" music --prompt "calm bossa nova in D minor, 100 bpm, 8 seconds" --seed 1 \
  -o "$work/bossa.ogg" --stems "$work/stems" --midi "$work/bossa.mid"
grep -q "^style: bossa nova" "$work/out" || fail "no style line"
grep -q "^sections: verse 0.0 s$" "$work/out" || fail "no sections line"
grep -q "^key: D minor" "$work/out" || fail "no key line"
grep -q "^tempo: 100 bpm" "$work/out" || fail "no tempo line"
expect "techno to .flac" 0 "$cli" music --prompt "energetic techno, 8 seconds, wobbly" -o "$work/techno.flac"
grep -q "^ignored: wobbly" "$work/out" || fail "unknown word not reported"
expect "jazz waltz to .wav" 0 "$cli" music --prompt "slow waltz in F with piano and violin, 8 seconds" \
  -o "$work/waltz.wav"
grep -q "melody: acoustic grand piano" "$work/out" || fail "instrument not understood"

for f in bossa.ogg techno.flac waltz.wav; do
  seconds=$(gst-discoverer-1.0 "$work/$f" 2>/dev/null | sed -n 's/^ *Duration: 0:00:\([0-9][0-9]\).*/\1/p')
  [ -n "$seconds" ] && [ "$seconds" -ge 5 ] && [ "$seconds" -le 12 ] || fail "$f lasts ${seconds:-?} s"
done
if command -v sox >/dev/null; then
  rms=$(sox "$work/bossa.ogg" -n stat 2>&1 | sed -n 's/^RMS *amplitude: *//p')
  awk "BEGIN { exit !($rms > 0.01) }" || fail "the mix is silent (RMS $rms)"
fi
for part in drums bass chords melody; do
  [ -s "$work/stems/$part.wav" ] || fail "no stem $part.wav"
done
[ "$(ls "$work/stems" | wc -l)" -eq 4 ] || fail "stems folder holds $(ls "$work/stems" | wc -l) files, not 4"
[ "$(head -c 4 "$work/bossa.mid")" = MThd ] || fail "bossa.mid does not start with MThd"

expect "MIDI only, same seed" 0 "$cli" music --prompt "calm bossa nova in D minor, 100 bpm, 8 seconds" --seed 1 \
  --midi "$work/again.mid"
cmp -s "$work/bossa.mid" "$work/again.mid" || fail "the same seed wrote a different MIDI file"
expect "MIDI only, another seed" 0 "$cli" music --prompt "calm bossa nova in D minor, 100 bpm, 8 seconds" --seed 2 \
  --midi "$work/other.mid"
cmp -s "$work/bossa.mid" "$work/other.mid" && fail "another seed wrote the same MIDI file"
expect "asked structure" 0 "$cli" music --prompt "pop, 120 bpm, verse chorus verse chorus" --midi "$work/song.mid"
grep -q "^sections: verse 0.0 s, chorus 16.0 s, verse 32.0 s, chorus 48.0 s$" "$work/out" || fail "sections not as asked"

expect "invalid UTF-8 prompt" 2 "$cli" music --prompt "$(printf 'pop \377')" -o "$work/x.wav"
grep -q "UTF-8" "$work/err" || fail "no message about UTF-8"
expect "unknown extension" 1 "$cli" music --prompt "pop, 4 seconds" -o "$work/x.mp5"
grep -q "unknown audio format" "$work/err" || fail "no message about the format"
expect "unwritable output" 1 "$cli" music --prompt "pop, 4 seconds" -o /nonexistent-dir/x.wav
expect "tempo out of range" 1 "$cli" music --prompt "pop, 500 bpm" -o "$work/x.wav"
grep -q "bpm" "$work/err" || fail "no message about the tempo"
expect "missing soundfont" 1 env GENSTUDIO_SOUNDFONT=/nonexistent.sf2 "$cli" music --prompt "pop, 4 seconds" \
  -o "$work/x.wav"
grep -q "/nonexistent.sf2" "$work/err" || fail "no message naming the soundfont"
expect "not a soundfont" 1 env GENSTUDIO_SOUNDFONT="$0" "$cli" music --prompt "pop, 4 seconds" -o "$work/x.wav"
grep -q "not a SoundFont" "$work/err" || fail "no message about the soundfont file"
expect "no soundfont installed" 1 env -u GENSTUDIO_SOUNDFONT GENSTUDIO_SOUNDFONT_FALLBACK=0 "$cli" music \
  --prompt "pop, 4 seconds" -o "$work/x.wav"
grep -q "fluid-soundfont-gm" "$work/err" || fail "no message naming the packages"
expect "no output" 2 "$cli" music --prompt "pop"

# A sung line: the vocals stem beside the others, from text or from a file.
printf 'Sing along with me\nUnder the summer sun\n' > "$work/lyrics.txt"
expect "lyrics from a file" 0 "$cli" music --prompt "happy pop, 20 seconds" --lyrics "$work/lyrics.txt" \
  --stems "$work/sung" -o "$work/sung.wav"
grep -q "^vocals: [0-9]* syllables in [0-9]* phrases" "$work/out" || fail "no vocals line"
[ -s "$work/sung/vocals.wav" ] || fail "no vocals.wav stem"
expect "lyrics with no words" 1 "$cli" music --prompt "happy pop, 20 seconds" --lyrics " ... " -o "$work/x.wav"
grep -q "no words" "$work/err" || fail "no message about the empty lyrics"
ls "$work"/x.* >/dev/null 2>&1 && fail "refused lyrics left an output file"
ls "$work"/x.* >/dev/null 2>&1 && fail "a failed run left an output file"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
