/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/audio/audio.h>
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>
#include <string.h>

#include "gs-audio.h"
#include "gs-gst-bus.h"

/* decodebin (GStreamer 1.22) drops an error raised while it is still
 * activating a demuxer in pull mode, as a truncated Ogg file does now and
 * then; the pipeline then waits for ever. Nothing read from the file and
 * nothing decoded for this long means it is stuck. (A queue before
 * decodebin, for push mode, deadlocks instead: its allocation query is
 * dropped when wavparse ends the stream.) */
#define STALL_SECONDS 5

/* Filled on the streaming threads, read once the pipeline has stopped.
 * Not a GByteArray: two hours at 96 kHz stereo pass its 4 GB. */
typedef struct {
    guint8 *data;
    gsize len, allocated;
    gsize max_bytes;
    gboolean too_long;
    gboolean found_stream, found_audio; /* decodebin's output pads */
    gint activity;                      /* atomic: buffers read or decoded */
} Collected;

static GstPadProbeReturn
on_file_read(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
    Collected *collected = user_data;
    g_atomic_int_inc(&collected->activity);
    return GST_PAD_PROBE_OK;
}

/* Only to tell "not audio" apart from other failures: parse-launch's
 * delayed linking does the linking. */
static void
on_decoded_pad(GstElement *decodebin, GstPad *pad, gpointer user_data)
{
    Collected *collected = user_data;
    g_autoptr(GstCaps) caps = gst_pad_get_current_caps(pad);
    if (!caps)
        caps = gst_pad_query_caps(pad, NULL);
    collected->found_stream = TRUE;
    if (!gst_caps_is_empty(caps) && g_str_has_prefix(gst_structure_get_name(gst_caps_get_structure(caps, 0)), "audio/"))
        collected->found_audio = TRUE;
}

static GstFlowReturn
on_new_sample(GstAppSink *sink, gpointer user_data)
{
    Collected *collected = user_data;
    g_atomic_int_inc(&collected->activity);
    g_autoptr(GstSample) sample = gst_app_sink_pull_sample(sink);
    GstBuffer *buffer = sample ? gst_sample_get_buffer(sample) : NULL;
    GstMapInfo map;
    if (!buffer || !gst_buffer_map(buffer, &map, GST_MAP_READ))
        return GST_FLOW_ERROR;
    GstFlowReturn flow = GST_FLOW_OK;
    if (collected->len + map.size > collected->max_bytes) {
        collected->too_long = TRUE;
        flow = GST_FLOW_EOS; /* no more, please: the caller reports why */
    } else {
        if (collected->len + map.size > collected->allocated) {
            collected->allocated = MIN(MAX(2 * collected->allocated, collected->len + map.size), collected->max_bytes);
            collected->data = g_realloc(collected->data, collected->allocated);
        }
        memcpy(collected->data + collected->len, map.data, map.size);
        collected->len += map.size;
    }
    gst_buffer_unmap(buffer, &map);
    return flow;
}

static gboolean
wait_while_active(GstElement *pipeline, Collected *collected, GError **error)
{
    gint seen = g_atomic_int_get(&collected->activity);
    gint64 last_change = g_get_monotonic_time();
    for (;;) {
        GstMessageType type = gs_gst_wait_for_eos(pipeline, GST_SECOND, error);
        if (type != GST_MESSAGE_UNKNOWN)
            return type == GST_MESSAGE_EOS;
        gint activity = g_atomic_int_get(&collected->activity);
        gint64 now = g_get_monotonic_time();
        if (activity != seen) {
            seen = activity;
            last_change = now;
        } else if (now - last_change >= STALL_SECONDS * G_USEC_PER_SEC) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
                        "decoding stopped without an error from GStreamer (is the file damaged?)");
            return FALSE;
        }
    }
}

