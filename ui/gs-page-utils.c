/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gi18n.h>

#include <adwaita.h>

#include "gs-page-utils.h"

void
gs_widget_toast(GtkWidget *widget, const char *message)
{
    GtkWidget *overlay = gtk_widget_get_ancestor(widget, ADW_TYPE_TOAST_OVERLAY);
    if (overlay)
        adw_toast_overlay_add_toast(ADW_TOAST_OVERLAY(overlay), adw_toast_new(message));
    else
        g_message("%s", message);
}

void
gs_widget_add_generate_shortcut(GtkWidget *widget, const char *action_name)
{
    GtkEventController *controller = gtk_shortcut_controller_new();
    gtk_event_controller_set_propagation_phase(controller, GTK_PHASE_CAPTURE);
    const guint keys[] = { GDK_KEY_Return, GDK_KEY_KP_Enter };
    for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
        gtk_shortcut_controller_add_shortcut(GTK_SHORTCUT_CONTROLLER(controller),
                                             gtk_shortcut_new(gtk_keyval_trigger_new(keys[i], GDK_CONTROL_MASK),
                                                              gtk_named_action_new(action_name)));
    gtk_widget_add_controller(widget, controller);
}

/* ---- the Save dialog ----------------------------------------------------- */

typedef struct {
    GtkWidget *widget;
    GsSaveFileChosen chosen;
    gpointer data;
    GDestroyNotify destroy;
} SaveRequest;

static void
save_request_free(SaveRequest *request)
{
    g_object_unref(request->widget);
    if (request->destroy)
        request->destroy(request->data);
    g_free(request);
}

static void
on_save_file_chosen(GtkNativeDialog *dialog, int response, gpointer user_data)
{
    SaveRequest *request = g_object_get_data(G_OBJECT(dialog), "request");
    if (response == GTK_RESPONSE_ACCEPT) {
        g_autoptr(GFile) file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
        request->chosen(request->widget, file, request->data);
    }
    g_object_unref(dialog);
}

/* GtkFileChooserNative: GTK 4.8 has no GtkFileDialog. */
void
gs_widget_choose_save_file(GtkWidget *widget, const char *title, const char *name, GsSaveFileChosen chosen,
                           gpointer data, GDestroyNotify destroy)
{
    GtkRoot *root = gtk_widget_get_root(widget);
    GtkFileChooserNative *dialog =
        gtk_file_chooser_native_new(title, GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL,
                                    GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
    gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(dialog), name);
    SaveRequest *request = g_new0(SaveRequest, 1);
    request->widget = g_object_ref(widget);
    request->chosen = chosen;
    request->data = data;
    request->destroy = destroy;
    g_object_set_data_full(G_OBJECT(dialog), "request", request, (GDestroyNotify)save_request_free);
    g_signal_connect(dialog, "response", G_CALLBACK(on_save_file_chosen), NULL);
    gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}

/* ---- audio export -------------------------------------------------------- */

typedef struct {
    char *path;
    GBytes *samples;
    int channels, rate;
    char *title, *artist, *comment;
} AudioExport;

static void
audio_export_free(AudioExport *export)
{
    g_free(export->path);
    g_bytes_unref(export->samples);
    g_free(export->title);
    g_free(export->artist);
    g_free(export->comment);
    g_free(export);
}

static void
export_audio_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    AudioExport *export = data;
    gsize size;
    const float *samples = g_bytes_get_data(export->samples, &size);
    GsAudioTags tags = { .title = export->title, .artist = export->artist, .comment = export->comment };
    GError *error = NULL;
    if (gs_audio_export(export->path, samples, size / (export->channels * sizeof(float)), export->channels,
                        export->rate, &tags, NULL, NULL, cancellable, &error))
        g_task_return_boolean(task, TRUE);
    else
        g_task_return_error(task, error);
}

void
gs_widget_export_audio_async(GtkWidget *widget, GFile *file, GBytes *samples, int channels, int rate,
                             const GsAudioTags *tags, GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
    g_return_if_fail(GTK_IS_WIDGET(widget) && G_IS_FILE(file) && samples && tags);
    g_autoptr(GTask) task = g_task_new(widget, cancellable, callback, user_data);
    g_task_set_source_tag(task, gs_widget_export_audio_async);
    g_autofree char *path = g_file_get_path(file);
    if (!path) {
        g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s", _("Not a local file"));
        return;
    }
    AudioExport *export = g_new0(AudioExport, 1);
    export->path = g_steal_pointer(&path);
    export->samples = g_bytes_ref(samples);
    export->channels = channels;
    export->rate = rate;
    export->title = g_strdup(tags->title);
    export->artist = g_strdup(tags->artist);
    export->comment = g_strdup(tags->comment);
    g_task_set_task_data(task, export, (GDestroyNotify)audio_export_free);
    g_task_run_in_thread(task, export_audio_thread);
}

gboolean
gs_widget_export_audio_finish(GtkWidget *widget, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, widget), FALSE);
    return g_task_propagate_boolean(G_TASK(result), error);
}

void
gs_widget_toast_export_result(GObject *widget, GAsyncResult *result, gpointer done_message)
{
    g_autoptr(GError) error = NULL;
    if (gs_widget_export_audio_finish(GTK_WIDGET(widget), result, &error))
        gs_widget_toast(GTK_WIDGET(widget), done_message);
    else
        gs_widget_toast(GTK_WIDGET(widget), error->message);
}
