/* The rendered music keeps the tempo it was asked for, as heard: the beat
 * period from the autocorrelation of the drum stem's onset strength is
 * within 3 % of the prompt's tempo, and every part is audible. Classical
 * is the style without drums: its drum stem is silent, the rest are not.
 * Skipped without a soundfont.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "gs-music-render.h"
#include "music-analysis.h"

#define STEM_RMS_FLOOR 1e-3
#define TEMPO_TOLERANCE 0.03

static GsMusicAudio *
render(const char *text)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *soundfont = gs_music_find_soundfont(&error);
    g_assert_no_error(error);
    g_autoptr(GsMusicPrompt) prompt = gs_music_prompt_parse(text, &error);
    g_assert_no_error(error);
    g_autoptr(GsArrangement) arr = gs_arrangement_new(prompt, 42);
    GsMusicAudio *audio = gs_music_render(arr, soundfont, NULL, NULL, &error);
    g_assert_no_error(error);
    return audio;
}

static gboolean
have_soundfont(void)
{
    g_autofree char *soundfont = gs_music_find_soundfont(NULL);
    if (!soundfont)
        g_test_skip("no General MIDI soundfont installed");
    return soundfont != NULL;
}

static gboolean
near(double measured, double wanted)
{
    return fabs(measured - wanted) <= TEMPO_TOLERANCE * wanted;
}

static void
test_tempo(gconstpointer data)
{
    const char *text = data;
    if (!have_soundfont())
        return;
    g_autoptr(GError) error = NULL;
    g_autoptr(GsMusicPrompt) prompt = gs_music_prompt_parse(text, &error);
    g_assert_no_error(error);
    g_autoptr(GsMusicAudio) audio = render(text);
    for (int part = 0; part < GS_MUSIC_PART_COUNT; part++)
        g_assert_cmpfloat(ma_rms(audio->stems[part], audio->frames * 2), >, STEM_RMS_FLOOR);

    gsize n_env = 0;
    g_autofree double *env = ma_onset_envelope(audio->stems[GS_MUSIC_PART_DRUMS], audio->frames, audio->rate, &n_env);
    double bpm = prompt->bpm;
    /* The strongest period may be the beat, or half or twice it (a reggae
     * hi-hat on every eighth), as listeners tap either; within the tempo's
     * own octave it must be the beat. */
    double strongest = ma_tempo(env, n_env, GS_MUSIC_MIN_BPM, GS_MUSIC_MAX_BPM);
    double in_octave = ma_tempo(env, n_env, bpm / G_SQRT2, bpm * G_SQRT2);
    g_test_message("%s: strongest %.2f bpm, in its octave %.2f bpm (asked %d)", text, strongest, in_octave,
                   prompt->bpm);
    g_assert_true(near(strongest, bpm) || near(strongest, bpm / 2.0) || near(strongest, bpm * 2.0));
    g_assert_true(near(in_octave, bpm));
}

static void
test_classical_has_no_drums(void)
{
    if (!have_soundfont())
        return;
    g_autoptr(GsMusicAudio) audio = render("classical, 96 bpm, 6 seconds");
    gsize n = audio->frames * 2;
    g_assert_cmpfloat(ma_rms(audio->stems[GS_MUSIC_PART_DRUMS], n), ==, 0.0);
    for (int part = GS_MUSIC_PART_BASS; part < GS_MUSIC_PART_COUNT; part++)
        g_assert_cmpfloat(ma_rms(audio->stems[part], n), >, STEM_RMS_FLOOR);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/music/tempo/techno-128", "techno, 128 bpm, 12 seconds", test_tempo);
    g_test_add_data_func("/music/tempo/waltz-90", "waltz, 90 bpm, 12 seconds", test_tempo);
    g_test_add_data_func("/music/tempo/reggae-75", "reggae, 75 bpm, 12 seconds", test_tempo);
    g_test_add_func("/music/tempo/classical-no-drums", test_classical_has_no_drums);
    return g_test_run();
}
