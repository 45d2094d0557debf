/* genstudio-cli bench music:
 *  (a) seconds to parse, arrange and render a 30 s piece, for three styles,
 *      as a real-time factor and against the target of 3 s;
 *  (b) an 8-track, 30 s timeline (four rendered stems, two rendered mixes,
 *      two synthetic tones): the real-time factor of its offline mixdown,
 *      then a real-time playback in which each block is mixed just before
 *      it is needed and pushed through appsrc ! audioconvert ! fakesink
 *      sync=true. A buffer counts as an underrun when the sink renders it
 *      more than LATE_MS after its due time (measured in fakesink's
 *      handoff against the pipeline clock); each block's mixing time is
 *      also compared with its length;
 *  (c) a 3-minute pop song with a sung vocal line from ten lyric lines,
 *      made as `genstudio-cli music --lyrics` makes it (the band on its own
 *      thread while the vocals are sung): seconds against the 10 s target
 *      and against the band alone, the vocals' seconds of work per second
 *      sung, and pocketsphinx's word
 *      error rate on the vocal stem alone (sung words are harder to
 *      recognise than spoken ones: a floor to improve from), and the
 *      stem's pitch accuracy (gs_vocal_line_pitch_accuracy, as
 *      test-music-vocals asserts it on shorter songs).
 * Not a test: nothing asserts.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>

#include <gst/app/gstappsrc.h>
#include <gst/audio/audio.h>

#include <glib/gstdio.h>

#include "bench-listen.h"
#include "cli.h"
#include "gs-audio.h"
#include "gs-gst-bus.h"
#include "gs-music-render.h"
#include "gs-music-vocals.h"
#include "gs-speech-job.h"
#include "gs-timeline-mix.h"

#define PIECE_SECONDS 30.0
#define TARGET_SECONDS 3.0
#define N_TRACKS 8
/* 1024 frames (23 ms), the block of a typical audio callback, with two
 * blocks queued in appsrc: the mixer has little slack, as in a live view. */
#define BLOCK_FRAMES 1024
#define QUEUED_BLOCKS 2
#define LATE_MS 20

#define SONG_PROMPT "happy pop song, 3 minutes"
#define SONG_TARGET_SECONDS 10.0
/* Ten lines none of the samples or tests sing. */
static const char song_lyrics[] = "Paper boats are sailing down the street\n"
                                  "Rain is drumming softly on my feet\n"
                                  "Every window glowing in the town\n"
                                  "Nobody is ready to sleep now\n"
                                  "Tell me all the stories of the sea\n"
                                  "Sing them slowly one more time for me\n"
                                  "Silver stars are falling from the sky\n"
                                  "Catch a wish before it passes by\n"
                                  "When the morning finds us on the hill\n"
                                  "We will still be dancing standing still\n";

static const char *const prompts[] = { "rock, 30 seconds", "ambient, 30 seconds", "bossa nova, 30 seconds" };

typedef struct {
    guint buffers;
    guint late;
    GstClockTimeDiff worst;
} lateness;

static GsMusicAudio *
compose(const char *text, const char *soundfont, double *seconds, GError **error)
{
    gint64 start = g_get_monotonic_time();
    g_autoptr(GsMusicPrompt) prompt = gs_music_prompt_parse(text, error);
    if (!prompt)
        return NULL;
    g_autoptr(GsArrangement) arr = gs_arrangement_new(prompt, 42);
    GsMusicAudio *audio = gs_music_render(arr, soundfont, NULL, NULL, error);
    *seconds = (g_get_monotonic_time() - start) / 1e6;
    return audio;
}

static GBytes *
stereo_bytes(const float *samples, gsize frames)
{
    return g_bytes_new(samples, frames * GS_TIMELINE_CHANNELS * sizeof(float));
}

/* A sine at `hz` with a slow tremolo, so it is not constant. */
static GBytes *
tone(double hz, double seconds)
{
    gsize frames = (gsize)(seconds * GS_TIMELINE_RATE);
    float *samples = g_new(float, frames * GS_TIMELINE_CHANNELS);
    for (gsize i = 0; i < frames; i++) {
        double t = (double)i / GS_TIMELINE_RATE;
        float v = (float)(0.2 * sin(2.0 * G_PI * hz * t) * (0.75 + 0.25 * sin(2.0 * G_PI * 0.5 * t)));
        samples[2 * i] = samples[2 * i + 1] = v;
    }
    return g_bytes_new_take(samples, frames * GS_TIMELINE_CHANNELS * sizeof(float));
}

