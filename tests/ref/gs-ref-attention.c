/* Attention the textbook way: the full score row, softmax, weighted sum.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>

#include "gs-ref.h"

void
ref_attention(float *out, const float *q, const float *k, const float *v, int64_t b, int64_t lq, int64_t lk, int heads,
              int64_t d, int causal)
{
    int64_t w = heads * d;
    double *scores = malloc((size_t)lk * sizeof *scores);
    for (int64_t bb = 0; bb < b; bb++)
        for (int h = 0; h < heads; h++)
            for (int64_t i = 0; i < lq; i++) {
                const float *qi = q + (bb * lq + i) * w + h * d;
                double m = -INFINITY, sum = 0;
                int64_t keys = causal ? (i + 1 < lk ? i + 1 : lk) : lk;
                for (int64_t j = 0; j < keys; j++) {
                    const float *kj = k + (bb * lk + j) * w + h * d;
                    double s = 0;
                    for (int64_t e = 0; e < d; e++)
                        s += (double)qi[e] * kj[e];
                    scores[j] = s / sqrt((double)d);
                    m = fmax(m, scores[j]);
                }
                for (int64_t j = 0; j < keys; j++)
                    sum += scores[j] = exp(scores[j] - m);
                for (int64_t e = 0; e < d; e++) {
                    double acc = 0;
                    for (int64_t j = 0; j < keys; j++)
                        acc += scores[j] * v[(bb * lk + j) * w + h * d + e];
                    out[(bb * lq + i) * w + h * d + e] = (float)(acc / sum);
                }
            }
    free(scores);
}
