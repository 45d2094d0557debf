/* Audio export, streaming writer and decode through GStreamer: each format
 * comes back with the right length, loudness and pitch, carries its tags
 * (title, and the AI-generated notice), and every failure leaves the disk as
 * it was.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "gs-audio-mark.h"
#include "gs-audio.h"
#include "gs-mark-install.h"

#define RATE 22050
#define TONE_HZ 440.0
#define AMPLITUDE 0.5f
#define TITLE "Test tone"
/* What stands at a path before an export there that is to fail. */
#define EARLIER_TAKE "earlier take"

/* `frames` of a sine per channel: `hz[c]` for channel c. */
static float *
sine_new(gsize frames, int channels, int rate, const double *hz)
{
    float *samples = g_new(float, frames * channels);
    for (gsize i = 0; i < frames; i++)
        for (int c = 0; c < channels; c++)
            samples[i * channels + c] = AMPLITUDE * (float)sin(2.0 * G_PI * hz[c] * (double)i / rate);
    return samples;
}

/* `frames` of TONE_HZ, mono at RATE. */
static float *
tone_new(gsize frames)
{
    const double hz[] = { TONE_HZ };
    return sine_new(frames, 1, RATE, hz);
}

static double
rms(const float *samples, gsize frames, int channels, int channel)
{
    double sum = 0.0;
    for (gsize i = 0; i < frames; i++)
        sum += (double)samples[i * channels + channel] * samples[i * channels + channel];
    return sqrt(sum / (double)frames);
}

/* A pure tone's frequency from its upward zero crossings: whole periods
 * between the first and the last crossing (interpolated between samples). */
static double
dominant_frequency(const float *samples, gsize frames, int channels, int channel, int rate)
{
    int crossings = 0;
    double first = 0.0, last = 0.0;
    for (gsize i = 1; i < frames; i++) {
        float before = samples[(i - 1) * channels + channel], after = samples[i * channels + channel];
        if (before < 0.0f && after >= 0.0f) {
            last = (double)(i - 1) + before / (before - after);
            if (crossings++ == 0)
                first = last;
        }
    }
    g_assert_cmpint(crossings, >=, 2);
    return (crossings - 1) / ((last - first) / rate);
}

static char *
make_tmp_dir(void)
{
    g_autoptr(GError) error = NULL;
    char *dir = g_dir_make_tmp("gs-audio-XXXXXX", &error);
    g_assert_no_error(error);
    return dir;
}

static void
assert_exports(const char *path, const float *samples, gsize frames, int channels, int rate, const GsAudioTags *tags)
{
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_audio_export(path, samples, frames, channels, rate, tags, NULL, NULL, NULL, &error));
    g_assert_no_error(error);
}

/* A second of tone exported to `name` in `dir`: its path. */
static char *
export_tone(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    g_autofree float *tone = tone_new(RATE);
    assert_exports(path, tone, RATE, 1, RATE, NULL);
    return path;
}

static float *
assert_decodes(const char *path, int channels, int rate, gsize *frames)
{
    g_autoptr(GError) error = NULL;
    float *decoded = NULL;
    *frames = 0;
    g_assert_true(gs_audio_decode(path, channels, rate, &decoded, frames, &error));
    g_assert_no_error(error);
    return decoded;
}

static void
assert_earlier_take_kept(const char *path)
{
    g_autofree char *contents = NULL;
    g_assert_true(g_file_get_contents(path, &contents, NULL, NULL));
    g_assert_cmpstr(contents, ==, EARLIER_TAKE);
}

/* A writer given a second of tone, freed before finish. */
static void
drop_unfinished_writer(const char *path)
{
    g_autofree float *tone = tone_new(RATE);
    g_autoptr(GError) error = NULL;
    GsAudioWriter *writer = gs_audio_writer_new(path, 1, RATE, NULL, &error);
    g_assert_no_error(error);
    g_assert_true(gs_audio_writer_push(writer, tone, RATE, &error));
    g_assert_no_error(error);
    gs_audio_writer_free(writer);
}

static guint
count_entries(const char *dir)
{
    g_autoptr(GDir) listing = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(listing);
    guint n = 0;
    while (g_dir_read_name(listing))
        n++;
    return n;
}

