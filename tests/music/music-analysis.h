/* What a listener would notice in rendered music, measured: onset strength,
 * tempo by autocorrelation, onset density and spectral centroid. Shared by
 * the music tests.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

/* Onset-strength envelope frames per second (a 10 ms hop). */
#define MA_FRAMES_PER_SECOND 100

/* Half-wave rectified rise of log-compressed frame energy of the mono sum
 * of interleaved stereo `samples`; g_free the result. */
double *ma_onset_envelope(const float *samples, gsize frames, int rate, gsize *n_env);

/* The strongest autocorrelation peak of `env` among beat periods between
 * `lo_bpm` and `hi_bpm`, as bpm (refined between lags); 0 when there is
 * no peak there. */
double ma_tempo(const double *env, gsize n_env, double lo_bpm, double hi_bpm);

/* Local maxima of `env` above a fifth of its largest value, at least 50 ms
 * apart, per second. */
double ma_onset_density(const double *env, gsize n_env);

/* Magnitude-weighted mean frequency (Hz) of the mono sum, over 2048-sample
 * Hann windows. */
double ma_spectral_centroid(const float *samples, gsize frames, int rate);

double ma_rms(const float *samples, gsize n);
