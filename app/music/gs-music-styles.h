/* The styles the music prompt knows, as data: tempo range, groove, harmony
 * habits, instruments and form of each. The arranger reads nothing else
 * about a style.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The first twelve are the original styles, in their original order. */
typedef enum {
    GS_MUSIC_STYLE_POP,
    GS_MUSIC_STYLE_ROCK,
    GS_MUSIC_STYLE_JAZZ,
    GS_MUSIC_STYLE_BOSSA_NOVA,
    GS_MUSIC_STYLE_WALTZ,
    GS_MUSIC_STYLE_AMBIENT,
    GS_MUSIC_STYLE_TECHNO,
    GS_MUSIC_STYLE_HIP_HOP,
    GS_MUSIC_STYLE_FOLK,
    GS_MUSIC_STYLE_CLASSICAL,
    GS_MUSIC_STYLE_BLUES,
    GS_MUSIC_STYLE_REGGAE,
    GS_MUSIC_STYLE_PUNK,
    GS_MUSIC_STYLE_METAL,
    GS_MUSIC_STYLE_K_POP,
    GS_MUSIC_STYLE_RNB,
    GS_MUSIC_STYLE_SOUL,
    GS_MUSIC_STYLE_FUNK,
    GS_MUSIC_STYLE_DISCO,
    GS_MUSIC_STYLE_GOSPEL,
    GS_MUSIC_STYLE_TRAP,
    GS_MUSIC_STYLE_LO_FI,
    GS_MUSIC_STYLE_HOUSE,
    GS_MUSIC_STYLE_DRUM_AND_BASS,
    GS_MUSIC_STYLE_DUBSTEP,
    GS_MUSIC_STYLE_SYNTHWAVE,
    GS_MUSIC_STYLE_TRANCE,
    GS_MUSIC_STYLE_SAMBA,
    GS_MUSIC_STYLE_SALSA,
    GS_MUSIC_STYLE_TANGO,
    GS_MUSIC_STYLE_CUMBIA,
    GS_MUSIC_STYLE_REGGAETON,
    GS_MUSIC_STYLE_AFROBEAT,
    GS_MUSIC_STYLE_HIGHLIFE,
    GS_MUSIC_STYLE_DANCEHALL,
    GS_MUSIC_STYLE_SKA,
    GS_MUSIC_STYLE_COUNTRY,
    GS_MUSIC_STYLE_BLUEGRASS,
    GS_MUSIC_STYLE_CELTIC,
    GS_MUSIC_STYLE_CINEMATIC,
    GS_MUSIC_STYLE_CHIPTUNE,
    GS_MUSIC_STYLE_COUNT,
} GsMusicStyle;

typedef enum {
    GS_MUSIC_FAMILY_POPULAR,
    GS_MUSIC_FAMILY_ELECTRONIC,
    GS_MUSIC_FAMILY_LATIN,
    GS_MUSIC_FAMILY_AFRICAN_CARIBBEAN,
    GS_MUSIC_FAMILY_JAZZ_BLUES,
    GS_MUSIC_FAMILY_FOLK_COUNTRY,
    GS_MUSIC_FAMILY_CLASSICAL_FILM,
    GS_MUSIC_FAMILY_GAME,
} GsMusicFamily;

typedef enum { GS_MUSIC_MODE_MAJOR, GS_MUSIC_MODE_MINOR } GsMusicMode;

/* How a piece of the style is laid out in sections. */
typedef enum {
    GS_MUSIC_FORM_SONG,  /* intro, verses and choruses, a bridge, outro */
    GS_MUSIC_FORM_DANCE, /* intro, builds and drops, a breakdown, outro */
} GsMusicForm;

/* General MIDI percussion keys the styles use. */
enum {
    GS_DRUM_KICK = 36,
    GS_DRUM_SIDE_STICK = 37,
    GS_DRUM_SNARE = 38,
    GS_DRUM_CLAP = 39,
    GS_DRUM_CLOSED_HAT = 42,
    GS_DRUM_PEDAL_HAT = 44,
    GS_DRUM_LOW_TOM = 45,
    GS_DRUM_OPEN_HAT = 46,
    GS_DRUM_MID_TOM = 47,
    GS_DRUM_HIGH_MID_TOM = 48,
    GS_DRUM_CRASH = 49,
    GS_DRUM_HIGH_TOM = 50,
    GS_DRUM_RIDE = 51,
    GS_DRUM_TAMBOURINE = 54,
    GS_DRUM_COWBELL = 56,
    GS_DRUM_HIGH_CONGA = 62,
    GS_DRUM_LOW_CONGA = 64,
    GS_DRUM_CABASA = 69,
    GS_DRUM_MARACAS = 70,
    GS_DRUM_CLAVES = 75,
};

/* Rhythms are strings with one character per sixteenth (per eighth for the
 * bass), repeated over the bar: drums 'x' accent, 'o' soft; bass R root,
 * T third, F fifth, O octave, A approach to the next chord; chords and
 * melody 'x' attack; '-' holds the note before; '.' is a rest. An empty
 * kick pattern means the style has no drum kit. */
typedef struct {
    const char *name;
    GsMusicFamily family;
    GsMusicForm form;
    int bpm_low, bpm, bpm_high; /* the usual range and the default */
    int beats_per_bar;
    int major_key, minor_key;   /* pitch classes used when no key is asked */
    GsMusicMode mode;
    int bass_program, chords_program, melody_program; /* General MIDI */
    const char *major_progression, *minor_progression; /* scale degrees, a chord a bar */
    gboolean sevenths;
    gboolean dominant_sevenths; /* the blues' flat seventh on every chord */
    const char *kick, *snare, *hat;
    guint8 snare_note, hat_note;
    const char *bass;
    const char *comp;
    int melody_density; /* 0 sparse … 2 busy */
    gboolean swing;
} GsMusicStyleInfo;

const GsMusicStyleInfo *gs_music_style_info(GsMusicStyle style);
const char *gs_music_family_name(GsMusicFamily family);

G_END_DECLS
