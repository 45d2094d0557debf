/* The sung vocal line: a plan that follows the chords and the bars, the
 * same plan for the same song, the vocal stem's pitch (YIN, gs-pitch.c,
 * itself checked on tones of known pitch) within 50 cents of the planned notes on at least 80 % of voiced frames,
 * each phrase's voice starting within 30 ms of its plan, and refusals of lyrics
 * that cannot be sung.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <gio/gio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gs-music-render.h"
#include "gs-music-vocals.h"
#include "gs-pitch.h"
#include "gs-test.h"

static const char *const lyrics = "Walking down the river in the morning light\n"
                                  "Every little thing is shining bright\n"
                                  "\n"
                                  "Hold my hand and sing along with me\n"
                                  "We are going where the sun can see";

static gs_context *ctx;
static gs_speech *model;
static GsArrangement *song;

static void
test_plan(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GsVocalLine) line = gs_vocal_line_plan(ctx, model, NULL, song, lyrics, &error);
    g_assert_no_error(error);
    g_assert_cmpint(line->n_notes, >, 20);
    g_assert_cmpint(line->n_phrases, >=, 3);
    double bar = gs_arrangement_bar_seconds(song, 1), beat = bar / song->beats_per_bar;
    for (int i = 0; i < line->n_notes; i++) {
        const GsVocalNote *n = &line->notes[i];
        /* On the chord of its bar, on the beat grid, in order. */
        int at_bar = (int)floor(n->start / bar + 1e-9);
        const GsMusicChord *chord = &song->chords[at_bar];
        gboolean tone = FALSE;
        for (int t = 0; t < chord->n_tones; t++)
            tone |= n->midi % 12 == chord->tones[t];
        g_assert_true(tone);
        double slots = n->start / beat;
        g_assert_cmpfloat(fabs(slots - round(slots)), <, 1e-6);
        if (i > 0)
            g_assert_cmpfloat(n->start, >=, line->notes[i - 1].start + line->notes[i - 1].seconds - 1e-9);
        double total = 0;
        for (int p = 0; p < n->n_phones; p++)
            total += n->phones[p].seconds;
        g_assert_cmpfloat(fabs(total - n->seconds), <, 1e-4);
    }
    /* No voice before the first verse: the intro is the band's. */
    g_assert_cmpfloat(line->notes[0].start, >=, gs_arrangement_bar_seconds(song, song->sections[1].first_bar) - 1e-9);
    g_autoptr(GsVocalLine) again = gs_vocal_line_plan(ctx, model, NULL, song, lyrics, &error);
    g_assert_cmpint(again->n_notes, ==, line->n_notes);
    for (int i = 0; i < line->n_notes; i++) {
        g_assert_cmpint(again->notes[i].midi, ==, line->notes[i].midi);
        g_assert_cmpfloat(again->notes[i].start, ==, line->notes[i].start);
    }
}

/* When a note's sound becomes loud: after its leading voiceless
 * consonants ("h" of "hold" is a breath, far below the vowel). */
static double
voiced_start(const GsVocalNote *note)
{
    static const char *const voiceless[] = { "p", "t", "k", "f", "θ", "s", "ʃ", "h", "tʃ" };
    double t = note->start;
    for (int p = 0; p < note->nucleus; p++) {
        gboolean quiet = FALSE;
        for (gsize v = 0; v < G_N_ELEMENTS(voiceless); v++)
            quiet |= strcmp(note->phones[p].symbol, voiceless[v]) == 0;
        if (!quiet)
            break;
        t += note->phones[p].seconds;
    }
    return t;
}

/* YIN on tones of known pitch (harmonics falling off as a voice's, a
 * fundamental weaker than its second harmonic, a pure sine), silence and
 * noise. */
