/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
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
        out[2 * i] = (float)(pr + momentum * (pr - prev[2 * i]));
        out[2 * i + 1] = (float)(pi + momentum * (pi - prev[2 * i + 1]));
        prev[2 * i] = (float)pr;
        prev[2 * i + 1] = (float)pi;
    }
}

void
ref_exp(float *out, const float *x, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = (float)exp(x[i]);
}