static void
remove_tree(const char *dir)
{
    g_autoptr(GDir) listing = g_dir_open(dir, 0, NULL);
    const char *name;
    while (listing && (name = g_dir_read_name(listing))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_assert_cmpint(g_remove(path), ==, 0);
    }
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

typedef struct {
    const char *needle;
    gboolean found;
} TagSearch;

static void
search_tag(const GstTagList *list, const char *tag, gpointer user_data)
{
    TagSearch *search = user_data;
    for (guint i = 0; i < gst_tag_list_get_tag_size(list, tag); i++) {
        const GValue *value = gst_tag_list_get_value_index(list, tag, i);
        if (G_VALUE_HOLDS_STRING(value) && strstr(g_value_get_string(value), search->needle))
            search->found = TRUE;
    }
}

/* All tags GstDiscoverer finds in the file: the container's and every stream's. */
static GstTagList *
discover_tags(const char *path)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GstDiscoverer) discoverer = gst_discoverer_new(10 * GST_SECOND, &error);
    g_assert_no_error(error);
    g_autofree char *uri = gst_filename_to_uri(path, &error);
    g_assert_no_error(error);
    g_autoptr(GstDiscovererInfo) info = gst_discoverer_discover_uri(discoverer, uri, &error);
    g_assert_no_error(error);
    g_assert_cmpint(gst_discoverer_info_get_result(info), ==, GST_DISCOVERER_OK);
    GstTagList *all = gst_tag_list_new_empty();
    GList *streams = gst_discoverer_info_get_stream_list(info);
    for (GList *s = streams; s; s = s->next) {
        const GstTagList *tags = gst_discoverer_stream_info_get_tags(s->data);
        if (tags)
            gst_tag_list_insert(all, tags, GST_TAG_MERGE_APPEND);
        if (GST_IS_DISCOVERER_CONTAINER_INFO(s->data)) {
            tags = gst_discoverer_container_info_get_tags(s->data);
            if (tags)
                gst_tag_list_insert(all, tags, GST_TAG_MERGE_APPEND);
        }
    }
    gst_discoverer_stream_info_list_free(streams);
    return all;
}

static void
assert_tags(const char *path)
{
    g_autoptr(GstTagList) tags = discover_tags(path);
    g_autofree char *title = NULL;
    g_assert_true(gst_tag_list_get_string(tags, GST_TAG_TITLE, &title));
    g_assert_cmpstr(title, ==, TITLE);
    TagSearch search = { "AI-generated", FALSE };
    gst_tag_list_foreach(tags, search_tag, &search);
    g_assert_true(search.found);
}

static void
test_round_trip(gconstpointer data)
{
    const char *extension = data;
    g_autofree char *dir = make_tmp_dir();
    g_autofree char *name = g_strconcat("tone", extension, NULL);
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree float *tone = tone_new(RATE);
    GsAudioTags tags = { .title = TITLE, .artist = "GenStudio tests" };
    assert_exports(path, tone, RATE, 1, RATE, &tags);
    g_assert_cmpuint(count_entries(dir), ==, 1); /* no temporary file left */

    gsize frames;
    g_autofree float *decoded = assert_decodes(path, 1, RATE, &frames);
    /* Lossless formats give the length back exactly; Vorbis and Opus
     * (pre-skip, resampling to 48 kHz and back) within 30 ms, though on
     * GStreamer 1.22 Vorbis is exact too and Opus one frame short. */
    g_test_message("%s: %" G_GSIZE_FORMAT " frames of %d", extension, frames, RATE);
    if (g_str_equal(extension, ".wav") || g_str_equal(extension, ".flac"))
        g_assert_cmpuint(frames, ==, RATE);
    else
        g_assert_cmpfloat(fabs((double)frames - RATE) / RATE, <=, 0.030);
    double loudness = rms(decoded, frames, 1, 0), expected = rms(tone, RATE, 1, 0);
    g_assert_cmpfloat(fabs(loudness - expected) / expected, <, 0.10);
    double frequency = dominant_frequency(decoded, frames, 1, 0, RATE);
    g_test_message("%s: rms %.4f of %.4f, %.1f Hz", extension, loudness, expected, frequency);
    g_assert_cmpfloat(fabs(frequency - TONE_HZ) / TONE_HZ, <, 0.02);
    if (g_str_equal(extension, ".wav")) { /* 16-bit PCM: rounding and TPDF dither, 1.5 steps at most */
        /* What went in: the tone and its watermark. */
        GsMarkPayload payload = gs_mark_payload_for("GenStudio");
        GsAudioMarker *marker = gs_audio_marker_new(RATE, 1, &payload);
        gs_audio_marker_apply(marker, tone, RATE);
        gs_audio_marker_free(marker);
        float worst = 0.0f;
        for (gsize i = 0; i < frames; i++)
            worst = MAX(worst, fabsf(decoded[i] - tone[i]));
        g_test_message(".wav: samples within %.2f of 1/32768", worst * 32768.0f);
        g_assert_cmpfloat(worst, <=, 2.0f / 32768.0f);
    }
    assert_tags(path); /* for WAV too: wavenc writes a LIST INFO chunk */
    remove_tree(dir);
}

