/* Prompt → musical intent: a small phrase table matched longest first over
 * lower-cased words; numbers take their unit from the next word.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-music-prompt.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

typedef struct {
    int program;
    const char *name;
} program_name;

static const program_name program_names[] = {
    { 0, "acoustic grand piano" }, { 4, "electric piano" }, { 6, "harpsichord" }, { 7, "clavinet" },
    { 8, "celesta" }, { 9, "glockenspiel" }, { 10, "music box" }, { 11, "vibraphone" }, { 12, "marimba" },
    { 13, "xylophone" }, { 14, "tubular bells" }, { 16, "drawbar organ" }, { 17, "percussive organ" },
    { 19, "church organ" }, { 21, "accordion" }, { 22, "harmonica" }, { 23, "bandoneon" },
    { 24, "nylon guitar" }, { 25, "steel guitar" }, { 26, "jazz guitar" }, { 27, "clean electric guitar" },
    { 28, "muted electric guitar" }, { 29, "overdriven guitar" }, { 30, "distortion guitar" },
    { 32, "acoustic bass" }, { 33, "electric bass (finger)" }, { 34, "electric bass (pick)" },
    { 35, "fretless bass" }, { 36, "slap bass" }, { 38, "synth bass" }, { 39, "synth bass 2" },
    { 40, "violin" }, { 41, "viola" }, { 42, "cello" }, { 43, "contrabass" }, { 46, "harp" },
    { 48, "string ensemble" }, { 50, "synth strings" }, { 52, "choir" }, { 56, "trumpet" }, { 57, "trombone" },
    { 58, "tuba" }, { 60, "french horn" }, { 61, "brass section" }, { 64, "soprano sax" }, { 65, "alto sax" },
    { 66, "tenor sax" }, { 67, "baritone sax" }, { 68, "oboe" }, { 70, "bassoon" }, { 71, "clarinet" },
    { 72, "piccolo" }, { 73, "flute" }, { 74, "recorder" }, { 75, "pan flute" }, { 78, "whistle" },
    { 79, "ocarina" }, { 80, "square lead" }, { 81, "sawtooth lead" }, { 88, "new age pad" },
    { 89, "warm pad" }, { 90, "polysynth pad" }, { 104, "sitar" }, { 105, "banjo" }, { 107, "koto" },
    { 108, "kalimba" }, { 109, "bagpipe" }, { 110, "fiddle" }, { 114, "steel drums" },
};

typedef enum {
    WORD_STYLE,
    WORD_SUBGENRE,   /* names a style and shapes it */
    WORD_FEEL,       /* shapes any style; suggests one when none is named */
    WORD_MOOD,
    WORD_TEMPO,      /* value: percent of the style's tempo */
    WORD_MODE,
    WORD_INSTRUMENT, /* value: GM program */
    WORD_BASS,       /* an instrument for the bass part */
    WORD_DRUMS,      /* every arrangement has drums already */
    WORD_SECTION,    /* value: GsMusicSectionKind */
    WORD_GLUE,       /* understood, carries no meaning of its own */
} word_kind;

#define NO_STYLE (-1)

typedef struct {
    const char *phrase; /* words separated by single spaces */
    word_kind kind;
    int value;
    /* Subgenre and feel words only: */
    int tempo_percent; /* 0 leaves the tempo alone */
    int density;
    gboolean sevenths, swing;
} phrase_entry;

