/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "gs-timeline.h"

#define TIMELINE_JSON_VERSION 1
/* A bound on times, so frame counts stay far inside gint64 and doubles. */
#define MAX_SECONDS (1e6)
#define MAX_MARKERS 10000

/* Shared by every snapshot and copy that uses it; atomic, because a copy
 * may be mixed and freed in a worker thread. */
typedef struct {
    char *id;
    char *label;
    gint64 frames;
    GBytes *audio;
} Source;

typedef struct {
    guint id;
    Source *source;
    gint64 position, in, out; /* frames */
} Clip;

typedef struct {
    guint id;
    char *name;
    gboolean mute, solo;
    double gain_db, pan;
    GPtrArray *clips; /* of Clip, by position */
} Track;

/* One undo step is one whole State: they are small (no audio), and a
 * snapshot cannot go wrong the way an inverse command can. */
typedef struct {
    gint64 position; /* frames */
    char *name;
} Marker;

typedef struct {
    GPtrArray *tracks;
    GArray *markers; /* of Marker, by position */
    guint next_id;
} State;

struct _GsTimeline {
    GObject parent_instance;
    State *state;
    GPtrArray *undo, *redo; /* of State, the most recent last */
    GHashTable *sources;    /* id → Source, every one the history uses */
};

G_DEFINE_FINAL_TYPE(GsTimeline, gs_timeline, G_TYPE_OBJECT)

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
source_clear(gpointer data)
{
    Source *source = data;
    g_free(source->id);
    g_free(source->label);
    g_clear_pointer(&source->audio, g_bytes_unref);
}

static Source *
source_ref(Source *source)
{
    return g_atomic_rc_box_acquire(source);
}

static void
source_unref(gpointer source)
{
    g_atomic_rc_box_release_full(source, source_clear);
}

static void
clip_free(gpointer data)
{
    Clip *clip = data;
    source_unref(clip->source);
    g_free(clip);
}

static Clip *
clip_copy(const Clip *clip)
{
    Clip *copy = g_memdup2(clip, sizeof *clip);
    source_ref(copy->source);
    return copy;
}

static void
track_free(gpointer data)
{
    Track *track = data;
    g_free(track->name);
    g_ptr_array_unref(track->clips);
    g_free(track);
}

static Track *
track_new(guint id, const char *name)
{
    Track *track = g_new0(Track, 1);
    track->id = id;
    track->name = g_strdup(name ? name : "");
    track->clips = g_ptr_array_new_with_free_func(clip_free);
    return track;
}

static void
marker_clear(gpointer data)
{
    g_free(((Marker *)data)->name);
}

static void
state_free(gpointer data)
{
    State *state = data;
    g_ptr_array_unref(state->tracks);
    g_array_unref(state->markers);
    g_free(state);
}

static State *
state_new(void)
{
    State *state = g_new0(State, 1);
    state->tracks = g_ptr_array_new_with_free_func(track_free);
    state->markers = g_array_new(FALSE, FALSE, sizeof(Marker));
    g_array_set_clear_func(state->markers, marker_clear);
    state->next_id = 1;
    return state;
}

static State *
state_copy(const State *state)
{
    State *copy = state_new();
    copy->next_id = state->next_id;
    for (guint t = 0; t < state->tracks->len; t++) {
        const Track *track = g_ptr_array_index(state->tracks, t);
        Track *dup = track_new(track->id, track->name);
        dup->mute = track->mute;
        dup->solo = track->solo;
        dup->gain_db = track->gain_db;
        dup->pan = track->pan;
        for (guint c = 0; c < track->clips->len; c++)
            g_ptr_array_add(dup->clips, clip_copy(g_ptr_array_index(track->clips, c)));
        g_ptr_array_add(copy->tracks, dup);
    }
    for (guint m = 0; m < state->markers->len; m++) {
        const Marker *marker = &g_array_index(state->markers, Marker, m);
        Marker dup = { marker->position, g_strdup(marker->name) };
        g_array_append_val(copy->markers, dup);
    }
    return copy;
}

static Track *
find_track(const State *state, guint id)
{
    for (guint t = 0; t < state->tracks->len; t++) {
        Track *track = g_ptr_array_index(state->tracks, t);
        if (track->id == id)
            return track;
    }
    return NULL;
}

