/* Log-mel → audio without a trained vocoder: the magnitude spectrum through
 * the mel filterbank's pseudo-inverse (stored in the model file), a starting
 * phase from the magnitudes' peaks (gs_op_phase_init), then `iterations` of
 * fast Griffin-Lim (none: the peaks' phase as it is) — iSTFT, STFT, keep the
 * phase, impose the magnitude, with momentum — all on the device in one
 * submit.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>

#include "gs-speech-private.h"
#include "models/gs-graph.h"

/* Perraudin, Balazs & Søndergaard (2013) suggest 0.99. */
#define MOMENTUM 0.99f

gs_tensor *
gs_speech_istft(gs_graph *g, const gs_speech_config *c, const gs_tensor *spectrum, int frames)
{
    int64_t frame_shape[2] = { frames, c->n_fft }, sig_shape[1] = { (int64_t)c->hop * (frames - 1) };
    gs_tensor *fr = gs_graph_tensor(g, 2, frame_shape), *signal = gs_graph_tensor(g, 1, sig_shape);
    if (g->status == GS_OK)
        gs_graph_fail(g, gs_op_irfft(g->stream, fr, spectrum));
    if (g->status == GS_OK)
        gs_graph_fail(g, gs_op_overlap_add(g->stream, signal, fr, c->hop));
    return g->status == GS_OK ? signal : NULL;
}

gs_status
gs_speech_download_signal(gs_graph *g, gs_tensor *signal, float **samples, size_t *count)
{
    if (signal)
        gs_graph_keep(g, signal);
    gs_status st = gs_graph_finish(g);
    int64_t len = signal ? gs_tensor_dim(signal, 0) : 0;
    if (st == GS_OK) {
        *samples = malloc((size_t)len * sizeof **samples);
        st = *samples ? gs_tensor_download(signal, *samples, len) : GS_ERR_OUT_OF_MEMORY;
    }
    gs_tensor_free(signal);
    if (st != GS_OK) {
        free(*samples);
        *samples = NULL;
        return st;
    }
    *count = (size_t)len;
    return GS_OK;
}

gs_status
gs_griffin_lim(gs_speech *m, const float *mel, int frames, int iterations, float **samples, size_t *count)
{
    const gs_speech_config *c = &m->cfg;
    *samples = NULL;
    *count = 0;
    if (frames < 2)
        return gs_fail(m->ctx, GS_ERR_INVALID_ARGUMENT, "griffin-lim: %d frames are too few", frames);
    int64_t bins = c->n_fft / 2 + 1, t = frames, len = (int64_t)c->hop * (frames - 1);

    gs_graph graph, *g = &graph;
    gs_graph_init(g, m->ctx, m->stream);
    int64_t mel_shape[3] = { 1, t, c->mel_bins }, spec_shape[3] = { t, bins, 2 }, frame_shape[2] = { t, c->n_fft };
    int64_t mag_shape[2] = { t, bins }, sig_shape[1] = { len };
    gs_tensor *out = NULL;
    while (gs_graph_pass(g)) {
        gs_tensor *tmel = gs_graph_tensor(g, 3, mel_shape);
        gs_tensor *spectrum = gs_graph_tensor(g, 3, spec_shape);
        gs_tensor *prev = NULL, *x = NULL, *fr = NULL, *signal = NULL; /* for the iterations */
        if (iterations > 0) {
            prev = gs_graph_tensor(g, 3, spec_shape);
            x = gs_graph_tensor(g, 3, spec_shape);
            fr = gs_graph_tensor(g, 2, frame_shape);
            signal = gs_graph_tensor(g, 1, sig_shape);
        }
        if (tmel)
            gs_graph_fail(g, gs_tensor_upload(tmel, mel, (int64_t)c->mel_bins * t));
        /* exp(log-mel) [1, T, 80] · pinv [80, bins] = magnitude [T, bins] */
        gs_tensor *linear = gs_graph_exp(g, tmel);
        const gs_tensor *pinv = gs_weights_matrix(m->weights, g, "audio.mel_pinv");
        gs_tensor *magnitude = gs_graph_reshape(g, gs_graph_linear(g, linear, pinv, NULL), 2, mag_shape);
        gs_stream *s = m->stream;
        if (g->status == GS_OK)
            gs_graph_fail(g, gs_op_phase_init(s, spectrum, magnitude, c->hop));
        /* The peaks' phase comes with the magnitude already: this projection
         * only gives the momentum its first `prev`. */
        if (g->status == GS_OK && iterations > 0)
            gs_graph_fail(g, gs_op_griffin_lim_project(s, x, spectrum, magnitude, prev, 0.0f));
        for (int i = 0; i < iterations && g->status == GS_OK; i++) {
            gs_graph_fail(g, gs_op_irfft(s, fr, x));
            gs_graph_fail(g, gs_op_overlap_add(s, signal, fr, c->hop));
            gs_graph_fail(g, gs_op_stft_frames(s, fr, signal, c->hop));
            gs_graph_fail(g, gs_op_rfft(s, spectrum, fr));
            gs_graph_fail(g, gs_op_griffin_lim_project(s, x, spectrum, magnitude, prev, MOMENTUM));
        }
        out = gs_speech_istft(g, c, iterations > 0 ? x : spectrum, frames);
        if (out)
            gs_graph_keep(g, out);
    }
    return gs_speech_download_signal(g, out, samples, count);
}
