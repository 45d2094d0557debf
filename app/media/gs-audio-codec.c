/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <gst/app/gstappsrc.h>
#include <gst/audio/audio.h>
#include <gst/gst.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "gs-audio.h"
#include "gs-gst-bus.h"

gboolean
gs_audio_round_trip(const float *samples, gsize frames, int channels, int rate, const char *encoder, float **out,
                    gsize *out_frames, GError **error)
{
    if (!gs_audio_check_format(channels, rate, error))
        return FALSE;
    gst_init(NULL, NULL);
    g_autofree char *tmp = g_build_filename(g_get_tmp_dir(), "genstudio-round-trip-XXXXXX", NULL);
    int fd = g_mkstemp(tmp);
    if (fd < 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot make a temporary file: %s", g_strerror(errno));
        return FALSE;
    }
    close(fd);
    g_autofree char *description = g_strdup_printf(
        "appsrc name=src format=time ! audioconvert ! audioresample ! %s ! filesink name=sink", encoder);
    g_autoptr(GstElement) pipeline = gst_parse_launch_full(description, NULL, GST_PARSE_FLAG_FATAL_ERRORS, error);
    gboolean ok = pipeline != NULL;
    if (ok) {
        g_autoptr(GstElement) src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
        g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
        g_object_set(sink, "location", tmp, NULL);
        GstAudioInfo info;
        gst_audio_info_set_format(&info, GST_AUDIO_FORMAT_F32, rate, channels, NULL);
        g_autoptr(GstCaps) caps = gst_audio_info_to_caps(&info);
        gst_app_src_set_caps(GST_APP_SRC(src), caps);
        ok = gs_gst_start(pipeline, error);
        if (ok) {
            GstBuffer *buffer = gst_buffer_new_memdup(samples, frames * channels * sizeof(float));
            GST_BUFFER_PTS(buffer) = 0;
            GST_BUFFER_DURATION(buffer) = gst_util_uint64_scale(frames, GST_SECOND, rate);
            gst_app_src_push_buffer(GST_APP_SRC(src), buffer);
            gst_app_src_end_of_stream(GST_APP_SRC(src));
            ok = gs_gst_wait_for_eos(pipeline, GST_CLOCK_TIME_NONE, error) == GST_MESSAGE_EOS;
        }
        gst_element_set_state(pipeline, GST_STATE_NULL);
    }
    ok = ok && gs_audio_decode(tmp, channels, rate, out, out_frames, error);
    g_unlink(tmp);
    return ok;
}
