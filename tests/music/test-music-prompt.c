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
    { "chill lo-fi beats with electric piano", GS_MUSIC_STYLE_LO_FI, 70, 5, GS_MUSIC_MODE_MAJOR,
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

static GsMusicPrompt *
parse_cleanly(const char *text)
{
    g_autoptr(GError) error = NULL;
    GsMusicPrompt *p = gs_music_prompt_parse(text, &error);
    g_assert_no_error(error);
    g_autofree char *ignored = g_strjoinv(", ", p->ignored);
    g_assert_cmpstr(ignored, ==, "");
    return p;
}

/* The prompts the issue found half-understood. */
static void
test_issue_prompts(void)
{
    g_autoptr(GsMusicPrompt) punk = parse_cleanly("energetic punk rock");
    g_assert_cmpint(punk->style, ==, GS_MUSIC_STYLE_PUNK);
    g_assert_cmpint(punk->mood, ==, GS_MUSIC_MOOD_ENERGETIC);
    g_assert_cmpint(punk->bpm, >, gs_music_style_info(GS_MUSIC_STYLE_PUNK)->bpm);

    g_autoptr(GsMusicPrompt) disco = parse_cleanly("funky disco with slap bass");
    g_assert_cmpint(disco->style, ==, GS_MUSIC_STYLE_DISCO);
    g_assert_cmpint(disco->programs[GS_MUSIC_PART_BASS], ==, 36);
    g_assert_cmpint(disco->density, ==, 1);
    g_assert_true(disco->sevenths);

    /* "808s" are the drum machine's bass, not 808 seconds; "30s" still is a length. */
    g_autoptr(GsMusicPrompt) trap = parse_cleanly("dark trap with 808s, 30s");
    g_assert_cmpint(trap->style, ==, GS_MUSIC_STYLE_TRAP);
    g_assert_cmpint(trap->programs[GS_MUSIC_PART_BASS], ==, 38);
    g_assert_cmpfloat(trap->seconds, ==, 30.0);

    g_autoptr(GsMusicPrompt) drone = parse_cleanly("slow ambient drone");
    g_assert_cmpint(drone->style, ==, GS_MUSIC_STYLE_AMBIENT);
    g_assert_cmpint(drone->density, ==, -1);
    g_assert_cmpint(drone->bpm, <, gs_music_style_info(GS_MUSIC_STYLE_AMBIENT)->bpm);
}

typedef struct {
    const char *word;
    GsMusicStyle style;
} style_word;

/* Every style word and subgenre the parser knows, and the style it means. */
static const style_word style_words[] = {
    { "pop", GS_MUSIC_STYLE_POP }, { "dream pop", GS_MUSIC_STYLE_POP }, { "ballad", GS_MUSIC_STYLE_POP },
    { "rock", GS_MUSIC_STYLE_ROCK }, { "hard rock", GS_MUSIC_STYLE_ROCK }, { "soft rock", GS_MUSIC_STYLE_ROCK },
    { "indie", GS_MUSIC_STYLE_ROCK }, { "indie rock", GS_MUSIC_STYLE_ROCK }, { "alternative", GS_MUSIC_STYLE_ROCK },
    { "grunge", GS_MUSIC_STYLE_ROCK }, { "rock and roll", GS_MUSIC_STYLE_ROCK }, { "rock n roll", GS_MUSIC_STYLE_ROCK },
    { "punk", GS_MUSIC_STYLE_PUNK }, { "punk rock", GS_MUSIC_STYLE_PUNK }, { "pop punk", GS_MUSIC_STYLE_PUNK },
    { "hardcore", GS_MUSIC_STYLE_PUNK }, { "emo", GS_MUSIC_STYLE_PUNK }, { "metal", GS_MUSIC_STYLE_METAL },
    { "heavy metal", GS_MUSIC_STYLE_METAL }, { "thrash", GS_MUSIC_STYLE_METAL },
    { "thrash metal", GS_MUSIC_STYLE_METAL }, { "death metal", GS_MUSIC_STYLE_METAL },
    { "doom", GS_MUSIC_STYLE_METAL }, { "doom metal", GS_MUSIC_STYLE_METAL }, { "k-pop", GS_MUSIC_STYLE_K_POP },
    { "kpop", GS_MUSIC_STYLE_K_POP }, { "j-pop", GS_MUSIC_STYLE_K_POP }, { "jpop", GS_MUSIC_STYLE_K_POP },
    { "r&b", GS_MUSIC_STYLE_RNB }, { "rnb", GS_MUSIC_STYLE_RNB }, { "R and B", GS_MUSIC_STYLE_RNB },
    { "rhythm and blues", GS_MUSIC_STYLE_RNB }, { "neo soul", GS_MUSIC_STYLE_RNB }, { "neo-soul", GS_MUSIC_STYLE_RNB },
    { "soul", GS_MUSIC_STYLE_SOUL }, { "motown", GS_MUSIC_STYLE_SOUL }, { "northern soul", GS_MUSIC_STYLE_SOUL },
    { "funk", GS_MUSIC_STYLE_FUNK }, { "funky", GS_MUSIC_STYLE_FUNK }, { "disco", GS_MUSIC_STYLE_DISCO },
    { "nu disco", GS_MUSIC_STYLE_DISCO }, { "nu-disco", GS_MUSIC_STYLE_DISCO }, { "gospel", GS_MUSIC_STYLE_GOSPEL },
    { "hip hop", GS_MUSIC_STYLE_HIP_HOP }, { "hip-hop", GS_MUSIC_STYLE_HIP_HOP }, { "hiphop", GS_MUSIC_STYLE_HIP_HOP },
    { "rap", GS_MUSIC_STYLE_HIP_HOP }, { "boom bap", GS_MUSIC_STYLE_HIP_HOP }, { "trip hop", GS_MUSIC_STYLE_HIP_HOP },
    { "trip-hop", GS_MUSIC_STYLE_HIP_HOP }, { "trap", GS_MUSIC_STYLE_TRAP }, { "drill", GS_MUSIC_STYLE_TRAP },
    { "lo-fi", GS_MUSIC_STYLE_LO_FI }, { "lofi", GS_MUSIC_STYLE_LO_FI }, { "lo fi", GS_MUSIC_STYLE_LO_FI },
    { "chillhop", GS_MUSIC_STYLE_LO_FI }, { "techno", GS_MUSIC_STYLE_TECHNO }, { "electronic", GS_MUSIC_STYLE_TECHNO },
    { "EDM", GS_MUSIC_STYLE_TECHNO }, { "electro", GS_MUSIC_STYLE_TECHNO }, { "minimal techno", GS_MUSIC_STYLE_TECHNO },
    { "house", GS_MUSIC_STYLE_HOUSE }, { "deep house", GS_MUSIC_STYLE_HOUSE }, { "tech house", GS_MUSIC_STYLE_HOUSE },
    { "progressive house", GS_MUSIC_STYLE_HOUSE }, { "drum and bass", GS_MUSIC_STYLE_DRUM_AND_BASS },
    { "drum 'n' bass", GS_MUSIC_STYLE_DRUM_AND_BASS }, { "dnb", GS_MUSIC_STYLE_DRUM_AND_BASS },
    { "d&b", GS_MUSIC_STYLE_DRUM_AND_BASS }, { "jungle", GS_MUSIC_STYLE_DRUM_AND_BASS },
    { "liquid", GS_MUSIC_STYLE_DRUM_AND_BASS }, { "dubstep", GS_MUSIC_STYLE_DUBSTEP },
    { "brostep", GS_MUSIC_STYLE_DUBSTEP }, { "synthwave", GS_MUSIC_STYLE_SYNTHWAVE },
    { "retrowave", GS_MUSIC_STYLE_SYNTHWAVE }, { "outrun", GS_MUSIC_STYLE_SYNTHWAVE },
    { "synthpop", GS_MUSIC_STYLE_SYNTHWAVE }, { "synth pop", GS_MUSIC_STYLE_SYNTHWAVE },
    { "synth-pop", GS_MUSIC_STYLE_SYNTHWAVE }, { "vaporwave", GS_MUSIC_STYLE_SYNTHWAVE },
    { "trance", GS_MUSIC_STYLE_TRANCE }, { "psytrance", GS_MUSIC_STYLE_TRANCE }, { "ambient", GS_MUSIC_STYLE_AMBIENT },
    { "drone", GS_MUSIC_STYLE_AMBIENT }, { "new age", GS_MUSIC_STYLE_AMBIENT },
    { "bossa nova", GS_MUSIC_STYLE_BOSSA_NOVA }, { "bossa", GS_MUSIC_STYLE_BOSSA_NOVA },
    { "samba", GS_MUSIC_STYLE_SAMBA }, { "salsa", GS_MUSIC_STYLE_SALSA }, { "latin", GS_MUSIC_STYLE_SALSA },
    { "latin jazz", GS_MUSIC_STYLE_SALSA }, { "mambo", GS_MUSIC_STYLE_SALSA }, { "tango", GS_MUSIC_STYLE_TANGO },
    { "cumbia", GS_MUSIC_STYLE_CUMBIA }, { "reggaeton", GS_MUSIC_STYLE_REGGAETON },
    { "dembow", GS_MUSIC_STYLE_REGGAETON }, { "afrobeat", GS_MUSIC_STYLE_AFROBEAT },
    { "afrobeats", GS_MUSIC_STYLE_AFROBEAT }, { "highlife", GS_MUSIC_STYLE_HIGHLIFE },
    { "reggae", GS_MUSIC_STYLE_REGGAE }, { "one drop", GS_MUSIC_STYLE_REGGAE }, { "dub", GS_MUSIC_STYLE_REGGAE },
    { "dancehall", GS_MUSIC_STYLE_DANCEHALL }, { "ska", GS_MUSIC_STYLE_SKA }, { "rocksteady", GS_MUSIC_STYLE_SKA },
    { "jazz", GS_MUSIC_STYLE_JAZZ }, { "swing", GS_MUSIC_STYLE_JAZZ }, { "swing jazz", GS_MUSIC_STYLE_JAZZ },
    { "big band", GS_MUSIC_STYLE_JAZZ }, { "bebop", GS_MUSIC_STYLE_JAZZ }, { "bop", GS_MUSIC_STYLE_JAZZ },
    { "cool jazz", GS_MUSIC_STYLE_JAZZ }, { "smooth jazz", GS_MUSIC_STYLE_JAZZ }, { "jazzy", GS_MUSIC_STYLE_JAZZ },
    { "blues", GS_MUSIC_STYLE_BLUES }, { "bluesy", GS_MUSIC_STYLE_BLUES }, { "folk", GS_MUSIC_STYLE_FOLK },
    { "country", GS_MUSIC_STYLE_COUNTRY }, { "americana", GS_MUSIC_STYLE_COUNTRY },
    { "bluegrass", GS_MUSIC_STYLE_BLUEGRASS }, { "celtic", GS_MUSIC_STYLE_CELTIC }, { "irish", GS_MUSIC_STYLE_CELTIC },
    { "scottish", GS_MUSIC_STYLE_CELTIC }, { "reel", GS_MUSIC_STYLE_CELTIC },
    { "classical", GS_MUSIC_STYLE_CLASSICAL }, { "orchestral", GS_MUSIC_STYLE_CLASSICAL },
    { "symphonic", GS_MUSIC_STYLE_CLASSICAL }, { "baroque", GS_MUSIC_STYLE_CLASSICAL },
    { "waltz", GS_MUSIC_STYLE_WALTZ }, { "cinematic", GS_MUSIC_STYLE_CINEMATIC }, { "film", GS_MUSIC_STYLE_CINEMATIC },
    { "film score", GS_MUSIC_STYLE_CINEMATIC }, { "movie", GS_MUSIC_STYLE_CINEMATIC },
    { "soundtrack", GS_MUSIC_STYLE_CINEMATIC }, { "trailer", GS_MUSIC_STYLE_CINEMATIC },
    { "chiptune", GS_MUSIC_STYLE_CHIPTUNE }, { "8-bit", GS_MUSIC_STYLE_CHIPTUNE }, { "8bit", GS_MUSIC_STYLE_CHIPTUNE },
    { "video game", GS_MUSIC_STYLE_CHIPTUNE }, { "videogame", GS_MUSIC_STYLE_CHIPTUNE },
    { "game", GS_MUSIC_STYLE_CHIPTUNE }, { "retro game", GS_MUSIC_STYLE_CHIPTUNE },
    { "arcade", GS_MUSIC_STYLE_CHIPTUNE },
};

static void
test_style_words(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(style_words); i++) {
        g_test_message("style word: %s", style_words[i].word);
        g_autoptr(GsMusicPrompt) p = parse_cleanly(style_words[i].word);
        g_assert_cmpstr(gs_music_style_name(p->style), ==, gs_music_style_name(style_words[i].style));
        const GsMusicStyleInfo *info = gs_music_style_info(p->style);
        g_assert_cmpint(p->bpm, >=, info->bpm_low);
        g_assert_cmpint(p->bpm, <=, info->bpm_high);
    }
    /* A plural is an instrument list, not the genre. */
    g_autoptr(GsMusicPrompt) p = parse_cleanly("funk with drums and bass");
    g_assert_cmpint(p->style, ==, GS_MUSIC_STYLE_FUNK);
}

