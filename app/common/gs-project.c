/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-project.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gs-audio.h"
#include "gs-provenance.h"
#include "gs-timeline.h"

#define ASSETS_SUFFIX "-assets"
/* Hex digits of SHA-256 in an asset's name: 64 bits make a collision
 * between two assets of one project out of reach. */
#define ASSET_HASH_DIGITS 16
/* A music piece's singer: a speech model's voice name. */
#define MAX_VOICE_NAME_BYTES 256

struct _GsProject {
    GObject parent_instance;
    char *path;
    char *recovery_path; /* where autosaves go; NULL until asked for, and again after a save */
    gboolean dirty;
    /* Counts every change, so the autosave timer knows whether anything
     * happened since the last save or autosave. */
    guint64 changes, changes_at_autosave;
    GListStore *takes;
    GPtrArray *images; /* GsProjectImage */
    GPtrArray *music;  /* GsProjectMusic */
    JsonNode *timeline;
    GHashTable *sources; /* source id → TimelineSource */
    guint autosave_source;
};

G_DEFINE_FINAL_TYPE(GsProject, gs_project, G_TYPE_OBJECT)

enum { PROP_0, PROP_PATH, PROP_DIRTY, N_PROPS };
static GParamSpec *properties[N_PROPS];

/* On a GsTake: the name stem ("take-<hash>") of its assets. Takes are
 * immutable, so it is computed once, and a loaded take keeps the name it
 * was loaded from instead of re-encoding a slightly different WAV. */
G_DEFINE_QUARK(gs-project-take-asset, take_asset)

/* A timeline source's audio and, once saved or loaded, the name stem of its
 * asset, so an unchanged source is not hashed again at every save. */
typedef struct {
    GBytes *audio;
    char *stem;
} TimelineSource;

static void
timeline_source_free(TimelineSource *source)
{
    g_bytes_unref(source->audio);
    g_free(source->stem);
    g_free(source);
}

static TimelineSource *
timeline_source_new(GBytes *audio, const char *stem)
{
    TimelineSource *source = g_new0(TimelineSource, 1);
    source->audio = g_bytes_ref(audio);
    source->stem = g_strdup(stem);
    return source;
}

static GHashTable *
timeline_sources_new(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)timeline_source_free);
}

static void
image_free(GsProjectImage *image)
{
    g_free(image->png_path);
    g_free(image->parameters);
    g_free(image);
}

static void
music_free(GsProjectMusic *music)
{
    g_free(music->prompt);
    g_free(music->audio_path);
    g_strfreev(music->stem_paths);
    g_strfreev(music->muted);
    g_free(music->lyrics);
    g_free(music->voice);
    g_free(music->vocals_path);
    g_clear_pointer(&music->cloned_voice, gs_voice_free);
    g_free(music);
}

static void
mark_changed(GsProject *self)
{
    self->changes++;
    if (!self->dirty) {
        self->dirty = TRUE;
        g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_DIRTY]);
    }
}

static void
on_takes_changed(GListModel *takes, guint position, guint removed, guint added, GsProject *self)
{
    mark_changed(self);
}

