# SPDX-License-Identifier: GPL-3.0-or-later
"""The conditional GAN beside the diffusion model: one forward pass from a
noise vector and a caption to a 32×32 emoji.

The caption is a bag of words (the diffusion model's word tokenizer and
vocabulary; the mean of the known words' embeddings), so the generator has
no transformer to run. It conditions every block the way BigGAN does: the
activations are group-normalised without a learned affine, then scaled by
1 + γ(c) and shifted by β(c), linear maps of the caption embedding. Group
norm, unlike batch norm, is the same in training and at run time, so the
engine runs exactly what was trained. The output is not squashed by tanh:
the engine clamps to [−1, 1] when it writes 8-bit pixels, as here.

The discriminator (training only) uses spectral norm on every layer and a
projection term ⟨embed(c), features⟩ (Miyato & Koyama 2018)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

import model as diffusion_model  # tools/train/model.py: the word tokenizer

CONFIG = {"z_dim": 64, "text_dim": 64, "channels": [128, 64, 32, 16], "groups": 8, "eps": 1e-5}


def bag_of_words(tok, text):
    """Token ids of the caption's known words (the empty list for none)."""
    return [tok.ids[w] for w in diffusion_model.words(text) if w in tok.ids]


def bag_weights(bags, vocab_size):
    """[B, V]: each row the caption's word counts divided by its word count,
    so weights · embedding is the mean embedding (zero for no known words)."""
    w = torch.zeros(len(bags), vocab_size)
    for i, ids in enumerate(bags):
        for t in ids:
            w[i, t] += 1.0 / len(ids)
    return w


class Modulated(nn.Module):
    """GroupNorm without affine, then ·(1 + γ(c)) + β(c), then ReLU."""

    def __init__(self, channels, cfg):
        super().__init__()
        self.groups, self.eps = cfg["groups"], cfg["eps"]
        self.gamma = nn.Linear(cfg["text_dim"], channels)
        self.beta = nn.Linear(cfg["text_dim"], channels)
        nn.init.zeros_(self.gamma.weight)
        nn.init.zeros_(self.gamma.bias)

    def forward(self, x, c):
        x = F.group_norm(x, self.groups, eps=self.eps)
        return F.relu(x * (1 + self.gamma(c))[:, :, None, None] + self.beta(c)[:, :, None, None])


class Generator(nn.Module):
    def __init__(self, cfg, vocab_size):
        super().__init__()
        ch = cfg["channels"]
        self.cfg = cfg
        self.embedding = nn.Parameter(torch.randn(vocab_size, cfg["text_dim"]) * 0.1)
        self.fc = nn.Linear(cfg["z_dim"] + cfg["text_dim"], ch[0] * 16)
        self.norms = nn.ModuleList([Modulated(c, cfg) for c in ch])
        self.convs = nn.ModuleList([nn.Conv2d(ch[i], ch[i + 1], 3, padding=1) for i in range(len(ch) - 1)])
        self.out = nn.Conv2d(ch[-1], 3, 3, padding=1)

    def forward(self, z, weights):
        """z [B, z_dim] standard normal, weights [B, V] from bag_weights."""
        c = weights @ self.embedding
        h = self.fc(torch.cat([z, c], dim=1)).view(z.shape[0], self.cfg["channels"][0], 4, 4)
        h = self.norms[0](h, c)
        for conv, norm in zip(self.convs, self.norms[1:]):
            h = norm(conv(F.interpolate(h, scale_factor=2, mode="nearest")), c)
        return self.out(h)


class Discriminator(nn.Module):
    def __init__(self, vocab_size, ch=(16, 32, 64, 128)):
        super().__init__()
        sn = nn.utils.spectral_norm
        layers, cin = [], 3
        for i, c in enumerate(ch):
            layers += [sn(nn.Conv2d(cin, c, 3, padding=1)), nn.LeakyReLU(0.2),
                       sn(nn.Conv2d(c, c * 2 if i == len(ch) - 1 else c, 4, stride=2, padding=1)), nn.LeakyReLU(0.2)]
            cin = c
        self.features = nn.Sequential(*layers)
        width = ch[-1] * 2
        self.linear = sn(nn.Linear(width, 1))
        self.embedding = sn(nn.Embedding(vocab_size, width))

    def forward(self, x, weights):
        h = self.features(x).sum(dim=(2, 3))
        c = weights @ self.embedding.weight
        return self.linear(h).squeeze(1) + (c * h).sum(dim=1)
