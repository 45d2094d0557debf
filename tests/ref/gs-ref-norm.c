/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "gs-ref.h"

void
ref_group_norm(float *out, const float *x, const float *gamma, const float *beta, int64_t n, int64_t c,
               int64_t spatial, int groups, float eps, int silu)
{
    int64_t cpg = c / groups, len = cpg * spatial;
    for (int64_t b = 0; b < n; b++)
        for (int g = 0; g < groups; g++) {
            const float *p = x + (b * c + g * cpg) * spatial;
            double mean = 0, var = 0;
            for (int64_t i = 0; i < len; i++)
                mean += p[i];
            mean /= len;
            for (int64_t i = 0; i < len; i++)
                var += (p[i] - mean) * (p[i] - mean);
            var /= len;
            for (int64_t i = 0; i < len; i++) {
                int64_t ch = g * cpg + i / spatial;
                double y = (p[i] - mean) / sqrt(var + eps) * gamma[ch] + beta[ch];
                if (silu)
                    y = y / (1 + exp(-y));
                out[(b * c + g * cpg) * spatial + i] = (float)y;
            }
        }
}

void
ref_layer_norm(float *out, const float *x, const float *gamma, const float *beta, int64_t rows, int64_t d, float eps)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *p = x + r * d;
        double mean = 0, var = 0;
        for (int64_t i = 0; i < d; i++)
            mean += p[i];
        mean /= d;
        for (int64_t i = 0; i < d; i++)
            var += (p[i] - mean) * (p[i] - mean);
        var /= d;
        for (int64_t i = 0; i < d; i++)
            out[r * d + i] = (float)((p[i] - mean) / sqrt(var + eps) * gamma[i] + beta[i]);
    }
}

void
ref_softmax(float *out, const float *x, int64_t rows, int64_t d)
{
    for (int64_t r = 0; r < rows; r++) {
        double m = -INFINITY, sum = 0;
        for (int64_t i = 0; i < d; i++)
            m = fmax(m, x[r * d + i]);
        for (int64_t i = 0; i < d; i++)
            sum += exp(x[r * d + i] - m);
        for (int64_t i = 0; i < d; i++)
            out[r * d + i] = (float)(exp(x[r * d + i] - m) / sum);
    }
}
