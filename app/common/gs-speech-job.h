/* Text → speech as the CLI and the window run it: the engine speaks
 * sentence by sentence and each sentence's samples go to a sink (a file
 * writer, the player, a take in memory). Blocking: the window calls it from
 * a worker thread.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "genstudio-engine.h"

/* The default speech model, found like the image model. */
char *gs_default_speech_model_path(void);
gs_speech *gs_load_speech(gs_context *ctx, const char *path, GError **error);
/* The shipped speaker encoder (cloning's measure of a voice). */
gs_speaker_encoder *gs_load_default_speaker_encoder(gs_context *ctx, GError **error);

/* Return FALSE (with `error` set) to stop. */
typedef gboolean (*GsSpeechSink)(const gs_speech_chunk *chunk, gpointer user_data, GError **error);

gboolean gs_speech_job_run(gs_context *ctx, gs_speech *model, const char *text, const gs_speech_params *params,
                           GsSpeechSink sink, gpointer user_data, GCancellable *cancellable, GError **error);

/* A vocoder by name: "griffinlim" or "neural". */
gboolean gs_vocoder_from_name(const char *name, gs_vocoder *out);
