/* The acoustic model (tools/speech/model.py is the reference): phoneme,
 * stress and speaker embeddings → convolution encoder → durations, pitch and
 * energy → length regulation → dilated convolution decoder → log-mel.
 * Embedding lookups and the length regulation are copies done on the host
 * between two submits; every numeric step runs on the device.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gs-speech-private.h"

#define MAT(...) gs_weights_matrix(m->weights, g, __VA_ARGS__)
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

/* x + conv(GELU(LN(x))), LayerNorm over channels; or without the residual. */
static gs_tensor *
block(gs_speech *m, gs_graph *g, gs_tensor *x, const char *prefix, int kernel, int dilation, bool residual)
{
    gs_tensor *h = gs_graph_layer_norm(g, gs_graph_transpose(g, x), VEC("%s.norm.weight", prefix),
                                       VEC("%s.norm.bias", prefix), m->cfg.layer_norm_eps);
    h = gs_graph_gelu(g, gs_graph_transpose(g, h));
    h = gs_graph_conv1d(g, h, MAT("%s.conv.weight", prefix), VEC("%s.conv.bias", prefix),
                        dilation * (kernel - 1) / 2, dilation);
    if (residual && h)
        gs_graph_add_into(g, h, x);
    return h;
}

/* Rows `ids` of a [rows, width] embedding added into dst [width, count]
 * (channels first, as the convolutions want). */
static bool
add_embedding(gs_speech *m, const char *name, const int32_t *ids, int count, float *dst)
{
    int index = gs_safetensors_find(m->file, name);
    int width = m->cfg.channels;
    if (index < 0 || gs_safetensors_ndim(m->file, index) != 2 || gs_safetensors_dim(m->file, index, 1) != width) {
        gs_fail(m->ctx, GS_ERR_FORMAT, "the speech model lacks %s of width %d", name, width);
        return false;
    }
    int64_t rows = gs_safetensors_dim(m->file, index, 0);
    float *table = malloc((size_t)(rows * width) * sizeof *table);
    bool ok = table && gs_safetensors_read(m->file, index, table) == GS_OK;
    for (int i = 0; ok && i < count; i++) {
        ok = ids[i] >= 0 && ids[i] < rows;
        for (int c = 0; ok && c < width; c++)
            dst[(size_t)c * count + i] += table[(size_t)ids[i] * width + c];
    }
    free(table);
    if (!ok)
        gs_fail(m->ctx, GS_ERR_FORMAT, "cannot read %s (or an id is out of range)", name);
    return ok;
}

static gs_tensor *
upload(gs_graph *g, const float *data, int64_t channels, int64_t length)
{
    int64_t shape[3] = { 1, channels, length };
    gs_tensor *t = gs_graph_tensor(g, 3, shape);
    if (t)
        gs_graph_fail(g, gs_tensor_upload(t, data, channels * length));
    return t;
}

/* Encoder and variance predictor: → hidden [C, count] (host) and the
 * variances [3, count] (host). */
static gs_status
encode(gs_speech *m, const int32_t *ids, const int32_t *stress, int count, int speaker, float *hidden,
       float *variance)
{
    const gs_speech_config *c = &m->cfg;
    float *x0 = calloc((size_t)c->channels * count, sizeof *x0);
    int32_t *speakers = malloc((size_t)count * sizeof *speakers);
    for (int i = 0; i < count; i++)
        speakers[i] = speaker;
    bool ok = x0 && speakers && add_embedding(m, "phone_embedding.weight", ids, count, x0) &&
              add_embedding(m, "stress_embedding.weight", stress, count, x0) &&
              add_embedding(m, "speaker_embedding.weight", speakers, count, x0);
    free(speakers);
    if (!ok) {
        free(x0);
        return GS_ERR_FORMAT;
    }
    gs_graph graph, *g = &graph;
    gs_graph_init(g, m->ctx, m->stream);
    gs_tensor *x = upload(g, x0, c->channels, count);
    free(x0);
    char name[64];
    for (int i = 0; i < c->encoder_layers; i++) {
        snprintf(name, sizeof name, "encoder.%d", i);
        x = block(m, g, x, name, c->kernel, 1, true);
    }
    gs_tensor *h = block(m, g, x, "variance.0", 3, 1, false);
    h = block(m, g, h, "variance.1", 3, 1, false);
    h = gs_graph_conv1d(g, h, MAT("variance_out.weight"), VEC("variance_out.bias"), 0, 1);
    if (x)
        gs_graph_keep(g, x);
    if (h)
        gs_graph_keep(g, h);
    gs_status st = gs_graph_finish(g);
    if (st == GS_OK)
        st = gs_tensor_download(x, hidden, (int64_t)c->channels * count);
    if (st == GS_OK)
        st = gs_tensor_download(h, variance, 3 * (int64_t)count);
    gs_tensor_free(x);
    gs_tensor_free(h);
    return st;
}