static gboolean
add(GsTimeline *timeline, const char *name, GBytes *audio, GError **error)
{
    guint track = gs_timeline_add_track(timeline, name);
    return gs_timeline_add_clip(timeline, track, name, name, audio, 0.0, error) != 0;
}

/* The rock stems, the mixes of the other two and two tones: eight tracks. */
static GsTimeline *
build_timeline(GsMusicAudio *const *pieces, GError **error)
{
    g_autoptr(GsTimeline) timeline = gs_timeline_new();
    gboolean ok = TRUE;
    for (int part = 0; ok && part < GS_MUSIC_PART_COUNT; part++) {
        g_autoptr(GBytes) stem = stereo_bytes(pieces[0]->stems[part], pieces[0]->frames);
        ok = add(timeline, gs_music_part_name(part), stem, error);
    }
    for (int i = 1; ok && i < 3; i++) {
        g_autoptr(GBytes) mix = stereo_bytes(pieces[i]->mix, pieces[i]->frames);
        ok = add(timeline, prompts[i], mix, error);
    }
    g_autoptr(GBytes) low = tone(110.0, PIECE_SECONDS), high = tone(660.0, PIECE_SECONDS);
    ok = ok && add(timeline, "tone 110 Hz", low, error) && add(timeline, "tone 660 Hz", high, error);
    return ok ? g_steal_pointer(&timeline) : NULL;
}

/* On the streaming thread, after the sink has waited for the buffer's due
 * time: rendering later than that means the buffer arrived late. */
static void
on_handoff(GstElement *sink, GstBuffer *buffer, GstPad *pad, gpointer user_data)
{
    lateness *l = user_data;
    g_autoptr(GstClock) clock = gst_element_get_clock(sink);
    if (!clock || !GST_BUFFER_PTS_IS_VALID(buffer))
        return;
    GstClockTime now = gst_clock_get_time(clock) - gst_element_get_base_time(sink);
    GstClockTimeDiff late = GST_CLOCK_DIFF(GST_BUFFER_PTS(buffer), now);
    l->buffers++;
    l->late += late > LATE_MS * GST_MSECOND;
    l->worst = MAX(l->worst, late);
}

