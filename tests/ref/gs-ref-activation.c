/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "gs-ref.h"

static double
gelu(double x)
{
    return 0.5 * x * (1 + erf(x / sqrt(2.0)));
}

void
ref_gelu(float *out, const float *x, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = (float)gelu(x[i]);
}

void
ref_silu(float *out, const float *x, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = (float)(x[i] / (1 + exp(-(double)x[i])));
}

void
ref_relu(float *out, const float *x, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = x[i] > 0 ? x[i] : 0;
}

void
ref_quick_gelu(float *out, const float *x, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = (float)(x[i] / (1 + exp(-1.702 * x[i])));
}

void
ref_geglu(float *out, const float *x, int64_t rows, int64_t half)
{
    for (int64_t r = 0; r < rows; r++)
        for (int64_t i = 0; i < half; i++)
            out[r * half + i] = (float)(x[r * 2 * half + i] * gelu(x[r * 2 * half + half + i]));
}

void
ref_log(float *out, const float *x, int64_t n, float floor)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = (float)log(fmax((double)x[i], (double)floor));
}
