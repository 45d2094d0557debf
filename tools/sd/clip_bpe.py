#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""CLIP's byte-level BPE tokenizer, written from the published algorithm, as
the reference for engine/models/gs-clip-tokenizer.c.

Steps, in CLIP's order:
  1. clean-up: HTML entities decoded twice (html.unescape), leading and
     trailing whitespace stripped, every whitespace run turned into one space.
     CLIP also runs ftfy.fix_text first; ftfy is not available here, so none
     of what it does is done: no mojibake repair, no NFC normalisation, no
     curly-quote straightening, no full-width → half-width folding, no
     ligature splitting. Prompts typed on a keyboard are rarely affected.
  2. lower-casing (Python's str.lower: full Unicode mapping, final sigma).
  3. pre-tokenising with CLIP's pattern, case-insensitive:
       <|startoftext|>|<|endoftext|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+
     Python's re has no \\p{..}, so the letter and number classes are built
     from unicodedata categories (L* and N*). After lower-casing the only
     case-insensitive match left is U+017F LATIN SMALL LETTER LONG S, which
     folds to "s", so the pattern spells 's as '[sſ].
  4. each piece → its UTF-8 bytes → one printable character per byte (the
     byte-to-unicode table) → BPE: "</w>" is appended to the last symbol, then
     the adjacent pair with the lowest merge rank is merged everywhere (left
     to right), again and again until no adjacent pair has a rank.
  5. symbols → ids. Vocabulary order: the 256 byte characters (table order),
     the same 256 with "</w>", one token per merge, then <|startoftext|> and
     <|endoftext|>.

Vocabulary files: CLIP's bpe_simple_vocab_16e6.txt.gz (a header line, then
one merge per line; CLIP uses lines 1 .. 49152-256-2) and a diffusers
tokenizer/ folder (vocab.json + merges.txt).

Usage:
  clip_bpe.py encode VOCAB TEXT...     ids (no BOS/EOS) for each TEXT
  clip_bpe.py write-tiny [OUTDIR]      the tiny test vocabulary, both formats
"""
import functools
import gzip
import html
import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))

BOS = "<|startoftext|>"
EOS = "<|endoftext|>"
END = "</w>"
# CLIP keeps this many merges of its vocabulary file (its vocabulary is
# 49408 = 256 + 256 + merges + 2).
CLIP_MERGES = 49152 - 256 - 2

TINY_MERGES = 486
TINY_CORPUS = os.path.join(HERE, "tiny_bpe_corpus.txt")
TINY_DIR = os.path.join(ROOT, "tests", "data", "sd", "tiny-bpe")


def bytes_to_unicode():
    """Byte → printable character. Bytes that are printable Latin-1 map to
    themselves; the 68 others (controls, space, NBSP, soft hyphen, ...) map in
    byte order to U+0100 onwards. The dict's order is the vocabulary order:
    the self-mapped bytes first, then the others."""
    keep = [b for b in range(256) if 0x21 <= b <= 0x7E or 0xA1 <= b <= 0xAC or 0xAE <= b <= 0xFF]
    table = {b: chr(b) for b in keep}
    extra = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + extra)
            extra += 1
    return table


BYTE_TO_UNICODE = bytes_to_unicode()


def _ranges(pred):
    """A regex character-class body for every code point where pred holds."""
    out, start = [], None
    for cp in range(0x110001):
        inside = cp < 0x110000 and pred(cp)
        if inside and start is None:
            start = cp
        elif not inside and start is not None:
            end = cp - 1
            out.append("\\U%08x" % start if start == end else "\\U%08x-\\U%08x" % (start, end))
            start = None
    return "".join(out)


@functools.lru_cache(maxsize=1)
def _pattern():
    cats = [unicodedata.category(chr(cp)) for cp in range(0x110000)]
    letters = _ranges(lambda cp: cats[cp][0] == "L")
    numbers = _ranges(lambda cp: cats[cp][0] == "N")
    return re.compile(
        r"<\|[sſ]tartoftext\|>|<\|endoftext\|>|'[sſ]|'t|'re|'ve|'m|'ll|'d"
        r"|[" + letters + r"]+|[" + numbers + r"]|[^\s" + letters + numbers + r"]+")


def clean(text):
    """CLIP's clean-up without ftfy (see the module comment), then lower-case."""
    text = html.unescape(html.unescape(text)).strip()
    text = re.sub(r"\s+", " ", text).strip()
    return text.lower()


def pretokenize(text):
    """The pieces of already cleaned, lower-cased text."""
    return _pattern().findall(text)


class ClipBPE:
    """A tokenizer from merges (ranked pairs) and a token → id map."""

    def __init__(self, merges, encoder):
        self.ranks = {pair: i for i, pair in enumerate(merges)}
        self.encoder = encoder
        self.bos = encoder[BOS]
        self.eos = encoder[EOS]
        self.comma = encoder["," + END]
        self.cache = {BOS: [BOS], EOS: [EOS]}

    @classmethod
    def from_clip_merges(cls, merges):
        base = list(BYTE_TO_UNICODE.values())
        vocab = base + [c + END for c in base] + ["".join(m) for m in merges] + [BOS, EOS]
        return cls(merges, {tok: i for i, tok in enumerate(vocab)})

    def __len__(self):
        return len(self.encoder)

    def bpe(self, piece):
        """The symbols of one byte-encoded piece."""
        if piece in self.cache:
            return self.cache[piece]
        word = list(piece[:-1]) + [piece[-1] + END]
        while len(word) > 1:
            pairs = set(zip(word, word[1:]))
            best = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if best not in self.ranks:
                break
            merged, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and word[i] == best[0] and word[i + 1] == best[1]:
                    merged.append(word[i] + word[i + 1])
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = merged
        self.cache[piece] = word
        return word

    def encode(self, text):
        """Token ids of `text`, without BOS/EOS."""
        ids = []
        for piece in pretokenize(clean(text)):
            encoded = "".join(BYTE_TO_UNICODE[b] for b in piece.encode("utf-8"))
            ids.extend(self.encoder[sym] for sym in self.bpe(encoded))
        return ids


