#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""PyTorch reference of Stable Diffusion 1.x / 2.x, written for GenStudio from
the published architectures: the CLIP (HF names) and OpenCLIP text encoders,
ldm's UNet (openaimodel names) and VAE (AutoencoderKL names), both checkpoint
layouts, and the engine's sampler (engine/sampling/gs-schedule.c,
engine/models/gs-diffusion.c). The C engine is tested against it.

Module attribute names are the checkpoints' tensor names, so a state dict
loads as is. selfcheck() (run this file) checks the modules against the
tensor lists of sd_arch.py, the layouts against each other and the full-size
parameter counts."""
import json
import math
import os
import struct
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sd_arch as A  # noqa: E402
# The single-file → diffusers name conversion, re-exported for users of the reference.
from sd_arch import to_diffusers, unet_to_diffusers, vae_to_diffusers, openclip_to_hf  # noqa: E402,F401

# ---- safetensors ----

_NP = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
       "U8": np.uint8, "BF16": np.uint16}


def read_safetensors(path, want=None):
    """{name: float/int numpy array}, metadata. want(name) → bool filters;
    data is memory-mapped until converted, so only wanted tensors are read."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    meta = header.pop("__metadata__", {}) or {}
    raw = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n) if header else None
    out = {}
    for name, info in header.items():
        if want and not want(name):
            continue
        b, e = info["data_offsets"]
        a = raw[b:e].view(_NP[info["dtype"]]).reshape(info["shape"])
        if info["dtype"] == "BF16":
            a = (a.reshape(-1).astype(np.uint32) << 16).view(np.float32).reshape(info["shape"])
        out[name] = a
    return out, meta


def write_safetensors(path, tensors, metadata=None):
    """Float arrays are stored as F32."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        a = np.ascontiguousarray(np.asarray(tensors[name], dtype=np.float32))
        data = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for b in blobs:
            f.write(b)
    os.replace(path + ".tmp", path)

# ---- matrix products, attention ----


def matmul(a, b, out=None):
    """a @ b through numpy on the CPU: its BLAS (OpenBLAS on Debian) is 3–6×
    faster than this torch build's generic one, which decides whether a
    full-size UNet call takes seconds or minutes. out: a contiguous tensor."""
    if a.device.type != "cpu" or a.dtype != b.dtype:
        return torch.matmul(a, b, out=out)
    r = np.matmul(a.detach().numpy(), b.detach().numpy(), out=None if out is None else out.numpy())
    return out if out is not None else torch.from_numpy(r)


class Linear(nn.Linear):
    def forward(self, x):
        y = matmul(x, self.weight.t())
        return y + self.bias if self.bias is not None else y


def attention(q, k, v, heads, mask=None, chunk=1024):
    """Multi-head scaled dot-product attention of [B,N,C] q and [B,M,C] k/v.
    Queries go in chunks through one reused score buffer with an in-place
    softmax, so 4096-token self-attention stays small and fast."""
    b, n, c = q.shape
    d = c // heads
    q = (q * (1.0 / math.sqrt(d))).reshape(b, n, heads, d).transpose(1, 2)  # [B,h,N,d]
    kt = k.reshape(b, -1, heads, d).permute(0, 2, 3, 1)                     # [B,h,d,M]
    v = v.reshape(b, -1, heads, d).transpose(1, 2)                          # [B,h,M,d]
    out = torch.empty(b, heads, n, d, dtype=q.dtype)
    buf = None
    for s in range(0, n, chunk):
        e = min(n, s + chunk)
        if buf is None or buf.shape[2] != e - s:
            buf = torch.empty(b, heads, e - s, kt.shape[-1], dtype=q.dtype)
        matmul(q[:, :, s:e], kt, out=buf)
        if mask is not None:
            buf.add_(mask[s:e])
        buf.sub_(buf.amax(dim=-1, keepdim=True)).exp_()
        buf.div_(buf.sum(dim=-1, keepdim=True))
        out[:, :, s:e] = matmul(buf, v)
    return out.transpose(1, 2).reshape(b, n, c)


def causal_mask(n, dtype):
    return torch.full((n, n), float("-inf"), dtype=dtype).triu(1)


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


def activation(name):
    return quick_gelu if name == "quick_gelu" else F.gelu

# ---- CLIP text encoder, HF CLIPTextModel names ----


class CLIPAttention(nn.Module):
    def __init__(self, w, heads):
        super().__init__()
        self.heads = heads
        self.k_proj, self.v_proj, self.q_proj, self.out_proj = (Linear(w, w) for _ in range(4))

    def forward(self, x, mask):
        return self.out_proj(attention(self.q_proj(x), self.k_proj(x), self.v_proj(x), self.heads, mask))


class CLIPMLP(nn.Module):
    def __init__(self, w, act):
        super().__init__()
        self.act = activation(act)
        self.fc1, self.fc2 = Linear(w, 4 * w), Linear(4 * w, w)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class CLIPLayer(nn.Module):
    def __init__(self, t):
        super().__init__()
        w = t["width"]
        self.self_attn = CLIPAttention(w, t["heads"])
        self.layer_norm1 = nn.LayerNorm(w, eps=t["eps"])
        self.mlp = CLIPMLP(w, t["act"])
        self.layer_norm2 = nn.LayerNorm(w, eps=t["eps"])

    def forward(self, x, mask):
        x = x + self.self_attn(self.layer_norm1(x), mask)
        return x + self.mlp(self.layer_norm2(x))


class CLIPTextModel(nn.Module):
    """State dict names: text_model.*. layers: SD 2's diffusers encoder has one fewer."""

    def __init__(self, t, layers=None):
        super().__init__()
        tm = nn.Module()
        tm.embeddings = nn.Module()
        tm.embeddings.token_embedding = nn.Embedding(t["vocab"], t["width"])
        tm.embeddings.position_embedding = nn.Embedding(t["tokens"], t["width"])
        tm.encoder = nn.Module()
        tm.encoder.layers = nn.ModuleList([CLIPLayer(t) for _ in range(t["layers"] if layers is None else layers)])
        tm.final_layer_norm = nn.LayerNorm(t["width"], eps=t["eps"])
        self.text_model = tm

    def forward(self, ids, skip=1):
        """skip = 1: the last layer's output, 2: the penultimate's; then
        final_layer_norm either way."""
        tm = self.text_model
        x = tm.embeddings.token_embedding(ids) + tm.embeddings.position_embedding.weight[:ids.shape[1]]
        mask = causal_mask(ids.shape[1], x.dtype)
        layers = tm.encoder.layers
        for layer in layers[:len(layers) - skip + 1]:
            x = layer(x, mask)
        return tm.final_layer_norm(x)