static gboolean
play_real_time(GsTimeline *timeline, GError **error)
{
    gst_init(NULL, NULL);
    g_autoptr(GstElement) pipeline = gst_parse_launch_full(
        "appsrc name=src format=time block=true ! audioconvert ! fakesink name=sink sync=true signal-handoffs=true",
        NULL, GST_PARSE_FLAG_FATAL_ERRORS, error);
    if (!pipeline)
        return FALSE;
    g_autoptr(GstElement) src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
    g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
    GstAudioInfo info;
    gst_audio_info_set_format(&info, GST_AUDIO_FORMAT_F32, GS_TIMELINE_RATE, GS_TIMELINE_CHANNELS, NULL);
    g_autoptr(GstCaps) caps = gst_audio_info_to_caps(&info);
    gst_app_src_set_caps(GST_APP_SRC(src), caps);
    gst_app_src_set_max_bytes(GST_APP_SRC(src), QUEUED_BLOCKS * BLOCK_FRAMES * GS_TIMELINE_CHANNELS * sizeof(float));
    lateness l = { 0 };
    g_signal_connect(sink, "handoff", G_CALLBACK(on_handoff), &l);
    if (!gs_gst_start(pipeline, error))
        return FALSE;

    double duration = gs_timeline_get_duration(timeline), block_seconds = (double)BLOCK_FRAMES / GS_TIMELINE_RATE;
    guint blocks = 0, slow_blocks = 0;
    double worst_mix = 0.0;
    gboolean ok = TRUE;
    for (gsize first = 0; ok && (double)first / GS_TIMELINE_RATE < duration; first += BLOCK_FRAMES) {
        double start = (double)first / GS_TIMELINE_RATE;
        float *stereo = NULL;
        gsize frames = 0;
        gint64 t0 = g_get_monotonic_time();
        ok = gs_timeline_mix(timeline, start, MIN(start + block_seconds, duration), &stereo, &frames, error);
        double took = (g_get_monotonic_time() - t0) / 1e6;
        if (!ok)
            break;
        blocks++;
        slow_blocks += took > block_seconds;
        worst_mix = MAX(worst_mix, took);
        GstBuffer *buffer = gst_buffer_new_wrapped(stereo, frames * GS_TIMELINE_CHANNELS * sizeof(float));
        GST_BUFFER_PTS(buffer) = gst_util_uint64_scale(first, GST_SECOND, GS_TIMELINE_RATE);
        GST_BUFFER_DURATION(buffer) = gst_util_uint64_scale(frames, GST_SECOND, GS_TIMELINE_RATE);
        ok = gst_app_src_push_buffer(GST_APP_SRC(src), buffer) == GST_FLOW_OK;
        if (!ok)
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "appsrc refused a buffer");
    }
    if (ok) {
        gst_app_src_end_of_stream(GST_APP_SRC(src));
        ok = gs_gst_wait_for_eos(pipeline, GST_CLOCK_TIME_NONE, error) == GST_MESSAGE_EOS;
    }
    gst_element_set_state(pipeline, GST_STATE_NULL);
    if (!ok)
        return FALSE;
    printf("real-time playback, %u blocks of %d frames (%.1f ms), %d queued:\n", blocks, BLOCK_FRAMES,
           1e3 * block_seconds, QUEUED_BLOCKS);
    printf("  underruns (rendered > %d ms late at the sink): %u of %u buffers, worst %+.1f ms\n", LATE_MS, l.late,
           l.buffers, (double)l.worst / GST_MSECOND);
    printf("  blocks mixed slower than they play: %u, slowest %.2f ms = %.3f of its %.1f ms\n", slow_blocks,
           1e3 * worst_mix, worst_mix / block_seconds, 1e3 * block_seconds);
    return TRUE;
}

/* The vocal stem alone, heard by pocketsphinx, as a word error rate. */
static double
stem_wer(const float *stereo, gsize frames, GError **error)
{
    g_autofree char *dir = g_dir_make_tmp("genstudio-bench-vocals-XXXXXX", error);
    g_autofree char *wav = dir ? g_build_filename(dir, "vocals.wav", NULL) : NULL;
    g_autofree char *heard = wav && gs_audio_export(wav, stereo, frames, 2, GS_MUSIC_SAMPLE_RATE, NULL, NULL, NULL,
                                                    NULL, error)
                                 ? gs_bench_recognise(wav, dir, error)
                                 : NULL;
    if (dir) {
        const char *made[] = { "vocals.wav", "16k.wav" };
        for (gsize i = 0; i < G_N_ELEMENTS(made); i++) {
            g_autofree char *path = g_build_filename(dir, made[i], NULL);
            g_remove(path);
        }
        g_rmdir(dir);
    }
    return heard ? gs_bench_word_error_rate(song_lyrics, heard) : NAN;
}

/* The song as `genstudio-cli music --lyrics` makes it: the band rendered on
 * a thread of its own while the vocals are sung; the band alone first, as
 * the reference. The speech model is loaded before the clock starts. */
