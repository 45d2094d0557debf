/* The audio watermark: 32 bits (gs-mark-code.h) plus a sync pattern, spread
 * over a 2.048 s frame of pseudo-noise that repeats for the whole take,
 * shaped by the audio's envelope so it stays about 28 dB under it. Defined
 * at 16 kHz and interpolated to the output rate, so the detector works on
 * any file resampled to 16 kHz mono. See README.md, "Provenance". Plain C.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "gs-mark-code.h"

#define GS_AUDIO_MARK_RATE 16000
/* Unmarked audio stays under this z-score (README.md: false positives). */
#define GS_AUDIO_MARK_THRESHOLD 7.0

/* Adds the mark to interleaved float audio as it streams past. */
typedef struct _GsAudioMarker GsAudioMarker;

GsAudioMarker *gs_audio_marker_new(int rate, int channels, const GsMarkPayload *payload);
/* Marks `frames` frames in place, continuing where the last call ended. */
void gs_audio_marker_apply(GsAudioMarker *m, float *samples, size_t frames);
/* Signal-to-watermark ratio in dB over everything marked so far. */
double gs_audio_marker_snr(const GsAudioMarker *m);
void gs_audio_marker_free(GsAudioMarker *m);

typedef struct {
    bool found;
    bool payload_valid;
    GsMarkPayload payload;
    double score; /* sync correlation as a z-score, the best over all frame offsets */
} GsAudioMarkResult;

/* `samples`: mono at GS_AUDIO_MARK_RATE. Needs about 2 s; 5 s is plenty. */
void gs_audio_mark_detect(const float *samples, size_t frames, GsAudioMarkResult *result);
