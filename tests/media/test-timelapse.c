/* The timelapse export through GStreamer: a real WebM (EBML header, a VP8
 * track) that GStreamer itself decodes back into the right number of frames.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE /* memmem */
#include <gst/gst.h>
#include <glib/gstdio.h>
#include <string.h>

#include "gs-audio.h"
#include "gs-timelapse.h"

#define SIDE 64
#define FRAMES 12

static int
count_decoded_frames(const char *path)
{
    g_autofree char *description =
        g_strdup_printf("filesrc location=\"%s\" ! decodebin ! videoconvert ! fakesink name=sink signal-handoffs=true", path);
    g_autoptr(GError) error = NULL;
    g_autoptr(GstElement) pipeline = gst_parse_launch(description, &error);
    g_assert_no_error(error);
    int frames = 0;
    g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
    g_signal_connect_swapped(sink, "handoff", G_CALLBACK(g_atomic_int_inc), &frames);
    gst_element_set_state(pipeline, GST_STATE_PLAYING);
    g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
    g_autoptr(GstMessage) msg = gst_bus_timed_pop_filtered(bus, 30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    g_assert_nonnull(msg);
    g_assert_cmpint(GST_MESSAGE_TYPE(msg), ==, GST_MESSAGE_EOS);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    return frames;
}

static void
test_webm(void)
{
    g_autofree char *dir = g_dir_make_tmp("gs-timelapse-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "steps.webm", NULL);
    g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    for (int f = 0; f < FRAMES; f++) {
        guint8 *rgba = g_malloc(SIDE * SIDE * 4);
        for (int i = 0; i < SIDE * SIDE; i++) {
            rgba[i * 4] = (guint8)(f * 20);
            rgba[i * 4 + 1] = (guint8)(i % SIDE * 4);
            rgba[i * 4 + 2] = 128;
            rgba[i * 4 + 3] = 255;
        }
        g_ptr_array_add(frames, g_bytes_new_take(rgba, SIDE * SIDE * 4));
    }
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_timelapse_write(path, frames, SIDE, SIDE, 8, &error));
    g_assert_no_error(error);

    g_autofree char *data = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    g_assert_cmpuint(len, >, 100);
    g_assert_cmpmem(data, 4, "\x1a\x45\xdf\xa3", 4);  /* EBML */
    g_assert_nonnull(memmem(data, len, "V_VP8", 5));  /* the codec id */
    g_assert_cmpint(count_decoded_frames(path), ==, FRAMES);
    /* Provenance: the muxer's tags say what made it. */
    g_autofree char *tags = gs_audio_read_tags(path);
    g_assert_nonnull(tags);
    g_assert_nonnull(strstr(tags, "AI-generated with GenStudio"));

    /* An unwritable destination is an error, not a crash, and leaves nothing. */
    g_assert_false(gs_timelapse_write("/nonexistent-dir/x.webm", frames, SIDE, SIDE, 8, &error));
    g_assert_nonnull(error);
    g_remove(path);
    g_rmdir(dir);
}

int
main(int argc, char **argv)
{
    gst_init(&argc, &argv);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/timelapse/webm", test_webm);
    return g_test_run();
}
