/* The speaker encoder (tools/speech/speaker_encoder.py is the reference):
 * the power spectrum's log-mel, three ReLU conv1d layers, the time means of
 * h and h², two linear layers. Everything from the STFT to the embedding is
 * one submit; only the level is set on the host, and the result made unit
 * length there.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gs-speech-private.h"

#define KIND "speaker-encoder"
#define MIN_SECONDS 1
#define MAX_SECONDS 120

struct gs_speaker_encoder {
    gs_context *ctx;
    gs_safetensors *file;
    gs_weights *weights;
    gs_stream *stream;
    int sample_rate, n_fft, hop, dim;
    float log_floor, target_rms;
};

#define LIN(...) gs_weights_linear(e->weights, g, __VA_ARGS__)
#define VEC(...) gs_weights_vector(e->weights, g, __VA_ARGS__)

static double
metadata_number(const gs_speaker_encoder *e, const char *key)
{
    const char *text = gs_safetensors_metadata(e->file, key);
    char *end = NULL;
    double v = text ? g_ascii_strtod(text, &end) : NAN;
    return text && end != text && *end == '\0' ? v : NAN;
}

static gs_status
parse_config(gs_speaker_encoder *e, const char *path)
{
    const char *kind = gs_safetensors_metadata(e->file, "genstudio.kind");
    if (!kind || strcmp(kind, KIND) != 0)
        return gs_fail(e->ctx, GS_ERR_FORMAT, "%s is not a GenStudio speaker encoder (genstudio.kind is not \"%s\")",
                       path, KIND);
    double rate = metadata_number(e, "sample_rate"), n_fft = metadata_number(e, "n_fft");
    double hop = metadata_number(e, "hop"), floor = metadata_number(e, "log_floor");
    double rms = metadata_number(e, "target_rms");
    bool ok = rate >= 8000 && rate <= 48000 && (n_fft == 256 || n_fft == 512 || n_fft == 1024) && hop >= 1 &&
              hop <= n_fft && floor > 0 && floor < 1 && rms > 0 && rms < 1;
    if (!ok)
        return gs_fail(e->ctx, GS_ERR_FORMAT, "%s: the speaker encoder's sample_rate, n_fft, hop, log_floor or "
                       "target_rms is missing or impossible", path);
    e->sample_rate = (int)rate;
    e->n_fft = (int)n_fft;
    e->hop = (int)hop;
    e->log_floor = (float)floor;
    e->target_rms = (float)rms;
    int64_t dim = gs_weights_dim(e->weights, "fc2.weight", 0);
    if (dim < 1 || dim > 4096 || gs_weights_dim(e->weights, "mel.weight", 1) != n_fft + 2)
        return gs_fail(e->ctx, GS_ERR_FORMAT, "%s: the speaker encoder's fc2 or mel weights are missing or do not "
                       "fit its n_fft", path);
    e->dim = (int)dim;
    return GS_OK;
}

gs_status
gs_speaker_encoder_load(gs_context *ctx, const char *path, gs_speaker_encoder **out)
{
    *out = NULL;
    gs_speaker_encoder *e = g_new0(gs_speaker_encoder, 1);
    e->ctx = ctx;
    char *error = NULL;
    gs_status st = gs_safetensors_open(path, &e->file, &error);
    if (st != GS_OK) {
        gs_fail(ctx, st, "%s", error ? error : "cannot open the speaker encoder");
        free(error);
        g_free(e);
        return st;
    }
    e->weights = gs_weights_new(ctx, e->file);
    st = parse_config(e, path);
    if (st == GS_OK && !(e->stream = gs_stream_new(ctx)))
        st = GS_ERR_OUT_OF_MEMORY;
    if (st != GS_OK) {
        gs_speaker_encoder_free(e);
        return st;
    }
    *out = e;
    return GS_OK;
}

void
gs_speaker_encoder_free(gs_speaker_encoder *e)
{
    if (!e)
        return;
    gs_stream_free(e->stream);
    gs_weights_free(e->weights);
    gs_safetensors_close(e->file);
    g_free(e);
}

int gs_speaker_encoder_sample_rate(const gs_speaker_encoder *e) { return e->sample_rate; }
int gs_speaker_encoder_dim(const gs_speaker_encoder *e) { return e->dim; }

static gs_tensor *
relu_conv(gs_speaker_encoder *e, gs_graph *g, gs_tensor *x, const char *name, int kernel, int dilation)
{
    char w[32], b[32];
    snprintf(w, sizeof w, "%s.weight", name);
    snprintf(b, sizeof b, "%s.bias", name);
    return gs_graph_relu(g, gs_graph_conv1d_tokens(g, x, LIN("%s", w), VEC("%s", b), kernel,
                                                   dilation * (kernel / 2), dilation));
}

/* Level-normalised samples → the network's output [1, dim] (not yet unit length). */
static gs_tensor *
forward(gs_speaker_encoder *e, gs_graph *g, const float *signal_data, int64_t count)
{
    int64_t frames = count / e->hop + 1, bins = e->n_fft / 2 + 1;
    int64_t signal_shape[1] = { count }, frame_shape[2] = { frames, e->n_fft };
    int64_t spec_shape[3] = { frames, bins, 2 }, flat_shape[3] = { 1, frames, 2 * bins };
    int64_t avg_shape[2] = { 1, frames };
    gs_tensor *signal = gs_graph_tensor(g, 1, signal_shape);
    gs_tensor *frame = gs_graph_tensor(g, 2, frame_shape), *spectrum = gs_graph_tensor(g, 3, spec_shape);
    gs_tensor *average = gs_graph_tensor(g, 2, avg_shape);
    if (g->status != GS_OK)
        return NULL;
    gs_graph_fail(g, gs_tensor_upload(signal, signal_data, count));
    float *ones = malloc((size_t)frames * sizeof *ones);
    for (int64_t i = 0; ones && i < frames; i++)
        ones[i] = 1.0f / (float)frames;
    gs_graph_fail(g, ones ? gs_tensor_upload(average, ones, frames) : GS_ERR_OUT_OF_MEMORY);
    free(ones);
    if (g->status == GS_OK)
        gs_graph_fail(g, gs_op_stft_frames(g->stream, frame, signal, e->hop));
    if (g->status == GS_OK)
        gs_graph_fail(g, gs_op_rfft(g->stream, spectrum, frame));
    /* mel.weight sums re² and im² of each bin into the mel bands. */
    gs_tensor *power = gs_graph_reshape(g, gs_graph_mul(g, spectrum, spectrum), 3, flat_shape);
    gs_tensor *mel = gs_graph_linear(g, power, LIN("mel.weight"), NULL);
    gs_tensor *log_mel = mel ? gs_graph_tensor(g, 3, (int64_t[3]){ 1, frames, gs_tensor_dim(mel, 2) }) : NULL;
    if (log_mel && g->status == GS_OK)
        gs_graph_fail(g, gs_op_log(g->stream, log_mel, mel, e->log_floor));
    gs_tensor *h = relu_conv(e, g, log_mel, "conv1", 5, 1);
    h = relu_conv(e, g, h, "conv2", 5, 1);
    h = relu_conv(e, g, h, "conv3", 3, 2);
    if (!h)
        return NULL;
    int64_t rows[2] = { frames, gs_tensor_dim(h, 2) };
    h = gs_graph_reshape(g, h, 2, rows);
    gs_tensor *pooled = gs_graph_concat(g, gs_graph_matmul(g, average, h, false),
                                        gs_graph_matmul(g, average, gs_graph_mul(g, h, h), false), 1);
    gs_tensor *hidden = gs_graph_relu(g, gs_graph_linear(g, pooled, LIN("fc1.weight"), VEC("fc1.bias")));
    return gs_graph_linear(g, hidden, LIN("fc2.weight"), VEC("fc2.bias"));
}

