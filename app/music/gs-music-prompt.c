/* Prompt → musical intent: a small phrase table matched longest first over
 * lower-cased words; numbers take their unit from the next word.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-music-prompt.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

typedef struct {
    const char *name;
    int bpm;
    int beats_per_bar;
    int major_key, minor_key;
    GsMusicMode mode;
    int bass, chords, melody; /* General MIDI programs */
} style_defaults;

/* In GsMusicStyle order. */
static const style_defaults styles[GS_MUSIC_STYLE_COUNT] = {
    { "pop", 110, 4, 0, 9, GS_MUSIC_MODE_MAJOR, 33, 0, 80 },
    { "rock", 120, 4, 4, 4, GS_MUSIC_MODE_MAJOR, 34, 29, 30 },
    { "jazz", 140, 4, 5, 2, GS_MUSIC_MODE_MAJOR, 32, 0, 66 },
    { "bossa nova", 126, 4, 2, 9, GS_MUSIC_MODE_MAJOR, 32, 24, 73 },
    { "waltz", 156, 3, 7, 2, GS_MUSIC_MODE_MAJOR, 32, 0, 40 },
    { "ambient", 72, 4, 2, 2, GS_MUSIC_MODE_MINOR, 38, 89, 11 },
    { "techno", 128, 4, 9, 9, GS_MUSIC_MODE_MINOR, 38, 90, 81 },
    { "hip hop", 88, 4, 0, 0, GS_MUSIC_MODE_MINOR, 33, 4, 11 },
    { "folk", 104, 4, 7, 4, GS_MUSIC_MODE_MAJOR, 32, 25, 22 },
    { "classical", 96, 4, 0, 9, GS_MUSIC_MODE_MAJOR, 43, 48, 40 },
    { "blues", 92, 4, 9, 9, GS_MUSIC_MODE_MAJOR, 33, 0, 27 },
    { "reggae", 78, 4, 7, 9, GS_MUSIC_MODE_MAJOR, 33, 27, 16 },
};

typedef struct {
    int program;
    const char *name;
} program_name;

static const program_name program_names[] = {
    { 0, "acoustic grand piano" }, { 4, "electric piano" }, { 6, "harpsichord" }, { 8, "celesta" },
    { 9, "glockenspiel" }, { 11, "vibraphone" }, { 12, "marimba" }, { 13, "xylophone" },
    { 14, "tubular bells" }, { 16, "drawbar organ" }, { 21, "accordion" }, { 22, "harmonica" },
    { 24, "nylon guitar" }, { 25, "steel guitar" }, { 26, "jazz guitar" }, { 27, "clean electric guitar" },
    { 29, "overdriven guitar" }, { 30, "distortion guitar" }, { 32, "acoustic bass" },
    { 33, "electric bass (finger)" }, { 34, "electric bass (pick)" }, { 38, "synth bass" },
    { 40, "violin" }, { 41, "viola" }, { 42, "cello" }, { 43, "contrabass" }, { 46, "harp" },
    { 48, "string ensemble" }, { 52, "choir" }, { 56, "trumpet" }, { 57, "trombone" }, { 58, "tuba" },
    { 60, "french horn" }, { 61, "brass section" }, { 65, "alto sax" }, { 66, "tenor sax" },
    { 68, "oboe" }, { 71, "clarinet" }, { 73, "flute" }, { 74, "recorder" }, { 75, "pan flute" },
    { 80, "square lead" }, { 81, "sawtooth lead" }, { 89, "warm pad" }, { 90, "polysynth pad" },
    { 104, "sitar" }, { 105, "banjo" },
};

typedef enum {
    WORD_STYLE,
    WORD_MOOD,
    WORD_TEMPO,      /* value: percent of the style's tempo */
    WORD_MODE,
    WORD_INSTRUMENT, /* value: GM program */
    WORD_BASS,       /* an instrument for the bass part */
    WORD_DRUMS,      /* every arrangement has drums already */
    WORD_GLUE,       /* understood, carries no meaning of its own */
} word_kind;

typedef struct {
    const char *phrase; /* words separated by single spaces */
    word_kind kind;
    int value;
} phrase_entry;

