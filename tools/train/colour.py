# SPDX-License-Identifier: GPL-3.0-or-later
"""The dominant colour of an emoji as a caption word.

Only 15 emoji names say a colour, too few for the model to bind "red" to red;
a colour word measured from each image gives every caption one."""
import colorsys
import re

import numpy as np

# Upper hue bound (degrees) of each name; Noto's reds sit near 15°.
HUES = [(22, "red"), (36, "orange"), (62, "yellow"), (170, "green"), (260, "blue"), (300, "purple"),
        (345, "pink"), (361, "red")]


def colour_word(image):
    """`image`: H×W×3 uint8 on a white background."""
    px = image.reshape(-1, 3).astype(np.float64) / 255
    ink = px[px.min(1) < 0.92]
    if len(ink) < 20:
        return "white"
    hsv = np.array([colorsys.rgb_to_hsv(*p) for p in ink])
    vivid = hsv[(hsv[:, 1] > 0.35) & (hsv[:, 2] > 0.25)]
    if len(vivid) < 0.3 * len(ink):
        value = hsv[:, 2].mean()
        return "black" if value < 0.3 else "grey" if value < 0.75 else "white"
    votes = {}
    for h, _, v in vivid:
        name = next(n for bound, n in HUES if h * 360 < bound)
        if name in ("red", "orange") and v < 0.55:
            name = "brown"
        votes[name] = votes.get(name, 0) + 1
    return max(votes, key=votes.get)


def caption_colour(name, image):
    """The colour a name says ("black heart"), else the measured one."""
    said = [w for w in re.findall(r"[a-z]+", name.lower()) if w in COLOUR_WORDS]
    return said[0] if said else colour_word(image)


COLOUR_WORDS = {n for _, n in HUES} | {"brown", "black", "grey", "white"}