# ---- OpenCLIP text encoder (SD 2 single files) ----


class OpenCLIPAttention(nn.Module):
    def __init__(self, w, heads):
        super().__init__()
        self.heads = heads
        self.in_proj_weight = nn.Parameter(torch.empty(3 * w, w))
        self.in_proj_bias = nn.Parameter(torch.empty(3 * w))
        self.out_proj = Linear(w, w)

    def forward(self, x, mask):
        q, k, v = (matmul(x, self.in_proj_weight.t()) + self.in_proj_bias).chunk(3, dim=-1)
        return self.out_proj(attention(q, k, v, self.heads, mask))


class OpenCLIPMLP(nn.Module):
    def __init__(self, w, act):
        super().__init__()
        self.act = activation(act)
        self.c_fc, self.c_proj = Linear(w, 4 * w), Linear(4 * w, w)

    def forward(self, x):
        return self.c_proj(self.act(self.c_fc(x)))


class OpenCLIPBlock(nn.Module):
    def __init__(self, t):
        super().__init__()
        w = t["width"]
        self.ln_1 = nn.LayerNorm(w, eps=t["eps"])
        self.attn = OpenCLIPAttention(w, t["heads"])
        self.ln_2 = nn.LayerNorm(w, eps=t["eps"])
        self.mlp = OpenCLIPMLP(w, t["act"])

    def forward(self, x, mask):
        x = x + self.attn(self.ln_1(x), mask)
        return x + self.mlp(self.ln_2(x))


class OpenCLIPText(nn.Module):
    """State dict names as under cond_stage_model.model. in SD 2 files."""

    def __init__(self, t):
        super().__init__()
        w = t["width"]
        self.token_embedding = nn.Embedding(t["vocab"], w)
        self.positional_embedding = nn.Parameter(torch.empty(t["tokens"], w))
        self.transformer = nn.Module()
        self.transformer.resblocks = nn.ModuleList([OpenCLIPBlock(t) for _ in range(t["layers"])])
        self.ln_final = nn.LayerNorm(w, eps=t["eps"])
        self.text_projection = nn.Parameter(torch.empty(w, t["proj_dim"]))  # unused by SD
        self.logit_scale = nn.Parameter(torch.empty(()))                   # unused by SD

    def forward(self, ids, skip=2):
        x = self.token_embedding(ids) + self.positional_embedding[:ids.shape[1]]
        mask = causal_mask(ids.shape[1], x.dtype)
        blocks = self.transformer.resblocks
        for block in blocks[:len(blocks) - skip + 1]:
            x = block(x, mask)
        return self.ln_final(x)

