/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gi18n.h>

#include "gs-clone-dialog.h"
#include "gs-engine.h"
#include "gs-voice.h"

/* The meter's range: −60 dBFS (and below) to full scale. */
#define METER_FLOOR_DB (-60.0)

struct _GsCloneDialog {
    AdwWindow parent_instance;

    /* template */
    GtkStack *stack;
    AdwEntryRow *name_row;
    GtkLabel *name_error_label;
    GtkLabel *sentence_label, *countdown_label, *elapsed_label, *message_label;
    GtkLevelBar *level_bar;
    GtkProgressBar *progress;
    GtkWidget *retry_box, *try_again_button, *record_button;

    GsEngine *engine;
    GsAudioRecorder *recorder;
    GsCloneDialogState state;
    GsConsentRequest *request;
    GError *error;             /* what the message label shows */
    guint countdown_source;
    guint pulse_source;        /* while the check runs, before the fit reports */
    GCancellable *cancellable; /* the check and the fit */
};

G_DEFINE_FINAL_TYPE(GsCloneDialog, gs_clone_dialog, ADW_TYPE_WINDOW)

enum { SIGNAL_VOICE_ADDED, N_SIGNALS };
static guint signals[N_SIGNALS];

static gint64
now_seconds(void)
{
    return g_get_real_time() / G_USEC_PER_SEC;
}

/* Seconds the sentence stays valid; 0 once expired (or without one). */
static gint64
seconds_left(GsCloneDialog *self)
{
    if (!self->request)
        return 0;
    return MAX(0, self->request->issued + GS_CONSENT_LIFETIME_SECONDS - now_seconds());
}

/* A refusal that another recording cannot mend. */
static gboolean
needs_new_sentence(const GError *error)
{
    return g_error_matches(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_EXPIRED) ||
           g_error_matches(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_USED) ||
           g_error_matches(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_UNKNOWN_ID);
}

static void
update_actions(GsCloneDialog *self)
{
    gboolean valid = seconds_left(self) > 0;
    GtkWidget *widget = GTK_WIDGET(self);
    gtk_widget_action_set_enabled(widget, "clone.get-sentence", self->state == GS_CLONE_DIALOG_NAME);
    gtk_widget_action_set_enabled(widget, "clone.record", self->state == GS_CLONE_DIALOG_READY && valid);
    gtk_widget_action_set_enabled(widget, "clone.stop", self->state == GS_CLONE_DIALOG_RECORDING);
    gtk_widget_action_set_enabled(widget, "clone.try-again",
                                  self->state == GS_CLONE_DIALOG_REFUSED && valid && !needs_new_sentence(self->error));
    gtk_widget_action_set_enabled(widget, "clone.new-sentence",
                                  self->state == GS_CLONE_DIALOG_REFUSED || self->state == GS_CLONE_DIALOG_READY);
    gtk_widget_set_visible(self->retry_box, self->state == GS_CLONE_DIALOG_REFUSED);
    gtk_widget_set_visible(self->try_again_button, valid && !needs_new_sentence(self->error));
}

/* Shows `error` (taken; NULL hides the message). */
static void
show_error(GsCloneDialog *self, GError *error)
{
    g_clear_error(&self->error);
    self->error = error;
    gtk_label_set_text(self->message_label, error ? error->message : "");
    gtk_widget_set_visible(GTK_WIDGET(self->message_label), error != NULL);
}

static void
set_state(GsCloneDialog *self, GsCloneDialogState state)
{
    self->state = state;
    gtk_stack_set_visible_child_name(self->stack, state == GS_CLONE_DIALOG_NAME ? "name" : "record");
    gtk_widget_set_visible(GTK_WIDGET(self->progress), state == GS_CLONE_DIALOG_CHECKING);
    if (state != GS_CLONE_DIALOG_CHECKING)
        g_clear_handle_id(&self->pulse_source, g_source_remove);
    update_actions(self);
}

