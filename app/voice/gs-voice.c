/* The .gsvoice file.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "gs-voice.h"

#define FORMAT_NAME "genstudio-voice"
#define FORMAT_VERSION 1

void
gs_voice_free(GsVoice *voice)
{
    if (!voice)
        return;
    g_free(voice->name);
    g_strfreev(voice->model_voices);
    g_free(voice->weights);
    g_free(voice->speaker_embedding);
    g_free(voice->consent_id);
    g_free(voice->consent_sentence);
    g_free(voice->consent_transcript);
    g_free(voice->consent_audio_sha256);
    g_free(voice);
}

GsVoice *
gs_voice_copy(const GsVoice *voice)
{
    GsVoice *copy = g_new0(GsVoice, 1);
    *copy = *voice;
    copy->name = g_strdup(voice->name);
    copy->model_voices = g_strdupv(voice->model_voices);
    copy->weights = g_memdup2(voice->weights, g_strv_length(voice->model_voices) * sizeof *voice->weights);
    copy->speaker_embedding =
        g_memdup2(voice->speaker_embedding, (gsize)voice->speaker_embedding_dim * sizeof *voice->speaker_embedding);
    copy->consent_id = g_strdup(voice->consent_id);
    copy->consent_sentence = g_strdup(voice->consent_sentence);
    copy->consent_transcript = g_strdup(voice->consent_transcript);
    copy->consent_audio_sha256 = g_strdup(voice->consent_audio_sha256);
    return copy;
}

char *
gs_voices_dir(void)
{
    return g_build_filename(g_get_user_data_dir(), "genstudio", "voices", NULL);
}

static void
voice_file_free(GsVoiceFile *file)
{
    gs_voice_free(file->voice);
    g_free(file->path);
    g_free(file->stem);
    g_free(file);
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

GPtrArray *
gs_voices_dir_list(void)
{
    GPtrArray *files = g_ptr_array_new_with_free_func((GDestroyNotify)voice_file_free);
    g_autofree char *dir_path = gs_voices_dir();
    g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    for (const char *name; dir && (name = g_dir_read_name(dir));)
        if (g_str_has_suffix(name, GS_VOICE_EXTENSION) && name[0] != '.')
            g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, compare_names);
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        g_autofree char *path = g_build_filename(dir_path, name, NULL);
        g_autoptr(GError) error = NULL;
        GsVoice *voice = gs_voice_load(path, &error);
        if (!voice) {
            g_warning("Skipping the voice file %s: %s", path, error->message);
            continue;
        }
        GsVoiceFile *file = g_new0(GsVoiceFile, 1);
        file->voice = voice;
        file->path = g_steal_pointer(&path);
        file->stem = g_strndup(name, strlen(name) - strlen(GS_VOICE_EXTENSION));
        g_ptr_array_add(files, file);
    }
    return files;
}

static void
add_string(JsonBuilder *b, const char *key, const char *value)
{
    json_builder_set_member_name(b, key);
    json_builder_add_string_value(b, value ? value : "");
}

JsonNode *
gs_voice_to_json(const GsVoice *voice)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    add_string(b, "format", FORMAT_NAME);
    json_builder_set_member_name(b, "version");
    json_builder_add_int_value(b, FORMAT_VERSION);
    add_string(b, "name", voice->name);
    json_builder_set_member_name(b, "blend");
    json_builder_begin_object(b);
    for (int i = 0; voice->model_voices[i]; i++) {
        json_builder_set_member_name(b, voice->model_voices[i]);
        json_builder_add_double_value(b, voice->weights[i]);
    }
    json_builder_end_object(b);
    json_builder_set_member_name(b, "pitch_semitones");
    json_builder_add_double_value(b, voice->pitch);
    if (voice->speaker_embedding) {
        json_builder_set_member_name(b, "speaker_embedding");
        json_builder_begin_array(b);
        for (int i = 0; i < voice->speaker_embedding_dim; i++)
            json_builder_add_double_value(b, voice->speaker_embedding[i]);
        json_builder_end_array(b);
    }
    json_builder_set_member_name(b, "consent");
    json_builder_begin_object(b);
    add_string(b, "id", voice->consent_id);
    add_string(b, "sentence", voice->consent_sentence);
    add_string(b, "transcript", voice->consent_transcript);
    json_builder_set_member_name(b, "match");
    json_builder_add_double_value(b, voice->consent_match);
    add_string(b, "audio_sha256", voice->consent_audio_sha256);
    json_builder_set_member_name(b, "time");
    json_builder_add_int_value(b, voice->consent_time);
    json_builder_end_object(b);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

gboolean
gs_voice_save(const GsVoice *voice, const char *path, GError **error)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = gs_voice_to_json(voice);
    json_generator_set_root(gen, root);
    json_generator_set_pretty(gen, TRUE);
    gsize length = 0;
    g_autofree char *text = json_generator_to_data(gen, &length);
    return g_file_set_contents_full(path, text, (gssize)length,
                                    G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0644, error);
}

/* Members of a file someone shared: only the JSON type asked for counts. */
static const char *
string_member(JsonObject *o, const char *key)
{
    JsonNode *n = json_object_get_member(o, key);
    return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING ? json_node_get_string(n)
                                                                                          : NULL;
}

