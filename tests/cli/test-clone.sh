#!/bin/sh
# genstudio-cli clone end to end, with a voice the speech model never
# heard: festival's ked diphone voice reads the issued consent sentence
# (made here, at run time) and the clone succeeds; then the refusals: the id
# used again, another sentence, the random phrase missing or wrong, an
# unknown id, silence, a file that is not audio — none writes a voice.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
cli=$1
. "$(dirname "$0")/expect.sh"
export XDG_DATA_HOME="$work/data"

# Issues a sentence for NAME: sets $id, $sentence and $phrase.
issue() {
  expect "a consent sentence for $1" 0 "$cli" clone --new-consent --name "$1"
  id=$(sed -n 's/^Consent id: //p' "$work/out")
  sentence=$(sed -n 's/^    //p' "$work/out")
  phrase=$(printf '%s' "$sentence" | sed 's/.*My phrase is \(.*\)\.$/\1/')
  [ ${#id} -eq 16 ] && [ -n "$phrase" ] || fail "no id or phrase in: $(cat "$work/out")"
}
# Festival's ked (US male diphone voice) reads $1 into $2.
read_aloud() {
  printf '%s\n' "$1" > "$work/script.txt"
  text2wave -eval "(voice_ked_diphone)" "$work/script.txt" -o "$2" || fail "festival could not read: $1"
}

issue "Ann Smith"
printf '%s' "$sentence" | grep -q "^I, Ann Smith, agree that GenStudio may create a synthetic copy of my voice" ||
  fail "unexpected sentence: $sentence"
read_aloud "$sentence" "$work/consent.wav"
expect "clone from the consent recording" 0 "$cli" clone --consent-id "$id" --recording "$work/consent.wav" \
  -o "$work/ann.gsvoice"
ann_id=$id
grep -q '"blend"' "$work/ann.gsvoice" && grep -q "\"id\" : \"$ann_id\"" "$work/ann.gsvoice" &&
  grep -q '"speaker_embedding"' "$work/ann.gsvoice" ||
  fail "the voice file lacks its blend, speaker embedding or consent id"
expect "the id used again" 1 "$cli" clone --consent-id "$id" --recording "$work/consent.wav" -o "$work/again.gsvoice"
grep -q "used already" "$work/err" || fail "no message about the used id"

issue "Ann Smith"
read_aloud "The quick brown fox jumps over the lazy dog. Then it runs into the forest and hides under a tree." \
  "$work/other.wav"
expect "another sentence" 1 "$cli" clone --consent-id "$id" --recording "$work/other.wav" -o "$work/x.gsvoice"
grep -q "not the consent sentence" "$work/err" || fail "no message about the sentence"
read_aloud "$(printf '%s' "$sentence" | sed 's/ My phrase is .*//')" "$work/no-phrase.wav"
expect "the random phrase missing" 1 "$cli" clone --consent-id "$id" --recording "$work/no-phrase.wav" \
  -o "$work/x.gsvoice"
grep -q "phrase" "$work/err" || fail "no message about the phrase"
# Four other words of the pool in place of the issued phrase.
other=$(for w in violin meadow lantern copper falcon pebble; do
  printf '%s' " $phrase " | grep -q " $w " || printf '%s ' "$w"; done | cut -d' ' -f1-4)
read_aloud "$(printf '%s' "$sentence" | sed "s/My phrase is .*/My phrase is $other./")" "$work/wrong-phrase.wav"
expect "a wrong random phrase" 1 "$cli" clone --consent-id "$id" --recording "$work/wrong-phrase.wav" \
  -o "$work/x.gsvoice"
grep -q "random phrase" "$work/err" || fail "no message about the random phrase"
sox -n -r 16000 -c 1 "$work/silence.wav" trim 0 8
expect "silence" 1 "$cli" clone --consent-id "$id" --recording "$work/silence.wav" -o "$work/x.gsvoice"
grep -q "silent" "$work/err" || fail "no message about silence"
printf 'not audio' > "$work/junk.wav"
expect "a file that is not audio" 1 "$cli" clone --consent-id "$id" --recording "$work/junk.wav" -o "$work/x.gsvoice"
expect "an unknown id" 1 "$cli" clone --consent-id 0000000000000000 --recording "$work/consent.wav" \
  -o "$work/x.gsvoice"
grep -q "Unknown consent id" "$work/err" || fail "no message about the unknown id"
expect "a name with digits" 1 "$cli" clone --new-consent --name "R2D2"
expect "options mixed" 2 "$cli" clone --new-consent --name Ann --consent-id "$id"
[ -e "$work/x.gsvoice" ] || [ -e "$work/again.gsvoice" ] && fail "a refusal wrote a voice file"

# Speaking with the clone: the output names the consent record and carries the watermark.
expect "speak with the cloned voice" 0 "$cli" speak --voice-file "$work/ann.gsvoice" \
  --text "This is a cloned voice, made with consent." -o "$work/cloned.ogg"
gst-discoverer-1.0 -v "$work/cloned.ogg" 2>/dev/null | grep -q "consent (id $ann_id" ||
  fail "the output does not name the consent record"
expect "the watermark is found" 0 "$cli" verify "$work/cloned.ogg"
# Singing with a cloned voice: the song and its vocals stem name the
# consent record. The fitted blend differs from run to run and some blends
# hold no sung pitch (app/voice/README.md), so the song uses ann's consent
# record with a fixed blend that sings.
sed 's/"slt" : [0-9.e-]*/"slt" : 1.0/; s/"awb" : [0-9.e-]*/"awb" : 0.0/; s/"kal16" : [0-9.e-]*/"kal16" : 0.0/;
     s/"rms" : [0-9.e-]*/"rms" : 0.0/; s/"slt_hts" : [0-9.e-]*/"slt_hts" : 0.0/' "$work/ann.gsvoice" > "$work/singer.gsvoice"
expect "a song sung by a cloned voice" 0 "$cli" music --prompt "happy pop, 8 seconds" --lyrics "hello the morning" \
  --voice-file "$work/singer.gsvoice" -o "$work/song.ogg" --stems "$work/stems"
for f in song.ogg stems/vocals.wav; do
  gst-discoverer-1.0 -v "$work/$f" 2>/dev/null | grep -q "consent (id $ann_id" ||
    fail "$f does not name the consent record"
done
expect "a cloned singer without lyrics" 2 "$cli" music --prompt "pop" --voice-file "$work/ann.gsvoice" -o "$work/x.ogg"
printf '{"format":"genstudio-voice","version":1}' > "$work/broken.gsvoice"
expect "a broken voice file" 1 "$cli" speak --voice-file "$work/broken.gsvoice" --text "Hi." -o "$work/x.wav"
sed 's/"rms" :/"nobody" :/' "$work/ann.gsvoice" > "$work/other-model.gsvoice"
expect "a voice blending a voice the model lacks" 1 "$cli" speak --voice-file "$work/other-model.gsvoice" \
  --text "Hi." -o "$work/x.wav"
grep -q "fitted to another speech model" "$work/err" || fail "no message about the other model"
expect "both --voice and --voice-file" 2 "$cli" speak --voice awb --voice-file "$work/ann.gsvoice" --text "Hi." \
  -o "$work/x.wav"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
