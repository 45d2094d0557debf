/* An arrangement as a Standard MIDI File (type 1): a tempo track, then one
 * track per part, at GS_MUSIC_TICKS_PER_QUARTER ticks per quarter note.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gs-arranger.h"

G_BEGIN_DECLS

/* The whole file in memory; the same arrangement gives the same bytes. */
GBytes *gs_midi_file_build(const GsArrangement *arrangement);
gboolean gs_midi_file_write(const GsArrangement *arrangement, const char *path, GError **error);

G_END_DECLS
