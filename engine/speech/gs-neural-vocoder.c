/* The neural vocoder (tools/speech/vocoder.py is the reference): a
 * convolution network turns each log-mel frame into an STFT frame —
 * magnitude exp(·) and a phase direction (x, y) — and the inverse STFT
 * makes the audio. One submit for a whole sentence.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>

#include "gs-speech-private.h"

#define LIN(...) gs_weights_linear(m->weights, g, __VA_ARGS__)
#define VEC(...) gs_weights_vector(m->weights, g, __VA_ARGS__)

/* A head's [1, T, width] outputs: its matrix padded to a multiple of four
 * columns runs in matmul's fast kernels (513 and 1026 columns ran 5–9×
 * slower), and the padding columns are cropped off. */
static gs_tensor *
head(gs_speech *m, gs_graph *g, gs_tensor *x, const char *name, int64_t width)
{
    g_autofree char *weight = g_strdup_printf("%s.weight", name);
    int64_t outputs = gs_weights_dim(m->weights, weight, 0); /* -1 when absent: loading says so */
    if (g->status == GS_OK && outputs >= 0 && outputs != width) {
        gs_graph_fail(g, gs_fail(m->ctx, GS_ERR_FORMAT, "the vocoder's %s has %" G_GINT64_FORMAT
                                 " outputs, not %" G_GINT64_FORMAT, name, outputs, width));
        return NULL;
    }
    gs_tensor *padded = gs_graph_linear(g, x, gs_weights_linear_padded(m->weights, g, "%s", weight),
                                        gs_weights_vector_padded(m->weights, g, "%s.bias", name));
    if (!padded || gs_tensor_dim(padded, 2) == width)
        return padded;
    int64_t frames = gs_tensor_dim(padded, 1), planes[4] = { 1, 1, frames, gs_tensor_dim(padded, 2) };
    int64_t shape[3] = { 1, frames, width };
    gs_tensor *cropped = gs_graph_pad2d(g, gs_graph_reshape(g, padded, 4, planes), 0, 0, 0,
                                        (int)(width - gs_tensor_dim(padded, 2)));
    return gs_graph_reshape(g, cropped, 3, shape);
}

gs_status
gs_neural_vocoder(gs_speech *m, const float *mel, int frames, float **samples, size_t *count)
{
    const gs_speech_config *c = &m->cfg;
    *samples = NULL;
    *count = 0;
    if (c->vocoder_blocks == 0)
        return gs_fail(m->ctx, GS_ERR_UNSUPPORTED, "This speech model has no neural vocoder; use Griffin-Lim");
    if (frames < 2)
        return gs_fail(m->ctx, GS_ERR_INVALID_ARGUMENT, "neural vocoder: %d frames are too few", frames);
    int64_t bins = c->n_fft / 2 + 1, spec_shape[3] = { frames, bins, 2 };
    gs_graph graph, *g = &graph;
    gs_graph_init(g, m->ctx, m->stream);
    gs_tensor *signal = NULL;
    while (gs_graph_pass(g)) {
        gs_tensor *x = gs_graph_conv1d_tokens(g, gs_speech_upload(g, mel, frames, c->mel_bins),
                                              LIN("vocoder.conv_in.weight"), VEC("vocoder.conv_in.bias"), 7, 3, 1);
        char name[64];
        for (int i = 0; i < c->vocoder_blocks; i++) {
            snprintf(name, sizeof name, "vocoder.blocks.%d", i);
            x = gs_speech_block(m, g, x, name, c->vocoder_kernel, 1, true);
        }
        x = gs_graph_layer_norm(g, x, VEC("vocoder.norm_out.weight"), VEC("vocoder.norm_out.bias"), c->layer_norm_eps);
        /* [1, T, bins] magnitudes; [1, T, 2·bins] = [T, bins, 2] directions (the
         * exporter interleaves the x and y rows of the head). */
        gs_tensor *magnitude = gs_graph_exp(g, head(m, g, x, "vocoder.head_mag", bins));
        gs_tensor *direction = head(m, g, x, "vocoder.head_phase", 2 * bins);
        int64_t mag_shape[2] = { frames, bins };
        magnitude = gs_graph_reshape(g, magnitude, 2, mag_shape);
        direction = gs_graph_reshape(g, direction, 3, spec_shape);
        gs_tensor *spectrum = gs_graph_tensor(g, 3, spec_shape), *scratch = gs_graph_tensor(g, 3, spec_shape);
        /* With momentum 0 the Griffin-Lim projection is exactly magnitude·d/|d|. */
        if (g->status == GS_OK)
            gs_graph_fail(g, gs_op_griffin_lim_project(g->stream, spectrum, direction, magnitude, scratch, 0.0f));
        signal = gs_speech_istft(g, c, spectrum, frames);
        if (signal)
            gs_graph_keep(g, signal);
    }
    return gs_speech_download_signal(g, signal, samples, count);
}
