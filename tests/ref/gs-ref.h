/* Plain-C reference implementations of the engine ops: straightforward
 * loops in double precision, used only by the tests.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

/* out[i] = a[i] + b[broadcast i]; shapes right-aligned, 4 dims. */
void ref_binary(float *out, const float *a, const int64_t a_shape[4], const float *b, const int64_t b_shape[4],
                int multiply);

/* out[M,N] = a[M,K]·b + bias; b is [K,N] or, transposed, [N,K]. bias may be NULL. */
void ref_matmul(float *out, const float *a, const float *b, const float *bias, int64_t m, int64_t n, int64_t k,
                int transpose_b);

/* x [n,c,h,w], w [o,c,k,k], bias [o] or NULL → out [n,o,ho,wo]. */
void ref_conv2d(float *out, const float *x, const float *w, const float *bias, int64_t n, int64_t c, int64_t h,
                int64_t wd, int64_t o, int64_t k, int stride, int pad);
