#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Golden fixture for the engine's acoustic model, computed by PyTorch from
the fp16 weights exactly as stored in data/models/speech.safetensors: the
phonemes of "Hello from GenStudio." (as espeak-ng gives them, with the start
token), the predicted variances and the log-mel decoded from the predicted
durations (rounded half away from zero), pitch and energy."""
import json
import os
import sys

import numpy as np
import torch

import model as M
import vocoder

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tools", "train"))
import safetensors_io  # noqa: E402

HELLO = [("^", 0), ("h", 0), ("ə", 0), ("l", 0), ("oʊ", 1), (" ", 0), ("f", 0), ("ɹ", 0), ("ʌ", 0), ("m", 0),
         (" ", 0), ("dʒ", 0), ("ɛ", 1), ("n", 0), (" ", 0), ("s", 0), ("t", 0), ("uː", 1), ("d", 0), ("ɪ", 0),
         ("oʊ", 2), (".", 0)]


def main():
    torch.set_num_threads(1)
    model_path = os.path.join(ROOT, "data", "models", "speech.safetensors")
    weights, meta = safetensors_io.load(model_path)
    cfg = json.loads(meta["genstudio.speech_config"])
    phones = meta["genstudio.phones"].split("\n")
    speakers = meta["genstudio.speakers"].split("\n")
    net = M.Acoustic(cfg, len(phones), len(speakers))
    net.load_state_dict({k: torch.from_numpy(v.astype(np.float32)) for k, v in weights.items()
                         if not k.startswith(("audio.", "vocoder."))})
    net.eval()
    ids = torch.tensor([[phones.index(p) for p, _ in HELLO]])
    stress = torch.tensor([[s for _, s in HELLO]])
    speaker = torch.tensor([0])
    with torch.no_grad():
        x, variance = net.encode(ids, stress, speaker)
        durations = torch.clamp(torch.floor(torch.exp(variance[:, 0]) - 1 + 0.5), min=0).long()
        mel = net.decode(x, variance[:, 1], variance[:, 2], durations, speaker)
    out = {"ids": ids.float().numpy(), "stress": stress.float().numpy(), "variance": variance.numpy(),
           "mel": mel.numpy()}
    if "vocoder.head_mag.weight" in weights:
        voc = vocoder.Vocoder(vocoder.CONFIG)
        vocoder.load_shipped(voc, model_path)
        with torch.no_grad():
            out["vocoder_audio"] = voc(mel)[0].numpy()
    path = os.path.join(ROOT, "tests", "data", "golden", "speech_golden.safetensors")
    safetensors_io.save(path, {k: v.astype(np.float32) for k, v in out.items()},
                        {"genstudio.golden": "tools/speech/export_golden.py"})
    print(f"wrote {path}: {mel.shape[2]} frames")


if __name__ == "__main__":
    main()