static const phrase_entry phrases[] = {
    { "pop", WORD_STYLE, GS_MUSIC_STYLE_POP }, { "rock", WORD_STYLE, GS_MUSIC_STYLE_ROCK },
    { "jazz", WORD_STYLE, GS_MUSIC_STYLE_JAZZ }, { "jazzy", WORD_STYLE, GS_MUSIC_STYLE_JAZZ },
    { "swing", WORD_STYLE, GS_MUSIC_STYLE_JAZZ }, { "bossa nova", WORD_STYLE, GS_MUSIC_STYLE_BOSSA_NOVA },
    { "bossa", WORD_STYLE, GS_MUSIC_STYLE_BOSSA_NOVA }, { "samba", WORD_STYLE, GS_MUSIC_STYLE_BOSSA_NOVA },
    { "waltz", WORD_STYLE, GS_MUSIC_STYLE_WALTZ }, { "ambient", WORD_STYLE, GS_MUSIC_STYLE_AMBIENT },
    { "techno", WORD_STYLE, GS_MUSIC_STYLE_TECHNO }, { "house", WORD_STYLE, GS_MUSIC_STYLE_TECHNO },
    { "electronic", WORD_STYLE, GS_MUSIC_STYLE_TECHNO }, { "edm", WORD_STYLE, GS_MUSIC_STYLE_TECHNO },
    { "hip hop", WORD_STYLE, GS_MUSIC_STYLE_HIP_HOP }, { "hip-hop", WORD_STYLE, GS_MUSIC_STYLE_HIP_HOP },
    { "hiphop", WORD_STYLE, GS_MUSIC_STYLE_HIP_HOP }, { "lo-fi", WORD_STYLE, GS_MUSIC_STYLE_HIP_HOP },
    { "lofi", WORD_STYLE, GS_MUSIC_STYLE_HIP_HOP }, { "folk", WORD_STYLE, GS_MUSIC_STYLE_FOLK },
    { "country", WORD_STYLE, GS_MUSIC_STYLE_FOLK }, { "classical", WORD_STYLE, GS_MUSIC_STYLE_CLASSICAL },
    { "orchestral", WORD_STYLE, GS_MUSIC_STYLE_CLASSICAL }, { "blues", WORD_STYLE, GS_MUSIC_STYLE_BLUES },
    { "bluesy", WORD_STYLE, GS_MUSIC_STYLE_BLUES }, { "reggae", WORD_STYLE, GS_MUSIC_STYLE_REGGAE },

    { "happy", WORD_MOOD, GS_MUSIC_MOOD_HAPPY }, { "joyful", WORD_MOOD, GS_MUSIC_MOOD_HAPPY },
    { "cheerful", WORD_MOOD, GS_MUSIC_MOOD_HAPPY }, { "bright", WORD_MOOD, GS_MUSIC_MOOD_HAPPY },
    { "uplifting", WORD_MOOD, GS_MUSIC_MOOD_HAPPY }, { "upbeat", WORD_MOOD, GS_MUSIC_MOOD_HAPPY },
    { "playful", WORD_MOOD, GS_MUSIC_MOOD_HAPPY }, { "sad", WORD_MOOD, GS_MUSIC_MOOD_SAD },
    { "melancholic", WORD_MOOD, GS_MUSIC_MOOD_SAD }, { "melancholy", WORD_MOOD, GS_MUSIC_MOOD_SAD },
    { "gloomy", WORD_MOOD, GS_MUSIC_MOOD_SAD }, { "somber", WORD_MOOD, GS_MUSIC_MOOD_SAD },
    { "sombre", WORD_MOOD, GS_MUSIC_MOOD_SAD }, { "dark", WORD_MOOD, GS_MUSIC_MOOD_SAD },
    { "tense", WORD_MOOD, GS_MUSIC_MOOD_TENSE }, { "dramatic", WORD_MOOD, GS_MUSIC_MOOD_TENSE },
    { "suspenseful", WORD_MOOD, GS_MUSIC_MOOD_TENSE }, { "ominous", WORD_MOOD, GS_MUSIC_MOOD_TENSE },
    { "anxious", WORD_MOOD, GS_MUSIC_MOOD_TENSE }, { "calm", WORD_MOOD, GS_MUSIC_MOOD_CALM },
    { "relaxed", WORD_MOOD, GS_MUSIC_MOOD_CALM }, { "relaxing", WORD_MOOD, GS_MUSIC_MOOD_CALM },
    { "peaceful", WORD_MOOD, GS_MUSIC_MOOD_CALM }, { "chill", WORD_MOOD, GS_MUSIC_MOOD_CALM },
    { "mellow", WORD_MOOD, GS_MUSIC_MOOD_CALM }, { "gentle", WORD_MOOD, GS_MUSIC_MOOD_CALM },
    { "dreamy", WORD_MOOD, GS_MUSIC_MOOD_CALM }, { "energetic", WORD_MOOD, GS_MUSIC_MOOD_ENERGETIC },
    { "driving", WORD_MOOD, GS_MUSIC_MOOD_ENERGETIC }, { "powerful", WORD_MOOD, GS_MUSIC_MOOD_ENERGETIC },
    { "aggressive", WORD_MOOD, GS_MUSIC_MOOD_ENERGETIC }, { "epic", WORD_MOOD, GS_MUSIC_MOOD_ENERGETIC },

    { "slow", WORD_TEMPO, 75 }, { "very slow", WORD_TEMPO, 60 }, { "fast", WORD_TEMPO, 130 },
    { "very fast", WORD_TEMPO, 150 }, { "quick", WORD_TEMPO, 130 }, { "uptempo", WORD_TEMPO, 120 },
    { "up-tempo", WORD_TEMPO, 120 }, { "moderate", WORD_TEMPO, 100 }, { "medium", WORD_TEMPO, 100 },
    { "major", WORD_MODE, GS_MUSIC_MODE_MAJOR }, { "minor", WORD_MODE, GS_MUSIC_MODE_MINOR },

    { "piano", WORD_INSTRUMENT, 0 }, { "grand piano", WORD_INSTRUMENT, 0 },
    { "electric piano", WORD_INSTRUMENT, 4 }, { "rhodes", WORD_INSTRUMENT, 4 },
    { "keys", WORD_INSTRUMENT, 4 }, { "harpsichord", WORD_INSTRUMENT, 6 },
    { "celesta", WORD_INSTRUMENT, 8 }, { "glockenspiel", WORD_INSTRUMENT, 9 },
    { "vibraphone", WORD_INSTRUMENT, 11 }, { "vibes", WORD_INSTRUMENT, 11 },
    { "marimba", WORD_INSTRUMENT, 12 }, { "xylophone", WORD_INSTRUMENT, 13 },
    { "bells", WORD_INSTRUMENT, 14 }, { "organ", WORD_INSTRUMENT, 16 },
    { "accordion", WORD_INSTRUMENT, 21 }, { "harmonica", WORD_INSTRUMENT, 22 },
    { "guitar", WORD_INSTRUMENT, 25 }, { "acoustic guitar", WORD_INSTRUMENT, 25 },
    { "nylon guitar", WORD_INSTRUMENT, 24 }, { "classical guitar", WORD_INSTRUMENT, 24 },
    { "jazz guitar", WORD_INSTRUMENT, 26 }, { "electric guitar", WORD_INSTRUMENT, 27 },
    { "overdriven guitar", WORD_INSTRUMENT, 29 }, { "distorted guitar", WORD_INSTRUMENT, 30 },
    { "violin", WORD_INSTRUMENT, 40 }, { "fiddle", WORD_INSTRUMENT, 40 }, { "viola", WORD_INSTRUMENT, 41 },
    { "cello", WORD_INSTRUMENT, 42 }, { "harp", WORD_INSTRUMENT, 46 }, { "strings", WORD_INSTRUMENT, 48 },
    { "string", WORD_INSTRUMENT, 48 }, { "orchestra", WORD_INSTRUMENT, 48 }, { "choir", WORD_INSTRUMENT, 52 },
    { "trumpet", WORD_INSTRUMENT, 56 }, { "trombone", WORD_INSTRUMENT, 57 }, { "tuba", WORD_INSTRUMENT, 58 },
    { "horn", WORD_INSTRUMENT, 60 }, { "french horn", WORD_INSTRUMENT, 60 }, { "brass", WORD_INSTRUMENT, 61 },
    { "sax", WORD_INSTRUMENT, 65 }, { "saxophone", WORD_INSTRUMENT, 65 }, { "tenor sax", WORD_INSTRUMENT, 66 },
    { "oboe", WORD_INSTRUMENT, 68 }, { "clarinet", WORD_INSTRUMENT, 71 }, { "flute", WORD_INSTRUMENT, 73 },
    { "recorder", WORD_INSTRUMENT, 74 }, { "pan flute", WORD_INSTRUMENT, 75 }, { "synth", WORD_INSTRUMENT, 80 },
    { "synth lead", WORD_INSTRUMENT, 81 }, { "pad", WORD_INSTRUMENT, 89 }, { "synth pad", WORD_INSTRUMENT, 89 },
    { "sitar", WORD_INSTRUMENT, 104 }, { "banjo", WORD_INSTRUMENT, 105 },
    { "bass", WORD_BASS, 33 }, { "bass guitar", WORD_BASS, 33 }, { "electric bass", WORD_BASS, 33 },
    { "double bass", WORD_BASS, 32 }, { "upright bass", WORD_BASS, 32 }, { "acoustic bass", WORD_BASS, 32 },
    { "contrabass", WORD_BASS, 43 }, { "synth bass", WORD_BASS, 38 },
    { "drums", WORD_DRUMS, 0 }, { "drum", WORD_DRUMS, 0 }, { "percussion", WORD_DRUMS, 0 },
    { "beat", WORD_DRUMS, 0 }, { "beats", WORD_DRUMS, 0 },

    { "a", WORD_GLUE, 0 }, { "an", WORD_GLUE, 0 }, { "the", WORD_GLUE, 0 }, { "and", WORD_GLUE, 0 },
    { "with", WORD_GLUE, 0 }, { "in", WORD_GLUE, 0 }, { "of", WORD_GLUE, 0 }, { "on", WORD_GLUE, 0 },
    { "at", WORD_GLUE, 0 }, { "for", WORD_GLUE, 0 }, { "about", WORD_GLUE, 0 }, { "around", WORD_GLUE, 0 },
    { "song", WORD_GLUE, 0 }, { "music", WORD_GLUE, 0 }, { "track", WORD_GLUE, 0 }, { "tune", WORD_GLUE, 0 },
    { "piece", WORD_GLUE, 0 }, { "style", WORD_GLUE, 0 }, { "feel", WORD_GLUE, 0 }, { "vibe", WORD_GLUE, 0 },
    { "key", WORD_GLUE, 0 }, { "tempo", WORD_GLUE, 0 }, { "long", WORD_GLUE, 0 }, { "lasting", WORD_GLUE, 0 },
    { "instrumental", WORD_GLUE, 0 }, { "featuring", WORD_GLUE, 0 }, { "plus", WORD_GLUE, 0 },
    { "some", WORD_GLUE, 0 }, { "very", WORD_GLUE, 0 }, { "&", WORD_GLUE, 0 },
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

const char *
gs_music_style_name(GsMusicStyle style)
{
    return styles[style].name;
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
    return styles[style].beats_per_bar;
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

/* A word matches its plural too ("guitars", "violins"). */
static gboolean
word_matches(const char *word, const char *expected, gsize expected_len)
{
    gsize len = strlen(word);
    return (len == expected_len || (len == expected_len + 1 && word[len - 1] == 's')) &&
           strncmp(word, expected, expected_len) == 0;
}

/* Number of words of `phrase` matched at words[at], or 0. */
static guint
phrase_length_at(const char *phrase, GPtrArray *words, guint at)
{
    guint n = 0;
    const char *p = phrase;
    while (*p) {
        const char *end = strchr(p, ' ');
        gsize len = end ? (gsize)(end - p) : strlen(p);
        if (at + n >= words->len || !word_matches(g_ptr_array_index(words, at + n), p, len))
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
        guint n = phrase_length_at(phrases[i].phrase, words, at);
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
take_phrase(parse_state *st, const phrase_entry *entry, GPtrArray *words, guint at, guint length)
{
    GsMusicPrompt *prompt = st->prompt;
    gboolean *seen = NULL;
    switch (entry->kind) {
    case WORD_STYLE:
        seen = &st->has_style;
        if (!*seen)
            prompt->style = (GsMusicStyle)entry->value;
        break;
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
    const style_defaults *style = &styles[prompt->style];
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
        double bpm = style->bpm * st->tempo_percent / 100.0 * mood_tempo_percent(prompt->mood) / 100.0;
        prompt->bpm = CLAMP((int)lround(bpm), GS_MUSIC_MIN_BPM, GS_MUSIC_MAX_BPM);
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
        prompt->programs[GS_MUSIC_PART_BASS] = style->bass;
    prompt->programs[GS_MUSIC_PART_MELODY] = st->n_instruments > 0 ? st->instruments[0] : style->melody;
    prompt->programs[GS_MUSIC_PART_CHORDS] = st->n_instruments > 1 ? st->instruments[1] : style->chords;
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
    parse_state st = { .prompt = prompt, .written = written, .ignored = ignored, .tempo_percent = 100 };
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
