/* A recording's speaker embedding: resampled to the encoder's rate by
 * GStreamer, embedded on the engine.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-audio.h"
#include "gs-voice-clone.h"

gboolean
gs_voice_embed(gs_context *ctx, gs_speaker_encoder *encoder, const float *samples, gsize count, int rate,
               float *embedding, GError **error)
{
    int encoder_rate = gs_speaker_encoder_sample_rate(encoder);
    g_autofree float *resampled = NULL;
    gsize resampled_count = count;
    if (rate != encoder_rate &&
        !gs_audio_convert(samples, count, 1, rate, 1, encoder_rate, &resampled, &resampled_count, error))
        return FALSE;
    gs_status st = gs_speaker_encoder_embed(encoder, resampled ? resampled : samples, resampled_count, embedding);
    if (st != GS_OK) {
        g_set_error(error, G_IO_ERROR, st == GS_ERR_INVALID_ARGUMENT ? G_IO_ERROR_INVALID_DATA : G_IO_ERROR_FAILED,
                    "%s", gs_context_error(ctx));
        return FALSE;
    }
    return TRUE;
}

double
gs_voice_embedding_cosine(const float *a, const float *b, int dim)
{
    double dot = 0;
    for (int i = 0; i < dim; i++)
        dot += (double)a[i] * b[i];
    return dot;
}