static Clip *
find_clip(const State *state, guint id, Track **owner)
{
    for (guint t = 0; t < state->tracks->len; t++) {
        Track *track = g_ptr_array_index(state->tracks, t);
        for (guint c = 0; c < track->clips->len; c++) {
            Clip *clip = g_ptr_array_index(track->clips, c);
            if (clip->id == id) {
                if (owner)
                    *owner = track;
                return clip;
            }
        }
    }
    return NULL;
}

static Track *
lookup_track(const State *state, guint id, GError **error)
{
    Track *track = find_track(state, id);
    if (!track)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No track %u in the timeline", id);
    return track;
}

static Clip *
lookup_clip(const State *state, guint id, Track **owner, GError **error)
{
    Clip *clip = find_clip(state, id, owner);
    if (!clip)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No clip %u in the timeline", id);
    return clip;
}

static int
compare_clips(gconstpointer a, gconstpointer b)
{
    const Clip *x = *(const Clip *const *)a, *y = *(const Clip *const *)b;
    if (x->position != y->position)
        return x->position < y->position ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static gboolean
seconds_to_frames(double seconds, const char *what, gint64 *frames, GError **error)
{
    if (!isfinite(seconds) || seconds < 0 || seconds > MAX_SECONDS) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s of %g s is out of range", what, seconds);
        return FALSE;
    }
    *frames = (gint64)llround(seconds * GS_TIMELINE_RATE);
    return TRUE;
}

static double
frames_to_seconds(gint64 frames)
{
    return (double)frames / GS_TIMELINE_RATE;
}

static gint64
audio_frames(GBytes *audio)
{
    return (gint64)(g_bytes_get_size(audio) / (GS_TIMELINE_CHANNELS * sizeof(float)));
}

/* The state every edit works on is a copy of the current one; it becomes
 * current, or is dropped when the edit fails. */
static State *
begin_edit(GsTimeline *self)
{
    return state_copy(self->state);
}

static void
commit_edit(GsTimeline *self, State *next)
{
    g_ptr_array_add(self->undo, self->state);
    self->state = next;
    g_ptr_array_set_size(self->redo, 0);
    g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void
gs_timeline_finalize(GObject *object)
{
    GsTimeline *self = GS_TIMELINE(object);
    state_free(self->state);
    g_ptr_array_unref(self->undo);
    g_ptr_array_unref(self->redo);
    g_hash_table_unref(self->sources);
    G_OBJECT_CLASS(gs_timeline_parent_class)->finalize(object);
}

static void
gs_timeline_class_init(GsTimelineClass *klass)
{
    G_OBJECT_CLASS(klass)->finalize = gs_timeline_finalize;
    signals[SIGNAL_CHANGED] =
        g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
gs_timeline_init(GsTimeline *self)
{
    self->state = state_new();
    self->undo = g_ptr_array_new_with_free_func(state_free);
    self->redo = g_ptr_array_new_with_free_func(state_free);
    self->sources = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, source_unref);
}

GsTimeline *
gs_timeline_new(void)
{
    return g_object_new(GS_TYPE_TIMELINE, NULL);
}

GsTimeline *
gs_timeline_copy(GsTimeline *self)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), NULL);
    GsTimeline *copy = gs_timeline_new();
    state_free(copy->state);
    copy->state = state_copy(self->state);
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, self->sources);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        Source *source = value;
        g_hash_table_insert(copy->sources, source->id, source_ref(source));
    }
    return copy;
}

guint
gs_timeline_add_track(GsTimeline *self, const char *name)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), 0);
    State *next = begin_edit(self);
    guint id = next->next_id++;
    g_ptr_array_add(next->tracks, track_new(id, name));
    commit_edit(self, next);
    return id;
}

gboolean
gs_timeline_delete_track(GsTimeline *self, guint track, GError **error)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), FALSE);
    if (!lookup_track(self->state, track, error))
        return FALSE;
    State *next = begin_edit(self);
    g_ptr_array_remove(next->tracks, find_track(next, track));
    commit_edit(self, next);
    return TRUE;
}

/* The track settings share one shape: look up, compare, copy, set. */
typedef enum { SETTING_NAME, SETTING_MUTE, SETTING_SOLO, SETTING_GAIN, SETTING_PAN } Setting;

