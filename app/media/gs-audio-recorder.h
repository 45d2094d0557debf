/* Recording from the microphone, for a voice's consent recording: mono
 * 32-bit floats at GS_AUDIO_RECORDER_RATE, a level for a meter while it
 * records, and a hard limit of GS_AUDIO_RECORDER_MAX_SECONDS.
 *
 *   autoaudiosrc ! audioconvert ! audioresample ! level ! appsink
 *                                   (audio/x-raw, F32LE, 1 channel, 16 kHz)
 *
 * The source is autoaudiosrc unless the environment variable
 * GS_AUDIO_SOURCE names another GStreamer element factory, for tests
 * (audiotestsrc) or a machine with several inputs (pulsesrc). It is
 * accepted only as one factory name (letters, digits, '-' and '_': no
 * pipeline, no properties) whose class contains "Source/Audio": a consent
 * recording is made live, so filesrc, decodebin and the like — a file
 * uploaded in place of the speaker — fail with G_IO_ERROR_PERMISSION_DENIED.
 *
 * Signals, all on the main context of the thread that made the recorder:
 *   "level" (double peak_dbfs, double rms_dbfs): about 20 times a second;
 *   "error" (GError *error): the recording stopped (the samples so far are
 *       kept for gs_audio_recorder_stop);
 *   "limit-reached": GS_AUDIO_RECORDER_MAX_SECONDS were recorded, the
 *       recording stopped (the samples are kept for gs_audio_recorder_stop).
 * Property "recording" (boolean, read-only) says whether it records.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The same as GS_CONSENT_RATE and GS_CONSENT_MAX_SECONDS (gs-consent.h). */
#define GS_AUDIO_RECORDER_RATE 16000
#define GS_AUDIO_RECORDER_MAX_SECONDS 30.0

#define GS_TYPE_AUDIO_RECORDER (gs_audio_recorder_get_type())
G_DECLARE_FINAL_TYPE(GsAudioRecorder, gs_audio_recorder, GS, AUDIO_RECORDER, GObject)

GsAudioRecorder *gs_audio_recorder_new(void);

/* Starts a new recording (what an earlier one kept is dropped). Fails when
 * already recording, when GS_AUDIO_SOURCE is refused (above) or when the
 * source does not start; errors later come as "error". */
gboolean gs_audio_recorder_start(GsAudioRecorder *self, GError **error);
/* Stops (if it records) and hands over what was recorded: g_malloc'd mono
 * floats at GS_AUDIO_RECORDER_RATE, at most GS_AUDIO_RECORDER_MAX_SECONDS
 * of them; NULL and *count 0 when there is nothing. */
float *gs_audio_recorder_stop(GsAudioRecorder *self, gsize *count);
gboolean gs_audio_recorder_get_recording(GsAudioRecorder *self);
/* Seconds recorded so far (or kept since the recording stopped). */
double gs_audio_recorder_get_seconds(GsAudioRecorder *self);

G_END_DECLS
