/* Text → music, step three: an arrangement played through a General MIDI
 * soundfont with libfluidsynth, one stereo stem per part and their mix.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gs-arranger.h"

G_BEGIN_DECLS

#define GS_MUSIC_SAMPLE_RATE 44100
/* Rendered after the last bar, so the final chord dies away instead of
 * stopping dead. */
#define GS_MUSIC_TAIL_SECONDS 1.0

typedef struct {
    int rate;
    gsize frames;
    /* Interleaved stereo floats. The stems carry the mix's gain, so they add
     * up to the mix. */
    float *stems[GS_MUSIC_PART_COUNT];
    float *mix; /* peak at −1 dBFS (unless silent) */
} GsMusicAudio;

/* $GENSTUDIO_SOUNDFONT if set (it must exist), else FluidR3_GM.sf2
 * (fluid-soundfont-gm), else TimGM6mb.sf2 (timgm6mb-soundfont);
 * GENSTUDIO_SOUNDFONT_FALLBACK=0 skips those two. G_IO_ERROR_NOT_FOUND
 * names the packages when there is none. */
char *gs_music_find_soundfont(GError **error);

/* Deterministic: the synth is driven directly, without an audio driver or
 * sequencer thread, with reverb and chorus off (stems stay dry). Notes start
 * on fluidsynth's 64-frame blocks (1.5 ms). */
/* Called before each part is rendered (0..GS_MUSIC_PART_COUNT-1); FALSE
 * cancels the render, which then fails with G_IO_ERROR_CANCELLED. */
typedef gboolean (*GsMusicPartFunc)(int part, gpointer user_data);
GsMusicAudio *gs_music_render(const GsArrangement *arrangement, const char *soundfont, GsMusicPartFunc on_part,
                              gpointer user_data, GError **error);
void gs_music_audio_free(GsMusicAudio *audio);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GsMusicAudio, gs_music_audio_free)

/* How many frames gs_music_render makes of the arrangement (its tail
 * included). */
gsize gs_music_render_frames(const GsArrangement *arrangement);

/* gs_music_render on a thread of its own, so that the band plays into
 * memory while the vocals are sung on the engine; the arrangement (and
 * whatever `on_part` uses) must outlive the thread, and `on_part` is called
 * on it. gs_music_render_join waits for it. */
typedef struct _GsMusicRenderThread GsMusicRenderThread;
GsMusicRenderThread *gs_music_render_start(const GsArrangement *arrangement, const char *soundfont,
                                           GsMusicPartFunc on_part, gpointer user_data);
GsMusicAudio *gs_music_render_join(GsMusicRenderThread *thread, GError **error);

G_END_DECLS