static void
show_elapsed(GsCloneDialog *self, double seconds)
{
    g_autofree char *text = g_strdup_printf(_("%.1f s of %.0f–%.0f s"), seconds, GS_CONSENT_MIN_SECONDS,
                                            GS_CONSENT_MAX_SECONDS);
    gtk_label_set_text(self->elapsed_label, text);
}

/* ---- the sentence and its lifetime -------------------------------------- */

static gboolean
tick_countdown(gpointer user_data)
{
    GsCloneDialog *self = user_data;
    gint64 left = seconds_left(self);
    if (left > 0) {
        g_autofree char *text = g_strdup_printf(_("Valid for %d:%02d"), (int)(left / 60), (int)(left % 60));
        gtk_label_set_text(self->countdown_label, text);
    } else {
        gtk_label_set_text(self->countdown_label, _("This sentence has expired: ask for a new one"));
    }
    update_actions(self);
    return G_SOURCE_CONTINUE;
}

static void
get_sentence(GtkWidget *widget, const char *action, GVariant *param)
{
    GsCloneDialog *self = GS_CLONE_DIALOG(widget);
    g_autofree char *ledger = gs_consent_default_ledger_path();
    g_autoptr(GError) error = NULL;
    g_autofree char *name = g_strstrip(g_strdup(gtk_editable_get_text(GTK_EDITABLE(self->name_row))));
    g_autoptr(GsConsentRequest) request = gs_consent_issue(ledger, name, now_seconds(), &error);
    gtk_label_set_text(self->name_error_label, error ? error->message : "");
    gtk_widget_set_visible(GTK_WIDGET(self->name_error_label), error != NULL);
    if (!request)
        return;
    g_clear_pointer(&self->request, gs_consent_request_free);
    self->request = g_steal_pointer(&request);
    gtk_label_set_text(self->sentence_label, self->request->sentence);
    gtk_level_bar_set_value(self->level_bar, 0);
    show_elapsed(self, 0);
    show_error(self, NULL);
    set_state(self, GS_CLONE_DIALOG_READY);
    /* Not the sentence: a focused selectable label shows itself all selected. */
    gtk_widget_grab_focus(self->record_button);
    gtk_label_select_region(self->sentence_label, 0, 0);
    tick_countdown(self);
    if (!self->countdown_source)
        self->countdown_source = g_timeout_add_seconds(1, tick_countdown, self);
}

static void
on_name_activated(AdwEntryRow *row, GsCloneDialog *self)
{
    gtk_widget_activate_action(GTK_WIDGET(self), "clone.get-sentence", NULL);
}

static void
new_sentence(GtkWidget *widget, const char *action, GVariant *param)
{
    GsCloneDialog *self = GS_CLONE_DIALOG(widget);
    g_clear_pointer(&self->request, gs_consent_request_free);
    g_clear_handle_id(&self->countdown_source, g_source_remove);
    show_error(self, NULL);
    set_state(self, GS_CLONE_DIALOG_NAME);
    gtk_widget_grab_focus(GTK_WIDGET(self->name_row));
}

/* ---- recording ------------------------------------------------------------ */

static void
on_level(GsAudioRecorder *recorder, double peak, double rms, GsCloneDialog *self)
{
    gtk_level_bar_set_value(self->level_bar, CLAMP((peak - METER_FLOOR_DB) / -METER_FLOOR_DB, 0.0, 1.0));
    show_elapsed(self, gs_audio_recorder_get_seconds(recorder));
}

static void
on_recorder_error(GsAudioRecorder *recorder, GError *error, GsCloneDialog *self)
{
    gsize count = 0;
    g_free(gs_audio_recorder_stop(recorder, &count)); /* a recording cut short is not checked */
    gtk_level_bar_set_value(self->level_bar, 0);
    show_error(self, g_error_new(error->domain, error->code, _("The microphone failed: %s"), error->message));
    if (self->state == GS_CLONE_DIALOG_RECORDING)
        set_state(self, GS_CLONE_DIALOG_READY);
}

