#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Teacher data from Debian's festival voices: one festival process per
voice reads every sentence of its language into a WAV file, and the
engine's phonemizer (teacher --phonemes) gives the espeak-ng phonemes of
the same text. No phone timings are kept: tools/speech/align.py finds the
durations itself, so any language espeak-ng speaks can be trained.

  festival_teacher.py LANG SENTENCES OUTDIR VOICE...   (names in VOICES)"""
import argparse
import json
import os
import subprocess
import wave

# Our speaker name → (festival voice, espeak-ng language, text encoding
# festival expects, Debian package).
VOICES = {
    "slt_hts": ("cmu_us_slt_arctic_hts", "en-us", "latin-1", "festvox-us-slt-hts"),
    "lp": ("lp_diphone", "it", "latin-1", "festvox-italp16k"),
    "pc": ("pc_diphone", "it", "latin-1", "festvox-itapc16k"),
    "lj": ("suo_fi_lj_diphone", "fi", "latin-1", "festvox-suopuhe-lj"),
    "mv": ("hy_fi_mv_diphone", "fi", "latin-1", "festvox-suopuhe-mv"),
    "dita": ("czech_dita", "cs", "iso-8859-2", "festvox-czech-dita"),
    "krb": ("czech_krb", "cs", "iso-8859-2", "festvox-czech-krb"),
    "nsh": ("msu_ru_nsh_clunits", "ru", "utf-8", "festvox-ru"),
    "ona": ("upc_ca_ona_hts", "ca", "latin-1", "festvox-ca-ona-hts"),
    "nsk_hi": ("hindi_NSK_diphone", "hi", "utf-8", "festvox-hi-nsk"),
    "nsk_mr": ("marathi_NSK_diphone", "mr", "utf-8", "festvox-mr-nsk"),
    "nsk_te": ("telugu_NSK_diphone", "te", "utf-8", "festvox-te-nsk"),
}


def scheme_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def synthesize(voice, sentences, outdir):
    """Runs festival once for all sentences; returns the WAV names written."""
    festival_voice, _, encoding, _ = VOICES[voice]
    script = [f"(voice_{festival_voice})"]
    names = []
    for i, text in enumerate(sentences):
        name = f"{voice}-{i:05d}.wav"
        names.append(name)
        path = os.path.join(outdir, name)
        # One bad sentence must not end the whole run.
        script.append(f"(unwind-protect (utt.save.wave (SynthText {scheme_string(text)}) \"{path}\" 'riff) nil)")
    script_path = os.path.join(outdir, f"{voice}.scm")
    with open(script_path, "wb") as f:
        f.write("\n".join(script).encode(encoding, errors="replace"))
    subprocess.run(["festival", "-b", script_path], check=True, stdout=subprocess.DEVNULL)
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sentences")
    ap.add_argument("outdir")
    ap.add_argument("voices", nargs="+", choices=sorted(VOICES))
    ap.add_argument("--teacher", default="/work/cache/speech/teacher", help="tools/speech/teacher.c, built")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    with open(args.sentences, encoding="utf-8") as f:
        sentences = [line.strip() for line in f if line.strip()]
    index = open(os.path.join(args.outdir, "index.jsonl"), "a")
    for voice in args.voices:
        lang = VOICES[voice][1]
        out = subprocess.run([args.teacher, "--phonemes", lang, args.sentences], capture_output=True, text=True,
                             check=True).stdout
        phonemes = [json.loads(line) for line in out.splitlines()]
        assert [p["text"] for p in phonemes] == sentences, "phonemizer lines differ from the sentences"
        written = 0
        for name, p in zip(synthesize(voice, sentences, args.outdir), phonemes):
            path = os.path.join(args.outdir, name)
            if not os.path.exists(path):
                continue
            with wave.open(path) as w:
                rate = w.getframerate()
            index.write(json.dumps({"voice": voice, "lang": lang, "text": p["text"], "wav": name, "rate": rate,
                                    "phones": p["phones"]}, ensure_ascii=False) + "\n")
            written += 1
        index.flush()
        print(f"{voice}: {written} of {len(sentences)} sentences", flush=True)


if __name__ == "__main__":
    main()
