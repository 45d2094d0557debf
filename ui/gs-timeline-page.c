/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gi18n.h>

#include "gs-page-utils.h"
#include "gs-timeline-mix.h"
#include "gs-timeline-page.h"

struct _GsTimelinePage {
    GtkWidget parent_instance;

    /* template */
    GtkBox *box; /* bound so that dispose_template unparents it */
    GtkBox *header_box;
    GsTimelineView *view;
    GtkButton *play_button;
    GtkLabel *time_label;
    GtkProgressBar *progress_bar;

    GsTimeline *timeline;
    GsAudioPlayer *player;
    gboolean playing, loop;
    guint play_serial;  /* bumped on every start and stop: older mixes are stale */
    double play_offset; /* timeline seconds where the player's samples begin */
    guint playhead_tick;
    guint exports; /* running, for the progress bar */
};

G_DEFINE_FINAL_TYPE(GsTimelinePage, gs_timeline_page, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_LOOP, N_PROPS };
static GParamSpec *properties[N_PROPS];

static gboolean
selected_clip(GsTimelinePage *self, GsTimelineClip *clip)
{
    guint id = gs_timeline_view_get_selected_clip(self->view);
    return id && gs_timeline_get_clip(self->timeline, id, clip);
}

static void
show_time(GsTimelinePage *self)
{
    double t = gs_timeline_view_get_playhead(self->view), d = gs_timeline_get_duration(self->timeline);
    g_autofree char *text = g_strdup_printf("%d:%04.1f / %d:%04.1f", (int)(t / 60), t - 60 * (int)(t / 60),
                                            (int)(d / 60), d - 60 * (int)(d / 60));
    gtk_label_set_text(self->time_label, text);
}

static void
update_actions(GsTimelinePage *self)
{
    GtkWidget *widget = GTK_WIDGET(self);
    GsTimelineClip clip;
    gboolean selected = selected_clip(self, &clip);
    double playhead = gs_timeline_view_get_playhead(self->view);
    gboolean splittable =
        selected && playhead > clip.position && playhead < clip.position + (clip.out - clip.in);
    gboolean empty = gs_timeline_get_duration(self->timeline) <= 0;
    gtk_widget_action_set_enabled(widget, "timeline.split", splittable);
    gtk_widget_action_set_enabled(widget, "timeline.delete", selected);
    gtk_widget_action_set_enabled(widget, "timeline.undo", gs_timeline_can_undo(self->timeline));
    gtk_widget_action_set_enabled(widget, "timeline.redo", gs_timeline_can_redo(self->timeline));
    gtk_widget_action_set_enabled(widget, "timeline.toggle-play", self->playing || !empty);
    gtk_widget_action_set_enabled(widget, "timeline.export", !empty);
    show_time(self);
}

/* ---- track headers ------------------------------------------------------- */

/* Each header row keeps its track id and controls as object data. */
static guint
row_track(GtkWidget *row)
{
    return GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(row), "track"));
}

/* A header control sits in a box inside its row. */
static guint
control_track(gpointer control)
{
    return row_track(gtk_widget_get_parent(gtk_widget_get_parent(GTK_WIDGET(control))));
}

static void
on_name_activate(GtkEntry *entry, GsTimelinePage *self)
{
    guint track = control_track(entry);
    g_autoptr(GError) error = NULL;
    if (!gs_timeline_set_track_name(self->timeline, track, gtk_editable_get_text(GTK_EDITABLE(entry)), &error))
        gs_widget_toast(GTK_WIDGET(self), error->message);
}

static void
on_mute_toggled(GtkToggleButton *button, GsTimelinePage *self)
{
    guint track = control_track(button);
    gs_timeline_set_track_mute(self->timeline, track, gtk_toggle_button_get_active(button), NULL);
}

static void
on_solo_toggled(GtkToggleButton *button, GsTimelinePage *self)
{
    guint track = control_track(button);
    gs_timeline_set_track_solo(self->timeline, track, gtk_toggle_button_get_active(button), NULL);
}

static void
on_gain_changed(GtkSpinButton *spin, GsTimelinePage *self)
{
    guint track = control_track(spin);
    gs_timeline_set_track_gain(self->timeline, track, gtk_spin_button_get_value(spin), NULL);
}

static void
on_pan_changed(GtkSpinButton *spin, GsTimelinePage *self)
{
    guint track = control_track(spin);
    gs_timeline_set_track_pan(self->timeline, track, gtk_spin_button_get_value(spin), NULL);
}

