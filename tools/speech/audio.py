# SPDX-License-Identifier: GPL-3.0-or-later
"""The speech models' audio space, shared by data preparation, training and
export; engine/speech/ implements the same definitions:
22.05 kHz, STFT with n_fft 1024, hop 256, periodic Hann window of 1024,
centred frames (reflect padding of 512), magnitude spectrum, 80 triangular
mel filters on the HTK mel scale from 0 to 8 kHz (peak 1, no area
normalisation), natural log of max(mel, 1e-5)."""
import wave

import numpy as np
import torch
from scipy.signal import resample_poly

SAMPLE_RATE = 22050
N_FFT = 1024
HOP = 256
N_MELS = 80
F_MAX = 8000.0
LOG_FLOOR = 1e-5


def hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + f / 700.0)


def mel_to_hz(m):
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


def mel_filters():
    """[N_MELS, N_FFT/2+1] filterbank."""
    bins = N_FFT // 2 + 1
    freqs = np.arange(bins) * SAMPLE_RATE / N_FFT
    points = mel_to_hz(np.linspace(0.0, hz_to_mel(F_MAX), N_MELS + 2))
    fb = np.zeros((N_MELS, bins))
    for m in range(N_MELS):
        lo, mid, hi = points[m], points[m + 1], points[m + 2]
        rise = (freqs - lo) / (mid - lo)
        fall = (hi - freqs) / (hi - mid)
        fb[m] = np.maximum(0.0, np.minimum(rise, fall))
    return fb.astype(np.float32)


def window():
    return torch.hann_window(N_FFT, periodic=True)


def stft(x):
    """x [..., L] → complex [..., N_FFT/2+1, frames]."""
    return torch.stft(x, N_FFT, HOP, N_FFT, window(), center=True, pad_mode="reflect", return_complex=True)


def log_mel(x):
    fb = torch.from_numpy(mel_filters())
    return torch.log(torch.clamp(fb @ stft(x).abs(), min=LOG_FLOOR))


def pitch(x, frames):
    """F0 in Hz per frame by normalised autocorrelation (0 = unvoiced)."""
    pad = torch.nn.functional.pad(x[None, None], (N_FFT // 2, N_FFT // 2), mode="reflect")[0, 0]
    f = pad.unfold(0, N_FFT, HOP)[:frames] * window()
    spec = torch.fft.rfft(f, n=2 * N_FFT)
    ac = torch.fft.irfft(spec.abs() ** 2)[:, :N_FFT]
    ac = ac / ac[:, :1].clamp(min=1e-8)
    lo, hi = SAMPLE_RATE // 400, SAMPLE_RATE // 60
    peak, lag = ac[:, lo:hi].max(1)
    f0 = SAMPLE_RATE / (lag + lo).float()
    loud = f.pow(2).mean(1) > 1e-4
    return torch.where((peak > 0.45) & loud, f0, torch.zeros_like(f0)).numpy()


def read_wav(path):
    with wave.open(path) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1, path
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    return data.astype(np.float32) / 32768.0


def read_wav_resampled(path):
    """A WAV file's samples at SAMPLE_RATE (float32), whatever its own rate."""
    with wave.open(path) as w:
        rate = w.getframerate()
    return resample_poly(read_wav(path), SAMPLE_RATE // 50, rate // 50).astype(np.float32)


def write_wav(path, x, rate=SAMPLE_RATE):
    pcm = (np.clip(x, -1, 1) * 32767).astype(np.int16)
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
