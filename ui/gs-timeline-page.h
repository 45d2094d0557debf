/* The Timeline workspace: tracks with their mute, solo, gain and pan, the
 * clips on a zoomable canvas (move, trim, split, delete, undo and redo
 * through the model), playback of the mix with a moving playhead and a
 * loop, audio files imported as clips, and export of the mix.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gs-audio.h"
#include "gs-timeline-view.h"
#include "gs-timeline.h"

G_BEGIN_DECLS

#define GS_TYPE_TIMELINE_PAGE (gs_timeline_page_get_type())
G_DECLARE_FINAL_TYPE(GsTimelinePage, gs_timeline_page, GS, TIMELINE_PAGE, GtkWidget)

GsTimeline *gs_timeline_page_get_timeline(GsTimelinePage *self);
/* Shows `timeline` (kept) in place of the current one, stopping playback;
 * NULL starts a new one with empty Voice and Music tracks. */
void gs_timeline_page_set_timeline(GsTimelinePage *self, GsTimeline *timeline);
GsTimelineView *gs_timeline_page_get_view(GsTimelinePage *self);
GsAudioPlayer *gs_timeline_page_get_player(GsTimelinePage *self);
/* TRUE from play until stop or the end (also while the mix is computed). */
gboolean gs_timeline_page_get_playing(GsTimelinePage *self);
/* Moves the playhead; while playing, playback carries on from there. */
void gs_timeline_page_seek(GsTimelinePage *self, double seconds);

/* Places a copy of `frames` frames of interleaved stereo at
 * GS_TIMELINE_RATE as a new clip at the playhead and selects it: on the
 * track called `track_name` (added when there is none), or with NULL on the
 * first track with room for it there (a new track when none has). Returns
 * the clip's id. For the Voice and Music pages to hand over their audio. */
guint gs_timeline_page_add_clip_to_track(GsTimelinePage *self, const char *track_name, const char *label,
                                         const float *stereo44k, gsize frames);

/* Adds markers (times from the playhead, as the clips just added there)
 * in one undo step; a toast says why when they cannot be. */
void gs_timeline_page_add_markers(GsTimelinePage *self, const GsTimelineMarker *markers, guint n_markers);

/* Writes the mix of the whole timeline to `file` off the main thread; the
 * extension picks the format (.wav, .flac, .ogg, .opus). */
void gs_timeline_page_export_async(GsTimelinePage *self, GFile *file, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
gboolean gs_timeline_page_export_finish(GsTimelinePage *self, GAsyncResult *result, GError **error);

G_END_DECLS