static GtkWidget *
labelled(GtkWidget *widget, const char *label, const char *tooltip)
{
    gtk_widget_set_tooltip_text(widget, tooltip);
    gtk_accessible_update_property(GTK_ACCESSIBLE(widget), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
    return widget;
}

static GtkWidget *
header_row_new(GsTimelinePage *self, guint track)
{
    GtkWidget *row = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);
    g_object_set_data(G_OBJECT(row), "track", GUINT_TO_POINTER(track));
    gtk_widget_set_size_request(row, -1, GS_TIMELINE_VIEW_TRACK_HEIGHT);
    gtk_widget_set_margin_end(row, 6);
    gtk_widget_set_valign(row, GTK_ALIGN_FILL);
    GtkWidget *top = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 4), *bottom = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 4);
    gtk_widget_set_margin_top(top, 4);
    gtk_box_append(GTK_BOX(row), top);
    gtk_box_append(GTK_BOX(row), bottom);

    GtkWidget *name = labelled(gtk_entry_new(), _("Track name"), _("Track name (Enter renames)"));
    gtk_widget_set_hexpand(name, TRUE);
    gtk_editable_set_width_chars(GTK_EDITABLE(name), 8);
    g_signal_connect(name, "activate", G_CALLBACK(on_name_activate), self);
    /* Translators: short for Mute, on a track's toggle button */
    GtkWidget *mute = labelled(gtk_toggle_button_new_with_label(C_("track", "M")), _("Mute"), _("Mute this track"));
    g_signal_connect(mute, "toggled", G_CALLBACK(on_mute_toggled), self);
    /* Translators: short for Solo, on a track's toggle button */
    GtkWidget *solo = labelled(gtk_toggle_button_new_with_label(C_("track", "S")), _("Solo"),
                               _("Solo: hear only the solo tracks"));
    g_signal_connect(solo, "toggled", G_CALLBACK(on_solo_toggled), self);
    gtk_box_append(GTK_BOX(top), name);
    gtk_box_append(GTK_BOX(top), mute);
    gtk_box_append(GTK_BOX(top), solo);

    GtkWidget *gain = labelled(gtk_spin_button_new_with_range(GS_TIMELINE_MIN_GAIN_DB, GS_TIMELINE_MAX_GAIN_DB, 1),
                               _("Gain in dB"), _("Gain in dB"));
    gtk_spin_button_set_digits(GTK_SPIN_BUTTON(gain), 1);
    g_signal_connect(gain, "value-changed", G_CALLBACK(on_gain_changed), self);
    GtkWidget *pan = labelled(gtk_spin_button_new_with_range(-1, 1, 0.1), _("Pan"),
                              _("Pan: −1 left, 0 centre, 1 right"));
    gtk_spin_button_set_digits(GTK_SPIN_BUTTON(pan), 1);
    g_signal_connect(pan, "value-changed", G_CALLBACK(on_pan_changed), self);
    GtkWidget *gain_unit = gtk_label_new(_("dB")), *pan_label = gtk_label_new(_("Pan"));
    gtk_widget_add_css_class(gain_unit, "dim-label");
    gtk_widget_add_css_class(pan_label, "dim-label");
    gtk_widget_set_margin_start(pan_label, 6);
    gtk_box_append(GTK_BOX(bottom), gain);
    gtk_box_append(GTK_BOX(bottom), gain_unit);
    gtk_box_append(GTK_BOX(bottom), pan_label);
    gtk_box_append(GTK_BOX(bottom), pan);

    g_object_set_data(G_OBJECT(row), "name", name);
    g_object_set_data(G_OBJECT(row), "mute", mute);
    g_object_set_data(G_OBJECT(row), "solo", solo);
    g_object_set_data(G_OBJECT(row), "gain", gain);
    g_object_set_data(G_OBJECT(row), "pan", pan);
    return row;
}