static void
gs_project_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    GsProject *self = GS_PROJECT(object);
    switch (prop_id) {
    case PROP_PATH:
        g_value_set_string(value, self->path);
        break;
    case PROP_DIRTY:
        g_value_set_boolean(value, self->dirty);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
gs_project_dispose(GObject *object)
{
    GsProject *self = GS_PROJECT(object);
    g_clear_handle_id(&self->autosave_source, g_source_remove);
    if (self->takes)
        g_signal_handlers_disconnect_by_data(self->takes, self);
    g_clear_object(&self->takes);
    G_OBJECT_CLASS(gs_project_parent_class)->dispose(object);
}

static void
gs_project_finalize(GObject *object)
{
    GsProject *self = GS_PROJECT(object);
    g_clear_pointer(&self->path, g_free);
    g_clear_pointer(&self->recovery_path, g_free);
    g_clear_pointer(&self->images, g_ptr_array_unref);
    g_clear_pointer(&self->music, g_ptr_array_unref);
    g_clear_pointer(&self->timeline, json_node_unref);
    g_clear_pointer(&self->sources, g_hash_table_unref);
    G_OBJECT_CLASS(gs_project_parent_class)->finalize(object);
}

static void
gs_project_class_init(GsProjectClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    object_class->get_property = gs_project_get_property;
    object_class->dispose = gs_project_dispose;
    object_class->finalize = gs_project_finalize;
    properties[PROP_PATH] = g_param_spec_string("path", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    properties[PROP_DIRTY] = g_param_spec_boolean("dirty", NULL, NULL, FALSE,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties(object_class, N_PROPS, properties);
}

static void
gs_project_init(GsProject *self)
{
    self->takes = g_list_store_new(GS_TYPE_TAKE);
    g_signal_connect(self->takes, "items-changed", G_CALLBACK(on_takes_changed), self);
    self->images = g_ptr_array_new_with_free_func((GDestroyNotify)image_free);
    self->music = g_ptr_array_new_with_free_func((GDestroyNotify)music_free);
    self->sources = timeline_sources_new();
}

GsProject *
gs_project_new(void)
{
    return g_object_new(GS_TYPE_PROJECT, NULL);
}

const char *gs_project_get_path(GsProject *self) { return self->path; }
gboolean gs_project_get_dirty(GsProject *self) { return self->dirty; }
GListStore *gs_project_get_takes(GsProject *self) { return self->takes; }
guint gs_project_get_n_images(GsProject *self) { return self->images->len; }
guint gs_project_get_n_music(GsProject *self) { return self->music->len; }
JsonNode *gs_project_get_timeline(GsProject *self) { return self->timeline; }

static char *
absolute_path(const char *path)
{
    return g_canonicalize_filename(path, NULL);
}

void
gs_project_add_image(GsProject *self, const char *png_path, const char *parameters)
{
    GsProjectImage *image = g_new0(GsProjectImage, 1);
    image->png_path = absolute_path(png_path);
    image->parameters = g_strdup(parameters ? parameters : "");
    g_ptr_array_add(self->images, image);
    mark_changed(self);
}

const GsProjectImage *
gs_project_get_image(GsProject *self, guint index)
{
    g_return_val_if_fail(index < self->images->len, NULL);
    return g_ptr_array_index(self->images, index);
}

void
gs_project_remove_image(GsProject *self, guint index)
{
    g_return_if_fail(index < self->images->len);
    g_ptr_array_remove_index(self->images, index);
    mark_changed(self);
}

void
gs_project_add_music(GsProject *self, const char *prompt, guint64 seed, const char *audio_path,
                     const char *const *stem_paths)
{
    GsProjectMusic *music = g_new0(GsProjectMusic, 1);
    music->prompt = g_strdup(prompt ? prompt : "");
    music->seed = seed;
    music->audio_path = absolute_path(audio_path);
    g_autoptr(GStrvBuilder) stems = g_strv_builder_new();
    for (gsize i = 0; stem_paths && stem_paths[i]; i++) {
        g_autofree char *stem = absolute_path(stem_paths[i]);
        g_strv_builder_add(stems, stem);
    }
    music->stem_paths = g_strv_builder_end(stems);
    music->muted = g_new0(char *, 1);
    g_ptr_array_add(self->music, music);
    mark_changed(self);
}

const GsProjectMusic *
gs_project_get_music(GsProject *self, guint index)
{
    g_return_val_if_fail(index < self->music->len, NULL);
    return g_ptr_array_index(self->music, index);
}

void
gs_project_remove_music(GsProject *self, guint index)
{
    g_return_if_fail(index < self->music->len);
    g_ptr_array_remove_index(self->music, index);
    mark_changed(self);
}

void
gs_project_set_music_muted(GsProject *self, guint index, const char *const *muted)
{
    g_return_if_fail(index < self->music->len);
    GsProjectMusic *music = g_ptr_array_index(self->music, index);
    g_strfreev(music->muted);
    music->muted = muted ? g_strdupv((char **)muted) : g_new0(char *, 1);
    mark_changed(self);
}

void
gs_project_set_music_lyrics(GsProject *self, guint index, const char *lyrics, const char *voice)
{
    g_return_if_fail(index < self->music->len);
    GsProjectMusic *music = g_ptr_array_index(self->music, index);
    g_free(music->lyrics);
    g_free(music->voice);
    music->lyrics = lyrics && *lyrics ? g_strdup(lyrics) : NULL;
    music->voice = g_strdup(voice);
    mark_changed(self);
}

void
gs_project_set_music_vocals(GsProject *self, guint index, const char *vocals_path)
{
    g_return_if_fail(index < self->music->len);
    GsProjectMusic *music = g_ptr_array_index(self->music, index);
    g_free(music->vocals_path);
    music->vocals_path = vocals_path ? absolute_path(vocals_path) : NULL;
    mark_changed(self);
}

void
gs_project_set_music_cloned_voice(GsProject *self, guint index, const GsVoice *voice)
{
    g_return_if_fail(index < self->music->len);
    GsProjectMusic *music = g_ptr_array_index(self->music, index);
    g_clear_pointer(&music->cloned_voice, gs_voice_free);
    music->cloned_voice = voice ? gs_voice_copy(voice) : NULL;
    mark_changed(self);
}

void
gs_project_set_timeline(GsProject *self, JsonNode *timeline)
{
    g_clear_pointer(&self->timeline, json_node_unref);
    self->timeline = timeline ? json_node_copy(timeline) : NULL;
    mark_changed(self);
}

void
gs_project_set_timeline_sources(GsProject *self, GHashTable *sources)
{
    g_autoptr(GHashTable) replaced = g_steal_pointer(&self->sources);
    self->sources = timeline_sources_new();
    GHashTableIter iter;
    gpointer id, audio;
    if (sources) {
        g_hash_table_iter_init(&iter, sources);
        while (g_hash_table_iter_next(&iter, &id, &audio)) {
            TimelineSource *old = g_hash_table_lookup(replaced, id);
            const char *stem = old && old->audio == audio ? old->stem : NULL;
            g_hash_table_insert(self->sources, g_strdup(id), timeline_source_new(audio, stem));
        }
    }
    mark_changed(self);
}

GBytes *
gs_project_get_timeline_source(GsProject *self, const char *source_id)
{
    TimelineSource *source = g_hash_table_lookup(self->sources, source_id);
    return source ? source->audio : NULL;
}

/* ---- Saving ---- */

/* "song.genstudio" → "song-assets": one assets folder per project, so two
 * projects in one folder never remove each other's files. */
static char *
assets_name_for(const char *project_path)
{
    g_autofree char *base = g_path_get_basename(project_path);
    if (g_str_has_suffix(base, GS_PROJECT_EXTENSION) && strlen(base) > strlen(GS_PROJECT_EXTENSION))
        base[strlen(base) - strlen(GS_PROJECT_EXTENSION)] = '\0';
    return g_strconcat(base, ASSETS_SUFFIX, NULL);
}

typedef struct {
    char *folder;       /* of the project file */
    char *assets_name;  /* relative to `folder` */
    char *assets_dir;   /* absolute */
    GHashTable *in_use; /* file names in `assets_dir` the new JSON refers to */
    GHashTable *stored_as; /* source path → its absolute path in `assets_dir` */
} SaveTarget;

static void
save_target_clear(SaveTarget *target)
{
    g_free(target->folder);
    g_free(target->assets_name);
    g_free(target->assets_dir);
    g_clear_pointer(&target->in_use, g_hash_table_unref);
    g_clear_pointer(&target->stored_as, g_hash_table_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(SaveTarget, save_target_clear)

static gboolean
set_error_from_errno(GError **error, int saved_errno, const char *what, const char *path)
{
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved_errno), "Cannot %s “%s”: %s", what, path,
                g_strerror(saved_errno));
    return FALSE;
}

/* Makes what was written to `path` (a file, or a folder's entries) durable. */
static gboolean
fsync_path(const char *path, GError **error)
{
    int fd = g_open(path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return set_error_from_errno(error, errno, "open", path);
    if (fsync(fd) != 0) {
        int saved_errno = errno;
        close(fd);
        return set_error_from_errno(error, saved_errno, "sync", path);
    }
    close(fd);
    return TRUE;
}

/* The relative path the JSON stores for `name`, noting it as in use. */
static char *
asset_reference(SaveTarget *target, const char *name)
{
    g_hash_table_add(target->in_use, g_strdup(name));
    return g_build_filename(target->assets_name, name, NULL);
}

static char *
short_hash(GChecksum *checksum)
{
    return g_strndup(g_checksum_get_string(checksum), ASSET_HASH_DIGITS);
}

static const char *
take_asset_stem(GsTake *take)
{
    const char *stem = g_object_get_qdata(G_OBJECT(take), take_asset_quark());
    if (stem)
        return stem;
    gsize count = 0;
    const float *samples = gs_take_get_samples(take, &count);
    int rate = gs_take_get_sample_rate(take), bins = 0, frames = 0;
    const float *mel = gs_take_get_mel(take, &bins, &frames);
    g_autoptr(GChecksum) checksum = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(checksum, (const guchar *)&rate, sizeof rate);
    g_checksum_update(checksum, (const guchar *)samples, count * sizeof(float));
    g_checksum_update(checksum, (const guchar *)&bins, sizeof bins);
    g_checksum_update(checksum, (const guchar *)mel, (gsize)bins * frames * sizeof(float));
    g_autofree char *hash = short_hash(checksum);
    char *new_stem = g_strconcat("take-", hash, NULL);
    g_object_set_qdata_full(G_OBJECT(take), take_asset_quark(), new_stem, g_free);
    return new_stem;
}

/* The mel file: float32 little-endian, row-major [bins, frames]. */
static gboolean
write_mel(const char *path, const float *mel, gsize count, GError **error)
{
    g_autofree guint32 *little_endian = g_new(guint32, count ? count : 1);
    for (gsize i = 0; i < count; i++) {
        guint32 bits;
        memcpy(&bits, &mel[i], sizeof bits);
        little_endian[i] = GUINT32_TO_LE(bits);
    }
    return g_file_set_contents_full(path, (const char *)little_endian, (gssize)(count * sizeof(guint32)),
                                    G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0644, error);
}

/* Writes "<stem>.wav" into the assets unless it is there and returns the
 * JSON's reference to it. */
static char *
store_wav_asset(SaveTarget *target, const char *stem, const float *samples, gsize frames, int channels, int rate,
                const GsAudioTags *tags, GError **error)
{
    g_autofree char *name = g_strconcat(stem, ".wav", NULL);
    g_autofree char *path = g_build_filename(target->assets_dir, name, NULL);
    /* Named by content: a file already there is this very audio. */
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR) &&
        !gs_audio_export(path, samples, frames, channels, rate, tags, NULL, NULL, NULL, error))
        return NULL;
    return asset_reference(target, name);
}

/* What made an asset, as the project file records it for each one. */
static void
add_provenance(JsonBuilder *builder, const char *source_type, const char *model, const char *model_sha256,
               const char *watermark)
{
    json_builder_set_member_name(builder, "provenance");
    json_builder_begin_object(builder);
    json_builder_set_member_name(builder, "digital_source_type");
    json_builder_add_string_value(builder, source_type ? source_type : GS_IPTC_GENERATED);
    json_builder_set_member_name(builder, "software");
    json_builder_add_string_value(builder, "GenStudio " GS_VERSION);
    json_builder_set_member_name(builder, "model");
    json_builder_add_string_value(builder, model ? model : "unknown");
    if (model_sha256) {
        json_builder_set_member_name(builder, "model_sha256");
        json_builder_add_string_value(builder, model_sha256);
    }
    json_builder_set_member_name(builder, "watermark");
    json_builder_add_string_value(builder, watermark);
    json_builder_end_object(builder);
}

static JsonNode *
take_to_json(GsTake *take, SaveTarget *target, GError **error)
{
    const char *stem = take_asset_stem(take);
    gsize count = 0;
    const float *samples = gs_take_get_samples(take, &count);
    GsAudioTags tags = {.title = gs_take_get_text(take), .artist = gs_take_get_voice(take), .working_copy = TRUE};
    g_autofree char *wav_reference =
        store_wav_asset(target, stem, samples, count, 1, gs_take_get_sample_rate(take), &tags, error);
    if (!wav_reference)
        return NULL;
    g_autofree char *mel_name = g_strconcat(stem, ".mel", NULL);
    g_autofree char *mel_path = g_build_filename(target->assets_dir, mel_name, NULL);
    int bins = 0, frames = 0;
    const float *mel = gs_take_get_mel(take, &bins, &frames);
    if (!g_file_test(mel_path, G_FILE_TEST_IS_REGULAR) && !write_mel(mel_path, mel, (gsize)bins * frames, error))
        return NULL;

    g_autofree char *mel_reference = asset_reference(target, mel_name);
    g_autoptr(JsonBuilder) builder = json_builder_new();
    json_builder_begin_object(builder);
    json_builder_set_member_name(builder, "text");
    json_builder_add_string_value(builder, gs_take_get_text(take));
    json_builder_set_member_name(builder, "voice");
    json_builder_add_string_value(builder, gs_take_get_voice(take));
    json_builder_set_member_name(builder, "lang");
    json_builder_add_string_value(builder, gs_take_get_lang(take));
    json_builder_set_member_name(builder, "rate");
    json_builder_add_double_value(builder, gs_take_get_rate(take));
    json_builder_set_member_name(builder, "pitch");
    json_builder_add_double_value(builder, gs_take_get_pitch(take));
    if (gs_take_get_consent(take)) {
        json_builder_set_member_name(builder, "consent");
        json_builder_add_string_value(builder, gs_take_get_consent(take));
    }
    if (gs_take_get_cloned_voice(take)) { /* the voice travels with the project */
        json_builder_set_member_name(builder, "cloned_voice");
        json_builder_add_value(builder, gs_voice_to_json(gs_take_get_cloned_voice(take)));
    }
    json_builder_set_member_name(builder, "sample_rate");
    json_builder_add_int_value(builder, gs_take_get_sample_rate(take));
    json_builder_set_member_name(builder, "audio");
    json_builder_add_string_value(builder, wav_reference);
    json_builder_set_member_name(builder, "mel");
    json_builder_add_string_value(builder, mel_reference);
    json_builder_set_member_name(builder, "mel_bins");
    json_builder_add_int_value(builder, bins);
    json_builder_set_member_name(builder, "mel_frames");
    json_builder_add_int_value(builder, frames);
    add_provenance(builder, GS_IPTC_GENERATED, GS_SPEECH_PROVENANCE_MODEL, NULL,
                   "audio watermark added on export (the working copy here is sample-exact)");
    json_builder_end_object(builder);
    return json_builder_get_root(builder);
}

/* Copies `source` into the assets folder under a name from its content
 * (`prefix`-<hash>.<extension>) and returns that name. A file already in
 * that folder is its own asset. */
static char *
copy_into_assets(SaveTarget *target, const char *source, const char *prefix, GError **error)
{
    g_autofree char *source_folder = g_path_get_dirname(source);
    if (g_strcmp0(source_folder, target->assets_dir) == 0) {
        if (!g_file_test(source, G_FILE_TEST_IS_REGULAR)) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "The asset “%s” is missing", source);
            return NULL;
        }
        return g_path_get_basename(source);
    }
    g_autofree char *contents = NULL;
    gsize length = 0;
    if (!g_file_get_contents(source, &contents, &length, error))
        return NULL;
    g_autofree char *hash = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)contents, length);
    hash[ASSET_HASH_DIGITS] = '\0';
    g_autofree char *base = g_path_get_basename(source);
    const char *extension = strrchr(base, '.');
    char *name = g_strconcat(prefix, "-", hash, extension ? extension : "", NULL);
    g_autofree char *destination = g_build_filename(target->assets_dir, name, NULL);
    if (!g_file_test(destination, G_FILE_TEST_IS_REGULAR) &&
        !g_file_set_contents_full(destination, contents, (gssize)length,
                                  G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0644, error)) {
        g_free(name);
        return NULL;
    }
    return name;
}