/* Runs the pipeline to its end, collecting everything that reaches appsink. */
static gboolean
run_decoder(const char *path, int channels, int rate, Collected *collected, GError **error)
{
    g_autoptr(GstElement) pipeline = gst_parse_launch_full(
        "decodebin name=decoder ! audioconvert ! audioresample ! capsfilter name=format ! appsink name=sink", NULL,
        GST_PARSE_FLAG_FATAL_ERRORS, error);
    if (!pipeline)
        return FALSE;
    /* Added once it knows its file: linking may already start it. */
    GstElement *file = gst_element_factory_make("filesrc", NULL);
    g_object_set(file, "location", path, NULL);
    gst_bin_add(GST_BIN(pipeline), file);
    g_autoptr(GstElement) decoder = gst_bin_get_by_name(GST_BIN(pipeline), "decoder");
    if (!gst_element_link(file, decoder)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot link filesrc to decodebin");
        return FALSE;
    }
    g_autoptr(GstPad) file_pad = gst_element_get_static_pad(file, "src");
    gst_pad_add_probe(file_pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_PUSH | GST_PAD_PROBE_TYPE_PULL,
                      on_file_read, collected, NULL);
    g_signal_connect(decoder, "pad-added", G_CALLBACK(on_decoded_pad), collected);

    g_autoptr(GstElement) format = gst_bin_get_by_name(GST_BIN(pipeline), "format");
    g_autoptr(GstCaps) caps = gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, GST_AUDIO_NE(F32), "layout",
                                                  G_TYPE_STRING, "interleaved", "rate", G_TYPE_INT, rate, "channels",
                                                  G_TYPE_INT, channels, NULL);
    g_object_set(format, "caps", caps, NULL);
    g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
    g_object_set(sink, "sync", FALSE, NULL); /* as fast as it decodes, not in real time */
    GstAppSinkCallbacks callbacks = { .new_sample = on_new_sample };
    gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, collected, NULL);

    gboolean ok = gs_gst_start(pipeline, error) && wait_while_active(pipeline, collected, error);
    gst_element_set_state(pipeline, GST_STATE_NULL); /* joins the threads that fill `collected` */
    return ok;
}

gboolean
gs_audio_decode(const char *path, int channels, int rate, float **samples, gsize *frames, GError **error)
{
    g_return_val_if_fail(path != NULL && samples != NULL && frames != NULL, FALSE);
    if (!gs_audio_check_format(channels, rate, error))
        return FALSE;
    gst_init(NULL, NULL);

    gsize frame_bytes = (gsize)channels * sizeof(float);
    Collected collected = { .max_bytes = MIN((guint64)GS_AUDIO_MAX_SECONDS * (guint64)rate * frame_bytes, G_MAXSIZE) };
    g_autoptr(GError) local_error = NULL;
    gboolean ok = run_decoder(path, channels, rate, &collected, &local_error);
    g_autofree guint8 *data = collected.data;
    if (collected.too_long) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "Cannot decode “%s”: it is longer than %d hours",
                    path, GS_AUDIO_MAX_SECONDS / 3600);
        return FALSE;
    }
    if (collected.found_stream && !collected.found_audio) { /* GStreamer only says "not-linked" */
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "Cannot decode “%s”: it holds no audio stream", path);
        return FALSE;
    }
    if (!ok) {
        g_propagate_prefixed_error(error, g_steal_pointer(&local_error), "Cannot decode “%s”: ", path);
        return FALSE;
    }
    if (collected.len < frame_bytes) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Cannot decode “%s”: it holds no audio", path);
        return FALSE;
    }
    *frames = collected.len / frame_bytes;
    *samples = (float *)g_steal_pointer(&data);
    return TRUE;
}

/* The whole input goes into appsrc before the pipeline starts: it is in
 * memory already, and nothing needs to be paced. */
