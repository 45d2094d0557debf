/* The timeline model and its mixdown: edits and undo/redo restore the exact
 * state (compared as JSON), split, trim and move, mute/solo/gain/pan heard
 * in the mix, the JSON round trip, block-wise export to .wav and .ogg, and
 * playback on fakesink.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gstdio.h>
#include <math.h>

#include "gs-audio-mark.h"
#include "gs-mark-install.h"
#include "gs-timeline-mix.h"
#include "gs-timeline.h"

#define RATE GS_TIMELINE_RATE

/* A sine of `seconds` at `amplitude`, the same in both channels. */
static GBytes *
sine_new(double seconds, double freq, double amplitude)
{
    gsize frames = (gsize)llround(seconds * RATE);
    float *samples = g_new(float, frames * 2);
    for (gsize i = 0; i < frames; i++)
        samples[2 * i] = samples[2 * i + 1] = (float)(amplitude * sin(2.0 * G_PI * freq * (double)i / RATE));
    return g_bytes_new_take(samples, frames * 2 * sizeof(float));
}

/* Speech stand-in: syllable-like bursts of a 180 Hz buzz with harmonics. */
static GBytes *
speech_like_new(double seconds)
{
    gsize frames = (gsize)llround(seconds * RATE);
    float *samples = g_new(float, frames * 2);
    for (gsize i = 0; i < frames; i++) {
        double t = (double)i / RATE;
        double envelope = fmax(0.0, sin(2.0 * G_PI * 4.0 * t)); /* four syllables a second */
        double buzz = 0.5 * sin(2.0 * G_PI * 180.0 * t) + 0.25 * sin(2.0 * G_PI * 360.0 * t) +
                      0.12 * sin(2.0 * G_PI * 540.0 * t);
        samples[2 * i] = samples[2 * i + 1] = (float)(0.8 * envelope * buzz);
    }
    return g_bytes_new_take(samples, frames * 2 * sizeof(float));
}

/* Music stand-in: an A minor chord, a little wider on the right. */
static GBytes *
music_bed_new(double seconds)
{
    gsize frames = (gsize)llround(seconds * RATE);
    float *samples = g_new(float, frames * 2);
    for (gsize i = 0; i < frames; i++) {
        double t = (double)i / RATE;
        double a = sin(2.0 * G_PI * 220.0 * t), c = sin(2.0 * G_PI * 261.63 * t), e = sin(2.0 * G_PI * 329.63 * t);
        samples[2 * i] = (float)(0.2 * (a + c + e));
        samples[2 * i + 1] = (float)(0.2 * (a + c) + 0.25 * e);
    }
    return g_bytes_new_take(samples, frames * 2 * sizeof(float));
}

static char *
json_of(GsTimeline *timeline)
{
    g_autoptr(JsonNode) node = gs_timeline_to_json(timeline);
    return json_to_string(node, FALSE);
}

static float *
mix_all(GsTimeline *timeline, gsize *frames)
{
    g_autoptr(GError) error = NULL;
    float *mix = NULL;
    g_assert_true(gs_timeline_mix(timeline, 0, gs_timeline_get_duration(timeline), &mix, frames, &error));
    g_assert_no_error(error);
    return mix;
}

/* Largest magnitude of one channel over [from, to) frames. */
static float
channel_peak(const float *mix, gsize from, gsize to, int channel)
{
    float peak = 0;
    for (gsize i = from; i < to; i++)
        peak = MAX(peak, fabsf(mix[2 * i + channel]));
    return peak;
}

static void
count_changes(GsTimeline *timeline, int *changes)
{
    (*changes)++;
}