# ---- UNet, ldm openaimodel names ----


def timestep_embedding(t, dim, max_period=10000.0):
    """cos first, as ldm (flip_sin_to_cos in diffusers)."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float64, device=t.device) / half)
    args = t.to(torch.float64)[:, None] * freqs[None]
    emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
    if dim % 2:
        emb = F.pad(emb, (0, 1))
    return emb


class ResBlock(nn.Module):
    def __init__(self, cin, cout, emb, u):
        super().__init__()
        g, eps = u["norm_groups"], u["resnet_eps"]
        self.in_layers = nn.Sequential(nn.GroupNorm(g, cin, eps=eps), nn.SiLU(), nn.Conv2d(cin, cout, 3, padding=1))
        self.emb_layers = nn.Sequential(nn.SiLU(), Linear(emb, cout))
        self.out_layers = nn.Sequential(nn.GroupNorm(g, cout, eps=eps), nn.SiLU(), nn.Dropout(0.0),
                                        nn.Conv2d(cout, cout, 3, padding=1))
        self.skip_connection = nn.Identity() if cin == cout else nn.Conv2d(cin, cout, 1)

    def forward(self, x, emb):
        h = self.in_layers(x) + self.emb_layers(emb)[:, :, None, None]
        return self.skip_connection(x) + self.out_layers(h)


class CrossAttention(nn.Module):
    def __init__(self, dim, ctx, heads):
        super().__init__()
        self.heads = heads
        self.to_q = Linear(dim, dim, bias=False)
        self.to_k = Linear(ctx, dim, bias=False)
        self.to_v = Linear(ctx, dim, bias=False)
        self.to_out = nn.Sequential(Linear(dim, dim), nn.Dropout(0.0))

    def forward(self, x, context):
        return self.to_out(attention(self.to_q(x), self.to_k(context), self.to_v(context), self.heads))


class GEGLU(nn.Module):
    def __init__(self, dim, inner):
        super().__init__()
        self.proj = Linear(dim, 2 * inner)

    def forward(self, x):
        a, gate = self.proj(x).chunk(2, dim=-1)
        return a * F.gelu(gate)


class FeedForward(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.net = nn.Sequential(GEGLU(dim, 4 * dim), nn.Dropout(0.0), Linear(4 * dim, dim))

    def forward(self, x):
        return self.net(x)


class TransformerBlock(nn.Module):
    def __init__(self, c, ctx, heads, eps):
        super().__init__()
        self.attn1 = CrossAttention(c, c, heads)
        self.ff = FeedForward(c)
        self.attn2 = CrossAttention(c, ctx, heads)
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(c, eps=eps) for _ in range(3))

    def forward(self, x, context):
        h = self.norm1(x)
        x = x + self.attn1(h, h)
        x = x + self.attn2(self.norm2(x), context)
        return x + self.ff(self.norm3(x))


class SpatialTransformer(nn.Module):
    def __init__(self, c, u):
        super().__init__()
        heads, _ = A.unet_heads(u, c)
        self.linear = u["use_linear"]
        self.norm = nn.GroupNorm(u["norm_groups"], c, eps=u["transformer_norm_eps"])
        self.proj_in = Linear(c, c) if self.linear else nn.Conv2d(c, c, 1)
        self.transformer_blocks = nn.ModuleList([TransformerBlock(c, u["context_dim"], heads, u["layer_norm_eps"])])
        self.proj_out = Linear(c, c) if self.linear else nn.Conv2d(c, c, 1)

    def forward(self, x, context):
        b, c, hgt, wid = x.shape
        h = self.norm(x)
        if not self.linear:
            h = self.proj_in(h)
        h = h.flatten(2).transpose(1, 2)
        if self.linear:
            h = self.proj_in(h)
        for block in self.transformer_blocks:
            h = block(h, context)
        if self.linear:
            h = self.proj_out(h)
        h = h.transpose(1, 2).reshape(b, c, hgt, wid)
        if not self.linear:
            h = self.proj_out(h)
        return x + h


class Downsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.op = nn.Conv2d(c, c, 3, stride=2, padding=1)

    def forward(self, x):
        return self.op(x)


class Upsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class Step(nn.ModuleList):
    """One entry of input_blocks / middle_block / output_blocks."""

    def forward(self, x, emb, context):
        for layer in self:
            if isinstance(layer, ResBlock):
                x = layer(x, emb)
            elif isinstance(layer, SpatialTransformer):
                x = layer(x, context)
            else:
                x = layer(x)
        return x


class UNet(nn.Module):
    def __init__(self, u):
        super().__init__()
        mc, nrb = u["model_channels"], u["num_res_blocks"]
        emb, levels = 4 * mc, len(u["channel_mult"])
        self.model_channels = mc
        self.time_embed = nn.Sequential(Linear(mc, emb), nn.SiLU(), Linear(emb, emb))
        self.input_blocks = nn.ModuleList([Step([nn.Conv2d(u["in_channels"], mc, 3, padding=1)])])
        chans, ch = [mc], mc
        for level, mult in enumerate(u["channel_mult"]):
            for _ in range(nrb):
                layers = [ResBlock(ch, mc * mult, emb, u)]
                ch = mc * mult
                if level in u["attention_levels"]:
                    layers.append(SpatialTransformer(ch, u))
                self.input_blocks.append(Step(layers))
                chans.append(ch)
            if level != levels - 1:
                self.input_blocks.append(Step([Downsample(ch)]))
                chans.append(ch)
        self.middle_block = Step([ResBlock(ch, ch, emb, u), SpatialTransformer(ch, u), ResBlock(ch, ch, emb, u)])
        self.output_blocks = nn.ModuleList()
        for level in reversed(range(levels)):
            for i in range(nrb + 1):
                cout = mc * u["channel_mult"][level]
                layers = [ResBlock(ch + chans.pop(), cout, emb, u)]
                ch = cout
                if level in u["attention_levels"]:
                    layers.append(SpatialTransformer(ch, u))
                if level and i == nrb:
                    layers.append(Upsample(ch))
                self.output_blocks.append(Step(layers))
        self.out = nn.Sequential(nn.GroupNorm(u["norm_groups"], ch, eps=u["resnet_eps"]), nn.SiLU(),
                                 nn.Conv2d(ch, u["out_channels"], 3, padding=1))

    def forward(self, x, t, context):
        dtype = self.time_embed[0].weight.dtype
        emb = self.time_embed(timestep_embedding(t, self.model_channels).to(dtype))
        skips, h = [], x
        for block in self.input_blocks:
            h = block(h, emb, context)
            skips.append(h)
        h = self.middle_block(h, emb, context)
        for block in self.output_blocks:
            h = block(torch.cat([h, skips.pop()], dim=1), emb, context)
        return self.out(h)

# ---- VAE, ldm AutoencoderKL names ----


def vae_norm(c, v):
    return nn.GroupNorm(v["groups"], c, eps=v["eps"])


class VAEResnet(nn.Module):
    def __init__(self, cin, cout, v):
        super().__init__()
        self.norm1 = vae_norm(cin, v)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm2 = vae_norm(cout, v)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        if cin != cout:
            self.nin_shortcut = nn.Conv2d(cin, cout, 1)

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        if hasattr(self, "nin_shortcut"):
            x = self.nin_shortcut(x)
        return x + h


class VAEAttention(nn.Module):
    """One head over all C channels; q/k/v/proj_out are 1×1 convolutions."""

    def __init__(self, c, v):
        super().__init__()
        self.norm = vae_norm(c, v)
        self.q, self.k, self.v, self.proj_out = (nn.Conv2d(c, c, 1) for _ in range(4))

    def forward(self, x):
        b, c, hgt, wid = x.shape
        h = self.norm(x)
        tokens = lambda t: t.flatten(2).transpose(1, 2)  # [B, HW, C]
        a = attention(tokens(self.q(h)), tokens(self.k(h)), tokens(self.v(h)), 1)
        return x + self.proj_out(a.transpose(1, 2).reshape(b, c, hgt, wid))


class VAEDownsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, stride=2, padding=0)

    def forward(self, x):
        return self.conv(F.pad(x, (0, 1, 0, 1)))


class VAEMid(nn.Module):
    def __init__(self, c, v):
        super().__init__()
        self.block_1 = VAEResnet(c, c, v)
        self.attn_1 = VAEAttention(c, v)
        self.block_2 = VAEResnet(c, c, v)

    def forward(self, x):
        return self.block_2(self.attn_1(self.block_1(x)))


class Encoder(nn.Module):
    def __init__(self, v):
        super().__init__()
        ch, mult, nrb = v["ch"], v["ch_mult"], v["num_res_blocks"]
        self.conv_in = nn.Conv2d(v["in_channels"], ch, 3, padding=1)
        self.down = nn.ModuleList()
        block_in = ch
        for i, m in enumerate(mult):
            level = nn.Module()
            level.block = nn.ModuleList()
            for _ in range(nrb):
                level.block.append(VAEResnet(block_in, ch * m, v))
                block_in = ch * m
            if i != len(mult) - 1:
                level.downsample = VAEDownsample(block_in)
            self.down.append(level)
        self.mid = VAEMid(block_in, v)
        self.norm_out = vae_norm(block_in, v)
        self.conv_out = nn.Conv2d(block_in, 2 * v["z"], 3, padding=1)

    def forward(self, x):
        h = self.conv_in(x)
        for level in self.down:
            for block in level.block:
                h = block(h)
            if hasattr(level, "downsample"):
                h = level.downsample(h)
        h = self.mid(h)
        return self.conv_out(F.silu(self.norm_out(h)))


class Decoder(nn.Module):
    def __init__(self, v):
        super().__init__()
        ch, mult, nrb = v["ch"], v["ch_mult"], v["num_res_blocks"]
        block_in = ch * mult[-1]
        self.conv_in = nn.Conv2d(v["z"], block_in, 3, padding=1)
        self.mid = VAEMid(block_in, v)
        levels = [None] * len(mult)
        for i in reversed(range(len(mult))):  # up.(L-1) runs first
            level = nn.Module()
            level.block = nn.ModuleList()
            for _ in range(nrb + 1):
                level.block.append(VAEResnet(block_in, ch * mult[i], v))
                block_in = ch * mult[i]
            if i != 0:
                level.upsample = Upsample(block_in)
            levels[i] = level
        self.up = nn.ModuleList(levels)
        self.norm_out = vae_norm(block_in, v)
        self.conv_out = nn.Conv2d(block_in, v["out_channels"], 3, padding=1)

    def forward(self, z):
        h = self.mid(self.conv_in(z))
        for i in reversed(range(len(self.up))):
            level = self.up[i]
            for block in level.block:
                h = block(h)
            if hasattr(level, "upsample"):
                h = level.upsample(h)
        return self.conv_out(F.silu(self.norm_out(h)))


class AutoencoderKL(nn.Module):
    def __init__(self, v):
        super().__init__()
        self.z = v["z"]
        self.encoder = Encoder(v)
        self.decoder = Decoder(v)
        self.quant_conv = nn.Conv2d(2 * v["z"], 2 * v["z"], 1)
        self.post_quant_conv = nn.Conv2d(v["z"], v["z"], 1)

    def encode(self, x):
        """The latent distribution's mean (unscaled)."""
        return self.quant_conv(self.encoder(x))[:, :self.z]

    def decode(self, z):
        """z unscaled (latent / 0.18215); output in [-1, 1]-ish, not clamped."""
        return self.decoder(self.post_quant_conv(z))