static void
test_yin(void)
{
    const int rate = GS_MUSIC_SAMPLE_RATE, window = rate / 40, n = window + rate / 60 + 2;
    const double pitches[] = { 65.4, 131.0, 146.8, 220.0, 440.0 };
    g_autofree float *x = g_new(float, n);
    for (gsize p = 0; p < G_N_ELEMENTS(pitches); p++)
        for (int shape = 0; shape < 3; shape++) {
            for (int i = 0; i < n; i++) {
                double phase = 2 * G_PI * pitches[p] * i / rate + 0.3;
                x[i] = shape == 2 ? (float)sin(phase) : 0;
                for (int h = 1; shape < 2 && h <= 8; h++)
                    x[i] += (float)((shape == 1 && h == 1 ? 0.3 : 1.0 / h) * sin(h * phase + 0.7 * h));
            }
            double f0 = gs_pitch_yin(x, window, rate, 60, 500, GS_PITCH_YIN_THRESHOLD);
            g_assert_cmpfloat(fabs(1200 * log2(f0 / pitches[p])), <, 5);
        }
    memset(x, 0, (gsize)n * sizeof *x);
    g_assert_cmpfloat(gs_pitch_yin(x, window, rate, 60, 500, GS_PITCH_YIN_THRESHOLD), ==, 0);
    GRand *noise = g_rand_new_with_seed(5);
    for (int i = 0; i < n; i++)
        x[i] = (float)g_rand_double_range(noise, -1, 1);
    g_rand_free(noise);
    g_assert_cmpfloat(gs_pitch_yin(x, window, rate, 60, 500, GS_PITCH_YIN_THRESHOLD), ==, 0);
}

static void
check_sung(const GsArrangement *song)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GsVocalLine) line = gs_vocal_line_plan(ctx, model, NULL, song, lyrics, &error);
    g_assert_no_error(error);
    const int rate = GS_MUSIC_SAMPLE_RATE;
    gsize frames = (gsize)((gs_arrangement_seconds(song) + 1) * rate);
    g_autofree float *stereo = gs_vocal_line_render(ctx, model, NULL, line, frames, &error);
    g_assert_no_error(error);
    /* Pitch on the vowels: the middle of each note's vowel. */
    int voiced = 0;
    double share = gs_vocal_line_pitch_accuracy(line, stereo, frames, &voiced);
    g_print("%d notes: %d voiced frames, %.1f %% within 50 cents of the plan\n", line->n_notes, voiced, 100 * share);
    g_assert_cmpint(voiced, >, 100);
    g_assert_cmpfloat(share, >=, 0.8);
    g_autofree float *mono = g_new(float, frames);
    for (gsize i = 0; i < frames; i++)
        mono[i] = stereo[2 * i];

    /* Each phrase starts where it was planned: the first 10 ms frame whose
     * level reaches a tenth of the phrase's peak. */
    for (int p = 0, i = 0; p < line->n_phrases; p++) {
        double planned = -1, end = 0;
        for (; i < line->n_notes && line->notes[i].phrase == p; i++) {
            if (planned < 0)
                planned = voiced_start(&line->notes[i]);
            end = line->notes[i].start + line->notes[i].seconds;
        }
        g_assert_cmpfloat(planned, >=, 0); /* every phrase has notes, in order */
        const int step = rate / 100;
        gsize from = (gsize)MAX((planned - 0.2) * rate, 0), to = MIN((gsize)(end * rate), frames);
        double peak = 0;
        for (gsize f = from; f + step <= to; f += step) {
            double sum = 0;
            for (int k = 0; k < step; k++)
                sum += mono[f + k] * mono[f + k];
            peak = MAX(peak, sqrt(sum / step));
        }
        double onset = -1;
        for (gsize f = from; f + step <= to && onset < 0; f += step) {
            double sum = 0;
            for (int k = 0; k < step; k++)
                sum += mono[f + k] * mono[f + k];
            if (sqrt(sum / step) >= 0.1 * peak)
                onset = (double)f / rate;
        }
        g_assert_cmpfloat(fabs(onset - planned), <=, 0.030);
    }
}

/* A mid-tempo song, and a fast one whose syllables fall every other beat. */
static void
test_sung(void)
{
    check_sung(song);
    g_autoptr(GError) error = NULL;
    g_autoptr(GsMusicPrompt) prompt = gs_music_prompt_parse("energetic punk rock, 40 seconds", &error);
    g_assert_no_error(error);
    g_autoptr(GsArrangement) fast = gs_arrangement_new(prompt, 5);
    check_sung(fast);
}

/* A cloned voice sings: a blend all on one voice is that voice (the same
 * measured pitch, the same notes), and its pitch shift raises the voice.
 * The voice is slt, not the default awb, so that the blend is checked away
 * from index 0. Not every voice follows a shift this well: with the
 * nine-language model, +3 semitones raised awb 2.3, slt 2.5, rms 0.2 and
 * slt_hts 0.6 semitones (slt_hts, checked here before, rose more than 1
 * with the six-language model). */
