/* The one place where GStreamer bus messages become GErrors, shared by the
 * blocking exports and decoders and by the audio player's bus watch.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

/* An error message → a GError (GIOErrorEnum) that carries GStreamer's
 * message and its debug string. */
void gs_gst_set_error_from_message(GError **error, GstMessage *message);

/* Waits up to `timeout` (GST_CLOCK_TIME_NONE: as long as it takes) for the
 * end of the stream. Returns GST_MESSAGE_EOS; GST_MESSAGE_ERROR with `error`
 * set; or GST_MESSAGE_UNKNOWN when the time ran out first. */
GstMessageType gs_gst_wait_for_eos(GstElement *pipeline, GstClockTime timeout, GError **error);

/* Sets the pipeline playing; when it refuses, the error it posted. */
gboolean gs_gst_start(GstElement *pipeline, GError **error);