typedef struct {
    const char *word;
    GsMusicMood mood;
} mood_word;

static const mood_word mood_words[] = {
    { "happy", GS_MUSIC_MOOD_HAPPY }, { "joyful", GS_MUSIC_MOOD_HAPPY }, { "cheerful", GS_MUSIC_MOOD_HAPPY },
    { "bright", GS_MUSIC_MOOD_HAPPY }, { "uplifting", GS_MUSIC_MOOD_HAPPY }, { "upbeat", GS_MUSIC_MOOD_HAPPY },
    { "playful", GS_MUSIC_MOOD_HAPPY }, { "sunny", GS_MUSIC_MOOD_HAPPY }, { "hopeful", GS_MUSIC_MOOD_HAPPY },
    { "fun", GS_MUSIC_MOOD_HAPPY }, { "triumphant", GS_MUSIC_MOOD_HAPPY }, { "sad", GS_MUSIC_MOOD_SAD },
    { "melancholic", GS_MUSIC_MOOD_SAD }, { "melancholy", GS_MUSIC_MOOD_SAD }, { "gloomy", GS_MUSIC_MOOD_SAD },
    { "somber", GS_MUSIC_MOOD_SAD }, { "sombre", GS_MUSIC_MOOD_SAD }, { "dark", GS_MUSIC_MOOD_SAD },
    { "nostalgic", GS_MUSIC_MOOD_SAD }, { "emotional", GS_MUSIC_MOOD_SAD }, { "lonely", GS_MUSIC_MOOD_SAD },
    { "wistful", GS_MUSIC_MOOD_SAD }, { "tense", GS_MUSIC_MOOD_TENSE }, { "dramatic", GS_MUSIC_MOOD_TENSE },
    { "suspenseful", GS_MUSIC_MOOD_TENSE }, { "ominous", GS_MUSIC_MOOD_TENSE }, { "anxious", GS_MUSIC_MOOD_TENSE },
    { "mysterious", GS_MUSIC_MOOD_TENSE }, { "spooky", GS_MUSIC_MOOD_TENSE }, { "scary", GS_MUSIC_MOOD_TENSE },
    { "eerie", GS_MUSIC_MOOD_TENSE }, { "haunting", GS_MUSIC_MOOD_TENSE }, { "calm", GS_MUSIC_MOOD_CALM },
    { "relaxed", GS_MUSIC_MOOD_CALM }, { "relaxing", GS_MUSIC_MOOD_CALM }, { "peaceful", GS_MUSIC_MOOD_CALM },
    { "chill", GS_MUSIC_MOOD_CALM }, { "mellow", GS_MUSIC_MOOD_CALM }, { "gentle", GS_MUSIC_MOOD_CALM },
    { "dreamy", GS_MUSIC_MOOD_CALM }, { "soft", GS_MUSIC_MOOD_CALM }, { "smooth", GS_MUSIC_MOOD_CALM },
    { "romantic", GS_MUSIC_MOOD_CALM }, { "soothing", GS_MUSIC_MOOD_CALM }, { "laid-back", GS_MUSIC_MOOD_CALM },
    { "laid back", GS_MUSIC_MOOD_CALM }, { "energetic", GS_MUSIC_MOOD_ENERGETIC },
    { "driving", GS_MUSIC_MOOD_ENERGETIC }, { "powerful", GS_MUSIC_MOOD_ENERGETIC },
    { "aggressive", GS_MUSIC_MOOD_ENERGETIC }, { "epic", GS_MUSIC_MOOD_ENERGETIC },
    { "intense", GS_MUSIC_MOOD_ENERGETIC }, { "heavy", GS_MUSIC_MOOD_ENERGETIC }, { "angry", GS_MUSIC_MOOD_ENERGETIC },
    { "fierce", GS_MUSIC_MOOD_ENERGETIC }, { "exciting", GS_MUSIC_MOOD_ENERGETIC },
    { "heroic", GS_MUSIC_MOOD_ENERGETIC },
};

