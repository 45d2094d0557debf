/* The speech model between its files: gs-speech.c (loading, the text loop),
 * gs-acoustic.c (phonemes → log-mel) and gs-griffin-lim.c (log-mel → audio).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "genstudio-engine.h"
#include "models/gs-weights.h"
#include "vk/gs-vk-private.h"

typedef struct {
    int channels, encoder_layers, kernel, mel_bins;
    int decoder_layers, decoder_dilations[16];
    int sample_rate, n_fft, hop;
    float layer_norm_eps;
} gs_speech_config;

struct gs_speech {
    gs_context *ctx;
    gs_safetensors *file;
    gs_weights *weights;
    gs_stream *stream;
    gs_speech_config cfg;
    char **phones;   /* the model's phoneme symbols; index = id */
    char **speakers;
    GHashTable *phone_ids; /* symbol → id + 1 */
};

/* Phoneme ids, stresses and the speaker → log-mel [mel_bins, *frames],
 * malloc'd. `rate` divides the predicted durations; `pitch` (semitones)
 * shifts the predicted pitch of voiced phonemes. */
gs_status gs_acoustic_forward(gs_speech *m, const int32_t *ids, const int32_t *stress, int count, int speaker,
                              float rate, float pitch, float **mel, int *frames);

/* log-mel [mel_bins, frames] → *samples (hop·(frames−1) of them), malloc'd. */
gs_status gs_griffin_lim(gs_speech *m, const float *mel, int frames, int iterations, float **samples,
                         size_t *count);
