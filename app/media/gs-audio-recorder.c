/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include "gs-audio-recorder.h"
#include "gs-gst-bus.h"

/* How often the level element reports, for a meter that moves smoothly. */
#define LEVEL_INTERVAL (50 * GST_MSECOND)
#define MAX_SAMPLES ((gsize)(GS_AUDIO_RECORDER_MAX_SECONDS * GS_AUDIO_RECORDER_RATE))
/* The application message the streaming thread posts at the limit. */
#define LIMIT_MESSAGE "gs-recorder-limit"

struct _GsAudioRecorder {
    GObject parent_instance;
    GMainContext *context; /* where the bus watch runs and signals are emitted */
    GstElement *pipeline;  /* NULL unless recording */
    GSource *bus_watch;
    GMutex lock;           /* guards what the streaming thread touches: */
    GArray *samples;       /* floats */
    gboolean limit_posted;
};

G_DEFINE_FINAL_TYPE(GsAudioRecorder, gs_audio_recorder, G_TYPE_OBJECT)

enum { PROP_RECORDING = 1, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_LEVEL, SIGNAL_ERROR, SIGNAL_LIMIT_REACHED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* One factory name, nothing a pipeline description could add. */
static gboolean
is_single_name(const char *name)
{
    if (!*name)
        return FALSE;
    for (const char *c = name; *c; c++)
        if (!g_ascii_isalnum(*c) && *c != '-' && *c != '_')
            return FALSE;
    return TRUE;
}

/* autoaudiosrc, or what GS_AUDIO_SOURCE names if it is a live audio
 * source (gs-audio-recorder.h). Not floating. */
static GstElement *
audio_source_new(GError **error)
{
    const char *requested = g_getenv("GS_AUDIO_SOURCE");
    const char *name = requested && *requested ? requested : "autoaudiosrc";
    if (!is_single_name(name)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                    "GS_AUDIO_SOURCE=%s is refused: it must be the name of one GStreamer audio source element",
                    name);
        return NULL;
    }
    g_autoptr(GstElementFactory) factory = gst_element_factory_find(name);
    if (!factory) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "There is no GStreamer element “%s” to record with",
                    name);
        return NULL;
    }
    const char *klass = gst_element_factory_get_metadata(factory, GST_ELEMENT_METADATA_KLASS);
    if (!klass || !strstr(klass, "Source/Audio")) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                    "GS_AUDIO_SOURCE=%s is refused: it is not a live audio source (its class is “%s”); a consent "
                    "recording is made with a microphone, never from a file",
                    name, klass ? klass : "unknown");
        return NULL;
    }
    GstElement *source = gst_element_factory_create(factory, NULL);
    if (!source) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "The GStreamer element “%s” could not be created", name);
        return NULL;
    }
    return gst_object_ref_sink(source);
}

/* On the streaming thread: the samples, up to the limit. */
static GstFlowReturn
on_new_sample(GstAppSink *sink, gpointer user_data)
{
    GsAudioRecorder *self = user_data;
    g_autoptr(GstSample) sample = gst_app_sink_pull_sample(sink);
    if (!sample)
        return GST_FLOW_EOS;
    GstBuffer *buffer = gst_sample_get_buffer(sample);
    GstMapInfo map;
    if (!buffer || !gst_buffer_map(buffer, &map, GST_MAP_READ))
        return GST_FLOW_OK;
    gboolean at_limit;
    g_mutex_lock(&self->lock);
    gsize room = MAX_SAMPLES - self->samples->len;
    gsize count = MIN(map.size / sizeof(float), room);
    g_array_append_vals(self->samples, map.data, (guint)count);
    at_limit = self->samples->len >= MAX_SAMPLES && !self->limit_posted;
    self->limit_posted = self->limit_posted || at_limit;
    g_mutex_unlock(&self->lock);
    gst_buffer_unmap(buffer, &map);
    if (at_limit)
        gst_element_post_message(GST_ELEMENT(sink),
                                 gst_message_new_application(GST_OBJECT(sink), gst_structure_new_empty(LIMIT_MESSAGE)));
    return GST_FLOW_OK; /* past the limit, samples are dropped until the main thread stops it */
}

