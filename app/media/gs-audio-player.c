/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <gst/app/gstappsrc.h>
#include <gst/audio/audio.h>
#include <gst/gst.h>

#include "gs-audio.h"
#include "gs-gst-bus.h"

/* Samples go to appsrc in buffers this long, all queued at once. */
#define CHUNKS_PER_SECOND 10

struct _GsAudioPlayer {
    GObject parent_instance;
    GMainContext *context; /* where the bus watch runs and signals are emitted */
    GstElement *pipeline;  /* NULL unless playing */
    GSource *bus_watch;
    double duration;       /* seconds of the current samples */
    double position;       /* where playback ended or stopped */
};

G_DEFINE_FINAL_TYPE(GsAudioPlayer, gs_audio_player, G_TYPE_OBJECT)

enum { PROP_PLAYING = 1, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_FINISHED, SIGNAL_ERROR, N_SIGNALS };
static guint signals[N_SIGNALS];

/* GStreamer ≥ 1.20's autoaudiosink falls back on a fakesink of its own
 * when no output opens; older ones fail to reach READY instead. */
static gboolean
reaches_audio_device(GstElement *autosink)
{
    if (gst_element_set_state(autosink, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE)
        return FALSE;
    g_autoptr(GstIterator) children = gst_bin_iterate_recurse(GST_BIN(autosink));
    GValue child = G_VALUE_INIT;
    gboolean fake = FALSE;
    while (!fake && gst_iterator_next(children, &child) == GST_ITERATOR_OK) {
        GstElementFactory *factory = gst_element_get_factory(g_value_get_object(&child));
        fake = factory && g_strcmp0(GST_OBJECT_NAME(factory), "fakesink") == 0;
        g_value_reset(&child);
    }
    g_value_unset(&child);
    return !fake;
}

/* autoaudiosink, or the element GS_AUDIO_SINK names (tests use fakesink);
 * without an audio device a fakesink that keeps real time, so that
 * positions and "finished" behave the same. Not floating. */
static GstElement *
audio_sink_new(GError **error)
{
    const char *requested = g_getenv("GS_AUDIO_SINK");
    if (requested && *requested) {
        GstElement *sink = gst_element_factory_make(requested, NULL);
        if (!sink) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "GS_AUDIO_SINK=%s: no such GStreamer element",
                        requested);
            return NULL;
        }
        if (g_object_class_find_property(G_OBJECT_GET_CLASS(sink), "sync"))
            g_object_set(sink, "sync", TRUE, NULL);
        return gst_object_ref_sink(sink);
    }
    g_autoptr(GstElement) autosink = gst_element_factory_make("autoaudiosink", NULL);
    if (autosink) {
        gst_object_ref_sink(autosink);
        gboolean usable = reaches_audio_device(autosink);
        gst_element_set_state(autosink, GST_STATE_NULL); /* the pipeline opens it again */
        if (usable)
            return g_steal_pointer(&autosink);
    }
    static gsize warned = 0;
    if (g_once_init_enter(&warned)) {
        g_warning("No audio output device; playing silently");
        g_once_init_leave(&warned, 1);
    }
    GstElement *silent = gst_element_factory_make("fakesink", NULL);
    g_object_set(silent, "sync", TRUE, NULL);
    return gst_object_ref_sink(silent);
}

/* appsrc ! audioconvert ! audioresample ! <sink>, with all of `samples`
 * (copied) and the end of stream already queued. */
static GstElement *
playback_pipeline_new(const float *samples, gsize frames, int channels, int rate, GError **error)
{
    if (!gs_audio_check_format(channels, rate, error))
        return NULL;
    if (frames == 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "There is no audio to play");
        return NULL;
    }
    gst_init(NULL, NULL);
    g_autoptr(GstElement) pipeline = gst_parse_launch_full(
        "appsrc name=src format=time max-bytes=0 ! audioconvert ! audioresample name=resample", NULL,
        GST_PARSE_FLAG_FATAL_ERRORS, error);
    if (!pipeline)
        return NULL;
    g_autoptr(GstElement) sink = audio_sink_new(error);
    if (!sink)
        return NULL;
    g_autoptr(GstElement) resample = gst_bin_get_by_name(GST_BIN(pipeline), "resample");
    gst_bin_add(GST_BIN(pipeline), sink);
    if (!gst_element_link(resample, sink)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "The audio output %s does not take raw audio",
                    GST_OBJECT_NAME(sink));
        return NULL;
    }

    g_autoptr(GstElement) src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
    GstAudioInfo info;
    gst_audio_info_set_format(&info, GST_AUDIO_FORMAT_F32, rate, channels, NULL);
    g_autoptr(GstCaps) caps = gst_audio_info_to_caps(&info);
    gst_app_src_set_caps(GST_APP_SRC(src), caps);
    /* One copy of the samples; the chunks share its memory. */
    g_autoptr(GstBuffer) all = gst_buffer_new_memdup(samples, frames * channels * sizeof(float));
    gsize chunk_frames = (gsize)rate / CHUNKS_PER_SECOND;
    for (gsize first = 0; first < frames; first += chunk_frames) {
        gsize count = MIN(chunk_frames, frames - first);
        GstBuffer *chunk = gst_buffer_copy_region(all, GST_BUFFER_COPY_MEMORY, first * channels * sizeof(float),
                                                  count * channels * sizeof(float));
        GST_BUFFER_PTS(chunk) = gst_util_uint64_scale(first, GST_SECOND, rate);
        GST_BUFFER_DURATION(chunk) = gst_util_uint64_scale(first + count, GST_SECOND, rate) - GST_BUFFER_PTS(chunk);
        gst_app_src_push_buffer(GST_APP_SRC(src), chunk);
    }
    gst_app_src_end_of_stream(GST_APP_SRC(src));
    return g_steal_pointer(&pipeline);
}

