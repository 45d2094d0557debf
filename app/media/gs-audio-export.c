/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <gst/app/gstappsrc.h>
#include <gst/audio/audio.h>
#include <gst/gst.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <unistd.h>

#include "gs-audio-mark.h"
#include "gs-audio.h"
#include "gs-gst-bus.h"
#include "gs-mark-install.h"

/* Every file says where it comes from, whatever the caller's tags. */
#define PROVENANCE "AI-generated with GenStudio"
/* Export pushes half a second at a time, so progress and cancellation stay
 * responsive; the writer queues about two such chunks. */
#define CHUNKS_PER_SECOND 2

/* What follows "appsrc ! audioconvert ! audioresample" for each extension. */
static const struct {
    const char *extension;
    const char *encoder;
} formats[] = {
    { ".wav", "audio/x-raw,format=S16LE ! wavenc" },
    { ".flac", "flacenc" },
    { ".ogg", "vorbisenc ! oggmux" },
    { ".opus", "audio/x-raw,rate=48000 ! opusenc ! oggmux" },
};

/* appsrc's need-data and enough-data, seen from the thread that pushes. */
typedef struct {
    GMutex lock;
    GCond changed;
    gboolean wants_data;
} Feed;

gboolean
gs_audio_check_format(int channels, int rate, GError **error)
{
    if (channels < 1 || channels > 2) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "%d audio channels: only mono and stereo are supported", channels);
        return FALSE;
    }
    if (rate < GS_AUDIO_MIN_RATE || rate > GS_AUDIO_MAX_RATE) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "A sample rate of %d Hz is outside %d–%d Hz", rate,
                    GS_AUDIO_MIN_RATE, GS_AUDIO_MAX_RATE);
        return FALSE;
    }
    return TRUE;
}

static const char *
encoder_for_path(const char *path, GError **error)
{
    g_autofree char *lower = g_ascii_strdown(path, -1);
    for (gsize i = 0; i < G_N_ELEMENTS(formats); i++)
        if (g_str_has_suffix(lower, formats[i].extension))
            return formats[i].encoder;
    g_autoptr(GString) supported = g_string_new(NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(formats); i++)
        g_string_append_printf(supported, "%s%s", i ? ", " : "", formats[i].extension);
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "Cannot export “%s”: unknown audio format (use %s)", path,
                supported->str);
    return NULL;
}

/* From errno; returns FALSE for the caller to pass on. */
static gboolean
set_write_error(GError **error, const char *path)
{
    int saved_errno = errno;
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved_errno), "Cannot write “%s”: %s", path,
                g_strerror(saved_errno));
    return FALSE;
}

static gboolean
set_no_audio_error(GError **error, const char *path)
{
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Cannot export “%s”: there is no audio", path);
    return FALSE;
}

static const char *
model_of(const GsAudioTags *tags)
{
    return tags && tags->model ? tags->model : "GenStudio";
}

static GstTagList *
tag_list_new(const GsAudioTags *tags)
{
    g_autofree char *provenance = g_strdup_printf("%s %s, model %s; audio watermark", PROVENANCE, GS_VERSION,
                                                  model_of(tags));
    g_autofree char *comment = tags && tags->comment ? g_strdup_printf("%s (%s)", tags->comment, provenance)
                                                     : g_strdup(provenance);
    GstTagList *list = gst_tag_list_new(GST_TAG_COMMENT, comment, GST_TAG_ENCODER, "GenStudio " GS_VERSION,
                                        GST_TAG_APPLICATION_NAME, "GenStudio", NULL);
    if (tags && tags->title)
        gst_tag_list_add(list, GST_TAG_MERGE_REPLACE, GST_TAG_TITLE, tags->title, NULL);
    if (tags && tags->artist)
        gst_tag_list_add(list, GST_TAG_MERGE_REPLACE, GST_TAG_ARTIST, tags->artist, NULL);
    return list;
}

static void
on_need_data(GstAppSrc *src, guint length, gpointer user_data)
{
    Feed *feed = user_data;
    g_mutex_lock(&feed->lock);
    feed->wants_data = TRUE;
    g_cond_signal(&feed->changed);
    g_mutex_unlock(&feed->lock);
}

static void
on_enough_data(GstAppSrc *src, gpointer user_data)
{
    Feed *feed = user_data;
    g_mutex_lock(&feed->lock);
    feed->wants_data = FALSE;
    g_mutex_unlock(&feed->lock);
}

/* Waits until appsrc wants more, looking at the bus now and then: after an
 * error the pipeline stops pulling and need-data would never come. */
