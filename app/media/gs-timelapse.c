/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "gs-gst-bus.h"
#include "gs-timelapse.h"

gboolean
gs_timelapse_write(const char *path, GPtrArray *frames, int width, int height, int fps, GError **error)
{
    gst_init(NULL, NULL);
    g_autofree char *tmp = g_strdup_printf("%s.tmp-%d", path, (int)getpid());
    g_autoptr(GstElement) pipeline = gst_parse_launch(
        "appsrc name=src format=time ! videoconvert ! vp8enc deadline=1 ! webmmux ! filesink name=sink", error);
    if (!pipeline)
        return FALSE;
    g_autoptr(GstElement) src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
    g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
    g_object_set(sink, "location", tmp, NULL);
    g_autoptr(GstCaps) caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "RGBA", "width", G_TYPE_INT,
                                                  width, "height", G_TYPE_INT, height, "framerate", GST_TYPE_FRACTION,
                                                  fps, 1, NULL);
    gst_app_src_set_caps(GST_APP_SRC(src), caps);
    /* Provenance, as for audio exports: the muxer carries the tags. */
    g_autoptr(GstElement) tagger = gst_bin_get_by_interface(GST_BIN(pipeline), GST_TYPE_TAG_SETTER);
    if (tagger)
        gst_tag_setter_add_tags(GST_TAG_SETTER(tagger), GST_TAG_MERGE_REPLACE, GST_TAG_COMMENT,
                                "AI-generated with GenStudio " GS_VERSION ": the denoising steps of an image",
                                GST_TAG_ENCODER, "GenStudio " GS_VERSION, GST_TAG_APPLICATION_NAME, "GenStudio", NULL);
    if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot start the video encoder (is gstreamer1.0-plugins-good installed?)");
        return FALSE;
    }
    for (guint i = 0; i < frames->len; i++) {
        GstBuffer *buffer = gst_buffer_new_wrapped_bytes(g_ptr_array_index(frames, i));
        GST_BUFFER_PTS(buffer) = gst_util_uint64_scale(i, GST_SECOND, (guint64)fps);
        GST_BUFFER_DURATION(buffer) = gst_util_uint64_scale(1, GST_SECOND, (guint64)fps);
        gst_app_src_push_buffer(GST_APP_SRC(src), buffer);
    }
    gst_app_src_end_of_stream(GST_APP_SRC(src));
    gboolean ok = gs_gst_wait_for_eos(pipeline, GST_CLOCK_TIME_NONE, error) == GST_MESSAGE_EOS;
    gst_element_set_state(pipeline, GST_STATE_NULL);
    int fd = ok ? open(tmp, O_RDONLY) : -1;
    if (fd >= 0) { /* filesink does not sync: do it before the rename */
        fsync(fd);
        close(fd);
    }
    if (ok && rename(tmp, path) != 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot write %s: %s", path, g_strerror(errno));
        ok = FALSE;
    }
    if (!ok)
        unlink(tmp);
    return ok;
}
