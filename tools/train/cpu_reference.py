#!/usr/bin/python3
"""What a mature CPU framework reaches on the engine's workloads, for the
engine's speed notes (engine/README.md): PyTorch on this CPU runs the default
UNet (both guidance branches in one batch) and Griffin-Lim's FFT pair, with
OpenBLAS-class sgemm 1024³ measured in the same run as the yardstick. Not a
benchmark of the product (`genstudio-cli bench …` is): the engine must run as
Vulkan compute; this says how far its figures are from the CPU's own.

    /usr/bin/python3 tools/train/cpu_reference.py [--threads N]
"""
import argparse
import os
import time

import torch

import model as M

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def best_of(runs, fn):
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    sgemm = 2 * 1024**3 / best_of(7, lambda: a @ b) / 1e9

    weights, cfg, tokenizer = M.load_export(os.path.join(ROOT, "data", "models", "emoji32.safetensors"))
    net = M.Diffusion(cfg, len(tokenizer.vocab))
    net.load_state_dict(weights, strict=False)
    net.eval()
    unet = net.model.diffusion_model
    with torch.no_grad():
        context = net.encode(torch.tensor([tokenizer.encode("red apple"), tokenizer.encode("")]))
        x, t = torch.randn(2, cfg["in_channels"], 32, 32), torch.tensor([500.0, 500.0])
        flops = M.count_flops(net, cfg) * 2
        call = best_of(5, lambda: [unet(x, t, context) for _ in range(10)]) / 10

    frames = torch.rand(250, 1024)
    fft_pair = best_of(20, lambda: torch.fft.irfft(torch.fft.rfft(frames, dim=1), dim=1))

    print(f"threads {args.threads}: sgemm 1024³ {sgemm:.1f} GFLOP/s")
    print(f"default UNet call, batch 2: {call * 1e3:.1f} ms, {flops / call / 1e9:.1f} GFLOP/s, "
          f"ratio {flops / call / 1e9 / sgemm:.3f} of sgemm")
    print(f"rfft + irfft of 250 frames of 1024: {fft_pair * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
