/* The audio timeline: tracks (name, mute, solo, gain, pan) holding clips
 * that place a stretch of source audio at a time. Every edit is undoable.
 * Free of GTK and GStreamer: the mixdown is in gs-timeline-mix.h.
 *
 * Sources are interleaved stereo floats at GS_TIMELINE_RATE (a speech take
 * resampled, a music stem, a decoded file), named by an id string that the
 * caller maps to its files: the JSON form keeps the ids, not the audio.
 * Times are seconds in the API and whole frames inside, so edits and the
 * JSON form are exact.
 *
 * Tracks and clips are named by ids (never 0) that stay valid across undo.
 * Clips on a track may overlap; they add up.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define GS_TIMELINE_RATE 44100
#define GS_TIMELINE_CHANNELS 2
#define GS_TIMELINE_MIN_GAIN_DB (-96.0)
#define GS_TIMELINE_MAX_GAIN_DB 24.0

typedef struct {
    guint id;
    const char *name;
    gboolean mute;
    gboolean solo;
    double gain_db;
    double pan; /* −1 (left) … 1 (right) */
} GsTimelineTrack;

typedef struct {
    guint id;
    guint track;
    const char *source_id;
    const char *label;
    GBytes *audio; /* NULL until attached, after gs_timeline_new_from_json */
    double position; /* where `in` plays on the timeline */
    double in, out;  /* the stretch of the source, in its own seconds */
} GsTimelineClip;

/* A named point in time, such as a song's section ("chorus"). */
typedef struct {
    double time; /* seconds from the timeline's start */
    const char *name;
} GsTimelineMarker;

#define GS_TYPE_TIMELINE (gs_timeline_get_type())
G_DECLARE_FINAL_TYPE(GsTimeline, gs_timeline, GS, TIMELINE, GObject)

/* Signal "changed": after every edit, undo and redo. */
GsTimeline *gs_timeline_new(void);
/* The current state, without the undo history, sharing the source audio:
 * something to mix in a worker thread while the original is edited. */
GsTimeline *gs_timeline_copy(GsTimeline *self);

/* Errors: an unknown id is G_IO_ERROR_NOT_FOUND, a value out of range
 * G_IO_ERROR_INVALID_ARGUMENT. A failed edit changes nothing; an edit that
 * changes nothing leaves no undo step. */
guint gs_timeline_add_track(GsTimeline *self, const char *name);
/* Deletes the track and its clips. */
gboolean gs_timeline_delete_track(GsTimeline *self, guint track, GError **error);
gboolean gs_timeline_set_track_name(GsTimeline *self, guint track, const char *name, GError **error);
gboolean gs_timeline_set_track_mute(GsTimeline *self, guint track, gboolean mute, GError **error);
/* While any track is solo, only the solo tracks are heard. */
gboolean gs_timeline_set_track_solo(GsTimeline *self, guint track, gboolean solo, GError **error);
gboolean gs_timeline_set_track_gain(GsTimeline *self, guint track, double gain_db, GError **error);
gboolean gs_timeline_set_track_pan(GsTimeline *self, guint track, double pan, GError **error);

/* Places the whole of `audio` (interleaved stereo floats, kept, not copied)
 * at `position` seconds; returns the clip's id, 0 on error. Clips may share
 * a source: an id already in the timeline must come with the same samples
 * (G_IO_ERROR_EXISTS otherwise). */
guint gs_timeline_add_clip(GsTimeline *self, guint track, const char *source_id, const char *label, GBytes *audio,
                           double position, GError **error);
gboolean gs_timeline_move_clip(GsTimeline *self, guint clip, guint track, double position, GError **error);
/* Sets the stretch of the source the clip plays, 0 ≤ in < out ≤ its length.
 * The audio stays where it was on the timeline: moving `in` moves the
 * clip's start with it (dragging its left edge), which must stay ≥ 0. */
gboolean gs_timeline_trim_clip(GsTimeline *self, guint clip, double in, double out, GError **error);
/* Cuts the clip at `time` (timeline seconds, strictly inside it): the clip
 * keeps the left part; returns the id of the new right part, 0 on error. */
guint gs_timeline_split_clip(GsTimeline *self, guint clip, double time, GError **error);
gboolean gs_timeline_delete_clip(GsTimeline *self, guint clip, GError **error);

/* Markers, kept in time order; all of them in one undo step. At most
 * 10000 (G_IO_ERROR_INVALID_ARGUMENT beyond). */
gboolean gs_timeline_add_markers(GsTimeline *self, const GsTimelineMarker *markers, guint n_markers,
                                 GError **error);
guint gs_timeline_get_n_markers(GsTimeline *self);
/* The index-th marker in time order; its name lives until the next edit. */
gboolean gs_timeline_get_marker(GsTimeline *self, guint index, GsTimelineMarker *out);
gboolean gs_timeline_delete_marker(GsTimeline *self, guint index, GError **error);

gboolean gs_timeline_can_undo(GsTimeline *self);
gboolean gs_timeline_can_redo(GsTimeline *self);
/* FALSE when there is nothing to undo (redo). */
gboolean gs_timeline_undo(GsTimeline *self);
gboolean gs_timeline_redo(GsTimeline *self);

/* Reading. What the returned structs point to lasts until the next edit,
 * undo or redo. Tracks come in the order they were added, clips in order
 * of position. */
guint *gs_timeline_dup_track_ids(GsTimeline *self, guint *n_tracks);
gboolean gs_timeline_get_track(GsTimeline *self, guint track, GsTimelineTrack *out);
guint *gs_timeline_dup_clip_ids(GsTimeline *self, guint track, guint *n_clips);
gboolean gs_timeline_get_clip(GsTimeline *self, guint clip, GsTimelineClip *out);
/* The end of the last clip, in seconds; 0 when there are none. */
double gs_timeline_get_duration(GsTimeline *self);

/* The JSON form: ids, names, settings and frame counts, not audio. A
 * project file can store the node as it is. */
JsonNode *gs_timeline_to_json(GsTimeline *self);
/* G_IO_ERROR_INVALID_DATA for anything malformed. The sources have no audio
 * until attached with gs_timeline_set_source_audio; the history is empty. */
GsTimeline *gs_timeline_new_from_json(JsonNode *node, GError **error);
/* The ids of the sources the clips use, sorted; NULL-terminated. */
char **gs_timeline_dup_source_ids(GsTimeline *self);
/* Attaches (or replaces) a source's audio, which must have the length the
 * timeline knows (G_IO_ERROR_INVALID_DATA otherwise). Not an edit: no undo
 * step, no "changed". */
gboolean gs_timeline_set_source_audio(GsTimeline *self, const char *source_id, GBytes *audio, GError **error);

G_END_DECLS
