# SPDX-License-Identifier: GPL-3.0-or-later
"""The acoustic model: espeak-ng phonemes → 80-bin log-mel, non-autoregressive
(FastSpeech-like, convolutions only). engine/speech/gs-acoustic.c builds the
same graph from the engine's ops; the tensor names below are the file format.

Tensors are [batch, channels, time]. A block is x + conv(GELU(LN(x))) with
LayerNorm over channels and "same" padding (pre-norm: the post-norm order
made gradients overflow at initialisation).
  encoder: phone_embedding[id] + stress_embedding[s] + speaker_embedding[v],
           ENCODER_LAYERS blocks, kernel 5
  variance: two blocks of kernel 3 without the residual, then a 1×1 conv to
           [log(1 + frames), pitch (octaves from the speaker's mean, 0 when
           unvoiced), energy (standardised)]
  x += variance_embed(1×1 conv of [pitch, energy])
  length regulation: phoneme i repeated durations[i] times
  decoder: + speaker_embedding2[v], DECODER blocks with the dilations below,
           kernel 5, then a 1×1 conv to 80 mel bins."""
import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIG = {
    "channels": 192,
    "encoder_layers": 4,
    "decoder_dilations": [1, 2, 4, 1, 2, 4],
    "kernel": 5,
    "mel_bins": 80,
}


class Block(nn.Module):
    def __init__(self, channels, kernel, dilation=1, residual=True):
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, kernel, padding=dilation * (kernel - 1) // 2, dilation=dilation)
        self.norm = nn.LayerNorm(channels)
        self.residual = residual

    def forward(self, x):
        h = self.conv(F.gelu(self.norm(x.transpose(1, 2)).transpose(1, 2)))
        return x + h if self.residual else h


class Acoustic(nn.Module):
    def __init__(self, cfg, phones, speakers):
        super().__init__()
        c, k = cfg["channels"], cfg["kernel"]
        self.phone_embedding = nn.Embedding(phones, c)
        self.stress_embedding = nn.Embedding(3, c)
        self.speaker_embedding = nn.Embedding(speakers, c)
        self.speaker_embedding2 = nn.Embedding(speakers, c)
        self.encoder = nn.ModuleList([Block(c, k) for _ in range(cfg["encoder_layers"])])
        self.variance = nn.ModuleList([Block(c, 3, residual=False), Block(c, 3, residual=False)])
        self.variance_out = nn.Conv1d(c, 3, 1)
        self.variance_embed = nn.Conv1d(2, c, 1)
        self.decoder = nn.ModuleList([Block(c, k, d) for d in cfg["decoder_dilations"]])
        self.mel_out = nn.Conv1d(c, cfg["mel_bins"], 1)

    def encode(self, phones, stress, speaker):
        """→ hidden [B, C, N] and predicted variances [B, 3, N]."""
        x = self.phone_embedding(phones) + self.stress_embedding(stress) + self.speaker_embedding(speaker)[:, None]
        x = x.transpose(1, 2)
        for block in self.encoder:
            x = block(x)
        h = x
        for block in self.variance:
            h = block(h)
        return x, self.variance_out(h)

    def decode(self, x, pitch, energy, durations, speaker):
        """x [B, C, N] hidden, pitch/energy [B, N], durations [B, N] int →
        log-mel [B, 80, T] with T the longest sum of durations."""
        x = x + self.variance_embed(torch.stack([pitch, energy], 1))
        frames = [torch.repeat_interleave(x[b], durations[b], dim=1) for b in range(x.shape[0])]
        t = max(f.shape[1] for f in frames)
        y = torch.stack([F.pad(f, (0, t - f.shape[1])) for f in frames])
        y = y + self.speaker_embedding2(speaker)[:, :, None]
        for block in self.decoder:
            y = block(y)
        return self.mel_out(y)
