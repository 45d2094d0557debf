/* Plain-C reference implementations of the engine ops: straightforward
 * loops in double precision, used only by the tests.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

/* out[i] = a[i] + b[broadcast i]; shapes right-aligned, 4 dims. */
void ref_binary(float *out, const float *a, const int64_t a_shape[4], const float *b, const int64_t b_shape[4],
                int multiply);