/* Moods set the mode, the tempo within the style's range, and (calm, sad)
 * a sparser melody; energetic ones play louder. */
static void
test_mood_words(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(mood_words); i++) {
        g_autofree char *text = g_strconcat(mood_words[i].word, " blues", NULL);
        g_test_message("mood word: %s", text);
        g_autoptr(GsMusicPrompt) p = parse_cleanly(text);
        g_assert_cmpint(p->mood, ==, mood_words[i].mood);
        GsMusicMood mood = mood_words[i].mood;
        if (mood == GS_MUSIC_MOOD_SAD || mood == GS_MUSIC_MOOD_TENSE)
            g_assert_cmpint(p->mode, ==, GS_MUSIC_MODE_MINOR);
        if (mood == GS_MUSIC_MOOD_CALM || mood == GS_MUSIC_MOOD_SAD)
            g_assert_cmpint(p->bpm, <, gs_music_style_info(GS_MUSIC_STYLE_BLUES)->bpm);
        if (mood == GS_MUSIC_MOOD_ENERGETIC || mood == GS_MUSIC_MOOD_HAPPY)
            g_assert_cmpint(p->bpm, >, gs_music_style_info(GS_MUSIC_STYLE_BLUES)->bpm);
    }
}

typedef struct {
    const char *word;
    int density;
    gboolean sevenths, swing;
} feel_word;