static gboolean
run_converter(const float *samples, gsize frames, int channels, int rate, int out_channels, int out_rate,
              Collected *collected, GError **error)
{
    g_autoptr(GstElement) pipeline =
        gst_parse_launch_full("appsrc name=src format=time ! audioconvert ! audioresample ! capsfilter name=format ! "
                              "appsink name=sink sync=false",
                              NULL, GST_PARSE_FLAG_FATAL_ERRORS, error);
    if (!pipeline)
        return FALSE;
    GstAudioInfo info;
    gst_audio_info_set_format(&info, GST_AUDIO_FORMAT_F32, rate, channels, NULL);
    g_autoptr(GstCaps) in_caps = gst_audio_info_to_caps(&info);
    g_autoptr(GstElement) src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
    gst_app_src_set_caps(GST_APP_SRC(src), in_caps);
    gst_audio_info_set_format(&info, GST_AUDIO_FORMAT_F32, out_rate, out_channels, NULL);
    g_autoptr(GstCaps) out_caps = gst_audio_info_to_caps(&info);
    g_autoptr(GstElement) format = gst_bin_get_by_name(GST_BIN(pipeline), "format");
    g_object_set(format, "caps", out_caps, NULL);
    g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
    GstAppSinkCallbacks callbacks = { .new_sample = on_new_sample };
    gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, collected, NULL);

    GstBuffer *buffer = gst_buffer_new_memdup(samples, frames * channels * sizeof(float));
    GST_BUFFER_PTS(buffer) = 0;
    GST_BUFFER_DURATION(buffer) = gst_util_uint64_scale_int(frames, GST_SECOND, rate);
    gst_app_src_push_buffer(GST_APP_SRC(src), buffer);
    gst_app_src_end_of_stream(GST_APP_SRC(src));
    gboolean ok = gs_gst_start(pipeline, error) &&
                  gs_gst_wait_for_eos(pipeline, GST_CLOCK_TIME_NONE, error) == GST_MESSAGE_EOS;
    gst_element_set_state(pipeline, GST_STATE_NULL); /* joins the threads that fill `collected` */
    return ok;
}

gboolean
gs_audio_convert(const float *samples, gsize frames, int channels, int rate, int out_channels, int out_rate,
                 float **out, gsize *out_frames, GError **error)
{
    g_return_val_if_fail(samples != NULL && out != NULL && out_frames != NULL, FALSE);
    if (!gs_audio_check_format(channels, rate, error) || !gs_audio_check_format(out_channels, out_rate, error))
        return FALSE;
    if (frames == 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "There is no audio to convert");
        return FALSE;
    }
    gst_init(NULL, NULL);
    gsize frame_bytes = (gsize)out_channels * sizeof(float);
    Collected collected = { .max_bytes = G_MAXSIZE };
    gboolean ok = run_converter(samples, frames, channels, rate, out_channels, out_rate, &collected, error);
    g_autofree guint8 *data = collected.data;
    if (!ok) {
        g_prefix_error(error, "Cannot convert the audio: ");
        return FALSE;
    }
    *out_frames = collected.len / frame_bytes;
    *out = (float *)g_steal_pointer(&data);
    return TRUE;
}

static void
append_tag(const GstTagList *list, const char *tag, gpointer user_data)
{
    GString *line = user_data;
    g_autofree char *value = NULL;
    if (gst_tag_get_type(tag) != G_TYPE_STRING || !gst_tag_list_get_string(list, tag, &value))
        return;
    g_string_append_printf(line, "%s%s: %s", line->len ? "; " : "", tag, value);
}

char *
gs_audio_read_tags(const char *path)
{
    gst_init(NULL, NULL);
    g_autoptr(GstDiscoverer) discoverer = gst_discoverer_new(10 * GST_SECOND, NULL);
    g_autofree char *uri = discoverer ? gst_filename_to_uri(path, NULL) : NULL;
    g_autoptr(GstDiscovererInfo) info = uri ? gst_discoverer_discover_uri(discoverer, uri, NULL) : NULL;
    const GstTagList *tags = info ? gst_discoverer_info_get_tags(info) : NULL;
    if (!tags)
        return NULL;
    GString *line = g_string_new(NULL);
    gst_tag_list_foreach(tags, append_tag, line);
    return g_string_free(line, line->len == 0);
}
