/* The project's actions ("project.*"): New, Open, Save, Save As, their
 * shortcuts, and the question before unsaved changes would go.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gi18n.h>

#include "gs-window-private.h"

/* Toast titles are markup; error messages, with their file names, are not.
 * The error of what was just asked for goes before older news. */
static void
toast_error(GsWindow *self, const GError *error)
{
    g_autofree char *escaped = g_markup_escape_text(error->message, -1);
    AdwToast *toast = adw_toast_new(escaped);
    adw_toast_set_priority(toast, ADW_TOAST_PRIORITY_HIGH);
    gs_window_add_toast(self, toast);
}

/* ---- file choosers (GtkFileChooserNative: GTK 4.8 has no GtkFileDialog) -- */

static GtkFileChooserNative *
project_chooser(GsWindow *self, const char *title, GtkFileChooserAction mode, const char *accept)
{
    GtkFileChooserNative *dialog = gtk_file_chooser_native_new(title, GTK_WINDOW(self), mode, accept, _("_Cancel"));
    gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(dialog), TRUE);
    g_autoptr(GtkFileFilter) filter = gtk_file_filter_new();
    gtk_file_filter_set_name(filter, _("GenStudio Projects"));
    gtk_file_filter_add_pattern(filter, "*" GS_PROJECT_EXTENSION);
    gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(dialog), filter);
    return dialog;
}

static void
on_open_chosen(GtkNativeDialog *dialog, int response, gpointer user_data)
{
    GtkWidget *self = GTK_WIDGET(gtk_native_dialog_get_transient_for(dialog));
    if (response == GTK_RESPONSE_ACCEPT) {
        g_autoptr(GFile) file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
        g_autofree char *path = g_file_get_path(file);
        if (path)
            gtk_widget_activate_action(self, "project.open-file", "s", path);
        else
            gs_window_toast(GS_WINDOW(self), _("Not a local file"));
    }
    g_object_unref(dialog);
}