/* Shows the model's values without echoing them back as edits. */
static void
sync_header_row(GsTimelinePage *self, GtkWidget *row)
{
    GsTimelineTrack track;
    if (!gs_timeline_get_track(self->timeline, row_track(row), &track))
        return;
    const char *keys[] = { "name", "mute", "solo", "gain", "pan" };
    for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
        g_signal_handlers_block_matched(g_object_get_data(G_OBJECT(row), keys[i]), G_SIGNAL_MATCH_DATA, 0, 0, NULL,
                                        NULL, self);
    GtkEditable *name = g_object_get_data(G_OBJECT(row), "name");
    if (!gtk_widget_has_focus(GTK_WIDGET(name)) || !g_str_equal(gtk_editable_get_text(name), track.name))
        gtk_editable_set_text(name, track.name);
    gtk_toggle_button_set_active(g_object_get_data(G_OBJECT(row), "mute"), track.mute);
    gtk_toggle_button_set_active(g_object_get_data(G_OBJECT(row), "solo"), track.solo);
    gtk_spin_button_set_value(g_object_get_data(G_OBJECT(row), "gain"), track.gain_db);
    gtk_spin_button_set_value(g_object_get_data(G_OBJECT(row), "pan"), track.pan);
    for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
        g_signal_handlers_unblock_matched(g_object_get_data(G_OBJECT(row), keys[i]), G_SIGNAL_MATCH_DATA, 0, 0,
                                          NULL, NULL, self);
}

/* Rows are rebuilt only when tracks come or go, so a control being used
 * is not replaced under the pointer. The first child is the ruler's spacer. */
static void
show_tracks(GsTimelinePage *self)
{
    guint n = 0;
    g_autofree guint *ids = gs_timeline_dup_track_ids(self->timeline, &n);
    GtkWidget *first = gtk_widget_get_next_sibling(gtk_widget_get_first_child(GTK_WIDGET(self->header_box)));
    guint i = 0;
    gboolean same = TRUE;
    for (GtkWidget *row = first; row; row = gtk_widget_get_next_sibling(row), i++)
        same = same && i < n && row_track(row) == ids[i];
    if (!same || i != n) {
        GtkWidget *row;
        while ((row = gtk_widget_get_next_sibling(gtk_widget_get_first_child(GTK_WIDGET(self->header_box)))))
            gtk_box_remove(self->header_box, row);
        for (i = 0; i < n; i++)
            gtk_box_append(self->header_box, header_row_new(self, ids[i]));
    }
    for (GtkWidget *row = gtk_widget_get_next_sibling(gtk_widget_get_first_child(GTK_WIDGET(self->header_box))); row;
         row = gtk_widget_get_next_sibling(row))
        sync_header_row(self, row);
}

/* ---- playback ------------------------------------------------------------ */

static void start_playback(GsTimelinePage *self, double from);

static gboolean
on_playhead_tick(GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
    GsTimelinePage *self = user_data;
    if (gs_audio_player_is_playing(self->player)) {
        gs_timeline_view_set_playhead(self->view, self->play_offset + gs_audio_player_get_position(self->player));
        show_time(self);
    }
    return G_SOURCE_CONTINUE;
}