static const feel_word feel_words[] = {
    { "funky", 1, TRUE, FALSE }, { "groovy", 1, FALSE, FALSE }, { "busy", 1, FALSE, FALSE },
    { "dense", 1, FALSE, FALSE }, { "lush", 1, TRUE, FALSE }, { "sparse", -1, FALSE, FALSE },
    { "minimal", -1, FALSE, FALSE }, { "minimalist", -1, FALSE, FALSE }, { "simple", -1, FALSE, FALSE },
    { "jazzy", 0, TRUE, TRUE }, { "bluesy", 0, TRUE, TRUE }, { "swung", 0, FALSE, TRUE },
    { "swinging", 0, FALSE, TRUE }, { "shuffle", 0, FALSE, TRUE }, { "ballad", -1, FALSE, FALSE },
};

static void
test_feel_words(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(feel_words); i++) {
        g_autofree char *text = g_strconcat(feel_words[i].word, " rock", NULL);
        g_test_message("feel word: %s", text);
        g_autoptr(GsMusicPrompt) p = parse_cleanly(text);
        g_assert_cmpint(p->style, ==, GS_MUSIC_STYLE_ROCK); /* a feel never overrides a named style */
        g_assert_cmpint(p->density, ==, feel_words[i].density);
        g_assert_cmpint(p->sevenths, ==, feel_words[i].sevenths);
        g_assert_cmpint(p->swing, ==, feel_words[i].swing);
    }
    /* Subgenres move the tempo inside their style's range. */
    g_autoptr(GsMusicPrompt) thrash = parse_cleanly("thrash metal");
    g_autoptr(GsMusicPrompt) doom = parse_cleanly("doom metal");
    g_assert_cmpint(thrash->bpm, >, gs_music_style_info(GS_MUSIC_STYLE_METAL)->bpm);
    g_assert_cmpint(doom->bpm, <, gs_music_style_info(GS_MUSIC_STYLE_METAL)->bpm);
    g_assert_cmpint(doom->density, ==, -1);
}

