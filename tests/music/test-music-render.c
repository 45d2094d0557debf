/* FluidSynth rendering: deterministic, audible, stems adding up to the mix,
 * and the mix surviving export and decoding. Skipped without a soundfont.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "gs-arranger.h"
#include "gs-audio.h"
#include "gs-music-render.h"

static GsMusicAudio *
render(const char *text, guint64 seed)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *soundfont = gs_music_find_soundfont(&error);
    g_assert_no_error(error);
    g_autoptr(GsMusicPrompt) prompt = gs_music_prompt_parse(text, &error);
    g_assert_no_error(error);
    g_autoptr(GsArrangement) arr = gs_arrangement_new(prompt, seed);
    GsMusicAudio *audio = gs_music_render(arr, soundfont, NULL, NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(audio->frames, >=, (gsize)(gs_arrangement_seconds(arr) * audio->rate));
    return audio;
}

static double
rms(const float *samples, gsize n)
{
    double sum = 0.0;
    for (gsize i = 0; i < n; i++)
        sum += (double)samples[i] * samples[i];
    return sqrt(sum / (double)MAX(n, 1));
}

static gboolean
have_soundfont(void)
{
    g_autofree char *soundfont = gs_music_find_soundfont(NULL);
    if (!soundfont)
        g_test_skip("no General MIDI soundfont installed");
    return soundfont != NULL;
}

static void
test_render_deterministic_and_audible(void)
{
    if (!have_soundfont())
        return;
    g_autoptr(GsMusicAudio) a = render("pop, 120 bpm, 4 seconds", 5);
    g_autoptr(GsMusicAudio) b = render("pop, 120 bpm, 4 seconds", 5);
    gsize n = a->frames * 2;
    g_assert_cmpuint(a->frames, ==, b->frames);
    g_assert_cmpmem(a->mix, n * sizeof(float), b->mix, n * sizeof(float));
    g_assert_cmpfloat(rms(a->mix, n), >, 0.02);
    float peak = 0.0f;
    for (gsize i = 0; i < n; i++) {
        float sum = 0.0f;
        for (int part = 0; part < GS_MUSIC_PART_COUNT; part++)
            sum += a->stems[part][i];
        g_assert_cmpfloat(fabsf(sum - a->mix[i]), <, 1e-4f);
        peak = MAX(peak, fabsf(a->mix[i]));
    }
    g_assert_cmpfloat(fabsf(peak - powf(10.0f, -1.0f / 20.0f)), <, 1e-4f); /* −1 dBFS */
    for (int part = 0; part < GS_MUSIC_PART_COUNT; part++)
        g_assert_cmpfloat(rms(a->stems[part], n), >, 1e-3);
}

static void
test_export_decodes_non_silent(void)
{
    if (!have_soundfont())
        return;
    g_autoptr(GsMusicAudio) audio = render("reggae in G, 3 seconds", 9);
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("gs-music-XXXXXX", &error);
    g_assert_no_error(error);
    g_autofree char *path = g_build_filename(dir, "mix.ogg", NULL);
    g_assert_true(gs_audio_export(path, audio->mix, audio->frames, 2, audio->rate, NULL, NULL, NULL, NULL, &error));
    g_assert_no_error(error);
    g_autofree float *decoded = NULL;
    gsize frames = 0;
    g_assert_true(gs_audio_decode(path, 2, audio->rate, &decoded, &frames, &error));
    g_assert_no_error(error);
    g_assert_cmpfloat(fabs((double)frames - (double)audio->frames), <, audio->rate * 0.1);
    g_assert_cmpfloat(rms(decoded, frames * 2), >, 0.02);
    g_unlink(path);
    g_rmdir(dir);
}

static void
test_soundfont_lookup(void)
{
    g_autoptr(GError) error = NULL;
    g_setenv("GENSTUDIO_SOUNDFONT", "/nonexistent/gm.sf2", TRUE);
    g_assert_null(gs_music_find_soundfont(&error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(error->message, "/nonexistent/gm.sf2"));
    g_clear_error(&error);

    g_unsetenv("GENSTUDIO_SOUNDFONT");
    g_setenv("GENSTUDIO_SOUNDFONT_FALLBACK", "0", TRUE);
    g_assert_null(gs_music_find_soundfont(&error));
    g_assert_nonnull(strstr(error->message, "fluid-soundfont-gm"));
    g_assert_nonnull(strstr(error->message, "timgm6mb-soundfont"));
    g_unsetenv("GENSTUDIO_SOUNDFONT_FALLBACK");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/music/render/deterministic-audible", test_render_deterministic_and_audible);
    g_test_add_func("/music/render/export-decode", test_export_decodes_non_silent);
    g_test_add_func("/music/render/soundfont-lookup", test_soundfont_lookup);
    return g_test_run();
}
