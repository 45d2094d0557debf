/* A sung vocal line: lyrics split into syllables (espeak-ng's phonemes, one
 * vowel nucleus each), set to notes that follow the arrangement's chords
 * and sections, and sung by the project's speech model with the notes'
 * durations and pitches (gs_speech_sing) into a "vocals" stem.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "genstudio-engine.h"
#include "gs-arranger.h"

G_BEGIN_DECLS

/* Lyrics are at most this long (bytes) and this many lines. */
#define GS_VOCALS_MAX_BYTES (64 * 1024)
#define GS_VOCALS_MAX_LINES 256

typedef struct {
    double start, seconds; /* the syllable's note, from the piece's start */
    double hz;             /* the pitch it is sung at */
    int midi;              /* the note, in tune with the band */
    char *text;            /* its phonemes, for display ("l ɑː") */
    gs_sung_phone *phones;
    int n_phones;
    int nucleus;           /* which phone is the vowel */
    int phrase;            /* which lyric line */
} GsVocalNote;

typedef struct {
    GsVocalNote *notes;
    int n_notes;
    int n_phrases;
    double voice_hz; /* the voice's own pitch, measured (or its nearest test note that held) */
} GsVocalLine;

/* Who sings: one of the model's voices by name (NULL: its default) or,
 * when `blend` is set, a blend of them (a cloned voice: gs-voice.h) sung
 * `pitch` semitones from the blend's own pitch. A NULL singer is the
 * model's default voice. */
typedef struct {
    const char *voice;
    const float *blend; /* one weight per model voice, or NULL */
    float pitch;
} GsSinger;

/* Plans the line for `singer` of `model`: measures the
 * pitches the voice can sing (the model learned pitch from speech: about a
 * quarter octave around a voice's mean), then sets the lyric lines in turn
 * from the first section after the intro to the outro, one syllable a beat
 * (every other beat when beats are shorter than 0.3 s), each line taking
 * two, four or eight bars with its last syllable held (a line too long for
 * eight bars is sung as several phrases, split between words); each note is the
 * chord tone of its bar nearest the last note within the voice's range,
 * the chorus reaching for the top of it. Empty or invalid (UTF-8) lyrics,
 * or too long: G_IO_ERROR_INVALID_ARGUMENT. */
GsVocalLine *gs_vocal_line_plan(gs_context *ctx, gs_speech *model, const GsSinger *singer,
                                const GsArrangement *arrangement, const char *lyrics, GError **error);
void gs_vocal_line_free(GsVocalLine *line);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GsVocalLine, gs_vocal_line_free)

/* Sings the line phrase by phrase → interleaved stereo at
 * GS_MUSIC_SAMPLE_RATE, `frames` long (the piece's length). Each phrase is
 * sung twice cheaply, measuring and correcting its notes' pitches, then
 * once in full with each note's pitches from the take that sang it
 * closest. */
float *gs_vocal_line_render(gs_context *ctx, gs_speech *model, const GsSinger *singer, const GsVocalLine *line,
                            gsize frames, GError **error);

/* How well `stereo` (as gs_vocal_line_render made it) sings the line: the
 * share of voiced 5 ms frames in the middle 60 % of each note's vowel whose
 * pitch (YIN, gs-pitch.h, not the tracker the tuning uses) lies within 50
 * cents of the note; *voiced gets how many frames were voiced. */
double gs_vocal_line_pitch_accuracy(const GsVocalLine *line, const float *stereo, gsize frames, int *voiced);

G_END_DECLS
