# SPDX-License-Identifier: GPL-3.0-or-later
"""A small text-to-image diffusion model shaped exactly like Stable Diffusion
1.x: a CLIP-style text encoder and an ldm-style UNet, with the same module
names, so the exported tensors carry SD's checkpoint names and the C engine
runs this model and real SD checkpoints through the same code.
See README.md for the layout."""
import json
import math
import re

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import safetensors_io

CONFIG = {
    "image_size": 32, "in_channels": 3, "out_channels": 3,
    "model_channels": 32, "channel_mult": [1, 2, 2], "num_res_blocks": 1,
    "attention_levels": [1, 2], "head_channels": 32, "context_dim": 128,
    "norm_groups": 32, "resnet_eps": 1e-5, "transformer_norm_eps": 1e-6, "layer_norm_eps": 1e-5,
    "text_width": 128, "text_layers": 2, "text_heads": 4, "text_tokens": 77, "text_eps": 1e-5,
    "train_timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02, "beta_schedule": "linear",
    "prediction": "v",
    # Pixel-space sampling clamps each step's prediction of the clean image
    # to the data range, as DDPM does; latent models (SD) must not.
    "clip_denoised": True,
}
SPECIALS = ["<pad>", "<bos>", "<eos>", "<unk>"]
BOS, EOS, UNK = 1, 2, 3


def words(text):
    return re.findall(r"[a-z0-9]+", text.lower())


class Tokenizer:
    def __init__(self, vocab):
        self.vocab = list(vocab)
        self.ids = {w: i for i, w in enumerate(self.vocab)}

    @staticmethod
    def build(texts):
        found = sorted({w for t in texts for w in words(t)})
        return Tokenizer(SPECIALS + found)

    def encode(self, text, length=77):
        ids = [BOS] + [self.ids.get(w, UNK) for w in words(text)][: length - 2] + [EOS]
        return ids + [EOS] * (length - len(ids))


# ---- text encoder (HF CLIPTextModel names) ----

class CLIPAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q_proj, self.k_proj = nn.Linear(width, width), nn.Linear(width, width)
        self.v_proj, self.out_proj = nn.Linear(width, width), nn.Linear(width, width)

    def forward(self, x):
        b, n, c = x.shape
        split = lambda t: t.view(b, n, self.heads, c // self.heads).transpose(1, 2)
        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        mask = torch.full((n, n), float("-inf"), device=x.device).triu(1)
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(c // self.heads) + mask, dim=-1) @ v
        return self.out_proj(a.transpose(1, 2).reshape(b, n, c))


class CLIPMLP(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(width, 4 * width), nn.Linear(4 * width, width)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class CLIPLayer(nn.Module):
    def __init__(self, width, heads, eps):
        super().__init__()
        self.layer_norm1, self.layer_norm2 = nn.LayerNorm(width, eps=eps), nn.LayerNorm(width, eps=eps)
        self.self_attn, self.mlp = CLIPAttention(width, heads), CLIPMLP(width)

    def forward(self, x):
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class CLIPEmbeddings(nn.Module):
    def __init__(self, vocab, width, tokens):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, width)
        self.position_embedding = nn.Embedding(tokens, width)


class CLIPEncoder(nn.Module):
    def __init__(self, width, heads, layers, eps):
        super().__init__()
        self.layers = nn.ModuleList([CLIPLayer(width, heads, eps) for _ in range(layers)])


class TextModel(nn.Module):
    def __init__(self, cfg, vocab):
        super().__init__()
        w = cfg["text_width"]
        self.embeddings = CLIPEmbeddings(vocab, w, cfg["text_tokens"])
        self.encoder = CLIPEncoder(w, cfg["text_heads"], cfg["text_layers"], cfg["text_eps"])
        self.final_layer_norm = nn.LayerNorm(w, eps=cfg["text_eps"])

    def forward(self, ids):
        x = self.embeddings.token_embedding(ids) + self.embeddings.position_embedding.weight
        for layer in self.encoder.layers:
            x = layer(x)
        return self.final_layer_norm(x)


# ---- UNet (ldm openaimodel names) ----

def timestep_embedding(t, dim, max_period=10000.0):
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32) / half)
    args = t.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, emb, groups, eps):
        super().__init__()
        self.in_layers = nn.Sequential(nn.GroupNorm(groups, cin, eps=eps), nn.SiLU(), nn.Conv2d(cin, cout, 3, padding=1))
        self.emb_layers = nn.Sequential(nn.SiLU(), nn.Linear(emb, cout))
        self.out_layers = nn.Sequential(nn.GroupNorm(groups, cout, eps=eps), nn.SiLU(), nn.Dropout(0.0),
                                        nn.Conv2d(cout, cout, 3, padding=1))
        self.skip_connection = nn.Identity() if cin == cout else nn.Conv2d(cin, cout, 1)

    def forward(self, x, emb):
        h = self.in_layers(x) + self.emb_layers(emb)[:, :, None, None]
        return self.skip_connection(x) + self.out_layers(h)