gs_status
gs_acoustic_forward(gs_speech *m, const int32_t *ids, const int32_t *stress, int count, int speaker, float rate,
                    float pitch, float **mel, int *frames)
{
    const gs_speech_config *c = &m->cfg;
    *mel = NULL;
    *frames = 0;
    float *hidden = malloc((size_t)c->channels * count * sizeof *hidden);
    float *variance = malloc(3 * (size_t)count * sizeof *variance);
    int *durations = malloc((size_t)count * sizeof *durations);
    gs_status st = hidden && variance && durations ? encode(m, ids, stress, count, speaker, hidden, variance)
                                                   : GS_ERR_OUT_OF_MEMORY;
    /* Durations from log(1 + frames), scaled by the rate; pitch shifted in
     * octaves where the phoneme is voiced. */
    int total = 0;
    for (int i = 0; st == GS_OK && i < count; i++) {
        double d = (exp(variance[i]) - 1.0) / rate;
        durations[i] = d > 0 ? (int)lround(d) : 0;
        total += durations[i];
        if (!is_voiceless(m->phones[ids[i]]))
            variance[count + i] += pitch / 12.0f;
    }
    if (st == GS_OK && total < 2)
        st = gs_fail(m->ctx, GS_ERR_INVALID_ARGUMENT, "nothing to say: the sentence has no duration");

    float *frames_in = NULL;
    gs_graph graph, *g = &graph;
    gs_graph_init(g, m->ctx, m->stream);
    gs_tensor *out = NULL;
    if (st == GS_OK) {
        gs_tensor *x = upload(g, hidden, c->channels, count);
        gs_graph_add_into(g, x, gs_graph_conv1d(g, upload(g, variance + count, 2, count),
                                                MAT("variance_embed.weight"), VEC("variance_embed.bias"), 0, 1));
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
        int32_t *speakers = malloc((size_t)total * sizeof *speakers);
        for (int t = 0; speakers && t < total; t++)
            speakers[t] = speaker;
        bool ok = frames_in && speakers && add_embedding(m, "speaker_embedding2.weight", speakers, total, frames_in);
        free(speakers);
        for (int ch = 0, t = 0; ok && ch < c->channels; ch++, t = 0)
            for (int i = 0; i < count; i++)
                for (int r = 0; r < durations[i]; r++, t++)
                    frames_in[(size_t)ch * total + t] += hidden[(size_t)ch * count + i];
        st = ok ? GS_OK : GS_ERR_FORMAT;
    }
    if (st == GS_OK) {
        gs_graph_init(g, m->ctx, m->stream);
        gs_tensor *y = upload(g, frames_in, c->channels, total);
        char name[64];
        for (int i = 0; i < c->decoder_layers; i++) {
            snprintf(name, sizeof name, "decoder.%d", i);
            y = block(m, g, y, name, c->kernel, c->decoder_dilations[i], true);
        }
        out = gs_graph_conv1d(g, y, MAT("mel_out.weight"), VEC("mel_out.bias"), 0, 1);
        if (out)
            gs_graph_keep(g, out);
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
    free(durations);
    return st;
}
