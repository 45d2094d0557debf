/* A cloned voice (.gsvoice, JSON): a blend of the speech model's own voices
 * and a pitch shift, fitted to a consent recording (gs-voice-clone.h), with
 * the speaker encoder's embedding of it and the consent record that
 * allowed it. It fits the model whose voices it
 * names, in that order.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "genstudio-engine.h"

G_BEGIN_DECLS

#define GS_VOICE_EXTENSION ".gsvoice"
/* A .gsvoice is a few kilobytes; anything past this is not one. */
#define GS_VOICE_MAX_FILE_BYTES (64 * 1024)

typedef struct {
    char *name;
    char **model_voices;  /* names of the model voices blended, NULL-terminated */
    float *weights;       /* one per name, ≥ 0, summing to 1 */
    float pitch;          /* semitones */
    /* The speaker encoder's embedding of the consent recording (unit
     * length; NULL in voices cloned before there was an encoder). */
    float *speaker_embedding;
    int speaker_embedding_dim;
    /* The consent record. */
    char *consent_id;
    char *consent_sentence;
    char *consent_transcript;
    double consent_match; /* fraction of the sentence heard */
    char *consent_audio_sha256;
    gint64 consent_time;  /* Unix seconds of the check */
} GsVoice;

GsVoice *gs_voice_copy(const GsVoice *voice);
void gs_voice_free(GsVoice *voice);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GsVoice, gs_voice_free)

/* $XDG_DATA_HOME/genstudio/voices, where the window keeps cloned voices. */
char *gs_voices_dir(void);

#define GS_VOICE_MAX_EMBEDDING 1024

/* A voice of that folder; `stem` (its file's name without the extension)
 * tells two voices of one person apart ("Ann Smith 2"). */
typedef struct {
    GsVoice *voice;
    char *path;
    char *stem;
} GsVoiceFile;

/* The folder's voices (GsVoiceFile) by file name; broken files are skipped
 * with a warning. Empty when there is no folder yet. */
GPtrArray *gs_voices_dir_list(void);

/* Atomic (temporary file, fsync, rename): on failure `path` is untouched. */
gboolean gs_voice_save(const GsVoice *voice, const char *path, GError **error);
/* Refuses files that are too large, malformed, lack the consent record or
 * have weights that are negative or do not sum to 1. */
GsVoice *gs_voice_load(const char *path, GError **error);
/* The file's JSON, as projects embed it; from_json checks it as load does
 * and names `source` in its errors. */
JsonNode *gs_voice_to_json(const GsVoice *voice);
GsVoice *gs_voice_from_json(JsonNode *root, const char *source, GError **error);

/* The voice's blend over the model's voices (gs_speech_voice_name's order,
 * g_malloc'd: it must outlive the params, which point at it) and its pitch,
 * added to the params'. Fails if the model lacks a voice the blend uses. */
float *gs_voice_apply(const GsVoice *voice, const gs_speech *model, gs_speech_params *params, GError **error);

/* One line for an output's metadata: the voice's name and its consent
 * record (id, date, the recording's SHA-256). */
char *gs_voice_describe_consent(const GsVoice *voice);

G_END_DECLS