/* The JSON's reference to `source`, once copied into the assets. */
static char *
store_file_asset(SaveTarget *target, const char *source, const char *prefix, GError **error)
{
    g_autofree char *name = copy_into_assets(target, source, prefix, error);
    if (!name)
        return NULL;
    g_hash_table_insert(target->stored_as, g_strdup(source), g_build_filename(target->assets_dir, name, NULL));
    return asset_reference(target, name);
}

static JsonNode *
image_to_json(const GsProjectImage *image, SaveTarget *target, GError **error)
{
    g_autofree char *png = store_file_asset(target, image->png_path, "image", error);
    if (!png)
        return NULL;
    g_autoptr(JsonBuilder) builder = json_builder_new();
    json_builder_begin_object(builder);
    json_builder_set_member_name(builder, "png");
    json_builder_add_string_value(builder, png);
    json_builder_set_member_name(builder, "parameters");
    json_builder_add_string_value(builder, image->parameters);
    g_autoptr(GsProvenanceInfo) info = gs_provenance_read_xmp(image->png_path, NULL);
    add_provenance(builder, info ? info->source_type : NULL, info ? info->model : NULL,
                   info ? info->model_sha256 : NULL, info && info->watermark ? info->watermark : "unknown");
    json_builder_end_object(builder);
    return json_builder_get_root(builder);
}