/* source ! audioconvert ! audioresample ! level ! appsink, mono F32 at 16 kHz. */
static GstElement *
recording_pipeline_new(GsAudioRecorder *self, GError **error)
{
    gst_init(NULL, NULL);
    g_autoptr(GstElement) source = audio_source_new(error);
    if (!source)
        return NULL;
    g_autofree char *description = g_strdup_printf(
        "audioconvert name=convert ! audioresample ! level name=level interval=%" G_GUINT64_FORMAT
        " post-messages=true ! appsink name=sink sync=true max-buffers=0 "
        "caps=audio/x-raw,format=F32LE,layout=interleaved,channels=1,rate=%d",
        (guint64)LEVEL_INTERVAL, GS_AUDIO_RECORDER_RATE);
    g_autoptr(GstElement) pipeline = gst_parse_launch_full(description, NULL, GST_PARSE_FLAG_FATAL_ERRORS, error);
    if (!pipeline)
        return NULL;
    g_autoptr(GstElement) convert = gst_bin_get_by_name(GST_BIN(pipeline), "convert");
    gst_bin_add(GST_BIN(pipeline), source);
    if (!gst_element_link(source, convert)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "The audio source %s does not give raw audio",
                    GST_OBJECT_NAME(source));
        return NULL;
    }
    g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
    GstAppSinkCallbacks callbacks = { .new_sample = on_new_sample };
    gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, self, NULL);
    return g_steal_pointer(&pipeline);
}

/* Stops and drops the pipeline; FALSE if there was none. The samples stay. */
static gboolean
release_pipeline(GsAudioRecorder *self)
{
    if (!self->pipeline)
        return FALSE;
    g_source_destroy(self->bus_watch);
    g_clear_pointer(&self->bus_watch, g_source_unref);
    /* Returns once the streaming thread is out of on_new_sample. */
    gst_element_set_state(self->pipeline, GST_STATE_NULL);
    g_clear_object(&self->pipeline);
    return TRUE;
}

/* The level element's peak and RMS of the first (only) channel, in dBFS. */
static gboolean
parse_level(const GstStructure *structure, double *peak, double *rms)
{
    const GValue *peaks = gst_structure_get_value(structure, "peak");
    const GValue *rmss = gst_structure_get_value(structure, "rms");
    if (!peaks || !rmss || !G_VALUE_HOLDS_BOXED(peaks) || !G_VALUE_HOLDS_BOXED(rmss))
        return FALSE;
    /* level still reports in GValueArrays (deprecated in GLib, not in GStreamer 1.22). */
    G_GNUC_BEGIN_IGNORE_DEPRECATIONS
    const GValueArray *p = g_value_get_boxed(peaks), *r = g_value_get_boxed(rmss);
    if (!p || !r || p->n_values < 1 || r->n_values < 1)
        return FALSE;
    *peak = g_value_get_double(&p->values[0]);
    *rms = g_value_get_double(&r->values[0]);
    G_GNUC_END_IGNORE_DEPRECATIONS
    return TRUE;
}

/* The one bus handler of the recorder, on self->context. */
static gboolean
on_bus_message(GstBus *bus, GstMessage *message, gpointer user_data)
{
    GsAudioRecorder *self = user_data;
    const GstStructure *structure = gst_message_get_structure(message);
    switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_ELEMENT: {
        double peak, rms;
        if (gst_structure_has_name(structure, "level") && parse_level(structure, &peak, &rms))
            g_signal_emit(self, signals[SIGNAL_LEVEL], 0, peak, rms);
        return G_SOURCE_CONTINUE;
    }
    case GST_MESSAGE_APPLICATION:
    case GST_MESSAGE_EOS:
    case GST_MESSAGE_ERROR:
        break;
    default:
        return G_SOURCE_CONTINUE;
    }
    gboolean limit = GST_MESSAGE_TYPE(message) == GST_MESSAGE_APPLICATION;
    if (limit && !gst_structure_has_name(structure, LIMIT_MESSAGE))
        return G_SOURCE_CONTINUE;
    g_autoptr(GError) error = NULL;
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR)
        gs_gst_set_error_from_message(&error, message);
    else if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_EOS)
        g_set_error_literal(&error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "The audio source stopped sending sound");
    g_autoptr(GsAudioRecorder) alive G_GNUC_UNUSED = g_object_ref(self); /* a handler may drop the last reference */
    release_pipeline(self); /* also removes this watch */
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_RECORDING]);
    if (error)
        g_signal_emit(self, signals[SIGNAL_ERROR], 0, error);
    else
        g_signal_emit(self, signals[SIGNAL_LIMIT_REACHED], 0);
    return G_SOURCE_CONTINUE;
}