static void
test_cloned_singer(void)
{
    int voices = gs_speech_voice_count(model), pick = voices - 1;
    while (pick > 0 && strcmp(gs_speech_voice_name(model, pick), "slt") != 0)
        pick--;
    g_assert_cmpstr(gs_speech_voice_name(model, pick), ==, "slt");
    g_autofree float *one_hot = g_new0(float, voices);
    one_hot[pick] = 1.0f;
    g_autoptr(GError) error = NULL;
    GsSinger named = { .voice = gs_speech_voice_name(model, pick) };
    GsSinger blended = { .blend = one_hot };
    GsSinger raised = { .blend = one_hot, .pitch = 3.0f };
    g_autoptr(GsVocalLine) by_name = gs_vocal_line_plan(ctx, model, &named, song, lyrics, &error);
    g_assert_no_error(error);
    g_autoptr(GsVocalLine) by_blend = gs_vocal_line_plan(ctx, model, &blended, song, lyrics, &error);
    g_assert_no_error(error);
    g_autoptr(GsVocalLine) by_raised = gs_vocal_line_plan(ctx, model, &raised, song, lyrics, &error);
    g_assert_no_error(error);
    g_assert_cmpfloat(by_blend->voice_hz, ==, by_name->voice_hz);
    g_assert_cmpint(by_blend->n_notes, ==, by_name->n_notes);
    for (int i = 0; i < by_name->n_notes; i++)
        g_assert_cmpint(by_blend->notes[i].midi, ==, by_name->notes[i].midi);
    double shift = 12.0 * log2(by_raised->voice_hz / by_name->voice_hz);
    g_print("%s: %.1f Hz; raised 3 semitones: %.1f Hz (%+.2f semitones)\n", named.voice, by_name->voice_hz,
            by_raised->voice_hz, shift);
    /* The model follows pitch partly (it learned it from speech): +2 for +3 here. */
    g_assert_cmpfloat(shift, >, 1.0);
    g_assert_cmpfloat(shift, <, 4.0);
}

/* A line with more syllables than a phrase holds (31 at this tempo) is
 * sung whole, as two phrases split between words. */
static void
test_long_line(void)
{
    g_autoptr(GString) hellos = g_string_new("hello");
    for (int i = 1; i < 17; i++)
        g_string_append(hellos, " hello"); /* 34 syllables, two a word */
    g_autoptr(GError) error = NULL;
    g_autoptr(GsMusicPrompt) prompt = gs_music_prompt_parse("happy pop song, 90 seconds", &error);
    g_assert_no_error(error);
    g_autoptr(GsArrangement) long_song = gs_arrangement_new(prompt, 3);
    g_autoptr(GsVocalLine) line = gs_vocal_line_plan(ctx, model, NULL, long_song, hellos->str, &error);
    g_assert_no_error(error);
    int in_phrase[2] = { 0, 0 };
    for (int i = 0; i < line->n_notes; i++)
        if (line->notes[i].phrase < 2)
            in_phrase[line->notes[i].phrase]++;
    g_print("34 syllables sung as phrases of %d and %d\n", in_phrase[0], in_phrase[1]);
    g_assert_cmpint(in_phrase[0] + in_phrase[1], ==, 34);
    g_assert_cmpint(in_phrase[0] % 2, ==, 0);
    g_assert_cmpint(abs(in_phrase[0] - in_phrase[1]), <=, 2);
}

static void
test_refusals(void)
{
    const char *bad[] = { "", " \n \n", "caf\xc3\x28 au lait" };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;
        GsVocalLine *line = gs_vocal_line_plan(ctx, model, NULL, song, bad[i], &error);
        g_assert_null(line);
        g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
    g_autoptr(GError) error = NULL;
    GsVocalLine *line = gs_vocal_line_plan(ctx, model, &(GsSinger){ .voice = "nobody" }, song, lyrics, &error);
    g_assert_null(line);
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ctx = gs_test_context();
    if (gs_speech_load(ctx, GS_SPEECH_MODEL_PATH, &model) != GS_OK) {
        g_printerr("no speech model: %s\n", gs_context_error(ctx));
        return 1;
    }
    g_autoptr(GError) error = NULL;
    g_autoptr(GsMusicPrompt) prompt = gs_music_prompt_parse("happy pop song, 40 seconds", &error);
    g_assert_no_error(error);
    song = gs_arrangement_new(prompt, 3);
    g_test_add_func("/vocals/yin", test_yin);
    g_test_add_func("/vocals/plan", test_plan);
    g_test_add_func("/vocals/sung", test_sung);
    g_test_add_func("/vocals/cloned-singer", test_cloned_singer);
    g_test_add_func("/vocals/long-line", test_long_line);
    g_test_add_func("/vocals/refusals", test_refusals);
    int status = g_test_run();
    gs_arrangement_free(song);
    gs_speech_free(model);
    gs_context_free(ctx);
    return status;
}
