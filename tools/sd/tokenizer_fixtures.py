#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Golden tokenizer cases for tests/engine/test-clip-tokenizer.c.

tests/data/sd/tokenizer_cases.json: hard prompts with, for the tiny
vocabulary (tests/data/sd/tiny-bpe), the ids of the whole prompt (no
BOS/EOS), A1111's weighted pieces, and the 77-id chunks for SD 1 (pad with
EOS) and SD 2 (pad with 0) with their weights.

tests/data/sd/tokenizer_cases_clip.json: the same prompts' ids and chunks
with CLIP's real vocabulary, written only when ../shared/data/clip/
bpe_simple_vocab_16e6.txt.gz exists (ids only: no vocabulary content).
"""
import json
import os
import sys

import clip_bpe
import prompt_weights

OUT = os.path.join(clip_bpe.ROOT, "tests", "data", "sd")
CLIP_VOCAB = os.path.join(clip_bpe.ROOT, "..", "shared", "data", "clip", "bpe_simple_vocab_16e6.txt.gz")

WORDS = ("red apple green pear blue bowl soft light oil painting sharp focus old sailor grey beard "
         "tall trees stone bridge warm lamp dark forest calm water").split()


def words(n, start=0):
    return " ".join(WORDS[(start + i) % len(WORDS)] for i in range(n))


def letters(n, start=0):
    """n single letters: one token each in both vocabularies."""
    return " ".join(chr(ord("a") + (start + i) % 26) for i in range(n))


CASES = [
    ("plain", "a photo of a cat"),
    ("upper case", "A PHOTO of a Cat!!!"),
    ("empty", ""),
    ("whitespace only", "   \t\n  \r\n "),
    ("whitespace runs", "  red\t\tapple \n\n green   pear  "),
    ("unicode whitespace", "a\u00a0b\u3000c\u2028d\u1680e\x1cf\x85g\u200bh"),
    ("punctuation", "hello, world... really?! #tag @user $100 50% a+b=c; x/y | ~ ^ `code` {braces} <angle> \"quoted\""),
    ("apostrophes", "it's they're we've I'm you'll he'd don't rock'n'roll ''quoted'' 'S 'T 'RE ''s dog...'s"),
    ("long s", "it'ſ <|ſtartoftext|>"),
    ("accents", "café naïve résumé Ångström Ærø façade Ωmega ñandú"),
    ("combining marks", "cafe\u0301 n\u0303"),
    ("cjk", "猫が好き 中文提示词 한국어 日本の風景"),
    ("emoji", "🐱🐶 a 👩\u200d🎨 painting ❤️ 👍🏽 🇫🇷"),
    ("numbers", "1024x768 3.14159 2024 ½ ² Ⅻ ١٢٣ ０１"),
    ("greek sigma", "ΟΔΟΣ ΣΑΣ Σ ΟΔΟΣ. Σa"),
    ("special casing", "İstanbul ǅungla ß ẞ ﬁsh ＡＢＣ"),
    ("html entities", "&amp; &lt;b&gt; &quot;x&quot; &#39; &#x1F600; &#128; &amp;amp; &hearts; &copy2024 "
     "&notit; &ampx &#0; &#x110000; &#xD800; &#1; &#13; &#x9f; &unknown; & alone &#; &#x; &AMP &Eacute;"),
    ("windows-1252 refs", "".join("&#%d;" % i for i in range(0x80, 0xA0)) + " &#127; &#xFDD0; &#xFFFE; &#x1FFFF; &#9;x"),
    ("cased symbols", "ΑΣⅫ ΑΣⓐ ⅫΣ ªΣ ΑΣ'Β Ⓐ Ⅻ 🄰"),
    ("special tokens", "<|startoftext|>a<|endoftext|> <|ENDOFTEXT|> <|endoftext"),
    ("long word", "supercalifragilisticexpialidocious aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa xyzzyqwfp"),
    ("weights", "(masterpiece:1.2), (best quality), [blurry], ((detailed)), [[dark]], (a (b:0.5) c)"),
    ("weight forms", "(a:-1) (b:+2) (c:.5) (d: 1.5 ) (e:1.) (f:0) (g:１.５)"),
    ("bad weight", "(x:1.2.3) y (z:.)"),
    ("escapes", "\\(not weighted\\) \\[also not\\] back\\\\slash \\x (\\(inside\\))"),
    ("unbalanced open", "(open bracket never closed, [and square, ((two"),
    ("unbalanced close", "closing only) and ] and :1.5) and (fine)"),
    ("colons", "a:b (c:d) e : f"),
    ("break", "a red apple BREAK a green pear"),
    ("break at start", "BREAK at start"),
    ("break at end", "at end BREAK"),
    ("break not a word", "BREAKfast is not xBREAK nor BREAK_ but BREAK. is"),
    ("break lower case", "a break b Break c"),
    ("break in brackets", "(inside BREAK brackets) (x BREAK:1)"),
    ("break twice", "a BREAK BREAK b"),
    ("break weighted", "(a red apple) BREAK [a green pear]"),
    ("75 tokens", letters(75)),
    ("76 tokens", letters(76)),
    ("150 tokens", letters(150)),
    ("long words", words(200, 3)),
    ("comma backtrack", letters(60) + ", " + letters(30, 5)),
    ("comma 20 from end", letters(55) + ", " + letters(30, 5)),
    ("comma 21 from end", letters(54) + ", " + letters(30, 5)),
    ("comma too far", letters(50) + ", " + letters(40, 5)),
    ("comma at 75", letters(74) + ", " + letters(10, 2)),
    ("comma at 76", letters(75) + ", " + letters(10, 2)),
    ("commas twice", letters(60) + ", " + letters(70, 1) + ", " + letters(30, 2)),
    ("many commas", ", ".join(words(3, i) for i in range(40))),
    ("long weighted", "(" + letters(40) + ":1.3), [" + letters(50, 7) + "], " + letters(20, 2)),
    ("long with break", letters(70) + " BREAK " + letters(10)),
    ("break after full chunk", letters(75) + " BREAK " + letters(3)),
    ("prompt style", "masterpiece, best quality, 1girl, solo, long hair, looking at viewer, smile, "
     "(detailed eyes:1.3), [simple background], outdoors, cherry blossoms, highres"),
]


def case(tok, name, prompt, with_fragments):
    out = {"name": name, "prompt": prompt, "ids": tok.encode(prompt)}
    if with_fragments:
        out["fragments"] = prompt_weights.parse(prompt)
    chunks1, weights = prompt_weights.encode(tok, prompt, tok.eos)
    chunks2, weights2 = prompt_weights.encode(tok, prompt, 0)
    assert weights == weights2
    out["chunks_sd1"] = chunks1
    out["chunks_sd2"] = chunks2
    out["weights"] = weights
    return out


def write(path, tok, vocab_name, with_fragments):
    data = {
        "generator": "tools/sd/tokenizer_fixtures.py",
        "vocab": vocab_name,
        "vocab_size": len(tok), "bos": tok.bos, "eos": tok.eos, "comma": tok.comma,
        "cases": [case(tok, name, prompt, with_fragments) for name, prompt in CASES],
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=None, separators=(",", ":"))
        f.write("\n")
    print("wrote %s (%d cases)" % (path, len(CASES)))


def main():
    tiny = clip_bpe.read_hf(clip_bpe.TINY_DIR)
    write(os.path.join(OUT, "tokenizer_cases.json"), tiny, "tiny-bpe", True)
    if os.path.exists(CLIP_VOCAB):
        real = clip_bpe.read_clip_gz(CLIP_VOCAB)
        # What CLIP is known to give.
        assert real.encode("a photo of a cat") == [320, 1125, 539, 320, 2368], real.encode("a photo of a cat")
        assert (real.bos, real.eos, len(real)) == (49406, 49407, 49408)
        write(os.path.join(OUT, "tokenizer_cases_clip.json"), real, "clip", False)
    else:
        print("%s absent: tokenizer_cases_clip.json not written" % CLIP_VOCAB, file=sys.stderr)


if __name__ == "__main__":
    main()