static void
show_playback(GsTimelinePage *self)
{
    const char *label = self->playing ? _("Pause") : _("Play");
    gtk_button_set_icon_name(self->play_button,
                             self->playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
    gtk_widget_set_tooltip_text(GTK_WIDGET(self->play_button), label);
    gtk_accessible_update_property(GTK_ACCESSIBLE(self->play_button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
    if (self->playing && !self->playhead_tick)
        self->playhead_tick = gtk_widget_add_tick_callback(GTK_WIDGET(self->view), on_playhead_tick, self, NULL);
    else if (!self->playing && self->playhead_tick) {
        gtk_widget_remove_tick_callback(GTK_WIDGET(self->view), self->playhead_tick);
        self->playhead_tick = 0;
    }
    update_actions(self);
}

static void
stop_playback(GsTimelinePage *self)
{
    if (!self->playing)
        return;
    if (gs_audio_player_is_playing(self->player))
        gs_timeline_view_set_playhead(self->view, self->play_offset + gs_audio_player_get_position(self->player));
    self->playing = FALSE;
    self->play_serial++;
    gs_audio_player_stop(self->player);
    show_playback(self);
}

typedef struct {
    GsTimeline *copy;
    double from;
    guint serial;
} Mix;

static void
mix_free(Mix *mix)
{
    g_object_unref(mix->copy);
    g_free(mix);
}

static void
mix_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    Mix *mix = data;
    float *stereo = NULL;
    gsize frames = 0;
    GError *error = NULL;
    if (gs_timeline_mix(mix->copy, mix->from, gs_timeline_get_duration(mix->copy), &stereo, &frames, &error))
        g_task_return_pointer(task, g_bytes_new_take(stereo, frames * GS_TIMELINE_CHANNELS * sizeof(float)),
                              (GDestroyNotify)g_bytes_unref);
    else
        g_task_return_error(task, error);
}

static void
on_mixed(GObject *source, GAsyncResult *result, gpointer user_data)
{
    GsTimelinePage *self = GS_TIMELINE_PAGE(source);
    Mix *mix = g_task_get_task_data(G_TASK(result));
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) audio = g_task_propagate_pointer(G_TASK(result), &error);
    if (!self->player || mix->serial != self->play_serial) /* gone, stopped or replaced meanwhile */
        return;
    gsize size = 0;
    const float *stereo = audio ? g_bytes_get_data(audio, &size) : NULL;
    if (audio && !gs_audio_player_play(self->player, stereo, size / (GS_TIMELINE_CHANNELS * sizeof(float)),
                                       GS_TIMELINE_CHANNELS, GS_TIMELINE_RATE, &error))
        g_clear_pointer(&audio, g_bytes_unref);
    if (!audio) {
        gs_widget_toast(GTK_WIDGET(self), error->message);
        stop_playback(self);
        return;
    }
    self->play_offset = mix->from;
}

/* Mixes a copy from `from` to the end in a thread, then plays it; whatever
 * plays meanwhile carries on until the new mix is ready. */
static void
start_playback(GsTimelinePage *self, double from)
{
    double duration = gs_timeline_get_duration(self->timeline);
    if (from >= duration)
        from = 0;
    if (duration <= 0) {
        stop_playback(self);
        return;
    }
    self->playing = TRUE;
    Mix *mix = g_new0(Mix, 1);
    mix->copy = gs_timeline_copy(self->timeline);
    mix->from = from;
    mix->serial = ++self->play_serial;
    g_autoptr(GTask) task = g_task_new(self, NULL, on_mixed, NULL);
    g_task_set_source_tag(task, start_playback);
    g_task_set_task_data(task, mix, (GDestroyNotify)mix_free);
    g_task_run_in_thread(task, mix_thread);
    show_playback(self);
}

static void
on_playback_finished(GsAudioPlayer *player, GsTimelinePage *self)
{
    if (self->loop) {
        gs_timeline_view_set_playhead(self->view, 0);
        start_playback(self, 0);
        return;
    }
    self->playing = FALSE;
    self->play_serial++;
    gs_timeline_view_set_playhead(self->view, 0);
    show_playback(self);
}

static void
on_playback_error(GsAudioPlayer *player, GError *error, GsTimelinePage *self)
{
    gs_widget_toast(GTK_WIDGET(self), error->message);
    stop_playback(self);
}

static void
toggle_play(GtkWidget *widget, const char *action, GVariant *param)
{
    GsTimelinePage *self = GS_TIMELINE_PAGE(widget);
    if (self->playing)
        stop_playback(self);
    else
        start_playback(self, gs_timeline_view_get_playhead(self->view));
}

void
gs_timeline_page_seek(GsTimelinePage *self, double seconds)
{
    g_return_if_fail(GS_IS_TIMELINE_PAGE(self));
    gs_timeline_view_set_playhead(self->view, seconds);
    if (self->playing)
        start_playback(self, seconds);
    update_actions(self);
}

static void
on_view_seek(GsTimelineView *view, double seconds, GsTimelinePage *self)
{
    gs_timeline_page_seek(self, seconds);
}

/* ---- editing ------------------------------------------------------------- */

static void
on_timeline_changed(GsTimeline *timeline, GsTimelinePage *self)
{
    show_tracks(self);
    /* The player holds (or is about to get) a mix of the old state: carry on
     * with the new one from where it is, or from where it was to start. */
    if (self->playing)
        start_playback(self, gs_audio_player_is_playing(self->player)
                                 ? self->play_offset + gs_audio_player_get_position(self->player)
                                 : gs_timeline_view_get_playhead(self->view));
    update_actions(self);
}

void
gs_timeline_page_set_timeline(GsTimelinePage *self, GsTimeline *timeline)
{
    g_return_if_fail(GS_IS_TIMELINE_PAGE(self) && (!timeline || GS_IS_TIMELINE(timeline)));
    g_autoptr(GsTimeline) shown = timeline ? g_object_ref(timeline) : NULL;
    if (!shown) {
        /* Two empty tracks are where a session starts, not edits to undo:
         * the JSON round trip leaves the history empty. */
        g_autoptr(GsTimeline) start = gs_timeline_new();
        gs_timeline_add_track(start, _("Voice"));
        gs_timeline_add_track(start, _("Music"));
        g_autoptr(JsonNode) node = gs_timeline_to_json(start);
        shown = gs_timeline_new_from_json(node, NULL);
    }
    stop_playback(self);
    if (self->timeline)
        g_signal_handlers_disconnect_by_data(self->timeline, self);
    g_set_object(&self->timeline, shown);
    g_signal_connect(self->timeline, "changed", G_CALLBACK(on_timeline_changed), self);
    gs_timeline_view_set_timeline(self->view, self->timeline);
    gs_timeline_view_set_playhead(self->view, 0);
    show_tracks(self);
    update_actions(self);
}

static void
on_selection_changed(GsTimelineView *view, GParamSpec *pspec, GsTimelinePage *self)
{
    update_actions(self);
}

static void
split_clip(GtkWidget *widget, const char *action, GVariant *param)
{
    GsTimelinePage *self = GS_TIMELINE_PAGE(widget);
    g_autoptr(GError) error = NULL;
    guint clip = gs_timeline_view_get_selected_clip(self->view);
    if (clip && !gs_timeline_split_clip(self->timeline, clip, gs_timeline_view_get_playhead(self->view), &error))
        gs_widget_toast(GTK_WIDGET(self), error->message);
}

static void
delete_clip(GtkWidget *widget, const char *action, GVariant *param)
{
    GsTimelinePage *self = GS_TIMELINE_PAGE(widget);
    guint clip = gs_timeline_view_get_selected_clip(self->view);
    if (clip)
        gs_timeline_delete_clip(self->timeline, clip, NULL);
}

static void
undo(GtkWidget *widget, const char *action, GVariant *param)
{
    gs_timeline_undo(GS_TIMELINE_PAGE(widget)->timeline);
}

static void
redo(GtkWidget *widget, const char *action, GVariant *param)
{
    gs_timeline_redo(GS_TIMELINE_PAGE(widget)->timeline);
}

static void
zoom(GtkWidget *widget, const char *action, GVariant *param)
{
    GsTimelineView *view = GS_TIMELINE_PAGE(widget)->view;
    double factor = g_str_equal(action, "timeline.zoom-in") ? 1.5 : 1 / 1.5;
    gs_timeline_view_set_zoom(view, gs_timeline_view_get_zoom(view) * factor);
}

/* Whether [from, to) is clear of clips on `track`. */
static gboolean
track_has_room(GsTimelinePage *self, guint track, double from, double to)
{
    guint n = 0;
    g_autofree guint *clips = gs_timeline_dup_clip_ids(self->timeline, track, &n);
    for (guint i = 0; i < n; i++) {
        GsTimelineClip clip;
        gs_timeline_get_clip(self->timeline, clips[i], &clip);
        if (clip.position < to && clip.position + (clip.out - clip.in) > from)
            return FALSE;
    }
    return TRUE;
}

/* The track called `name`, or with `name` NULL the first with room from
 * `start` to `end`; added when there is none. */
static guint
find_track(GsTimelinePage *self, const char *name, double start, double end)
{
    guint n = 0, track = 0;
    g_autofree guint *tracks = gs_timeline_dup_track_ids(self->timeline, &n);
    for (guint i = 0; i < n && !track; i++) {
        GsTimelineTrack info;
        if (name ? gs_timeline_get_track(self->timeline, tracks[i], &info) && g_strcmp0(info.name, name) == 0
                 : track_has_room(self, tracks[i], start, end))
            track = tracks[i];
    }
    if (!track) {
        g_autofree char *numbered = name ? NULL : g_strdup_printf(_("Track %u"), n + 1);
        track = gs_timeline_add_track(self->timeline, name ? name : numbered);
    }
    return track;
}

static guint
add_clip(GsTimelinePage *self, const char *track_name, const char *label, GBytes *audio)
{
    double at = gs_timeline_view_get_playhead(self->view);
    double seconds = (double)g_bytes_get_size(audio) / (GS_TIMELINE_CHANNELS * sizeof(float)) / GS_TIMELINE_RATE;
    guint track = find_track(self, track_name, at, at + seconds);
    /* Every clip brings its own audio: a random id never meets another. */
    g_autofree char *source_id = g_uuid_string_random();
    g_autoptr(GError) error = NULL;
    guint clip = gs_timeline_add_clip(self->timeline, track, source_id, label, audio, at, &error);
    if (!clip)
        gs_widget_toast(GTK_WIDGET(self), error->message);
    gs_timeline_view_set_selected_clip(self->view, clip);
    return clip;
}

guint
gs_timeline_page_add_clip_to_track(GsTimelinePage *self, const char *track_name, const char *label,
                                   const float *stereo44k, gsize frames)
{
    g_return_val_if_fail(GS_IS_TIMELINE_PAGE(self) && stereo44k && frames > 0, 0);
    g_autoptr(GBytes) audio = g_bytes_new(stereo44k, frames * GS_TIMELINE_CHANNELS * sizeof(float));
    return add_clip(self, track_name, label, audio);
}

void
gs_timeline_page_add_markers(GsTimelinePage *self, const GsTimelineMarker *markers, guint n_markers)
{
    g_return_if_fail(GS_IS_TIMELINE_PAGE(self) && (markers || n_markers == 0));
    double at = gs_timeline_view_get_playhead(self->view);
    g_autofree GsTimelineMarker *placed = g_new(GsTimelineMarker, n_markers ? n_markers : 1);
    for (guint i = 0; i < n_markers; i++)
        placed[i] = (GsTimelineMarker){ at + markers[i].time, markers[i].name };
    g_autoptr(GError) error = NULL;
    if (!gs_timeline_add_markers(self->timeline, placed, n_markers, &error))
        gs_widget_toast(GTK_WIDGET(self), error->message);
}

/* ---- import -------------------------------------------------------------- */

static void
decode_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    float *stereo = NULL;
    gsize frames = 0;
    GError *error = NULL;
    if (!gs_audio_decode(data, GS_TIMELINE_CHANNELS, GS_TIMELINE_RATE, &stereo, &frames, &error))
        g_task_return_error(task, error);
    else if (frames == 0) {
        g_free(stereo);
        g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s", _("The file holds no audio"));
    } else
        g_task_return_pointer(task, g_bytes_new_take(stereo, frames * GS_TIMELINE_CHANNELS * sizeof(float)),
                              (GDestroyNotify)g_bytes_unref);
}