/* Stereo at 44.1 kHz in every format: the channels stay apart, in order. */
static void
test_stereo(gconstpointer data)
{
    const char *extension = data;
    const int rate = 44100;
    g_autofree char *dir = make_tmp_dir();
    g_autofree char *name = g_strconcat("stereo", extension, NULL);
    g_autofree char *path = g_build_filename(dir, name, NULL);
    const double hz[] = { 440.0, 660.0 };
    g_autofree float *tone = sine_new(rate, 2, rate, hz);
    assert_exports(path, tone, rate, 2, rate, NULL);

    gsize frames;
    g_autofree float *decoded = assert_decodes(path, 2, rate, &frames);
    g_assert_cmpfloat(fabs((double)frames - rate) / rate, <=, 0.030);
    for (int c = 0; c < 2; c++) {
        double frequency = dominant_frequency(decoded, frames, 2, c, rate);
        g_assert_cmpfloat(fabs(frequency - hz[c]) / hz[c], <, 0.02);
        g_assert_cmpfloat(fabs(rms(decoded, frames, 2, c) - rms(tone, rate, 2, c)) / rms(tone, rate, 2, c), <, 0.10);
    }
    remove_tree(dir);
}

/* Decoding converts: mono 22.05 kHz comes back as stereo 44.1 kHz. */
static void
test_decode_converts(void)
{
    g_autofree char *dir = make_tmp_dir();
    g_autofree char *path = export_tone(dir, "tone.wav");

    gsize frames;
    g_autofree float *decoded = assert_decodes(path, 2, 2 * RATE, &frames);
    g_assert_cmpfloat(fabs((double)frames - 2 * RATE), <=, 0.030 * 2 * RATE);
    for (gsize i = 0; i < frames; i++)
        g_assert_cmpfloat(decoded[2 * i], ==, decoded[2 * i + 1]);
    g_assert_cmpfloat(fabs(dominant_frequency(decoded, frames, 2, 0, 2 * RATE) - TONE_HZ) / TONE_HZ, <, 0.02);
    remove_tree(dir);
}

/* A mono take at the speech model's rate onto the timeline: stereo 44.1 kHz,
 * as long as before, the tone where it was. */
