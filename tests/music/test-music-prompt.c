/* The music prompt parser, table-driven: what each prompt should mean.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <gio/gio.h>
#include <string.h>

#include "gs-music-prompt.h"

#define ANY (-1) /* a field the case does not check */

typedef struct {
    const char *text;
    GsMusicStyle style;
    int bpm;
    int key;
    GsMusicMode mode;
    GsMusicMood mood;
    double seconds;
    int melody, chords, bass;
    const char *ignored; /* joined with ", " */
} prompt_case;

static const prompt_case cases[] = {
    { "calm bossa nova in D minor, 100 bpm, 30 seconds", GS_MUSIC_STYLE_BOSSA_NOVA, 100, 2, GS_MUSIC_MODE_MINOR,
      GS_MUSIC_MOOD_CALM, 30, 73, 24, 32, "" },
    { "energetic pop song with piano and strings", GS_MUSIC_STYLE_POP, 123, 0, GS_MUSIC_MODE_MAJOR,
      GS_MUSIC_MOOD_ENERGETIC,
      30, 0, 48, ANY, "" },
    { "fast rock in F# major, 1 minute", GS_MUSIC_STYLE_ROCK, 156, 6, GS_MUSIC_MODE_MAJOR, GS_MUSIC_MOOD_NEUTRAL, 60,
      ANY, ANY, ANY, "" },
    { "Slow SAD Jazz", GS_MUSIC_STYLE_JAZZ, 92, 2, GS_MUSIC_MODE_MINOR, GS_MUSIC_MOOD_SAD, 30, ANY, ANY, ANY, "" },
    { "waltz in Bb major, 90 bpm", GS_MUSIC_STYLE_WALTZ, 90, 10, GS_MUSIC_MODE_MAJOR, GS_MUSIC_MOOD_NEUTRAL, 30, ANY,
      ANY, ANY, "" },
    { "dreamy ambient pad, 2 minutes", GS_MUSIC_STYLE_AMBIENT, 63, 2, GS_MUSIC_MODE_MINOR, GS_MUSIC_MOOD_CALM, 120,
      89, ANY, ANY, "" },
    { "techno 128bpm 45s", GS_MUSIC_STYLE_TECHNO, 128, 9, GS_MUSIC_MODE_MINOR, GS_MUSIC_MOOD_NEUTRAL, 45, ANY, ANY,
      ANY, "" },
    { "chill lo-fi beats with electric piano", GS_MUSIC_STYLE_HIP_HOP, 77, 0, GS_MUSIC_MODE_MINOR,
      GS_MUSIC_MOOD_CALM, 30, 4, ANY, ANY, "" },
    { "folk tune with acoustic guitar and violin, in G", GS_MUSIC_STYLE_FOLK, 104, 7, GS_MUSIC_MODE_MAJOR,
      GS_MUSIC_MOOD_NEUTRAL, 30, 25, 40, ANY, "" },
    { "dramatic orchestral piece in C minor with strings, half a minute", GS_MUSIC_STYLE_CLASSICAL, 96, 0,
      GS_MUSIC_MODE_MINOR, GS_MUSIC_MOOD_TENSE, 30, 48, ANY, ANY, "" },
    { "blues in A with upright bass and harmonica", GS_MUSIC_STYLE_BLUES, 92, 9, GS_MUSIC_MODE_MAJOR,
      GS_MUSIC_MOOD_NEUTRAL, 30, 22, ANY, 32, "" },
    { "reggae, energetic, in e minor, 3 minutes", GS_MUSIC_STYLE_REGGAE, 87, 4, GS_MUSIC_MODE_MINOR,
      GS_MUSIC_MOOD_ENERGETIC, 180, ANY, ANY, ANY, "" },
    { "hip-hop in a calm mood", GS_MUSIC_STYLE_HIP_HOP, 77, 0, GS_MUSIC_MODE_MINOR, GS_MUSIC_MOOD_CALM, 30, ANY,
      ANY, ANY, "mood" },
    { "jazz with saxophones and guitars and drums", GS_MUSIC_STYLE_JAZZ, 140, 5, GS_MUSIC_MODE_MAJOR,
      GS_MUSIC_MOOD_NEUTRAL, 30, 65, 25, ANY, "" },
    { "a song about purple elephants", GS_MUSIC_STYLE_POP, 110, 0, GS_MUSIC_MODE_MAJOR, GS_MUSIC_MOOD_NEUTRAL, 30,
      ANY, ANY, ANY, "purple, elephants" },
    { "rock pop", GS_MUSIC_STYLE_ROCK, 120, 4, GS_MUSIC_MODE_MAJOR, GS_MUSIC_MOOD_NEUTRAL, 30, ANY, ANY, ANY, "pop" },
    { "", GS_MUSIC_STYLE_POP, 110, 0, GS_MUSIC_MODE_MAJOR, GS_MUSIC_MOOD_NEUTRAL, 30, 80, 0, 33, "" },
    { "ambient in the key of E flat minor", GS_MUSIC_STYLE_AMBIENT, 72, 3, GS_MUSIC_MODE_MINOR,
      GS_MUSIC_MOOD_NEUTRAL, 30, ANY, ANY, ANY, "" },
    { "in a minor key, classical", GS_MUSIC_STYLE_CLASSICAL, 96, 9, GS_MUSIC_MODE_MINOR, GS_MUSIC_MOOD_NEUTRAL, 30,
      ANY, ANY, ANY, "" },
    { "bossa nova, 20s", GS_MUSIC_STYLE_BOSSA_NOVA, 126, 2, GS_MUSIC_MODE_MAJOR, GS_MUSIC_MOOD_NEUTRAL, 20, ANY, ANY,
      ANY, "" },
    { "piano, flute and cello", GS_MUSIC_STYLE_POP, 110, 0, GS_MUSIC_MODE_MAJOR, GS_MUSIC_MOOD_NEUTRAL, 30, 0, 73,
      ANY, "cello" },
    { "120bpm happy techno", GS_MUSIC_STYLE_TECHNO, 120, 9, GS_MUSIC_MODE_MAJOR, GS_MUSIC_MOOD_HAPPY, 30, ANY, ANY,
      ANY, "" },
    { "very slow classical", GS_MUSIC_STYLE_CLASSICAL, 58, 0, GS_MUSIC_MODE_MAJOR, GS_MUSIC_MOOD_NEUTRAL, 30, ANY,
      ANY, ANY, "" },
    { "hip hop, 90 bpm, 100 bpm", GS_MUSIC_STYLE_HIP_HOP, 90, 0, GS_MUSIC_MODE_MINOR, GS_MUSIC_MOOD_NEUTRAL, 30, ANY,
      ANY, ANY, "100, bpm" },
    { "a minute of sad waltz", GS_MUSIC_STYLE_WALTZ, 137, 2, GS_MUSIC_MODE_MINOR, GS_MUSIC_MOOD_SAD, 60, ANY, ANY,
      ANY, "" },
    { "techno with synth bass, 1.5 minutes, zzz", GS_MUSIC_STYLE_TECHNO, 128, 9, GS_MUSIC_MODE_MINOR,
      GS_MUSIC_MOOD_NEUTRAL, 90, ANY, ANY, 38, "zzz" },
    { "café jazz", GS_MUSIC_STYLE_JAZZ, 140, 5, GS_MUSIC_MODE_MAJOR, GS_MUSIC_MOOD_NEUTRAL, 30, ANY, ANY, ANY,
      "café" },
};

