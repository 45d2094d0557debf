/* The Music workspace: a prompt and a seed become a piece (parsed,
 * arranged and rendered through a General MIDI soundfont off the main
 * thread), and lyrics, if any, a vocal line sung over it by a voice of the
 * speech model (on the engine's worker); the pieces of the session; the selected piece's summary, stems
 * with mute toggles, waveform and playback; export to audio or MIDI.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gs-audio.h"
#include "gs-project.h"
#include "gs-music-piece.h"
#include "gs-waveform.h"

G_BEGIN_DECLS

#define GS_TYPE_MUSIC_PAGE (gs_music_page_get_type())
G_DECLARE_FINAL_TYPE(GsMusicPage, gs_music_page, GS, MUSIC_PAGE, GtkWidget)

/* Signal "send-stems-to-timeline" (GStrv tracks, GStrv labels, GPtrArray
 * *stems): the selected piece's unmuted stems (GBytes of interleaved
 * stereo at GS_TIMELINE_RATE), each with the track it goes on (its part,
 * "Drums") and its clip's label ("<prompt> — drums"), for the Timeline
 * page (action "music.send-to-timeline"). */
void gs_music_page_set_prompt(GsMusicPage *self, const char *prompt);
/* The lyrics box: one phrase a line; empty: nothing sung. */
void gs_music_page_set_lyrics(GsMusicPage *self, const char *lyrics);
gboolean gs_music_page_get_generating(GsMusicPage *self);
/* What composing is doing now, as shown ("Singing 2 lines of lyrics…");
 * NULL when idle. */
const char *gs_music_page_get_status(GsMusicPage *self);
/* Replaces the pieces with the project's music, each rendered again from
 * its prompt and seed (the same notes and audio) and its lyrics sung again
 * in its voice, its stems muted as they were; "generating" until the last is back. */
void gs_music_page_set_pieces(GsMusicPage *self, GsProject *project);
/* The GsMusicPiece items, oldest first. */
GListModel *gs_music_page_get_pieces(GsMusicPage *self);
/* What the parser understood of the selected piece, as shown. */
const char *gs_music_page_get_summary(GsMusicPage *self);
GsWaveform *gs_music_page_get_waveform(GsMusicPage *self);
GsAudioPlayer *gs_music_page_get_player(GsMusicPage *self);

/* Writes the unmuted stems of `piece`, mixed, to `file` off the main
 * thread; the extension picks the format (.wav, .flac, .ogg, .opus). */
void gs_music_page_export_async(GsMusicPage *self, GsMusicPiece *piece, GFile *file, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
gboolean gs_music_page_export_finish(GsMusicPage *self, GAsyncResult *result, GError **error);
/* Writes the arrangement of `piece` as a Standard MIDI File (fast: blocks). */
gboolean gs_music_page_save_midi(GsMusicPage *self, GsMusicPiece *piece, GFile *file, GError **error);

G_END_DECLS
