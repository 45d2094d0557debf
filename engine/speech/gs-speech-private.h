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
    int vocoder_blocks, vocoder_kernel; /* 0 blocks: no neural vocoder in the file */
    float layer_norm_eps;
    float mel_fmax; /* Hz, the top of the HTK mel filterbank */
} gs_speech_config;

struct gs_speech {
    gs_context *ctx;
    gs_safetensors *file;
    gs_weights *weights;
    gs_stream *stream;
    gs_speech_config cfg;
    char **phones;   /* the model's phoneme symbols; index = id */
    char **speakers;
    char **speaker_languages; /* parallel to speakers: the espeak-ng language each learned */
    int default_speaker;      /* index into speakers */
    GHashTable *phone_ids; /* symbol → id + 1 */
    GHashTable *embeddings; /* tensor name → its rows as floats, read on first use */
};

/* x + conv(GELU(LN(x))) with LayerNorm over channels, "same" padding; or
 * without the residual. x [1, L, C] (token-major); weights under
 * `prefix`.conv/.norm. */
gs_tensor *gs_speech_block(gs_speech *m, gs_graph *g, gs_tensor *x, const char *prefix, int kernel, int dilation,
                           bool residual);
/* Host floats [length, channels] → a [1, length, channels] graph tensor. */
gs_tensor *gs_speech_upload(gs_graph *g, const float *data, int64_t length, int64_t channels);

/* Phoneme ids, stresses and the speaker (a weight for each of the file's
 * speakers: one-hot for a voice of the model, a blend for a clone) → log-mel [*frames, mel_bins]
 * (frame-major), malloc'd. The params' rate divides the predicted
 * durations, pitch (semitones) shifts the predicted pitch of voiced
 * phonemes, energy shifts the predicted energy. */
gs_status gs_acoustic_forward(gs_speech *m, const int32_t *ids, const int32_t *stress, int count, const float *speaker,
                              const gs_speech_params *params, float **mel, int *frames);
/* The same with the predictors overridden: `frames` per phoneme, and pitch
 * in octaves from the voice's mean (NAN keeps the predicted pitch). */
gs_status gs_acoustic_forward_given(gs_speech *m, const int32_t *ids, const int32_t *stress, int count, const float *speaker,
                                    const int *durations, const float *pitch, float **mel, int *frames);

/* Spectrum [frames, n_fft/2+1, 2] → signal [hop·(frames−1)] (irfft and
 * overlap-add recorded into the graph). */
gs_tensor *gs_speech_istft(gs_graph *g, const gs_speech_config *c, const gs_tensor *spectrum, int frames);
/* Submits the graph and downloads `signal` into *samples (malloc'd). */
gs_status gs_speech_download_signal(gs_graph *g, gs_tensor *signal, float **samples, size_t *count);

/* w [bins (in), bins (out)]: the formant warp of gs-formant.c. */
void gs_formant_warp_matrix(int bins, float top_hz, float semitones, float *w);
/* Log-mel [frames, mel_bins] (frame-major) with its formants moved, in place. */
gs_status gs_formant_shift(gs_speech *m, float *mel, int frames, float semitones);

/* Frame-major log-mel [frames, mel_bins] → *samples (hop·(frames−1) of
 * them), malloc'd. */
gs_status gs_neural_vocoder(gs_speech *m, const float *mel, int frames, float **samples, size_t *count);
gs_status gs_griffin_lim(gs_speech *m, const float *mel, int frames, int iterations, float **samples,
                         size_t *count);
