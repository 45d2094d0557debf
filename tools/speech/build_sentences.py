#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Picks plain English sentences for the teacher voices to read from two
openly licensed Debian packages: The Debian Administrator's Handbook
(debian-handbook, CC-BY-SA-3.0 or GPL-2+) and the Debian Reference
(debian-reference-en, GPL-2+). Prose only (no commands, paths or numbers),
4–20 words, deterministic order."""
import argparse
import glob
import gzip
import html
import random
import re

REFERENCE = "/usr/share/debian-reference/debian-reference.en.txt.gz"
HANDBOOK = "/usr/share/doc/debian-handbook/html/en-US/*.html"
WORD = re.compile(r"^\(?[A-Za-z][A-Za-z]*(?:'[a-z]+)?(?:-[A-Za-z]+)*\)?[,;:]?$")


def sentences(text):
    text = re.sub(r"\s+", " ", text)
    for s in re.split(r"(?<=[.?!])\s+(?=[A-Z])", text):
        words = s.split(" ")
        if not 4 <= len(words) <= 20 or not s[-1] in ".?!":
            continue
        body = words[:-1] + [words[-1][:-1]]
        if all(WORD.match(w) for w in body) and words[0][0].isupper() and words[0] != words[0].upper():
            yield s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=2400)
    ap.add_argument("--out", default="/work/cache/speech/sentences.txt")
    args = ap.parse_args()
    with gzip.open(REFERENCE, "rt", encoding="utf-8") as f:
        texts = [f.read()]
    for path in sorted(glob.glob(HANDBOOK)):
        with open(path, encoding="utf-8") as f:
            paragraphs = re.findall(r"<(?:p|div)[^>]*class=\"para\"[^>]*>(.*?)</(?:p|div)>", f.read(), flags=re.S)
        texts += [html.unescape(re.sub(r"<[^>]+>", "", p)) for p in paragraphs]
    found = sorted({s for text in texts for s in sentences(text)})
    random.Random(0).shuffle(found)
    with open(args.out, "w") as f:
        f.write("\n".join(found[:args.count]) + "\n")
    print(f"{len(found)} sentences found, {min(len(found), args.count)} written to {args.out}")


if __name__ == "__main__":
    main()