static gboolean
set_track_setting(GsTimeline *self, guint id, Setting setting, const char *name, gboolean flag, double value,
                  GError **error)
{
    Track *track = lookup_track(self->state, id, error);
    if (!track)
        return FALSE;
    gboolean same = FALSE;
    switch (setting) {
    case SETTING_NAME:
        same = g_strcmp0(track->name, name ? name : "") == 0;
        break;
    case SETTING_MUTE:
        same = track->mute == flag;
        break;
    case SETTING_SOLO:
        same = track->solo == flag;
        break;
    case SETTING_GAIN:
        same = track->gain_db == value;
        break;
    case SETTING_PAN:
        same = track->pan == value;
        break;
    }
    if (same)
        return TRUE;
    State *next = begin_edit(self);
    track = find_track(next, id);
    switch (setting) {
    case SETTING_NAME:
        g_free(track->name);
        track->name = g_strdup(name ? name : "");
        break;
    case SETTING_MUTE:
        track->mute = flag;
        break;
    case SETTING_SOLO:
        track->solo = flag;
        break;
    case SETTING_GAIN:
        track->gain_db = value;
        break;
    case SETTING_PAN:
        track->pan = value;
        break;
    }
    commit_edit(self, next);
    return TRUE;
}

gboolean
gs_timeline_set_track_name(GsTimeline *self, guint track, const char *name, GError **error)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), FALSE);
    return set_track_setting(self, track, SETTING_NAME, name, FALSE, 0, error);
}

gboolean
gs_timeline_set_track_mute(GsTimeline *self, guint track, gboolean mute, GError **error)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), FALSE);
    return set_track_setting(self, track, SETTING_MUTE, NULL, !!mute, 0, error);
}

gboolean
gs_timeline_set_track_solo(GsTimeline *self, guint track, gboolean solo, GError **error)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), FALSE);
    return set_track_setting(self, track, SETTING_SOLO, NULL, !!solo, 0, error);
}

static gboolean
check_gain(double gain_db, GError **error)
{
    if (isfinite(gain_db) && gain_db >= GS_TIMELINE_MIN_GAIN_DB && gain_db <= GS_TIMELINE_MAX_GAIN_DB)
        return TRUE;
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "A gain of %g dB is out of range (%g to %g)", gain_db,
                GS_TIMELINE_MIN_GAIN_DB, GS_TIMELINE_MAX_GAIN_DB);
    return FALSE;
}

static gboolean
check_pan(double pan, GError **error)
{
    if (isfinite(pan) && pan >= -1.0 && pan <= 1.0)
        return TRUE;
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "A pan of %g is out of range (−1 to 1)", pan);
    return FALSE;
}

gboolean
gs_timeline_set_track_gain(GsTimeline *self, guint track, double gain_db, GError **error)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), FALSE);
    return check_gain(gain_db, error) && set_track_setting(self, track, SETTING_GAIN, NULL, FALSE, gain_db, error);
}

gboolean
gs_timeline_set_track_pan(GsTimeline *self, guint track, double pan, GError **error)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), FALSE);
    return check_pan(pan, error) && set_track_setting(self, track, SETTING_PAN, NULL, FALSE, pan, error);
}

guint
gs_timeline_add_clip(GsTimeline *self, guint track, const char *source_id, const char *label, GBytes *audio,
                     double position, GError **error)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), 0);
    g_return_val_if_fail(source_id != NULL && audio != NULL, 0);
    gint64 start;
    if (!lookup_track(self->state, track, error) || !seconds_to_frames(position, "A position", &start, error))
        return 0;
    if (g_bytes_get_size(audio) % (GS_TIMELINE_CHANNELS * sizeof(float)) != 0 || audio_frames(audio) == 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "Source “%s” is not a whole number of stereo float frames", source_id);
        return 0;
    }
    Source *source = g_hash_table_lookup(self->sources, source_id);
    if (source && source->audio && source->audio != audio && !g_bytes_equal(source->audio, audio)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS, "Source “%s” is already in the timeline with other audio",
                    source_id);
        return 0;
    }
    if (source && !source->audio && source->frames != audio_frames(audio)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS, "Source “%s” is already in the timeline with another length",
                    source_id);
        return 0;
    }
    if (!source) {
        source = g_atomic_rc_box_new0(Source);
        source->id = g_strdup(source_id);
        source->label = g_strdup(label ? label : "");
        source->frames = audio_frames(audio);
        g_hash_table_insert(self->sources, source->id, source);
    }
    if (!source->audio)
        source->audio = g_bytes_ref(audio);

    State *next = begin_edit(self);
    Clip *clip = g_new0(Clip, 1);
    clip->id = next->next_id++;
    clip->source = source_ref(source);
    clip->position = start;
    clip->out = source->frames;
    Track *owner = find_track(next, track);
    g_ptr_array_add(owner->clips, clip);
    g_ptr_array_sort(owner->clips, compare_clips);
    guint id = clip->id;
    commit_edit(self, next);
    return id;
}

