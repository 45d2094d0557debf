/* Noise levels in k-diffusion's terms: a DDPM timestep t has
 * sigma(t) = sqrt((1 − ᾱ_t) / ᾱ_t); a sampler walks a decreasing list of
 * sigmas ending at 0, and the UNet is told the (fractional) timestep of each
 * sigma, interpolated in log-sigma.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>

#include "genstudio-engine.h"

#define GS_SCHEDULE_MAX_T 4000

typedef struct {
    int count;                            /* training timesteps */
    double log_sigma[GS_SCHEDULE_MAX_T];  /* increasing with t */
} gs_schedule;

/* Betas linear from beta_start to beta_end, or linear in sqrt space
 * (SD's "scaled_linear"). count must be 2..GS_SCHEDULE_MAX_T. */
void gs_schedule_init(gs_schedule *s, int count, double beta_start, double beta_end, bool scaled_linear);
double gs_schedule_sigma(const gs_schedule *s, double t);
double gs_schedule_t(const gs_schedule *s, double sigma);

/* steps + 1 sigmas, the last 0:
 * - default: timesteps evenly spaced from count−1 down to 0;
 * - karras: rho = 7 spacing between the smallest and largest sigma;
 * - ddim: ldm's "uniform" integer timesteps 1, 1 + c, 1 + 2c, ... with
 *   c = count / steps, descending (DDIM with η = 0 is exactly the Euler step
 *   in sigma space, so only the spacing differs). */
typedef enum { GS_SPACING_LINEAR, GS_SPACING_KARRAS, GS_SPACING_DDIM } gs_spacing;
void gs_schedule_sigmas(const gs_schedule *s, int steps, gs_spacing spacing, double *sigmas);
