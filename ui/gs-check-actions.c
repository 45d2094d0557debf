/* "Check a File…" ("provenance.*"): what genstudio-cli verify says about a
 * file, in a dialog. The check runs in a worker thread: decoding a long
 * recording takes a while.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gi18n.h>

#include "gs-verify.h"
#include "gs-window-private.h"

static void
verify_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    GString *report = g_string_new(NULL);
    GsVerifyResult result = gs_verify_file(data, report);
    g_object_set_data(G_OBJECT(task), "result", GINT_TO_POINTER(result));
    g_task_return_pointer(task, g_string_free(report, FALSE), g_free);
}

static void
on_verified(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autofree char *report = g_task_propagate_pointer(G_TASK(result), NULL);
    GsVerifyResult found = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(result), "result"));
    const char *heading = found == GS_VERIFY_FOUND  ? _("Made with GenStudio")
                          : found == GS_VERIFY_NONE ? _("No GenStudio Mark Found")
                                                    : _("Cannot Read This File");
    AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG(adw_message_dialog_new(GTK_WINDOW(source), heading, report));
    adw_message_dialog_add_response(dialog, "close", _("_Close"));
    gtk_widget_add_css_class(GTK_WIDGET(dialog), "provenance-report");
    gtk_window_present(GTK_WINDOW(dialog));
}

static void
check_path(GtkWidget *widget, const char *action, GVariant *param)
{
    g_autoptr(GTask) task = g_task_new(widget, NULL, on_verified, NULL);
    g_task_set_task_data(task, g_variant_dup_string(param, NULL), g_free);
    g_task_run_in_thread(task, verify_thread);
}

static void
on_chosen(GtkNativeDialog *dialog, int response, gpointer user_data)
{
    GtkWidget *self = GTK_WIDGET(gtk_native_dialog_get_transient_for(dialog));
    if (response == GTK_RESPONSE_ACCEPT) {
        g_autoptr(GFile) file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
        g_autofree char *path = g_file_get_path(file);
        if (path)
            gtk_widget_activate_action(self, "provenance.check-path", "s", path);
        else
            gs_window_toast(GS_WINDOW(self), _("Not a local file"));
    }
    g_object_unref(dialog);
}

static void
check_file(GtkWidget *widget, const char *action, GVariant *param)
{
    GtkFileChooserNative *dialog = gtk_file_chooser_native_new(_("Check a File for AI Provenance"), GTK_WINDOW(widget),
                                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Check"), _("_Cancel"));
    gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(dialog), TRUE);
    g_signal_connect(dialog, "response", G_CALLBACK(on_chosen), NULL);
    gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}

void
gs_window_install_check_actions(GtkWidgetClass *widget_class)
{
    gtk_widget_class_install_action(widget_class, "provenance.check-file", NULL, check_file);
    gtk_widget_class_install_action(widget_class, "provenance.check-path", "s", check_path);
}