static void
record(GtkWidget *widget, const char *action, GVariant *param)
{
    GsCloneDialog *self = GS_CLONE_DIALOG(widget);
    GError *error = NULL;
    show_error(self, NULL);
    if (!gs_audio_recorder_start(self->recorder, &error)) {
        g_prefix_error(&error, _("The microphone cannot record: "));
        show_error(self, error);
        return;
    }
    show_elapsed(self, 0);
    set_state(self, GS_CLONE_DIALOG_RECORDING);
}

static gboolean
pulse(gpointer user_data)
{
    gtk_progress_bar_pulse(GS_CLONE_DIALOG(user_data)->progress);
    return G_SOURCE_CONTINUE;
}

static void
on_clone_progress(double fraction, gpointer user_data)
{
    GsCloneDialog *self = user_data;
    if (self->state != GS_CLONE_DIALOG_CHECKING)
        return;
    g_clear_handle_id(&self->pulse_source, g_source_remove);
    gtk_progress_bar_set_fraction(self->progress, fraction);
    gtk_progress_bar_set_text(self->progress, _("Consent heard: fitting the voice…"));
}

static void
on_cloned(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(GsCloneDialog) self = user_data;
    GError *error = NULL;
    g_autofree char *path = gs_engine_clone_voice_finish(GS_ENGINE(source), result, &error);
    if (!self->recorder || self->state != GS_CLONE_DIALOG_CHECKING) { /* closed meanwhile */
        g_clear_error(&error);
        return;
    }
    g_clear_object(&self->cancellable);
    if (!path) {
        if (error->domain != GS_CONSENT_ERROR)
            g_prefix_error(&error, _("No voice was made: "));
        show_error(self, error);
        set_state(self, GS_CLONE_DIALOG_REFUSED);
        return;
    }
    g_signal_emit(self, signals[SIGNAL_VOICE_ADDED], 0, self->request->name, path);
    gtk_window_destroy(GTK_WINDOW(self));
}

/* Stops recording and hands the recording to the check and the fit. */
static void
finish_recording(GsCloneDialog *self)
{
    gsize count = 0;
    float *samples = gs_audio_recorder_stop(self->recorder, &count);
    gtk_level_bar_set_value(self->level_bar, 0);
    show_elapsed(self, (double)count / GS_CONSENT_RATE);
    g_autoptr(GBytes) recording = g_bytes_new_take(samples, count * sizeof(float));
    set_state(self, GS_CLONE_DIALOG_CHECKING);
    gtk_progress_bar_set_text(self->progress, _("Listening to the recording…"));
    gtk_progress_bar_set_fraction(self->progress, 0);
    self->pulse_source = g_timeout_add(100, pulse, self);
    g_autofree char *ledger = gs_consent_default_ledger_path();
    g_autofree char *voices = gs_voices_dir();
    self->cancellable = g_cancellable_new();
    gs_engine_clone_voice_async(self->engine, ledger, self->request->id, recording, voices, on_clone_progress, self,
                                self->cancellable, on_cloned, g_object_ref(self));
}

static void
stop(GtkWidget *widget, const char *action, GVariant *param)
{
    GsCloneDialog *self = GS_CLONE_DIALOG(widget);
    if (self->state == GS_CLONE_DIALOG_RECORDING)
        finish_recording(self);
}

static void
on_limit_reached(GsAudioRecorder *recorder, GsCloneDialog *self)
{
    if (self->state == GS_CLONE_DIALOG_RECORDING)
        finish_recording(self);
}

static void
try_again(GtkWidget *widget, const char *action, GVariant *param)
{
    GsCloneDialog *self = GS_CLONE_DIALOG(widget);
    show_error(self, NULL);
    show_elapsed(self, 0);
    set_state(self, GS_CLONE_DIALOG_READY);
}

/* ---- lifetime ------------------------------------------------------------ */