gboolean
gs_audio_recorder_start(GsAudioRecorder *self, GError **error)
{
    g_return_val_if_fail(GS_IS_AUDIO_RECORDER(self), FALSE);
    if (self->pipeline) {
        g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_BUSY, "A recording is in progress already");
        return FALSE;
    }
    g_mutex_lock(&self->lock);
    g_array_set_size(self->samples, 0);
    self->limit_posted = FALSE;
    g_mutex_unlock(&self->lock);
    g_autoptr(GstElement) pipeline = recording_pipeline_new(self, error);
    if (!pipeline)
        return FALSE;
    g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
    if (!gs_gst_start(pipeline, error)) {
        gst_element_set_state(pipeline, GST_STATE_NULL);
        return FALSE;
    }
    self->bus_watch = gst_bus_create_watch(bus);
    g_source_set_callback(self->bus_watch, G_SOURCE_FUNC(on_bus_message), self, NULL);
    g_source_attach(self->bus_watch, self->context);
    self->pipeline = g_steal_pointer(&pipeline);
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_RECORDING]);
    return TRUE;
}

float *
gs_audio_recorder_stop(GsAudioRecorder *self, gsize *count)
{
    g_return_val_if_fail(GS_IS_AUDIO_RECORDER(self) && count, NULL);
    gboolean was_recording = release_pipeline(self);
    g_mutex_lock(&self->lock);
    *count = self->samples->len;
    float *samples = *count ? g_memdup2(self->samples->data, *count * sizeof(float)) : NULL;
    g_array_set_size(self->samples, 0);
    g_mutex_unlock(&self->lock);
    if (was_recording)
        g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_RECORDING]);
    return samples;
}

gboolean
gs_audio_recorder_get_recording(GsAudioRecorder *self)
{
    g_return_val_if_fail(GS_IS_AUDIO_RECORDER(self), FALSE);
    return self->pipeline != NULL;
}

double
gs_audio_recorder_get_seconds(GsAudioRecorder *self)
{
    g_return_val_if_fail(GS_IS_AUDIO_RECORDER(self), 0.0);
    g_mutex_lock(&self->lock);
    double seconds = (double)self->samples->len / GS_AUDIO_RECORDER_RATE;
    g_mutex_unlock(&self->lock);
    return seconds;
}

static void
gs_audio_recorder_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    GsAudioRecorder *self = GS_AUDIO_RECORDER(object);
    switch (prop_id) {
    case PROP_RECORDING:
        g_value_set_boolean(value, gs_audio_recorder_get_recording(self));
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
gs_audio_recorder_dispose(GObject *object)
{
    GsAudioRecorder *self = GS_AUDIO_RECORDER(object);
    release_pipeline(self);
    g_clear_pointer(&self->context, g_main_context_unref);
    G_OBJECT_CLASS(gs_audio_recorder_parent_class)->dispose(object);
}

static void
gs_audio_recorder_finalize(GObject *object)
{
    GsAudioRecorder *self = GS_AUDIO_RECORDER(object);
    g_array_unref(self->samples);
    g_mutex_clear(&self->lock);
    G_OBJECT_CLASS(gs_audio_recorder_parent_class)->finalize(object);
}

static void
gs_audio_recorder_class_init(GsAudioRecorderClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    object_class->get_property = gs_audio_recorder_get_property;
    object_class->dispose = gs_audio_recorder_dispose;
    object_class->finalize = gs_audio_recorder_finalize;

    properties[PROP_RECORDING] =
        g_param_spec_boolean("recording", NULL, NULL, FALSE,
                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties(object_class, N_PROPS, properties);

    signals[SIGNAL_LEVEL] = g_signal_new("level", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
    signals[SIGNAL_ERROR] = g_signal_new("error", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, G_TYPE_ERROR);
    signals[SIGNAL_LIMIT_REACHED] = g_signal_new("limit-reached", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                                 NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
gs_audio_recorder_init(GsAudioRecorder *self)
{
    self->context = g_main_context_ref_thread_default();
    g_mutex_init(&self->lock);
    self->samples = g_array_new(FALSE, FALSE, sizeof(float));
}

GsAudioRecorder *
gs_audio_recorder_new(void)
{
    return g_object_new(GS_TYPE_AUDIO_RECORDER, NULL);
}