static void
choose_open_file(GsWindow *self)
{
    GtkFileChooserNative *dialog =
        project_chooser(self, _("Open Project"), GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"));
    g_signal_connect(dialog, "response", G_CALLBACK(on_open_chosen), NULL);
    gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}

static gboolean
save_to(GsWindow *self, const char *path)
{
    g_autoptr(GError) error = NULL;
    if (gs_window_save_project(self, path, &error))
        return TRUE;
    toast_error(self, error);
    return FALSE;
}

static void
on_save_chosen(GtkNativeDialog *dialog, int response, gpointer user_data)
{
    GsWindow *self = GS_WINDOW(gtk_native_dialog_get_transient_for(dialog));
    GsWindowThen then = user_data;
    if (response == GTK_RESPONSE_ACCEPT) {
        g_autoptr(GFile) file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
        g_autofree char *chosen = g_file_get_path(file);
        /* The extension is what the Open dialog's filter looks for. */
        g_autofree char *path = chosen && !g_str_has_suffix(chosen, GS_PROJECT_EXTENSION)
                                    ? g_strconcat(chosen, GS_PROJECT_EXTENSION, NULL)
                                    : g_strdup(chosen);
        if (!path)
            gs_window_toast(self, _("Not a local file"));
        else if (save_to(self, path) && then)
            then(self);
    }
    g_object_unref(dialog);
}

static void
choose_save_file(GsWindow *self, GsWindowThen then)
{
    GtkFileChooserNative *dialog =
        project_chooser(self, _("Save Project"), GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"));
    const char *path = gs_project_get_path(gs_window_get_project(self));
    if (path) {
        g_autoptr(GFile) file = g_file_new_for_path(path);
        gtk_file_chooser_set_file(GTK_FILE_CHOOSER(dialog), file, NULL);
    } else {
        g_autofree char *name = g_strconcat(_("Untitled"), GS_PROJECT_EXTENSION, NULL);
        gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(dialog), name);
    }
    g_signal_connect(dialog, "response", G_CALLBACK(on_save_chosen), then);
    gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}

/* Saves where the project was saved before, else asks where. */
static void
save(GsWindow *self, GsWindowThen then)
{
    const char *path = gs_project_get_path(gs_window_get_project(self));
    if (!path)
        choose_save_file(self, then);
    else if (save_to(self, path) && then)
        then(self);
}

/* ---- unsaved changes ------------------------------------------------------ */

static void
on_unsaved_response(AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
    GsWindow *self = GS_WINDOW(gtk_window_get_transient_for(GTK_WINDOW(dialog)));
    GsWindowThen then = user_data;
    if (g_str_equal(response, "save")) {
        save(self, then);
    } else if (g_str_equal(response, "discard")) {
        /* Chosen, so not to be offered again at the next start. */
        gs_window_discard_recovery(self);
        then(self);
    }
}

void
gs_window_confirm_unsaved(GsWindow *self, GsWindowThen then)
{
    if (!gs_project_get_dirty(gs_window_get_project(self))) {
        then(self);
        return;
    }
    GtkWidget *dialog = adw_message_dialog_new(GTK_WINDOW(self), _("Save changes?"),
                                               _("The project has unsaved changes. Discarded changes are lost."));
    adw_message_dialog_add_responses(ADW_MESSAGE_DIALOG(dialog), "cancel", _("_Cancel"), "discard", _("_Discard"),
                                     "save", _("_Save"), NULL);
    adw_message_dialog_set_response_appearance(ADW_MESSAGE_DIALOG(dialog), "discard", ADW_RESPONSE_DESTRUCTIVE);
    adw_message_dialog_set_response_appearance(ADW_MESSAGE_DIALOG(dialog), "save", ADW_RESPONSE_SUGGESTED);
    adw_message_dialog_set_default_response(ADW_MESSAGE_DIALOG(dialog), "save");
    adw_message_dialog_set_close_response(ADW_MESSAGE_DIALOG(dialog), "cancel");
    g_signal_connect(dialog, "response", G_CALLBACK(on_unsaved_response), then);
    gtk_window_present(GTK_WINDOW(dialog));
}

/* ---- actions -------------------------------------------------------------- */

static void
new_project(GtkWidget *widget, const char *action, GVariant *param)
{
    gs_window_confirm_unsaved(GS_WINDOW(widget), gs_window_new_project);
}

static void
open_project(GtkWidget *widget, const char *action, GVariant *param)
{
    gs_window_confirm_unsaved(GS_WINDOW(widget), choose_open_file);
}

/* Opens the path as is: whoever activates it asked about unsaved changes. */
static void
open_file(GtkWidget *widget, const char *action, GVariant *param)
{
    const char *path = g_variant_get_string(param, NULL);
    g_autoptr(GError) error = NULL;
    if (!gs_window_open_project(GS_WINDOW(widget), path, &error))
        toast_error(GS_WINDOW(widget), error);
}

static void
save_project(GtkWidget *widget, const char *action, GVariant *param)
{
    save(GS_WINDOW(widget), NULL);
}

static void
save_project_as(GtkWidget *widget, const char *action, GVariant *param)
{
    choose_save_file(GS_WINDOW(widget), NULL);
}

void
gs_window_install_project_actions(GtkWidgetClass *widget_class)
{
    gtk_widget_class_install_action(widget_class, "project.new", NULL, new_project);
    gtk_widget_class_install_action(widget_class, "project.open", NULL, open_project);
    gtk_widget_class_install_action(widget_class, "project.open-file", "s", open_file);
    gtk_widget_class_install_action(widget_class, "project.save", NULL, save_project);
    gtk_widget_class_install_action(widget_class, "project.save-as", NULL, save_project_as);
    /* Ctrl+S is the Image workspace's Save Image. */
    gtk_widget_class_add_binding_action(widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "project.new", NULL);
    gtk_widget_class_add_binding_action(widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "project.open", NULL);
    gtk_widget_class_add_binding_action(widget_class, GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "project.save",
                                        NULL);
}
