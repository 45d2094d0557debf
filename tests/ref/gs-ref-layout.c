/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "gs-ref.h"

void
ref_concat(float *out, const float *a, const float *b, int64_t outer, int64_t a_inner, int64_t b_inner)
{
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t i = 0; i < a_inner; i++)
            *out++ = a[o * a_inner + i];
        for (int64_t i = 0; i < b_inner; i++)
            *out++ = b[o * b_inner + i];
    }
}

void
ref_transpose(float *out, const float *x, int64_t batch, int64_t r, int64_t c)
{
    for (int64_t b = 0; b < batch; b++)
        for (int64_t i = 0; i < r; i++)
            for (int64_t j = 0; j < c; j++)
                out[(b * c + j) * r + i] = x[(b * r + i) * c + j];
}

void
ref_upsample2x(float *out, const float *x, int64_t planes, int64_t h, int64_t w)
{
    for (int64_t p = 0; p < planes; p++)
        for (int64_t y = 0; y < 2 * h; y++)
            for (int64_t xx = 0; xx < 2 * w; xx++)
                out[(p * 2 * h + y) * 2 * w + xx] = x[(p * h + y / 2) * w + xx / 2];
}

void
ref_pad2d(float *out, const float *x, int64_t planes, int64_t h, int64_t w, int top, int bottom, int left, int right)
{
    int64_t oh = top + h + bottom, ow = left + w + right;
    for (int64_t p = 0; p < planes; p++)
        for (int64_t y = 0; y < oh; y++)
            for (int64_t xx = 0; xx < ow; xx++) {
                int64_t iy = y - top, ix = xx - left;
                out[(p * oh + y) * ow + xx] = iy >= 0 && iy < h && ix >= 0 && ix < w ? x[(p * h + iy) * w + ix] : 0;
            }
}

void
ref_depth_to_space(float *out, const float *x, int64_t n, int64_t c, int64_t h, int64_t w, int r)
{
    /* Written from the scatter side (each input element to its place), the
     * other way round from the shader's gather. */
    for (int64_t b = 0; b < n; b++)
        for (int64_t ic = 0; ic < c * r * r; ic++)
            for (int64_t y = 0; y < h; y++)
                for (int64_t xx = 0; xx < w; xx++) {
                    int64_t oc = ic / (r * r), dy = (ic / r) % r, dx = ic % r;
                    out[((b * c + oc) * h * r + y * r + dy) * w * r + xx * r + dx] =
                        x[((b * c * r * r + ic) * h + y) * w + xx];
                }
}

void
ref_timestep_embedding(float *out, const float *t, int64_t n, int dim, double max_period, int cos_first)
{
    int half = dim / 2;
    for (int64_t r = 0; r < n; r++)
        for (int i = 0; i < dim; i++) {
            if (i >= 2 * half) {
                out[r * dim + i] = 0;
                continue;
            }
            int k = i % half;
            double arg = t[r] * exp(-log(max_period) * k / half);
            int first = i < half;
            out[r * dim + i] = (float)((cos_first ? first : !first) ? cos(arg) : sin(arg));
        }
}
