/* The acoustic model (tools/speech/model.py is the reference): phoneme,
 * stress and speaker embeddings → convolution encoder → durations, pitch and
 * energy → length regulation → dilated convolution decoder → log-mel.
 * Activations are token-major ([1, length, channels]) so that every
 * convolution is an unfold and one matmul and LayerNorm needs no transpose.
 * Embedding lookups and the length regulation are copies done on the host
 * between submits; every numeric step runs on the device.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gs-speech-private.h"

#define LIN(...) gs_weights_linear(m->weights, g, __VA_ARGS__)
#define VEC(...) gs_weights_vector(m->weights, g, __VA_ARGS__)

/* Voiceless phonemes keep their (zero) pitch when the user shifts it. */
static const char *const voiceless[] = { "p", "t", "k", "f", "θ", "s", "ʃ", "h", "tʃ", "x", "ʔ", " ", ",", ".",
                                         "?", "!", "^" };

static bool
is_voiceless(const char *symbol)
{
    for (size_t i = 0; i < G_N_ELEMENTS(voiceless); i++)
        if (strcmp(symbol, voiceless[i]) == 0)
            return true;
    return false;
}

gs_tensor *
gs_speech_block(gs_speech *m, gs_graph *g, gs_tensor *x, const char *prefix, int kernel, int dilation,
                bool residual)
{
    gs_tensor *h = gs_graph_layer_norm_gelu(g, x, VEC("%s.norm.weight", prefix), VEC("%s.norm.bias", prefix),
                                            m->cfg.layer_norm_eps);
    h = gs_graph_conv1d_tokens(g, h, LIN("%s.conv.weight", prefix), VEC("%s.conv.bias", prefix), kernel,
                               dilation * (kernel - 1) / 2, dilation);
    if (residual && h)
        gs_graph_add_into(g, h, x);
    return h;
}

/* A [rows, width] embedding table as floats, read once per model (not once
 * per sentence); NULL after a failure, which is recorded. */
static const float *
embedding_table(gs_speech *m, const char *name, int64_t *rows)
{
    int index = gs_safetensors_find(m->file, name);
    int width = m->cfg.channels;
    if (index < 0 || gs_safetensors_ndim(m->file, index) != 2 || gs_safetensors_dim(m->file, index, 1) != width) {
        gs_fail(m->ctx, GS_ERR_FORMAT, "the speech model lacks %s of width %d", name, width);
        return NULL;
    }
    *rows = gs_safetensors_dim(m->file, index, 0);
    float *table = g_hash_table_lookup(m->embeddings, name);
    if (!table) {
        table = g_try_new(float, *rows * width);
        if (table && gs_safetensors_read(m->file, index, table) != GS_OK)
            g_clear_pointer(&table, g_free);
        if (table)
            g_hash_table_insert(m->embeddings, g_strdup(name), table);
    }
    if (!table)
        gs_fail(m->ctx, GS_ERR_FORMAT, "cannot read %s", name);
    return table;
}

/* Rows `ids` of an embedding added into dst [count, width]. */
static bool
add_embedding(gs_speech *m, const char *name, const int32_t *ids, int count, float *dst)
{
    int64_t rows = 0;
    const float *table = embedding_table(m, name, &rows);
    int width = m->cfg.channels;
    bool ok = table != NULL;
    for (int i = 0; ok && i < count; i++) {
        ok = ids[i] >= 0 && ids[i] < rows;
        for (int c = 0; ok && c < width; c++)
            dst[(size_t)i * width + c] += table[(size_t)ids[i] * width + c];
    }
    if (table && !ok)
        gs_fail(m->ctx, GS_ERR_FORMAT, "a phoneme id is out of range of %s", name);
    return ok;
}

/* The speakers' rows of an embedding, weighted by `speaker` (one weight per
 * speaker of the file), added into each of dst's `count` rows. */
