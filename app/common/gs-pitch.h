/* Pitch of a short stretch of audio by YIN (de Cheveigné & Kawahara,
 * 2002): the difference function over lags, normalised by its running mean,
 * the first dip under a threshold within [fmin, fmax], refined by a
 * parabola. Voice features (cloning) and the vocal line's pitch accuracy
 * use it; the line's tuner hears by autocorrelation instead, so the
 * accuracy is an independent check.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The paper's threshold, for clean voiced sound. */
#define GS_PITCH_YIN_THRESHOLD 0.15

/* F0 in Hz of x[0, window) against its shifts, or 0 where no dip is under
 * `threshold` (unvoiced; 0.1–0.3 is usual). x must hold
 * window + rate / fmin + 2 samples. */
double gs_pitch_yin(const float *x, int window, int rate, double fmin, double fmax, double threshold);

G_END_DECLS
