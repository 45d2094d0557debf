/* The model chooser's actions ("model.*"): the file choosers and the
 * questions before adding or removing a model.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gi18n.h>

#include "gs-model-chooser-private.h"
#include "gs-page-utils.h"

/* ---- file choosers (GtkFileChooserNative: GTK 4.8 has no GtkFileDialog) -- */

typedef void (*ChosenFunc)(GsModelChooser *self, GFile *file);

static void
on_chooser_response(GtkNativeDialog *dialog, int response, gpointer user_data)
{
    GsModelChooser *self = g_object_get_data(G_OBJECT(dialog), "chooser");
    ChosenFunc chosen = user_data;
    if (response == GTK_RESPONSE_ACCEPT) {
        g_autoptr(GFile) file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
        if (file)
            chosen(self, file);
    }
    g_object_unref(dialog);
}

static GtkFileFilter *
filter_new(const char *name, const char *const *patterns)
{
    GtkFileFilter *filter = gtk_file_filter_new();
    gtk_file_filter_set_name(filter, name);
    for (; *patterns; patterns++)
        gtk_file_filter_add_pattern(filter, *patterns);
    return filter;
}

/* `patterns` NULL: any file. */
static void
choose_file(GsModelChooser *self, const char *title, GtkFileChooserAction action, const char *filter_name,
            const char *const *patterns, ChosenFunc chosen)
{
    GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(self));
    GtkFileChooserNative *dialog = gtk_file_chooser_native_new(
        title, GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL, action, _("_Add"), _("_Cancel"));
    gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(dialog), TRUE);
    if (patterns) {
        g_autoptr(GtkFileFilter) filter = filter_new(filter_name, patterns);
        gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(dialog), filter);
        const char *any[] = { "*", NULL };
        g_autoptr(GtkFileFilter) all = filter_new(_("All files"), any);
        gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(dialog), all);
    }
    g_object_set_data_full(G_OBJECT(dialog), "chooser", g_object_ref(self), g_object_unref);
    g_signal_connect(dialog, "response", G_CALLBACK(on_chooser_response), chosen);
    gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}

/* A diffusers folder can be chosen through its model_index.json, and
 * tokenizer files through vocab.json: one file chooser serves both. */
static GFile *
folder_of_marker(GFile *file)
{
    g_autofree char *base = g_file_get_basename(file);
    if (g_str_equal(base, "model_index.json") || g_str_equal(base, "vocab.json"))
        return g_file_get_parent(file);
    return g_object_ref(file);
}

/* ---- adding ----------------------------------------------------------------- */

static void
on_add_response(AdwMessageDialog *dialog, const char *response, GsModelChooser *self)
{
    GFile *file = g_object_get_data(G_OBJECT(dialog), "file");
    if (g_str_equal(response, "copy") || g_str_equal(response, "link"))
        gs_model_chooser_add(self, file, g_str_equal(response, "link"));
}

/* Copy or link: a copy survives the original going away, a link costs no
 * disk space. */
static void
ask_copy_or_link(GsModelChooser *self, GFile *chosen)
{
    g_autoptr(GFile) file = folder_of_marker(chosen);
    g_autofree char *name = g_file_get_basename(file);
    g_autoptr(GFileInfo) info =
        g_file_query_info(file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                          G_FILE_QUERY_INFO_NONE, NULL, NULL);
    gboolean folder = info && g_file_info_get_file_type(info) == G_FILE_TYPE_DIRECTORY;
    g_autofree char *size = info && !folder ? g_format_size((guint64)g_file_info_get_size(info)) : NULL;
    g_autofree char *body =
        size ? g_strdup_printf(_("A copy in GenStudio's models folder takes %s more disk space and stays when the "
                                 "original is moved. A link takes no space, but the file must stay where it is."),
                               size)
             : g_strdup(_("A copy in GenStudio's models folder stays when the original is moved. A link takes no "
                          "space, but the folder must stay where it is."));
    g_autofree char *heading = g_strdup_printf(_("Add “%s”?"), name);
    GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(self));
    GtkWidget *dialog = adw_message_dialog_new(GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL, heading, body);
    AdwMessageDialog *message = ADW_MESSAGE_DIALOG(dialog);
    adw_message_dialog_add_responses(message, "cancel", _("_Cancel"), "link", _("_Link"), "copy", _("C_opy"), NULL);
    adw_message_dialog_set_response_appearance(message, "copy", ADW_RESPONSE_SUGGESTED);
    adw_message_dialog_set_default_response(message, "copy");
    adw_message_dialog_set_close_response(message, "cancel");
    g_object_set_data_full(G_OBJECT(dialog), "file", g_steal_pointer(&file), g_object_unref);
    g_signal_connect_object(dialog, "response", G_CALLBACK(on_add_response), self, 0);
    gtk_window_present(GTK_WINDOW(dialog));
}

static void
add_model(GtkWidget *widget, const char *action, GVariant *param)
{
    const char *patterns[] = { "*.safetensors", "model_index.json", NULL };
    choose_file(GS_MODEL_CHOOSER(widget), _("Add a Model"), GTK_FILE_CHOOSER_ACTION_OPEN,
                _("Models (.safetensors, or a diffusers folder's model_index.json)"), patterns, ask_copy_or_link);
}

