/* One piece from the Music workspace: the prompt as typed, the seed, what
 * the parser understood, the arrangement and its rendered stems, and which
 * stems are muted.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gs-arranger.h"
#include "gs-music-render.h"

G_BEGIN_DECLS

#define GS_TYPE_MUSIC_PIECE (gs_music_piece_get_type())
G_DECLARE_FINAL_TYPE(GsMusicPiece, gs_music_piece, GS, MUSIC_PIECE, GObject)

/* Takes ownership of `prompt`, `arrangement` and `audio`. */
GsMusicPiece *gs_music_piece_new(const char *text, guint64 seed, GsMusicPrompt *prompt, GsArrangement *arrangement,
                                 GsMusicAudio *audio);

const char *gs_music_piece_get_text(GsMusicPiece *self);
guint64 gs_music_piece_get_seed(GsMusicPiece *self);
const GsMusicPrompt *gs_music_piece_get_prompt(GsMusicPiece *self);
const GsArrangement *gs_music_piece_get_arrangement(GsMusicPiece *self);
const GsMusicAudio *gs_music_piece_get_audio(GsMusicPiece *self);
/* Seconds of audio, the tail included. */
double gs_music_piece_get_duration(GsMusicPiece *self);

gboolean gs_music_piece_get_muted(GsMusicPiece *self, GsMusicPart part);
void gs_music_piece_set_muted(GsMusicPiece *self, GsMusicPart part, gboolean muted);
/* The unmuted stems added up: interleaved stereo, audio->frames frames
 * (silence when all are muted). Free with g_free. */
float *gs_music_piece_mix(GsMusicPiece *self);

G_END_DECLS
