/* A take at a glance: its waveform (the lowest and highest sample under
 * each pixel column) above its mel spectrogram, with a playhead.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gs-take.h"

G_BEGIN_DECLS

#define GS_TYPE_WAVEFORM (gs_waveform_get_type())
G_DECLARE_FINAL_TYPE(GsWaveform, gs_waveform, GS, WAVEFORM, GtkWidget)

GtkWidget *gs_waveform_new(void);
void gs_waveform_set_take(GsWaveform *self, GsTake *take);
GsTake *gs_waveform_get_take(GsWaveform *self);
/* Seconds into the take; a negative value hides the playhead. */
void gs_waveform_set_playhead(GsWaveform *self, double seconds);
/* The spectrogram as drawn: one column per mel frame, the highest bin on
 * top; NULL without a take. */
GdkTexture *gs_waveform_get_spectrogram(GsWaveform *self);

G_END_DECLS
