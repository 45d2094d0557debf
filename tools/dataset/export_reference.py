#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes data/models/emoji32-reference.safetensors for `genstudio-cli bench
image`: every training image as an 8×8 colour thumbnail (box filter, HWC,
0..1), its Unicode emoji group as an index, its name as caption."""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train"))
import safetensors_io  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def main():
    d = np.load("/work/cache/emoji32.npz")
    images = d["images"].astype(np.float32) / 255.0
    n = images.shape[0]
    thumbs = images.reshape(n, 8, 4, 8, 4, 3).mean(axis=(2, 4))
    groups = sorted(set(str(g) for g in d["groups"]))
    group_ids = np.array([groups.index(str(g)) for g in d["groups"]], dtype=np.float32)
    path = os.path.join(ROOT, "data", "models", "emoji32-reference.safetensors")
    safetensors_io.save(path, {"thumbs": thumbs.astype(np.float32), "groups": group_ids},
                        {"genstudio.captions": json.dumps([str(x) for x in d["names"]]),
                         "genstudio.groups": json.dumps(groups)})
    print(f"wrote {path}: {n} thumbnails in {len(groups)} groups")


if __name__ == "__main__":
    main()
