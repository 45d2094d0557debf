/* What a voice sounds like, in five numbers: median pitch and pitch range
 * (YIN), and the first three formants (peaks of an LPC envelope), each a
 * median over the voiced frames. Measured at 16 kHz whatever the input
 * rate, so that a recording and a synthesis compare alike.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "gs-pitch.h"
#include "gs-voice-clone.h"

#define RATE 16000
#define HOP (RATE / 50)           /* 20 ms */
#define F0_WINDOW (RATE / 25)     /* 40 ms: two periods of the lowest pitch */
#define F0_MIN 50.0
#define F0_MAX 500.0
#define YIN_THRESHOLD 0.3
#define LPC_WINDOW (RATE / 40)    /* 25 ms */
#define LPC_ORDER 18              /* 2 + kHz of the rate */
#define ENVELOPE_STEP_HZ 20.0
#define ENVELOPE_MAX_HZ 5000.0
#define FORMANT_MIN_HZ 200.0
#define QUIET_DB 35.0             /* frames this far under the loudest are not measured */
#define SINC_TAPS 16

/* Windowed-sinc resampling to RATE (band-limited to the lower Nyquist). */
static float *
resample(const float *x, gsize count, int rate, gsize *out_count)
{
    double step = (double)rate / RATE, cutoff = MIN(1.0, (double)RATE / rate);
    gsize n = (gsize)((double)count / step);
    float *y = g_new(float, MAX(n, 1));
    for (gsize i = 0; i < n; i++) {
        double centre = i * step, sum = 0;
        long first = (long)floor(centre) - SINC_TAPS, last = (long)floor(centre) + SINC_TAPS;
        for (long k = MAX(first, 0); k <= last && k < (long)count; k++) {
            double t = k - centre, arg = M_PI * t * cutoff;
            double sinc = fabs(arg) < 1e-9 ? 1.0 : sin(arg) / arg;
            double hann = 0.5 + 0.5 * cos(M_PI * t / (SINC_TAPS + 1));
            sum += x[k] * cutoff * sinc * hann;
        }
        y[i] = (float)sum;
    }
    *out_count = n;
    return y;
}

/* The first three peaks above FORMANT_MIN_HZ of the all-pole envelope
 * (autocorrelation method, Levinson-Durbin); false if fewer. */
static gboolean
frame_formants(const float *x, double formants[3])
{
    double w[LPC_WINDOW], r[LPC_ORDER + 1], a[LPC_ORDER + 1] = { 1 }, tmp[LPC_ORDER + 1];
    for (int i = 0; i < LPC_WINDOW; i++) {
        double pre = x[i + 1] - 0.97 * x[i]; /* pre-emphasis flattens the glottal tilt */
        w[i] = pre * (0.54 - 0.46 * cos(2 * M_PI * i / (LPC_WINDOW - 1)));
    }
    for (int k = 0; k <= LPC_ORDER; k++) {
        r[k] = 0;
        for (int i = k; i < LPC_WINDOW; i++)
            r[k] += w[i] * w[i - k];
    }
    if (r[0] <= 0)
        return FALSE;
    double err = r[0] * (1 + 1e-9);
    for (int i = 1; i <= LPC_ORDER; i++) {
        double acc = r[i];
        for (int j = 1; j < i; j++)
            acc += a[j] * r[i - j];
        double k = -acc / err;
        for (int j = 0; j <= i; j++)
            tmp[j] = a[j] + (j > 0 ? k * a[i - j] : 0);
        tmp[i] = k;
        for (int j = 0; j <= i; j++)
            a[j] = tmp[j];
        err *= 1 - k * k;
        if (err <= 0)
            return FALSE;
    }
    int found = 0;
    double prev2 = 0, prev = 0;
    for (double f = 0; f <= ENVELOPE_MAX_HZ && found < 3; f += ENVELOPE_STEP_HZ) {
        double re = 0, im = 0, omega = 2 * M_PI * f / RATE;
        for (int j = 0; j <= LPC_ORDER; j++) {
            re += a[j] * cos(omega * j);
            im -= a[j] * sin(omega * j);
        }
        double gain = 1.0 / (re * re + im * im);
        if (f >= FORMANT_MIN_HZ + 2 * ENVELOPE_STEP_HZ && prev > prev2 && prev >= gain)
            formants[found++] = f - ENVELOPE_STEP_HZ;
        prev2 = prev;
        prev = gain;
    }
    return found == 3;
}

static int
compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double
percentile(double *values, gsize n, double p)
{
    qsort(values, n, sizeof *values, compare_doubles);
    return values[MIN((gsize)(p * n), n - 1)];
}

gboolean
gs_voice_features_measure(const float *samples, gsize count, int rate, GsVoiceFeatures *out, GError **error)
{
    gsize n = 0;
    g_autofree float *x = rate == RATE ? g_memdup2(samples, count * sizeof *samples) : resample(samples, count, rate, &n);
    if (rate == RATE)
        n = count;
    gsize span = MAX(F0_WINDOW + (gsize)(RATE / F0_MIN) + 2, LPC_WINDOW + 1);
    gsize frames = n > span ? (n - span) / HOP : 0;
    g_autofree double *energy = g_new0(double, MAX(frames, 1));
    double loudest = -1e9;
    for (gsize f = 0; f < frames; f++) {
        double e = 0;
        for (int i = 0; i < F0_WINDOW; i++)
            e += (double)x[f * HOP + i] * x[f * HOP + i];
        energy[f] = 10 * log10(e / F0_WINDOW + 1e-12);
        loudest = MAX(loudest, energy[f]);
    }
    g_autofree double *f0 = g_new(double, MAX(frames, 1));
    g_autofree double *formants = g_new(double, 3 * MAX(frames, 1)); /* F1s, then F2s, then F3s */
    gsize voiced = 0, shaped = 0;
    for (gsize f = 0; f < frames; f++) {
        if (energy[f] < loudest - QUIET_DB)
            continue;
        double hz = gs_pitch_yin(x + f * HOP, F0_WINDOW, RATE, F0_MIN, F0_MAX, YIN_THRESHOLD);
        if (hz <= 0)
            continue;
        f0[voiced++] = hz;
        double peaks[3];
        if (frame_formants(x + f * HOP, peaks)) {
            for (int k = 0; k < 3; k++)
                formants[k * frames + shaped] = peaks[k];
            shaped++;
        }
    }
    if (voiced < 25 || shaped < 25) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "Too little voiced speech to measure a voice (%.1f s; at least 0.5 s are needed)",
                    voiced * (double)HOP / RATE);
        return FALSE;
    }
    double low = percentile(f0, voiced, 0.1), high = percentile(f0, voiced, 0.9);
    out->f0_hz = percentile(f0, voiced, 0.5);
    out->f0_range_semitones = 12 * log2(high / low);
    for (int k = 0; k < 3; k++)
        out->formant_hz[k] = percentile(formants + k * frames, shaped, 0.5);
    out->voiced_fraction = (double)voiced / frames;
    return TRUE;
}

double
gs_voice_features_distance(const GsVoiceFeatures *a, const GsVoiceFeatures *b)
{
    double d[5] = {
        12 * log2(a->f0_hz / b->f0_hz),
        a->f0_range_semitones - b->f0_range_semitones,
        12 * log2(a->formant_hz[0] / b->formant_hz[0]),
        12 * log2(a->formant_hz[1] / b->formant_hz[1]),
        12 * log2(a->formant_hz[2] / b->formant_hz[2]),
    };
    double sum = 0;
    for (int i = 0; i < 5; i++)
        sum += d[i] * d[i];
    return sqrt(sum / 5);
}