def read_clip_gz(path):
    """CLIP's format: gzip'd UTF-8, a header line, then "a b" merges."""
    with gzip.open(path, "rb") as f:
        lines = f.read().decode("utf-8").split("\n")
    # A final newline leaves an empty last line; CLIP would take it for a
    # merge when the file is short, GenStudio ignores it.
    if lines and lines[-1] == "":
        lines.pop()
    return ClipBPE.from_clip_merges([tuple(line.split()) for line in lines[1:CLIP_MERGES + 1]])


def read_hf(folder):
    """A diffusers/transformers tokenizer/ folder: vocab.json + merges.txt."""
    with open(os.path.join(folder, "vocab.json"), encoding="utf-8") as f:
        encoder = json.load(f)
    with open(os.path.join(folder, "merges.txt"), encoding="utf-8") as f:
        lines = f.read().strip().split("\n")
    return ClipBPE([tuple(line.split()) for line in lines[1:CLIP_MERGES + 1]], encoder)


def load(path):
    """As the engine: a folder with vocab.json + merges.txt (or those in its
    tokenizer/ subfolder) or bpe_simple_vocab_16e6.txt.gz, a .gz file in
    CLIP's format, or a vocab.json with merges.txt beside it."""
    if os.path.isdir(path):
        for folder in (path, os.path.join(path, "tokenizer")):
            if os.path.exists(os.path.join(folder, "vocab.json")) and os.path.exists(os.path.join(folder, "merges.txt")):
                return read_hf(folder)
        return read_clip_gz(os.path.join(path, "bpe_simple_vocab_16e6.txt.gz"))
    if os.path.basename(path) == "vocab.json":
        return read_hf(os.path.dirname(path))
    return read_clip_gz(path)


def train(text, count):
    """Plain BPE training: the most frequent adjacent pair (ties: the
    smallest pair) is merged, `count` times. A pair whose concatenation is
    already a token is skipped, so every token has exactly one merge."""
    words = {}
    for piece in pretokenize(clean(text)):
        encoded = "".join(BYTE_TO_UNICODE[b] for b in piece.encode("utf-8"))
        word = tuple(encoded[:-1]) + (encoded[-1] + END,)
        words[word] = words.get(word, 0) + 1
    base = list(BYTE_TO_UNICODE.values())
    known = set(base) | {c + END for c in base}
    merges = []
    while len(merges) < count:
        freq = {}
        for word, n in words.items():
            for pair in zip(word, word[1:]):
                if pair[0] + pair[1] not in known:
                    freq[pair] = freq.get(pair, 0) + n
        if not freq:
            raise SystemExit("training text too small for %d merges" % count)
        best = min(freq, key=lambda p: (-freq[p], p))
        merges.append(best)
        known.add(best[0] + best[1])
        new_words = {}
        for word, n in words.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and word[i] == best[0] and word[i + 1] == best[1]:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            new_words[tuple(out)] = new_words.get(tuple(out), 0) + n
        words = new_words
    return merges


def write_tiny(outdir):
    """The tiny vocabulary (1000 tokens) in both formats."""
    with open(TINY_CORPUS, encoding="utf-8") as f:
        merges = train(f.read(), TINY_MERGES)
    tok = ClipBPE.from_clip_merges(merges)
    assert len(tok) == 1000 and tok.bos == 998 and tok.eos == 999
    os.makedirs(outdir, exist_ok=True)
    lines = ["%s %s" % m for m in merges]
    # CLIP's format, no final newline (CLIP's reader would read one more,
    # empty, merge). mtime 0 keeps the file byte-identical between runs.
    with open(os.path.join(outdir, "bpe_tiny_vocab.txt.gz"), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f:
            f.write(("\"bpe_tiny_vocab.txt#version: 0.2\n" + "\n".join(lines)).encode("utf-8"))
    with open(os.path.join(outdir, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(line + "\n" for line in lines))
    ordered = sorted(tok.encoder.items(), key=lambda kv: kv[1])
    with open(os.path.join(outdir, "vocab.json"), "w", encoding="utf-8") as f:
        f.write("{\n" + ",\n".join("  %s: %d" % (json.dumps(k, ensure_ascii=False), v) for k, v in ordered) + "\n}\n")
    # Both readers must agree.
    a = read_clip_gz(os.path.join(outdir, "bpe_tiny_vocab.txt.gz"))
    b = read_hf(outdir)
    assert a.encoder == b.encoder and a.ranks == b.ranks
    print("wrote %s: %d tokens, %d merges" % (outdir, len(tok), len(merges)))


def main(argv):
    if len(argv) >= 2 and argv[1] == "write-tiny":
        write_tiny(argv[2] if len(argv) > 2 else TINY_DIR)
    elif len(argv) >= 3 and argv[1] == "encode":
        tok = load(argv[2])
        for text in argv[3:]:
            print(" ".join(str(i) for i in [tok.bos] + tok.encode(text) + [tok.eos]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
