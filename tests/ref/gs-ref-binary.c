/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-ref.h"

void
ref_binary(float *out, const float *a, const int64_t as[4], const float *b, const int64_t bs[4], int multiply)
{
    for (int64_t i0 = 0; i0 < as[0]; i0++)
        for (int64_t i1 = 0; i1 < as[1]; i1++)
            for (int64_t i2 = 0; i2 < as[2]; i2++)
                for (int64_t i3 = 0; i3 < as[3]; i3++) {
                    int64_t ia = ((i0 * as[1] + i1) * as[2] + i2) * as[3] + i3;
                    int64_t ib = (((bs[0] > 1 ? i0 : 0) * bs[1] + (bs[1] > 1 ? i1 : 0)) * bs[2] +
                                  (bs[2] > 1 ? i2 : 0)) * bs[3] + (bs[3] > 1 ? i3 : 0);
                    out[ia] = multiply ? a[ia] * b[ib] : a[ia] + b[ib];
                }
}
