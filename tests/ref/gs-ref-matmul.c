/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-ref.h"

void
ref_matmul(float *out, const float *a, const float *b, const float *bias, int64_t m, int64_t n, int64_t k,
           int transpose_b)
{
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double acc = bias ? bias[j] : 0.0;
            for (int64_t p = 0; p < k; p++)
                acc += (double)a[i * k + p] * (transpose_b ? b[j * k + p] : b[p * n + j]);
            out[i * n + j] = (float)acc;
        }
}
