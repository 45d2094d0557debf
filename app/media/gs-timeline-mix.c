/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "gs-timeline-mix.h"

/* Export mixes and writes this much at a time. */
#define BLOCK_FRAMES (GS_TIMELINE_RATE / 10)

/* One clip as the mixer sees it: where it plays and how loud each side. */
typedef struct {
    const float *samples;
    gint64 position, in, out;
    float left, right;
} Voice;

static gint64
to_frames(double seconds)
{
    return (gint64)llround(seconds * GS_TIMELINE_RATE);
}

/* Reads the timeline once into the voices that are heard; `end` is where
 * the last clip (heard or not) ends, so muting never shortens an export. */
static GArray *
plan_voices(GsTimeline *self, gint64 *end, GError **error)
{
    g_autoptr(GArray) voices = g_array_new(FALSE, FALSE, sizeof(Voice));
    guint n_tracks;
    g_autofree guint *tracks = gs_timeline_dup_track_ids(self, &n_tracks);
    gboolean any_solo = FALSE;
    for (guint t = 0; t < n_tracks; t++) {
        GsTimelineTrack track;
        gs_timeline_get_track(self, tracks[t], &track);
        any_solo |= track.solo;
    }
    *end = 0;
    for (guint t = 0; t < n_tracks; t++) {
        GsTimelineTrack track;
        gs_timeline_get_track(self, tracks[t], &track);
        gboolean heard = !track.mute && (!any_solo || track.solo);
        double gain = pow(10.0, track.gain_db / 20.0);
        double theta = (track.pan + 1.0) * G_PI / 4.0;
        guint n_clips;
        g_autofree guint *clips = gs_timeline_dup_clip_ids(self, tracks[t], &n_clips);
        for (guint c = 0; c < n_clips; c++) {
            GsTimelineClip clip;
            gs_timeline_get_clip(self, clips[c], &clip);
            Voice voice = {
                .position = to_frames(clip.position),
                .in = to_frames(clip.in),
                .out = to_frames(clip.out),
                .left = (float)(gain * G_SQRT2 * cos(theta)),
                .right = (float)(gain * G_SQRT2 * sin(theta)),
            };
            *end = MAX(*end, voice.position + voice.out - voice.in);
            if (!heard)
                continue;
            if (!clip.audio) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "Source “%s” (%s) has no audio attached",
                            clip.source_id, clip.label);
                return NULL;
            }
            voice.samples = g_bytes_get_data(clip.audio, NULL);
            g_array_append_val(voices, voice);
        }
    }
    return g_steal_pointer(&voices);
}

/* Adds every voice's share of [start, start + frames) into `out`. */
static void
mix_block(GArray *voices, gint64 start, gsize frames, float *out)
{
    memset(out, 0, frames * GS_TIMELINE_CHANNELS * sizeof(float));
    gint64 stop = start + (gint64)frames;
    for (guint v = 0; v < voices->len; v++) {
        const Voice *voice = &g_array_index(voices, Voice, v);
        gint64 from = MAX(start, voice->position);
        gint64 to = MIN(stop, voice->position + voice->out - voice->in);
        for (gint64 f = from; f < to; f++) {
            const float *in = voice->samples + 2 * (voice->in + f - voice->position);
            float *mixed = out + 2 * (f - start);
            mixed[0] += in[0] * voice->left;
            mixed[1] += in[1] * voice->right;
        }
    }
}

static float
block_peak(const float *samples, gsize count)
{
    float peak = 0;
    for (gsize i = 0; i < count; i++)
        peak = MAX(peak, fabsf(samples[i]));
    return peak;
}

/* Scales, then clamps what is still beyond ±1. */
static void
finish_block(float *samples, gsize count, float scale)
{
    for (gsize i = 0; i < count; i++)
        samples[i] = CLAMP(samples[i] * scale, -1.0f, 1.0f);
}

static float
normalize_scale(GsTimelineMixFlags flags, float peak)
{
    return (flags & GS_TIMELINE_MIX_NORMALIZE) && peak > 0 ? GS_TIMELINE_NORMALIZE_PEAK / peak : 1.0f;
}