static void
test_style_table(void)
{
    g_assert_cmpint(GS_MUSIC_STYLE_COUNT, >=, 35);
    gboolean families[GS_MUSIC_FAMILY_GAME + 1] = { FALSE };
    for (int style = 0; style < GS_MUSIC_STYLE_COUNT; style++) {
        const GsMusicStyleInfo *info = gs_music_style_info(style);
        g_test_message("%s (%s): %d–%d bpm", info->name, gs_music_family_name(info->family), info->bpm_low,
                       info->bpm_high);
        g_assert_cmpint(info->bpm_low, <=, info->bpm);
        g_assert_cmpint(info->bpm, <=, info->bpm_high);
        g_assert_cmpint(info->bpm_low, >=, GS_MUSIC_MIN_BPM);
        g_assert_cmpint(info->bpm_high, <=, GS_MUSIC_MAX_BPM);
        families[info->family] = TRUE;
        for (int other = 0; other < style; other++)
            g_assert_cmpstr(info->name, !=, gs_music_style_info(other)->name);
    }
    for (gsize f = 0; f < G_N_ELEMENTS(families); f++)
        g_assert_true(families[f]);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/music/prompt/table", test_prompt_table);
    g_test_add_func("/music/prompt/errors", test_prompt_errors);
    g_test_add_func("/music/prompt/every-style", test_every_style_by_name);
    g_test_add_func("/music/prompt/issue-prompts", test_issue_prompts);
    g_test_add_func("/music/prompt/style-words", test_style_words);
    g_test_add_func("/music/prompt/mood-words", test_mood_words);
    g_test_add_func("/music/prompt/feel-words", test_feel_words);
    g_test_add_func("/music/prompt/style-table", test_style_table);
    return g_test_run();
}
