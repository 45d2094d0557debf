/* Audio through GStreamer for speech and music: export to WAV, FLAC, Ogg
 * Vorbis and Ogg Opus, decode any file GStreamer reads, and playback.
 * Samples are interleaved 32-bit floats in [-1, 1], mono or stereo.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define GS_AUDIO_MIN_RATE 8000
#define GS_AUDIO_MAX_RATE 192000
/* Decoding refuses longer files: two hours of 48 kHz stereo is 2.7 GB. */
#define GS_AUDIO_MAX_SECONDS (2 * 60 * 60)

/* What goes in GsAudioTags.model, and so in the watermark's model id. */
#define GS_SPEECH_PROVENANCE_MODEL "GenStudio speech"
#define GS_MUSIC_PROVENANCE_MODEL "GenStudio music (FluidSynth)"
#define GS_MIX_PROVENANCE_MODEL "GenStudio timeline mix"

/* Any field may be NULL. Every export also says it is AI-generated and made
 * by GenStudio, whatever the tags, and carries the audio watermark
 * (gs-audio-mark.h) with `model` in its payload. */
typedef struct {
    const char *title;
    const char *artist;
    const char *comment;
    const char *model; /* what made it: a voice, the music renderer; NULL: "GenStudio" */
    /* The project's own copy of a take, kept sample-exact and so not
     * watermarked: the mark goes on whenever it is exported. */
    gboolean working_copy;
} GsAudioTags;

/* `fraction` grows towards 1.0, which is reported once the file is in place. */
typedef void (*GsAudioProgressFunc)(double fraction, gpointer user_data);

/* G_IO_ERROR_INVALID_ARGUMENT unless 1 ≤ channels ≤ 2 and
 * GS_AUDIO_MIN_RATE ≤ rate ≤ GS_AUDIO_MAX_RATE. */
gboolean gs_audio_check_format(int channels, int rate, GError **error);

/* Writes audio as it comes, in bounded memory (speaking a long text takes
 * hours): the formats, tags and atomic replacement of gs_audio_export, which
 * is built on it. Blocking; use a writer from one thread at a time. */
typedef struct _GsAudioWriter GsAudioWriter;

/* Refuses what gs_audio_export refuses (an unknown extension is
 * G_IO_ERROR_NOT_SUPPORTED) and opens a temporary file beside `path`, so a
 * place that cannot be written fails here, before any audio is made. */
GsAudioWriter *gs_audio_writer_new(const char *path, int channels, int rate, const GsAudioTags *tags, GError **error);
/* Copies `frames` interleaved frames; blocks while the encoder is behind.
 * After an error only gs_audio_writer_free is left to call. */
gboolean gs_audio_writer_push(GsAudioWriter *w, const float *samples, gsize frames, GError **error);
/* Ends the stream and moves the file into place, replacing any at `path`.
 * Nothing pushed is G_IO_ERROR_INVALID_ARGUMENT, as for gs_audio_export. */
gboolean gs_audio_writer_finish(GsAudioWriter *w, GError **error);
/* Unless finished, stops and removes the temporary file: `path` stays as it
 * was. NULL is ignored. */
void gs_audio_writer_free(GsAudioWriter *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GsAudioWriter, gs_audio_writer_free)

/* The format follows the extension of `path` (any case): .wav (16-bit PCM),
 * .flac, .ogg (Vorbis) or .opus (Ogg Opus at 48 kHz); any other is
 * G_IO_ERROR_NOT_SUPPORTED. Blocking (call it from a worker thread);
 * `progress` is called on the calling thread. The file is written
 * atomically: on failure or cancellation nothing is left behind and an
 * existing file at `path` is untouched. */
gboolean gs_audio_export(const char *path, const float *samples, gsize frames, int channels, int rate,
                         const GsAudioTags *tags, GsAudioProgressFunc progress, gpointer user_data,
                         GCancellable *cancellable, GError **error);

/* The file's tags as one line ("title: …; comment: …"), NULL if it has
 * none or cannot be read. Blocking. */
char *gs_audio_read_tags(const char *path);

/* Decodes any audio file GStreamer can read, converted to `channels` and
 * `rate`. `samples` is g_malloc'd (free with g_free). Blocking. */
gboolean gs_audio_decode(const char *path, int channels, int rate, float **samples, gsize *frames, GError **error);

/* Converts `frames` frames of `channels` at `rate` to `out_channels` at
 * `out_rate` (a mono take to the timeline's stereo 44.1 kHz, say). `out`
 * is g_malloc'd. No frames is G_IO_ERROR_INVALID_ARGUMENT. Blocking. */
gboolean gs_audio_convert(const float *samples, gsize frames, int channels, int rate, int out_channels, int out_rate,
                          float **out, gsize *out_frames, GError **error);

/* Encodes with `encoder` (a gst-launch description, "opusenc bitrate=64000
 * ! oggmux" say) to a temporary file and decodes it back to `channels` and
 * `rate`, unmarked: for measuring what a codec does. Blocking. */
gboolean gs_audio_round_trip(const float *samples, gsize frames, int channels, int rate, const char *encoder,
                             float **out, gsize *out_frames, GError **error);

/* Plays to the default audio output and returns at the end (for the CLI).
 * Without an audio device it plays silently, in real time. */
gboolean gs_audio_play_blocking(const float *samples, gsize frames, int channels, int rate, GError **error);

/* Playback for the window: signals come on the main context that was the
 * thread-default one when the player was created.
 *   "finished": the samples played to the end (not emitted by stop).
 *   "error" (GError *): playback failed and stopped.
 * Property "playing" (boolean, read-only, notifies).
 * GS_AUDIO_SINK=<element>, e.g. fakesink, replaces the audio output. */
#define GS_TYPE_AUDIO_PLAYER (gs_audio_player_get_type())
G_DECLARE_FINAL_TYPE(GsAudioPlayer, gs_audio_player, GS, AUDIO_PLAYER, GObject)

GsAudioPlayer *gs_audio_player_new(void);
/* Copies `samples`; whatever was playing stops first. */
gboolean gs_audio_player_play(GsAudioPlayer *self, const float *samples, gsize frames, int channels, int rate,
                              GError **error);
void gs_audio_player_stop(GsAudioPlayer *self);
gboolean gs_audio_player_is_playing(GsAudioPlayer *self);
/* Seconds into the current samples; after the end or stop, where it stopped. */
double gs_audio_player_get_position(GsAudioPlayer *self);

G_END_DECLS