static void
test_convert(void)
{
    const int rate = 22050, out_rate = 44100;
    const double hz[] = { TONE_HZ };
    g_autofree float *tone = sine_new(rate, 1, rate, hz);
    g_autofree float *converted = NULL;
    gsize frames = 0;
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_audio_convert(tone, rate, 1, rate, 2, out_rate, &converted, &frames, &error));
    g_assert_no_error(error);
    g_assert_cmpfloat(fabs((double)frames - out_rate), <=, 0.005 * out_rate);
    for (gsize i = 0; i < frames; i++)
        g_assert_cmpfloat(converted[2 * i], ==, converted[2 * i + 1]);
    g_assert_cmpfloat(fabs(dominant_frequency(converted, frames, 2, 0, out_rate) - TONE_HZ) / TONE_HZ, <, 0.01);
    g_assert_cmpfloat(fabs(rms(converted, frames, 2, 0) - AMPLITUDE / G_SQRT2), <, 0.02);

    g_assert_false(gs_audio_convert(tone, 0, 1, rate, 2, out_rate, &converted, &frames, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
test_unsupported_extension(void)
{
    g_autofree char *dir = make_tmp_dir();
    g_autofree char *path = g_build_filename(dir, "tone.mp5", NULL);
    g_autofree float *tone = tone_new(RATE);
    g_autoptr(GError) error = NULL;
    g_assert_false(gs_audio_export(path, tone, RATE, 1, RATE, NULL, NULL, NULL, NULL, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
    for (const char *const *ext = (const char *const[]){ ".wav", ".flac", ".ogg", ".opus", NULL }; *ext; ext++)
        g_assert_nonnull(strstr(error->message, *ext));
    g_assert_cmpuint(count_entries(dir), ==, 0);

    /* The extension's case does not matter. */
    g_autofree char *upper = g_build_filename(dir, "TONE.WAV", NULL);
    assert_exports(upper, tone, RATE, 1, RATE, NULL);
    remove_tree(dir);
}

static void
test_invalid_format(void)
{
    g_autofree char *dir = make_tmp_dir();
    g_autofree char *path = g_build_filename(dir, "never.wav", NULL);
    const float silence[6] = { 0 };
    g_autoptr(GError) error = NULL;
    g_assert_false(gs_audio_export(path, silence, 2, 3, RATE, NULL, NULL, NULL, NULL, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);
    g_assert_false(gs_audio_export(path, silence, 6, 1, 100, NULL, NULL, NULL, NULL, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);
    g_assert_false(gs_audio_export(path, silence, 0, 1, RATE, NULL, NULL, NULL, NULL, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_assert_cmpuint(count_entries(dir), ==, 0);
    remove_tree(dir);
}

static void
test_unwritable(void)
{
    g_autofree float *tone = tone_new(RATE);
    g_autoptr(GError) error = NULL;
    g_assert_false(gs_audio_export("/proc/nonexistent/x.wav", tone, RATE, 1, RATE, NULL, NULL, NULL, NULL, &error));
    g_assert_nonnull(error);
    g_assert_nonnull(strstr(error->message, "/proc/nonexistent/x.wav"));
    g_clear_error(&error);

    g_autofree char *dir = make_tmp_dir();
    g_autofree char *file = g_build_filename(dir, "file.txt", NULL);
    g_assert_true(g_file_set_contents(file, "not a directory", -1, NULL));
    g_autofree char *inside = g_build_filename(file, "x.flac", NULL);
    g_assert_false(gs_audio_export(inside, tone, RATE, 1, RATE, NULL, NULL, NULL, NULL, &error));
    g_assert_nonnull(error);
    g_assert_nonnull(strstr(error->message, inside));
    g_assert_cmpuint(count_entries(dir), ==, 1);
    remove_tree(dir);
}

static void
cancel_at_first_progress(double fraction, gpointer user_data)
{
    g_cancellable_cancel(user_data);
}

/* A failed export leaves the existing file alone and no temporary behind:
 * cancelled before it starts, and cancelled between chunks. */
static void
test_failure_keeps_existing(void)
{
    g_autofree char *dir = make_tmp_dir();
    g_autofree char *path = g_build_filename(dir, "keep.opus", NULL);
    g_assert_true(g_file_set_contents(path, EARLIER_TAKE, -1, NULL));
    g_autofree float *tone = tone_new(3 * RATE);
    g_autoptr(GError) error = NULL;

    g_autoptr(GCancellable) cancelled = g_cancellable_new();
    g_cancellable_cancel(cancelled);
    g_assert_false(gs_audio_export(path, tone, 3 * RATE, 1, RATE, NULL, NULL, NULL, cancelled, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error(&error);

    g_autoptr(GCancellable) midway = g_cancellable_new();
    g_assert_false(gs_audio_export(path, tone, 3 * RATE, 1, RATE, NULL, cancel_at_first_progress, midway, midway,
                                   &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

    assert_earlier_take_kept(path);
    g_assert_cmpuint(count_entries(dir), ==, 1);
    remove_tree(dir);
}

static void
record_progress(double fraction, gpointer user_data)
{
    g_array_append_val((GArray *)user_data, fraction);
}

static void
test_progress(void)
{
    g_autofree char *dir = make_tmp_dir();
    g_autofree char *path = g_build_filename(dir, "progress.ogg", NULL);
    g_autofree float *tone = tone_new(3 * RATE);
    g_autoptr(GArray) fractions = g_array_new(FALSE, FALSE, sizeof(double));
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_audio_export(path, tone, 3 * RATE, 1, RATE, NULL, record_progress, fractions, NULL, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(fractions->len, >=, 6); /* 3 s in half-second chunks */
    for (guint i = 1; i < fractions->len; i++)
        g_assert_cmpfloat(g_array_index(fractions, double, i), >, g_array_index(fractions, double, i - 1));
    g_assert_cmpfloat(g_array_index(fractions, double, 0), >, 0.0);
    g_assert_cmpfloat(g_array_index(fractions, double, fractions->len - 1), ==, 1.0);
    remove_tree(dir);
}

/* 20 pushes of a quarter second, as speech comes sentence by sentence, make
 * one 5 s file with the tone running on across the pushes. */
static void
test_writer_round_trip(gconstpointer data)
{
    const char *extension = data;
    g_autofree char *dir = make_tmp_dir();
    g_autofree char *name = g_strconcat("stream", extension, NULL);
    g_autofree char *path = g_build_filename(dir, name, NULL);
    const gsize chunk = RATE / 4, total = 20 * chunk;
    g_autofree float *tone = tone_new(total);
    GsAudioTags tags = { .title = TITLE };
    g_autoptr(GError) error = NULL;
    g_autoptr(GsAudioWriter) writer = gs_audio_writer_new(path, 1, RATE, &tags, &error);
    g_assert_no_error(error);
    for (gsize first = 0; first < total; first += chunk) {
        g_assert_true(gs_audio_writer_push(writer, tone + first, chunk, &error));
        g_assert_no_error(error);
    }
    g_assert_true(gs_audio_writer_finish(writer, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(count_entries(dir), ==, 1); /* no temporary file left */

    gsize frames;
    g_autofree float *decoded = assert_decodes(path, 1, RATE, &frames);
    g_test_message("%s: %" G_GSIZE_FORMAT " frames of %" G_GSIZE_FORMAT, extension, frames, total);
    g_assert_cmpfloat(fabs((double)frames / RATE - 5.0), <=, 0.030);
    g_assert_cmpfloat(fabs(dominant_frequency(decoded, frames, 1, 0, RATE) - TONE_HZ) / TONE_HZ, <, 0.02);
    assert_tags(path);
    remove_tree(dir);
}

/* A minute of stereo at 44.1 kHz in one push (a music mix): libvorbis
 * crashed on it as one buffer, so the writer hands it on in chunks. */
static void
test_writer_long_push(void)
{
    g_autofree char *dir = make_tmp_dir();
    g_autofree char *path = g_build_filename(dir, "minute.ogg", NULL);
    const int rate = 44100;
    const gsize frames = 60 * (gsize)rate;
    const double hz[] = { TONE_HZ, 2 * TONE_HZ };
    g_autofree float *stereo = sine_new(frames, 2, rate, hz);
    g_autoptr(GError) error = NULL;
    g_autoptr(GsAudioWriter) writer = gs_audio_writer_new(path, 2, rate, NULL, &error);
    g_assert_no_error(error);
    g_assert_true(gs_audio_writer_push(writer, stereo, frames, &error));
    g_assert_true(gs_audio_writer_finish(writer, &error));
    g_assert_no_error(error);
    gsize decoded_frames = 0;
    g_autofree float *decoded = assert_decodes(path, 2, rate, &decoded_frames);
    g_assert_cmpfloat(fabs((double)decoded_frames / rate - 60.0), <=, 0.030);
    remove_tree(dir);
}

/* A writer freed before finish leaves nothing: no file, no temporary. */
static void
test_writer_unfinished(void)
{
    g_autofree char *dir = make_tmp_dir();
    g_autofree char *path = g_build_filename(dir, "dropped.ogg", NULL);
    drop_unfinished_writer(path);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    g_assert_cmpuint(count_entries(dir), ==, 0);
    remove_tree(dir);
}

static void
test_writer_keeps_existing(void)
{
    g_autofree char *dir = make_tmp_dir();
    g_autofree char *path = g_build_filename(dir, "keep.wav", NULL);
    g_assert_true(g_file_set_contents(path, EARLIER_TAKE, -1, NULL));
    drop_unfinished_writer(path);
    assert_earlier_take_kept(path);
    g_assert_cmpuint(count_entries(dir), ==, 1);
    remove_tree(dir);
}

/* A bad path fails in gs_audio_writer_new, before any audio is made. */
static void
test_writer_refuses(void)
{
    g_autofree char *dir = make_tmp_dir();
    g_autofree char *path = g_build_filename(dir, "tone.mp5", NULL);
    g_autoptr(GError) error = NULL;
    g_assert_null(gs_audio_writer_new(path, 1, RATE, NULL, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
    g_assert_cmpuint(count_entries(dir), ==, 0);
    g_clear_error(&error);

    g_assert_null(gs_audio_writer_new("/proc/nonexistent/x.wav", 1, RATE, NULL, &error));
    g_assert_nonnull(error);
    g_assert_nonnull(strstr(error->message, "/proc/nonexistent/x.wav"));
    g_clear_error(&error);

    /* Finishing without audio would leave an empty file. */
    g_autofree char *empty = g_build_filename(dir, "empty.ogg", NULL);
    g_autoptr(GsAudioWriter) writer = gs_audio_writer_new(empty, 1, RATE, NULL, &error);
    g_assert_no_error(error);
    g_assert_false(gs_audio_writer_finish(writer, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_pointer(&writer, gs_audio_writer_free);
    g_assert_cmpuint(count_entries(dir), ==, 0);
    remove_tree(dir);
}

static void
test_decode_not_audio(void)
{
    g_autofree char *dir = make_tmp_dir();
    g_autofree char *path = g_build_filename(dir, "noise.ogg", NULL);
    guint8 bytes[8192];
    g_autoptr(GRand) rand = g_rand_new_with_seed(7);
    for (gsize i = 0; i < sizeof bytes; i++)
        bytes[i] = (guint8)g_rand_int_range(rand, 0, 256);
    g_assert_true(g_file_set_contents(path, (const char *)bytes, sizeof bytes, NULL));
    g_autofree float *decoded = NULL;
    gsize frames = 0;
    g_autoptr(GError) error = NULL;
    g_assert_false(gs_audio_decode(path, 1, RATE, &decoded, &frames, &error));
    g_assert_nonnull(error);
    g_assert_nonnull(strstr(error->message, path));
    g_assert_null(decoded);
    g_clear_error(&error);

    g_autofree char *missing = g_build_filename(dir, "missing.wav", NULL);
    g_assert_false(gs_audio_decode(missing, 1, RATE, &decoded, &frames, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    remove_tree(dir);
}

static void
test_decode_truncated(void)
{
    g_autofree char *dir = make_tmp_dir();
    g_autofree char *path = export_tone(dir, "tone.ogg");
    g_autofree char *contents = NULL;
    gsize length = 0;
    g_assert_true(g_file_get_contents(path, &contents, &length, NULL));
    g_assert_cmpuint(length, >, 3000);
    g_autofree char *cut = g_build_filename(dir, "cut.ogg", NULL);
    g_assert_true(g_file_set_contents(cut, contents, 3000, NULL));

    g_autofree float *decoded = NULL;
    gsize frames = 0;
    g_autoptr(GError) error = NULL;
    gboolean ok = gs_audio_decode(cut, 1, RATE, &decoded, &frames, &error);
    g_test_message("3000 bytes of %" G_GSIZE_FORMAT ": %s", length,
                   ok ? "fewer frames" : error->message);
    if (ok)
        g_assert_cmpuint(frames, <, RATE);
    else
        g_assert_nonnull(error);
    remove_tree(dir);
}

int
main(int argc, char **argv)
{
    g_setenv("GENSTUDIO_INSTALL_ID", "5eed1d", TRUE); /* before any thread */
    gst_init(&argc, &argv);
    g_test_init(&argc, &argv, NULL);
    static const char *const extensions[] = { ".wav", ".flac", ".ogg", ".opus" };
    for (gsize i = 0; i < G_N_ELEMENTS(extensions); i++) {
        g_autofree char *name = g_strdup_printf("/audio/export/round-trip/%s", extensions[i] + 1);
        g_test_add_data_func(name, extensions[i], test_round_trip);
        g_autofree char *stereo_name = g_strdup_printf("/audio/export/stereo/%s", extensions[i] + 1);
        g_test_add_data_func(stereo_name, extensions[i], test_stereo);
    }
    g_test_add_func("/audio/export/unsupported-extension", test_unsupported_extension);
    g_test_add_func("/audio/export/invalid-format", test_invalid_format);
    g_test_add_func("/audio/export/unwritable", test_unwritable);
    g_test_add_func("/audio/export/failure-keeps-existing", test_failure_keeps_existing);
    g_test_add_func("/audio/export/progress", test_progress);
    g_test_add_data_func("/audio/writer/round-trip/ogg", ".ogg", test_writer_round_trip);
    g_test_add_data_func("/audio/writer/round-trip/wav", ".wav", test_writer_round_trip);
    g_test_add_func("/audio/writer/long-push", test_writer_long_push);
    g_test_add_func("/audio/writer/unfinished", test_writer_unfinished);
    g_test_add_func("/audio/writer/keeps-existing", test_writer_keeps_existing);
    g_test_add_func("/audio/writer/refuses", test_writer_refuses);
    g_test_add_func("/audio/decode/converts", test_decode_converts);
    g_test_add_func("/audio/convert", test_convert);
    g_test_add_func("/audio/decode/not-audio", test_decode_not_audio);
    g_test_add_func("/audio/decode/truncated", test_decode_truncated);
    return g_test_run();
}