gboolean
gs_timeline_move_clip(GsTimeline *self, guint clip, guint track, double position, GError **error)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), FALSE);
    Track *from;
    gint64 start;
    const Clip *current = lookup_clip(self->state, clip, &from, error);
    if (!current || !lookup_track(self->state, track, error) ||
        !seconds_to_frames(position, "A position", &start, error))
        return FALSE;
    if (from->id == track && current->position == start)
        return TRUE;
    State *next = begin_edit(self);
    Track *old_owner;
    Clip *moving = find_clip(next, clip, &old_owner);
    Track *new_owner = find_track(next, track);
    moving->position = start;
    if (old_owner != new_owner) {
        g_ptr_array_add(new_owner->clips, clip_copy(moving));
        g_ptr_array_remove(old_owner->clips, moving);
    }
    g_ptr_array_sort(new_owner->clips, compare_clips);
    commit_edit(self, next);
    return TRUE;
}

gboolean
gs_timeline_trim_clip(GsTimeline *self, guint clip, double in, double out, GError **error)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), FALSE);
    gint64 in_frame, out_frame;
    const Clip *current = lookup_clip(self->state, clip, NULL, error);
    if (!current || !seconds_to_frames(in, "An in point", &in_frame, error) ||
        !seconds_to_frames(out, "An out point", &out_frame, error))
        return FALSE;
    if (in_frame >= out_frame || out_frame > current->source->frames) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "Trim %g–%g s is empty or outside the source (%g s)", in, out,
                    frames_to_seconds(current->source->frames));
        return FALSE;
    }
    gint64 start = current->position + (in_frame - current->in);
    if (start < 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "Trimming the clip to %g s would start it before the timeline", in);
        return FALSE;
    }
    if (in_frame == current->in && out_frame == current->out)
        return TRUE;
    State *next = begin_edit(self);
    Track *owner;
    Clip *trimmed = find_clip(next, clip, &owner);
    trimmed->position = start;
    trimmed->in = in_frame;
    trimmed->out = out_frame;
    g_ptr_array_sort(owner->clips, compare_clips);
    commit_edit(self, next);
    return TRUE;
}

guint
gs_timeline_split_clip(GsTimeline *self, guint clip, double time, GError **error)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), 0);
    gint64 at;
    const Clip *current = lookup_clip(self->state, clip, NULL, error);
    if (!current || !seconds_to_frames(time, "A split time", &at, error))
        return 0;
    if (at <= current->position || at >= current->position + (current->out - current->in)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%g s is not inside clip %u", time, clip);
        return 0;
    }
    State *next = begin_edit(self);
    Track *owner;
    Clip *left = find_clip(next, clip, &owner);
    Clip *right = clip_copy(left);
    right->id = next->next_id++;
    right->position = at;
    right->in = left->in + (at - left->position);
    left->out = right->in;
    g_ptr_array_add(owner->clips, right);
    g_ptr_array_sort(owner->clips, compare_clips);
    guint id = right->id;
    commit_edit(self, next);
    return id;
}

gboolean
gs_timeline_delete_clip(GsTimeline *self, guint clip, GError **error)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), FALSE);
    if (!lookup_clip(self->state, clip, NULL, error))
        return FALSE;
    State *next = begin_edit(self);
    Track *owner;
    Clip *doomed = find_clip(next, clip, &owner);
    g_ptr_array_remove(owner->clips, doomed);
    commit_edit(self, next);
    return TRUE;
}

static gint
compare_markers(gconstpointer a, gconstpointer b)
{
    gint64 pa = ((const Marker *)a)->position, pb = ((const Marker *)b)->position;
    return pa < pb ? -1 : pa > pb;
}

gboolean
gs_timeline_add_markers(GsTimeline *self, const GsTimelineMarker *markers, guint n_markers, GError **error)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self) && (markers || n_markers == 0), FALSE);
    if (self->state->markers->len + n_markers > MAX_MARKERS) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "A timeline holds at most %d markers",
                    MAX_MARKERS);
        return FALSE;
    }
    g_autofree gint64 *positions = g_new(gint64, n_markers ? n_markers : 1);
    for (guint i = 0; i < n_markers; i++)
        if (!seconds_to_frames(markers[i].time, "A marker's time", &positions[i], error))
            return FALSE;
    if (n_markers == 0)
        return TRUE;
    State *next = begin_edit(self);
    for (guint i = 0; i < n_markers; i++) {
        Marker marker = { positions[i], g_strdup(markers[i].name ? markers[i].name : "") };
        g_array_append_val(next->markers, marker);
    }
    g_array_sort(next->markers, compare_markers);
    commit_edit(self, next);
    return TRUE;
}