static bool
add_speaker(gs_speech *m, const char *name, const float *speaker, int count, float *dst)
{
    int64_t rows = 0;
    const float *table = embedding_table(m, name, &rows);
    int width = m->cfg.channels;
    if (table && rows != g_strv_length(m->speakers)) {
        gs_fail(m->ctx, GS_ERR_FORMAT, "%s has %" G_GINT64_FORMAT " rows for %u speakers", name, rows,
                g_strv_length(m->speakers));
        return false;
    }
    float *mix = table ? g_new0(float, width) : NULL;
    for (int64_t r = 0; mix && r < rows; r++)
        for (int c = 0; c < width; c++)
            mix[c] += speaker[r] * table[r * width + c];
    for (int i = 0; mix && i < count; i++)
        for (int c = 0; c < width; c++)
            dst[(size_t)i * width + c] += mix[c];
    bool ok = mix != NULL;
    g_free(mix);
    return ok;
}

gs_tensor *
gs_speech_upload(gs_graph *g, const float *data, int64_t length, int64_t channels)
{
    int64_t shape[3] = { 1, length, channels };
    gs_tensor *t = gs_graph_tensor(g, 3, shape);
    if (t)
        gs_graph_fail(g, gs_tensor_upload(t, data, channels * length));
    return t;
}

/* Encoder and variance predictor: → hidden [count, C] (host) and the
 * variances [count, 3] (host). */
static gs_status
encode(gs_speech *m, const int32_t *ids, const int32_t *stress, int count, const float *speaker, float *hidden,
       float *variance)
{
    const gs_speech_config *c = &m->cfg;
    float *x0 = calloc((size_t)c->channels * count, sizeof *x0);
    bool ok = x0 && add_embedding(m, "phone_embedding.weight", ids, count, x0) &&
              add_embedding(m, "stress_embedding.weight", stress, count, x0) &&
              add_speaker(m, "speaker_embedding.weight", speaker, count, x0);
    if (!ok) {
        free(x0);
        return GS_ERR_FORMAT;
    }
    gs_graph graph, *g = &graph;
    gs_graph_init(g, m->ctx, m->stream);
    gs_tensor *x = NULL, *h = NULL;
    while (gs_graph_pass(g)) {
        x = gs_speech_upload(g, x0, count, c->channels);
        char name[64];
        for (int i = 0; i < c->encoder_layers; i++) {
            snprintf(name, sizeof name, "encoder.%d", i);
            x = gs_speech_block(m, g, x, name, c->kernel, 1, true);
        }
        h = gs_speech_block(m, g, x, "variance.0", 3, 1, false);
        h = gs_speech_block(m, g, h, "variance.1", 3, 1, false);
        h = gs_graph_linear(g, h, LIN("variance_out.weight"), VEC("variance_out.bias"));
        if (x)
            gs_graph_keep(g, x);
        if (h)
            gs_graph_keep(g, h);
    }
    free(x0);
    gs_status st = gs_graph_finish(g);
    if (st == GS_OK)
        st = gs_tensor_download(x, hidden, (int64_t)c->channels * count);
    if (st == GS_OK)
        st = gs_tensor_download(h, variance, 3 * (int64_t)count);
    gs_tensor_free(x);
    gs_tensor_free(h);
    return st;
}

static gs_status acoustic(gs_speech *m, const int32_t *ids, const int32_t *stress, int count, const float *speaker,
                          const gs_speech_params *params, const int *given_durations, const float *given_pitch,
                          float **mel, int *frames);

gs_status
gs_acoustic_forward(gs_speech *m, const int32_t *ids, const int32_t *stress, int count, const float *speaker,
                    const gs_speech_params *params, float **mel, int *frames)
{
    return acoustic(m, ids, stress, count, speaker, params, NULL, NULL, mel, frames);
}

gs_status
gs_acoustic_forward_given(gs_speech *m, const int32_t *ids, const int32_t *stress, int count, const float *speaker,
                          const int *durations, const float *pitch, float **mel, int *frames)
{
    gs_speech_params params = gs_speech_default_params();
    return acoustic(m, ids, stress, count, speaker, &params, durations, pitch, mel, frames);
}

