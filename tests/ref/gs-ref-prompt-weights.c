/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-ref.h"

void
ref_prompt_weights(float *out, const float *hidden, const float *weights, int64_t tokens, int64_t width)
{
    int64_t n = tokens * width;
    double before = 0, after = 0;
    for (int64_t i = 0; i < n; i++) {
        before += hidden[i];
        after += (double)hidden[i] * weights[i / width];
    }
    before /= n;
    after /= n;
    for (int64_t i = 0; i < n; i++)
        out[i] = (float)((double)hidden[i] * weights[i / width] * (after != 0 ? before / after : 1.0));
}