static JsonNode *
music_to_json(const GsProjectMusic *music, SaveTarget *target, GError **error)
{
    g_autofree char *audio = store_file_asset(target, music->audio_path, "music", error);
    if (!audio)
        return NULL;
    g_autoptr(JsonBuilder) builder = json_builder_new();
    json_builder_begin_object(builder);
    json_builder_set_member_name(builder, "prompt");
    json_builder_add_string_value(builder, music->prompt);
    /* JSON integers are signed 64-bit: a seed above G_MAXINT64 is stored as
     * its two's complement and read back to the same bits. */
    json_builder_set_member_name(builder, "seed");
    json_builder_add_int_value(builder, (gint64)music->seed);
    json_builder_set_member_name(builder, "audio");
    json_builder_add_string_value(builder, audio);
    json_builder_set_member_name(builder, "stems");
    json_builder_begin_array(builder);
    for (gsize i = 0; music->stem_paths[i]; i++) {
        g_autofree char *stem = store_file_asset(target, music->stem_paths[i], "stem", error);
        if (!stem)
            return NULL;
        json_builder_add_string_value(builder, stem);
    }
    json_builder_end_array(builder);
    json_builder_set_member_name(builder, "muted");
    json_builder_begin_array(builder);
    for (gsize i = 0; music->muted[i]; i++)
        json_builder_add_string_value(builder, music->muted[i]);
    json_builder_end_array(builder);
    if (music->lyrics) {
        json_builder_set_member_name(builder, "lyrics");
        json_builder_add_string_value(builder, music->lyrics);
    }
    if (music->voice) {
        json_builder_set_member_name(builder, "voice");
        json_builder_add_string_value(builder, music->voice);
    }
    if (music->vocals_path) {
        g_autofree char *vocals = store_file_asset(target, music->vocals_path, "vocals", error);
        if (!vocals)
            return NULL;
        json_builder_set_member_name(builder, "vocals_audio");
        json_builder_add_string_value(builder, vocals);
    }
    if (music->cloned_voice) {
        json_builder_set_member_name(builder, "cloned_voice");
        json_builder_add_value(builder, gs_voice_to_json(music->cloned_voice));
    }
    add_provenance(builder, GS_IPTC_GENERATED, GS_MUSIC_PROVENANCE_MODEL, NULL, "audio watermark in the file");
    json_builder_end_object(builder);
    return json_builder_get_root(builder);
}

/* { source id: reference }, writing each source's WAV. */
static JsonNode *
timeline_sources_to_json(GsProject *self, SaveTarget *target, GError **error)
{
    g_autoptr(JsonBuilder) builder = json_builder_new();
    json_builder_begin_object(builder);
    GHashTableIter iter;
    gpointer id, value;
    g_hash_table_iter_init(&iter, self->sources);
    while (g_hash_table_iter_next(&iter, &id, &value)) {
        TimelineSource *source = value;
        gsize size = 0;
        const float *samples = g_bytes_get_data(source->audio, &size);
        if (!source->stem) {
            g_autofree char *hash = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, source->audio);
            hash[ASSET_HASH_DIGITS] = '\0';
            source->stem = g_strconcat("source-", hash, NULL);
        }
        GsAudioTags tags = { .working_copy = TRUE };
        g_autofree char *reference =
            store_wav_asset(target, source->stem, samples, size / (GS_TIMELINE_CHANNELS * sizeof(float)),
                            GS_TIMELINE_CHANNELS, GS_TIMELINE_RATE, &tags, error);
        if (!reference)
            return NULL;
        json_builder_set_member_name(builder, id);
        json_builder_add_string_value(builder, reference);
    }
    json_builder_end_object(builder);
    return json_builder_get_root(builder);
}

/* Writes every asset and returns the document that refers to them.
 * `recovery_of` is set for an autosave: the project it recovers. */
static JsonNode *
project_to_json(GsProject *self, SaveTarget *target, gboolean is_recovery, const char *recovery_of, GError **error)
{
    g_autoptr(JsonArray) takes = json_array_new();
    for (guint i = 0; i < g_list_model_get_n_items(G_LIST_MODEL(self->takes)); i++) {
        g_autoptr(GsTake) take = g_list_model_get_item(G_LIST_MODEL(self->takes), i);
        JsonNode *node = take_to_json(take, target, error);
        if (!node)
            return NULL;
        json_array_add_element(takes, node);
    }
    g_autoptr(JsonArray) images = json_array_new();
    for (guint i = 0; i < self->images->len; i++) {
        JsonNode *node = image_to_json(g_ptr_array_index(self->images, i), target, error);
        if (!node)
            return NULL;
        json_array_add_element(images, node);
    }
    g_autoptr(JsonArray) music = json_array_new();
    for (guint i = 0; i < self->music->len; i++) {
        JsonNode *node = music_to_json(g_ptr_array_index(self->music, i), target, error);
        if (!node)
            return NULL;
        json_array_add_element(music, node);
    }
    JsonNode *sources = timeline_sources_to_json(self, target, error);
    if (!sources)
        return NULL;

    JsonObject *root = json_object_new();
    json_object_set_string_member(root, "format", GS_PROJECT_FORMAT);
    json_object_set_int_member(root, "version", GS_PROJECT_VERSION);
    json_object_set_array_member(root, "takes", g_steal_pointer(&takes));
    json_object_set_array_member(root, "images", g_steal_pointer(&images));
    json_object_set_array_member(root, "music", g_steal_pointer(&music));
    json_object_set_member(root, "timeline",
                           self->timeline ? json_node_copy(self->timeline) : json_node_new(JSON_NODE_NULL));
    json_object_set_member(root, "timeline-sources", sources);
    if (is_recovery) {
        if (recovery_of)
            json_object_set_string_member(root, "recovery-of", recovery_of);
        else
            json_object_set_null_member(root, "recovery-of");
    }
    JsonNode *document = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(document, root);
    return document;
}

/* Removes what no save refers to any more: assets of removed items, and
 * temporary files of a save that was killed. */
static void
remove_unused_assets(SaveTarget *target)
{
    g_autoptr(GDir) listing = g_dir_open(target->assets_dir, 0, NULL);
    const char *name;
    while (listing && (name = g_dir_read_name(listing))) {
        if (g_hash_table_contains(target->in_use, name))
            continue;
        g_autofree char *path = g_build_filename(target->assets_dir, name, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_REGULAR) && g_remove(path) != 0)
            g_warning("Cannot remove the unused asset “%s”: %s", path, g_strerror(errno));
    }
}

/* After a save the project's files are the saved assets: the originals
 * may go (a recovery folder is discarded, an output file overwritten). */
static void
move_path(char **path, GHashTable *stored_as)
{
    const char *saved = g_hash_table_lookup(stored_as, *path);
    if (saved) {
        g_free(*path);
        *path = g_strdup(saved);
    }
}

static void
point_at_saved_assets(GsProject *self, GHashTable *stored_as)
{
    for (guint i = 0; i < self->images->len; i++) {
        GsProjectImage *image = g_ptr_array_index(self->images, i);
        move_path(&image->png_path, stored_as);
    }
    for (guint i = 0; i < self->music->len; i++) {
        GsProjectMusic *music = g_ptr_array_index(self->music, i);
        move_path(&music->audio_path, stored_as);
        for (gsize s = 0; music->stem_paths[s]; s++)
            move_path(&music->stem_paths[s], stored_as);
        if (music->vocals_path)
            move_path(&music->vocals_path, stored_as);
    }
}

/* Assets first, then the JSON by rename: until the rename the previous
 * save is whole, and after it the new one is. `stored_as` (may be NULL)
 * receives where each image and music file now is. */
