/* Moving a voice's formants: each mel band of the output takes the input
 * at its centre frequency divided by 2^(semitones/12), interpolated
 * between neighbouring bands — a shorter or longer vocal tract. The
 * harmonics move with it, so the pitch rises or falls by the same
 * interval; the caller's pitch control can take it back. One matmul on the
 * device, [T, bins] · [bins, bins].
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>

#include "gs-speech-private.h"

static double
hz_to_mel(double hz)
{
    return 2595.0 * log10(1.0 + hz / 700.0);
}

static double
mel_to_hz(double mel)
{
    return 700.0 * (pow(10.0, mel / 2595.0) - 1.0);
}

void
gs_formant_warp_matrix(int bins, float top_hz, float semitones, float *w)
{
    double top = hz_to_mel(top_hz), ratio = pow(2.0, semitones / 12.0);
    for (int i = 0; i < bins * bins; i++)
        w[i] = 0.0f;
    for (int out = 0; out < bins; out++) {
        /* Band b's centre is the (b+1)-th of bins+2 points evenly spaced in mel. */
        double centre = mel_to_hz(top * (out + 1) / (bins + 1));
        double source = hz_to_mel(centre / ratio) / top * (bins + 1) - 1.0;
        source = fmin(fmax(source, 0.0), bins - 1.0);
        int below = (int)floor(source);
        double above_share = source - below;
        w[(size_t)below * bins + out] += (float)(1.0 - above_share);
        if (below + 1 < bins)
            w[(size_t)(below + 1) * bins + out] += (float)above_share;
    }
}

gs_status
gs_formant_shift(gs_speech *m, float *mel, int frames, float semitones)
{
    int bins = m->cfg.mel_bins;
    float *warp = malloc((size_t)bins * bins * sizeof *warp);
    if (!warp)
        return gs_fail(m->ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
    gs_formant_warp_matrix(bins, m->cfg.mel_fmax, semitones, warp);
    int64_t warp_shape[2] = { bins, bins };
    gs_graph graph, *g = &graph;
    gs_graph_init(g, m->ctx, m->stream);
    gs_tensor *out = NULL;
    while (gs_graph_pass(g)) {
        gs_tensor *w = gs_graph_tensor(g, 2, warp_shape);
        if (w)
            gs_graph_fail(g, gs_tensor_upload(w, warp, (int64_t)bins * bins));
        out = gs_graph_matmul(g, gs_speech_upload(g, mel, frames, bins), w, false);
        if (out)
            gs_graph_keep(g, out);
    }
    free(warp);
    gs_status st = gs_graph_finish(g);
    if (st == GS_OK)
        st = gs_tensor_download(out, mel, (int64_t)frames * bins);
    gs_tensor_free(out);
    return st;
}
