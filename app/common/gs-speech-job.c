/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "gs-image-job.h"
#include "gs-speech-job.h"

char *
gs_default_speech_model_path(void)
{
    return gs_shipped_model_path("speech.safetensors");
}

gs_speech *
gs_load_speech(gs_context *ctx, const char *path, GError **error)
{
    gs_speech *model = NULL;
    gs_status st = gs_speech_load(ctx, path, &model);
    if (st != GS_OK)
        gs_set_engine_error(error, ctx, st, "Cannot load the speech model");
    return model;
}

gs_speaker_encoder *
gs_load_default_speaker_encoder(gs_context *ctx, GError **error)
{
    g_autofree char *path = gs_shipped_model_path("speaker-encoder.safetensors");
    gs_speaker_encoder *encoder = NULL;
    gs_status st = gs_speaker_encoder_load(ctx, path, &encoder);
    if (st != GS_OK)
        gs_set_engine_error(error, ctx, st, "Cannot load the speaker encoder");
    return encoder;
}

typedef struct {
    GsSpeechSink sink;
    gpointer user_data;
    GCancellable *cancellable;
    GError *error;
} job;

static bool
on_chunk(const gs_speech_chunk *chunk, void *user_data)
{
    job *j = user_data;
    if (g_cancellable_set_error_if_cancelled(j->cancellable, &j->error))
        return false;
    return j->sink(chunk, j->user_data, &j->error);
}

gboolean
gs_speech_job_run(gs_context *ctx, gs_speech *model, const char *text, const gs_speech_params *params,
                  GsSpeechSink sink, gpointer user_data, GCancellable *cancellable, GError **error)
{
    job j = { sink, user_data, cancellable, NULL };
    gs_status st = gs_speech_synthesize(model, text, params, on_chunk, &j);
    if (j.error) {
        g_propagate_error(error, j.error);
        return FALSE;
    }
    if (st != GS_OK) {
        gs_set_engine_error(error, ctx, st, "Cannot speak the text");
        return FALSE;
    }
    return TRUE;
}

gboolean
gs_vocoder_from_name(const char *name, gs_vocoder *out)
{
    if (strcmp(name, "griffinlim") == 0 || strcmp(name, "griffin-lim") == 0)
        *out = GS_VOCODER_GRIFFIN_LIM;
    else if (strcmp(name, "neural") == 0)
        *out = GS_VOCODER_NEURAL;
    else
        return FALSE;
    return TRUE;
}