guint
gs_timeline_get_n_markers(GsTimeline *self)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), 0);
    return self->state->markers->len;
}

gboolean
gs_timeline_get_marker(GsTimeline *self, guint index, GsTimelineMarker *out)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self) && out, FALSE);
    if (index >= self->state->markers->len)
        return FALSE;
    const Marker *marker = &g_array_index(self->state->markers, Marker, index);
    *out = (GsTimelineMarker){ frames_to_seconds(marker->position), marker->name };
    return TRUE;
}

gboolean
gs_timeline_delete_marker(GsTimeline *self, guint index, GError **error)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), FALSE);
    if (index >= self->state->markers->len) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "There is no marker %u", index);
        return FALSE;
    }
    State *next = begin_edit(self);
    g_array_remove_index(next->markers, index);
    commit_edit(self, next);
    return TRUE;
}

gboolean
gs_timeline_can_undo(GsTimeline *self)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), FALSE);
    return self->undo->len > 0;
}

gboolean
gs_timeline_can_redo(GsTimeline *self)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), FALSE);
    return self->redo->len > 0;
}

/* Moves the current state onto `to` and the last of `from` into its place. */
static gboolean
step_history(GsTimeline *self, GPtrArray *from, GPtrArray *to)
{
    if (from->len == 0)
        return FALSE;
    g_ptr_array_add(to, self->state);
    self->state = g_ptr_array_steal_index(from, from->len - 1);
    g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
    return TRUE;
}

gboolean
gs_timeline_undo(GsTimeline *self)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), FALSE);
    return step_history(self, self->undo, self->redo);
}

gboolean
gs_timeline_redo(GsTimeline *self)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), FALSE);
    return step_history(self, self->redo, self->undo);
}

guint *
gs_timeline_dup_track_ids(GsTimeline *self, guint *n_tracks)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), NULL);
    GPtrArray *tracks = self->state->tracks;
    guint *ids = g_new0(guint, tracks->len + 1);
    for (guint t = 0; t < tracks->len; t++)
        ids[t] = ((Track *)g_ptr_array_index(tracks, t))->id;
    if (n_tracks)
        *n_tracks = tracks->len;
    return ids;
}

gboolean
gs_timeline_get_track(GsTimeline *self, guint track, GsTimelineTrack *out)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), FALSE);
    g_return_val_if_fail(out != NULL, FALSE);
    const Track *found = find_track(self->state, track);
    if (!found)
        return FALSE;
    *out = (GsTimelineTrack){found->id, found->name, found->mute, found->solo, found->gain_db, found->pan};
    return TRUE;
}

guint *
gs_timeline_dup_clip_ids(GsTimeline *self, guint track, guint *n_clips)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), NULL);
    const Track *found = find_track(self->state, track);
    guint n = found ? found->clips->len : 0;
    guint *ids = g_new0(guint, n + 1);
    for (guint c = 0; c < n; c++)
        ids[c] = ((Clip *)g_ptr_array_index(found->clips, c))->id;
    if (n_clips)
        *n_clips = n;
    return ids;
}

gboolean
gs_timeline_get_clip(GsTimeline *self, guint clip, GsTimelineClip *out)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), FALSE);
    g_return_val_if_fail(out != NULL, FALSE);
    Track *owner;
    const Clip *found = find_clip(self->state, clip, &owner);
    if (!found)
        return FALSE;
    *out = (GsTimelineClip){
        .id = found->id,
        .track = owner->id,
        .source_id = found->source->id,
        .label = found->source->label,
        .audio = found->source->audio,
        .position = frames_to_seconds(found->position),
        .in = frames_to_seconds(found->in),
        .out = frames_to_seconds(found->out),
    };
    return TRUE;
}

double
gs_timeline_get_duration(GsTimeline *self)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), 0);
    gint64 end = 0;
    for (guint t = 0; t < self->state->tracks->len; t++) {
        const Track *track = g_ptr_array_index(self->state->tracks, t);
        for (guint c = 0; c < track->clips->len; c++) {
            const Clip *clip = g_ptr_array_index(track->clips, c);
            end = MAX(end, clip->position + clip->out - clip->in);
        }
    }
    return frames_to_seconds(end);
}

