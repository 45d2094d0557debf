#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Turns the teacher utterances (tools/speech/teacher.c) into training pairs:
espeak-ng phonemes with per-phoneme durations (frames), pitch and energy,
and the 80-bin log-mel of the audio at 22.05 kHz.

flite's phones (ARPAbet) and espeak-ng's (IPA) differ, so each IPA phoneme is
mapped to the ARPAbet units it usually sounds as, the two unit sequences are
aligned by edit distance, and every flite phone's time goes to the espeak-ng
phoneme it aligned with. Pauses go to the nearest word or clause boundary."""
import argparse
import json
import os

import numpy as np
import torch

import audio

# IPA (as espeak-ng en-us writes it) → ARPAbet units (flite's names).
IPA_TO_ARPABET = {
    "p": "p", "b": "b", "t": "t", "d": "d", "k": "k", "ɡ": "g", "f": "f", "v": "v", "θ": "th", "ð": "dh",
    "s": "s", "z": "z", "ʃ": "sh", "ʒ": "zh", "h": "hh", "tʃ": "ch", "dʒ": "jh", "m": "m", "n": "n", "ŋ": "ng",
    "l": "l", "ɹ": "r", "w": "w", "j": "y", "ɾ": "t", "ʔ": "t", "n̩": "ax n", "əl": "ax l", "l̩": "l",
    "i": "iy", "iː": "iy", "ɪ": "ih", "ᵻ": "ih", "e": "ey", "eɪ": "ey", "ɛ": "eh", "æ": "ae", "a": "aa",
    "ɑː": "aa", "ɑ": "aa", "ɒ": "aa", "ɔ": "ao", "ɔː": "ao", "o": "ow", "oʊ": "ow", "ʊ": "uh", "u": "uw",
    "uː": "uw", "ʌ": "ah", "ə": "ax", "ɐ": "ax", "ɚ": "er", "ɜː": "er", "ɝ": "er", "aɪ": "ay", "aʊ": "aw",
    "ɔɪ": "oy", "oːɹ": "ao r", "ɔːɹ": "ao r", "ɑːɹ": "aa r", "ɛɹ": "eh r", "ɪɹ": "ih r", "ʊɹ": "uh r",
    "iə": "iy ax", "aɪɚ": "ay er", "aɪə": "ay ax", "aʊɚ": "aw er", "x": "k", "oː": "ao", "r": "r",
}
BOUNDARIES = (" ", ",", ".", "?", "!")
START = "^"

# Phone classes for a softer substitution cost than all-or-nothing.
VOWELS = set("iy ih ey eh ae aa ao ow uh uw ah ax er ay aw oy".split())


def units_of(phones):
    """The ARPAbet units the espeak-ng phonemes should sound as, each with the
    index of its phoneme."""
    units = []
    for i, (symbol, _) in enumerate(phones):
        if symbol in BOUNDARIES or symbol == START:
            continue
        for u in IPA_TO_ARPABET.get(symbol, "?").split():
            units.append((u, i))
    return units


def cost(a, b):
    if a == b:
        return 0.0
    if (a in VOWELS) == (b in VOWELS):
        return 0.7
    return 1.0


def align(units, segs):
    """Edit-distance alignment: for each flite segment, the unit index it
    belongs to (insertions go to the unit before)."""
    n, m = len(units), len(segs)
    d = np.zeros((n + 1, m + 1))
    d[:, 0] = np.arange(n + 1)
    d[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i, j] = min(d[i - 1, j - 1] + cost(units[i - 1][0], segs[j - 1]), d[i - 1, j] + 1, d[i, j - 1] + 1)
    owner = [0] * m
    i, j = n, m
    while j > 0:
        if i > 0 and d[i, j] == d[i - 1, j - 1] + cost(units[i - 1][0], segs[j - 1]):
            owner[j - 1] = i - 1
            i, j = i - 1, j - 1
        elif i > 0 and d[i, j] == d[i - 1, j] + 1:
            i -= 1
        else:
            owner[j - 1] = max(i - 1, 0)
            j -= 1
    return owner, d[n, m] / max(n, 1)


def boundary_between(phones, a, b):
    """Index of the pause-taking boundary between phonemes a and b: a clause
    mark before a word break, else the first word break, else a."""
    best = None
    for k in range(a + 1, b):
        if phones[k][0] in BOUNDARIES[1:]:
            return k
        if phones[k][0] == " " and best is None:
            best = k
    return best if best is not None else a


def phone_times(phones, segments):
    """Seconds each phoneme lasts; None when the alignment is too poor."""
    speech = [(name, end) for name, end in segments if name != "pau"]
    units = units_of(phones)
    owner, err = align(units, [s for s, _ in speech])
    if err > 0.35:
        return None
    seconds = np.zeros(len(phones))
    prev_end, prev_phone, k = 0.0, 0, 0
    for name, end in segments:
        length = end - prev_end
        prev_end = end
        if name == "pau":
            if k == 0:
                seconds[0] += length                      # leading silence: the start token
            elif k == len(speech):
                seconds[len(phones) - 1] += length        # trailing silence: the final mark
            else:
                nxt = units[owner[k]][1]
                seconds[boundary_between(phones, prev_phone, nxt)] += length
            continue
        prev_phone = units[owner[k]][1]
        seconds[prev_phone] += length
        k += 1
    return seconds


def training_item(u, phones, mel, f0, durations):
    """The training pair of one utterance: phonemes with their durations
    (frames), mean log2 pitch (0 when unvoiced) and mean log-mel energy."""
    edges = np.cumsum(durations)
    energy = mel.mean(0)
    pitch_ph, energy_ph = np.zeros(len(phones)), np.zeros(len(phones))
    for i, (a, b) in enumerate(zip(edges - durations, edges)):
        voiced = f0[a:b][f0[a:b] > 0]
        pitch_ph[i] = np.log2(voiced).mean() if len(voiced) else 0.0
        energy_ph[i] = energy[a:b].mean() if b > a else energy.min()
    return {"voice": u["voice"], "lang": u.get("lang", "en-us"), "text": u["text"], "phones": phones,
            "durations": durations,
            "pitch": pitch_ph, "energy": energy_ph, "mel": mel.half()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--teacher", default="/work/cache/speech/utts")
    ap.add_argument("--out", default="/work/cache/speech/dataset.pt")
    args = ap.parse_args()
    torch.set_num_threads(1)
    items, skipped = [], 0
    with open(os.path.join(args.teacher, "index.jsonl")) as f:
        lines = f.readlines()
    for line in lines:
        u = json.loads(line)
        phones = [(START, 0)] + [tuple(p) for p in u["phones"]]
        seconds = phone_times(phones, u["segments"])
        if seconds is None:
            skipped += 1
            continue
        wav = audio.read_wav_resampled(os.path.join(args.teacher, u["wav"]))
        mel = audio.log_mel(torch.from_numpy(wav))                      # [80, T]
        frames = mel.shape[1]
        edges = np.round(np.cumsum(seconds) * audio.SAMPLE_RATE / audio.HOP).astype(int)
        edges[-1] = frames
        edges = np.minimum(edges, frames)
        durations = np.diff(np.concatenate([[0], edges]))
        items.append(training_item(u, phones, mel, audio.pitch(torch.from_numpy(wav), frames), durations))
    torch.save(items, args.out)
    print(f"{len(items)} utterances, {skipped} skipped for poor alignment → {args.out}")


if __name__ == "__main__":
    main()
