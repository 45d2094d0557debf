/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "music-analysis.h"

#include <complex.h>
#include <math.h>

#define FFT_SIZE 2048

double *
ma_onset_envelope(const float *samples, gsize frames, int rate, gsize *n_env)
{
    gsize hop = (gsize)rate / MA_FRAMES_PER_SECOND;
    gsize n = frames / hop;
    double *env = g_new0(double, MAX(n, 1));
    double previous = 0.0;
    for (gsize f = 0; f < n; f++) {
        double energy = 0.0;
        for (gsize i = f * hop; i < (f + 1) * hop; i++) {
            double mono = 0.5 * ((double)samples[2 * i] + samples[2 * i + 1]);
            energy += mono * mono;
        }
        /* Log compression lets soft hats count next to loud kicks. */
        double level = log1p(1000.0 * energy / (double)hop);
        env[f] = f > 0 ? MAX(level - previous, 0.0) : 0.0;
        previous = level;
    }
    *n_env = n;
    return env;
}

/* Biased autocorrelation of the mean-removed envelope: the (n − lag) / n
 * taper makes the shortest of equally periodic lags win, so a bar or two
 * beats never outrank the beat itself. */
static double
autocorrelation(const double *env, gsize n, double mean, gsize lag)
{
    double sum = 0.0;
    for (gsize i = 0; i + lag < n; i++)
        sum += (env[i] - mean) * (env[i + lag] - mean);
    return sum / (double)n;
}

double
ma_tempo(const double *env, gsize n_env, double lo_bpm, double hi_bpm)
{
    double seconds_per_frame = 1.0 / MA_FRAMES_PER_SECOND;
    gsize lo_lag = (gsize)floor(60.0 / hi_bpm / seconds_per_frame);
    gsize hi_lag = (gsize)ceil(60.0 / lo_bpm / seconds_per_frame);
    if (lo_lag < 2 || hi_lag + 1 >= n_env)
        return 0.0;
    double mean = 0.0;
    for (gsize i = 0; i < n_env; i++)
        mean += env[i];
    mean /= (double)n_env;
    /* One lag either side, for the peak test and the refinement. */
    gsize count = hi_lag - lo_lag + 3;
    g_autofree double *r = g_new(double, count);
    for (gsize k = 0; k < count; k++)
        r[k] = autocorrelation(env, n_env, mean, lo_lag - 1 + k);
    double best = 0.0, best_lag = 0.0;
    for (gsize k = 1; k + 1 < count; k++) {
        double lag = (double)(lo_lag - 1 + k);
        double bpm = 60.0 / (lag * seconds_per_frame);
        if (bpm < lo_bpm || bpm > hi_bpm || r[k] <= r[k - 1] || r[k] < r[k + 1] || r[k] <= best)
            continue;
        /* A parabola through the peak and its neighbours: integer lags are
         * 10 ms apart, 2 % of a beat at 120 bpm. */
        double denominator = r[k - 1] - 2.0 * r[k] + r[k + 1];
        double offset = denominator < 0.0 ? 0.5 * (r[k - 1] - r[k + 1]) / denominator : 0.0;
        best = r[k];
        best_lag = lag + offset;
    }
    return best_lag > 0.0 ? 60.0 / (best_lag * seconds_per_frame) : 0.0;
}

double
ma_onset_density(const double *env, gsize n_env)
{
    double peak = 0.0;
    for (gsize i = 0; i < n_env; i++)
        peak = MAX(peak, env[i]);
    if (peak <= 0.0)
        return 0.0;
    gsize onsets = 0, min_gap = MA_FRAMES_PER_SECOND / 20, last = 0;
    for (gsize i = 1; i + 1 < n_env; i++) {
        if (env[i] < 0.2 * peak || env[i] < env[i - 1] || env[i] <= env[i + 1])
            continue;
        if (onsets > 0 && i - last < min_gap)
            continue;
        onsets++;
        last = i;
    }
    return onsets * (double)MA_FRAMES_PER_SECOND / (double)n_env;
}

/* In-place iterative radix-2 FFT of FFT_SIZE points. */
static void
fft(double complex *x)
{
    for (gsize i = 1, j = 0; i < FFT_SIZE; i++) {
        gsize bit = FFT_SIZE >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j |= bit;
        if (i < j) {
            double complex t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
    }
    for (gsize len = 2; len <= FFT_SIZE; len <<= 1) {
        double complex w_len = cexp(-2.0 * G_PI * I / (double)len);
        for (gsize i = 0; i < FFT_SIZE; i += len) {
            double complex w = 1.0;
            for (gsize k = 0; k < len / 2; k++) {
                double complex u = x[i + k], v = x[i + k + len / 2] * w;
                x[i + k] = u + v;
                x[i + k + len / 2] = u - v;
                w *= w_len;
            }
        }
    }
}

double
ma_spectral_centroid(const float *samples, gsize frames, int rate)
{
    double complex x[FFT_SIZE];
    double weighted = 0.0, total = 0.0;
    /* Every other window: the average barely moves, the test runs faster. */
    for (gsize start = 0; start + FFT_SIZE <= frames; start += 2 * FFT_SIZE) {
        for (gsize i = 0; i < FFT_SIZE; i++) {
            double hann = 0.5 - 0.5 * cos(2.0 * G_PI * (double)i / FFT_SIZE);
            gsize s = 2 * (start + i);
            x[i] = hann * 0.5 * ((double)samples[s] + samples[s + 1]);
        }
        fft(x);
        for (gsize bin = 1; bin < FFT_SIZE / 2; bin++) {
            double magnitude = cabs(x[bin]);
            weighted += magnitude * bin * (double)rate / FFT_SIZE;
            total += magnitude;
        }
    }
    return total > 0.0 ? weighted / total : 0.0;
}

double
ma_rms(const float *samples, gsize n)
{
    double sum = 0.0;
    for (gsize i = 0; i < n; i++)
        sum += (double)samples[i] * samples[i];
    return sqrt(sum / (double)MAX(n, 1));
}