static double
number_value(JsonNode *n)
{
    GType type = n && JSON_NODE_HOLDS_VALUE(n) ? json_node_get_value_type(n) : G_TYPE_INVALID;
    return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE ? json_node_get_double(n) : NAN;
}

static double
number_member(JsonObject *o, const char *key)
{
    return number_value(json_object_get_member(o, key));
}

static gboolean
fail(GError **error, const char *path, const char *why)
{
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s is not a usable GenStudio voice: %s", path, why);
    return FALSE;
}

static gboolean
read_blend(GsVoice *voice, JsonObject *blend)
{
    GList *names = json_object_get_members(blend);
    guint n = g_list_length(names);
    voice->model_voices = g_new0(char *, n + 1);
    voice->weights = g_new0(float, MAX(n, 1));
    double sum = 0;
    gboolean ok = n > 0;
    guint i = 0;
    for (GList *l = names; l; l = l->next, i++) {
        double w = number_member(blend, l->data);
        ok = ok && w >= 0.0 && w <= 1.0;
        sum += w;
        voice->model_voices[i] = g_strdup(l->data);
        voice->weights[i] = (float)w;
    }
    g_list_free(names);
    return ok && fabs(sum - 1.0) <= 1e-3;
}

/* Optional: absent is fine, present must be 1–GS_VOICE_MAX_EMBEDDING numbers in [−1, 1]. */
static gboolean
read_embedding(GsVoice *voice, JsonNode *node)
{
    if (!node)
        return TRUE;
    JsonArray *a = JSON_NODE_HOLDS_ARRAY(node) ? json_node_get_array(node) : NULL;
    guint n = a ? json_array_get_length(a) : 0;
    if (n == 0 || n > GS_VOICE_MAX_EMBEDDING)
        return FALSE;
    voice->speaker_embedding = g_new(float, n);
    voice->speaker_embedding_dim = (int)n;
    for (guint i = 0; i < n; i++) {
        double v = number_value(json_array_get_element(a, i));
        if (!(fabs(v) <= 1.0))
            return FALSE;
        voice->speaker_embedding[i] = (float)v;
    }
    return TRUE;
}

GsVoice *
gs_voice_load(const char *path, GError **error)
{
    g_autofree char *contents = NULL;
    gsize length = 0;
    g_autoptr(GFile) file = g_file_new_for_path(path);
    g_autoptr(GFileInfo) info = g_file_query_info(file, G_FILE_ATTRIBUTE_STANDARD_SIZE, 0, NULL, error);
    if (!info)
        return NULL;
    if (g_file_info_get_size(info) > GS_VOICE_MAX_FILE_BYTES) {
        fail(error, path, "larger than any voice file (64 KiB)");
        return NULL;
    }
    if (!g_file_get_contents(path, &contents, &length, error))
        return NULL;
    g_autoptr(JsonParser) parser = json_parser_new();
    if (!g_utf8_validate(contents, (gssize)length, NULL) ||
        !json_parser_load_from_data(parser, contents, (gssize)length, NULL)) {
        fail(error, path, "not JSON");
        return NULL;
    }
    return gs_voice_from_json(json_parser_get_root(parser), path, error);
}