static void
on_decoded(GObject *source, GAsyncResult *result, gpointer user_data)
{
    GsTimelinePage *self = GS_TIMELINE_PAGE(source);
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) audio = g_task_propagate_pointer(G_TASK(result), &error);
    if (!self->timeline)
        return;
    if (!audio) {
        gs_widget_toast(GTK_WIDGET(self), error->message);
        return;
    }
    g_autofree char *label = g_path_get_basename(g_task_get_task_data(G_TASK(result)));
    add_clip(self, NULL, label, audio);
}

/* GtkFileChooserNative: GTK 4.8 has no GtkFileDialog. */
static void
on_import_chosen(GtkNativeDialog *dialog, int response, GsTimelinePage *self)
{
    g_autoptr(GFile) file =
        response == GTK_RESPONSE_ACCEPT ? gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog)) : NULL;
    g_autofree char *path = file ? g_file_get_path(file) : NULL;
    if (file && !path)
        gs_widget_toast(GTK_WIDGET(self), _("Not a local file"));
    if (path && self->timeline) {
        g_autoptr(GTask) task = g_task_new(self, NULL, on_decoded, NULL);
        g_task_set_source_tag(task, on_import_chosen);
        g_task_set_task_data(task, g_steal_pointer(&path), g_free);
        g_task_run_in_thread(task, decode_thread);
    }
    g_object_unref(dialog);
    g_object_unref(self);
}