/* The sources the current clips use, by id. */
static GPtrArray *
used_sources(const State *state)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *sources = g_ptr_array_new();
    for (guint t = 0; t < state->tracks->len; t++) {
        const Track *track = g_ptr_array_index(state->tracks, t);
        for (guint c = 0; c < track->clips->len; c++) {
            Source *source = ((Clip *)g_ptr_array_index(track->clips, c))->source;
            if (g_hash_table_add(seen, source->id))
                g_ptr_array_add(sources, source);
        }
    }
    return sources;
}

static int
compare_sources(gconstpointer a, gconstpointer b)
{
    return strcmp((*(const Source *const *)a)->id, (*(const Source *const *)b)->id);
}

char **
gs_timeline_dup_source_ids(GsTimeline *self)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), NULL);
    g_autoptr(GPtrArray) sources = used_sources(self->state);
    g_ptr_array_sort(sources, compare_sources);
    char **ids = g_new0(char *, sources->len + 1);
    for (guint i = 0; i < sources->len; i++)
        ids[i] = g_strdup(((Source *)g_ptr_array_index(sources, i))->id);
    return ids;
}

gboolean
gs_timeline_set_source_audio(GsTimeline *self, const char *source_id, GBytes *audio, GError **error)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), FALSE);
    g_return_val_if_fail(source_id != NULL && audio != NULL, FALSE);
    Source *source = g_hash_table_lookup(self->sources, source_id);
    if (!source) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No source “%s” in the timeline", source_id);
        return FALSE;
    }
    if (g_bytes_get_size(audio) != (gsize)source->frames * GS_TIMELINE_CHANNELS * sizeof(float)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "Source “%s” should be %" G_GINT64_FORMAT " stereo frames at %d Hz", source_id, source->frames,
                    GS_TIMELINE_RATE);
        return FALSE;
    }
    g_clear_pointer(&source->audio, g_bytes_unref);
    source->audio = g_bytes_ref(audio);
    return TRUE;
}

JsonNode *
gs_timeline_to_json(GsTimeline *self)
{
    g_return_val_if_fail(GS_IS_TIMELINE(self), NULL);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "version");
    json_builder_add_int_value(b, TIMELINE_JSON_VERSION);
    json_builder_set_member_name(b, "rate");
    json_builder_add_int_value(b, GS_TIMELINE_RATE);
    json_builder_set_member_name(b, "next-id");
    json_builder_add_int_value(b, self->state->next_id);

    g_autoptr(GPtrArray) sources = used_sources(self->state);
    g_ptr_array_sort(sources, compare_sources);
    json_builder_set_member_name(b, "sources");
    json_builder_begin_array(b);
    for (guint i = 0; i < sources->len; i++) {
        const Source *source = g_ptr_array_index(sources, i);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "id");
        json_builder_add_string_value(b, source->id);
        json_builder_set_member_name(b, "label");
        json_builder_add_string_value(b, source->label);
        json_builder_set_member_name(b, "frames");
        json_builder_add_int_value(b, source->frames);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);

    json_builder_set_member_name(b, "tracks");
    json_builder_begin_array(b);
    for (guint t = 0; t < self->state->tracks->len; t++) {
        const Track *track = g_ptr_array_index(self->state->tracks, t);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "id");
        json_builder_add_int_value(b, track->id);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, track->name);
        json_builder_set_member_name(b, "mute");
        json_builder_add_boolean_value(b, track->mute);
        json_builder_set_member_name(b, "solo");
        json_builder_add_boolean_value(b, track->solo);
        json_builder_set_member_name(b, "gain-db");
        json_builder_add_double_value(b, track->gain_db);
        json_builder_set_member_name(b, "pan");
        json_builder_add_double_value(b, track->pan);
        json_builder_set_member_name(b, "clips");
        json_builder_begin_array(b);
        for (guint c = 0; c < track->clips->len; c++) {
            const Clip *clip = g_ptr_array_index(track->clips, c);
            json_builder_begin_object(b);
            json_builder_set_member_name(b, "id");
            json_builder_add_int_value(b, clip->id);
            json_builder_set_member_name(b, "source");
            json_builder_add_string_value(b, clip->source->id);
            /* Frames, not seconds: exact. */
            json_builder_set_member_name(b, "position");
            json_builder_add_int_value(b, clip->position);
            json_builder_set_member_name(b, "in");
            json_builder_add_int_value(b, clip->in);
            json_builder_set_member_name(b, "out");
            json_builder_add_int_value(b, clip->out);
            json_builder_end_object(b);
        }
        json_builder_end_array(b);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);

    json_builder_set_member_name(b, "markers");
    json_builder_begin_array(b);
    for (guint m = 0; m < self->state->markers->len; m++) {
        const Marker *marker = &g_array_index(self->state->markers, Marker, m);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, marker->name);
        json_builder_set_member_name(b, "position");
        json_builder_add_int_value(b, marker->position);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