static gboolean
wait_for_room(Feed *feed, GstElement *pipeline, GError **error)
{
    g_mutex_lock(&feed->lock);
    while (!feed->wants_data) {
        gint64 deadline = g_get_monotonic_time() + 100 * G_TIME_SPAN_MILLISECOND;
        if (g_cond_wait_until(&feed->changed, &feed->lock, deadline))
            continue;
        g_mutex_unlock(&feed->lock);
        if (gs_gst_wait_for_eos(pipeline, 0, error) == GST_MESSAGE_ERROR)
            return FALSE;
        g_mutex_lock(&feed->lock);
    }
    g_mutex_unlock(&feed->lock);
    return TRUE;
}

struct _GsAudioWriter {
    char *path;
    char *tmp; /* NULL once renamed into place */
    int fd;    /* of `tmp`, to fsync before the rename */
    int channels, rate;
    guint64 frames; /* pushed so far: where the next buffer starts */
    GstElement *pipeline;
    GstAppSrc *src;
    Feed feed;
    GsAudioMarker *marker; /* every export is watermarked */
    gboolean open; /* neither finished nor failed */
};

static gboolean
start_pipeline(GsAudioWriter *w, const char *encoder, const GsAudioTags *tags, GError **error)
{
    g_autofree char *description = g_strdup_printf(
        "appsrc name=src format=time ! audioconvert ! audioresample ! %s ! filesink name=sink", encoder);
    w->pipeline = gst_parse_launch_full(description, NULL, GST_PARSE_FLAG_FATAL_ERRORS, error);
    if (!w->pipeline) {
        g_prefix_error(error, "GStreamer lacks an element (gstreamer1.0-plugins-base and -good have them): ");
        return FALSE;
    }
    w->src = GST_APP_SRC(gst_bin_get_by_name(GST_BIN(w->pipeline), "src"));
    g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(w->pipeline), "sink");
    g_object_set(sink, "location", w->tmp, NULL);

    GstAudioInfo info;
    gst_audio_info_set_format(&info, GST_AUDIO_FORMAT_F32, w->rate, w->channels, NULL);
    g_autoptr(GstCaps) caps = gst_audio_info_to_caps(&info);
    gst_app_src_set_caps(w->src, caps);
    /* About two chunks queued, refilled at half: memory stays small and the
     * progress follows the encoder rather than the copying. */
    gsize chunk_bytes = (gsize)w->rate / CHUNKS_PER_SECOND * w->channels * sizeof(float);
    g_object_set(w->src, "max-bytes", (guint64)(2 * chunk_bytes), "min-percent", 50, NULL);
    GstAppSrcCallbacks callbacks = { .need_data = on_need_data, .enough_data = on_enough_data };
    gst_app_src_set_callbacks(w->src, &callbacks, &w->feed, NULL);

    g_autoptr(GstElement) tagger = gst_bin_get_by_interface(GST_BIN(w->pipeline), GST_TYPE_TAG_SETTER);
    if (tagger) {
        g_autoptr(GstTagList) tag_list = tag_list_new(tags);
        gst_tag_setter_merge_tags(GST_TAG_SETTER(tagger), tag_list, GST_TAG_MERGE_REPLACE);
    }
    return gs_gst_start(w->pipeline, error);
}

GsAudioWriter *
gs_audio_writer_new(const char *path, int channels, int rate, const GsAudioTags *tags, GError **error)
{
    g_return_val_if_fail(path != NULL, NULL);
    const char *encoder = encoder_for_path(path, error);
    if (!encoder || !gs_audio_check_format(channels, rate, error))
        return NULL;
    gst_init(NULL, NULL);

    /* Opening the temporary file here gives a clear error for a place we
     * cannot write to, and the descriptor to fsync before the rename. A
     * unique name keeps two writers to one path apart. */
    g_autofree char *tmp = g_strdup_printf("%s.tmp-XXXXXX", path);
    int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0666);
    if (fd < 0) {
        set_write_error(error, path);
        return NULL;
    }
    GsAudioWriter *w = g_new0(GsAudioWriter, 1);
    w->path = g_strdup(path);
    w->tmp = g_steal_pointer(&tmp);
    w->fd = fd;
    w->channels = channels;
    w->rate = rate;
    w->feed.wants_data = TRUE;
    GsMarkPayload payload = gs_mark_payload_for(model_of(tags));
    if (!tags || !tags->working_copy)
        w->marker = gs_audio_marker_new(rate, channels, &payload);
    g_mutex_init(&w->feed.lock);
    g_cond_init(&w->feed.changed);
    if (!start_pipeline(w, encoder, tags, error)) {
        g_prefix_error(error, "Cannot export “%s”: ", path);
        gs_audio_writer_free(w);
        return NULL;
    }
    w->open = TRUE;
    return w;
}

/* The pipeline is of no more use: only free is left. */
static gboolean
writer_failed(GsAudioWriter *w, GError **error)
{
    w->open = FALSE;
    g_prefix_error(error, "Cannot export “%s”: ", w->path);
    return FALSE;
}

/* One buffer of at most a chunk: libvorbis crashes in
 * vorbis_analysis_wrote on a buffer of a minute of stereo at once. */