gboolean
gs_audio_play_blocking(const float *samples, gsize frames, int channels, int rate, GError **error)
{
    g_return_val_if_fail(samples != NULL || frames == 0, FALSE);
    g_autoptr(GstElement) pipeline = playback_pipeline_new(samples, frames, channels, rate, error);
    if (!pipeline)
        return FALSE;
    gboolean ok = gs_gst_start(pipeline, error) &&
                  gs_gst_wait_for_eos(pipeline, GST_CLOCK_TIME_NONE, error) == GST_MESSAGE_EOS;
    gst_element_set_state(pipeline, GST_STATE_NULL);
    return ok;
}

static double
query_position(GsAudioPlayer *self)
{
    gint64 position = 0;
    if (self->pipeline && gst_element_query_position(self->pipeline, GST_FORMAT_TIME, &position))
        return (double)position / GST_SECOND;
    return self->position;
}

/* Stops and drops the pipeline, remembering the position; FALSE if there was none. */
static gboolean
release_pipeline(GsAudioPlayer *self)
{
    if (!self->pipeline)
        return FALSE;
    self->position = query_position(self);
    g_source_destroy(self->bus_watch);
    g_clear_pointer(&self->bus_watch, g_source_unref);
    gst_element_set_state(self->pipeline, GST_STATE_NULL);
    g_clear_object(&self->pipeline);
    return TRUE;
}

/* The one bus handler of the player, on self->context. */
static gboolean
on_bus_message(GstBus *bus, GstMessage *message, gpointer user_data)
{
    GsAudioPlayer *self = user_data;
    if (GST_MESSAGE_TYPE(message) != GST_MESSAGE_EOS && GST_MESSAGE_TYPE(message) != GST_MESSAGE_ERROR)
        return G_SOURCE_CONTINUE;
    g_autoptr(GError) error = NULL;
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR)
        gs_gst_set_error_from_message(&error, message);
    g_autoptr(GsAudioPlayer) alive = g_object_ref(self); /* a handler may drop the last reference */
    release_pipeline(self); /* also removes this watch */
    if (!error)
        self->position = self->duration;
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_PLAYING]);
    if (error)
        g_signal_emit(self, signals[SIGNAL_ERROR], 0, error);
    else
        g_signal_emit(self, signals[SIGNAL_FINISHED], 0);
    return G_SOURCE_CONTINUE;
}

gboolean
gs_audio_player_play(GsAudioPlayer *self, const float *samples, gsize frames, int channels, int rate,
                     GError **error)
{
    g_return_val_if_fail(GS_IS_AUDIO_PLAYER(self), FALSE);
    g_return_val_if_fail(samples != NULL || frames == 0, FALSE);
    gboolean was_playing = release_pipeline(self);
    self->position = 0;
    g_autoptr(GstElement) pipeline = playback_pipeline_new(samples, frames, channels, rate, error);
    if (!pipeline || !gs_gst_start(pipeline, error)) {
        if (pipeline)
            gst_element_set_state(pipeline, GST_STATE_NULL);
        if (was_playing)
            g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_PLAYING]);
        return FALSE;
    }
    g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
    self->bus_watch = gst_bus_create_watch(bus);
    g_source_set_callback(self->bus_watch, G_SOURCE_FUNC(on_bus_message), self, NULL);
    g_source_attach(self->bus_watch, self->context);
    self->pipeline = g_steal_pointer(&pipeline);
    self->duration = (double)frames / rate;
    if (!was_playing)
        g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_PLAYING]);
    return TRUE;
}

void
gs_audio_player_stop(GsAudioPlayer *self)
{
    g_return_if_fail(GS_IS_AUDIO_PLAYER(self));
    if (release_pipeline(self))
        g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_PLAYING]);
}

gboolean
gs_audio_player_is_playing(GsAudioPlayer *self)
{
    g_return_val_if_fail(GS_IS_AUDIO_PLAYER(self), FALSE);
    return self->pipeline != NULL;
}

double
gs_audio_player_get_position(GsAudioPlayer *self)
{
    g_return_val_if_fail(GS_IS_AUDIO_PLAYER(self), 0.0);
    return query_position(self);
}

static void
gs_audio_player_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    GsAudioPlayer *self = GS_AUDIO_PLAYER(object);
    switch (prop_id) {
    case PROP_PLAYING:
        g_value_set_boolean(value, gs_audio_player_is_playing(self));
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
gs_audio_player_dispose(GObject *object)
{
    GsAudioPlayer *self = GS_AUDIO_PLAYER(object);
    release_pipeline(self);
    g_clear_pointer(&self->context, g_main_context_unref);
    G_OBJECT_CLASS(gs_audio_player_parent_class)->dispose(object);
}

static void
gs_audio_player_class_init(GsAudioPlayerClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    object_class->get_property = gs_audio_player_get_property;
    object_class->dispose = gs_audio_player_dispose;

    properties[PROP_PLAYING] =
        g_param_spec_boolean("playing", NULL, NULL, FALSE,
                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties(object_class, N_PROPS, properties);

    signals[SIGNAL_FINISHED] = g_signal_new("finished", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                            NULL, G_TYPE_NONE, 0);
    signals[SIGNAL_ERROR] = g_signal_new("error", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
gs_audio_player_init(GsAudioPlayer *self)
{
    self->context = g_main_context_ref_thread_default();
}

GsAudioPlayer *
gs_audio_player_new(void)
{
    return g_object_new(GS_TYPE_AUDIO_PLAYER, NULL);
}