#define STYLE(phrase, style) { phrase, WORD_STYLE, GS_MUSIC_STYLE_##style, 0, 0, FALSE, FALSE }
#define SUBGENRE(phrase, style, tempo, density, sevenths, swing) \
    { phrase, WORD_SUBGENRE, GS_MUSIC_STYLE_##style, tempo, density, sevenths, swing }
#define FEEL(phrase, style, tempo, density, sevenths, swing) \
    { phrase, WORD_FEEL, style, tempo, density, sevenths, swing }
#define WORD(phrase, kind, value) { phrase, kind, value, 0, 0, FALSE, FALSE }
#define MOOD(phrase, mood) WORD(phrase, WORD_MOOD, GS_MUSIC_MOOD_##mood)
#define INSTRUMENT(phrase, program) WORD(phrase, WORD_INSTRUMENT, program)
#define SECTION(phrase, kind) WORD(phrase, WORD_SECTION, GS_MUSIC_SECTION_##kind)
#define GLUE(phrase) WORD(phrase, WORD_GLUE, 0)

static const phrase_entry phrases[] = {
    /* Popular */
    STYLE("pop", POP), SUBGENRE("dream pop", POP, 85, -1, TRUE, FALSE),
    STYLE("rock", ROCK), SUBGENRE("hard rock", ROCK, 105, 1, FALSE, FALSE),
    SUBGENRE("soft rock", ROCK, 85, -1, FALSE, FALSE), STYLE("indie", ROCK), STYLE("indie rock", ROCK),
    STYLE("alternative", ROCK), SUBGENRE("grunge", ROCK, 85, 0, FALSE, FALSE),
    SUBGENRE("rock and roll", ROCK, 130, 1, FALSE, TRUE), SUBGENRE("rock n roll", ROCK, 130, 1, FALSE, TRUE),
    STYLE("punk", PUNK), STYLE("punk rock", PUNK), SUBGENRE("pop punk", PUNK, 92, 0, FALSE, FALSE),
    SUBGENRE("hardcore", PUNK, 110, 1, FALSE, FALSE), SUBGENRE("emo", PUNK, 88, 0, FALSE, FALSE),
    STYLE("metal", METAL), STYLE("heavy metal", METAL), SUBGENRE("thrash", METAL, 130, 1, FALSE, FALSE),
    SUBGENRE("thrash metal", METAL, 130, 1, FALSE, FALSE), SUBGENRE("death metal", METAL, 125, 1, FALSE, FALSE),
    SUBGENRE("doom", METAL, 50, -1, FALSE, FALSE), SUBGENRE("doom metal", METAL, 50, -1, FALSE, FALSE),
    STYLE("k-pop", K_POP), STYLE("kpop", K_POP), STYLE("j-pop", K_POP), STYLE("jpop", K_POP),
    STYLE("r&b", RNB), STYLE("rnb", RNB), STYLE("r and b", RNB), STYLE("rhythm and blues", RNB),
    SUBGENRE("neo soul", RNB, 95, 0, TRUE, TRUE), SUBGENRE("neo-soul", RNB, 95, 0, TRUE, TRUE),
    STYLE("soul", SOUL), STYLE("motown", SOUL), SUBGENRE("northern soul", SOUL, 120, 1, FALSE, FALSE),
    STYLE("funk", FUNK), FEEL("funky", GS_MUSIC_STYLE_FUNK, 0, 1, TRUE, FALSE),
    STYLE("disco", DISCO), SUBGENRE("nu disco", DISCO, 100, 0, FALSE, FALSE),
    SUBGENRE("nu-disco", DISCO, 100, 0, FALSE, FALSE), STYLE("gospel", GOSPEL),
    STYLE("hip hop", HIP_HOP), STYLE("hip-hop", HIP_HOP), STYLE("hiphop", HIP_HOP), STYLE("rap", HIP_HOP),
    STYLE("boom bap", HIP_HOP), SUBGENRE("trip hop", HIP_HOP, 85, -1, FALSE, FALSE),
    SUBGENRE("trip-hop", HIP_HOP, 85, -1, FALSE, FALSE), STYLE("trap", TRAP), STYLE("drill", TRAP),
    STYLE("lo-fi", LO_FI), STYLE("lofi", LO_FI), STYLE("lo fi", LO_FI), STYLE("chillhop", LO_FI),
    FEEL("ballad", GS_MUSIC_STYLE_POP, 70, -1, FALSE, FALSE),
    /* Electronic */
    STYLE("techno", TECHNO), STYLE("electronic", TECHNO), STYLE("edm", TECHNO), STYLE("electro", TECHNO),
    SUBGENRE("minimal techno", TECHNO, 100, -1, FALSE, FALSE), STYLE("house", HOUSE),
    SUBGENRE("deep house", HOUSE, 98, -1, TRUE, FALSE), STYLE("tech house", HOUSE),
    SUBGENRE("progressive house", HOUSE, 103, 1, FALSE, FALSE), STYLE("drum and bass", DRUM_AND_BASS),
    STYLE("drum n bass", DRUM_AND_BASS), STYLE("dnb", DRUM_AND_BASS), STYLE("d&b", DRUM_AND_BASS),
    SUBGENRE("jungle", DRUM_AND_BASS, 100, 1, FALSE, FALSE), SUBGENRE("liquid", DRUM_AND_BASS, 100, -1, TRUE, FALSE),
    STYLE("dubstep", DUBSTEP), SUBGENRE("brostep", DUBSTEP, 100, 1, FALSE, FALSE), STYLE("synthwave", SYNTHWAVE),
    STYLE("retrowave", SYNTHWAVE), STYLE("outrun", SYNTHWAVE), STYLE("synthpop", SYNTHWAVE),
    STYLE("synth pop", SYNTHWAVE), STYLE("synth-pop", SYNTHWAVE),
    SUBGENRE("vaporwave", SYNTHWAVE, 75, -1, TRUE, FALSE), STYLE("trance", TRANCE),
    SUBGENRE("psytrance", TRANCE, 105, 1, FALSE, FALSE), STYLE("ambient", AMBIENT),
    SUBGENRE("drone", AMBIENT, 85, -1, FALSE, FALSE), STYLE("new age", AMBIENT),
    /* Latin */
    STYLE("bossa nova", BOSSA_NOVA), STYLE("bossa", BOSSA_NOVA), STYLE("samba", SAMBA), STYLE("salsa", SALSA),
    STYLE("latin", SALSA), SUBGENRE("latin jazz", SALSA, 100, 0, TRUE, FALSE),
    SUBGENRE("mambo", SALSA, 110, 1, FALSE, FALSE), STYLE("tango", TANGO), STYLE("cumbia", CUMBIA),
    STYLE("reggaeton", REGGAETON), STYLE("dembow", REGGAETON),
    /* African and Caribbean */
    STYLE("afrobeat", AFROBEAT), SUBGENRE("afrobeats", AFROBEAT, 92, 0, FALSE, FALSE), STYLE("highlife", HIGHLIFE),
    STYLE("reggae", REGGAE), STYLE("one drop", REGGAE), SUBGENRE("dub", REGGAE, 92, -1, FALSE, FALSE),
    STYLE("dancehall", DANCEHALL), STYLE("ska", SKA), SUBGENRE("rocksteady", SKA, 75, -1, FALSE, FALSE),
    /* Jazz and blues */
    STYLE("jazz", JAZZ), STYLE("swing", JAZZ), STYLE("swing jazz", JAZZ), STYLE("big band", JAZZ),
    SUBGENRE("bebop", JAZZ, 140, 1, FALSE, FALSE), SUBGENRE("bop", JAZZ, 140, 1, FALSE, FALSE),
    SUBGENRE("cool jazz", JAZZ, 75, -1, FALSE, FALSE), SUBGENRE("smooth jazz", JAZZ, 65, -1, FALSE, FALSE),
    FEEL("jazzy", GS_MUSIC_STYLE_JAZZ, 0, 0, TRUE, TRUE), STYLE("blues", BLUES),
    FEEL("bluesy", GS_MUSIC_STYLE_BLUES, 0, 0, TRUE, TRUE),
    /* Folk and country */
    STYLE("folk", FOLK), STYLE("country", COUNTRY), STYLE("americana", COUNTRY), STYLE("bluegrass", BLUEGRASS),
    STYLE("celtic", CELTIC), STYLE("irish", CELTIC), STYLE("scottish", CELTIC), STYLE("reel", CELTIC),
    /* Classical and film */
    STYLE("classical", CLASSICAL), STYLE("orchestral", CLASSICAL), STYLE("symphonic", CLASSICAL),
    SUBGENRE("baroque", CLASSICAL, 105, 1, FALSE, FALSE), STYLE("waltz", WALTZ), STYLE("cinematic", CINEMATIC),
    STYLE("film", CINEMATIC), STYLE("film score", CINEMATIC), STYLE("movie", CINEMATIC),
    STYLE("soundtrack", CINEMATIC), SUBGENRE("trailer", CINEMATIC, 110, 1, FALSE, FALSE),
    /* Game */
    STYLE("chiptune", CHIPTUNE), STYLE("8 bit", CHIPTUNE), STYLE("video game", CHIPTUNE),
    STYLE("videogame", CHIPTUNE), STYLE("game", CHIPTUNE), STYLE("retro game", CHIPTUNE),
    STYLE("arcade", CHIPTUNE),

    FEEL("groovy", NO_STYLE, 0, 1, FALSE, FALSE), FEEL("busy", NO_STYLE, 0, 1, FALSE, FALSE),
    FEEL("dense", NO_STYLE, 0, 1, FALSE, FALSE), FEEL("lush", NO_STYLE, 0, 1, TRUE, FALSE),
    FEEL("sparse", NO_STYLE, 0, -1, FALSE, FALSE), FEEL("minimal", NO_STYLE, 0, -1, FALSE, FALSE),
    FEEL("minimalist", NO_STYLE, 0, -1, FALSE, FALSE), FEEL("simple", NO_STYLE, 0, -1, FALSE, FALSE),
    FEEL("swung", NO_STYLE, 0, 0, FALSE, TRUE), FEEL("swinging", NO_STYLE, 0, 0, FALSE, TRUE),
    FEEL("shuffle", NO_STYLE, 0, 0, FALSE, TRUE),

    MOOD("happy", HAPPY), MOOD("joyful", HAPPY), MOOD("cheerful", HAPPY), MOOD("bright", HAPPY),
    MOOD("uplifting", HAPPY), MOOD("upbeat", HAPPY), MOOD("playful", HAPPY), MOOD("sunny", HAPPY),
    MOOD("hopeful", HAPPY), MOOD("fun", HAPPY), MOOD("triumphant", HAPPY), MOOD("sad", SAD),
    MOOD("melancholic", SAD), MOOD("melancholy", SAD), MOOD("gloomy", SAD), MOOD("somber", SAD),
    MOOD("sombre", SAD), MOOD("dark", SAD), MOOD("nostalgic", SAD), MOOD("emotional", SAD), MOOD("lonely", SAD),
    MOOD("wistful", SAD), MOOD("tense", TENSE), MOOD("dramatic", TENSE), MOOD("suspenseful", TENSE),
    MOOD("ominous", TENSE), MOOD("anxious", TENSE), MOOD("mysterious", TENSE), MOOD("spooky", TENSE),
    MOOD("scary", TENSE), MOOD("eerie", TENSE), MOOD("haunting", TENSE), MOOD("calm", CALM),
    MOOD("relaxed", CALM), MOOD("relaxing", CALM), MOOD("peaceful", CALM), MOOD("chill", CALM),
    MOOD("mellow", CALM), MOOD("gentle", CALM), MOOD("dreamy", CALM), MOOD("soft", CALM), MOOD("smooth", CALM),
    MOOD("romantic", CALM), MOOD("soothing", CALM), MOOD("laid-back", CALM), MOOD("laid back", CALM),
    MOOD("energetic", ENERGETIC), MOOD("driving", ENERGETIC), MOOD("powerful", ENERGETIC),
    MOOD("aggressive", ENERGETIC), MOOD("epic", ENERGETIC), MOOD("intense", ENERGETIC), MOOD("heavy", ENERGETIC),
    MOOD("angry", ENERGETIC), MOOD("fierce", ENERGETIC), MOOD("exciting", ENERGETIC), MOOD("heroic", ENERGETIC),

    WORD("slow", WORD_TEMPO, 75), WORD("very slow", WORD_TEMPO, 60), WORD("fast", WORD_TEMPO, 130),
    WORD("very fast", WORD_TEMPO, 150), WORD("quick", WORD_TEMPO, 130), WORD("uptempo", WORD_TEMPO, 120),
    WORD("up-tempo", WORD_TEMPO, 120), WORD("moderate", WORD_TEMPO, 100), WORD("medium", WORD_TEMPO, 100),
    WORD("major", WORD_MODE, GS_MUSIC_MODE_MAJOR), WORD("minor", WORD_MODE, GS_MUSIC_MODE_MINOR),

    INSTRUMENT("piano", 0), INSTRUMENT("grand piano", 0), INSTRUMENT("electric piano", 4), INSTRUMENT("rhodes", 4),
    INSTRUMENT("keys", 4), INSTRUMENT("harpsichord", 6), INSTRUMENT("clavinet", 7), INSTRUMENT("clav", 7),
    INSTRUMENT("celesta", 8), INSTRUMENT("glockenspiel", 9), INSTRUMENT("music box", 10),
    INSTRUMENT("vibraphone", 11), INSTRUMENT("vibes", 11), INSTRUMENT("marimba", 12), INSTRUMENT("xylophone", 13),
    INSTRUMENT("bells", 14), INSTRUMENT("organ", 16), INSTRUMENT("hammond", 16), INSTRUMENT("hammond organ", 16),
    INSTRUMENT("church organ", 19), INSTRUMENT("accordion", 21), INSTRUMENT("harmonica", 22),
    INSTRUMENT("bandoneon", 23), INSTRUMENT("guitar", 25), INSTRUMENT("acoustic guitar", 25),
    INSTRUMENT("nylon guitar", 24), INSTRUMENT("classical guitar", 24), INSTRUMENT("jazz guitar", 26),
    INSTRUMENT("electric guitar", 27), INSTRUMENT("muted guitar", 28), INSTRUMENT("funk guitar", 28),
    INSTRUMENT("overdriven guitar", 29), INSTRUMENT("distorted guitar", 30), INSTRUMENT("violin", 40),
    INSTRUMENT("fiddle", 40), INSTRUMENT("viola", 41), INSTRUMENT("cello", 42), INSTRUMENT("harp", 46),
    INSTRUMENT("strings", 48), INSTRUMENT("string", 48), INSTRUMENT("orchestra", 48),
    INSTRUMENT("synth strings", 50), INSTRUMENT("choir", 52), INSTRUMENT("trumpet", 56),
    INSTRUMENT("trombone", 57), INSTRUMENT("tuba", 58), INSTRUMENT("horn", 60), INSTRUMENT("french horn", 60),
    INSTRUMENT("brass", 61), INSTRUMENT("sax", 65), INSTRUMENT("saxophone", 65), INSTRUMENT("soprano sax", 64),
    INSTRUMENT("alto sax", 65), INSTRUMENT("tenor sax", 66), INSTRUMENT("baritone sax", 67),
    INSTRUMENT("oboe", 68), INSTRUMENT("bassoon", 70), INSTRUMENT("clarinet", 71), INSTRUMENT("piccolo", 72),
    INSTRUMENT("flute", 73), INSTRUMENT("recorder", 74), INSTRUMENT("pan flute", 75), INSTRUMENT("whistle", 78),
    INSTRUMENT("tin whistle", 78), INSTRUMENT("ocarina", 79), INSTRUMENT("synth", 80),
    INSTRUMENT("synth lead", 81), INSTRUMENT("pad", 89), INSTRUMENT("synth pad", 89), INSTRUMENT("sitar", 104),
    INSTRUMENT("banjo", 105), INSTRUMENT("koto", 107), INSTRUMENT("kalimba", 108), INSTRUMENT("bagpipe", 109),
    INSTRUMENT("steel drums", 114), INSTRUMENT("steel pan", 114),
    WORD("bass", WORD_BASS, 33), WORD("bass guitar", WORD_BASS, 33), WORD("electric bass", WORD_BASS, 33),
    WORD("double bass", WORD_BASS, 32), WORD("upright bass", WORD_BASS, 32), WORD("acoustic bass", WORD_BASS, 32),
    WORD("contrabass", WORD_BASS, 43), WORD("fretless bass", WORD_BASS, 35), WORD("slap bass", WORD_BASS, 36),
    WORD("slapped bass", WORD_BASS, 36), WORD("synth bass", WORD_BASS, 38), WORD("sub bass", WORD_BASS, 38),
    WORD("808", WORD_BASS, 38), WORD("wobble bass", WORD_BASS, 39),
    WORD("drums", WORD_DRUMS, 0), WORD("drum", WORD_DRUMS, 0), WORD("percussion", WORD_DRUMS, 0),
    WORD("beat", WORD_DRUMS, 0), WORD("beats", WORD_DRUMS, 0),

    SECTION("intro", INTRO), SECTION("introduction", INTRO), SECTION("verse", VERSE), SECTION("chorus", CHORUS),
    SECTION("hook", CHORUS), SECTION("refrain", CHORUS), SECTION("bridge", BRIDGE), SECTION("build", BUILD),
    SECTION("build up", BUILD), SECTION("build-up", BUILD), SECTION("buildup", BUILD), SECTION("drop", DROP),
    SECTION("breakdown", BREAKDOWN), SECTION("outro", OUTRO), SECTION("ending", OUTRO), SECTION("coda", OUTRO),

    GLUE("a"), GLUE("an"), GLUE("the"), GLUE("and"), GLUE("with"), GLUE("in"), GLUE("of"), GLUE("on"), GLUE("at"),
    GLUE("for"), GLUE("about"), GLUE("around"), GLUE("song"), GLUE("music"), GLUE("track"), GLUE("tune"),
    GLUE("piece"), GLUE("style"), GLUE("feel"), GLUE("vibe"), GLUE("key"), GLUE("tempo"), GLUE("long"),
    GLUE("lasting"), GLUE("instrumental"), GLUE("featuring"), GLUE("plus"), GLUE("some"), GLUE("very"), GLUE("&"),
    GLUE("then"), GLUE("followed"), GLUE("by"), GLUE("into"), GLUE("structure"), GLUE("form"), GLUE("genre"),
    GLUE("section"),
};

typedef struct {
    const char *word;
    int value;
} number_word;

static const number_word number_words[] = {
    { "one", 1 }, { "two", 2 }, { "three", 3 }, { "four", 4 }, { "five", 5 }, { "six", 6 },
    { "seven", 7 }, { "eight", 8 }, { "nine", 9 }, { "ten", 10 }, { "fifteen", 15 }, { "twenty", 20 },
    { "thirty", 30 }, { "forty", 40 }, { "fifty", 50 }, { "sixty", 60 }, { "ninety", 90 },
};

static const char *const key_names[12] = { "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B" };
static const char *const mood_names[] = { "neutral", "happy", "sad", "tense", "calm", "energetic" };
static const char *const part_names[GS_MUSIC_PART_COUNT] = { "drums", "bass", "chords", "melody" };

typedef struct {
    const char *name;
    int default_bars;
} section_kind_info;

/* In GsMusicSectionKind order. */
static const section_kind_info section_kinds[GS_MUSIC_SECTION_KIND_COUNT] = {
    { "intro", 4 }, { "verse", 8 }, { "chorus", 8 }, { "bridge", 8 },
    { "build", 4 }, { "drop", 8 }, { "breakdown", 8 }, { "outro", 4 },
};

const char *
gs_music_style_name(GsMusicStyle style)
{
    return gs_music_style_info(style)->name;
}

const char *
gs_music_mood_name(GsMusicMood mood)
{
    return mood_names[mood];
}

const char *
gs_music_part_name(GsMusicPart part)
{
    return part_names[part];
}

const char *
gs_music_key_name(int pitch_class)
{
    return key_names[((pitch_class % 12) + 12) % 12];
}

int
gs_music_style_beats_per_bar(GsMusicStyle style)
{
    return gs_music_style_info(style)->beats_per_bar;
}

const char *
gs_music_section_name(GsMusicSectionKind kind)
{
    return section_kinds[kind].name;
}

int
gs_music_section_default_bars(GsMusicSectionKind kind)
{
    return section_kinds[kind].default_bars;
}

const char *
gs_music_program_name(int program)
{
    for (gsize i = 0; i < G_N_ELEMENTS(program_names); i++)
        if (program_names[i].program == program)
            return program_names[i].name;
    return "General MIDI instrument";
}

/* Words as written; a number glued to its unit ("120bpm", "30s") is split
 * in two so that the unit reads like a word of its own. */
static GPtrArray *
split_words(const char *text)
{
    GPtrArray *words = g_ptr_array_new_with_free_func(g_free);
    const char *p = text;
    while (*p) {
        gunichar c = g_utf8_get_char(p);
        gboolean word_char = g_unichar_isalnum(c) || c == '#' || c == '&';
        if (!word_char) {
            p = g_utf8_next_char(p);
            continue;
        }
        const char *start = p;
        if (g_ascii_isdigit(*p)) {
            while (g_ascii_isdigit(*p) || (*p == '.' && g_ascii_isdigit(p[1])))
                p++;
        } else {
            /* Hyphens join words ("hip-hop", "lo-fi"). */
            while (*p && (g_unichar_isalnum(g_utf8_get_char(p)) || *p == '#' || *p == '&' ||
                          (*p == '-' && g_unichar_isalnum(g_utf8_get_char(p + 1)))))
                p = g_utf8_next_char(p);
        }
        g_ptr_array_add(words, g_strndup(start, (gsize)(p - start)));
    }
    return words;
}

static GPtrArray *
lower_words(GPtrArray *words)
{
    GPtrArray *lower = g_ptr_array_new_full(words->len, g_free);
    for (guint i = 0; i < words->len; i++)
        g_ptr_array_add(lower, g_utf8_strdown(g_ptr_array_index(words, i), -1));
    return lower;
}

/* A word matches its plural too ("guitars", "violins") unless `exact`. */
static gboolean
word_matches(const char *word, const char *expected, gsize expected_len, gboolean exact)
{
    gsize len = strlen(word);
    return (len == expected_len || (!exact && len == expected_len + 1 && word[len - 1] == 's')) &&
           strncmp(word, expected, expected_len) == 0;
}

/* Number of words of `phrase` matched at words[at], or 0. */
static guint
phrase_length_at(const char *phrase, gboolean exact, GPtrArray *words, guint at)
{
    guint n = 0;
    const char *p = phrase;
    while (*p) {
        const char *end = strchr(p, ' ');
        gsize len = end ? (gsize)(end - p) : strlen(p);
        if (at + n >= words->len || !word_matches(g_ptr_array_index(words, at + n), p, len, exact))
            return 0;
        n++;
        p += len + (end ? 1 : 0);
    }
    return n;
}

static const phrase_entry *
longest_phrase_at(GPtrArray *words, guint at, guint *length)
{
    const phrase_entry *best = NULL;
    *length = 0;
    for (gsize i = 0; i < G_N_ELEMENTS(phrases); i++) {
        /* Style names take no plural: "drums and bass" is not a genre. */
        gboolean exact = phrases[i].kind == WORD_STYLE || phrases[i].kind == WORD_SUBGENRE;
        guint n = phrase_length_at(phrases[i].phrase, exact, words, at);
        if (n > *length) {
            *length = n;
            best = &phrases[i];
        }
    }
    return best;
}

static gboolean
parse_number(const char *word, double *value)
{
    if (g_ascii_isdigit(word[0])) {
        *value = g_ascii_strtod(word, NULL);
        return TRUE;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(number_words); i++)
        if (strcmp(word, number_words[i].word) == 0) {
            *value = number_words[i].value;
            return TRUE;
        }
    return FALSE;
}

static gboolean
is_any(const char *word, const char *const *choices)
{
    for (; *choices; choices++)
        if (strcmp(word, *choices) == 0)
            return TRUE;
    return FALSE;
}

static const char *const second_units[] = { "s", "sec", "secs", "second", "seconds", NULL };
static const char *const minute_units[] = { "m", "min", "mins", "minute", "minutes", NULL };

/* "c", "f#", "bb" (B flat), "eb": a pitch class, or -1. */
static int
note_pitch_class(const char *word)
{
    static const int natural[7] = { 9, 11, 0, 2, 4, 5, 7 }; /* a..g */
    if (word[0] < 'a' || word[0] > 'g' || (word[1] && word[2]))
        return -1;
    int pc = natural[word[0] - 'a'];
    if (word[1] == '#')
        return (pc + 1) % 12;
    if (word[1] == 'b')
        return (pc + 11) % 12;
    return word[1] ? -1 : pc;
}

typedef struct {
    GsMusicPrompt *prompt;
    GPtrArray *written; /* the words as written, for the case of "A" */
    GPtrArray *ignored;
    gboolean has_style, has_mood, has_tempo, has_bpm, has_key, has_mode, has_length;
    int tempo_percent;
    double shape_tempo;    /* product of the subgenre and feel words' tempo factors */
    int density;           /* their sum */
    int suggested_style;   /* from a feel word, for a prompt that names no style */
    int bpm;
    int n_instruments;
    int instruments[2]; /* melody first, then chords */
    gboolean has_bass;
} parse_state;

static void
ignore_words(parse_state *st, GPtrArray *words, guint from, guint count)
{
    for (guint i = from; i < from + count; i++)
        g_ptr_array_add(st->ignored, g_strdup(g_ptr_array_index(words, i)));
}

/* A number and its unit: "120 bpm", "30 seconds", "1 minute", "a minute",
 * "half a minute". Returns the words used, or 0. */
static guint
take_quantity(parse_state *st, GPtrArray *words, guint at)
{
    const char *word = g_ptr_array_index(words, at);
    const char *next = at + 1 < words->len ? g_ptr_array_index(words, at + 1) : "";
    const char *after = at + 2 < words->len ? g_ptr_array_index(words, at + 2) : "";
    double value, seconds = 0.0;
    guint used = 2;
    if (strcmp(word, "half") == 0 && (strcmp(next, "a") == 0 || strcmp(next, "an") == 0) &&
        is_any(after, minute_units)) {
        seconds = 30.0;
        used = 3;
    } else if ((strcmp(word, "a") == 0 || strcmp(word, "an") == 0) && is_any(next, minute_units)) {
        seconds = 60.0;
    } else if (!parse_number(word, &value)) {
        return 0;
    } else if (strcmp(next, "bpm") == 0) {
        if (st->has_bpm)
            ignore_words(st, words, at, 2);
        st->bpm = st->has_bpm ? st->bpm : (int)lround(value);
        st->has_bpm = TRUE;
        return 2;
    } else if (is_any(next, second_units)) {
        seconds = value;
    } else if (is_any(next, minute_units)) {
        seconds = value * 60.0;
    } else {
        return 0;
    }
    if (st->has_length)
        ignore_words(st, words, at, used);
    else
        st->prompt->seconds = seconds;
    st->has_length = TRUE;
    return used;
}

/* "D minor", "F# major", "in G", "B flat minor". Returns the words used, or 0. */
static guint
take_key(parse_state *st, GPtrArray *words, guint at)
{
    int pc = note_pitch_class(g_ptr_array_index(words, at));
    if (pc < 0)
        return 0;
    guint used = 1;
    const char *next = at + 1 < words->len ? g_ptr_array_index(words, at + 1) : "";
    if (strcmp(next, "sharp") == 0 || strcmp(next, "flat") == 0) {
        pc = (pc + (next[0] == 's' ? 1 : 11)) % 12;
        used++;
        next = at + used < words->len ? g_ptr_array_index(words, at + used) : "";
    }
    const char *before = at > 0 ? g_ptr_array_index(words, at - 1) : "";
    gboolean with_mode = strcmp(next, "major") == 0 || strcmp(next, "minor") == 0;
    /* Without a mode, "in a …" is the article unless written "in A". */
    gboolean after_in = (strcmp(before, "in") == 0 || strcmp(before, "of") == 0) &&
                        strcmp(g_ptr_array_index(st->written, at), "a") != 0;
    if (!with_mode && !after_in)
        return 0;
    if (with_mode)
        used++;
    if (st->has_key) {
        ignore_words(st, words, at, used);
        return used;
    }
    st->prompt->key = pc;
    st->has_key = TRUE;
    if (with_mode) {
        st->prompt->mode = next[1] == 'i' ? GS_MUSIC_MODE_MINOR : GS_MUSIC_MODE_MAJOR;
        st->has_mode = TRUE;
    }
    return used;
}

static void
apply_shape(parse_state *st, const phrase_entry *entry)
{
    if (entry->tempo_percent)
        st->shape_tempo *= entry->tempo_percent / 100.0;
    st->density += entry->density;
    st->prompt->sevenths |= entry->sevenths;
    st->prompt->swing |= entry->swing;
}

/* A second word naming another style is reported; one naming the same
 * style ("ambient drone") is not. */
static gboolean
take_style(parse_state *st, GsMusicStyle style, GPtrArray *words, guint at, guint length)
{
    if (st->has_style && st->prompt->style != style) {
        ignore_words(st, words, at, length);
        return FALSE;
    }
    st->prompt->style = style;
    st->has_style = TRUE;
    return TRUE;
}

static void
take_phrase(parse_state *st, const phrase_entry *entry, GPtrArray *words, guint at, guint length)
{
    GsMusicPrompt *prompt = st->prompt;
    gboolean *seen = NULL;
    switch (entry->kind) {
    case WORD_STYLE:
        take_style(st, (GsMusicStyle)entry->value, words, at, length);
        return;
    case WORD_SUBGENRE:
        if (take_style(st, (GsMusicStyle)entry->value, words, at, length))
            apply_shape(st, entry);
        return;
    case WORD_FEEL:
        apply_shape(st, entry);
        if (st->suggested_style == NO_STYLE)
            st->suggested_style = entry->value;
        return;
    case WORD_SECTION:
        if (prompt->n_structure == GS_MUSIC_MAX_SECTIONS)
            ignore_words(st, words, at, length);
        else
            prompt->structure[prompt->n_structure++] = (GsMusicSectionKind)entry->value;
        return;
    case WORD_MOOD:
        seen = &st->has_mood;
        if (!*seen)
            prompt->mood = (GsMusicMood)entry->value;
        break;
    case WORD_TEMPO:
        seen = &st->has_tempo;
        if (!*seen)
            st->tempo_percent = entry->value;
        break;
    case WORD_MODE:
        seen = &st->has_mode;
        if (!*seen)
            prompt->mode = (GsMusicMode)entry->value;
        break;
    case WORD_BASS:
        seen = &st->has_bass;
        if (!*seen)
            prompt->programs[GS_MUSIC_PART_BASS] = entry->value;
        break;
    case WORD_INSTRUMENT:
        /* Two pitched parts take an instrument: a third has nowhere to go. */
        if (st->n_instruments == G_N_ELEMENTS(st->instruments))
            ignore_words(st, words, at, length);
        else
            st->instruments[st->n_instruments++] = entry->value;
        return;
    case WORD_DRUMS:
    case WORD_GLUE:
        return;
    }
    /* The first of two contradicting words wins; the other is reported. */
    if (*seen)
        ignore_words(st, words, at, length);
    *seen = TRUE;
}

static int
mood_tempo_percent(GsMusicMood mood)
{
    switch (mood) {
    case GS_MUSIC_MOOD_CALM:
    case GS_MUSIC_MOOD_SAD: return 88;
    case GS_MUSIC_MOOD_HAPPY: return 105;
    case GS_MUSIC_MOOD_ENERGETIC: return 112;
    case GS_MUSIC_MOOD_TENSE:
    case GS_MUSIC_MOOD_NEUTRAL: return 100;
    }
    return 100;
}

/* What the prompt left open comes from the style and the mood. */
static gboolean
resolve_defaults(parse_state *st, GError **error)
{
    GsMusicPrompt *prompt = st->prompt;
    if (!st->has_style && st->suggested_style != NO_STYLE)
        prompt->style = (GsMusicStyle)st->suggested_style;
    const GsMusicStyleInfo *style = gs_music_style_info(prompt->style);
    prompt->density = CLAMP(st->density, -1, 1);
    if (!st->has_mode) {
        if (prompt->mood == GS_MUSIC_MOOD_SAD || prompt->mood == GS_MUSIC_MOOD_TENSE)
            prompt->mode = GS_MUSIC_MODE_MINOR;
        else if (prompt->mood == GS_MUSIC_MOOD_HAPPY || prompt->mood == GS_MUSIC_MOOD_ENERGETIC)
            prompt->mode = GS_MUSIC_MODE_MAJOR;
        else
            prompt->mode = style->mode;
    }
    if (!st->has_key)
        prompt->key = prompt->mode == GS_MUSIC_MODE_MINOR ? style->minor_key : style->major_key;
    if (st->has_bpm) {
        prompt->bpm = st->bpm;
    } else {
        /* Words make the style slower or faster, but never out of its range. */
        double bpm = style->bpm * st->tempo_percent / 100.0 * mood_tempo_percent(prompt->mood) / 100.0 *
                     st->shape_tempo;
        prompt->bpm = CLAMP((int)lround(bpm), style->bpm_low, style->bpm_high);
    }
    if (prompt->n_structure > 0 && !st->has_length) {
        int bars = 0;
        for (int i = 0; i < prompt->n_structure; i++)
            bars += gs_music_section_default_bars(prompt->structure[i]);
        prompt->seconds = MIN(bars * style->beats_per_bar * 60.0 / prompt->bpm, GS_MUSIC_MAX_SECONDS);
    }
    if (prompt->bpm < GS_MUSIC_MIN_BPM || prompt->bpm > GS_MUSIC_MAX_BPM) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "a tempo of %d bpm is outside %d–%d bpm",
                    prompt->bpm, GS_MUSIC_MIN_BPM, GS_MUSIC_MAX_BPM);
        return FALSE;
    }
    if (prompt->seconds < GS_MUSIC_MIN_SECONDS || prompt->seconds > GS_MUSIC_MAX_SECONDS) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "a length of %g s is outside %g–%g s",
                    prompt->seconds, GS_MUSIC_MIN_SECONDS, GS_MUSIC_MAX_SECONDS);
        return FALSE;
    }
    if (!st->has_bass)
        prompt->programs[GS_MUSIC_PART_BASS] = style->bass_program;
    prompt->programs[GS_MUSIC_PART_MELODY] = st->n_instruments > 0 ? st->instruments[0] : style->melody_program;
    prompt->programs[GS_MUSIC_PART_CHORDS] = st->n_instruments > 1 ? st->instruments[1] : style->chords_program;
    prompt->programs[GS_MUSIC_PART_DRUMS] = 0;
    return TRUE;
}

