/* Styles are audibly distinct: rock, ambient and bossa nova (30 s each)
 * differ, pair by pair, in at least two measured features out of tempo,
 * drum onset density, spectral centroid of the mix and the instruments
 * chosen. The features are printed (as TAP comments). Skipped without a
 * soundfont.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "gs-music-render.h"
#include "music-analysis.h"

/* Relative differences that count as audible: tempo beyond the 3 % the
 * tempo test allows its estimate, the others well past run-to-run noise. */
#define TEMPO_APART 0.04
#define DENSITY_APART 0.20
#define CENTROID_APART 0.10

static const char *const prompts[] = { "rock, 30 seconds", "ambient, 30 seconds", "bossa nova, 30 seconds" };
#define N_STYLES G_N_ELEMENTS(prompts)

typedef struct {
    double tempo;    /* strongest beat period of the drums, bpm */
    double density;  /* drum onsets per second */
    double centroid; /* Hz, of the mix */
    int programs[GS_MUSIC_PART_COUNT];
} features;

static void
measure(const char *text, features *out)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *soundfont = gs_music_find_soundfont(&error);
    g_assert_no_error(error);
    g_autoptr(GsMusicPrompt) prompt = gs_music_prompt_parse(text, &error);
    g_assert_no_error(error);
    g_autoptr(GsArrangement) arr = gs_arrangement_new(prompt, 42);
    g_autoptr(GsMusicAudio) audio = gs_music_render(arr, soundfont, NULL, NULL, &error);
    g_assert_no_error(error);
    gsize n_env = 0;
    g_autofree double *env = ma_onset_envelope(audio->stems[GS_MUSIC_PART_DRUMS], audio->frames, audio->rate, &n_env);
    out->tempo = ma_tempo(env, n_env, GS_MUSIC_MIN_BPM, GS_MUSIC_MAX_BPM);
    out->density = ma_onset_density(env, n_env);
    out->centroid = ma_spectral_centroid(audio->mix, audio->frames, audio->rate);
    for (int part = 0; part < GS_MUSIC_PART_COUNT; part++)
        out->programs[part] = arr->tracks[part].program;
    g_test_message("%-24s tempo %6.1f bpm  drum onsets %5.2f/s  centroid %6.0f Hz  programs %d/%d/%d", text,
                   out->tempo, out->density, out->centroid, out->programs[GS_MUSIC_PART_BASS],
                   out->programs[GS_MUSIC_PART_CHORDS], out->programs[GS_MUSIC_PART_MELODY]);
}

static gboolean
apart(double a, double b, double relative)
{
    return fabs(a - b) > relative * MAX(fabs(a), fabs(b));
}

static void
test_styles_distinct(void)
{
    g_autofree char *soundfont = gs_music_find_soundfont(NULL);
    if (!soundfont) {
        g_test_skip("no General MIDI soundfont installed");
        return;
    }
    features f[N_STYLES];
    for (gsize i = 0; i < N_STYLES; i++)
        measure(prompts[i], &f[i]);
    for (gsize i = 0; i < N_STYLES; i++) {
        for (gsize j = i + 1; j < N_STYLES; j++) {
            int programs_differ = 0;
            for (int part = GS_MUSIC_PART_BASS; part < GS_MUSIC_PART_COUNT; part++)
                programs_differ += f[i].programs[part] != f[j].programs[part];
            gboolean differ[] = {
                apart(f[i].tempo, f[j].tempo, TEMPO_APART),
                apart(f[i].density, f[j].density, DENSITY_APART),
                apart(f[i].centroid, f[j].centroid, CENTROID_APART),
                programs_differ >= 2,
            };
            int count = 0;
            for (gsize k = 0; k < G_N_ELEMENTS(differ); k++)
                count += differ[k];
            g_test_message("%s vs %s: tempo %s, density %s, centroid %s, instruments %s (%d of 4)", prompts[i],
                           prompts[j], differ[0] ? "differ" : "same", differ[1] ? "differ" : "same",
                           differ[2] ? "differ" : "same", differ[3] ? "differ" : "same", count);
            g_assert_cmpint(count, >=, 2);
        }
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/music/styles/distinct", test_styles_distinct);
    return g_test_run();
}
