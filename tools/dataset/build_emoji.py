#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Builds the emoji image–caption set from Debian packages.

Images: fonts-noto-color-emoji's NotoColorEmoji.ttf (CBDT colour bitmaps).
Captions: unicode-data's emoji-test.txt (name, group, subgroup) and
unicode-cldr-core's annotations/en.xml (keywords).
Skin-tone variants are dropped: they repeat a shape in five colours and would
take half the training time. Output: 32×32 RGB on white, in an .npz.
"""
import argparse
import io
import re
import xml.etree.ElementTree as ET

import numpy as np
from fontTools.ttLib import TTFont
from PIL import Image

FONT = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"
EMOJI_TEST = "/usr/share/unicode/emoji/emoji-test.txt"
ANNOTATIONS = "/usr/share/unicode/cldr/common/annotations/en.xml"
SKIN_TONES = set(range(0x1F3FB, 0x1F400))
VS16 = 0xFE0F


def read_emoji_test():
    group = subgroup = ""
    for line in open(EMOJI_TEST, encoding="utf-8"):
        if line.startswith("# group:"):
            group = line.split(":", 1)[1].strip()
        elif line.startswith("# subgroup:"):
            subgroup = line.split(":", 1)[1].strip()
        elif "; fully-qualified" in line:
            codes, rest = line.split(";", 1)
            seq = [int(c, 16) for c in codes.split()]
            name = re.sub(r"^.*?E\d+\.\d+\s+", "", rest.split("#", 1)[1]).strip()
            yield seq, name, group, subgroup


def read_keywords():
    keywords = {}
    for a in ET.parse(ANNOTATIONS).getroot().iter("annotation"):
        if a.get("type") == "tts":
            continue
        key = a.get("cp").replace("\ufe0f", "")
        keywords[key] = [k.strip() for k in a.text.split("|") if k.strip()]
    return keywords


def glyph_index(font):
    """Maps code point tuples (without VS16) to glyph names."""
    cmap = font.getBestCmap()
    table = {(cp,): name for cp, name in cmap.items()}
    reverse = {name: cp for cp, name in cmap.items()}
    gsub = font["GSUB"].table
    for lookup in gsub.LookupList.Lookup:
        for sub in lookup.SubTable:
            if sub.LookupType == 7:
                sub = sub.ExtSubTable
            if getattr(sub, "LookupType", None) != 4:
                continue
            for first, ligatures in sub.ligatures.items():
                for lig in ligatures:
                    parts = [first] + list(lig.Component)
                    cps = []
                    for p in parts:
                        if p in reverse:
                            cps.append(reverse[p])
                        else:
                            m = re.match(r"u([0-9A-Fa-f]+)$", p)
                            if not m:
                                break
                            cps.append(int(m.group(1), 16))
                    else:
                        table[tuple(c for c in cps if c != VS16)] = lig.LigGlyph
    return table


def render(png_bytes, size):
    img = Image.open(io.BytesIO(png_bytes)).convert("RGBA")
    side = max(img.size)
    canvas = Image.new("RGBA", (side, side), (255, 255, 255, 255))
    canvas.alpha_composite(img, ((side - img.width) // 2, (side - img.height) // 2))
    return np.asarray(canvas.convert("RGB").resize((size, size), Image.LANCZOS), dtype=np.uint8)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--out", default="/work/cache/emoji32.npz")
    args = parser.parse_args()

    font = TTFont(FONT)
    strike = font["CBDT"].strikeData[0]
    glyphs = glyph_index(font)
    keywords = read_keywords()
    images, names, groups, subgroups, kws = [], [], [], [], []
    missing = skin = 0
    for seq, name, group, subgroup in read_emoji_test():
        if SKIN_TONES & set(seq):
            skin += 1
            continue
        key = tuple(c for c in seq if c != VS16)
        glyph = glyphs.get(key)
        if glyph is None:  # some ZWJ ligatures are stored in reverse order
            glyph = glyphs.get(tuple(reversed(key)))
        if glyph is None or glyph not in strike:
            missing += 1
            continue
        images.append(render(strike[glyph].imageData, args.size))
        names.append(name)
        groups.append(group)
        subgroups.append(subgroup)
        kws.append("|".join(keywords.get("".join(chr(c) for c in key), [])))
    np.savez_compressed(args.out, images=np.stack(images), names=np.array(names), groups=np.array(groups),
                        subgroups=np.array(subgroups), keywords=np.array(kws))
    print(f"{len(images)} pairs written to {args.out}; dropped {skin} skin-tone variants, {missing} without a glyph")


if __name__ == "__main__":
    main()
