#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Intelligibility without a speech recogniser for the language: a
phoneme round trip. A small phoneme classifier is trained on the teacher
voices' recordings of the language (their training data, frames labelled
by align.py's durations; log-mel with the utterance's mean taken off, ±6
frames of context). Each system then reads the same unseen sentences
(data/bench/languages/LANG.txt); espeak-ng's phonemes of each sentence are
aligned to the recording (monotonic alignment search on the classifier's
scores) and every aligned phoneme is classified by the classifier alone.
The phoneme error rate is the share classified as another phoneme. The
teachers set the scale: the classifier learned their voices, so their
error rate is the floor; espeak-ng (formant synthesis, the right phonemes,
another sound) shows what a different voice costs.

  roundtrip.py LANG... --data DATASET...   (run from the source tree, after building)"""
import argparse
import json
import os
import subprocess
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

import align
import audio
import festival_teacher
import prepare

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
MIN_FRAMES = 300   # rarer phonemes (a foreign word's) are not classified
CONTEXT = (-6, -4, -2, 0, 2, 4, 6)
STEPS = 3000
PAUSE = "<pause>"


def normalised_mel(path):
    mel = audio.log_mel(torch.from_numpy(audio.read_wav_resampled(path)))
    return mel - mel.mean(1, keepdim=True)


def context(mel):
    """[80, T] → [T, 80·len(CONTEXT)]: each frame with its neighbours."""
    padded = F.pad(mel[None], (CONTEXT[-1], CONTEXT[-1]), mode="replicate")[0]
    t = mel.shape[1]
    return torch.cat([padded[:, CONTEXT[-1] + o:CONTEXT[-1] + o + t] for o in CONTEXT]).T


def train_classifier(items):
    """A frame classifier over the phonemes with enough frames, plus PAUSE
    (the frames of the start token and of the word and clause marks)."""
    features, labels, names = [], [], {}
    for it in items:
        mel = it["mel"].float()
        x = context(mel - mel.mean(1, keepdim=True))
        symbols = [PAUSE if s in align.SKIPPABLE else s for s, _ in it["phones"]]
        for s in symbols:
            names.setdefault(s, len(names))
        features.append(x)
        labels.append(torch.repeat_interleave(torch.tensor([names[s] for s in symbols]),
                                              torch.from_numpy(it["durations"])))
    x, y = torch.cat(features), torch.cat(labels)
    counts = torch.bincount(y, minlength=len(names))
    keep = counts >= MIN_FRAMES
    remap = torch.cumsum(keep.long(), 0) - 1
    symbols = [s for s, i in names.items() if keep[i]]
    x, y = x[keep[y]], remap[y[keep[y]]]
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 256), torch.nn.ReLU(), torch.nn.Linear(256, len(symbols)))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    for _ in range(STEPS):
        batch = torch.randint(0, len(y), (1024,))
        loss = F.cross_entropy(net(x[batch]), y[batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
    prior = torch.log(torch.bincount(y, minlength=len(symbols)).float() / len(y))
    return net.eval(), symbols, prior


@torch.no_grad()
def phoneme_errors(path, phones, classifier):
    """(phonemes classified as another, phonemes) for one recording."""
    net, symbols, prior = classifier
    mel = normalised_mel(path)
    scores = torch.log_softmax(net(context(mel)), 1) - prior  # scaled likelihoods, [T, P]
    index = {s: i for i, s in enumerate(symbols)}
    rows = [index.get(PAUSE if p in align.SKIPPABLE else p, index[PAUSE]) for p, _ in phones]
    ll = scores.T[rows][None]
    skippable = torch.tensor([[p in align.SKIPPABLE for p, _ in phones]])
    durations = align.best_paths(ll, skippable, torch.tensor([len(phones)]), torch.tensor([mel.shape[1]]))[0]
    edges = np.cumsum(durations)
    errors = count = 0
    for (symbol, _), a, b in zip(phones, edges - durations, edges):
        if symbol in align.SKIPPABLE or symbol not in index or b == a:
            continue
        count += 1
        errors += symbols[int(scores[a:b].sum(0).argmax())] != symbol  # PAUSE counts as wrong
    return errors, count


def recordings(lang, sentences_path, workdir, cli, phonemes):
    """System name → [(WAV path, its phonemes)]: ours and espeak-ng read
    all the sentences in one run (one recording), each teacher sentence by
    sentence."""
    with open(sentences_path, encoding="utf-8") as f:
        sentences = [s.strip() for s in f if s.strip()]
    everything = [p for sentence in phonemes for p in sentence]
    ours, espeak = os.path.join(workdir, "ours.wav"), os.path.join(workdir, "espeak.wav")
    subprocess.run([cli, "speak", "--lang", lang, "--file", sentences_path, "-o", ours], check=True,
                   capture_output=True)
    subprocess.run(["espeak-ng", "-v", lang, "-f", sentences_path, "-w", espeak], check=True)
    systems = {"GenStudio (default voice)": [(ours, everything)]}
    for voice, (_, voice_lang, _, _) in festival_teacher.VOICES.items():
        if voice_lang == lang:
            names = festival_teacher.synthesize(voice, sentences, workdir)
            systems[f"festival {voice} (teacher)"] = [(os.path.join(workdir, n), p) for n, p in zip(names, phonemes)]
    systems["espeak-ng"] = [(espeak, everything)]
    return systems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("langs", nargs="+")
    ap.add_argument("--data", nargs="+", required=True, help="train.py's datasets (the teachers' aligned frames)")
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "app", "cli", "genstudio-cli"))
    ap.add_argument("--teacher", default="/work/cache/speech/teacher", help="tools/speech/teacher.c, built")
    args = ap.parse_args()
    torch.set_num_threads(1)
    items = [item for path in args.data for item in torch.load(path)]
    print("| language | system | phoneme error rate |\n|---|---|---|")
    for lang in args.langs:
        classifier = train_classifier([it for it in items if it.get("lang", "en-us") == lang])
        sentences_path = os.path.join(ROOT, "data", "bench", "languages", f"{lang}.txt")
        with tempfile.TemporaryDirectory() as workdir:
            out = subprocess.run([args.teacher, "--phonemes", lang, sentences_path], capture_output=True, text=True,
                                 check=True).stdout
            phonemes = [[(prepare.START, 0)] + [tuple(p) for p in json.loads(line)["phones"]]
                        for line in out.splitlines()]
            for name, takes in recordings(lang, sentences_path, workdir, args.cli, phonemes).items():
                errors, total = map(sum, zip(*(phoneme_errors(path, ph, classifier) for path, ph in takes)))
                print(f"| {lang} | {name} | {100.0 * errors / total:.1f} % of {total} |", flush=True)


if __name__ == "__main__":
    main()
