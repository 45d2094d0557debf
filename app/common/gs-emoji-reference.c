/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "gs-emoji-reference.h"
#include "gs-image-job.h"
#include "gs-png.h"

#define THUMB 8
#define THUMB_FLOATS (THUMB * THUMB * 3)

struct _GsEmojiReference {
    int count;
    float *thumbs; /* count × THUMB×THUMB×3, HWC */
    int *groups;
    char **captions;
    char **group_names;
};

void
gs_emoji_reference_free(GsEmojiReference *ref)
{
    if (!ref)
        return;
    g_free(ref->thumbs);
    g_free(ref->groups);
    g_strfreev(ref->captions);
    g_strfreev(ref->group_names);
    g_free(ref);
}

static char **
string_array(JsonParser *parser, const char *json)
{
    if (!json || !json_parser_load_from_data(parser, json, -1, NULL) ||
        !json_parser_get_root(parser) || !JSON_NODE_HOLDS_ARRAY(json_parser_get_root(parser)))
        return NULL;
    JsonArray *array = json_node_get_array(json_parser_get_root(parser));
    guint n = json_array_get_length(array);
    char **out = g_new0(char *, n + 1);
    for (guint i = 0; i < n; i++) {
        const char *s = json_array_get_string_element(array, i);
        out[i] = g_strdup(s ? s : "");
    }
    return out;
}

/* "thumbs" [N,8,8,3] in [0,1], "groups" [N] (group numbers as floats),
 * captions and group names as JSON arrays in the metadata. */
GsEmojiReference *
gs_emoji_reference_load(const char *path, GError **error)
{
    g_autofree char *shipped = path ? NULL : gs_shipped_model_path("emoji32-reference.safetensors");
    const char *file_path = path ? path : shipped;
    gs_safetensors *file = NULL;
    char *message = NULL;
    gs_status st = gs_safetensors_open(file_path, &file, &message);
    if (st != GS_OK) {
        g_set_error(error, GS_ENGINE_ERROR, st, "%s", message);
        free(message);
        return NULL;
    }
    g_autoptr(JsonParser) parser = json_parser_new();
    GsEmojiReference *ref = g_new0(GsEmojiReference, 1);
    int ti = gs_safetensors_find(file, "thumbs"), gi = gs_safetensors_find(file, "groups");
    ref->captions = string_array(parser, gs_safetensors_metadata(file, "genstudio.captions"));
    ref->group_names = string_array(parser, gs_safetensors_metadata(file, "genstudio.groups"));
    int n = ti >= 0 ? (int)gs_safetensors_dim(file, ti, 0) : 0;
    gboolean ok = ti >= 0 && gi >= 0 && ref->captions && ref->group_names && n > 0 &&
                  gs_safetensors_dtype(file, ti) == GS_ST_F32 && gs_safetensors_dtype(file, gi) == GS_ST_F32 &&
                  gs_safetensors_numel(file, ti) == (int64_t)n * THUMB_FLOATS && gs_safetensors_numel(file, gi) == n &&
                  g_strv_length(ref->captions) == (guint)n;
    if (ok) {
        const float *groups = gs_safetensors_data(file, gi);
        ref->count = n;
        ref->thumbs = g_memdup2(gs_safetensors_data(file, ti), (gsize)n * THUMB_FLOATS * sizeof(float));
        ref->groups = g_new(int, n);
        for (int i = 0; i < n; i++)
            ref->groups[i] = (int)groups[i];
    }
    gs_safetensors_close(file);
    if (!ok) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s is not an emoji reference set", file_path);
        gs_emoji_reference_free(ref);
        return NULL;
    }
    return ref;
}

int
gs_emoji_reference_count(const GsEmojiReference *ref)
{
    return ref->count;
}

const char *
gs_emoji_reference_caption(const GsEmojiReference *ref, int index)
{
    return ref->captions[index];
}

int
gs_emoji_reference_group(const GsEmojiReference *ref, int index)
{
    return ref->groups[index];
}

const char *
gs_emoji_reference_group_name(const GsEmojiReference *ref, int group)
{
    return group >= 0 && (guint)group < g_strv_length(ref->group_names) ? ref->group_names[group] : NULL;
}

