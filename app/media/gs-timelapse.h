/* Frames → WebM (VP8) through GStreamer: appsrc ! videoconvert ! vp8enc !
 * webmmux ! filesink.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

/* `frames`: GBytes of width×height RGBA pixels each, shown `fps` per second.
 * Blocking (call it from a worker thread); the file is written atomically. */
gboolean gs_timelapse_write(const char *path, GPtrArray *frames, int width, int height, int fps, GError **error);
