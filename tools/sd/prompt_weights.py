#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""AUTOMATIC1111's prompt attention syntax and 75-token chunking, written from
its documented behaviour, as the reference for engine/models/gs-prompt-weights.c.

Syntax:
  (text)        weight × 1.1          [text]   weight ÷ 1.1 (× 1/1.1)
  (text:1.3)    weight × 1.3          nesting multiplies
  \\( \\) \\[ \\] \\\\  the character itself; a backslash before anything else
                is dropped
  BREAK         (upper case, a word on its own) ends the current chunk
A closing bracket with no open one is plain text. Brackets still open at the
end apply their multiplier to everything after them (round ones first, in
the order they were opened, then square ones). Neighbouring pieces of equal
weight are joined. A weight that is not a number (":1.2.3)") makes A1111
raise an error; here that ':' ... ')' run is plain text instead.

Chunks: every piece is tokenized on its own; tokens go into chunks of 75.
When a chunk is full and the token to add is not a comma, and the chunk's
last comma is at most 20 tokens from its end (A1111's comma_padding_backtrack
default), the tokens after that comma move to the next chunk. BREAK ends the
chunk at once. Each chunk is BOS + 75 tokens (EOS-padded) + EOS = 77 ids with
weight 1.0 at BOS, EOS and padding. SD 2 pads with 0: like A1111, every id
after the chunk's first EOS becomes the pad id. An empty prompt is one chunk.

Usage: prompt_weights.py VOCAB PAD_ID PROMPT
"""
import re
import sys

CHUNK = 75
COMMA_BACKTRACK = 20
ROUND = 1.1
SQUARE = 1 / 1.1

_LEX = re.compile(r"""
    \\[()\[\]\\]               # escaped bracket or backslash
  | \\                         # backslash before anything else
  | [(\[]                      # opening bracket
  | :\s*([+-]?[.\d]+)\s*\)     # weight, closing a round bracket
  | [)\]]                      # closing bracket
  | [^\\()\[\]:]+              # plain text
  | :                          # a colon that is no weight
""", re.X)
_BREAK = re.compile(r"\s*\bBREAK\b\s*")


def _number(s):
    try:
        return float(s)
    except ValueError:
        return None


def parse(text):
    """[text, weight] pieces; a BREAK is ["BREAK", -1.0]."""
    out = []
    rounds, squares = [], []

    def scale(start, factor):
        for piece in out[start:]:
            piece[1] *= factor

    for m in _LEX.finditer(text):
        tok = m.group(0)
        weight = _number(m.group(1)) if m.group(1) is not None else None
        if tok[0] == "\\":
            out.append([tok[1:], 1.0])
        elif tok == "(":
            rounds.append(len(out))
        elif tok == "[":
            squares.append(len(out))
        elif weight is not None and rounds:
            scale(rounds.pop(), weight)
        elif tok == ")" and rounds:
            scale(rounds.pop(), ROUND)
        elif tok == "]" and squares:
            scale(squares.pop(), SQUARE)
        else:
            for i, part in enumerate(_BREAK.split(tok)):
                if i:
                    out.append(["BREAK", -1.0])
                out.append([part, 1.0])
    for start in rounds:
        scale(start, ROUND)
    for start in squares:
        scale(start, SQUARE)
    if not out:
        out = [["", 1.0]]
    merged = [out[0]]
    for piece in out[1:]:
        if piece[1] == merged[-1][1]:
            merged[-1][0] += piece[0]
        else:
            merged.append(piece)
    return merged


def encode(tok, text, pad_id, backtrack=COMMA_BACKTRACK):
    """(chunks of 77 ids, chunks of 77 weights) for `text` with tokenizer `tok`
    (clip_bpe.ClipBPE)."""
    chunks, weights = [], []
    ids, mults = [], []
    last_comma = -1

    def close():
        nonlocal ids, mults, last_comma
        pad = CHUNK - len(ids)
        row = [tok.bos] + ids + [tok.eos] * pad + [tok.eos]
        if pad_id != tok.eos:
            first = row.index(tok.eos, 1)
            row[first + 1:] = [pad_id] * (len(row) - first - 1)
        chunks.append(row)
        weights.append([1.0] + mults + [1.0] * pad + [1.0])
        ids, mults, last_comma = [], [], -1

    for piece, weight in parse(text):
        if piece == "BREAK" and weight == -1:
            close()
            continue
        for t in tok.encode(piece):
            if t == tok.comma:
                last_comma = len(ids)
            elif backtrack and len(ids) == CHUNK and last_comma != -1 and len(ids) - last_comma <= backtrack:
                keep = last_comma + 1
                moved_ids, moved_mults = ids[keep:], mults[keep:]
                ids, mults = ids[:keep], mults[:keep]
                close()
                ids, mults = moved_ids, moved_mults
            if len(ids) == CHUNK:
                close()
            ids.append(t)
            mults.append(weight)
    if ids or not chunks:
        close()
    return chunks, weights


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    import clip_bpe
    tok = clip_bpe.load(argv[1])
    print(parse(argv[3]))
    for row, w in zip(*encode(tok, argv[3], int(argv[2]))):
        print(row)
        print(w)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
