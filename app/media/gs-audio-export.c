/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <gst/app/gstappsrc.h>
#include <gst/audio/audio.h>
#include <gst/gst.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <unistd.h>

#include "gs-audio.h"
#include "gs-gst-bus.h"

/* Every file says where it comes from, whatever the caller's tags. */
#define PROVENANCE "AI-generated with GenStudio"
/* Half a second per buffer: progress and cancellation stay responsive. */
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
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%d audio channels: only mono and stereo are supported",
                    channels);
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

static GstTagList *
tag_list_new(const GsAudioTags *tags)
{
    g_autofree char *comment = tags && tags->comment ? g_strdup_printf("%s (%s)", tags->comment, PROVENANCE)
                                                     : g_strdup(PROVENANCE);
    GstTagList *list = gst_tag_list_new(GST_TAG_COMMENT, comment, GST_TAG_ENCODER, "GenStudio",
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

static gboolean
push_samples(GstElement *pipeline, GstAppSrc *src, Feed *feed, const float *samples, gsize frames, int channels,
             int rate, GsAudioProgressFunc progress, gpointer user_data, GCancellable *cancellable, GError **error)
{
    gsize chunk_frames = (gsize)rate / CHUNKS_PER_SECOND;
    for (gsize first = 0; first < frames; first += chunk_frames) {
        if (g_cancellable_set_error_if_cancelled(cancellable, error) || !wait_for_room(feed, pipeline, error))
            return FALSE;
        gsize count = MIN(chunk_frames, frames - first);
        GstBuffer *buffer = gst_buffer_new_memdup(samples + first * channels, count * channels * sizeof(float));
        GST_BUFFER_PTS(buffer) = gst_util_uint64_scale(first, GST_SECOND, rate);
        GST_BUFFER_DURATION(buffer) = gst_util_uint64_scale(first + count, GST_SECOND, rate) - GST_BUFFER_PTS(buffer);
        gst_app_src_push_buffer(src, buffer);
        if (progress && first + count < frames) /* 1.0 waits for the file to be in place */
            progress((double)(first + count) / (double)frames, user_data);
    }
    gst_app_src_end_of_stream(src);
    return gs_gst_wait_for_eos(pipeline, GST_CLOCK_TIME_NONE, error) == GST_MESSAGE_EOS;
}

/* Runs the whole pipeline into `tmp`; the caller makes it the real file. */
static gboolean
encode(const char *tmp, const char *encoder, const float *samples, gsize frames, int channels, int rate,
       const GsAudioTags *tags, GsAudioProgressFunc progress, gpointer user_data, GCancellable *cancellable,
       GError **error)
{
    g_autofree char *description = g_strdup_printf(
        "appsrc name=src format=time ! audioconvert ! audioresample ! %s ! filesink name=sink", encoder);
    g_autoptr(GstElement) pipeline = gst_parse_launch_full(description, NULL, GST_PARSE_FLAG_FATAL_ERRORS, error);
    if (!pipeline) {
        g_prefix_error(error, "GStreamer lacks an element (gstreamer1.0-plugins-base and -good have them): ");
        return FALSE;
    }
    g_autoptr(GstElement) src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
    g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
    g_object_set(sink, "location", tmp, NULL);

    GstAudioInfo info;
    gst_audio_info_set_format(&info, GST_AUDIO_FORMAT_F32, rate, channels, NULL);
    g_autoptr(GstCaps) caps = gst_audio_info_to_caps(&info);
    gst_app_src_set_caps(GST_APP_SRC(src), caps);
    /* About two chunks queued, refilled at half: memory stays small and the
     * progress follows the encoder rather than the copying. */
    gsize chunk_bytes = (gsize)rate / CHUNKS_PER_SECOND * channels * sizeof(float);
    g_object_set(src, "max-bytes", (guint64)(2 * chunk_bytes), "min-percent", 50, NULL);
    Feed feed = { .wants_data = TRUE };
    g_mutex_init(&feed.lock);
    g_cond_init(&feed.changed);
    GstAppSrcCallbacks callbacks = { .need_data = on_need_data, .enough_data = on_enough_data };
    gst_app_src_set_callbacks(GST_APP_SRC(src), &callbacks, &feed, NULL);

    g_autoptr(GstElement) tagger = gst_bin_get_by_interface(GST_BIN(pipeline), GST_TYPE_TAG_SETTER);
    if (tagger) {
        g_autoptr(GstTagList) tag_list = tag_list_new(tags);
        gst_tag_setter_merge_tags(GST_TAG_SETTER(tagger), tag_list, GST_TAG_MERGE_REPLACE);
    }

    gboolean ok = gs_gst_start(pipeline, error) &&
                  push_samples(pipeline, GST_APP_SRC(src), &feed, samples, frames, channels, rate, progress,
                               user_data, cancellable, error);
    gst_element_set_state(pipeline, GST_STATE_NULL); /* joins the streaming threads that use `feed` */
    g_mutex_clear(&feed.lock);
    g_cond_clear(&feed.changed);
    return ok;
}

gboolean
gs_audio_export(const char *path, const float *samples, gsize frames, int channels, int rate,
                const GsAudioTags *tags, GsAudioProgressFunc progress, gpointer user_data,
                GCancellable *cancellable, GError **error)
{
    g_return_val_if_fail(path != NULL, FALSE);
    g_return_val_if_fail(samples != NULL || frames == 0, FALSE);
    const char *encoder = encoder_for_path(path, error);
    if (!encoder || !gs_audio_check_format(channels, rate, error))
        return FALSE;
    if (frames == 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Cannot export “%s”: there is no audio", path);
        return FALSE;
    }
    if (g_cancellable_set_error_if_cancelled(cancellable, error))
        return FALSE;
    gst_init(NULL, NULL);

    /* Opening the temporary file here gives a clear error for a place we
     * cannot write to, and the descriptor to fsync before the rename. */
    g_autofree char *tmp = g_strdup_printf("%s.tmp-%d", path, (int)getpid());
    int fd = g_open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return set_write_error(error, path);
    gboolean ok = encode(tmp, encoder, samples, frames, channels, rate, tags, progress, user_data, cancellable, error);
    if (!ok)
        g_prefix_error(error, "Cannot export “%s”: ", path);
    if (ok && fsync(fd) != 0)
        ok = set_write_error(error, path);
    close(fd);
    if (ok && rename(tmp, path) != 0)
        ok = set_write_error(error, path);
    if (!ok) {
        g_unlink(tmp);
        return FALSE;
    }
    if (progress)
        progress(1.0, user_data);
    return TRUE;
}
