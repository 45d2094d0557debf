#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Trains the acoustic model on the prepared teacher data, resumable: a
checkpoint every few minutes (temp file + rename), loss to loss.csv.
--init starts from a shipped model (speech.safetensors) instead of from
scratch: its phonemes and voices keep their rows, a new phoneme starts as
the one the engine would speak it as (gs-speech.c's phone_id), a new voice
as the mean of the old ones."""
import argparse
import os
import random
import sys
import time
import unicodedata

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
import torch.nn.functional as F

import model as M

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train"))
import safetensors_io  # noqa: E402


def statistics(items):
    speakers = sorted({it["voice"] for it in items})
    pitch_mean = {}
    for s in speakers:
        voiced = np.concatenate([it["pitch"][it["pitch"] > 0] for it in items if it["voice"] == s])
        pitch_mean[s] = float(voiced.mean())
    energy = np.concatenate([it["energy"] for it in items])
    phones = sorted({p for it in items for p, _ in it["phones"]})
    languages = {it["voice"]: it.get("lang", "en-us") for it in items}
    return {"speakers": speakers, "languages": languages, "pitch_mean": pitch_mean, "energy_mean": float(energy.mean()),
            "energy_std": float(energy.std()), "phones": ["<unk>"] + phones}


def nearest_phone(symbol, known):
    """The engine's fallback for a phoneme the model does not know: without
    length marks and diacritics, else its first letter, else <unk>."""
    base = "".join(ch for ch in symbol if ch != "ː" and unicodedata.category(ch) not in ("Mn", "Lm"))
    for candidate in (base, base[:1]):
        if candidate in known:
            return candidate
    return "<unk>"


def initialise(net, path, stats):
    tensors, meta = safetensors_io.load(path)
    old_phones = meta["genstudio.phones"].split("\n")
    old_speakers = meta["genstudio.speakers"].split("\n")
    state = net.state_dict()
    for name, value in tensors.items():
        value = torch.from_numpy(value.astype(np.float32))
        if name == "phone_embedding.weight":
            rows = [old_phones.index(nearest_phone(p, old_phones)) for p in stats["phones"]]
            state[name] = value[rows]
        elif name.startswith("speaker_embedding"):
            state[name] = torch.stack([value[old_speakers.index(s)] if s in old_speakers else value.mean(0)
                                       for s in stats["speakers"]])
        elif name in state:
            state[name] = value
    net.load_state_dict(state)
    print(f"initialised from {path}: {len(old_phones)} → {len(stats['phones'])} phonemes, "
          f"{len(old_speakers)} → {len(stats['speakers'])} voices", flush=True)


def to_tensors(items, stats):
    index = {p: i for i, p in enumerate(stats["phones"])}
    out = []
    for it in items:
        voiced = it["pitch"] > 0
        pitch = np.where(voiced, it["pitch"] - stats["pitch_mean"][it["voice"]], 0.0)
        energy = (it["energy"] - stats["energy_mean"]) / stats["energy_std"]
        out.append({
            "phones": torch.tensor([index[p] for p, _ in it["phones"]]),
            "stress": torch.tensor([s for _, s in it["phones"]]),
            "speaker": stats["speakers"].index(it["voice"]),
            "durations": torch.from_numpy(it["durations"]).long(),
            "pitch": torch.from_numpy(pitch).float(),
            "energy": torch.from_numpy(energy).float(),
            "mel": it["mel"].float(),
        })
    return out


def pad(seqs, value=0):
    n = max(s.shape[-1] for s in seqs)
    return torch.stack([F.pad(s, (0, n - s.shape[-1]), value=value) for s in seqs])


def loss_of(net, batch):
    phones = pad([b["phones"] for b in batch])
    stress = pad([b["stress"] for b in batch])
    speaker = torch.tensor([b["speaker"] for b in batch])
    durations = pad([b["durations"] for b in batch])
    pitch, energy = pad([b["pitch"] for b in batch]), pad([b["energy"] for b in batch])
    mel = pad([b["mel"] for b in batch], value=-11.5)
    phone_mask = pad([torch.ones(len(b["phones"])) for b in batch])
    frame_mask = pad([torch.ones(b["mel"].shape[1]) for b in batch])

    x, variance = net.encode(phones, stress, speaker)
    targets = torch.stack([torch.log1p(durations.float()), pitch, energy], 1)
    var_loss = (((variance - targets) ** 2).mean(1) * phone_mask).sum() / phone_mask.sum()
    pred = net.decode(x, pitch, energy, durations, speaker)[:, :, :mel.shape[2]]
    mel_loss = ((pred - mel).abs().mean(1) * frame_mask).sum() / frame_mask.sum()
    return mel_loss, var_loss


def batches(data, frames_per_batch, rng):
    order = sorted(range(len(data)), key=lambda i: data[i]["mel"].shape[1] + rng.random() * 40)
    out, cur, total = [], [], 0
    for i in order:
        cur.append(data[i])
        total += data[i]["mel"].shape[1]
        if total >= frames_per_batch:
            out.append(cur)
            cur, total = [], 0
    if cur:
        out.append(cur)
    rng.shuffle(out)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", nargs="+", default=["/work/cache/speech/dataset.pt"])
    ap.add_argument("--init", help="a speech.safetensors to start from")
    ap.add_argument("--ckpt", default="/work/cache/speech/ckpt")
    ap.add_argument("--frames", type=int, default=4000, help="mel frames per batch")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--hours", type=float, default=100.0)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.ckpt, exist_ok=True)

    items = [item for path in args.data for item in torch.load(path)]
    stats = statistics(items)
    data = to_tensors(items, stats)
    rng = random.Random(0)
    rng.shuffle(data)
    held_out, data = data[:100], data[100:]
    torch.manual_seed(0)
    net = M.Acoustic(M.CONFIG, len(stats["phones"]), len(stats["speakers"]))
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=0.01)
    step = 0
    latest = os.path.join(args.ckpt, "latest.pt")
    if os.path.exists(latest):
        state = torch.load(latest)
        net.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        step = state["step"]
        assert state["stats"]["phones"] == stats["phones"], "phone set changed"
        print(f"resumed at step {step}", flush=True)
    elif args.init:
        initialise(net, args.init, stats)
    log = open(os.path.join(args.ckpt, "loss.csv"), "a")
    start = last_save = time.time()
    while time.time() - start < args.hours * 3600:
        for batch in batches(data, args.frames, rng):
            for g in opt.param_groups:
                g["lr"] = args.lr * min(1.0, (step + 1) / 300)
            mel_loss, var_loss = loss_of(net, batch)
            opt.zero_grad(set_to_none=True)
            (mel_loss + var_loss).backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            step += 1
            if step % 25 == 0:
                with torch.no_grad():
                    hm, hv = loss_of(net, held_out[:50])
                line = f"{step},{mel_loss.item():.4f},{var_loss.item():.4f},{hm.item():.4f},{hv.item():.4f}"
                log.write(line + "\n")
                log.flush()
                print(f"step {line} {(time.time() - start) / 60:.1f} min", flush=True)
            if time.time() - last_save > 300:
                state = {"model": net.state_dict(), "opt": opt.state_dict(), "step": step, "stats": stats,
                         "config": M.CONFIG}
                torch.save(state, latest + ".tmp")
                os.replace(latest + ".tmp", latest)
                last_save = time.time()


if __name__ == "__main__":
    main()