static void
test_prompt_table(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        const prompt_case *c = &cases[i];
        g_test_message("prompt: %s", c->text);
        g_autoptr(GError) error = NULL;
        g_autoptr(GsMusicPrompt) p = gs_music_prompt_parse(c->text, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(gs_music_style_name(p->style), ==, gs_music_style_name(c->style));
        g_assert_cmpint(p->bpm, ==, c->bpm);
        g_assert_cmpstr(gs_music_key_name(p->key), ==, gs_music_key_name(c->key));
        g_assert_cmpint(p->mode, ==, c->mode);
        g_assert_cmpint(p->mood, ==, c->mood);
        g_assert_cmpfloat_with_epsilon(p->seconds, c->seconds, 1e-9);
        if (c->melody != ANY)
            g_assert_cmpint(p->programs[GS_MUSIC_PART_MELODY], ==, c->melody);
        if (c->chords != ANY)
            g_assert_cmpint(p->programs[GS_MUSIC_PART_CHORDS], ==, c->chords);
        if (c->bass != ANY)
            g_assert_cmpint(p->programs[GS_MUSIC_PART_BASS], ==, c->bass);
        g_autofree char *ignored = g_strjoinv(", ", p->ignored);
        g_assert_cmpstr(ignored, ==, c->ignored);
    }
}

static void
test_prompt_errors(void)
{
    const char *const bad[] = { "pop \xff\xfe", "techno, 500 bpm", "rock, 10 bpm", "pop, 1 second", "pop, 20 minutes" };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GsMusicPrompt) p = gs_music_prompt_parse(bad[i], &error);
        g_assert_null(p);
        g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
    g_autoptr(GError) error = NULL;
    g_autoptr(GsMusicPrompt) p = gs_music_prompt_parse("jazz \xc3", &error);
    g_assert_null(p);
    g_assert_nonnull(strstr(error->message, "UTF-8"));
}

static void
test_every_style_by_name(void)
{
    for (int style = 0; style < GS_MUSIC_STYLE_COUNT; style++) {
        g_autoptr(GsMusicPrompt) p = gs_music_prompt_parse(gs_music_style_name(style), NULL);
        g_assert_cmpint(p->style, ==, style);
        g_assert_null(p->ignored[0]);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/music/prompt/table", test_prompt_table);
    g_test_add_func("/music/prompt/errors", test_prompt_errors);
    g_test_add_func("/music/prompt/every-style", test_every_style_by_name);
    return g_test_run();
}