static void
choose_import_file(GtkWidget *widget, const char *action, GVariant *param)
{
    GtkRoot *root = gtk_widget_get_root(widget);
    GtkFileChooserNative *dialog =
        gtk_file_chooser_native_new(_("Import Audio"), GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL,
                                    GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
    g_autoptr(GtkFileFilter) filter = gtk_file_filter_new();
    gtk_file_filter_set_name(filter, _("Audio files"));
    gtk_file_filter_add_mime_type(filter, "audio/*");
    gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(dialog), filter);
    g_signal_connect(dialog, "response", G_CALLBACK(on_import_chosen), g_object_ref(widget));
    gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}

/* ---- export -------------------------------------------------------------- */

typedef struct {
    GsTimeline *copy;
    char *path;
    GsTimelinePage *page; /* for progress from the thread */
} Export;

static void
export_free(Export *export)
{
    g_object_unref(export->copy);
    g_object_unref(export->page);
    g_free(export->path);
    g_free(export);
}

typedef struct {
    GsTimelinePage *page;
    double fraction;
} Progress;

static gboolean
show_progress(gpointer data)
{
    Progress *progress = data;
    if (progress->page->progress_bar)
        gtk_progress_bar_set_fraction(progress->page->progress_bar, progress->fraction);
    g_object_unref(progress->page);
    g_free(progress);
    return G_SOURCE_REMOVE;
}

