/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "gs-ref.h"

void
ref_rdft(float *out, const float *x, int64_t b, int64_t n)
{
    for (int64_t r = 0; r < b; r++)
        for (int64_t k = 0; k <= n / 2; k++) {
            double re = 0, im = 0;
            for (int64_t t = 0; t < n; t++) {
                double a = -2.0 * M_PI * (double)((k * t) % n) / n;
                re += x[r * n + t] * cos(a);
                im += x[r * n + t] * sin(a);
            }
            out[(r * (n / 2 + 1) + k) * 2] = (float)re;
            out[(r * (n / 2 + 1) + k) * 2 + 1] = (float)im;
        }
}

void
ref_irdft(float *out, const float *spectrum, int64_t b, int64_t n)
{
    int64_t bins = n / 2 + 1;
    for (int64_t r = 0; r < b; r++)
        for (int64_t t = 0; t < n; t++) {
            double acc = 0;
            for (int64_t k = 0; k < n; k++) {
                int64_t kk = k < bins ? k : n - k;
                double re = spectrum[(r * bins + kk) * 2], im = spectrum[(r * bins + kk) * 2 + 1];
                if (k >= bins)
                    im = -im;
                double a = 2.0 * M_PI * (double)((k * t) % n) / n;
                acc += re * cos(a) - im * sin(a);
            }
            out[r * n + t] = (float)(acc / n);
        }
}
