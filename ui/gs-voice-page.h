/* The Voice workspace: a script (one paragraph, one take), voice, language,
 * rate and pitch; the takes it made, each playable; the selected take's
 * waveform and spectrogram; export to an audio file.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gs-audio.h"
#include "gs-waveform.h"

G_BEGIN_DECLS

#define GS_TYPE_VOICE_PAGE (gs_voice_page_get_type())
G_DECLARE_FINAL_TYPE(GsVoicePage, gs_voice_page, GS, VOICE_PAGE, GtkWidget)

/* Signal "send-to-timeline" (const char *label, GBytes *audio): the
 * selected take, as interleaved stereo at GS_TIMELINE_RATE, for the
 * Timeline page (action "voice.send-to-timeline"). */
void gs_voice_page_set_script(GsVoicePage *self, const char *script);
gboolean gs_voice_page_get_generating(GsVoicePage *self);
/* The GsTake items, oldest first. */
GListModel *gs_voice_page_get_takes(GsVoicePage *self);
/* Shows and adds to `takes` (the project's) instead of the current store;
 * stops what plays and cancels a run in progress. */
void gs_voice_page_set_takes(GsVoicePage *self, GListStore *takes);
GsWaveform *gs_voice_page_get_waveform(GsVoicePage *self);
GsAudioPlayer *gs_voice_page_get_player(GsVoicePage *self);

/* Writes `take` to `file` off the main thread; the extension picks the
 * format (.wav, .flac, .ogg, .opus). */
void gs_voice_page_export_async(GsVoicePage *self, GsTake *take, GFile *file, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
gboolean gs_voice_page_export_finish(GsVoicePage *self, GAsyncResult *result, GError **error);

G_END_DECLS