static gboolean
write_project(GsProject *self, const char *path, gboolean is_recovery, const char *recovery_of,
              GHashTable **stored_as, GError **error)
{
    g_auto(SaveTarget) target = {0};
    target.folder = g_path_get_dirname(path);
    target.assets_name = assets_name_for(path);
    target.assets_dir = g_build_filename(target.folder, target.assets_name, NULL);
    target.in_use = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    target.stored_as = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    /* A folder that went away (a drive unplugged, a folder deleted) is not
     * made again: the save would land somewhere the user does not look. */
    if (!is_recovery && !g_file_test(target.folder, G_FILE_TEST_IS_DIR))
        return set_error_from_errno(error, ENOENT, "save into the folder", target.folder);
    if (g_mkdir_with_parents(target.assets_dir, 0755) != 0)
        return set_error_from_errno(error, errno, "create the folder", target.assets_dir);

    g_autoptr(JsonNode) document = project_to_json(self, &target, is_recovery, recovery_of, error);
    if (!document || !fsync_path(target.assets_dir, error))
        return FALSE;

    g_autoptr(JsonGenerator) generator = json_generator_new();
    json_generator_set_pretty(generator, TRUE);
    json_generator_set_root(generator, document);
    gsize length = 0;
    g_autofree char *text = json_generator_to_data(generator, &length);
    if (!g_file_set_contents_full(path, text, (gssize)length,
                                  G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0644, error) ||
        !fsync_path(target.folder, error))
        return FALSE;
    remove_unused_assets(&target);
    if (stored_as)
        *stored_as = g_steal_pointer(&target.stored_as);
    return TRUE;
}

static void discard_stale_recoveries(GsProject *self, const char *saved_path);

gboolean
gs_project_save(GsProject *self, const char *path, GError **error)
{
    g_return_val_if_fail(GS_IS_PROJECT(self) && path != NULL, FALSE);
    g_autofree char *absolute = absolute_path(path);
    g_autoptr(GHashTable) stored_as = NULL;
    if (!write_project(self, absolute, FALSE, NULL, &stored_as, error))
        return FALSE;
    point_at_saved_assets(self, stored_as);
    self->changes_at_autosave = self->changes;
    discard_stale_recoveries(self, absolute);
    if (g_strcmp0(self->path, absolute) != 0) {
        g_free(self->path);
        self->path = g_steal_pointer(&absolute);
        g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_PATH]);
    }
    if (self->dirty) {
        self->dirty = FALSE;
        g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_DIRTY]);
    }
    return TRUE;
}

/* ---- Loading ---- */

static gboolean
invalid(GError **error, const char *path, const char *format, ...) G_GNUC_PRINTF(3, 4);

static gboolean
invalid(GError **error, const char *path, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    g_autofree char *what = g_strdup_vprintf(format, args);
    va_end(args);
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "“%s” is not a valid GenStudio project: %s", path, what);
    return FALSE;
}

typedef struct {
    const char *path;   /* of the project file, for messages */
    char *folder;       /* that assets are relative to */
} LoadSource;

static const char *
get_string(LoadSource *source, JsonObject *object, const char *where, const char *member, GError **error)
{
    JsonNode *node = json_object_get_member(object, member);
    if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING) {
        invalid(error, source->path, "%s: “%s” is missing or not text", where, member);
        return NULL;
    }
    return json_node_get_string(node);
}

static gboolean
get_number(LoadSource *source, JsonObject *object, const char *where, const char *member, double *value,
           GError **error)
{
    JsonNode *node = json_object_get_member(object, member);
    GType type = node && JSON_NODE_HOLDS_VALUE(node) ? json_node_get_value_type(node) : G_TYPE_INVALID;
    if (type == G_TYPE_INT64)
        *value = (double)json_node_get_int(node);
    else if (type == G_TYPE_DOUBLE)
        *value = json_node_get_double(node);
    else
        return invalid(error, source->path, "%s: “%s” is missing or not a number", where, member);
    return TRUE;
}

static gboolean
get_int(LoadSource *source, JsonObject *object, const char *where, const char *member, gint64 *value,
        GError **error)
{
    JsonNode *node = json_object_get_member(object, member);
    if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_INT64)
        return invalid(error, source->path, "%s: “%s” is missing or not an integer", where, member);
    *value = json_node_get_int(node);
    return TRUE;
}

/* *value stays NULL when the member is absent; present, it must be UTF-8
 * text of at most `max_bytes`. */
static gboolean
get_optional_text(LoadSource *source, JsonObject *object, const char *where, const char *member, gsize max_bytes,
                  const char **value, GError **error)
{
    JsonNode *node = json_object_get_member(object, member);
    if (!node)
        return TRUE;
    if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
        return invalid(error, source->path, "%s: “%s” is not text", where, member);
    const char *text = json_node_get_string(node);
    if (!g_utf8_validate(text, -1, NULL))
        return invalid(error, source->path, "%s: “%s” is not valid UTF-8", where, member);
    if (strlen(text) > max_bytes)
        return invalid(error, source->path, "%s: “%s” is longer than %" G_GSIZE_FORMAT " bytes", where, member,
                       max_bytes);
    *value = text;
    return TRUE;
}

/* An empty array when the member is absent. */
static JsonArray *
get_array(LoadSource *source, JsonObject *object, const char *where, const char *member, GError **error)
{
    JsonNode *node = json_object_get_member(object, member);
    if (!node)
        return json_array_new();
    if (!JSON_NODE_HOLDS_ARRAY(node)) {
        invalid(error, source->path, "%s: “%s” is not a list", where, member);
        return NULL;
    }
    return json_array_ref(json_node_get_array(node));
}

static JsonObject *
get_object_element(LoadSource *source, JsonArray *array, guint index, const char *where, GError **error)
{
    JsonNode *node = json_array_get_element(array, index);
    if (!JSON_NODE_HOLDS_OBJECT(node)) {
        invalid(error, source->path, "%s is not an object", where);
        return NULL;
    }
    return json_node_get_object(node);
}

/* The absolute path of an asset the project refers to, which must exist
 * and stay inside the project's folder. */
static char *
resolve_asset(LoadSource *source, const char *reference, const char *where, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(reference, G_DIR_SEPARATOR_S, -1);
    gboolean escapes = g_path_is_absolute(reference) || *reference == '\0';
    for (gsize i = 0; parts[i]; i++)
        escapes |= strcmp(parts[i], "..") == 0;
    if (escapes) {
        invalid(error, source->path, "%s: “%s” is not a path inside the project's folder", where, reference);
        return NULL;
    }
    char *asset = g_build_filename(source->folder, reference, NULL);
    if (!g_file_test(asset, G_FILE_TEST_IS_REGULAR)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "The project “%s” is missing its asset “%s” (%s)",
                    source->path, reference, where);
        g_free(asset);
        return NULL;
    }
    return asset;
}

static char *
get_asset(LoadSource *source, JsonObject *object, const char *where, const char *member, GError **error)
{
    const char *reference = get_string(source, object, where, member, error);
    return reference ? resolve_asset(source, reference, where, error) : NULL;
}

static GBytes *
read_mel(LoadSource *source, const char *path, gint64 bins, gint64 frames, const char *where, GError **error)
{
    g_autofree char *contents = NULL;
    gsize length = 0;
    if (!g_file_get_contents(path, &contents, &length, error))
        return NULL;
    if (bins < 0 || frames < 0 || length != (gsize)bins * (gsize)frames * sizeof(float)) {
        invalid(error, source->path, "%s: the mel file “%s” does not hold %" G_GINT64_FORMAT " × %" G_GINT64_FORMAT
                " values", where, path, bins, frames);
        return NULL;
    }
    guint32 *values = (guint32 *)contents;
    for (gsize i = 0; i < length / sizeof(guint32); i++)
        values[i] = GUINT32_FROM_LE(values[i]);
    return g_bytes_new_take(g_steal_pointer(&contents), length);
}