static gboolean
bench_song(gs_context *ctx, const char *soundfont, GError **error)
{
    g_autofree char *model_path = gs_default_speech_model_path();
    gs_speech *model = gs_load_speech(ctx, model_path, error);
    g_autoptr(GsMusicPrompt) prompt = model ? gs_music_prompt_parse(SONG_PROMPT, error) : NULL;
    g_autoptr(GsArrangement) arr = prompt ? gs_arrangement_new(prompt, 42) : NULL;
    gint64 start = g_get_monotonic_time();
    g_autoptr(GsMusicAudio) alone = arr ? gs_music_render(arr, soundfont, NULL, NULL, error) : NULL;
    double band = (g_get_monotonic_time() - start) / 1e6;

    start = g_get_monotonic_time();
    GsMusicRenderThread *render = alone ? gs_music_render_start(arr, soundfont, NULL, NULL) : NULL;
    g_autoptr(GsVocalLine) line = render ? gs_vocal_line_plan(ctx, model, NULL, arr, song_lyrics, error) : NULL;
    g_autofree float *stem =
        line ? gs_vocal_line_render(ctx, model, NULL, line, gs_music_render_frames(arr), error) : NULL;
    double vocals = (g_get_monotonic_time() - start) / 1e6;
    g_autoptr(GError) band_error = NULL;
    g_autoptr(GsMusicAudio) audio = render ? gs_music_render_join(render, &band_error) : NULL;
    double song = (g_get_monotonic_time() - start) / 1e6;
    gs_speech_free(model);
    if (stem && !audio)
        g_propagate_error(error, g_steal_pointer(&band_error));
    if (!stem || !audio)
        return FALSE;
    double sung = 0;
    for (int i = 0; i < line->n_notes; i++)
        sung += line->notes[i].seconds;
    double wer = stem_wer(stem, audio->frames, error);
    if (isnan(wer))
        return FALSE;
    printf("%s with vocals (10 lyric lines, %d syllables, %.0f s sung):\n", SONG_PROMPT, line->n_notes, sung);
    printf("  %.1f s in all (vocals %.1f s, the band on another thread): %.2f× the %.0f s target, %.1f× the band "
           "alone (%.1f s)\n",
           song, vocals, song / SONG_TARGET_SECONDS, SONG_TARGET_SECONDS, song / band, band);
    int voiced = 0;
    double in_tune = gs_vocal_line_pitch_accuracy(line, stem, audio->frames, &voiced);
    printf("  vocals: %.2f s of work per second sung; pocketsphinx WER on the vocal stem %.1f%%\n", vocals / sung,
           100 * wer);
    printf("  vocal stem's pitch (YIN): %.1f%% of %d voiced frames within 50 cents of the notes\n", 100 * in_tune,
           voiced);
    return TRUE;
}

int
gs_cli_bench_music(gs_context *ctx)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *soundfont = gs_music_find_soundfont(&error);
    if (!soundfont) {
        fprintf(stderr, "bench music: %s\n", error->message);
        return 1;
    }
    printf("parse + arrange + render, %.0f s pieces; target %.0f s each (ratio < 1 meets it)\n", PIECE_SECONDS,
           TARGET_SECONDS);
    GsMusicAudio *pieces[G_N_ELEMENTS(prompts)] = { NULL };
    gboolean ok = TRUE;
    for (gsize i = 0; ok && i < G_N_ELEMENTS(prompts); i++) {
        double seconds = 0.0;
        ok = (pieces[i] = compose(prompts[i], soundfont, &seconds, &error)) != NULL;
        if (ok) {
            double audio_seconds = (double)pieces[i]->frames / pieces[i]->rate;
            printf("  %-24s %6.2f s  RTF %.4f  against target %.2f\n", prompts[i], seconds, seconds / audio_seconds,
                   seconds / TARGET_SECONDS);
        }
    }
    g_autoptr(GsTimeline) timeline = ok ? build_timeline(pieces, &error) : NULL;
    for (gsize i = 0; i < G_N_ELEMENTS(prompts); i++)
        gs_music_audio_free(pieces[i]);
    if (timeline) {
        float *stereo = NULL;
        gsize frames = 0;
        double duration = gs_timeline_get_duration(timeline);
        gint64 start = g_get_monotonic_time();
        ok = gs_timeline_mix(timeline, 0.0, duration, &stereo, &frames, &error);
        double seconds = (g_get_monotonic_time() - start) / 1e6;
        g_free(stereo);
        if (ok)
            printf("%d-track timeline, %.1f s: offline mixdown %.3f s, RTF %.4f\n", N_TRACKS, duration, seconds,
                   seconds / duration);
        ok = ok && play_real_time(timeline, &error);
    }
    ok = ok && bench_song(ctx, soundfont, &error);
    if (!ok || !timeline) {
        fprintf(stderr, "bench music: %s\n", error->message);
        return 1;
    }
    return 0;
}
