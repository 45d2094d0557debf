/* Text → music, step two: a parsed prompt and a seed become sections and
 * notes for drums, bass, chords and melody. Reproducible: the same prompt and seed
 * give the same notes on every machine.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gs-music-form.h"

G_BEGIN_DECLS

/* MIDI ticks per quarter note, in the arrangement and in the .mid file. */
#define GS_MUSIC_TICKS_PER_QUARTER 480
/* General MIDI's percussion channel (10, counted from 1). */
#define GS_MUSIC_DRUM_CHANNEL 9

typedef struct {
    guint32 tick;     /* start, from the beginning of the piece */
    guint32 duration; /* in ticks, > 0 */
    guint8 key;       /* MIDI note number */
    guint8 velocity;  /* 1–127 */
} GsMusicNote;

typedef struct {
    GsMusicPart part;
    guint8 channel;
    guint8 program; /* General MIDI program; the drum kit is 0 */
    GArray *notes;  /* GsMusicNote, sorted by tick */
} GsMusicTrack;

/* One chord per bar. `tones` are pitch classes, root first; the melody uses
 * the first three (a triad of scale notes). */
typedef struct {
    int root;
    int tones[4];
    int n_tones;
} GsMusicChord;

typedef struct {
    GsMusicStyle style;
    int bpm;
    int beats_per_bar;
    int key;
    GsMusicMode mode;
    int scale[7];          /* pitch classes of the mode from the tonic */
    int bars;
    guint32 ticks_per_bar;
    GsMusicChord *chords;  /* `bars` of them */
    /* In order, tiling the bars; a section starts at
     * gs_arrangement_bar_seconds(arrangement, section->first_bar). */
    GsMusicSection *sections;
    int n_sections;
    GsMusicTrack tracks[GS_MUSIC_PART_COUNT];
} GsArrangement;

GsArrangement *gs_arrangement_new(const GsMusicPrompt *prompt, guint64 seed);
void gs_arrangement_free(GsArrangement *arrangement);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GsArrangement, gs_arrangement_free)

guint32 gs_arrangement_total_ticks(const GsArrangement *arrangement);
double gs_arrangement_seconds(const GsArrangement *arrangement);
/* When bar `bar` (counted from 0) starts, in seconds from the beginning. */
double gs_arrangement_bar_seconds(const GsArrangement *arrangement, int bar);
/* Whether pitch class `pc` belongs to the arrangement's scale. */
gboolean gs_arrangement_in_scale(const GsArrangement *arrangement, int pc);

G_END_DECLS