gboolean
gs_timeline_mix_full(GsTimeline *self, double start, double end, GsTimelineMixFlags flags, float **stereo,
                     gsize *frames, float *peak, GError **error)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), FALSE);
    g_return_val_if_fail(stereo != NULL && frames != NULL, FALSE);
    if (!isfinite(start) || !isfinite(end) || start < 0 || end <= start || end - start > GS_AUDIO_MAX_SECONDS) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Cannot mix %g–%g s", start, end);
        return FALSE;
    }
    gint64 timeline_end;
    g_autoptr(GArray) voices = plan_voices(self, &timeline_end, error);
    if (!voices)
        return FALSE;
    gint64 first = to_frames(start);
    gsize count = (gsize)MAX(to_frames(end) - first, 1);
    float *mix = g_new(float, count * GS_TIMELINE_CHANNELS);
    mix_block(voices, first, count, mix);
    float mix_peak = block_peak(mix, count * GS_TIMELINE_CHANNELS);
    finish_block(mix, count * GS_TIMELINE_CHANNELS, normalize_scale(flags, mix_peak));
    *stereo = mix;
    *frames = count;
    if (peak)
        *peak = mix_peak;
    return TRUE;
}

gboolean
gs_timeline_mix(GsTimeline *self, double start, double end, float **stereo, gsize *frames, GError **error)
{
    return gs_timeline_mix_full(self, start, end, GS_TIMELINE_MIX_NONE, stereo, frames, NULL, error);
}

gboolean
gs_timeline_export(GsTimeline *self, const char *path, GsTimelineMixFlags flags, const GsAudioTags *tags,
                   GsAudioProgressFunc progress, gpointer user_data, float *peak, GCancellable *cancellable,
                   GError **error)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), FALSE);
    g_return_val_if_fail(path != NULL, FALSE);
    gint64 end;
    g_autoptr(GArray) voices = plan_voices(self, &end, error);
    if (!voices)
        return FALSE;
    if (end == 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "The timeline is empty: nothing to export");
        return FALSE;
    }
    g_autoptr(GsAudioWriter) writer = gs_audio_writer_new(path, GS_TIMELINE_CHANNELS, GS_TIMELINE_RATE, tags, error);
    if (!writer)
        return FALSE;

    g_autofree float *block = g_new(float, BLOCK_FRAMES * GS_TIMELINE_CHANNELS);
    gboolean normalize = (flags & GS_TIMELINE_MIX_NORMALIZE) != 0;
    /* Normalising needs the peak before the first sample is written. */
    int passes = normalize ? 2 : 1;
    double work = (double)end * passes, done = 0;
    float mix_peak = 0;
    for (int pass = 0; pass < passes; pass++) {
        gboolean writing = pass == passes - 1;
        float scale = writing ? normalize_scale(flags, mix_peak) : 1.0f;
        for (gint64 first = 0; first < end; first += BLOCK_FRAMES) {
            gsize count = (gsize)MIN(BLOCK_FRAMES, end - first);
            if (g_cancellable_set_error_if_cancelled(cancellable, error))
                return FALSE;
            mix_block(voices, first, count, block);
            if (!writing || !normalize)
                mix_peak = MAX(mix_peak, block_peak(block, count * GS_TIMELINE_CHANNELS));
            if (writing) {
                finish_block(block, count * GS_TIMELINE_CHANNELS, scale);
                if (!gs_audio_writer_push(writer, block, count, error))
                    return FALSE;
            }
            done += (double)count;
            if (progress && done < work) /* 1.0 waits for the file to be in place */
                progress(done / work, user_data);
        }
    }
    if (!gs_audio_writer_finish(writer, error))
        return FALSE;
    if (peak)
        *peak = mix_peak;
    if (progress)
        progress(1.0, user_data);
    return TRUE;
}

gboolean
gs_timeline_play(GsTimeline *self, GsAudioPlayer *player, double from_seconds, GError **error)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), FALSE);
    g_return_val_if_fail(GS_IS_AUDIO_PLAYER(player), FALSE);
    double end = gs_timeline_get_duration(self);
    if (!isfinite(from_seconds) || from_seconds < 0 || to_frames(from_seconds) >= to_frames(end)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Nothing to play after %g s (the timeline ends at %g s)",
                    from_seconds, end);
        return FALSE;
    }
    g_autofree float *mix = NULL;
    gsize frames;
    return gs_timeline_mix(self, from_seconds, end, &mix, &frames, error) &&
           gs_audio_player_play(player, mix, frames, GS_TIMELINE_CHANNELS, GS_TIMELINE_RATE, error);
}
