/* Playback for a workspace page: one player, the item it plays (a take, a
 * piece) and the playhead on the page's waveform while that item is shown.
 * Property "item" (GObject, read-only, notifies): what plays, or NULL.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gs-audio.h"
#include "gs-waveform.h"

G_BEGIN_DECLS

#define GS_TYPE_PLAYBACK (gs_playback_get_type())
G_DECLARE_FINAL_TYPE(GsPlayback, gs_playback, GS, PLAYBACK, GObject)

/* Playback errors become toasts near `waveform`. */
GsPlayback *gs_playback_new(GsWaveform *waveform);
GsAudioPlayer *gs_playback_get_player(GsPlayback *self);
GObject *gs_playback_get_item(GsPlayback *self);
/* The item the waveform shows: the playhead is drawn only on that one. */
void gs_playback_set_shown(GsPlayback *self, GObject *item);
/* Plays `samples`, which begin `offset` seconds into `item`; whatever
 * played stops first. A failure is a toast. */
void gs_playback_play(GsPlayback *self, GObject *item, const float *samples, gsize frames, int channels, int rate,
                      double offset);
void gs_playback_stop(GsPlayback *self);
/* Seconds into the item that plays. */
double gs_playback_get_position(GsPlayback *self);

/* A play button's icon, tooltip and accessible label: Stop while playing. */
void gs_playback_show_button_state(GtkButton *button, gboolean playing);

G_END_DECLS
