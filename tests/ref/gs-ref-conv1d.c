/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>

#include "gs-ref.h"

void
ref_conv1d(float *out, const float *x, const float *w, const float *bias, int64_t n, int64_t c, int64_t l, int64_t o,
           int64_t k, int stride, int pad, int dilation)
{
    int64_t lo = (l + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
    for (int64_t b = 0; b < n; b++)
        for (int64_t oc = 0; oc < o; oc++)
            for (int64_t t = 0; t < lo; t++) {
                double acc = bias ? bias[oc] : 0;
                for (int64_t ic = 0; ic < c; ic++)
                    for (int64_t j = 0; j < k; j++) {
                        int64_t s = t * stride + j * dilation - pad;
                        if (s >= 0 && s < l)
                            acc += (double)x[(b * c + ic) * l + s] * w[(oc * c + ic) * k + j];
                    }
                out[(b * o + oc) * lo + t] = (float)acc;
            }
}

/* Scatter form, the definition of the transposed convolution. */
void
ref_conv_transpose1d(float *out, const float *x, const float *w, const float *bias, int64_t n, int64_t c, int64_t l,
                     int64_t o, int64_t k, int stride, int pad)
{
    int64_t lo = (l - 1) * stride - 2 * pad + k;
    double *acc = calloc((size_t)(n * o * lo), sizeof *acc);
    for (int64_t b = 0; b < n; b++)
        for (int64_t ic = 0; ic < c; ic++)
            for (int64_t s = 0; s < l; s++)
                for (int64_t oc = 0; oc < o; oc++)
                    for (int64_t j = 0; j < k; j++) {
                        int64_t t = s * stride - pad + j;
                        if (t >= 0 && t < lo)
                            acc[(b * o + oc) * lo + t] += (double)x[(b * c + ic) * l + s] * w[(ic * o + oc) * k + j];
                    }
    for (int64_t b = 0; b < n; b++)
        for (int64_t oc = 0; oc < o; oc++)
            for (int64_t t = 0; t < lo; t++)
                out[(b * o + oc) * lo + t] = (float)(acc[(b * o + oc) * lo + t] + (bias ? bias[oc] : 0));
    free(acc);
}
