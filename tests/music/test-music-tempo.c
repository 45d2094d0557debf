/* The rendered music keeps the tempo it was asked for, as heard: the beat
 * period from the autocorrelation of the drum stem's onset strength is
 * within 3 % of the prompt's tempo, and every part is audible — for three
 * asked tempi, and for every style at its own. Classical has no drums: its
 * drum stem is silent, the rest are not. Skipped without a soundfont.
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

/* Every style, 8 s each: the mix and every part sound (drums only where
 * the style has a kit), the planned tempo lies in the style's range, and
 * within the tempo's octave the beat heard in the drums — or, without a
 * kit, in the mix of a piece twice as long — is the planned one. (Over all
 * tempi, 8 s of a syncopated groove may put its strongest period at two or
 * three beats.) Classical is left out of the last check: its sustained
 * strings have no sharp onsets to time. */
static void
test_every_style(void)
{
    if (!have_soundfont())
        return;
    for (int style = 0; style < GS_MUSIC_STYLE_COUNT; style++) {
        const GsMusicStyleInfo *info = gs_music_style_info(style);
        gboolean kit = *info->kick != '\0';
        /* Without a kit the beat is marked less sharply: twice as long. */
        g_autofree char *text = g_strdup_printf("%s, %d seconds", info->name, kit ? 8 : 16);
        g_autoptr(GError) error = NULL;
        g_autoptr(GsMusicPrompt) prompt = gs_music_prompt_parse(text, &error);
        g_assert_no_error(error);
        g_assert_cmpint(prompt->bpm, >=, info->bpm_low);
        g_assert_cmpint(prompt->bpm, <=, info->bpm_high);
        g_autoptr(GsMusicAudio) audio = render(text);
        gsize n = audio->frames * 2;
        for (int part = 0; part < GS_MUSIC_PART_COUNT; part++)
            if (part != GS_MUSIC_PART_DRUMS || kit)
                g_assert_cmpfloat(ma_rms(audio->stems[part], n), >, STEM_RMS_FLOOR);
        gsize n_env = 0;
        const float *timekeeper = kit ? audio->stems[GS_MUSIC_PART_DRUMS] : audio->mix;
        g_autofree double *env = ma_onset_envelope(timekeeper, audio->frames, audio->rate, &n_env);
        double bpm = prompt->bpm, heard = ma_tempo(env, n_env, bpm / G_SQRT2, bpm * G_SQRT2);
        g_test_message("%-14s %3d bpm (%d-%d), heard %6.1f bpm in the %s, mix RMS %.3f", info->name, prompt->bpm,
                       info->bpm_low, info->bpm_high, heard, kit ? "drums" : "mix", ma_rms(audio->mix, n));
        if (style != GS_MUSIC_STYLE_CLASSICAL)
            g_assert_true(near(heard, bpm));
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/music/tempo/techno-128", "techno, 128 bpm, 12 seconds", test_tempo);
    g_test_add_data_func("/music/tempo/waltz-90", "waltz, 90 bpm, 12 seconds", test_tempo);
    g_test_add_data_func("/music/tempo/reggae-75", "reggae, 75 bpm, 12 seconds", test_tempo);
    g_test_add_func("/music/tempo/classical-no-drums", test_classical_has_no_drums);
    g_test_add_func("/music/tempo/every-style", test_every_style);
    return g_test_run();
}