# ---- the engine's sampler ----


class Schedule:
    """engine/sampling/gs-schedule.c: log-sigma table, linear timestep spacing."""

    def __init__(self, count=A.TRAIN_STEPS, beta_start=A.BETA_START, beta_end=A.BETA_END):
        self.count = count
        f = np.arange(count, dtype=np.float64) / (count - 1)
        betas = (math.sqrt(beta_start) + f * (math.sqrt(beta_end) - math.sqrt(beta_start))) ** 2
        ab = np.cumprod(1.0 - betas)
        self.log_sigma = 0.5 * np.log((1.0 - ab) / ab)

    def sigma(self, t):
        if t <= 0:
            return math.exp(self.log_sigma[0])
        if t >= self.count - 1:
            return math.exp(self.log_sigma[-1])
        lo = int(math.floor(t))
        w = t - lo
        return math.exp((1 - w) * self.log_sigma[lo] + w * self.log_sigma[lo + 1])

    def t(self, sigma):
        ls = math.log(sigma)
        if ls <= self.log_sigma[0]:
            return 0.0
        if ls >= self.log_sigma[-1]:
            return float(self.count - 1)
        hi = int(np.searchsorted(self.log_sigma, ls, side="left"))  # log_sigma[hi-1] < ls <= log_sigma[hi]
        lo = hi - 1
        return lo + (ls - self.log_sigma[lo]) / (self.log_sigma[hi] - self.log_sigma[lo])

    def sigmas(self, steps):
        """GS_SPACING_LINEAR: timesteps evenly spaced from count−1 to 0, then 0."""
        out = []
        for i in range(steps):
            t = (self.count - 1) * (1.0 - i / (steps - 1)) if steps > 1 else self.count - 1
            out.append(self.sigma(t))
        return out + [0.0]


