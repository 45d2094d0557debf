#!/bin/sh
# A timeline with a speech take over a music bed exports to .ogg: speak and
# music make the two, genstudio-cli mix puts the take at 1 s over the bed at
# −10 dB, and the file lasts about the bed's 8 s and says it is
# AI-generated. Bad track specs and missing files fail clearly.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
cli=$1
. "$(dirname "$0")/expect.sh"

expect "speech take" 0 "$cli" speak --text "Welcome to the show." -o "$work/take.wav"
expect "music bed" 0 "$cli" music --prompt "calm ambient, 8 seconds" -o "$work/bed.wav"
expect "mix to .ogg" 0 "$cli" mix -o "$work/out.ogg" "$work/bed.wav@0:-10" "$work/take.wav@1"
grep -q "^2 tracks" "$work/out" || fail "mix did not report two tracks"
[ -s "$work/out.ogg" ] || fail "no out.ogg"
# The bed is 8 s of bars plus a second of tail; the take ends well before.
seconds=$(gst-discoverer-1.0 "$work/out.ogg" 2>/dev/null | sed -n 's/^ *Duration: 0:00:\([0-9][0-9]\).*/\1/p')
[ -n "$seconds" ] && [ "$seconds" -ge 8 ] && [ "$seconds" -le 10 ] || fail "out.ogg lasts ${seconds:-?} s"
gst-discoverer-1.0 -v "$work/out.ogg" 2>/dev/null | grep -q "AI-generated" || fail "no AI-generated tag"

expect "missing file" 1 "$cli" mix -o "$work/x.ogg" "$work/bed.wav@0" "$work/nothing.wav@1"
grep -q "nothing.wav: no such file" "$work/err" || fail "no message naming the missing file"
expect "spec without start" 2 "$cli" mix -o "$work/x.ogg" "$work/bed.wav"
grep -q "FILE@START" "$work/err" || fail "no message showing the spec's form"
expect "start not a number" 2 "$cli" mix -o "$work/x.ogg" "$work/bed.wav@soon"
expect "gain not a number" 2 "$cli" mix -o "$work/x.ogg" "$work/bed.wav@0:loud"
expect "negative start" 2 "$cli" mix -o "$work/x.ogg" "$work/bed.wav@-1"
expect "no tracks" 2 "$cli" mix -o "$work/x.ogg"
expect "no output" 2 "$cli" mix "$work/bed.wav@0"
expect "not audio" 1 "$cli" mix -o "$work/x.ogg" "$0@0"
expect "unknown extension" 1 "$cli" mix -o "$work/x.mp5" "$work/bed.wav@0"
grep -q "unknown audio format" "$work/err" || fail "no message about the format"
ls "$work"/x.* >/dev/null 2>&1 && fail "a failed run left an output file"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
