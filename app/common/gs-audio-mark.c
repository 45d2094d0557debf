/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gs-audio-mark.h"

#define PERIOD 32768 /* frame length at 16 kHz: 2.048 s, a power of two for the FFT */
#define CHIP 256     /* samples per chip: 16 ms */
#define CHIPS (PERIOD / CHIP)
#define SYNC_CHIPS 32
#define PAYLOAD_BITS 32
#define CODED_BITS (PAYLOAD_BITS + 16)
#define KEY 0x47534175646d6b31ull /* "GSAudmk1" */
/* Mark amplitude against the envelope follower (a peak follower sits about
 * 2× over RMS, so this lands the mark about 28 dB down). */
#define STRENGTH 0.02
#define LPC_ORDER 16
#define LPC_BLOCK 1024

/* The frame: pseudo-noise at 8 kHz, interpolated to 16 kHz so a
 * fractional misalignment costs little; each chip is a sync chip or
 * carries one coded bit with its own sign. */
typedef struct {
    float pn[PERIOD];
    short bit[CHIPS]; /* -1: sync */
    signed char sign[CHIPS];
} Frame;

static void
frame_init(Frame *f)
{
    GsMarkRng rng;
    gs_mark_rng_init(&rng, KEY);
    float coarse[PERIOD / 2];
    for (int i = 0; i < PERIOD / 2; i++)
        coarse[i] = (gs_mark_rng_next(&rng) >> 63) ? 1.0f : -1.0f;
    for (int i = 0; i < PERIOD; i++)
        f->pn[i] = i % 2 ? 0.5f * (coarse[i / 2] + coarse[(i / 2 + 1) % (PERIOD / 2)]) : coarse[i / 2];
    int order[CHIPS];
    for (int i = 0; i < CHIPS; i++)
        order[i] = i;
    for (int i = CHIPS - 1; i > 0; i--) {
        int j = (int)gs_mark_rng_below(&rng, (unsigned)i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (int i = 0; i < CHIPS; i++) {
        f->bit[order[i]] = i < SYNC_CHIPS ? -1 : (short)((i - SYNC_CHIPS) % CODED_BITS);
        f->sign[order[i]] = (gs_mark_rng_next(&rng) >> 63) ? 1 : -1;
    }
}

struct _GsAudioMarker {
    Frame frame;
    float chip_value[CHIPS]; /* ±1 per chip, payload applied */
    int rate, channels;
    unsigned long long position; /* frames marked so far */
    double envelope, signal_energy, mark_energy;
};

GsAudioMarker *
gs_audio_marker_new(int rate, int channels, const GsMarkPayload *payload)
{
    GsAudioMarker *m = calloc(1, sizeof *m);
    frame_init(&m->frame);
    uint64_t word = gs_mark_payload_pack(payload, PAYLOAD_BITS);
    for (int k = 0; k < CHIPS; k++) {
        int b = m->frame.bit[k];
        m->chip_value[k] = b < 0 ? 1.0f : (float)(m->frame.sign[k] * (((word >> (CODED_BITS - 1 - b)) & 1) ? 1 : -1));
    }
    m->rate = rate;
    m->channels = channels;
    return m;
}

/* The 16 kHz mark at fractional position t (in 16 kHz samples), before the envelope. */
static float
mark_at(const GsAudioMarker *m, double t)
{
    long long i = (long long)floor(t);
    double frac = t - (double)i;
    int a = (int)(i % PERIOD), b = (int)((i + 1) % PERIOD);
    float va = m->frame.pn[a] * m->chip_value[a / CHIP], vb = m->frame.pn[b] * m->chip_value[b / CHIP];
    return (float)((1 - frac) * va + frac * vb);
}

void
gs_audio_marker_apply(GsAudioMarker *m, float *samples, size_t frames)
{
    /* A peak follower: instant attack, 80 ms release, so the mark rides
     * under the sound and leaves silence silent. */
    double release = exp(-1.0 / (0.080 * m->rate));
    for (size_t i = 0; i < frames; i++) {
        double level = 0;
        for (int c = 0; c < m->channels; c++)
            level = fmax(level, fabs(samples[i * m->channels + c]));
        m->envelope = fmax(level, m->envelope * release);
        double t = (double)(m->position + i) * GS_AUDIO_MARK_RATE / m->rate;
        float w = (float)(STRENGTH * m->envelope) * mark_at(m, t);
        for (int c = 0; c < m->channels; c++) {
            float *s = &samples[i * m->channels + c];
            m->signal_energy += (double)*s * *s;
            m->mark_energy += (double)w * w;
            *s += w;
        }
    }
    m->position += frames;
}

double
gs_audio_marker_snr(const GsAudioMarker *m)
{
    return m->mark_energy > 0 ? 10 * log10(m->signal_energy / m->mark_energy) : INFINITY;
}

void
gs_audio_marker_free(GsAudioMarker *m)
{
    free(m);
}

/* Prediction residual of `x` by blocks of LPC_BLOCK with order-LPC_ORDER
 * linear prediction (Levinson–Durbin on Hann-windowed autocorrelation):
 * speech and music become roughly white, the noise-like mark barely
 * changes. Each block is then scaled to unit power so loud passages do
 * not outvote quiet ones. */
static void
whiten(const float *x, size_t n, float *e)
{
    for (size_t start = 0; start < n; start += LPC_BLOCK) {
        size_t len = n - start < LPC_BLOCK ? n - start : LPC_BLOCK;
        double r[LPC_ORDER + 1] = { 0 }, a[LPC_ORDER + 1] = { 1 }, tmp[LPC_ORDER + 1];
        double windowed[LPC_BLOCK];
        for (size_t i = 0; i < len; i++)
            windowed[i] = (0.5 - 0.5 * cos(2 * M_PI * i / len)) * x[start + i];
        for (int lag = 0; lag <= LPC_ORDER; lag++)
            for (size_t i = lag; i < len; i++)
                r[lag] += windowed[i] * windowed[i - lag];
        r[0] = r[0] * (1 + 1e-6) + 1e-12;
        double err = r[0];
        for (int i = 1; i <= LPC_ORDER; i++) {
            double acc = r[i];
            for (int j = 1; j < i; j++)
                acc += a[j] * r[i - j];
            double k = -acc / err;
            memcpy(tmp, a, sizeof a);
            for (int j = 1; j < i; j++)
                a[j] = tmp[j] + k * tmp[i - j];
            a[i] = k;
            err *= 1 - k * k;
            if (err <= 0)
                break;
        }
        double power = 0;
        for (size_t i = 0; i < len; i++) {
            double v = 0;
            for (int j = 0; j <= LPC_ORDER; j++)
                if (start + i >= (size_t)j)
                    v += a[j] * x[start + i - j];
            e[start + i] = (float)v;
            power += v * v;
        }
        float scale = power > 0 ? (float)(1 / sqrt(power / len + 1e-12)) : 0;
        for (size_t i = 0; i < len; i++)
            e[start + i] *= scale;
    }
}

/* In-place radix-2 FFT; `inverse` without the 1/n. */
static void
fft(double complex *v, int n, int inverse)
{
    for (int i = 1, j = 0; i < n; i++) {
        int bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            double complex t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
    }
    for (int len = 2; len <= n; len <<= 1) {
        double complex step = cexp((inverse ? 2 : -2) * M_PI * I / len);
        for (int i = 0; i < n; i += len) {
            double complex w = 1;
            for (int j = 0; j < len / 2; j++) {
                double complex a = v[i + j], b = v[i + j + len / 2] * w;
                v[i + j] = a + b;
                v[i + j + len / 2] = a - b;
                w *= step;
            }
        }
    }
}

void
gs_audio_mark_detect(const float *samples, size_t n, GsAudioMarkResult *result)
{
    memset(result, 0, sizeof *result);
    if (n < PERIOD / 2)
        return;
    Frame *frame = malloc(sizeof *frame);
    frame_init(frame);
    float *e = malloc(sizeof(float) * n);
    whiten(samples, n, e);
    /* Fold the residual onto one frame: every repeat adds up in place. */
    double *folded = calloc(PERIOD, sizeof(double)), *folded_sq = calloc(PERIOD, sizeof(double));
    for (size_t i = 0; i < n; i++) {
        folded[i % PERIOD] += e[i];
        folded_sq[i % PERIOD] += (double)e[i] * e[i];
    }
    /* Cross-correlate with the sync chips at every offset (FFT), and the
     * energy under them likewise for the z-score. */
    double complex *a = malloc(sizeof(double complex) * PERIOD), *b = malloc(sizeof(double complex) * PERIOD);
    double complex *c = malloc(sizeof(double complex) * PERIOD), *d = malloc(sizeof(double complex) * PERIOD);
    for (int i = 0; i < PERIOD; i++) {
        int sync = frame->bit[i / CHIP] < 0;
        a[i] = folded[i];
        b[i] = sync ? frame->pn[i] : 0;
        c[i] = folded_sq[i];
        d[i] = sync ? frame->pn[i] * frame->pn[i] : 0;
    }
    fft(a, PERIOD, 0);
    fft(b, PERIOD, 0);
    fft(c, PERIOD, 0);
    fft(d, PERIOD, 0);
    for (int i = 0; i < PERIOD; i++) {
        a[i] = a[i] * conj(b[i]);
        c[i] = c[i] * conj(d[i]);
    }
    fft(a, PERIOD, 1);
    fft(c, PERIOD, 1);
    int best_offset = 0;
    double best = -INFINITY;
    for (int t = 0; t < PERIOD; t++) {
        double energy = creal(c[t]) / PERIOD;
        double z = energy > 0 ? creal(a[t]) / PERIOD / sqrt(energy) : 0;
        if (z > best) {
            best = z;
            best_offset = t;
        }
    }
    result->score = best;
    result->found = best >= GS_AUDIO_MARK_THRESHOLD;
    /* The bits at that offset. */
    double soft[CODED_BITS] = { 0 };
    for (int i = 0; i < PERIOD; i++) {
        int k = i / CHIP, bit = frame->bit[k];
        if (bit >= 0)
            soft[bit] += frame->sign[k] * frame->pn[i] * folded[(i + best_offset) % PERIOD];
    }
    uint64_t word = 0;
    for (int i = 0; i < CODED_BITS; i++)
        word = (word << 1) | (soft[i] > 0 ? 1u : 0u);
    result->payload_valid = result->found && gs_mark_payload_unpack(word, PAYLOAD_BITS, &result->payload);
    free(a);
    free(b);
    free(c);
    free(d);
    free(folded);
    free(folded_sq);
    free(e);
    free(frame);
}
