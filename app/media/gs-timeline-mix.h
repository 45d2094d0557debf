/* The timeline's mixdown: offline into memory, to a file block by block,
 * and to a player. Stereo at GS_TIMELINE_RATE.
 *
 * Each track is heard unless muted, or unless another track is solo; its
 * gain scales it, and its pan is a constant-power balance: at the centre
 * the clip passes unchanged, at −1 only its left channel is heard, √2 (+3
 * dB) louder, so the power of a centred mono source (left = right) is the
 * same at every pan.
 *
 * These read the timeline throughout: mix a gs_timeline_copy() in a worker
 * thread while the original may be edited.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gs-audio.h"
#include "gs-timeline.h"

G_BEGIN_DECLS

typedef enum {
    GS_TIMELINE_MIX_NONE = 0,
    /* Scales the whole mix so its peak is at −1 dBFS (silence stays). */
    GS_TIMELINE_MIX_NORMALIZE = 1 << 0,
} GsTimelineMixFlags;

/* The peak a normalised mix is given, as for gs_music_render. */
#define GS_TIMELINE_NORMALIZE_PEAK 0.891250938f /* −1 dBFS */

/* Mixes [start, end) seconds (0 ≤ start < end) into a g_malloc'd buffer of
 * `*frames` interleaved stereo floats. Samples beyond ±1 are clamped, so
 * the mix never wraps or distorts downstream; see gs_timeline_mix_full for
 * the peak before clamping. A clip whose source has no audio attached is
 * G_IO_ERROR_NOT_FOUND. */
gboolean gs_timeline_mix(GsTimeline *self, double start, double end, float **stereo, gsize *frames, GError **error);
/* The same, and `peak` (may be NULL) receives the largest magnitude before
 * clamping (and before normalising): above 1.0 the mix clipped. */
gboolean gs_timeline_mix_full(GsTimeline *self, double start, double end, GsTimelineMixFlags flags, float **stereo,
                              gsize *frames, float *peak, GError **error);

/* Writes the whole timeline (0 to its duration) to `path` through a
 * GsAudioWriter, mixing a block at a time: memory stays bounded however
 * long it is (normalising reads the timeline twice). The format follows
 * the extension, as for gs_audio_export; an empty timeline is
 * G_IO_ERROR_INVALID_ARGUMENT. `peak` as for gs_timeline_mix_full (may be
 * NULL). Blocking; `progress` is called on the calling thread. */
gboolean gs_timeline_export(GsTimeline *self, const char *path, GsTimelineMixFlags flags, const GsAudioTags *tags,
                            GsAudioProgressFunc progress, gpointer user_data, float *peak, GCancellable *cancellable,
                            GError **error);

/* Mixes from `from_seconds` to the end and hands it to `player` (which
 * copies it): G_IO_ERROR_INVALID_ARGUMENT when nothing is left to play. */
gboolean gs_timeline_play(GsTimeline *self, GsAudioPlayer *player, double from_seconds, GError **error);

G_END_DECLS