class Attention(nn.Module):
    def __init__(self, dim, context_dim, heads):
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(context_dim, dim, bias=False)
        self.to_v = nn.Linear(context_dim, dim, bias=False)
        self.to_out = nn.Sequential(nn.Linear(dim, dim), nn.Dropout(0.0))

    def forward(self, x, context):
        b, n, c = x.shape
        h = self.heads
        q = self.to_q(x).view(b, n, h, c // h).transpose(1, 2)
        k = self.to_k(context).view(b, -1, h, c // h).transpose(1, 2)
        v = self.to_v(context).view(b, -1, h, c // h).transpose(1, 2)
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(c // h), dim=-1) @ v
        return self.to_out(a.transpose(1, 2).reshape(b, n, c))


class GEGLU(nn.Module):
    def __init__(self, dim, inner):
        super().__init__()
        self.proj = nn.Linear(dim, inner * 2)

    def forward(self, x):
        a, gate = self.proj(x).chunk(2, dim=-1)
        return a * F.gelu(gate)


class FeedForward(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.net = nn.Sequential(GEGLU(dim, 4 * dim), nn.Dropout(0.0), nn.Linear(4 * dim, dim))

    def forward(self, x):
        return self.net(x)


class BasicTransformerBlock(nn.Module):
    def __init__(self, dim, context_dim, heads, eps):
        super().__init__()
        self.attn1, self.attn2 = Attention(dim, dim, heads), Attention(dim, context_dim, heads)
        self.ff = FeedForward(dim)
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(dim, eps=eps) for _ in range(3))

    def forward(self, x, context):
        x = x + self.attn1(self.norm1(x), self.norm1(x))
        x = x + self.attn2(self.norm2(x), context)
        return x + self.ff(self.norm3(x))


class SpatialTransformer(nn.Module):
    def __init__(self, c, cfg):
        super().__init__()
        self.norm = nn.GroupNorm(cfg["norm_groups"], c, eps=cfg["transformer_norm_eps"])
        self.proj_in = nn.Conv2d(c, c, 1)
        self.transformer_blocks = nn.ModuleList(
            [BasicTransformerBlock(c, cfg["context_dim"], c // cfg["head_channels"], cfg["layer_norm_eps"])])
        self.proj_out = nn.Conv2d(c, c, 1)

    def forward(self, x, context):
        b, c, h, w = x.shape
        t = self.proj_in(self.norm(x)).flatten(2).transpose(1, 2)
        for block in self.transformer_blocks:
            t = block(t, context)
        return x + self.proj_out(t.transpose(1, 2).reshape(b, c, h, w))


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
        return self.conv(F.interpolate(x, scale_factor=2, mode="nearest"))


class Step(nn.ModuleList):
    """One entry of input_blocks/output_blocks: layers applied in order."""

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
    def __init__(self, cfg):
        super().__init__()
        mc, groups, eps = cfg["model_channels"], cfg["norm_groups"], cfg["resnet_eps"]
        emb = 4 * mc
        self.model_channels = mc
        self.time_embed = nn.Sequential(nn.Linear(mc, emb), nn.SiLU(), nn.Linear(emb, emb))
        self.input_blocks = nn.ModuleList([Step([nn.Conv2d(cfg["in_channels"], mc, 3, padding=1)])])
        chans, ch = [mc], mc
        levels = len(cfg["channel_mult"])
        for level, mult in enumerate(cfg["channel_mult"]):
            for _ in range(cfg["num_res_blocks"]):
                layers = [ResBlock(ch, mc * mult, emb, groups, eps)]
                ch = mc * mult
                if level in cfg["attention_levels"]:
                    layers.append(SpatialTransformer(ch, cfg))
                self.input_blocks.append(Step(layers))
                chans.append(ch)
            if level != levels - 1:
                self.input_blocks.append(Step([Downsample(ch)]))
                chans.append(ch)
        self.middle_block = Step([ResBlock(ch, ch, emb, groups, eps), SpatialTransformer(ch, cfg),
                                  ResBlock(ch, ch, emb, groups, eps)])
        self.output_blocks = nn.ModuleList()
        for level, mult in reversed(list(enumerate(cfg["channel_mult"]))):
            for i in range(cfg["num_res_blocks"] + 1):
                layers = [ResBlock(ch + chans.pop(), mc * mult, emb, groups, eps)]
                ch = mc * mult
                if level in cfg["attention_levels"]:
                    layers.append(SpatialTransformer(ch, cfg))
                if level and i == cfg["num_res_blocks"]:
                    layers.append(Upsample(ch))
                self.output_blocks.append(Step(layers))
        self.out = nn.Sequential(nn.GroupNorm(groups, ch, eps=eps), nn.SiLU(), nn.Conv2d(ch, cfg["out_channels"], 3, padding=1))

    def forward(self, x, t, context):
        emb = self.time_embed(timestep_embedding(t, self.model_channels))
        skips, h = [], x
        for block in self.input_blocks:
            h = block(h, emb, context)
            skips.append(h)
        h = self.middle_block(h, emb, context)
        for block in self.output_blocks:
            h = block(torch.cat([h, skips.pop()], dim=1), emb, context)
        return self.out(h)


class Cond(nn.Module):
    def __init__(self, cfg, vocab):
        super().__init__()
        self.transformer = nn.Module()
        self.transformer.text_model = TextModel(cfg, vocab)


class Diffusion(nn.Module):
    """Top-level names match SD checkpoints: model.diffusion_model.*, cond_stage_model.transformer.text_model.*"""

    def __init__(self, cfg, vocab):
        super().__init__()
        self.model = nn.Module()
        self.model.diffusion_model = UNet(cfg)
        self.cond_stage_model = Cond(cfg, vocab)

    def encode(self, ids):
        return self.cond_stage_model.transformer.text_model(ids)

    def forward(self, x, t, ids):
        return self.model.diffusion_model(x, t, self.encode(ids))


def load_export(path):
    """An exported .safetensors as (fp32 state dict, config, tokenizer)."""
    tensors, meta = safetensors_io.load(path)
    weights = {k: torch.from_numpy(v.astype(np.float32)) for k, v in tensors.items()}
    return weights, json.loads(meta["genstudio.config"]), Tokenizer(meta["genstudio.vocab"].split("\n"))


def alphas_cumprod(cfg):
    betas = torch.linspace(cfg["beta_start"], cfg["beta_end"], cfg["train_timesteps"], dtype=torch.float64)
    return torch.cumprod(1 - betas, 0)


def count_flops(net, cfg):
    """FLOPs (2 per multiply-add) of one UNet call on one image: convolutions,
    linear layers and the attention matmuls; norms and activations left out."""
    unet, total = net.model.diffusion_model, [0]

    def conv(mod, inp, out):
        total[0] += 2 * out.numel() * mod.in_channels // mod.groups * mod.kernel_size[0] * mod.kernel_size[1]

    def linear(mod, inp, out):
        total[0] += 2 * out.numel() * mod.in_features

    def attention(mod, inp, out):
        n, m = inp[0].shape[1], inp[1].shape[1]
        total[0] += 2 * 2 * n * m * mod.to_q.out_features  # q·kᵀ and attn·v

    hooks = []
    for mod in unet.modules():
        if isinstance(mod, nn.Conv2d):
            hooks.append(mod.register_forward_hook(conv))
        elif isinstance(mod, nn.Linear):
            hooks.append(mod.register_forward_hook(linear))
        elif isinstance(mod, Attention):
            hooks.append(mod.register_forward_hook(attention))
    s = cfg["image_size"]
    with torch.no_grad():
        unet(torch.zeros(1, cfg["in_channels"], s, s), torch.tensor([500.0]),
             torch.zeros(1, cfg["text_tokens"], cfg["context_dim"]))
    for h in hooks:
        h.remove()
    return total[0]


if __name__ == "__main__":
    torch.set_num_threads(1)
    vocab = 2761  # the emoji vocabulary's size; only the token embedding depends on it
    cfg = dict(CONFIG, vocab_size=vocab)
    net = Diffusion(cfg, vocab)
    unet = sum(p.numel() for p in net.model.diffusion_model.parameters())
    text = sum(p.numel() for p in net.cond_stage_model.parameters())
    print(f"UNet {unet:,} parameters, text encoder {text:,} (vocab {vocab}), total {unet + text:,}")
    print(f"{count_flops(net, cfg) / 1e9:.3f} GFLOP per UNet forward (one 32x32 image)")