static void
add_folder(GtkWidget *widget, const char *action, GVariant *param)
{
    choose_file(GS_MODEL_CHOOSER(widget), _("Add a Diffusers Model Folder"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                NULL, NULL, ask_copy_or_link);
}

static void
cancel_add(GtkWidget *widget, const char *action, GVariant *param)
{
    GsModelChooser *self = GS_MODEL_CHOOSER(widget);
    if (self->add_cancellable)
        g_cancellable_cancel(self->add_cancellable);
}

/* ---- tokenizer files ------------------------------------------------------- */

static void
tokenizer_chosen(GsModelChooser *self, GFile *chosen)
{
    g_autoptr(GFile) file = folder_of_marker(chosen);
    gs_model_chooser_add_tokenizer(self, file);
}

void
gs_model_chooser_choose_tokenizer(GsModelChooser *self)
{
    const char *patterns[] = { "*.txt.gz", "vocab.json", "model_index.json", NULL };
    choose_file(self, _("Add Tokenizer Files"), GTK_FILE_CHOOSER_ACTION_OPEN,
                _("CLIP vocabulary (bpe_simple_vocab_16e6.txt.gz, a diffusers SD folder's model_index.json or "
                  "tokenizer/vocab.json)"),
                patterns, tokenizer_chosen);
}

static void
add_tokenizer(GtkWidget *widget, const char *action, GVariant *param)
{
    gs_model_chooser_choose_tokenizer(GS_MODEL_CHOOSER(widget));
}

/* ---- removing ---------------------------------------------------------------- */

static void
on_remove_response(AdwMessageDialog *dialog, const char *response, GsModelChooser *self)
{
    if (g_str_equal(response, "remove"))
        gs_model_chooser_remove_confirmed(self, g_object_get_data(G_OBJECT(dialog), "name"));
}

void
gs_model_chooser_remove_selected(GsModelChooser *self)
{
    GsModelEntry *entry = self->selected;
    if (!entry)
        return;
    GsModelKind kind = gs_model_entry_get_kind(entry);
    if (kind != GS_MODEL_COPY && kind != GS_MODEL_LINK)
        return;
    const char *name = gs_model_entry_get_name(entry);
    g_autofree char *heading = g_strdup_printf(_("Remove “%s”?"), name);
    g_autofree char *size = g_format_size(gs_model_entry_get_size(entry));
    g_autofree char *target = kind == GS_MODEL_LINK ? g_file_read_link(gs_model_entry_get_path(entry), NULL) : NULL;
    g_autofree char *body =
        kind == GS_MODEL_LINK
            ? g_strdup_printf(_("Only the link is removed: %s stays where it is."),
                              target ? target : gs_model_entry_get_path(entry))
            : g_strdup_printf(_("Its copy in GenStudio's models folder is deleted, which frees %s."), size);
    GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(self));
    GtkWidget *dialog = adw_message_dialog_new(GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL, heading, body);
    AdwMessageDialog *message = ADW_MESSAGE_DIALOG(dialog);
    adw_message_dialog_add_responses(message, "cancel", _("_Cancel"), "remove", _("_Remove"), NULL);
    adw_message_dialog_set_response_appearance(message, "remove", ADW_RESPONSE_DESTRUCTIVE);
    adw_message_dialog_set_default_response(message, "cancel");
    adw_message_dialog_set_close_response(message, "cancel");
    g_object_set_data_full(G_OBJECT(dialog), "name", g_strdup(name), g_free);
    g_signal_connect_object(dialog, "response", G_CALLBACK(on_remove_response), self, 0);
    gtk_window_present(GTK_WINDOW(dialog));
}

static void
remove_model(GtkWidget *widget, const char *action, GVariant *param)
{
    gs_model_chooser_remove_selected(GS_MODEL_CHOOSER(widget));
}

static void
open_folder(GtkWidget *widget, const char *action, GVariant *param)
{
    GsModelChooser *self = GS_MODEL_CHOOSER(widget);
    const char *dir = gs_model_library_get_dir(self->library);
    g_mkdir_with_parents(dir, 0755);
    g_autoptr(GFile) file = g_file_new_for_path(dir);
    g_autofree char *uri = g_file_get_uri(file);
    g_autoptr(GError) error = NULL;
    if (!g_app_info_launch_default_for_uri(uri, NULL, &error)) {
        g_autofree char *message = g_strdup_printf(_("Cannot open %s: %s"), dir, error->message);
        gs_widget_toast(widget, message);
    }
}

void
gs_model_chooser_install_actions(GtkWidgetClass *widget_class)
{
    gtk_widget_class_install_action(widget_class, "model.add", NULL, add_model);
    gtk_widget_class_install_action(widget_class, "model.add-folder", NULL, add_folder);
    gtk_widget_class_install_action(widget_class, "model.add-tokenizer", NULL, add_tokenizer);
    gtk_widget_class_install_action(widget_class, "model.remove", NULL, remove_model);
    gtk_widget_class_install_action(widget_class, "model.cancel-add", NULL, cancel_add);
    gtk_widget_class_install_action(widget_class, "model.open-folder", NULL, open_folder);
}