def euler_sample(unet, noise, context, steps, cfg_scale, v_prediction=False):
    """Euler (not ancestral), guidance with batch [uncond, cond] as the
    engine does; noise [1,C,H,W], context [2,77,W]. Returns the final latent
    (unscaled by 0.18215, i.e. still in the UNet's latent space)."""
    sched = Schedule()
    sigmas = sched.sigmas(steps)
    x = noise * sigmas[0]
    for i in range(steps):
        sigma, nxt = sigmas[i], sigmas[i + 1]
        t = sched.t(sigma)
        c_in = 1.0 / math.sqrt(sigma * sigma + 1.0)
        model_in = (x * c_in).repeat(2, 1, 1, 1)
        out = unet(model_in, torch.tensor([t, t], dtype=torch.float64), context)
        o = out[0:1] + cfg_scale * (out[1:2] - out[0:1])
        if v_prediction:
            denoised = c_in * c_in * x - sigma * c_in * o
        else:
            denoised = x - sigma * o
        x = denoised + nxt * (x - denoised) / sigma
    return x

# ---- loading ----


class MetaTensors(torch.overrides.TorchFunctionMode):
    """Builds modules on the meta device (shapes only, no memory, no init):
    for checking full-size names and parameter counts."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        if func in (torch.empty, torch.zeros, torch.ones, torch.full):
            kwargs["device"] = "meta"
        return func(*args, **kwargs)




def load_module(module_fn, tensors, prefix="", dtype=torch.float64, rename=None):
    """Builds module_fn() without initialising it (meta tensors), then fills
    every parameter from tensors[prefix + name] (rename maps module names to
    file names), strictly: all present, shapes equal. One tensor converted
    at a time, so a full-size UNet loads in its own size of memory."""
    with MetaTensors():
        module = module_fn()
    module = module.to(dtype).to_empty(device="cpu")
    for name, p in module.state_dict().items():
        key = prefix + (rename(name) if rename else name)
        if key not in tensors:
            raise KeyError(f"missing {key}")
        a = tensors[key]
        if list(a.shape) != list(p.shape):
            raise ValueError(f"{key}: file {list(a.shape)}, module {list(p.shape)}")
        with warnings.catch_warnings():  # memory-mapped arrays are read-only; copy_ only reads them
            warnings.simplefilter("ignore")
            p.copy_(torch.from_numpy(np.asarray(a)))
    return module.eval()


class SDModel:
    """text encoder + UNet + VAE of one checkpoint, in either layout."""

    def __init__(self, cfg, text, unet, vae, skip, prediction):
        self.cfg, self.text, self.unet, self.vae = cfg, text, unet, vae
        self.default_skip, self.prediction = skip, prediction

    def encode_text(self, ids, skip=None):
        return self.text(ids, self.default_skip if skip is None else skip)


def infer_config(tensors, meta, size=None):
    """Family from the names, size from the UNet's width, inpainting from its
    input channels; head counts of downsized files from their
    genstudio.sd_arch metadata (their shapes do not tell)."""
    family = "sd2" if A.OPENCLIP_PREFIX + "token_embedding.weight" in tensors else "sd1"
    conv_in = tensors[A.UNET_PREFIX + "input_blocks.0.0.weight"]
    if size is None:
        size = "full" if conv_in.shape[0] == 320 else "tiny"
    cfg = A.config(family, size, conv_in.shape[1] == 9)
    if "genstudio.sd_arch" in meta:
        arch = json.loads(meta["genstudio.sd_arch"])
        cfg["text"]["heads"] = arch["text_heads"]
        cfg["unet"]["num_heads"] = arch.get("unet_num_heads")
        cfg["unet"]["head_channels"] = arch.get("unet_head_channels")
    return cfg


def load_single_file(path, dtype=torch.float64, parts=("text", "unet", "vae"), size=None):
    want = lambda n: any(n.startswith(p) for p in (A.UNET_PREFIX, A.VAE_PREFIX, A.CLIP_PREFIX, A.OPENCLIP_PREFIX))
    tensors, meta = read_safetensors(path, want)
    cfg = infer_config(tensors, meta, size)
    pred = "v" if meta.get("modelspec.prediction_type") == "v" else "epsilon"
    text = unet = vae = None
    if "text" in parts:
        if cfg["text"]["kind"] == "clip":
            text = load_module(lambda: CLIPTextModel(cfg["text"]), tensors, A.CLIP_PREFIX[:-len("text_model.")],
                               dtype)
        else:
            text = load_module(lambda: OpenCLIPText(cfg["text"]), tensors, A.OPENCLIP_PREFIX, dtype)
    if "unet" in parts:
        unet = load_module(lambda: UNet(cfg["unet"]), tensors, A.UNET_PREFIX, dtype)
    if "vae" in parts:
        vae = load_module(lambda: AutoencoderKL(cfg["vae"]), tensors, A.VAE_PREFIX, dtype)
    return SDModel(cfg, text, unet, vae, cfg["skip"], pred)


def load_diffusers(folder, family, size, dtype=torch.float64, parts=("text", "unet", "vae")):
    """Loads the diffusers names into the same modules, through the name
    mapping of sd_arch (inverted)."""
    cfg = A.config(family, size)
    with open(os.path.join(folder, "unet", "config.json")) as f:
        cfg["unet"]["in_channels"] = json.load(f)["in_channels"]
    cfg["inpaint"] = cfg["unet"]["in_channels"] == 9
    with open(os.path.join(folder, "scheduler", "scheduler_config.json")) as f:
        pred = "v" if json.load(f).get("prediction_type") == "v_prediction" else "epsilon"
    text = unet = vae = None
    if "unet" in parts:
        t, _ = read_safetensors(os.path.join(folder, A.DIFFUSERS_WEIGHTS["unet"]))
        unet = load_module(lambda: UNet(cfg["unet"]), t, "", dtype, lambda n: A.unet_to_diffusers(n, cfg))
    if "vae" in parts:
        t, _ = read_safetensors(os.path.join(folder, A.DIFFUSERS_WEIGHTS["vae"]))
        t = dict(t)
        for n in A.vae_tensors(cfg, ""):
            dn, f = A.vae_to_diffusers(n[0], cfg)
            if f:
                t[dn] = t[dn][:, :, None, None]
        vae = load_module(lambda: AutoencoderKL(cfg["vae"]), t, "", dtype, lambda n: A.vae_to_diffusers(n, cfg)[0])
    if "text" in parts:
        t, _ = read_safetensors(os.path.join(folder, A.DIFFUSERS_WEIGHTS["text_encoder"]))
        text = load_module(lambda: CLIPTextModel(cfg["text"], A.diffusers_text_layers(cfg)), t, "", dtype)
    return SDModel(cfg, text, unet, vae, 1, pred)


def build_modules(cfg):
    """(text, unet, vae) modules of a config, random-initialised by torch."""
    text = CLIPTextModel(cfg["text"]) if cfg["text"]["kind"] == "clip" else OpenCLIPText(cfg["text"])
    return text, UNet(cfg["unet"]), AutoencoderKL(cfg["vae"])


def count(module):
    return sum(p.numel() for p in module.parameters())


# ---- self-check ----


def selfcheck(tmp="/tmp/sd-reference-selfcheck"):
    import make_checkpoint as MC
    torch.set_num_threads(2)
    os.makedirs(tmp, exist_ok=True)
    # 1. module state dicts = the tensor lists make_checkpoint writes, names and shapes
    for family in ("sd1", "sd2"):
        for size in ("tiny", "full"):
            for inpaint in (False, True):
                cfg = A.config(family, size, inpaint)
                with MetaTensors():
                    text, unet, vae = build_modules(cfg)
                tp = A.CLIP_PREFIX[:-len("text_model.")] if cfg["text"]["kind"] == "clip" else A.OPENCLIP_PREFIX
                mine = {tp + k: list(v.shape) for k, v in text.state_dict().items()}
                mine.update({A.UNET_PREFIX + k: list(v.shape) for k, v in unet.state_dict().items()})
                mine.update({A.VAE_PREFIX + k: list(v.shape) for k, v in vae.state_dict().items()})
                listed = {n: s for n, s, _ in A.single_file_tensors(cfg, extras=False)}
                assert mine == listed, (family, size, set(mine) ^ set(listed))
                if size == "full" and not inpaint:
                    print(f"{family} full: UNet {count(unet):,}  text {count(text):,}  VAE {count(vae):,} parameters")
    # 2. both layouts of each tiny family load into the same modules and agree
    for family, dtype, pred in (("sd1", "F16", "epsilon"), ("sd2", "BF16", "v")):
        cfg = A.config(family, "tiny")
        single, folder = os.path.join(tmp, family + ".safetensors"), os.path.join(tmp, family + "-diffusers")
        MC.write_single(single, cfg, dtype, 1, pred)
        MC.write_diffusers(folder, cfg, dtype, 1, pred)
        a = load_single_file(single)
        b = load_diffusers(folder, family, "tiny")
        assert a.prediction == b.prediction == pred
        g = torch.Generator().manual_seed(0)
        ids = torch.randint(0, 1000, (2, 77), generator=g)
        ta, tb = a.encode_text(ids), b.encode_text(ids)
        # SD 2: one in_proj matmul vs three q/k/v ones round differently in float64
        assert (ta - tb).abs().max() < 1e-12, (family, (ta - tb).abs().max())
        x = torch.randn(2, 4, 8, 8, generator=g, dtype=torch.float64)
        t = torch.tensor([999.0, 421.5], dtype=torch.float64)
        ua, ub = a.unet(x, t, ta), b.unet(x, t, ta)
        assert torch.equal(ua, ub)
        img = torch.rand(1, 3, 64, 64, generator=g, dtype=torch.float64) * 2 - 1
        ea, eb = a.vae.encode(img), b.vae.encode(img)
        assert ea.shape == (1, 4, 8, 8) and torch.equal(ea, eb)
        da, db = a.vae.decode(ea), b.vae.decode(ea)
        assert da.shape == (1, 3, 64, 64) and torch.equal(da, db)
        # f32 and bf16/f16 files of one seed hold the same numbers
        MC.write_single(single, cfg, "F32", 1, pred)
        c = load_single_file(single)
        assert torch.equal(c.unet(x, t, ta), ua)
        print(f"{family} tiny: single file = diffusers folder (text {list(ta.shape)}, unet {list(ua.shape)}, "
              f"encode {list(ea.shape)}, decode {list(da.shape)}); text std {ta.std():.3f}, "
              f"unet out std {ua.std():.3f}, decode std {da.std():.3f}")
    # 3. SD 2's single-file text encoder at skip 2 = the diffusers one (one layer fewer) at skip 1: done above.
    # 4. the UNet matches tools/train/model.py (the engine's earlier reference) on its own config
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train"))
    import model as M
    mcfg = dict(M.CONFIG)
    theirs = M.UNet(mcfg).eval()  # float32: it makes its timestep embedding in float32
    u = {"in_channels": 3, "out_channels": 3, "model_channels": mcfg["model_channels"],
         "channel_mult": mcfg["channel_mult"], "num_res_blocks": mcfg["num_res_blocks"],
         "attention_levels": mcfg["attention_levels"], "num_heads": None, "head_channels": mcfg["head_channels"],
         "context_dim": mcfg["context_dim"], "use_linear": False, "norm_groups": 32, "resnet_eps": 1e-5,
         "transformer_norm_eps": 1e-6, "layer_norm_eps": 1e-5}
    ours = UNet(u).eval()
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(2, 3, 32, 32)
    t = torch.tensor([10.0, 700.5])
    ctx = torch.randn(2, 77, mcfg["context_dim"])
    with torch.no_grad():
        d = (ours(x, t, ctx) - theirs(x, t, ctx)).abs().max().item()
    assert d < 1e-4, d
    print(f"UNet = tools/train/model.py UNet (max diff {d:.2e})")
    # 5. and the text encoder its TextModel (exact gelu, causal mask, same HF names)
    t = {"width": mcfg["text_width"], "layers": mcfg["text_layers"], "heads": mcfg["text_heads"], "vocab": 50,
         "tokens": 77, "act": "gelu", "eps": mcfg["text_eps"]}
    theirs = M.TextModel(mcfg, 50).eval()
    ours = CLIPTextModel(t).eval()
    ours.text_model.load_state_dict(theirs.state_dict())
    ids = torch.randint(0, 50, (2, 77))
    d = (ours(ids) - theirs(ids)).abs().max().item()
    assert d < 1e-5, d
    print(f"text encoder = tools/train/model.py TextModel (max diff {d:.2e})")
    print("selfcheck passed")


if __name__ == "__main__":
    with torch.no_grad():
        selfcheck()
