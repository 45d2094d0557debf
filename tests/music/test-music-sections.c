/* Sections as heard: in a rendered piece, the level (RMS), brightness
 * (spectral centroid) and onset density of the mix change more across each
 * planned section boundary than across the middle of any section, and the
 * choruses are louder and brighter than the verses. The features are
 * printed (as TAP comments). The piece ends on a chord that dies away in
 * the tail, not on a cut. Skipped without a soundfont.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "gs-music-render.h"
#include "music-analysis.h"

#define PROMPT "rock, 120 bpm, 64 seconds"
#define WINDOW_BARS 2

typedef struct {
    double rms, centroid, density;
} features;

static features
measure(const GsMusicAudio *audio, const double *env, double from, double to)
{
    gsize first = (gsize)(from * audio->rate), frames = (gsize)((to - from) * audio->rate);
    gsize env_first = (gsize)(from * MA_FRAMES_PER_SECOND), env_count = (gsize)((to - from) * MA_FRAMES_PER_SECOND);
    return (features){
        ma_rms(audio->mix + 2 * first, 2 * frames),
        ma_spectral_centroid(audio->mix + 2 * first, frames, audio->rate),
        ma_onset_density(env + env_first, env_count),
    };
}

/* How much the sound changes from the window before `bar` to the window
 * after it: the summed size of the log ratios of the three features. */
static double
novelty(const GsArrangement *arr, const GsMusicAudio *audio, const double *env, int bar)
{
    double at = gs_arrangement_bar_seconds(arr, bar);
    double before_start = gs_arrangement_bar_seconds(arr, bar - WINDOW_BARS);
    double after_end = gs_arrangement_bar_seconds(arr, bar + WINDOW_BARS);
    features a = measure(audio, env, before_start, at), b = measure(audio, env, at, after_end);
    /* The offset keeps a window without onsets from counting infinitely. */
    return fabs(log(b.rms / a.rms)) + fabs(log(b.centroid / a.centroid)) +
           fabs(log((b.density + 0.1) / (a.density + 0.1)));
}

static void
test_boundaries_audible(void)
{
    g_autofree char *soundfont = gs_music_find_soundfont(NULL);
    if (!soundfont) {
        g_test_skip("no General MIDI soundfont installed");
        return;
    }
    g_autoptr(GError) error = NULL;
    g_autoptr(GsMusicPrompt) prompt = gs_music_prompt_parse(PROMPT, &error);
    g_assert_no_error(error);
    g_autoptr(GsArrangement) arr = gs_arrangement_new(prompt, 42);
    g_assert_cmpint(arr->n_sections, >=, 6);
    g_autoptr(GsMusicAudio) audio = gs_music_render(arr, soundfont, NULL, NULL, &error);
    g_assert_no_error(error);
    gsize n_env = 0;
    g_autofree double *env = ma_onset_envelope(audio->mix, audio->frames, audio->rate, &n_env);

    double weakest_boundary = G_MAXDOUBLE, strongest_middle = 0.0;
    double chorus_rms = 0.0, verse_rms = 0.0;
    for (int i = 0; i < arr->n_sections; i++) {
        const GsMusicSection *s = &arr->sections[i];
        features f = measure(audio, env, gs_arrangement_bar_seconds(arr, s->first_bar),
                             gs_arrangement_bar_seconds(arr, s->first_bar + s->bars));
        g_test_message("%-6s at %5.1f s: RMS %.4f  centroid %6.0f Hz  onsets %5.2f/s", gs_music_section_name(s->kind),
                       gs_arrangement_bar_seconds(arr, s->first_bar), f.rms, f.centroid, f.density);
        if (s->kind == GS_MUSIC_SECTION_CHORUS)
            chorus_rms = MAX(chorus_rms, f.rms);
        if (s->kind == GS_MUSIC_SECTION_VERSE)
            verse_rms = MAX(verse_rms, f.rms);
        if (i > 0) {
            double at_boundary = novelty(arr, audio, env, s->first_bar);
            g_test_message("  boundary novelty %.3f", at_boundary);
            weakest_boundary = MIN(weakest_boundary, at_boundary);
        }
        if (s->bars >= 2 * WINDOW_BARS) {
            double in_middle = novelty(arr, audio, env, s->first_bar + s->bars / 2);
            g_test_message("  middle novelty %.3f", in_middle);
            strongest_middle = MAX(strongest_middle, in_middle);
        }
    }
    g_assert_cmpfloat(weakest_boundary, >, strongest_middle);
    /* The chorus lifts: its loudest is well above the loudest verse. */
    g_assert_cmpfloat(chorus_rms, >, 1.2 * verse_rms);

    /* The ending: the last bar sounds, and its chord fades through the tail. */
    double end = gs_arrangement_seconds(arr), tail_end = (double)audio->frames / audio->rate;
    double last_bar = ma_rms(audio->mix + 2 * (gsize)(gs_arrangement_bar_seconds(arr, arr->bars - 1) * audio->rate),
                             2 * (gsize)((end - gs_arrangement_bar_seconds(arr, arr->bars - 1)) * audio->rate));
    double last_tenth =
        ma_rms(audio->mix + 2 * (gsize)((tail_end - 0.1) * audio->rate), 2 * (gsize)(0.1 * audio->rate));
    g_test_message("final bar RMS %.4f, last 0.1 s of the tail %.4f", last_bar, last_tenth);
    g_assert_cmpfloat(last_bar, >, 0.02);
    g_assert_cmpfloat(last_tenth, <, 0.25 * last_bar);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/music/sections/boundaries-audible", test_boundaries_audible);
    return g_test_run();
}