static void
test_undo_redo(void)
{
    g_autoptr(GsTimeline) timeline = gs_timeline_new();
    g_autoptr(GBytes) tone = sine_new(1.0, 440, 0.5);
    g_autoptr(GBytes) bed = music_bed_new(2.0);
    g_autoptr(GError) error = NULL;
    int changes = 0;
    g_signal_connect(timeline, "changed", G_CALLBACK(count_changes), &changes);
    g_assert_false(gs_timeline_can_undo(timeline));
    g_assert_false(gs_timeline_undo(timeline));

    g_autoptr(GPtrArray) states = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(states, json_of(timeline));
    guint voice = gs_timeline_add_track(timeline, "Voice");
    g_ptr_array_add(states, json_of(timeline));
    guint music = gs_timeline_add_track(timeline, "Music");
    g_ptr_array_add(states, json_of(timeline));
    guint take = gs_timeline_add_clip(timeline, voice, "take-1", "Hello", tone, 0.5, &error);
    g_assert_no_error(error);
    g_ptr_array_add(states, json_of(timeline));
    guint stem = gs_timeline_add_clip(timeline, music, "stem-piano", "Piano", bed, 0, &error);
    g_assert_no_error(error);
    g_ptr_array_add(states, json_of(timeline));
    g_assert_true(gs_timeline_set_track_gain(timeline, music, -12, &error));
    g_ptr_array_add(states, json_of(timeline));
    g_assert_true(gs_timeline_set_track_pan(timeline, voice, 0.25, &error));
    g_ptr_array_add(states, json_of(timeline));
    g_assert_true(gs_timeline_set_track_mute(timeline, music, TRUE, &error));
    g_ptr_array_add(states, json_of(timeline));
    g_assert_true(gs_timeline_set_track_solo(timeline, voice, TRUE, &error));
    g_ptr_array_add(states, json_of(timeline));
    g_assert_true(gs_timeline_set_track_name(timeline, voice, "Narrator", &error));
    g_ptr_array_add(states, json_of(timeline));
    g_assert_true(gs_timeline_move_clip(timeline, take, music, 1.25, &error));
    g_ptr_array_add(states, json_of(timeline));
    g_assert_true(gs_timeline_trim_clip(timeline, stem, 0.5, 1.5, &error));
    g_ptr_array_add(states, json_of(timeline));
    guint right = gs_timeline_split_clip(timeline, take, 1.5, &error);
    g_assert_cmpuint(right, !=, 0);
    g_ptr_array_add(states, json_of(timeline));
    g_assert_true(gs_timeline_delete_clip(timeline, stem, &error));
    g_ptr_array_add(states, json_of(timeline));
    g_assert_true(gs_timeline_delete_track(timeline, voice, &error));
    g_ptr_array_add(states, json_of(timeline));
    g_assert_no_error(error);
    guint edits = states->len - 1;
    g_assert_cmpint(changes, ==, (int)edits);

    /* Failed edits and edits that change nothing leave no step. */
    g_assert_false(gs_timeline_set_track_gain(timeline, music, 100, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);
    g_assert_false(gs_timeline_set_track_pan(timeline, voice, 0, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_clear_error(&error);
    g_assert_false(gs_timeline_split_clip(timeline, stem, 0.1, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND); /* deleted */
    g_clear_error(&error);
    g_assert_false(gs_timeline_split_clip(timeline, right, 0.1, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT); /* before it */
    g_clear_error(&error);
    g_assert_true(gs_timeline_set_track_mute(timeline, music, TRUE, &error));
    g_assert_cmpint(changes, ==, (int)edits);
    g_autofree char *unchanged = json_of(timeline);
    g_assert_cmpstr(unchanged, ==, g_ptr_array_index(states, edits));

    for (guint i = edits; i > 0; i--) {
        g_assert_true(gs_timeline_undo(timeline));
        g_autofree char *now = json_of(timeline);
        g_assert_cmpstr(now, ==, g_ptr_array_index(states, i - 1));
    }
    g_assert_false(gs_timeline_can_undo(timeline));
    g_assert_true(gs_timeline_can_redo(timeline));
    for (guint i = 1; i <= edits; i++) {
        g_assert_true(gs_timeline_redo(timeline));
        g_autofree char *now = json_of(timeline);
        g_assert_cmpstr(now, ==, g_ptr_array_index(states, i));
    }
    g_assert_false(gs_timeline_redo(timeline));
    g_assert_cmpint(changes, ==, (int)(3 * edits));

    /* A new edit after undo drops the redo steps. */
    g_assert_true(gs_timeline_undo(timeline));
    gs_timeline_add_track(timeline, "Effects");
    g_assert_false(gs_timeline_can_redo(timeline));
}

static void
test_split(void)
{
    g_autoptr(GsTimeline) timeline = gs_timeline_new();
    g_autoptr(GBytes) tone = sine_new(1.0, 440, 0.5);
    g_autoptr(GError) error = NULL;
    guint track = gs_timeline_add_track(timeline, "Voice");
    guint clip = gs_timeline_add_clip(timeline, track, "tone", "Tone", tone, 0.25, &error);
    g_assert_no_error(error);
    gsize whole_frames, split_frames;
    g_autofree float *whole = mix_all(timeline, &whole_frames);
    g_autofree char *before = json_of(timeline);

    g_assert_cmpuint(gs_timeline_split_clip(timeline, clip, 0.25, &error), ==, 0); /* at the start: not inside */
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);
    guint right = gs_timeline_split_clip(timeline, clip, 0.65, &error);
    g_assert_no_error(error);
    GsTimelineClip l, r;
    g_assert_true(gs_timeline_get_clip(timeline, clip, &l));
    g_assert_true(gs_timeline_get_clip(timeline, right, &r));
    g_assert_cmpfloat_with_epsilon(l.position, 0.25, 1e-9);
    g_assert_cmpfloat_with_epsilon(l.in, 0, 1e-9);
    g_assert_cmpfloat_with_epsilon(l.out, 0.4, 1e-9);
    g_assert_cmpfloat_with_epsilon(r.position, 0.65, 1e-9);
    g_assert_cmpfloat_with_epsilon(r.in, 0.4, 1e-9);
    g_assert_cmpfloat_with_epsilon(r.out, 1.0, 1e-9);
    g_assert_cmpstr(r.source_id, ==, "tone");
    g_assert_true(r.audio == tone);
    guint n;
    g_autofree guint *ids = gs_timeline_dup_clip_ids(timeline, track, &n);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmpuint(ids[0], ==, clip);
    g_assert_cmpuint(ids[1], ==, right);

    /* Cut but not moved, it sounds the same, sample for sample. */
    g_autofree float *split = mix_all(timeline, &split_frames);
    g_assert_cmpuint(split_frames, ==, whole_frames);
    g_assert_cmpmem(split, split_frames * 2 * sizeof(float), whole, whole_frames * 2 * sizeof(float));

    g_assert_true(gs_timeline_undo(timeline));
    g_autofree char *after_undo = json_of(timeline);
    g_assert_cmpstr(after_undo, ==, before);
    g_assert_false(gs_timeline_get_clip(timeline, right, &r));
    g_assert_true(gs_timeline_redo(timeline));
    g_assert_true(gs_timeline_get_clip(timeline, right, &r));
}

static void
test_trim_move(void)
{
    g_autoptr(GsTimeline) timeline = gs_timeline_new();
    g_autoptr(GBytes) tone = sine_new(2.0, 440, 0.5);
    g_autoptr(GError) error = NULL;
    guint a = gs_timeline_add_track(timeline, "A");
    guint b = gs_timeline_add_track(timeline, "B");
    guint clip = gs_timeline_add_clip(timeline, a, "tone", "Tone", tone, 1.0, &error);
    g_assert_no_error(error);
    g_assert_cmpfloat_with_epsilon(gs_timeline_get_duration(timeline), 3.0, 1e-9);

    /* Dragging the left edge in by 0.5 s keeps the audio where it was. */
    g_assert_true(gs_timeline_trim_clip(timeline, clip, 0.5, 1.5, &error));
    GsTimelineClip info;
    g_assert_true(gs_timeline_get_clip(timeline, clip, &info));
    g_assert_cmpfloat_with_epsilon(info.position, 1.5, 1e-9);
    g_assert_cmpfloat_with_epsilon(gs_timeline_get_duration(timeline), 2.5, 1e-9);
    g_assert_false(gs_timeline_trim_clip(timeline, clip, 0.5, 2.5, &error)); /* past the source */
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);
    g_assert_false(gs_timeline_trim_clip(timeline, clip, 1.0, 1.0, &error)); /* empty */
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);

    g_assert_true(gs_timeline_move_clip(timeline, clip, b, 0.0, &error));
    g_assert_true(gs_timeline_get_clip(timeline, clip, &info));
    g_assert_cmpuint(info.track, ==, b);
    guint n;
    g_autofree guint *on_a = gs_timeline_dup_clip_ids(timeline, a, &n);
    g_assert_cmpuint(n, ==, 0);
    /* Starting at 0 after the trim, its in point cannot go back to 0. */
    g_assert_false(gs_timeline_trim_clip(timeline, clip, 0.0, 1.5, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);
    g_assert_false(gs_timeline_move_clip(timeline, clip, b, -1.0, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);

    /* A source id stands for one piece of audio. */
    g_autoptr(GBytes) other = sine_new(2.0, 880, 0.5);
    g_assert_cmpuint(gs_timeline_add_clip(timeline, a, "tone", "Tone", other, 0, &error), ==, 0);
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS);
    g_clear_error(&error);
    g_autoptr(GBytes) same = g_bytes_new(g_bytes_get_data(tone, NULL), g_bytes_get_size(tone));
    g_assert_cmpuint(gs_timeline_add_clip(timeline, a, "tone", "Tone", same, 0, &error), !=, 0);
    g_assert_no_error(error);
}

static void
test_mix(void)
{
    g_autoptr(GsTimeline) timeline = gs_timeline_new();
    g_autoptr(GBytes) tone = sine_new(1.0, 440, 0.5);
    g_autoptr(GBytes) low = sine_new(1.0, 110, 0.25);
    g_autoptr(GError) error = NULL;
    guint voice = gs_timeline_add_track(timeline, "Voice");
    guint music = gs_timeline_add_track(timeline, "Music");
    gs_timeline_add_clip(timeline, voice, "tone", "Tone", tone, 0, &error);
    g_assert_no_error(error);
    gsize frames;

    /* One track at unity and centre passes its samples unchanged. */
    g_autofree float *alone = mix_all(timeline, &frames);
    g_assert_cmpuint(frames, ==, RATE);
    g_assert_cmpmem(alone, frames * 2 * sizeof(float), g_bytes_get_data(tone, NULL), g_bytes_get_size(tone));

    /* −6 dB is half the amplitude (0.501). */
    g_assert_true(gs_timeline_set_track_gain(timeline, voice, -6, &error));
    g_autofree float *quieter = mix_all(timeline, &frames);
    g_assert_cmpfloat_with_epsilon(channel_peak(quieter, 0, frames, 0), 0.5 * 0.5012, 1e-3);
    g_assert_cmpfloat_with_epsilon(channel_peak(quieter, 0, frames, 1), 0.5 * 0.5012, 1e-3);
    g_assert_true(gs_timeline_set_track_gain(timeline, voice, 0, &error));

    /* Pan −1: all of it on the left, at the same power (√2 × 0.5). */
    g_assert_true(gs_timeline_set_track_pan(timeline, voice, -1, &error));
    g_autofree float *left = mix_all(timeline, &frames);
    g_assert_cmpfloat_with_epsilon(channel_peak(left, 0, frames, 0), 0.5 * G_SQRT2, 1e-3);
    g_assert_cmpfloat(channel_peak(left, 0, frames, 1), ==, 0);
    g_assert_true(gs_timeline_set_track_pan(timeline, voice, 0, &error));

    /* Solo silences the other tracks; mute silences its own. */
    gs_timeline_add_clip(timeline, music, "low", "Low", low, 0.5, &error);
    g_assert_no_error(error);
    g_autofree float *both = mix_all(timeline, &frames);
    g_assert_cmpfloat(channel_peak(both, RATE / 2, frames, 0), >, 0.6);
    g_assert_true(gs_timeline_set_track_solo(timeline, voice, TRUE, &error));
    g_autofree float *solo = mix_all(timeline, &frames);
    g_assert_cmpmem(solo, RATE * 2 * sizeof(float), g_bytes_get_data(tone, NULL), g_bytes_get_size(tone));
    g_assert_cmpfloat(channel_peak(solo, RATE, frames, 0), ==, 0);
    g_assert_true(gs_timeline_set_track_solo(timeline, voice, FALSE, &error));
    g_assert_true(gs_timeline_set_track_mute(timeline, voice, TRUE, &error));
    g_autofree float *muted = mix_all(timeline, &frames);
    g_assert_cmpuint(frames, ==, RATE + RATE / 2); /* muting does not shorten it */
    g_assert_cmpfloat(channel_peak(muted, 0, RATE / 2, 0), ==, 0);
    g_assert_cmpfloat_with_epsilon(channel_peak(muted, RATE / 2, frames, 0), 0.25, 1e-3);
    g_assert_true(gs_timeline_set_track_mute(timeline, voice, FALSE, &error));

    /* Too loud: clamped, with the peak reported; normalised when asked. */
    g_assert_true(gs_timeline_set_track_gain(timeline, voice, 12, &error));
    g_autofree float *loud = NULL;
    float peak;
    g_assert_true(gs_timeline_mix_full(timeline, 0, 1.5, GS_TIMELINE_MIX_NONE, &loud, &frames, &peak, &error));
    g_assert_cmpfloat(peak, >, 1.9);
    g_assert_cmpfloat(channel_peak(loud, 0, frames, 0), ==, 1.0f);
    g_autofree float *normal = NULL;
    g_assert_true(gs_timeline_mix_full(timeline, 0, 1.5, GS_TIMELINE_MIX_NORMALIZE, &normal, &frames, &peak, &error));
    g_assert_cmpfloat_with_epsilon(channel_peak(normal, 0, frames, 0), GS_TIMELINE_NORMALIZE_PEAK, 1e-5);

    /* A window of the mix is that part of the whole. */
    g_autofree float *window = NULL;
    g_assert_true(gs_timeline_mix(timeline, 0.25, 0.75, &window, &frames, &error));
    g_assert_cmpuint(frames, ==, RATE / 2);
    g_assert_cmpmem(window, frames * 2 * sizeof(float), loud + 2 * (RATE / 4), frames * 2 * sizeof(float));
    g_assert_no_error(error);
}

static GsTimeline *
voice_over_bed_new(GBytes *speech, GBytes *bed)
{
    GsTimeline *timeline = gs_timeline_new();
    g_autoptr(GError) error = NULL;
    guint voice = gs_timeline_add_track(timeline, "Voice");
    guint music = gs_timeline_add_track(timeline, "Music");
    gs_timeline_add_clip(timeline, music, "stem-bed", "Music bed", bed, 0, &error);
    g_assert_no_error(error);
    gs_timeline_add_clip(timeline, voice, "take-1", "Hello from GenStudio.", speech, 0.5, &error);
    g_assert_no_error(error);
    g_assert_true(gs_timeline_set_track_gain(timeline, music, -12, &error));
    g_assert_no_error(error);
    return timeline;
}

/* A song's sections arrive as markers in one undo step, in time order. */
static void
test_markers(void)
{
    g_autoptr(GsTimeline) timeline = gs_timeline_new();
    g_autoptr(GError) error = NULL;
    const GsTimelineMarker song[] = { { 8.0, "chorus" }, { 0.0, "intro" }, { 4.0, "verse" } };
    g_assert_true(gs_timeline_add_markers(timeline, song, G_N_ELEMENTS(song), &error));
    g_assert_no_error(error);
    const char *order[] = { "intro", "verse", "chorus" };
    for (guint i = 0; i < G_N_ELEMENTS(order); i++) {
        GsTimelineMarker m;
        g_assert_true(gs_timeline_get_marker(timeline, i, &m));
        g_assert_cmpstr(m.name, ==, order[i]);
    }
    GsTimelineMarker none;
    g_assert_false(gs_timeline_get_marker(timeline, 3, &none));
    g_assert_true(gs_timeline_delete_marker(timeline, 1, &error));
    g_assert_cmpuint(gs_timeline_get_n_markers(timeline), ==, 2);
    g_assert_false(gs_timeline_delete_marker(timeline, 7, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_clear_error(&error);
    g_assert_true(gs_timeline_undo(timeline));
    g_assert_cmpuint(gs_timeline_get_n_markers(timeline), ==, 3);
    g_assert_true(gs_timeline_undo(timeline));
    g_assert_cmpuint(gs_timeline_get_n_markers(timeline), ==, 0);

    const GsTimelineMarker bad = { -1.0, "before the start" };
    g_assert_false(gs_timeline_add_markers(timeline, &bad, 1, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);
    g_assert_false(gs_timeline_can_undo(timeline));
}

static void
test_json(void)
{
    g_autoptr(GBytes) speech = speech_like_new(1.0);
    g_autoptr(GBytes) bed = music_bed_new(2.0);
    g_autoptr(GsTimeline) timeline = voice_over_bed_new(speech, bed);
    g_autoptr(GError) error = NULL;
    guint n;
    g_autofree guint *tracks = gs_timeline_dup_track_ids(timeline, &n);
    g_autofree guint *clips = gs_timeline_dup_clip_ids(timeline, tracks[0], NULL);
    guint right = gs_timeline_split_clip(timeline, clips[0], 1.0, &error);
    g_assert_no_error(error);
    g_assert_true(gs_timeline_move_clip(timeline, right, tracks[0], 1.7, &error));
    g_assert_true(gs_timeline_set_track_pan(timeline, tracks[0], -0.3, &error));
    const GsTimelineMarker sections[] = { { 1.5, "chorus" }, { 0.0, "intro" } };
    g_assert_true(gs_timeline_add_markers(timeline, sections, G_N_ELEMENTS(sections), &error));
    g_autofree char *text = json_of(timeline);

    g_autoptr(JsonNode) node = json_from_string(text, &error);
    g_assert_no_error(error);
    g_autoptr(GsTimeline) loaded = gs_timeline_new_from_json(node, &error);
    g_assert_no_error(error);
    g_autofree char *again = json_of(loaded);
    g_assert_cmpstr(again, ==, text);
    g_assert_false(gs_timeline_can_undo(loaded));
    GsTimelineMarker marker;
    g_assert_cmpuint(gs_timeline_get_n_markers(loaded), ==, 2);
    g_assert_true(gs_timeline_get_marker(loaded, 1, &marker));
    g_assert_cmpstr(marker.name, ==, "chorus");
    g_assert_cmpfloat_with_epsilon(marker.time, 1.5, 1e-9);

    /* Without its audio it cannot mix; with it, it mixes as the original. */
    g_auto(GStrv) ids = gs_timeline_dup_source_ids(loaded);
    g_assert_cmpuint(g_strv_length(ids), ==, 2);
    g_assert_cmpstr(ids[0], ==, "stem-bed");
    g_assert_cmpstr(ids[1], ==, "take-1");
    g_autofree float *mix = NULL;
    gsize frames;
    g_assert_false(gs_timeline_mix(loaded, 0, 1, &mix, &frames, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_clear_error(&error);
    g_assert_false(gs_timeline_set_source_audio(loaded, "take-1", bed, &error)); /* wrong length */
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_clear_error(&error);
    g_assert_true(gs_timeline_set_source_audio(loaded, "take-1", speech, &error));
    g_assert_true(gs_timeline_set_source_audio(loaded, "stem-bed", bed, &error));
    g_assert_no_error(error);
    gsize original_frames, loaded_frames;
    g_autofree float *original_mix = mix_all(timeline, &original_frames);
    g_autofree float *loaded_mix = mix_all(loaded, &loaded_frames);
    g_assert_cmpmem(loaded_mix, loaded_frames * 8, original_mix, original_frames * 8);

    /* The copy for a worker thread is the same timeline. */
    g_autoptr(GsTimeline) copy = gs_timeline_copy(timeline);
    g_autofree char *copied = json_of(copy);
    g_assert_cmpstr(copied, ==, text);

    const char *bad[] = {
        "[]",
        "{\"version\": 2}",
        "{\"version\": 1, \"rate\": 48000, \"next-id\": 1, \"sources\": [], \"tracks\": []}",
        "{\"version\": 1, \"rate\": 44100, \"next-id\": 5, \"sources\": [], \"tracks\": [{\"id\": 1, \"name\": \"A\","
        " \"mute\": false, \"solo\": false, \"gain-db\": 0, \"pan\": 0, \"clips\": [{\"id\": 2, \"source\": \"x\","
        " \"position\": 0, \"in\": 0, \"out\": 10}]}]}",
        "{\"version\": 1, \"rate\": 44100, \"next-id\": 5, \"sources\": [{\"id\": \"x\", \"label\": \"\", \"frames\": 5}],"
        " \"tracks\": [{\"id\": 1, \"name\": \"A\", \"mute\": false, \"solo\": false, \"gain-db\": 0, \"pan\": 0,"
        " \"clips\": [{\"id\": 2, \"source\": \"x\", \"position\": 0, \"in\": 0, \"out\": 10}]}]}",
        "{\"version\": 1, \"rate\": 44100, \"next-id\": 5, \"sources\": [], \"tracks\": [{\"id\": 1, \"name\": \"A\","
        " \"mute\": false, \"solo\": false, \"gain-db\": 0, \"pan\": 3, \"clips\": []}]}",
        "{\"version\": 1, \"rate\": 44100, \"next-id\": 1, \"sources\": [], \"tracks\": [{\"id\": 1, \"name\": \"A\","
        " \"mute\": false, \"solo\": false, \"gain-db\": 0, \"pan\": 0, \"clips\": []}]}",
        "{\"version\": 1, \"rate\": 44100, \"next-id\": 1, \"sources\": [], \"tracks\": [], \"markers\": 3}",
        "{\"version\": 1, \"rate\": 44100, \"next-id\": 1, \"sources\": [], \"tracks\": [],"
        " \"markers\": [{\"name\": \"verse\", \"position\": -1}]}",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(JsonNode) bad_node = json_from_string(bad[i], NULL);
        g_assert_nonnull(bad_node);
        g_autoptr(GsTimeline) none = gs_timeline_new_from_json(bad_node, &error);
        g_assert_null(none);
        g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
        g_clear_error(&error);
    }
}

static void
on_progress(double fraction, gpointer user_data)
{
    double *last = user_data;
    g_assert_cmpfloat(fraction, >=, *last);
    g_assert_cmpfloat(fraction, <=, 1.0);
    *last = fraction;
}

static void
test_export(void)
{
    g_autoptr(GBytes) speech = speech_like_new(2.0);
    g_autoptr(GBytes) bed = music_bed_new(3.0);
    g_autoptr(GsTimeline) timeline = voice_over_bed_new(speech, bed);
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("gs-timeline-XXXXXX", &error);
    g_assert_no_error(error);
    GsAudioTags tags = {.title = "Voice over music"};

    /* .wav is 16-bit PCM: the block-wise export is the offline mix. */
    g_autofree char *wav = g_build_filename(dir, "mix.wav", NULL);
    double last = 0;
    float peak = 0;
    g_assert_true(gs_timeline_export(timeline, wav, GS_TIMELINE_MIX_NONE, &tags, on_progress, &last, &peak, NULL,
                                     &error));
    g_assert_no_error(error);
    g_assert_cmpfloat(last, ==, 1.0);
    g_assert_cmpfloat(peak, >, 0.3);
    g_assert_cmpfloat(peak, <, 1.0);
    gsize frames, mix_frames;
    g_autofree float *decoded = NULL;
    g_assert_true(gs_audio_decode(wav, 2, RATE, &decoded, &frames, &error));
    g_assert_no_error(error);
    g_autofree float *mix = mix_all(timeline, &mix_frames);
    GsMarkPayload payload = gs_mark_payload_for("GenStudio"); /* every export carries it */
    GsAudioMarker *marker = gs_audio_marker_new(RATE, 2, &payload);
    gs_audio_marker_apply(marker, mix, mix_frames);
    gs_audio_marker_free(marker);
    g_assert_cmpuint(frames, ==, 3 * RATE);
    g_assert_cmpuint(mix_frames, ==, frames);
    for (gsize i = 0; i < 2 * frames; i++)
        g_assert_cmpfloat_with_epsilon(decoded[i], mix[i], 1.0 / 16384);

    /* The must-show: a speech take over a music bed, to Ogg Vorbis, decodes
     * back to the right length (3 s, the bed's). */
    g_autofree char *ogg = g_build_filename(dir, "mix.ogg", NULL);
    last = 0;
    g_assert_true(gs_timeline_export(timeline, ogg, GS_TIMELINE_MIX_NORMALIZE, &tags, on_progress, &last, NULL, NULL,
                                     &error));
    g_assert_no_error(error);
    g_assert_cmpfloat(last, ==, 1.0);
    g_autofree float *vorbis = NULL;
    g_assert_true(gs_audio_decode(ogg, 2, RATE, &vorbis, &frames, &error));
    g_assert_no_error(error);
    g_assert_cmpint((gssize)frames, >=, 3 * RATE - RATE / 100);
    g_assert_cmpint((gssize)frames, <=, 3 * RATE + RATE / 100);
    /* Normalised to −1 dBFS, give or take the codec. */
    float ogg_peak = MAX(channel_peak(vorbis, 0, frames, 0), channel_peak(vorbis, 0, frames, 1));
    g_assert_cmpfloat_with_epsilon(ogg_peak, GS_TIMELINE_NORMALIZE_PEAK, 0.05);
    /* The voice is there from 0.5 s: louder than the bed alone. */
    g_assert_cmpfloat(channel_peak(vorbis, RATE / 2, 2 * RATE, 0), >, 2 * channel_peak(vorbis, 0, RATE / 2, 0));

    /* Cancelled: nothing is left, an existing file is untouched. */
    g_autoptr(GCancellable) cancellable = g_cancellable_new();
    g_cancellable_cancel(cancellable);
    g_assert_false(gs_timeline_export(timeline, wav, GS_TIMELINE_MIX_NONE, NULL, NULL, NULL, NULL, cancellable,
                                      &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error(&error);
    g_autoptr(GDir) listing = g_dir_open(dir, 0, &error);
    int entries = 0;
    while (g_dir_read_name(listing))
        entries++;
    g_assert_cmpint(entries, ==, 2);

    g_autoptr(GsTimeline) empty = gs_timeline_new();
    g_autofree char *nothing = g_build_filename(dir, "empty.ogg", NULL);
    g_assert_false(gs_timeline_export(empty, nothing, GS_TIMELINE_MIX_NONE, NULL, NULL, NULL, NULL, NULL, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_assert_false(g_file_test(nothing, G_FILE_TEST_EXISTS));

    g_unlink(wav);
    g_unlink(ogg);
    g_rmdir(dir);
}

/* A real take when one is at hand (GS_TIMELINE_SPEECH=hello.wav, made with
 * `genstudio-cli speak`): decoded to the timeline's format, over a bed. */
static void
test_speech_take(void)
{
    const char *path = g_getenv("GS_TIMELINE_SPEECH");
    if (!path || !g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        g_test_skip("set GS_TIMELINE_SPEECH to a WAV from genstudio-cli speak");
        return;
    }
    g_autoptr(GError) error = NULL;
    float *samples;
    gsize frames;
    g_assert_true(gs_audio_decode(path, 2, RATE, &samples, &frames, &error));
    g_assert_no_error(error);
    g_autoptr(GBytes) speech = g_bytes_new_take(samples, frames * 2 * sizeof(float));
    double seconds = (double)frames / RATE;
    g_autoptr(GBytes) bed = music_bed_new(seconds + 1.0);
    g_autoptr(GsTimeline) timeline = voice_over_bed_new(speech, bed);
    g_autofree char *dir = g_dir_make_tmp("gs-timeline-XXXXXX", &error);
    g_autofree char *ogg = g_build_filename(dir, "speech-over-bed.ogg", NULL);
    g_assert_true(gs_timeline_export(timeline, ogg, GS_TIMELINE_MIX_NONE, NULL, NULL, NULL, NULL, NULL, &error));
    g_assert_no_error(error);
    g_autofree float *decoded = NULL;
    g_assert_true(gs_audio_decode(ogg, 2, RATE, &decoded, &frames, &error));
    g_assert_no_error(error);
    g_assert_cmpfloat_with_epsilon((double)frames / RATE, seconds + 1.0 /* the bed's */, 0.01);
    g_unlink(ogg);
    g_rmdir(dir);
}

static void
quit_loop(gpointer user_data)
{
    g_main_loop_quit(user_data);
}

static void
on_play_error(GsAudioPlayer *player, GError *error, gpointer user_data)
{
    g_error("playback failed: %s", error->message);
}

static gboolean
on_timeout(gpointer user_data)
{
    g_error("playback did not finish");
    return G_SOURCE_REMOVE;
}

static void
test_play(void)
{
    g_autoptr(GBytes) tone = sine_new(0.6, 440, 0.5);
    g_autoptr(GsTimeline) timeline = gs_timeline_new();
    g_autoptr(GError) error = NULL;
    guint track = gs_timeline_add_track(timeline, "Voice");
    gs_timeline_add_clip(timeline, track, "tone", "Tone", tone, 0, &error);
    g_autoptr(GsAudioPlayer) player = gs_audio_player_new();
    g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
    g_signal_connect_swapped(player, "finished", G_CALLBACK(quit_loop), loop);
    g_signal_connect(player, "error", G_CALLBACK(on_play_error), NULL);

    g_assert_false(gs_timeline_play(timeline, player, 0.6, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);
    gint64 started = g_get_monotonic_time();
    g_assert_true(gs_timeline_play(timeline, player, 0.3, &error));
    g_assert_no_error(error);
    guint timeout = g_timeout_add_seconds(10, on_timeout, NULL);
    g_main_loop_run(loop);
    g_source_remove(timeout);
    /* Real time: the last 0.3 s, not the whole 0.6 s, nor nothing. */
    double elapsed = (double)(g_get_monotonic_time() - started) / G_USEC_PER_SEC;
    g_assert_cmpfloat(elapsed, >, 0.2);
    g_assert_cmpfloat(elapsed, <, 0.55);
}

int
main(int argc, char **argv)
{
    /* Before any thread starts: setenv is not thread-safe. */
    g_setenv("GS_AUDIO_SINK", "fakesink", TRUE);
    g_setenv("GENSTUDIO_INSTALL_ID", "5eed1d", TRUE);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/timeline/undo-redo", test_undo_redo);
    g_test_add_func("/timeline/split", test_split);
    g_test_add_func("/timeline/trim-move", test_trim_move);
    g_test_add_func("/timeline/mix", test_mix);
    g_test_add_func("/timeline/markers", test_markers);
    g_test_add_func("/timeline/json", test_json);
    g_test_add_func("/timeline/export", test_export);
    g_test_add_func("/timeline/speech-take", test_speech_take);
    g_test_add_func("/timeline/play", test_play);
    return g_test_run();
}
