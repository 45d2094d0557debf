/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gi18n.h>

#include "gs-page-utils.h"
#include "gs-playback.h"

struct _GsPlayback {
    GObject parent_instance;

    GsAudioPlayer *player;
    GsWaveform *waveform;
    GObject *item;  /* what the player plays, or NULL */
    GObject *shown; /* what the waveform shows */
    double offset;  /* seconds into the item where the player's samples begin */
    guint playhead_tick;
};

G_DEFINE_FINAL_TYPE(GsPlayback, gs_playback, G_TYPE_OBJECT)

enum { PROP_0, PROP_ITEM, N_PROPS };
static GParamSpec *properties[N_PROPS];

static gboolean
on_playhead_tick(GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
    GsPlayback *self = user_data;
    gboolean shown = self->item && self->item == self->shown;
    gs_waveform_set_playhead(self->waveform, shown ? gs_playback_get_position(self) : -1);
    return G_SOURCE_CONTINUE;
}

/* The playhead moves while something plays. */
static void
show_playhead(GsPlayback *self)
{
    if (self->item && !self->playhead_tick) {
        self->playhead_tick =
            gtk_widget_add_tick_callback(GTK_WIDGET(self->waveform), on_playhead_tick, self, NULL);
    } else if (!self->item && self->playhead_tick) {
        gtk_widget_remove_tick_callback(GTK_WIDGET(self->waveform), self->playhead_tick);
        self->playhead_tick = 0;
        gs_waveform_set_playhead(self->waveform, -1);
    }
}

static void
set_item(GsPlayback *self, GObject *item)
{
    if (g_set_object(&self->item, item))
        g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_ITEM]);
}

static void
on_playing_changed(GsAudioPlayer *player, GParamSpec *pspec, GsPlayback *self)
{
    if (!gs_audio_player_is_playing(player))
        set_item(self, NULL);
    show_playhead(self);
}

static void
on_playback_error(GsAudioPlayer *player, GError *error, GsPlayback *self)
{
    gs_widget_toast(GTK_WIDGET(self->waveform), error->message);
}

GsPlayback *
gs_playback_new(GsWaveform *waveform)
{
    g_return_val_if_fail(GS_IS_WAVEFORM(waveform), NULL);
    GsPlayback *self = g_object_new(GS_TYPE_PLAYBACK, NULL);
    self->waveform = g_object_ref(waveform);
    return self;
}

GsAudioPlayer *
gs_playback_get_player(GsPlayback *self)
{
    return self->player;
}

GObject *
gs_playback_get_item(GsPlayback *self)
{
    return self->item;
}

void
gs_playback_set_shown(GsPlayback *self, GObject *item)
{
    g_set_object(&self->shown, item);
}

void
gs_playback_play(GsPlayback *self, GObject *item, const float *samples, gsize frames, int channels, int rate,
                 double offset)
{
    /* Whoever follows "item" hears of it once, when the outcome is known. */
    g_object_freeze_notify(G_OBJECT(self));
    /* Set first: starting may notify "playing" at once. */
    set_item(self, item);
    self->offset = offset;
    g_autoptr(GError) error = NULL;
    if (!gs_audio_player_play(self->player, samples, frames, channels, rate, &error))
        gs_widget_toast(GTK_WIDGET(self->waveform), error->message);
    if (!gs_audio_player_is_playing(self->player))
        set_item(self, NULL);
    show_playhead(self); /* switching items does not notify */
    g_object_thaw_notify(G_OBJECT(self));
}

void
gs_playback_stop(GsPlayback *self)
{
    gs_audio_player_stop(self->player);
    set_item(self, NULL);
    show_playhead(self);
}

double
gs_playback_get_position(GsPlayback *self)
{
    return self->offset + gs_audio_player_get_position(self->player);
}

void
gs_playback_show_button_state(GtkButton *button, gboolean playing)
{
    const char *label = playing ? _("Stop") : _("Play");
    gtk_button_set_icon_name(button, playing ? "media-playback-stop-symbolic" : "media-playback-start-symbolic");
    gtk_widget_set_tooltip_text(GTK_WIDGET(button), label);
    gtk_accessible_update_property(GTK_ACCESSIBLE(button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
gs_playback_dispose(GObject *object)
{
    GsPlayback *self = GS_PLAYBACK(object);
    if (self->player) {
        g_signal_handlers_disconnect_by_data(self->player, self);
        gs_audio_player_stop(self->player);
    }
    if (self->playhead_tick) {
        gtk_widget_remove_tick_callback(GTK_WIDGET(self->waveform), self->playhead_tick);
        self->playhead_tick = 0;
    }
    g_clear_object(&self->player);
    g_clear_object(&self->waveform);
    g_clear_object(&self->item);
    g_clear_object(&self->shown);
    G_OBJECT_CLASS(gs_playback_parent_class)->dispose(object);
}

static void
gs_playback_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    GsPlayback *self = GS_PLAYBACK(object);
    switch (prop_id) {
    case PROP_ITEM:
        g_value_set_object(value, self->item);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
gs_playback_class_init(GsPlaybackClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    object_class->dispose = gs_playback_dispose;
    object_class->get_property = gs_playback_get_property;
    properties[PROP_ITEM] =
        g_param_spec_object("item", NULL, NULL, G_TYPE_OBJECT, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties(object_class, N_PROPS, properties);
}

static void
gs_playback_init(GsPlayback *self)
{
    self->player = gs_audio_player_new();
    g_signal_connect(self->player, "notify::playing", G_CALLBACK(on_playing_changed), self);
    g_signal_connect(self->player, "error", G_CALLBACK(on_playback_error), self);
}