static gboolean
invalid(GError **error, const char *what)
{
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Bad timeline: %s", what);
    return FALSE;
}

static JsonNode *
member_of_type(JsonObject *object, const char *name, GType type)
{
    JsonNode *node = object ? json_object_get_member(object, name) : NULL;
    return node && JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == type ? node : NULL;
}

/* Integers in [min, max]. */
static gboolean
read_int(JsonObject *object, const char *name, gint64 min, gint64 max, gint64 *value)
{
    JsonNode *node = member_of_type(object, name, G_TYPE_INT64);
    if (!node)
        return FALSE;
    *value = json_node_get_int(node);
    return *value >= min && *value <= max;
}

/* json-glib writes whole doubles such as 0.0 as they are, but another
 * writer may give an integer. */
static gboolean
read_double(JsonObject *object, const char *name, double *value)
{
    JsonNode *node = object ? json_object_get_member(object, name) : NULL;
    if (!node || !JSON_NODE_HOLDS_VALUE(node))
        return FALSE;
    GType type = json_node_get_value_type(node);
    if (type != G_TYPE_DOUBLE && type != G_TYPE_INT64)
        return FALSE;
    *value = json_node_get_double(node);
    return TRUE;
}

static JsonArray *
read_array(JsonObject *object, const char *name)
{
    JsonNode *node = object ? json_object_get_member(object, name) : NULL;
    return node && JSON_NODE_HOLDS_ARRAY(node) ? json_node_get_array(node) : NULL;
}

static JsonObject *
array_object(JsonArray *array, guint i)
{
    JsonNode *node = json_array_get_element(array, i);
    return JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
}

static gboolean
read_sources(GsTimeline *self, JsonArray *array, GError **error)
{
    for (guint i = 0; i < json_array_get_length(array); i++) {
        JsonObject *object = array_object(array, i);
        JsonNode *id = member_of_type(object, "id", G_TYPE_STRING);
        JsonNode *label = member_of_type(object, "label", G_TYPE_STRING);
        gint64 frames;
        if (!id || !label || !read_int(object, "frames", 1, (gint64)(MAX_SECONDS * GS_TIMELINE_RATE), &frames))
            return invalid(error, "a source needs an id, a label and a length");
        if (g_hash_table_contains(self->sources, json_node_get_string(id)))
            return invalid(error, "two sources have the same id");
        Source *source = g_atomic_rc_box_new0(Source);
        source->id = g_strdup(json_node_get_string(id));
        source->label = g_strdup(json_node_get_string(label));
        source->frames = frames;
        g_hash_table_insert(self->sources, source->id, source);
    }
    return TRUE;
}

static gboolean
read_clip(GsTimeline *self, JsonObject *object, Track *track, GHashTable *ids, GError **error)
{
    const gint64 max_frames = (gint64)(MAX_SECONDS * GS_TIMELINE_RATE);
    JsonNode *source_id = member_of_type(object, "source", G_TYPE_STRING);
    gint64 id, position, in, out;
    if (!source_id || !read_int(object, "id", 1, G_MAXUINT, &id) ||
        !read_int(object, "position", 0, max_frames, &position) || !read_int(object, "in", 0, max_frames, &in) ||
        !read_int(object, "out", 0, max_frames, &out))
        return invalid(error, "a clip needs an id, a source, a position, in and out");
    Source *source = g_hash_table_lookup(self->sources, json_node_get_string(source_id));
    if (!source)
        return invalid(error, "a clip uses a source that is not listed");
    if (in >= out || out > source->frames)
        return invalid(error, "a clip's in and out are outside its source");
    if (!g_hash_table_add(ids, GUINT_TO_POINTER((guint)id)))
        return invalid(error, "two items have the same id");
    Clip *clip = g_new0(Clip, 1);
    clip->id = (guint)id;
    clip->source = source_ref(source);
    clip->position = position;
    clip->in = in;
    clip->out = out;
    g_ptr_array_add(track->clips, clip);
    return TRUE;
}

