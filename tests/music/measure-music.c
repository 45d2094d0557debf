/* measure-music PROMPT FILE: what a listener would notice in a rendered
 * piece, as one Markdown table row — style and planned tempo (from the
 * prompt), the beat heard in the decoded mix within that tempo's octave,
 * onsets per second, spectral centroid, RMS level and the sections. Used by
 * tools/music/make-samples.sh for the table in app/music/README.md.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>

#include "gs-arranger.h"
#include "gs-audio.h"
#include "gs-music-render.h"
#include "music-analysis.h"

int
main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: measure-music PROMPT FILE\n");
        return 2;
    }
    g_autoptr(GError) error = NULL;
    g_autoptr(GsMusicPrompt) prompt = gs_music_prompt_parse(argv[1], &error);
    g_autofree float *mix = NULL;
    gsize frames = 0;
    if (!prompt || !gs_audio_decode(argv[2], 2, GS_MUSIC_SAMPLE_RATE, &mix, &frames, &error)) {
        fprintf(stderr, "measure-music: %s\n", error->message);
        return 1;
    }
    /* The seed does not move section boundaries; 42 is the CLI's default. */
    g_autoptr(GsArrangement) arr = gs_arrangement_new(prompt, 42);
    gsize n_env = 0;
    g_autofree double *env = ma_onset_envelope(mix, frames, GS_MUSIC_SAMPLE_RATE, &n_env);
    double heard = ma_tempo(env, n_env, prompt->bpm / G_SQRT2, prompt->bpm * G_SQRT2);
    g_autoptr(GString) sections = g_string_new(NULL);
    for (int i = 0; i < arr->n_sections; i++)
        g_string_append_printf(sections, "%s%s %.1f", i ? ", " : "", gs_music_section_name(arr->sections[i].kind),
                               gs_arrangement_bar_seconds(arr, arr->sections[i].first_bar));
    g_autofree char *ignored = g_strjoinv(", ", prompt->ignored);
    printf("| %s | %s | %d | %.1f | %.2f | %.0f | %.3f | %s | %s |\n", argv[1], gs_music_style_name(prompt->style),
           prompt->bpm, heard, ma_onset_density(env, n_env), ma_spectral_centroid(mix, frames, GS_MUSIC_SAMPLE_RATE),
           ma_rms(mix, frames * 2), sections->str, *ignored ? ignored : "none");
    return 0;
}
