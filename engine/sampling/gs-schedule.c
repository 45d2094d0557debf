/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "gs-schedule.h"

void
gs_schedule_init(gs_schedule *s, int count, double beta_start, double beta_end, bool scaled_linear)
{
    s->count = count;
    double alpha_bar = 1.0;
    for (int t = 0; t < count; t++) {
        double f = (double)t / (count - 1);
        double beta = scaled_linear ? pow(sqrt(beta_start) + f * (sqrt(beta_end) - sqrt(beta_start)), 2.0)
                                    : beta_start + f * (beta_end - beta_start);
        alpha_bar *= 1.0 - beta;
        s->log_sigma[t] = 0.5 * log((1.0 - alpha_bar) / alpha_bar);
    }
}

double
gs_schedule_sigma(const gs_schedule *s, double t)
{
    if (t <= 0)
        return exp(s->log_sigma[0]);
    if (t >= s->count - 1)
        return exp(s->log_sigma[s->count - 1]);
    int lo = (int)floor(t);
    double w = t - lo;
    return exp((1.0 - w) * s->log_sigma[lo] + w * s->log_sigma[lo + 1]);
}

double
gs_schedule_t(const gs_schedule *s, double sigma)
{
    double ls = log(sigma);
    if (ls <= s->log_sigma[0])
        return 0.0;
    if (ls >= s->log_sigma[s->count - 1])
        return s->count - 1;
    int lo = 0, hi = s->count - 1; /* log_sigma[lo] < ls <= log_sigma[hi] */
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (s->log_sigma[mid] < ls)
            lo = mid;
        else
            hi = mid;
    }
    return lo + (ls - s->log_sigma[lo]) / (s->log_sigma[hi] - s->log_sigma[lo]);
}

void
gs_schedule_sigmas(const gs_schedule *s, int steps, gs_spacing spacing, double *sigmas)
{
    double sigma_min = exp(s->log_sigma[0]), sigma_max = exp(s->log_sigma[s->count - 1]);
    for (int i = 0; i < steps; i++) {
        switch (spacing) {
        case GS_SPACING_KARRAS: {
            const double rho = 7.0;
            double f = steps > 1 ? (double)i / (steps - 1) : 0.0;
            double a = pow(sigma_max, 1.0 / rho), b = pow(sigma_min, 1.0 / rho);
            sigmas[i] = pow(a + f * (b - a), rho);
            break;
        }
        case GS_SPACING_DDIM: {
            int stride = s->count / steps > 0 ? s->count / steps : 1;
            int t = 1 + (steps - 1 - i) * stride;
            sigmas[i] = gs_schedule_sigma(s, t < s->count ? t : s->count - 1);
            break;
        }
        case GS_SPACING_LINEAR:
        default: {
            double t = steps > 1 ? (s->count - 1) * (1.0 - (double)i / (steps - 1)) : s->count - 1;
            sigmas[i] = gs_schedule_sigma(s, t);
            break;
        }
        }
    }
    sigmas[steps] = 0.0;
}