static gboolean
read_track(GsTimeline *self, JsonObject *object, GHashTable *ids, GError **error)
{
    JsonNode *name = member_of_type(object, "name", G_TYPE_STRING);
    JsonNode *mute = member_of_type(object, "mute", G_TYPE_BOOLEAN);
    JsonNode *solo = member_of_type(object, "solo", G_TYPE_BOOLEAN);
    JsonArray *clips = read_array(object, "clips");
    gint64 id;
    double gain_db, pan;
    if (!name || !mute || !solo || !clips || !read_int(object, "id", 1, G_MAXUINT, &id) ||
        !read_double(object, "gain-db", &gain_db) || !read_double(object, "pan", &pan))
        return invalid(error, "a track needs an id, a name, mute, solo, gain, pan and clips");
    if (!check_gain(gain_db, NULL) || !check_pan(pan, NULL))
        return invalid(error, "a track's gain or pan is out of range");
    if (!g_hash_table_add(ids, GUINT_TO_POINTER((guint)id)))
        return invalid(error, "two items have the same id");
    Track *track = track_new((guint)id, json_node_get_string(name));
    track->mute = json_node_get_boolean(mute);
    track->solo = json_node_get_boolean(solo);
    track->gain_db = gain_db;
    track->pan = pan;
    g_ptr_array_add(self->state->tracks, track);
    for (guint i = 0; i < json_array_get_length(clips); i++)
        if (!read_clip(self, array_object(clips, i), track, ids, error))
            return FALSE;
    g_ptr_array_sort(track->clips, compare_clips);
    return TRUE;
}

/* Timelines written before markers have none. */
static gboolean
read_markers(GsTimeline *self, JsonObject *root, GError **error)
{
    JsonNode *node = json_object_get_member(root, "markers");
    if (!node)
        return TRUE;
    JsonArray *array = read_array(root, "markers");
    if (!array || json_array_get_length(array) > MAX_MARKERS)
        return invalid(error, "its markers are not a list of at most 10000");
    for (guint i = 0; i < json_array_get_length(array); i++) {
        JsonObject *object = array_object(array, i);
        JsonNode *name = member_of_type(object, "name", G_TYPE_STRING);
        gint64 position;
        if (!name || !read_int(object, "position", 0, (gint64)(MAX_SECONDS * GS_TIMELINE_RATE), &position))
            return invalid(error, "a marker needs a name and a position");
        Marker marker = { position, g_strdup(json_node_get_string(name)) };
        g_array_append_val(self->state->markers, marker);
    }
    g_array_sort(self->state->markers, compare_markers);
    return TRUE;
}

GsTimeline *
gs_timeline_new_from_json(JsonNode *node, GError **error)
{
    g_return_val_if_fail(node != NULL, NULL);
    JsonObject *root = JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
    gint64 version, rate, next_id;
    if (!read_int(root, "version", TIMELINE_JSON_VERSION, TIMELINE_JSON_VERSION, &version)) {
        invalid(error, "not a timeline, or a version this build does not know");
        return NULL;
    }
    JsonArray *sources = read_array(root, "sources"), *tracks = read_array(root, "tracks");
    if (!read_int(root, "rate", GS_TIMELINE_RATE, GS_TIMELINE_RATE, &rate) ||
        !read_int(root, "next-id", 1, G_MAXUINT, &next_id) || !sources || !tracks) {
        invalid(error, "it needs a rate of 44100 Hz, a next id, sources and tracks");
        return NULL;
    }
    g_autoptr(GsTimeline) self = gs_timeline_new();
    self->state->next_id = (guint)next_id;
    g_autoptr(GHashTable) ids = g_hash_table_new(NULL, NULL);
    if (!read_sources(self, sources, error) || !read_markers(self, root, error))
        return NULL;
    for (guint i = 0; i < json_array_get_length(tracks); i++)
        if (!read_track(self, array_object(tracks, i), ids, error))
            return NULL;
    GHashTableIter iter;
    gpointer key;
    g_hash_table_iter_init(&iter, ids);
    while (g_hash_table_iter_next(&iter, &key, NULL))
        if (GPOINTER_TO_UINT(key) >= self->state->next_id) {
            invalid(error, "an id is not below the next id");
            return NULL;
        }
    return g_steal_pointer(&self);
}
