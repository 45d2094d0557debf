/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "gs-ref.h"

static double
hann(int64_t j, int64_t n)
{
    return 0.5 - 0.5 * cos(2.0 * M_PI * (double)j / (double)n);
}

void
ref_stft_frames(float *frames, const float *signal, int64_t len, int64_t n, int hop)
{
    int64_t t_count = len / hop + 1;
    for (int64_t t = 0; t < t_count; t++)
        for (int64_t j = 0; j < n; j++) {
            int64_t idx = t * hop + j - n / 2;
            if (idx < 0)
                idx = -idx;
            if (idx >= len)
                idx = 2 * (len - 1) - idx;
            frames[t * n + j] = (float)(signal[idx] * hann(j, n));
        }
}

void
ref_overlap_add(float *signal, const float *frames, int64_t t_count, int64_t n, int hop)
{
    int64_t padded = n + hop * (t_count - 1);
    double *sum = calloc((size_t)padded, sizeof *sum), *norm = calloc((size_t)padded, sizeof *norm);
    for (int64_t t = 0; t < t_count; t++)
        for (int64_t j = 0; j < n; j++) {
            double w = hann(j, n);
            sum[t * hop + j] += frames[t * n + j] * w;
            norm[t * hop + j] += w * w;
        }
    for (int64_t i = 0; i < hop * (t_count - 1); i++) {
        int64_t pos = i + n / 2;
        signal[i] = norm[pos] > 1e-11 ? (float)(sum[pos] / norm[pos]) : 0.0f;
    }
    free(sum);
    free(norm);
}

void
ref_griffin_lim_project(float *out, float *prev, const float *spectrum, const float *magnitude, int64_t bins,
                        float momentum)
{
    for (int64_t i = 0; i < bins; i++) {
        double re = spectrum[2 * i], im = spectrum[2 * i + 1], mag = fmax(magnitude[i], 0.0);
        double r = hypot(re, im);
        double pr = r > 1e-12 ? re * mag / r : mag, pi = r > 1e-12 ? im * mag / r : 0.0;
        out[2 * i] = (float)(momentum != 0.0f ? pr + momentum * (pr - prev[2 * i]) : pr);
        out[2 * i + 1] = (float)(momentum != 0.0f ? pi + momentum * (pi - prev[2 * i + 1]) : pi);
        prev[2 * i] = (float)pr;
        prev[2 * i + 1] = (float)pi;
    }
}

static int64_t
nearest_peak(const bool *is_peak, int64_t k, int64_t bins)
{
    for (int64_t d = 0;; d++) {
        if (d <= k && is_peak[k - d])
            return k - d;
        if (k + d < bins && is_peak[k + d])
            return k + d;
    }
}

void
ref_phase_init(float *spectrum, const float *magnitude, int64_t t_count, int64_t bins, int hop)
{
    double advance = 2.0 * M_PI * hop / (double)(2 * (bins - 1));
    double *phase = calloc((size_t)bins, sizeof *phase), *next = calloc((size_t)bins, sizeof *next);
    float *mag = malloc((size_t)bins * sizeof *mag);
    bool *is_peak = malloc((size_t)bins * sizeof *is_peak);
    for (int64_t t = 0; t < t_count; t++) {
        for (int64_t k = 0; k < bins; k++)
            mag[k] = fmaxf(magnitude[t * bins + k], 0.0f);
        int64_t peaks = 0;
        for (int64_t k = 0; k < bins; k++) {
            is_peak[k] = k > 0 && k + 1 < bins && mag[k] > 0.0f && mag[k] > mag[k - 1] && mag[k] >= mag[k + 1];
            peaks += is_peak[k];
        }
        for (int64_t k = 0; k < bins; k++) {
            if (!peaks) {
                next[k] = phase[k] + advance * (double)k;
                continue;
            }
            int64_t q = nearest_peak(is_peak, k, bins);
            double a = log(fmax(mag[q - 1], 1e-30)), b = log(fmax(mag[q], 1e-30)), c = log(fmax(mag[q + 1], 1e-30));
            double curve = a - 2.0 * b + c, offset = fabs(curve) > 1e-9 ? 0.5 * (a - c) / curve : 0.0;
            next[k] = phase[q] + advance * ((double)q + offset) - M_PI * (double)(k - q);
        }
        for (int64_t k = 0; k < bins; k++) {
            phase[k] = remainder(next[k], 2.0 * M_PI);
            spectrum[2 * (t * bins + k)] = (float)(mag[k] * cos(phase[k]));
            spectrum[2 * (t * bins + k) + 1] = (float)(mag[k] * sin(phase[k]));
        }
    }
    free(phase), free(next), free(mag), free(is_peak);
}

void
ref_exp(float *out, const float *x, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = (float)exp(x[i]);
}
