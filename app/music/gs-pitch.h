/* Pitch of a short stretch of audio by YIN (de Cheveigné & Kawahara,
 * 2002): the difference function over lags, normalised by its running mean,
 * the first dip under 0.15 within [fmin, fmax], refined by a parabola.
 * An independent check on what the vocal line's tuner hears (that one uses
 * autocorrelation).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* F0 in Hz of x[0, window) against its shifts, or 0 where nothing under
 * the threshold (unvoiced). x must hold window + rate / fmin + 2 samples. */
double gs_pitch_yin(const float *x, int window, int rate, double fmin, double fmax);

G_END_DECLS