static GsTake *
take_from_json(LoadSource *source, JsonObject *object, const char *where, GError **error)
{
    const char *text = get_string(source, object, where, "text", error);
    const char *voice = text ? get_string(source, object, where, "voice", error) : NULL;
    const char *lang = voice ? get_string(source, object, where, "lang", error) : NULL;
    double rate = 0, pitch = 0;
    gint64 sample_rate = 0, bins = 0, frames = 0;
    if (!lang || !get_number(source, object, where, "rate", &rate, error) ||
        !get_number(source, object, where, "pitch", &pitch, error) ||
        !get_int(source, object, where, "sample_rate", &sample_rate, error) ||
        !get_int(source, object, where, "mel_bins", &bins, error) ||
        !get_int(source, object, where, "mel_frames", &frames, error))
        return NULL;
    /* The ranges GsTake accepts. */
    if (!(rate >= 0.25 && rate <= 4.0) || !(pitch >= -24.0 && pitch <= 24.0)) {
        invalid(error, source->path, "%s: the rate %g or the pitch %g is out of range", where, rate, pitch);
        return NULL;
    }
    if (!gs_audio_check_format(1, (int)CLAMP(sample_rate, 0, G_MAXINT), NULL)) {
        invalid(error, source->path, "%s: the sample rate %" G_GINT64_FORMAT " is not supported", where,
                sample_rate);
        return NULL;
    }
    g_autofree char *audio_path = get_asset(source, object, where, "audio", error);
    g_autofree char *mel_path = audio_path ? get_asset(source, object, where, "mel", error) : NULL;
    if (!mel_path)
        return NULL;
    g_autoptr(GBytes) mel = read_mel(source, mel_path, bins, frames, where, error);
    if (!mel)
        return NULL;
    float *samples = NULL;
    gsize count = 0;
    if (!gs_audio_decode(audio_path, 1, (int)sample_rate, &samples, &count, error)) {
        g_prefix_error(error, "%s of “%s”: ", where, source->path);
        return NULL;
    }
    g_autoptr(GBytes) sample_bytes = g_bytes_new_take(samples, count * sizeof(float));
    gs_speech_params params = {.voice = voice, .lang = lang, .rate = (float)rate, .pitch = (float)pitch};
    GsTake *take = gs_take_new(text, &params, sample_bytes, (int)sample_rate, mel, (int)bins, (int)frames);
    /* A take in a cloned voice keeps its consent record. */
    JsonNode *consent = json_object_get_member(object, "consent");
    if (consent && JSON_NODE_HOLDS_VALUE(consent) && json_node_get_value_type(consent) == G_TYPE_STRING &&
        g_utf8_validate(json_node_get_string(consent), -1, NULL))
        gs_take_set_consent(take, json_node_get_string(consent));
    JsonNode *cloned = json_object_get_member(object, "cloned_voice");
    if (cloned) {
        g_autoptr(GError) why = NULL;
        g_autoptr(GsVoice) voice = gs_voice_from_json(cloned, "the cloned voice", &why);
        if (!voice) {
            invalid(error, source->path, "%s: %s", where, why->message);
            g_object_unref(take);
            return NULL;
        }
        gs_take_set_cloned_voice(take, voice);
    }

    /* Its assets are this take's under a later save too, unless the files
     * were renamed by hand. */
    g_autofree char *wav_name = g_path_get_basename(audio_path);
    g_autofree char *mel_name = g_path_get_basename(mel_path);
    if (g_str_has_suffix(wav_name, ".wav")) {
        wav_name[strlen(wav_name) - strlen(".wav")] = '\0';
        g_autofree char *expected_mel = g_strconcat(wav_name, ".mel", NULL);
        if (strcmp(expected_mel, mel_name) == 0)
            g_object_set_qdata_full(G_OBJECT(take), take_asset_quark(), g_steal_pointer(&wav_name), g_free);
    }
    return take;
}

static gboolean
load_takes(GsProject *self, LoadSource *source, JsonObject *root, GError **error)
{
    g_autoptr(JsonArray) takes = get_array(source, root, "The project", "takes", error);
    if (!takes)
        return FALSE;
    for (guint i = 0; i < json_array_get_length(takes); i++) {
        g_autofree char *where = g_strdup_printf("take %u", i + 1);
        JsonObject *object = get_object_element(source, takes, i, where, error);
        g_autoptr(GsTake) take = object ? take_from_json(source, object, where, error) : NULL;
        if (!take)
            return FALSE;
        g_list_store_append(self->takes, take);
    }
    return TRUE;
}

static gboolean
load_images(GsProject *self, LoadSource *source, JsonObject *root, GError **error)
{
    g_autoptr(JsonArray) images = get_array(source, root, "The project", "images", error);
    if (!images)
        return FALSE;
    for (guint i = 0; i < json_array_get_length(images); i++) {
        g_autofree char *where = g_strdup_printf("image %u", i + 1);
        JsonObject *object = get_object_element(source, images, i, where, error);
        const char *parameters = object ? get_string(source, object, where, "parameters", error) : NULL;
        g_autofree char *png = parameters ? get_asset(source, object, where, "png", error) : NULL;
        if (!png)
            return FALSE;
        gs_project_add_image(self, png, parameters);
    }
    return TRUE;
}

static gboolean
load_music(GsProject *self, LoadSource *source, JsonObject *root, GError **error)
{
    g_autoptr(JsonArray) music = get_array(source, root, "The project", "music", error);
    if (!music)
        return FALSE;
    for (guint i = 0; i < json_array_get_length(music); i++) {
        g_autofree char *where = g_strdup_printf("music %u", i + 1);
        JsonObject *object = get_object_element(source, music, i, where, error);
        const char *prompt = object ? get_string(source, object, where, "prompt", error) : NULL;
        gint64 seed = 0;
        if (!prompt || !get_int(source, object, where, "seed", &seed, error))
            return FALSE;
        g_autofree char *audio = get_asset(source, object, where, "audio", error);
        g_autoptr(JsonArray) stems = audio ? get_array(source, object, where, "stems", error) : NULL;
        if (!stems)
            return FALSE;
        g_autoptr(GStrvBuilder) stem_paths = g_strv_builder_new();
        for (guint s = 0; s < json_array_get_length(stems); s++) {
            JsonNode *node = json_array_get_element(stems, s);
            if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
                return invalid(error, source->path, "%s: stem %u is not a path", where, s + 1);
            g_autofree char *where_stem = g_strdup_printf("%s, stem %u", where, s + 1);
            g_autofree char *stem = resolve_asset(source, json_node_get_string(node), where_stem, error);
            if (!stem)
                return FALSE;
            g_strv_builder_add(stem_paths, stem);
        }
        g_auto(GStrv) stem_list = g_strv_builder_end(stem_paths);
        /* Absent in files from before muting was saved: nothing muted. */
        g_autoptr(JsonArray) muted = get_array(source, object, where, "muted", error);
        if (!muted)
            return FALSE;
        g_autoptr(GStrvBuilder) muted_parts = g_strv_builder_new();
        for (guint m = 0; m < json_array_get_length(muted); m++) {
            JsonNode *node = json_array_get_element(muted, m);
            if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
                return invalid(error, source->path, "%s: muted part %u is not a name", where, m + 1);
            g_strv_builder_add(muted_parts, json_node_get_string(node));
        }
        g_auto(GStrv) muted_list = g_strv_builder_end(muted_parts);
        /* Both absent in files from before songs: nothing sung. */
        const char *lyrics = NULL, *voice = NULL;
        if (!get_optional_text(source, object, where, "lyrics", GS_PROJECT_LYRICS_MAX_BYTES, &lyrics, error) ||
            !get_optional_text(source, object, where, "voice", MAX_VOICE_NAME_BYTES, &voice, error))
            return FALSE;
        gs_project_add_music(self, prompt, (guint64)seed, audio, (const char *const *)stem_list);
        gs_project_set_music_muted(self, self->music->len - 1, (const char *const *)muted_list);
        if (lyrics || voice)
            gs_project_set_music_lyrics(self, self->music->len - 1, lyrics, voice);
        /* Absent when the vocals are to be sung again. */
        if (json_object_has_member(object, "vocals_audio")) {
            g_autofree char *vocals = get_asset(source, object, where, "vocals_audio", error);
            if (!vocals)
                return FALSE;
            gs_project_set_music_vocals(self, self->music->len - 1, vocals);
        }
        JsonNode *cloned = json_object_get_member(object, "cloned_voice");
        if (cloned) {
            g_autoptr(GError) why = NULL;
            g_autoptr(GsVoice) voice = gs_voice_from_json(cloned, "the cloned voice", &why);
            if (!voice)
                return invalid(error, source->path, "%s: %s", where, why->message);
            gs_project_set_music_cloned_voice(self, self->music->len - 1, voice);
        }
    }
    return TRUE;
}

