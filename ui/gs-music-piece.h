/* One piece from the Music workspace: the prompt as typed, the seed, what
 * the parser understood, the arrangement and its rendered stems, the
 * lyrics sung on it and in which voice, and which stems are muted.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gs-arranger.h"
#include "gs-voice.h"
#include "gs-music-render.h"

G_BEGIN_DECLS

/* The stems: the band's parts (GsMusicPart), then the sung vocal line,
 * there when the piece has lyrics. */
#define GS_MUSIC_PIECE_VOCALS GS_MUSIC_PART_COUNT
#define GS_MUSIC_PIECE_MAX_STEMS (GS_MUSIC_PART_COUNT + 1)

#define GS_TYPE_MUSIC_PIECE (gs_music_piece_get_type())
G_DECLARE_FINAL_TYPE(GsMusicPiece, gs_music_piece, GS, MUSIC_PIECE, GObject)

/* Takes ownership of `prompt`, `arrangement` and `audio`. */
GsMusicPiece *gs_music_piece_new(const char *text, guint64 seed, GsMusicPrompt *prompt, GsArrangement *arrangement,
                                 GsMusicAudio *audio);
/* Adds the vocal line sung from `lyrics` in `voice` (NULL: the model's
 * default; a label when `clone`, the cloned voice that sang, is given): `stem` (taken) is interleaved stereo, audio->frames long. As
 * the CLI mixes it, the mix is brought back to a peak of −1 dBFS; the band's
 * stems and the vocals take the same gain, so the stems still add up to
 * the mix. Once, before the piece is shown. */
void gs_music_piece_add_vocals(GsMusicPiece *self, const char *lyrics, const char *voice, const GsVoice *clone,
                               float *stem);

const char *gs_music_piece_get_text(GsMusicPiece *self);
guint64 gs_music_piece_get_seed(GsMusicPiece *self);
/* NULL when nothing is sung. */
const char *gs_music_piece_get_lyrics(GsMusicPiece *self);
const char *gs_music_piece_get_voice(GsMusicPiece *self);
/* The cloned voice that sang, whose consent exports name; else NULL. */
const GsVoice *gs_music_piece_get_cloned_voice(GsMusicPiece *self);
const GsMusicPrompt *gs_music_piece_get_prompt(GsMusicPiece *self);
const GsArrangement *gs_music_piece_get_arrangement(GsMusicPiece *self);
const GsMusicAudio *gs_music_piece_get_audio(GsMusicPiece *self);
/* Seconds of audio, the tail included. */
double gs_music_piece_get_duration(GsMusicPiece *self);

/* GS_MUSIC_PART_COUNT, or GS_MUSIC_PIECE_MAX_STEMS with vocals. */
int gs_music_piece_get_n_stems(GsMusicPiece *self);
/* Interleaved stereo, audio->frames long, carrying the mix's gain. */
const float *gs_music_piece_get_stem(GsMusicPiece *self, int stem);
/* "drums", "bass", "chords", "melody" or "vocals": as files and the
 * project name them. */
const char *gs_music_piece_stem_name(int stem);

gboolean gs_music_piece_get_muted(GsMusicPiece *self, int stem);
void gs_music_piece_set_muted(GsMusicPiece *self, int stem, gboolean muted);
/* The unmuted stems added up: interleaved stereo, audio->frames frames
 * (silence when all are muted). Free with g_free. */
float *gs_music_piece_mix(GsMusicPiece *self);

G_END_DECLS
