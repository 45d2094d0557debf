/* Prompt → musical intent: the phrase table of gs-music-words.c matched
 * longest first over lower-cased words; numbers take their unit from the
 * next word.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-music-words.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

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

/* A word matches its plural too ("guitars", "violins") unless `exact`. */
static gboolean
word_matches(const char *word, const char *expected, gsize expected_len, gboolean exact)
{
    gsize len = strlen(word);
    return (len == expected_len || (!exact && len == expected_len + 1 && word[len - 1] == 's')) &&
           strncmp(word, expected, expected_len) == 0;
}

/* Style names take no plural: "drums and bass" is not a genre. */
static gboolean
exact_only(const phrase_entry *entry)
{
    return entry->kind == WORD_STYLE || entry->kind == WORD_SUBGENRE;
}

/* Whether `word` (lower case) is a one-word phrase of the table, plurals
 * included: "808s" is drum machines, not 808 seconds. */
static gboolean
is_table_word(const char *word)
{
    for (gsize i = 0; i < gs_music_n_phrases; i++) {
        const phrase_entry *entry = &gs_music_phrases[i];
        if (!strchr(entry->phrase, ' ') && word_matches(word, entry->phrase, strlen(entry->phrase), exact_only(entry)))
            return TRUE;
    }
    return FALSE;
}

/* Words as written; a number glued to its unit ("120bpm", "30s") is split
 * in two so that the unit reads like a word of its own, unless the whole is
 * a word of the table ("808s"). */
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
            const char *glued = p;
            while (g_ascii_isalnum(*glued))
                glued++;
            g_autofree char *whole = g_ascii_strdown(start, glued - start);
            if (glued > p && is_table_word(whole))
                p = glued;
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
    for (gsize i = 0; i < gs_music_n_phrases; i++) {
        const phrase_entry *entry = &gs_music_phrases[i];
        guint n = phrase_length_at(entry->phrase, exact_only(entry), words, at);
        if (n > *length) {
            *length = n;
            best = entry;
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
