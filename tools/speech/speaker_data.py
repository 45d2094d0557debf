#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Recordings for the speaker encoder: many voices reading the same text,
each voice one long 16 kHz WAV (speaker_encoder.py cuts it into crops).

Voices: flite's five, festival's (every festvox package in VOICES below),
espeak-ng's variants, the speech model's own voices (through genstudio-cli,
filed under the teacher they learned from, so the encoder learns to place
our rendering of a voice beside the voice) and, as augmented speakers, each
of those shifted 2 and 4 semitones up and down by sox (pitch and formants
together: a shorter or longer vocal tract).

Held out, for `genstudio-cli bench clone`: festival's ked, espeak-ng's
plain en-us, and every shift of flite's awb (the bench lowers it 3
semitones).

  speaker_data.py OUTDIR [--cli build/app/cli/genstudio-cli]"""
import argparse
import os
import re
import subprocess
import concurrent.futures

TEXT = "/usr/share/common-licenses/GPL-3"  # GPL-3.0, what every voice reads
SENTENCES = 14
RATE = "16000"
SHIFTS = (-400, -200, 200, 400)

FESTIVAL = {  # our name → festival voice (packages: tools/speech/README.md)
    "kal": "kal_diphone", "slt_hts": "cmu_us_slt_arctic_hts", "lp": "lp_diphone", "pc": "pc_diphone",
    "lj": "suo_fi_lj_diphone", "mv": "hy_fi_mv_diphone", "dita": "czech_dita", "krb": "czech_krb",
    "machac": "czech_machac", "nsh": "msu_ru_nsh_clunits", "ona": "upc_ca_ona_hts",
    "nsk_hi": "hindi_NSK_diphone", "nsk_mr": "marathi_NSK_diphone", "nsk_te": "telugu_NSK_diphone",
}
FLITE = ("awb", "kal", "kal16", "rms", "slt")
ESPEAK = tuple("en-us+" + v for v in ("m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f4", "f5", "klatt2",
                                     "klatt4", "Alex", "Alicia", "Andrea", "Annie", "aunty", "belinda", "caleb",
                                     "david", "ed", "edward", "Gene", "iven"))
# The model's voice → the recording it learned from (flite's kal16 and the
# festival voices above); model voices with no teacher here are left out.
MODEL_TEACHER = {"awb": "flite-awb", "kal16": "flite-kal16", "rms": "flite-rms", "slt": "flite-slt"}
MODEL_TEACHER.update({v: f"festival-{v}" for v in FESTIVAL if v not in ("kal", "machac")})
NO_SHIFTS = ("flite-awb",)  # held out as the bench's augmented speaker
# The bench's held-out speakers, made into OUTDIR/held-out for validation.
HELD_OUT = [("festival", "festival-ked", "ked_diphone", 0), ("espeak", "espeak-en-us", "en-us", 0),
            ("festival", "festival-ked", "ked_diphone", 300), ("flite", "flite-awb", "awb", -300)]


def sentences():
    text = re.sub(r"\s+", " ", open(TEXT, encoding="utf-8").read())
    picked = [s for s in re.split(r"(?<=[.;:])\s+", text)
              if 12 <= len(s.split()) <= 30 and re.match(r"[A-Z][a-z]", s) and not re.search(r"[<>()]", s)]
    return picked[:SENTENCES]


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def to_16k(src, dst):
    run(["sox", src, "-r", RATE, "-c", "1", "-b", "16", dst])
    os.remove(src)


def make(job):
    kind, name, voice, outdir, script, cli = job
    raw = os.path.join(outdir, f"{name}.raw.wav")
    out = os.path.join(outdir, f"{name}.wav")
    if os.path.exists(out):
        return out
    try:
        synthesize(kind, voice, raw, script, cli)
    except subprocess.CalledProcessError as e:  # festival's Indic voices crash on Latin text
        print(f"{name}: {e}; left out")
        return None
    to_16k(raw, out)
    return out


def synthesize(kind, voice, raw, script, cli):
    if kind == "flite":
        run(["flite", "-voice", voice, "-f", script, "-o", raw])
    elif kind == "festival":
        run(["text2wave", "-eval", f"(voice_{voice})", script, "-o", raw])
    elif kind == "espeak":
        run(["espeak-ng", "-v", voice, "-f", script, "-w", raw])
    else:
        run([cli, "speak", "--voice", voice, "--lang", "en-us", "-f", script, "-o", raw])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--cli", default="build/app/cli/genstudio-cli")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    script = os.path.join(args.outdir, "script.txt")
    with open(script, "w", encoding="utf-8") as f:
        f.write("\n".join(sentences()) + "\n")
    jobs = [("flite", f"flite-{v}", v) for v in FLITE]
    jobs += [("festival", f"festival-{n}", v) for n, v in FESTIVAL.items()]
    jobs += [("espeak", "espeak-" + v.replace("+", "_"), v) for v in ESPEAK]
    jobs += [("model", f"model-{v}", v) for v in MODEL_TEACHER]
    jobs = [(k, n, v, args.outdir, script, os.path.abspath(args.cli)) for k, n, v in jobs]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        made = list(pool.map(make, jobs))
    made = [m for m in made if m]
    shifts = []
    for path in made:
        base = os.path.basename(path)[:-4]
        speaker = MODEL_TEACHER.get(base[len("model-"):], base) if base.startswith("model-") else base
        if speaker in NO_SHIFTS:
            continue
        for cents in SHIFTS:
            out = os.path.join(args.outdir, f"{base}@{cents:+d}.wav")
            if not os.path.exists(out):
                shifts.append(["sox", path, out, "pitch", str(cents)])
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        list(pool.map(run, shifts))
    held = os.path.join(args.outdir, "held-out")
    os.makedirs(held, exist_ok=True)
    for kind, name, voice, cents in HELD_OUT:
        path = make((kind, name, voice, held, script, None))
        if cents:
            run(["sox", path, os.path.join(held, f"{name}@{cents:+d}.wav"), "pitch", str(cents)])
    for kind, name, voice, cents in HELD_OUT:  # awb itself is a training voice
        if (kind, name, voice, 0) not in HELD_OUT:
            os.remove(os.path.join(held, f"{name}.wav"))
    print(f"{len(made)} voices, {len(shifts)} shifted copies in {args.outdir}")


if __name__ == "__main__":
    main()
