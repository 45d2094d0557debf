/* The audio player on fakesink (GS_AUDIO_SINK): it keeps real time, says
 * "finished" on the main context, reports where it is, and stops on demand.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <gst/gst.h>
#include <math.h>

#include "gs-audio.h"

#define RATE 22050

typedef struct {
    GMainLoop *loop;
    int finished;
    int playing_changes;
    double position_midway;
} Run;

static float *
tone_new(gsize frames)
{
    float *samples = g_new(float, frames);
    for (gsize i = 0; i < frames; i++)
        samples[i] = 0.5f * (float)sin(2.0 * G_PI * 440.0 * (double)i / RATE);
    return samples;
}

static void
on_finished(GsAudioPlayer *player, Run *run)
{
    g_assert_true(g_main_context_is_owner(g_main_context_default()));
    run->finished++;
    g_main_loop_quit(run->loop);
}

static void
on_error(GsAudioPlayer *player, GError *error, Run *run)
{
    g_error("playback failed: %s", error->message);
}

static void
on_playing_changed(GsAudioPlayer *player, GParamSpec *pspec, Run *run)
{
    run->playing_changes++;
}

static gboolean
sample_position(gpointer user_data)
{
    GsAudioPlayer *player = user_data;
    Run *run = g_object_get_data(G_OBJECT(player), "run");
    run->position_midway = gs_audio_player_get_position(player);
    return G_SOURCE_REMOVE;
}

static gboolean
stop_player(gpointer user_data)
{
    GsAudioPlayer *player = user_data;
    Run *run = g_object_get_data(G_OBJECT(player), "run");
    run->position_midway = gs_audio_player_get_position(player);
    gs_audio_player_stop(player);
    return G_SOURCE_REMOVE;
}

static gboolean
quit_loop(gpointer user_data)
{
    g_main_loop_quit(user_data);
    return G_SOURCE_REMOVE;
}

static GsAudioPlayer *
player_new(Run *run)
{
    run->loop = g_main_loop_new(NULL, FALSE);
    GsAudioPlayer *player = gs_audio_player_new();
    g_object_set_data(G_OBJECT(player), "run", run);
    g_signal_connect(player, "finished", G_CALLBACK(on_finished), run);
    g_signal_connect(player, "error", G_CALLBACK(on_error), run);
    g_signal_connect(player, "notify::playing", G_CALLBACK(on_playing_changed), run);
    return player;
}

static void
test_plays_to_the_end(void)
{
    Run run = { 0 };
    g_autoptr(GsAudioPlayer) player = player_new(&run);
    gsize frames = RATE * 3 / 10;
    g_autofree float *tone = tone_new(frames);
    g_autoptr(GError) error = NULL;
    gint64 start = g_get_monotonic_time();
    g_assert_true(gs_audio_player_play(player, tone, frames, 1, RATE, &error));
    g_assert_no_error(error);
    g_assert_true(gs_audio_player_is_playing(player));
    g_timeout_add(150, sample_position, player);
    guint safety = g_timeout_add_seconds(10, quit_loop, run.loop);
    g_main_loop_run(run.loop);
    g_source_remove(safety);
    double elapsed = (g_get_monotonic_time() - start) / (double)G_USEC_PER_SEC;

    g_assert_cmpint(run.finished, ==, 1);
    g_assert_false(gs_audio_player_is_playing(player));
    g_assert_cmpint(run.playing_changes, ==, 2); /* on, then off */
    g_assert_cmpfloat(elapsed, >=, 0.25);         /* real time, even without a device */
    g_assert_cmpfloat(run.position_midway, >, 0.05);
    g_assert_cmpfloat(run.position_midway, <, 0.3);
    g_assert_cmpfloat(fabs(gs_audio_player_get_position(player) - 0.3), <, 0.01);
    g_main_loop_unref(run.loop);
}

static void
test_stop_midway(void)
{
    Run run = { 0 };
    g_autoptr(GsAudioPlayer) player = player_new(&run);
    gsize frames = RATE * 2;
    g_autofree float *tone = tone_new(frames);
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_audio_player_play(player, tone, frames, 1, RATE, &error));
    g_assert_no_error(error);
    g_timeout_add(200, stop_player, player);
    g_timeout_add(500, quit_loop, run.loop);
    g_main_loop_run(run.loop);

    g_assert_cmpint(run.finished, ==, 0); /* stopping is not finishing */
    g_assert_false(gs_audio_player_is_playing(player));
    g_assert_cmpint(run.playing_changes, ==, 2);
    g_assert_cmpfloat(run.position_midway, >, 0.1);
    g_assert_cmpfloat(gs_audio_player_get_position(player), <, 1.0);
    g_assert_cmpfloat(gs_audio_player_get_position(player), >=, run.position_midway);
    g_main_loop_unref(run.loop);
}

/* Playing again while playing replaces the first samples: one "finished". */
static void
test_play_replaces(void)
{
    Run run = { 0 };
    g_autoptr(GsAudioPlayer) player = player_new(&run);
    gsize long_frames = RATE * 5, short_frames = RATE / 5;
    g_autofree float *long_tone = tone_new(long_frames);
    g_autofree float *short_tone = tone_new(short_frames);
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_audio_player_play(player, long_tone, long_frames, 1, RATE, &error));
    g_assert_true(gs_audio_player_play(player, short_tone, short_frames, 1, RATE, &error));
    g_assert_no_error(error);
    guint safety = g_timeout_add_seconds(3, quit_loop, run.loop);
    g_main_loop_run(run.loop);
    g_source_remove(safety);
    g_assert_cmpint(run.finished, ==, 1);
    g_assert_cmpint(run.playing_changes, ==, 2);
    g_assert_cmpfloat(fabs(gs_audio_player_get_position(player) - 0.2), <, 0.01);
    g_main_loop_unref(run.loop);
}

static void
test_invalid_samples(void)
{
    Run run = { 0 };
    g_autoptr(GsAudioPlayer) player = player_new(&run);
    const float silence[4] = { 0 };
    g_autoptr(GError) error = NULL;
    g_assert_false(gs_audio_player_play(player, silence, 0, 1, RATE, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);
    g_assert_false(gs_audio_player_play(player, silence, 1, 4, RATE, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_assert_false(gs_audio_player_is_playing(player));
    g_assert_cmpint(run.playing_changes, ==, 0);
    g_main_loop_unref(run.loop);
}

static void
test_play_blocking(void)
{
    gsize frames = RATE / 5;
    g_autofree float *tone = tone_new(frames);
    g_autoptr(GError) error = NULL;
    gint64 start = g_get_monotonic_time();
    g_assert_true(gs_audio_play_blocking(tone, frames, 1, RATE, &error));
    g_assert_no_error(error);
    g_assert_cmpfloat((g_get_monotonic_time() - start) / (double)G_USEC_PER_SEC, >=, 0.15);
}

int
main(int argc, char **argv)
{
    g_setenv("GS_AUDIO_SINK", "fakesink", TRUE);
    gst_init(&argc, &argv);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/audio/player/plays-to-the-end", test_plays_to_the_end);
    g_test_add_func("/audio/player/stop-midway", test_stop_midway);
    g_test_add_func("/audio/player/play-replaces", test_play_replaces);
    g_test_add_func("/audio/player/invalid-samples", test_invalid_samples);
    g_test_add_func("/audio/player/play-blocking", test_play_blocking);
    return g_test_run();
}
