/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdbool.h>

#include "gs-ref.h"

void
ref_conv2d(float *out, const float *x, const float *w, const float *bias, int64_t n, int64_t c, int64_t h, int64_t wd,
           int64_t o, int64_t k, int stride, int pad)
{
    int64_t ho = (h + 2 * pad - k) / stride + 1, wo = (wd + 2 * pad - k) / stride + 1;
    for (int64_t b = 0; b < n; b++)
        for (int64_t oc = 0; oc < o; oc++)
            for (int64_t oy = 0; oy < ho; oy++)
                for (int64_t ox = 0; ox < wo; ox++) {
                    double acc = bias ? bias[oc] : 0.0;
                    for (int64_t ic = 0; ic < c; ic++)
                        for (int64_t ky = 0; ky < k; ky++)
                            for (int64_t kx = 0; kx < k; kx++) {
                                int64_t iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= wd)
                                    continue;
                                acc += (double)x[((b * c + ic) * h + iy) * wd + ix] * w[((oc * c + ic) * k + ky) * k + kx];
                            }
                    out[((b * o + oc) * ho + oy) * wo + ox] = (float)acc;
                }
}

void
ref_unfold2d(float *out, const float *x, int64_t c, int64_t h, int64_t w, int64_t k, int stride, int pad,
             int64_t row0, int64_t rows)
{
    int64_t wo = (w + 2 * pad - k) / stride + 1;
    for (int64_t r = 0; r < rows; r++)
        for (int64_t ox = 0; ox < wo; ox++)
            for (int64_t ic = 0; ic < c; ic++)
                for (int64_t ky = 0; ky < k; ky++)
                    for (int64_t kx = 0; kx < k; kx++) {
                        int64_t iy = (row0 + r) * stride - pad + ky, ix = ox * stride - pad + kx;
                        bool inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                        out[((r * wo + ox) * c + ic) * k * k + ky * k + kx] = inside ? x[(ic * h + iy) * w + ix] : 0.0f;
                    }
}