static gs_status
acoustic(gs_speech *m, const int32_t *ids, const int32_t *stress, int count, const float *speaker,
         const gs_speech_params *params, const int *given_durations, const float *given_pitch, float **mel,
         int *frames)
{
    const gs_speech_config *c = &m->cfg;
    *mel = NULL;
    *frames = 0;
    float *hidden = malloc((size_t)c->channels * count * sizeof *hidden);
    float *variance = malloc(3 * (size_t)count * sizeof *variance);
    float *controls = malloc(2 * (size_t)count * sizeof *controls); /* [count, (pitch, energy)] */
    int *durations = malloc((size_t)count * sizeof *durations);
    gs_status st = hidden && variance && controls && durations
                       ? encode(m, ids, stress, count, speaker, hidden, variance)
                       : GS_ERR_OUT_OF_MEMORY;
    /* Durations from log(1 + frames), scaled by the rate; pitch shifted in
     * octaves where the phoneme is voiced; energy shifted everywhere. */
    int total = 0;
    for (int i = 0; st == GS_OK && i < count; i++) {
        double d = (exp(variance[3 * i]) - 1.0) / params->rate;
        durations[i] = given_durations ? MAX(given_durations[i], 0) : d > 0 ? (int)lround(d) : 0;
        total += durations[i];
        bool voiced = !is_voiceless(m->phones[ids[i]]);
        controls[2 * i] = given_pitch && voiced && !isnan(given_pitch[i]) ? given_pitch[i]
                          : variance[3 * i + 1] + (voiced ? params->pitch / 12.0f : 0.0f);
        controls[2 * i + 1] = variance[3 * i + 2] + params->energy;
    }
    if (st == GS_OK && total < 2)
        st = gs_fail(m->ctx, GS_ERR_INVALID_ARGUMENT, "nothing to say: the sentence has no duration");

    float *frames_in = NULL;
    gs_graph graph, *g = &graph;
    gs_graph_init(g, m->ctx, m->stream);
    gs_tensor *out = NULL;
    if (st == GS_OK) {
        gs_tensor *x = gs_speech_upload(g, hidden, count, c->channels);
        gs_graph_add_into(g, x, gs_graph_linear(g, gs_speech_upload(g, controls, count, 2),
                                                LIN("variance_embed.weight"), VEC("variance_embed.bias")));
        if (x)
            gs_graph_keep(g, x);
        st = gs_graph_finish(g);
        if (st == GS_OK)
            st = gs_tensor_download(x, hidden, (int64_t)c->channels * count);
        gs_tensor_free(x);
    }
    if (st == GS_OK) {
        /* Length regulation: phoneme i fills durations[i] frames. */
        frames_in = calloc((size_t)c->channels * total, sizeof *frames_in);
        bool ok = frames_in && add_speaker(m, "speaker_embedding2.weight", speaker, total, frames_in);
        for (int i = 0, t = 0; ok && i < count; i++)
            for (int r = 0; r < durations[i]; r++, t++)
                for (int ch = 0; ch < c->channels; ch++)
                    frames_in[(size_t)t * c->channels + ch] += hidden[(size_t)i * c->channels + ch];
        st = ok ? GS_OK : GS_ERR_FORMAT;
    }
    if (st == GS_OK) {
        gs_graph_init(g, m->ctx, m->stream);
        while (gs_graph_pass(g)) {
            gs_tensor *y = gs_speech_upload(g, frames_in, total, c->channels);
            char name[64];
            for (int i = 0; i < c->decoder_layers; i++) {
                snprintf(name, sizeof name, "decoder.%d", i);
                y = gs_speech_block(m, g, y, name, c->kernel, c->decoder_dilations[i], true);
            }
            out = gs_graph_linear(g, y, LIN("mel_out.weight"), VEC("mel_out.bias"));
            if (out)
                gs_graph_keep(g, out);
        }
        st = gs_graph_finish(g);
    }
    if (st == GS_OK) {
        *mel = malloc((size_t)c->mel_bins * total * sizeof **mel);
        st = *mel ? gs_tensor_download(out, *mel, (int64_t)c->mel_bins * total) : GS_ERR_OUT_OF_MEMORY;
        *frames = total;
    }
    if (st != GS_OK) {
        free(*mel);
        *mel = NULL;
        *frames = 0;
    }
    gs_tensor_free(out);
    free(frames_in);
    free(hidden);
    free(variance);
    free(controls);
    free(durations);
    return st;
}
