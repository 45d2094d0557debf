/* The words the music prompt understands, as a table: styles and their
 * aliases, subgenres, feels, moods, tempo words, instruments, sections and
 * filler words; and the names of the General MIDI programs they choose.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gs-music-prompt.h"

G_BEGIN_DECLS

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

extern const phrase_entry gs_music_phrases[];
extern const gsize gs_music_n_phrases;

G_END_DECLS