static void
gs_clone_dialog_dispose(GObject *object)
{
    GsCloneDialog *self = GS_CLONE_DIALOG(object);
    if (self->cancellable)
        g_cancellable_cancel(self->cancellable);
    g_clear_object(&self->cancellable);
    g_clear_handle_id(&self->countdown_source, g_source_remove);
    g_clear_handle_id(&self->pulse_source, g_source_remove);
    if (self->recorder) {
        g_signal_handlers_disconnect_by_data(self->recorder, self);
        gsize count = 0;
        g_free(gs_audio_recorder_stop(self->recorder, &count));
    }
    gtk_widget_dispose_template(GTK_WIDGET(self), GS_TYPE_CLONE_DIALOG);
    g_clear_object(&self->recorder);
    g_clear_object(&self->engine);
    g_clear_pointer(&self->request, gs_consent_request_free);
    g_clear_error(&self->error);
    G_OBJECT_CLASS(gs_clone_dialog_parent_class)->dispose(object);
}

static void
gs_clone_dialog_class_init(GsCloneDialogClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
    object_class->dispose = gs_clone_dialog_dispose;

    gtk_widget_class_set_template_from_resource(widget_class, "/org/genstudio/GenStudio/gs-clone-dialog.ui");
    gtk_widget_class_bind_template_child(widget_class, GsCloneDialog, stack);
    gtk_widget_class_bind_template_child(widget_class, GsCloneDialog, name_row);
    gtk_widget_class_bind_template_child(widget_class, GsCloneDialog, name_error_label);
    gtk_widget_class_bind_template_child(widget_class, GsCloneDialog, sentence_label);
    gtk_widget_class_bind_template_child(widget_class, GsCloneDialog, countdown_label);
    gtk_widget_class_bind_template_child(widget_class, GsCloneDialog, elapsed_label);
    gtk_widget_class_bind_template_child(widget_class, GsCloneDialog, message_label);
    gtk_widget_class_bind_template_child(widget_class, GsCloneDialog, level_bar);
    gtk_widget_class_bind_template_child(widget_class, GsCloneDialog, progress);
    gtk_widget_class_bind_template_child(widget_class, GsCloneDialog, retry_box);
    gtk_widget_class_bind_template_child(widget_class, GsCloneDialog, try_again_button);
    gtk_widget_class_bind_template_child(widget_class, GsCloneDialog, record_button);
    gtk_widget_class_bind_template_callback(widget_class, on_name_activated);

    gtk_widget_class_install_action(widget_class, "clone.get-sentence", NULL, get_sentence);
    gtk_widget_class_install_action(widget_class, "clone.record", NULL, record);
    gtk_widget_class_install_action(widget_class, "clone.stop", NULL, stop);
    gtk_widget_class_install_action(widget_class, "clone.try-again", NULL, try_again);
    gtk_widget_class_install_action(widget_class, "clone.new-sentence", NULL, new_sentence);
    gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

    signals[SIGNAL_VOICE_ADDED] = g_signal_new("voice-added", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                               NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
gs_clone_dialog_init(GsCloneDialog *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    self->engine = gs_engine_dup_default();
    self->recorder = gs_audio_recorder_new();
    g_signal_connect(self->recorder, "level", G_CALLBACK(on_level), self);
    g_signal_connect(self->recorder, "error", G_CALLBACK(on_recorder_error), self);
    g_signal_connect(self->recorder, "limit-reached", G_CALLBACK(on_limit_reached), self);
    /* The meter is a level, not a goal: no "low" warning colour. */
    gtk_level_bar_remove_offset_value(self->level_bar, GTK_LEVEL_BAR_OFFSET_LOW);
    set_state(self, GS_CLONE_DIALOG_NAME);
}

GsCloneDialog *
gs_clone_dialog_new(GtkWindow *parent)
{
    return g_object_new(GS_TYPE_CLONE_DIALOG, "transient-for", parent, NULL);
}

GsCloneDialogState gs_clone_dialog_get_state(GsCloneDialog *self) { return self->state; }
const GsConsentRequest *gs_clone_dialog_get_request(GsCloneDialog *self) { return self->request; }
const GError *gs_clone_dialog_get_error(GsCloneDialog *self) { return self->error; }
GsAudioRecorder *gs_clone_dialog_get_recorder(GsCloneDialog *self) { return self->recorder; }