/* Called on the export thread. */
static void
on_export_progress(double fraction, gpointer user_data)
{
    Progress *progress = g_new(Progress, 1);
    progress->page = g_object_ref(user_data);
    progress->fraction = fraction;
    g_idle_add(show_progress, progress);
}

static void
export_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    Export *export = data;
    /* Tags stay in English, as the CLI writes them. */
    GsAudioTags tags = { .title = "Timeline mix", .model = GS_MIX_PROVENANCE_MODEL };
    GError *error = NULL;
    if (gs_timeline_export(export->copy, export->path, GS_TIMELINE_MIX_NONE, &tags, on_export_progress,
                           export->page, NULL, cancellable, &error))
        g_task_return_boolean(task, TRUE);
    else
        g_task_return_error(task, error);
}

static void
show_exports(GsTimelinePage *self)
{
    gtk_widget_set_visible(GTK_WIDGET(self->progress_bar), self->exports > 0);
    if (self->exports == 0)
        gtk_progress_bar_set_fraction(self->progress_bar, 0);
}

/* The page's own count of exports goes down once per task, whoever asked. */
static void
on_export_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
    GsTimelinePage *self = GS_TIMELINE_PAGE(source);
    GTask *outer = user_data;
    GError *error = NULL;
    if (self->progress_bar) {
        self->exports--;
        show_exports(self);
    }
    if (g_task_propagate_boolean(G_TASK(result), &error))
        g_task_return_boolean(outer, TRUE);
    else
        g_task_return_error(outer, error);
    g_object_unref(outer);
}

