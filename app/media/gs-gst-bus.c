/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-gst-bus.h"

/* Callers match on GIOErrorEnum; the GStreamer domains say which case it is. */
static GIOErrorEnum
io_error_code(const GError *gst_error)
{
    if (g_error_matches(gst_error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND))
        return G_IO_ERROR_NOT_FOUND;
    if (g_error_matches(gst_error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT))
        return G_IO_ERROR_NO_SPACE;
    if (g_error_matches(gst_error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN) ||
        g_error_matches(gst_error, GST_STREAM_ERROR, GST_STREAM_ERROR_CODEC_NOT_FOUND) ||
        g_error_matches(gst_error, GST_STREAM_ERROR, GST_STREAM_ERROR_TYPE_NOT_FOUND) ||
        g_error_matches(gst_error, GST_STREAM_ERROR, GST_STREAM_ERROR_WRONG_TYPE))
        return G_IO_ERROR_NOT_SUPPORTED;
    return G_IO_ERROR_FAILED;
}

void
gs_gst_set_error_from_message(GError **error, GstMessage *message)
{
    g_autoptr(GError) gst_error = NULL;
    g_autofree char *debug = NULL;
    gst_message_parse_error(message, &gst_error, &debug);
    g_set_error(error, G_IO_ERROR, io_error_code(gst_error), "%s (%s)", gst_error->message,
                debug ? debug : "no details");
}

GstMessageType
gs_gst_wait_for_eos(GstElement *pipeline, GstClockTime timeout, GError **error)
{
    g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
    g_autoptr(GstMessage) message = gst_bus_timed_pop_filtered(bus, timeout, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    if (!message)
        return GST_MESSAGE_UNKNOWN;
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR)
        gs_gst_set_error_from_message(error, message);
    return GST_MESSAGE_TYPE(message);
}

gboolean
gs_gst_start(GstElement *pipeline, GError **error)
{
    if (gst_element_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE)
        return TRUE;
    if (gs_gst_wait_for_eos(pipeline, 0, error) != GST_MESSAGE_ERROR)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "The GStreamer pipeline did not start");
    return FALSE;
}
