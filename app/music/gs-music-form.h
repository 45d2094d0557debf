/* The form of a piece: which sections, how many bars each, and what each
 * section asks of the band. Used by the arranger.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gs-music-prompt.h"

G_BEGIN_DECLS

typedef struct {
    GsMusicSectionKind kind;
    int first_bar;
    int bars;
} GsMusicSection;

typedef enum {
    GS_DRUMS_NONE,
    GS_DRUMS_LIGHT, /* hats and a kick on the downbeat */
    GS_DRUMS_FULL,  /* the style's groove */
    GS_DRUMS_BUILD, /* a snare roll that doubles its rate towards the drop */
} GsDrumsLevel;

/* What a section changes against the style's groove. */
typedef struct {
    GsDrumsLevel drums;
    gboolean bass, melody;
    gboolean held_chords; /* one chord a bar, held, instead of the style's comping */
    int density;          /* added to the melody's density */
    int velocity;         /* added to every part's velocity */
    int melody_lift;      /* semitones the melody's range moves up */
    int chord_lift;       /* semitones the chord voicing moves up */
    int crash_every;      /* bars between crashes inside the section, 0 for none */
} GsMusicSectionProfile;

const GsMusicSectionProfile *gs_music_section_profile(GsMusicSectionKind kind);

/* The prompt's structure, else the style's form fitted to `bars` (one
 * section for pieces under eight bars). Sections tile the bars in order;
 * g_free the result. */
GsMusicSection *gs_music_plan_sections(const GsMusicPrompt *prompt, int bars, int *n_sections);

G_END_DECLS