gs_status
gs_speaker_encoder_embed(gs_speaker_encoder *e, const float *samples, size_t count, float *embedding)
{
    if (count < (size_t)MIN_SECONDS * e->sample_rate || count > (size_t)MAX_SECONDS * e->sample_rate)
        return gs_fail(e->ctx, GS_ERR_INVALID_ARGUMENT, "speaker encoder: %.1f s of audio; it takes %d to %d s",
                       (double)count / e->sample_rate, MIN_SECONDS, MAX_SECONDS);
    double energy = 0;
    for (size_t i = 0; i < count; i++)
        energy += (double)samples[i] * samples[i];
    double rms = sqrt(energy / (double)count);
    if (!(rms > 1e-6))
        return gs_fail(e->ctx, GS_ERR_INVALID_ARGUMENT, "speaker encoder: the audio is silent");
    float *level = malloc(count * sizeof *level);
    if (!level)
        return gs_fail(e->ctx, GS_ERR_OUT_OF_MEMORY, "speaker encoder: out of memory");
    for (size_t i = 0; i < count; i++)
        level[i] = (float)(samples[i] * (e->target_rms / rms));
    gs_graph graph, *g = &graph;
    gs_graph_init(g, e->ctx, e->stream);
    gs_tensor *out = NULL;
    while (gs_graph_pass(g)) {
        out = forward(e, g, level, (int64_t)count);
        if (out)
            gs_graph_keep(g, out);
    }
    free(level);
    gs_status st = gs_graph_finish(g);
    if (st == GS_OK)
        st = gs_tensor_download(out, embedding, e->dim);
    gs_tensor_free(out);
    if (st != GS_OK)
        return st;
    double norm = 0;
    for (int i = 0; i < e->dim; i++)
        norm += (double)embedding[i] * embedding[i];
    for (int i = 0; i < e->dim; i++)
        embedding[i] = (float)(embedding[i] / sqrt(norm + 1e-30));
    return GS_OK;
}