GsVoice *
gs_voice_from_json(JsonNode *root, const char *source, GError **error)
{
    JsonObject *o = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
    if (!o || g_strcmp0(string_member(o, "format"), FORMAT_NAME) != 0 || number_member(o, "version") != FORMAT_VERSION) {
        fail(error, source, "not a version 1 .gsvoice file");
        return NULL;
    }
    JsonNode *blend = json_object_get_member(o, "blend");
    JsonNode *consent = json_object_get_member(o, "consent");
    g_autoptr(GsVoice) voice = g_new0(GsVoice, 1);
    voice->name = g_strdup(string_member(o, "name"));
    voice->pitch = (float)number_member(o, "pitch_semitones");
    if (!blend || !JSON_NODE_HOLDS_OBJECT(blend) || !read_blend(voice, json_node_get_object(blend))) {
        fail(error, source, "its blend needs weights in 0–1 that sum to 1");
        return NULL;
    }
    if (!voice->name || !*voice->name || !(fabsf(voice->pitch) <= 24.0f)) {
        fail(error, source, "it needs a name and a pitch within ±24 semitones");
        return NULL;
    }

    if (!read_embedding(voice, json_object_get_member(o, "speaker_embedding"))) {
        fail(error, source, "its speaker embedding is not a list of up to 1024 numbers in −1…1");
        return NULL;
    }
    JsonObject *c = consent && JSON_NODE_HOLDS_OBJECT(consent) ? json_node_get_object(consent) : NULL;
    if (c) {
        voice->consent_id = g_strdup(string_member(c, "id"));
        voice->consent_sentence = g_strdup(string_member(c, "sentence"));
        voice->consent_transcript = g_strdup(string_member(c, "transcript") ? string_member(c, "transcript") : "");
        double match = number_member(c, "match"), time = number_member(c, "time");
        voice->consent_match = match >= 0 && match <= 1 ? match : 0;
        voice->consent_audio_sha256 = g_strdup(string_member(c, "audio_sha256"));
        voice->consent_time = time >= 0 && time < 1e11 ? (gint64)time : 0;
    }
    if (!c || !voice->consent_id || !*voice->consent_id || !voice->consent_sentence || !*voice->consent_sentence ||
        !voice->consent_audio_sha256 || strlen(voice->consent_audio_sha256) != 64) {
        fail(error, source, "it has no consent record");
        return NULL;
    }
    return g_steal_pointer(&voice);
}

float *
gs_voice_apply(const GsVoice *voice, const gs_speech *model, gs_speech_params *params, GError **error)
{
    int n = gs_speech_voice_count(model);
    g_autofree float *blend = g_new0(float, n);
    for (int i = 0; voice->model_voices[i]; i++) {
        int index = 0;
        while (index < n && g_strcmp0(voice->model_voices[i], gs_speech_voice_name(model, index)) != 0)
            index++;
        if (index == n) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                        "The voice “%s” was fitted to another speech model (one with the voice “%s”)", voice->name,
                        voice->model_voices[i]);
            return NULL;
        }
        blend[index] = voice->weights[i];
    }
    params->voice = NULL;
    params->voice_blend = blend;
    params->pitch += voice->pitch;
    return g_steal_pointer(&blend);
}

char *
gs_voice_describe_consent(const GsVoice *voice)
{
    g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc(voice->consent_time);
    g_autofree char *date = when ? g_date_time_format(when, "%Y-%m-%d %H:%M UTC") : g_strdup("?");
    return g_strdup_printf("Cloned voice “%s”, with the speaker's spoken consent (id %s, %s, recording SHA-256 %s)",
                           voice->name, voice->consent_id, date, voice->consent_audio_sha256);
}