static gboolean
load_timeline_sources(GsProject *self, LoadSource *source, JsonObject *root, GError **error)
{
    JsonNode *node = json_object_get_member(root, "timeline-sources");
    if (!node)
        return TRUE;
    if (!JSON_NODE_HOLDS_OBJECT(node))
        return invalid(error, source->path, "“timeline-sources” is not an object");
    JsonObject *sources = json_node_get_object(node);
    g_autoptr(GList) ids = json_object_get_members(sources);
    for (GList *l = ids; l; l = l->next) {
        g_autofree char *where = g_strdup_printf("timeline source “%s”", (const char *)l->data);
        g_autofree char *wav = get_asset(source, sources, where, l->data, error);
        if (!wav)
            return FALSE;
        float *samples = NULL;
        gsize frames = 0;
        if (!gs_audio_decode(wav, GS_TIMELINE_CHANNELS, GS_TIMELINE_RATE, &samples, &frames, error)) {
            g_prefix_error(error, "%s of “%s”: ", where, source->path);
            return FALSE;
        }
        g_autoptr(GBytes) audio = g_bytes_new_take(samples, frames * GS_TIMELINE_CHANNELS * sizeof(float));
        /* Its asset stays this source's, as a take's does. */
        g_autofree char *stem = g_path_get_basename(wav);
        if (g_str_has_suffix(stem, ".wav"))
            stem[strlen(stem) - strlen(".wav")] = '\0';
        else
            g_clear_pointer(&stem, g_free);
        g_hash_table_insert(self->sources, g_strdup(l->data), timeline_source_new(audio, stem));
    }
    return TRUE;
}

GsProject *
gs_project_load(const char *path, GError **error)
{
    g_return_val_if_fail(path != NULL, NULL);
    g_autofree char *absolute = absolute_path(path);
    g_autoptr(GFile) file = g_file_new_for_path(absolute);
    /* Checked before reading it all into memory. */
    g_autoptr(GFileInfo) info = g_file_query_info(file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, NULL, NULL);
    if (info && g_file_info_get_size(info) > GS_PROJECT_MAX_BYTES) {
        invalid(error, absolute, "it is %" G_GINT64_FORMAT " bytes, over the limit of 1 GiB for a project",
                g_file_info_get_size(info));
        return NULL;
    }
    g_autofree char *contents = NULL;
    gsize length = 0;
    if (!g_file_load_contents(file, NULL, &contents, &length, NULL, error))
        return NULL;

    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    g_autoptr(GError) parse_error = NULL;
    if (!json_parser_load_from_data(parser, contents, (gssize)length, &parse_error)) {
        invalid(error, absolute, "the JSON is broken (%s)", parse_error->message);
        return NULL;
    }
    JsonNode *document = json_parser_get_root(parser);
    if (!document || !JSON_NODE_HOLDS_OBJECT(document)) {
        invalid(error, absolute, "the document is not a JSON object");
        return NULL;
    }
    JsonObject *root = json_node_get_object(document);
    LoadSource source = {.path = absolute};
    const char *format = get_string(&source, root, "The project", "format", error);
    if (!format)
        return NULL;
    if (strcmp(format, GS_PROJECT_FORMAT) != 0) {
        invalid(error, absolute, "its format is “%s”, not “%s”", format, GS_PROJECT_FORMAT);
        return NULL;
    }
    gint64 version = 0;
    if (!get_int(&source, root, "The project", "version", &version, error))
        return NULL;
    if (version > GS_PROJECT_VERSION) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                    "“%s” was made by a newer GenStudio (project version %" G_GINT64_FORMAT
                    ", this one reads up to %d)",
                    absolute, version, GS_PROJECT_VERSION);
        return NULL;
    }
    if (version < 1) {
        invalid(error, absolute, "its version %" G_GINT64_FORMAT " does not exist", version);
        return NULL;
    }

    g_autofree char *folder = g_path_get_dirname(absolute);
    source.folder = folder;
    g_autoptr(GsProject) self = gs_project_new();
    if (!load_takes(self, &source, root, error) || !load_images(self, &source, root, error) ||
        !load_music(self, &source, root, error) || !load_timeline_sources(self, &source, root, error))
        return NULL;
    JsonNode *timeline = json_object_get_member(root, "timeline");
    if (timeline && !JSON_NODE_HOLDS_NULL(timeline))
        self->timeline = json_node_copy(timeline);

    /* A recovery file stands in for the project it recovers, which is
     * behind it: the path is that project's, and there is work to save. */
    JsonNode *recovery_of = json_object_get_member(root, "recovery-of");
    if (recovery_of) {
        if (JSON_NODE_HOLDS_VALUE(recovery_of) && json_node_get_value_type(recovery_of) == G_TYPE_STRING)
            self->path = g_strdup(json_node_get_string(recovery_of));
        else if (!JSON_NODE_HOLDS_NULL(recovery_of)) {
            invalid(error, absolute, "“recovery-of” is not a path");
            return NULL;
        }
        /* Its items are in that file's assets: later autosaves go on there. */
        self->recovery_path = g_steal_pointer(&absolute);
        self->dirty = TRUE;
    } else {
        self->path = g_steal_pointer(&absolute);
        self->dirty = FALSE;
    }
    self->changes = self->changes_at_autosave = 0;
    return g_steal_pointer(&self);
}

/* ---- Autosave and recovery ---- */

static char *
recovery_folder(void)
{
    return g_build_filename(g_get_user_state_dir(), "genstudio", "recovery", NULL);
}

/* The project's name and a hash of its full path: readable, and two
 * "song.genstudio" in different folders do not share a file. */
static char *
recovery_path_for(const char *project_path)
{
    g_autofree char *folder = recovery_folder();
    g_autofree char *absolute = absolute_path(project_path);
    g_autofree char *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, absolute, -1);
    hash[ASSET_HASH_DIGITS] = '\0';
    g_autofree char *assets_name = assets_name_for(absolute);
    assets_name[strlen(assets_name) - strlen(ASSETS_SUFFIX)] = '\0';
    g_autofree char *name = g_strdup_printf("%s-%s" GS_PROJECT_EXTENSION, assets_name, hash);
    return g_build_filename(folder, name, NULL);
}

const char *
gs_project_get_recovery_path(GsProject *self)
{
    g_return_val_if_fail(GS_IS_PROJECT(self), NULL);
    if (self->recovery_path)
        return self->recovery_path;
    if (self->path)
        return self->recovery_path = recovery_path_for(self->path);
    g_autofree char *folder = recovery_folder();
    g_autofree char *uuid = g_uuid_string_random();
    g_autofree char *name = g_strconcat("untitled-", uuid, GS_PROJECT_EXTENSION, NULL);
    return self->recovery_path = g_build_filename(folder, name, NULL);
}