GsMusicPrompt *
gs_music_prompt_parse(const char *text, GError **error)
{
    if (strnlen(text, GS_MUSIC_MAX_PROMPT_BYTES + 1) > GS_MUSIC_MAX_PROMPT_BYTES) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "the prompt exceeds the limit of %d bytes (64 KiB)",
                    GS_MUSIC_MAX_PROMPT_BYTES);
        return NULL;
    }
    if (!g_utf8_validate(text, -1, NULL)) {
        g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "the prompt is not valid UTF-8");
        return NULL;
    }
    g_autoptr(GsMusicPrompt) prompt = g_new0(GsMusicPrompt, 1);
    prompt->seconds = GS_MUSIC_DEFAULT_SECONDS;
    g_autoptr(GPtrArray) ignored = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) written = split_words(text);
    g_autoptr(GPtrArray) words = lower_words(written);
    parse_state st = { .prompt = prompt,
                       .written = written,
                       .ignored = ignored,
                       .tempo_percent = 100,
                       .shape_tempo = 1.0,
                       .suggested_style = NO_STYLE };
    for (guint at = 0; at < words->len;) {
        guint used;
        if ((used = take_quantity(&st, words, at)) || (used = take_key(&st, words, at))) {
            at += used;
            continue;
        }
        const phrase_entry *entry = longest_phrase_at(words, at, &used);
        if (entry) {
            take_phrase(&st, entry, words, at, used);
        } else {
            used = 1;
            ignore_words(&st, words, at, 1);
        }
        at += used;
    }
    if (!resolve_defaults(&st, error))
        return NULL;
    g_ptr_array_add(ignored, NULL);
    prompt->ignored = (GStrv)g_ptr_array_free(g_steal_pointer(&ignored), FALSE);
    return g_steal_pointer(&prompt);
}

void
gs_music_prompt_free(GsMusicPrompt *prompt)
{
    if (!prompt)
        return;
    g_strfreev(prompt->ignored);
    g_free(prompt);
}