void
gs_timeline_page_export_async(GsTimelinePage *self, GFile *file, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
    g_return_if_fail(GS_IS_TIMELINE_PAGE(self) && G_IS_FILE(file));
    g_autoptr(GTask) outer = g_task_new(self, cancellable, callback, user_data);
    g_task_set_source_tag(outer, gs_timeline_page_export_async);
    g_autofree char *path = g_file_get_path(file);
    if (!path) {
        g_task_return_new_error(outer, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s", _("Not a local file"));
        return;
    }
    Export *export = g_new0(Export, 1);
    export->copy = gs_timeline_copy(self->timeline); /* editing goes on meanwhile */
    export->path = g_steal_pointer(&path);
    export->page = g_object_ref(self);
    g_autoptr(GTask) task = g_task_new(self, cancellable, on_export_done, g_steal_pointer(&outer));
    g_task_set_source_tag(task, export_thread);
    g_task_set_task_data(task, export, (GDestroyNotify)export_free);
    g_task_run_in_thread(task, export_thread);
    self->exports++;
    show_exports(self);
}

gboolean
gs_timeline_page_export_finish(GsTimelinePage *self, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
    return g_task_propagate_boolean(G_TASK(result), error);
}

static void
on_export_chosen(GtkWidget *widget, GFile *file, gpointer data)
{
    GsTimelinePage *self = GS_TIMELINE_PAGE(widget);
    if (self->timeline) /* NULL once the page is gone */
        gs_timeline_page_export_async(self, file, NULL, gs_widget_toast_export_result, (gpointer)_("Mix exported"));
}

static void
choose_export_file(GtkWidget *widget, const char *action, GVariant *param)
{
    gs_widget_choose_save_file(widget, _("Export Mix"), "genstudio-timeline.ogg", on_export_chosen, NULL, NULL);
}

/* ---- lifetime ------------------------------------------------------------ */

static void
gs_timeline_page_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
    GsTimelinePage *self = GS_TIMELINE_PAGE(object);
    switch (prop_id) {
    case PROP_LOOP:
        if (self->loop != g_value_get_boolean(value)) {
            self->loop = g_value_get_boolean(value);
            g_object_notify_by_pspec(object, pspec);
        }
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
gs_timeline_page_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    switch (prop_id) {
    case PROP_LOOP:
        g_value_set_boolean(value, GS_TIMELINE_PAGE(object)->loop);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
gs_timeline_page_dispose(GObject *object)
{
    GsTimelinePage *self = GS_TIMELINE_PAGE(object);
    if (self->player) {
        g_signal_handlers_disconnect_by_data(self->player, self);
        gs_audio_player_stop(self->player);
    }
    if (self->playhead_tick) {
        gtk_widget_remove_tick_callback(GTK_WIDGET(self->view), self->playhead_tick);
        self->playhead_tick = 0;
    }
    if (self->timeline)
        g_signal_handlers_disconnect_by_data(self->timeline, self);
    gtk_widget_dispose_template(GTK_WIDGET(self), GS_TYPE_TIMELINE_PAGE);
    g_clear_object(&self->player);
    g_clear_object(&self->timeline);
    G_OBJECT_CLASS(gs_timeline_page_parent_class)->dispose(object);
}

static void
gs_timeline_page_class_init(GsTimelinePageClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
    object_class->set_property = gs_timeline_page_set_property;
    object_class->get_property = gs_timeline_page_get_property;
    object_class->dispose = gs_timeline_page_dispose;
    properties[PROP_LOOP] = g_param_spec_boolean("loop", NULL, NULL, FALSE,
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties(object_class, N_PROPS, properties);

    g_type_ensure(GS_TYPE_TIMELINE_VIEW);
    gtk_widget_class_set_template_from_resource(widget_class, "/org/genstudio/GenStudio/gs-timeline-page.ui");
    gtk_widget_class_set_layout_manager_type(widget_class, GTK_TYPE_BIN_LAYOUT);
    gtk_widget_class_bind_template_child(widget_class, GsTimelinePage, box);
    gtk_widget_class_bind_template_child(widget_class, GsTimelinePage, header_box);
    gtk_widget_class_bind_template_child(widget_class, GsTimelinePage, view);
    gtk_widget_class_bind_template_child(widget_class, GsTimelinePage, play_button);
    gtk_widget_class_bind_template_child(widget_class, GsTimelinePage, time_label);
    gtk_widget_class_bind_template_child(widget_class, GsTimelinePage, progress_bar);
    gtk_widget_class_bind_template_callback(widget_class, on_view_seek);
    gtk_widget_class_bind_template_callback(widget_class, on_selection_changed);

    gtk_widget_class_install_action(widget_class, "timeline.toggle-play", NULL, toggle_play);
    gtk_widget_class_install_property_action(widget_class, "timeline.loop", "loop");
    gtk_widget_class_install_action(widget_class, "timeline.split", NULL, split_clip);
    gtk_widget_class_install_action(widget_class, "timeline.delete", NULL, delete_clip);
    gtk_widget_class_install_action(widget_class, "timeline.undo", NULL, undo);
    gtk_widget_class_install_action(widget_class, "timeline.redo", NULL, redo);
    gtk_widget_class_install_action(widget_class, "timeline.zoom-in", NULL, zoom);
    gtk_widget_class_install_action(widget_class, "timeline.zoom-out", NULL, zoom);
    gtk_widget_class_install_action(widget_class, "timeline.import", NULL, choose_import_file);
    gtk_widget_class_install_action(widget_class, "timeline.export", NULL, choose_export_file);

    /* Text fields take these keys first, so typing a track name is safe. */
    gtk_widget_class_add_binding_action(widget_class, GDK_KEY_space, 0, "timeline.toggle-play", NULL);
    gtk_widget_class_add_binding_action(widget_class, GDK_KEY_s, 0, "timeline.split", NULL);
    gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Delete, 0, "timeline.delete", NULL);
    gtk_widget_class_add_binding_action(widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "timeline.undo", NULL);
    gtk_widget_class_add_binding_action(widget_class, GDK_KEY_z, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "timeline.redo",
                                        NULL);
    gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Z, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "timeline.redo",
                                        NULL);
    gtk_widget_class_add_binding_action(widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "timeline.zoom-in", NULL);
    gtk_widget_class_add_binding_action(widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "timeline.zoom-out", NULL);
}

static void
gs_timeline_page_init(GsTimelinePage *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    /* Lines the first track's header up with the lane below the ruler. */
    GtkWidget *spacer = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 0);
    gtk_widget_set_size_request(spacer, -1, GS_TIMELINE_VIEW_RULER_HEIGHT);
    gtk_box_append(self->header_box, spacer);

    self->player = gs_audio_player_new();
    g_signal_connect(self->player, "finished", G_CALLBACK(on_playback_finished), self);
    g_signal_connect(self->player, "error", G_CALLBACK(on_playback_error), self);
    gs_timeline_page_set_timeline(self, NULL);
    show_playback(self);
}

GsTimeline *gs_timeline_page_get_timeline(GsTimelinePage *self) { return self->timeline; }
GsTimelineView *gs_timeline_page_get_view(GsTimelinePage *self) { return self->view; }
GsAudioPlayer *gs_timeline_page_get_player(GsTimelinePage *self) { return self->player; }
gboolean gs_timeline_page_get_playing(GsTimelinePage *self) { return self->playing; }