gboolean
gs_project_autosave(GsProject *self, GError **error)
{
    g_return_val_if_fail(GS_IS_PROJECT(self), FALSE);
    if (!write_project(self, gs_project_get_recovery_path(self), TRUE, self->path, NULL, error))
        return FALSE;
    self->changes_at_autosave = self->changes;
    return TRUE;
}

static gboolean
modification_time(const char *path, struct timespec *time)
{
    struct stat info;
    if (stat(path, &info) != 0)
        return FALSE;
    *time = info.st_mtim;
    return TRUE;
}

static int
compare_times(const struct timespec *a, const struct timespec *b)
{
    if (a->tv_sec != b->tv_sec)
        return a->tv_sec < b->tv_sec ? -1 : 1;
    return a->tv_nsec < b->tv_nsec ? -1 : a->tv_nsec > b->tv_nsec;
}

/* The "recovery-of" of a recovery file: the project path, "" for an
 * untitled project, NULL when the file is no recovery file. */
static char *
read_recovery_of(const char *recovery)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    if (!json_parser_load_from_mapped_file(parser, recovery, NULL))
        return NULL;
    JsonNode *document = json_parser_get_root(parser);
    JsonObject *root = document && JSON_NODE_HOLDS_OBJECT(document) ? json_node_get_object(document) : NULL;
    JsonNode *recovery_of = root ? json_object_get_member(root, "recovery-of") : NULL;
    if (!recovery_of)
        return NULL;
    if (JSON_NODE_HOLDS_NULL(recovery_of))
        return g_strdup("");
    return JSON_NODE_HOLDS_VALUE(recovery_of) && json_node_get_value_type(recovery_of) == G_TYPE_STRING
               ? g_strdup(json_node_get_string(recovery_of))
               : NULL;
}

typedef struct {
    char *path;
    struct timespec time;
} Recovery;

static int
newest_first(gconstpointer a, gconstpointer b)
{
    return compare_times(&(*(Recovery *const *)b)->time, &(*(Recovery *const *)a)->time);
}

static void
recovery_free(Recovery *recovery)
{
    g_free(recovery->path);
    g_free(recovery);
}

char **
gs_project_find_recoveries(void)
{
    g_autofree char *folder = recovery_folder();
    g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func((GDestroyNotify)recovery_free);
    g_autoptr(GDir) listing = g_dir_open(folder, 0, NULL);
    const char *name;
    while (listing && (name = g_dir_read_name(listing))) {
        if (!g_str_has_suffix(name, GS_PROJECT_EXTENSION))
            continue; /* an assets folder, or a save's temporary file */
        Recovery *recovery = g_new0(Recovery, 1);
        recovery->path = g_build_filename(folder, name, NULL);
        g_autofree char *recovery_of = read_recovery_of(recovery->path);
        struct timespec project_time;
        if (!recovery_of || !modification_time(recovery->path, &recovery->time) ||
            (*recovery_of && modification_time(recovery_of, &project_time) &&
             compare_times(&recovery->time, &project_time) <= 0)) {
            recovery_free(recovery);
            continue;
        }
        g_ptr_array_add(found, recovery);
    }
    g_ptr_array_sort(found, newest_first);
    char **paths = g_new0(char *, found->len + 1);
    for (guint i = 0; i < found->len; i++)
        paths[i] = g_strdup(((Recovery *)g_ptr_array_index(found, i))->path);
    return paths;
}

gboolean
gs_project_discard_recovery(const char *recovery, GError **error)
{
    g_return_val_if_fail(recovery != NULL, FALSE);
    g_autofree char *folder = g_path_get_dirname(recovery);
    g_autofree char *assets_name = assets_name_for(recovery);
    g_autofree char *assets_dir = g_build_filename(folder, assets_name, NULL);
    /* The file first: without it the assets are just unused files. */
    if (g_remove(recovery) != 0 && errno != ENOENT)
        return set_error_from_errno(error, errno, "remove", recovery);
    g_autoptr(GDir) listing = g_dir_open(assets_dir, 0, NULL);
    const char *name;
    while (listing && (name = g_dir_read_name(listing))) {
        g_autofree char *path = g_build_filename(assets_dir, name, NULL);
        if (g_remove(path) != 0)
            return set_error_from_errno(error, errno, "remove", path);
    }
    if (g_rmdir(assets_dir) != 0 && errno != ENOENT)
        return set_error_from_errno(error, errno, "remove", assets_dir);
    return TRUE;
}

/* After a save, the project's own autosave (an untitled one, say) and any
 * earlier one of the file saved to would offer back less than the file
 * holds. The project now refers to the saved assets, not the recovery's. */
static void
discard_stale_recoveries(GsProject *self, const char *saved_path)
{
    g_autofree char *own = g_steal_pointer(&self->recovery_path);
    g_autofree char *saved_path_recovery = recovery_path_for(saved_path);
    const char *stale[] = { own, saved_path_recovery };
    for (gsize i = 0; i < G_N_ELEMENTS(stale); i++) {
        g_autoptr(GError) error = NULL;
        if (stale[i] && !gs_project_discard_recovery(stale[i], &error))
            g_warning("Could not remove the recovery file: %s", error->message);
    }
}

/* Every image and music file the project refers to. */
static void
add_referenced_files(GsProject *self, GHashTable *files)
{
    for (guint i = 0; i < self->images->len; i++)
        g_hash_table_add(files, ((GsProjectImage *)g_ptr_array_index(self->images, i))->png_path);
    for (guint i = 0; i < self->music->len; i++) {
        GsProjectMusic *music = g_ptr_array_index(self->music, i);
        g_hash_table_add(files, music->audio_path);
        for (gsize s = 0; music->stem_paths[s]; s++)
            g_hash_table_add(files, music->stem_paths[s]);
    }
}

void
gs_project_remove_unreferenced_files(const char *folder, GsProject *const *projects, guint n_projects)
{
    g_return_if_fail(folder != NULL);
    g_autoptr(GHashTable) referenced = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < n_projects; i++)
        add_referenced_files(projects[i], referenced);
    g_autofree char *absolute = absolute_path(folder);
    g_autoptr(GDir) listing = g_dir_open(absolute, 0, NULL);
    const char *name;
    while (listing && (name = g_dir_read_name(listing))) {
        g_autofree char *path = g_build_filename(absolute, name, NULL);
        if (!g_hash_table_contains(referenced, path) && g_file_test(path, G_FILE_TEST_IS_REGULAR) &&
            g_remove(path) != 0)
            g_warning("Cannot remove the unused file “%s”: %s", path, g_strerror(errno));
    }
}

static gboolean
on_autosave_timer(gpointer user_data)
{
    GsProject *self = user_data;
    if (self->changes == self->changes_at_autosave)
        return G_SOURCE_CONTINUE;
    g_autoptr(GError) error = NULL;
    if (!gs_project_autosave(self, &error))
        g_warning("Autosave failed: %s", error->message);
    return G_SOURCE_CONTINUE;
}

void
gs_project_start_autosave(GsProject *self, guint seconds)
{
    g_return_if_fail(GS_IS_PROJECT(self));
    g_clear_handle_id(&self->autosave_source, g_source_remove);
    if (seconds > 0)
        self->autosave_source = g_timeout_add_seconds(seconds, on_autosave_timer, self);
}