static gboolean
push_chunk(GsAudioWriter *w, const float *samples, gsize frames, GError **error)
{
    if (!wait_for_room(&w->feed, w->pipeline, error))
        return writer_failed(w, error);
    GstBuffer *buffer = gst_buffer_new_memdup(samples, frames * w->channels * sizeof(float));
    GstMapInfo map;
    if (w->marker && gst_buffer_map(buffer, &map, GST_MAP_WRITE)) {
        gs_audio_marker_apply(w->marker, (float *)map.data, frames);
        gst_buffer_unmap(buffer, &map);
    }
    GST_BUFFER_PTS(buffer) = gst_util_uint64_scale(w->frames, GST_SECOND, w->rate);
    w->frames += frames;
    GST_BUFFER_DURATION(buffer) = gst_util_uint64_scale(w->frames, GST_SECOND, w->rate) - GST_BUFFER_PTS(buffer);
    gst_app_src_push_buffer(w->src, buffer);
    return TRUE;
}

gboolean
gs_audio_writer_push(GsAudioWriter *w, const float *samples, gsize frames, GError **error)
{
    g_return_val_if_fail(w != NULL && w->open, FALSE);
    g_return_val_if_fail(samples != NULL || frames == 0, FALSE);
    gsize chunk_frames = (gsize)w->rate / CHUNKS_PER_SECOND;
    for (gsize first = 0; first < frames; first += chunk_frames)
        if (!push_chunk(w, samples + first * w->channels, MIN(chunk_frames, frames - first), error))
            return FALSE;
    return TRUE;
}

/* The rename is durable only once the folder's entry is on disk too. */
static void
sync_folder(const char *path)
{
    g_autofree char *folder = g_path_get_dirname(path);
    int fd = open(folder, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

gboolean
gs_audio_writer_finish(GsAudioWriter *w, GError **error)
{
    g_return_val_if_fail(w != NULL && w->open, FALSE);
    if (w->frames == 0) { /* an empty file would replace one at `path` */
        w->open = FALSE;
        return set_no_audio_error(error, w->path);
    }
    gst_app_src_end_of_stream(w->src);
    if (gs_gst_wait_for_eos(w->pipeline, GST_CLOCK_TIME_NONE, error) != GST_MESSAGE_EOS)
        return writer_failed(w, error);
    w->open = FALSE;
    gst_element_set_state(w->pipeline, GST_STATE_NULL); /* filesink closes the file */
    if (fsync(w->fd) != 0 || rename(w->tmp, w->path) != 0)
        return set_write_error(error, w->path);
    g_clear_pointer(&w->tmp, g_free);
    sync_folder(w->path);
    return TRUE;
}

void
gs_audio_writer_free(GsAudioWriter *w)
{
    if (!w)
        return;
    if (w->pipeline) {
        gst_element_set_state(w->pipeline, GST_STATE_NULL); /* joins the streaming threads that use `feed` */
        gst_object_unref(w->pipeline);
    }
    g_clear_pointer(&w->src, gst_object_unref);
    g_mutex_clear(&w->feed.lock);
    g_cond_clear(&w->feed.changed);
    gs_audio_marker_free(w->marker);
    close(w->fd);
    if (w->tmp) /* not finished: whatever is at `path` stays as it was */
        g_unlink(w->tmp);
    g_free(w->tmp);
    g_free(w->path);
    g_free(w);
}

gboolean
gs_audio_export(const char *path, const float *samples, gsize frames, int channels, int rate,
                const GsAudioTags *tags, GsAudioProgressFunc progress, gpointer user_data,
                GCancellable *cancellable, GError **error)
{
    g_return_val_if_fail(path != NULL, FALSE);
    g_return_val_if_fail(samples != NULL || frames == 0, FALSE);
    /* The refusals come before the writer starts anything. */
    if (!encoder_for_path(path, error) || !gs_audio_check_format(channels, rate, error))
        return FALSE;
    if (frames == 0)
        return set_no_audio_error(error, path);
    if (g_cancellable_set_error_if_cancelled(cancellable, error))
        return FALSE;
    g_autoptr(GsAudioWriter) writer = gs_audio_writer_new(path, channels, rate, tags, error);
    if (!writer)
        return FALSE;

    gsize chunk_frames = (gsize)rate / CHUNKS_PER_SECOND;
    for (gsize first = 0; first < frames; first += chunk_frames) {
        gsize count = MIN(chunk_frames, frames - first);
        if (g_cancellable_set_error_if_cancelled(cancellable, error) ||
            !gs_audio_writer_push(writer, samples + first * channels, count, error))
            return FALSE;
        if (progress && first + count < frames) /* 1.0 waits for the file to be in place */
            progress((double)(first + count) / (double)frames, user_data);
    }
    if (!gs_audio_writer_finish(writer, error))
        return FALSE;
    if (progress)
        progress(1.0, user_data);
    return TRUE;
}