int
gs_emoji_reference_nearest_group(const GsEmojiReference *ref, const float *rgb, int size)
{
    g_autofree float *thumb = gs_image_resize(rgb, size, size, 3, THUMB, THUMB);
    int best = 0;
    double best_dist = G_MAXDOUBLE;
    for (int i = 0; i < ref->count; i++) {
        double d = 0;
        for (int j = 0; j < THUMB_FLOATS; j++) {
            double e = thumb[j] - ref->thumbs[(size_t)i * THUMB_FLOATS + j];
            d += e * e;
        }
        if (d < best_dist) {
            best_dist = d;
            best = i;
        }
    }
    return ref->groups[best];
}

/* Lower-cased runs of ASCII letters and digits, as the models' tokenizer. */
static GPtrArray *
words_of(const char *text)
{
    GPtrArray *words = g_ptr_array_new_with_free_func(g_free);
    GString *word = g_string_new(NULL);
    for (const char *c = text;; c++) {
        if (*c && g_ascii_isalnum(*c)) {
            g_string_append_c(word, g_ascii_tolower(*c));
        } else if (word->len) {
            g_ptr_array_add(words, g_strdup(word->str));
            g_string_truncate(word, 0);
        }
        if (!*c)
            break;
    }
    g_string_free(word, TRUE);
    return words;
}

int
gs_emoji_reference_prompt_group(const GsEmojiReference *ref, const char *prompt)
{
    g_autoptr(GPtrArray) asked = words_of(prompt);
    int best = -1, best_shared = 0;
    guint best_len = G_MAXUINT;
    for (int i = 0; i < ref->count; i++) {
        g_autoptr(GPtrArray) caption = words_of(ref->captions[i]);
        int shared = 0;
        for (guint a = 0; a < asked->len; a++)
            for (guint b = 0; b < caption->len; b++)
                if (g_str_equal(asked->pdata[a], caption->pdata[b])) {
                    shared++;
                    break;
                }
        if (shared > best_shared || (shared == best_shared && shared > 0 && caption->len < best_len)) {
            best = i;
            best_shared = shared;
            best_len = caption->len;
        }
    }
    return best < 0 ? -1 : ref->groups[best];
}

double
gs_emoji_reference_adherence(const GsEmojiReference *ref, const float *images, int count, int size, int group)
{
    int hits = 0;
    for (int i = 0; i < count; i++)
        hits += gs_emoji_reference_nearest_group(ref, images + (size_t)i * size * size * 3, size) == group;
    return count ? (double)hits / count : 0;
}

static double
thumb_distance(const float *a, const float *b)
{
    double s = 0;
    for (int i = 0; i < THUMB_FLOATS; i++)
        s += (a[i] - b[i]) * (a[i] - b[i]);
    return sqrt(s / THUMB_FLOATS);
}

static double
mean_pairwise(const float *thumbs, int count)
{
    double total = 0;
    long pairs = 0;
    for (int a = 0; a < count; a++)
        for (int b = a + 1; b < count; b++, pairs++)
            total += thumb_distance(thumbs + (size_t)a * THUMB_FLOATS, thumbs + (size_t)b * THUMB_FLOATS);
    return pairs ? total / pairs : 0;
}

double
gs_image_set_diversity(const float *images, int count, int size)
{
    g_autofree float *thumbs = g_new(float, (size_t)count * THUMB_FLOATS);
    for (int i = 0; i < count; i++) {
        g_autofree float *t = gs_image_resize(images + (size_t)i * size * size * 3, size, size, 3, THUMB, THUMB);
        memcpy(thumbs + (size_t)i * THUMB_FLOATS, t, THUMB_FLOATS * sizeof(float));
    }
    return mean_pairwise(thumbs, count);
}

double
gs_emoji_reference_group_diversity(const GsEmojiReference *ref, int group)
{
    g_autofree float *thumbs = g_new(float, (size_t)ref->count * THUMB_FLOATS);
    int n = 0;
    for (int i = 0; i < ref->count; i++)
        if (ref->groups[i] == group)
            memcpy(thumbs + (size_t)n++ * THUMB_FLOATS, ref->thumbs + (size_t)i * THUMB_FLOATS,
                   THUMB_FLOATS * sizeof(float));
    return mean_pairwise(thumbs, n);
}
