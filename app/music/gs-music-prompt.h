/* Text → music, step one: what a prompt such as "calm bossa nova in D minor,
 * 100 bpm, 30 seconds" asks for, with the style's defaults filled in.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gs-music-styles.h"

G_BEGIN_DECLS

typedef enum {
    GS_MUSIC_MOOD_NEUTRAL,
    GS_MUSIC_MOOD_HAPPY,
    GS_MUSIC_MOOD_SAD,
    GS_MUSIC_MOOD_TENSE,
    GS_MUSIC_MOOD_CALM,
    GS_MUSIC_MOOD_ENERGETIC,
} GsMusicMood;

/* The arrangement's parts, in track and stem order. */
typedef enum {
    GS_MUSIC_PART_DRUMS,
    GS_MUSIC_PART_BASS,
    GS_MUSIC_PART_CHORDS,
    GS_MUSIC_PART_MELODY,
    GS_MUSIC_PART_COUNT,
} GsMusicPart;

#define GS_MUSIC_MIN_BPM 40
#define GS_MUSIC_MAX_BPM 240
#define GS_MUSIC_MIN_SECONDS 2.0
#define GS_MUSIC_MAX_SECONDS 600.0
#define GS_MUSIC_DEFAULT_SECONDS 30.0

/* Sections a piece is laid out in; build and drop belong to dance forms. */
typedef enum {
    GS_MUSIC_SECTION_INTRO,
    GS_MUSIC_SECTION_VERSE,
    GS_MUSIC_SECTION_CHORUS,
    GS_MUSIC_SECTION_BRIDGE,
    GS_MUSIC_SECTION_BUILD,
    GS_MUSIC_SECTION_DROP,
    GS_MUSIC_SECTION_BREAKDOWN,
    GS_MUSIC_SECTION_OUTRO,
    GS_MUSIC_SECTION_KIND_COUNT,
} GsMusicSectionKind;

/* Sections a prompt may list ("verse chorus verse chorus"). */
#define GS_MUSIC_MAX_SECTIONS 16

typedef struct {
    GsMusicStyle style;
    GsMusicMood mood;
    int bpm;
    int key;          /* pitch class of the tonic, 0 = C */
    GsMusicMode mode;
    double seconds;
    /* General MIDI program (0–127) of each pitched part; drums use the
     * standard kit and ignore theirs. */
    int programs[GS_MUSIC_PART_COUNT];
    /* From subgenre and feel words: −1 sparser … +1 busier parts, and
     * seventh chords or swung eighths even where the style has none. */
    int density;
    gboolean sevenths, swing;
    /* The sections asked for, in order; none leaves the form to the style. */
    GsMusicSectionKind structure[GS_MUSIC_MAX_SECTIONS];
    int n_structure;
    /* Words of the prompt it did not understand, in order (never NULL). */
    GStrv ignored;
} GsMusicPrompt;

/* Longer prompts are refused before they are split into words. */
#define GS_MUSIC_MAX_PROMPT_BYTES 65536

/* Parses `text` (case-insensitive English). Unknown words land in `ignored`;
 * invalid UTF-8, a tempo outside GS_MUSIC_MIN_BPM..MAX_BPM or a length
 * outside GS_MUSIC_MIN_SECONDS..MAX_SECONDS is G_IO_ERROR_INVALID_ARGUMENT. */
GsMusicPrompt *gs_music_prompt_parse(const char *text, GError **error);
void gs_music_prompt_free(GsMusicPrompt *prompt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GsMusicPrompt, gs_music_prompt_free)

const char *gs_music_style_name(GsMusicStyle style);
const char *gs_music_mood_name(GsMusicMood mood);
const char *gs_music_part_name(GsMusicPart part);
/* "C", "F#", … (sharps throughout). */
const char *gs_music_key_name(int pitch_class);
/* A readable name of a General MIDI program, e.g. "acoustic grand piano". */
const char *gs_music_program_name(int program);
/* Beats per bar of the style: 3 for the waltz, 4 for the others. */
int gs_music_style_beats_per_bar(GsMusicStyle style);
const char *gs_music_section_name(GsMusicSectionKind kind);
/* Bars a section of this kind gets when the prompt gives no length. */
int gs_music_section_default_bars(GsMusicSectionKind kind);

G_END_DECLS
