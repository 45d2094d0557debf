/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "gs-pitch.h"

double
gs_pitch_yin(const float *x, int window, int rate, double fmin, double fmax, double threshold)
{
    int min_lag = MAX((int)(rate / fmax), 2), max_lag = (int)(rate / fmin);
    g_autofree double *d = g_new0(double, (gsize)max_lag + 2);
    double running = 0;
    for (int lag = 1; lag <= max_lag + 1; lag++) {
        double sum = 0;
        for (int i = 0; i < window; i++) {
            double diff = x[i] - x[i + lag];
            sum += diff * diff;
        }
        running += sum;
        d[lag] = running > 0 ? sum * lag / running : 1;
    }
    for (int lag = min_lag; lag <= max_lag; lag++)
        if (d[lag] < threshold && d[lag] <= d[lag + 1]) {
            double a = d[lag - 1], b = d[lag], c = d[lag + 1], den = a - 2 * b + c;
            double shift = fabs(den) > 1e-12 ? 0.5 * (a - c) / den : 0;
            return rate / (lag + shift);
        }
    return 0;
}
