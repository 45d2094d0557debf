/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <gst/app/gstappsink.h>
#include <gst/audio/audio.h>
#include <gst/gst.h>
#include <string.h>

#include "gs-audio.h"
#include "gs-gst-bus.h"

/* Filled on the streaming threads, read once the pipeline has stopped.
 * Not a GByteArray: two hours at 96 kHz stereo pass its 4 GB. */
typedef struct {
    guint8 *data;
    gsize len, allocated;
    gsize max_bytes;
    gboolean too_long;
    gboolean found_stream, found_audio; /* decodebin's output pads */
} Collected;

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

/* Runs the pipeline to its end, collecting everything that reaches appsink. */
static gboolean
run_decoder(const char *path, int channels, int rate, Collected *collected, GError **error)
{
    /* The queue keeps decodebin in push mode. In pull mode a demuxer can
     * fail while decodebin is still activating it, and decodebin drops
     * that error: the pipeline then waits for ever (seen with a truncated
     * Ogg file). */
    g_autoptr(GstElement) pipeline = gst_parse_launch_full(
        "filesrc name=file ! queue ! decodebin name=decoder ! audioconvert ! audioresample ! capsfilter name=format ! "
        "appsink name=sink",
        NULL, GST_PARSE_FLAG_FATAL_ERRORS, error);
    if (!pipeline)
        return FALSE;
    g_autoptr(GstElement) file = gst_bin_get_by_name(GST_BIN(pipeline), "file");
    g_autoptr(GstElement) decoder = gst_bin_get_by_name(GST_BIN(pipeline), "decoder");
    g_autoptr(GstElement) format = gst_bin_get_by_name(GST_BIN(pipeline), "format");
    g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
    g_object_set(file, "location", path, NULL);
    g_autoptr(GstCaps) caps = gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, GST_AUDIO_NE(F32), "layout",
                                                  G_TYPE_STRING, "interleaved", "rate", G_TYPE_INT, rate, "channels",
                                                  G_TYPE_INT, channels, NULL);
    g_object_set(format, "caps", caps, NULL);
    g_signal_connect(decoder, "pad-added", G_CALLBACK(on_decoded_pad), collected);
    g_object_set(sink, "sync", FALSE, NULL); /* as fast as it decodes, not in real time */
    GstAppSinkCallbacks callbacks = { .new_sample = on_new_sample };
    gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, collected, NULL);

    gboolean ok = gs_gst_start(pipeline, error) &&
                  gs_gst_wait_for_eos(pipeline, GST_CLOCK_TIME_NONE, error) == GST_MESSAGE_EOS;
    gst_element_set_state(pipeline, GST_STATE_NULL); /* joins the thread that fills `collected` */
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
