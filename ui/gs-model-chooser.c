/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gi18n.h>

#include "gs-model-chooser-private.h"
#include "gs-page-utils.h"
#include "gs-settings.h"

G_DEFINE_FINAL_TYPE(GsModelChooser, gs_model_chooser, GTK_TYPE_WIDGET)

enum { MODEL_CHANGED, TOKENIZER_ADDED, N_SIGNALS };
static guint signals[N_SIGNALS];

GsModelLibrary *gs_model_chooser_get_library(GsModelChooser *self) { return self->library; }
GListModel *gs_model_chooser_get_models(GsModelChooser *self) { return G_LIST_MODEL(self->models); }
GsModelEntry *gs_model_chooser_get_selected(GsModelChooser *self) { return self->selected; }

gboolean
gs_model_chooser_get_busy(GsModelChooser *self)
{
    return self->list_cancellable != NULL || self->add_cancellable != NULL;
}

void
gs_model_chooser_update_actions(GsModelChooser *self)
{
    gboolean adding = self->add_cancellable != NULL;
    GsModelKind kind = self->selected ? gs_model_entry_get_kind(self->selected) : GS_MODEL_BUILTIN;
    GtkWidget *widget = GTK_WIDGET(self);
    gtk_widget_action_set_enabled(widget, "model.add", !adding);
    gtk_widget_action_set_enabled(widget, "model.add-folder", !adding);
    gtk_widget_action_set_enabled(widget, "model.add-tokenizer", !adding);
    gtk_widget_action_set_enabled(widget, "model.remove", !adding && (kind == GS_MODEL_COPY || kind == GS_MODEL_LINK));
    gtk_widget_action_set_enabled(widget, "model.cancel-add", adding);
}

void
gs_model_chooser_show_progress(GsModelChooser *self, const char *text, double fraction)
{
    gtk_revealer_set_reveal_child(self->add_revealer, text != NULL);
    if (!text)
        return;
    gtk_progress_bar_set_text(self->add_progress, text);
    if (fraction < 0)
        gtk_progress_bar_pulse(self->add_progress);
    else
        gtk_progress_bar_set_fraction(self->add_progress, fraction);
}

/* ---- toasts ------------------------------------------------------------------ */

void
gs_model_chooser_toast_error(GsModelChooser *self, const GError *error)
{
    GtkWidget *overlay = gtk_widget_get_ancestor(GTK_WIDGET(self), ADW_TYPE_TOAST_OVERLAY);
    if (!overlay || !gs_model_error_is_tokenizer(error)) {
        gs_widget_toast(GTK_WIDGET(self), error->message);
        return;
    }
    AdwToast *toast = adw_toast_new(error->message);
    adw_toast_set_button_label(toast, _("Add Tokenizer Files…"));
    adw_toast_set_timeout(toast, 15); /* long messages, and an offer worth reading */
    g_signal_connect_object(toast, "button-clicked", G_CALLBACK(gs_model_chooser_choose_tokenizer), self,
                            G_CONNECT_SWAPPED);
    adw_toast_overlay_add_toast(ADW_TOAST_OVERLAY(overlay), toast);
}

/* ---- the drop-down -------------------------------------------------------- */

static void
setup_button_item(GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
    GtkWidget *label = gtk_label_new(NULL);
    gtk_label_set_xalign(GTK_LABEL(label), 0);
    gtk_label_set_ellipsize(GTK_LABEL(label), PANGO_ELLIPSIZE_END);
    gtk_list_item_set_child(item, label);
}

static void
bind_button_item(GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
    g_autofree char *label = gs_model_entry_dup_label(gtk_list_item_get_item(item));
    gtk_label_set_label(GTK_LABEL(gtk_list_item_get_child(item)), label);
}

static void
setup_list_item(GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
    GtkWidget *title = gtk_label_new(NULL), *reason = gtk_label_new(NULL);
    gtk_label_set_xalign(GTK_LABEL(title), 0);
    gtk_label_set_xalign(GTK_LABEL(reason), 0);
    gtk_label_set_wrap(GTK_LABEL(reason), TRUE);
    gtk_label_set_max_width_chars(GTK_LABEL(reason), 44);
    gtk_label_set_lines(GTK_LABEL(reason), 3);
    gtk_label_set_ellipsize(GTK_LABEL(reason), PANGO_ELLIPSIZE_END);
    gtk_widget_add_css_class(reason, "caption");
    gtk_widget_add_css_class(reason, "dim-label");
    gtk_box_append(GTK_BOX(box), title);
    gtk_box_append(GTK_BOX(box), reason);
    gtk_list_item_set_child(item, box);
}

static void
bind_list_item(GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
    GsModelEntry *entry = gtk_list_item_get_item(item);
    GtkWidget *box = gtk_list_item_get_child(item);
    GtkWidget *title = gtk_widget_get_first_child(box), *reason = gtk_widget_get_last_child(box);
    gboolean usable = gs_model_entry_get_usable(entry);
    g_autofree char *label = gs_model_entry_dup_label(entry);
    g_autofree char *refused = usable ? NULL : g_strdup_printf(_("%s — cannot be used"), label);
    gtk_label_set_label(GTK_LABEL(title), usable ? label : refused);
    gtk_label_set_label(GTK_LABEL(reason), usable ? "" : gs_model_entry_get_refusal(entry));
    gtk_widget_set_visible(reason, !usable);
    gtk_widget_set_tooltip_text(box, usable ? gs_model_entry_get_path(entry) : gs_model_entry_get_refusal(entry));
    /* Refused models are shown, not chosen. */
    gtk_list_item_set_selectable(item, usable);
    gtk_list_item_set_activatable(item, usable);
    gtk_widget_set_sensitive(title, usable);
}

static void
set_dropdown_quietly(GsModelChooser *self, guint position)
{
    self->quiet++;
    gtk_drop_down_set_selected(self->dropdown, position);
    self->quiet--;
}

/* The setting is a name ("" = built-in); older versions kept a path. */
static gboolean
entry_matches(GsModelEntry *entry, const char *name_or_path)
{
    if (!*name_or_path)
        return gs_model_entry_get_kind(entry) == GS_MODEL_BUILTIN;
    return g_str_equal(gs_model_entry_get_name(entry), name_or_path) ||
           g_str_equal(gs_model_entry_get_path(entry), name_or_path);
}

static gboolean
find_entry(GsModelChooser *self, const char *name_or_path, guint *position)
{
    for (guint i = 0; i < g_list_model_get_n_items(G_LIST_MODEL(self->models)); i++) {
        g_autoptr(GsModelEntry) entry = g_list_model_get_item(G_LIST_MODEL(self->models), i);
        if (entry_matches(entry, name_or_path)) {
            *position = i;
            return TRUE;
        }
    }
    return FALSE;
}

static gboolean
same_model(GsModelEntry *a, GsModelEntry *b)
{
    return a && b && g_str_equal(gs_model_entry_get_path(a), gs_model_entry_get_path(b));
}

/* Makes entry `position` the chosen one and tells the page when it is
 * another model than before. */
static void
choose(GsModelChooser *self, guint position, gboolean by_user)
{
    g_autoptr(GsModelEntry) entry = g_list_model_get_item(G_LIST_MODEL(self->models), position);
    gboolean changed = !same_model(entry, self->selected);
    g_set_object(&self->selected, entry);
    self->selected_position = position;
    if (gtk_drop_down_get_selected(self->dropdown) != position)
        set_dropdown_quietly(self, position);
    gtk_widget_set_tooltip_text(GTK_WIDGET(self->dropdown), gs_model_entry_get_path(entry));
    if (by_user) {
        gboolean builtin = gs_model_entry_get_kind(entry) == GS_MODEL_BUILTIN;
        g_settings_set_string(self->settings, "model", builtin ? "" : gs_model_entry_get_name(entry));
    }
    gs_model_chooser_update_actions(self);
    if (changed || by_user)
        g_signal_emit(self, signals[MODEL_CHANGED], 0, entry, by_user);
}

static void
on_dropdown_selected(GtkDropDown *dropdown, GParamSpec *pspec, GsModelChooser *self)
{
    if (self->quiet)
        return;
    guint position = gtk_drop_down_get_selected(dropdown);
    g_autoptr(GsModelEntry) entry = g_list_model_get_item(G_LIST_MODEL(self->models), position);
    if (!entry)
        return;
    if (!gs_model_entry_get_usable(entry)) {
        /* The list does not offer it; keyboard or accessibility still might. */
        g_autofree char *message =
            g_strdup_printf(_("“%s” cannot be used: %s"), gs_model_entry_get_name(entry), gs_model_entry_get_refusal(entry));
        gs_widget_toast(GTK_WIDGET(self), message);
        if (self->selected)
            set_dropdown_quietly(self, self->selected_position);
        return;
    }
    if (!same_model(entry, self->selected))
        choose(self, position, TRUE);
}

gboolean
gs_model_chooser_select(GsModelChooser *self, const char *name)
{
    g_return_val_if_fail(GS_IS_MODEL_CHOOSER(self), FALSE);
    guint position;
    if (!find_entry(self, name ? name : "", &position))
        return FALSE;
    g_autoptr(GsModelEntry) entry = g_list_model_get_item(G_LIST_MODEL(self->models), position);
    if (!gs_model_entry_get_usable(entry))
        return FALSE;
    if (!same_model(entry, self->selected))
        choose(self, position, TRUE);
    return TRUE;
}

/* ---- listing --------------------------------------------------------------- */

static void
list_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    GError *error = NULL;
    GPtrArray *entries = gs_model_library_list(GS_MODEL_LIBRARY(data), &error);
    if (entries)
        g_task_return_pointer(task, entries, (GDestroyNotify)g_ptr_array_unref);
    else
        g_task_return_error(task, error);
}

static guint
first_usable(GsModelChooser *self)
{
    for (guint i = 0; i < g_list_model_get_n_items(G_LIST_MODEL(self->models)); i++) {
        g_autoptr(GsModelEntry) entry = g_list_model_get_item(G_LIST_MODEL(self->models), i);
        if (gs_model_entry_get_usable(entry))
            return i;
    }
    return GTK_INVALID_LIST_POSITION;
}

/* After a listing: the model the user's action named, else the one chosen
 * before, else (the first time) the setting's, else the first usable. */
static void
choose_after_listing(GsModelChooser *self)
{
    g_autofree char *wanted = NULL;
    gboolean by_user = self->choose_after_listing != NULL;
    if (by_user)
        wanted = g_steal_pointer(&self->choose_after_listing);
    else if (self->restored && self->selected)
        wanted = g_strdup(gs_model_entry_get_path(self->selected));
    else
        wanted = g_settings_get_string(self->settings, "model");
    gboolean first = !self->restored;
    self->restored = TRUE;

    guint position;
    g_autoptr(GsModelEntry) entry = NULL;
    if (find_entry(self, wanted, &position))
        entry = g_list_model_get_item(G_LIST_MODEL(self->models), position);
    if (entry && gs_model_entry_get_usable(entry)) {
        /* The same model as before, listed anew: the page has nothing to change. */
        choose(self, position, by_user);
        return;
    }
    if (*wanted && (first || by_user)) {
        g_autofree char *message =
            entry ? g_strdup_printf(_("“%s” cannot be used: %s"), gs_model_entry_get_name(entry),
                                    gs_model_entry_get_refusal(entry))
                  : g_strdup_printf(_("The model “%s” is not in the models folder any more"), wanted);
        gs_widget_toast(GTK_WIDGET(self), message);
    }
    position = first_usable(self);
    if (position != GTK_INVALID_LIST_POSITION) {
        /* A chosen model that went away: the user's choice falls back too. */
        choose(self, position, by_user || (self->selected != NULL && !first));
    } else {
        g_clear_object(&self->selected);
        gs_model_chooser_update_actions(self);
    }
}

static void
on_listed(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(GsModelChooser) self = user_data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) entries = g_task_propagate_pointer(G_TASK(result), &error);
    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !self->models)
        return; /* a newer listing is on its way, or the chooser went away */
    g_clear_object(&self->list_cancellable);
    if (!entries) {
        g_autofree char *message = g_strdup_printf(_("Cannot list the models folder: %s"), error->message);
        gs_widget_toast(GTK_WIDGET(self), message);
        gs_model_chooser_update_actions(self);
        return;
    }
    self->quiet++;
    g_list_store_splice(self->models, 0, g_list_model_get_n_items(G_LIST_MODEL(self->models)), entries->pdata,
                        entries->len);
    self->quiet--;
    choose_after_listing(self);
}

void
gs_model_chooser_refresh(GsModelChooser *self)
{
    if (self->list_cancellable)
        g_cancellable_cancel(self->list_cancellable);
    g_clear_object(&self->list_cancellable);
    self->list_cancellable = g_cancellable_new();
    g_autoptr(GTask) task = g_task_new(NULL, self->list_cancellable, on_listed, g_object_ref(self));
    g_task_set_source_tag(task, gs_model_chooser_refresh);
    g_task_set_task_data(task, g_object_ref(self->library), g_object_unref);
    g_task_set_return_on_cancel(task, TRUE);
    g_task_run_in_thread(task, list_thread);
}

/* ---- adding, removing, tokenizer files ------------------------------------ */

typedef enum { OP_ADD, OP_REMOVE, OP_TOKENIZER } OpKind;

typedef struct {
    OpKind kind;
    GsModelLibrary *library;
    char *path, *name;
    gboolean link;
    GsModelChooser *chooser; /* for progress, on the main thread only */
    GsModelEntry *added;
    gint64 last_us;
} Op;

static void
op_free(Op *op)
{
    g_clear_object(&op->library);
    g_clear_object(&op->chooser);
    g_clear_object(&op->added);
    g_free(op->path);
    g_free(op->name);
    g_free(op);
}

typedef struct {
    GsModelChooser *chooser;
    char *text;
    double fraction;
} ProgressUpdate;

static gboolean
deliver_progress(gpointer data)
{
    ProgressUpdate *u = data;
    if (u->chooser->add_cancellable) /* not after the end */
        gs_model_chooser_show_progress(u->chooser, u->text, u->fraction);
    g_object_unref(u->chooser);
    g_free(u->text);
    g_free(u);
    return G_SOURCE_REMOVE;
}

/* On the worker, once per copied chunk: passed on at most every 100 ms. */
static void
on_copy_progress(goffset done, goffset total, gpointer data)
{
    Op *op = data;
    gint64 now = g_get_monotonic_time();
    if (done < total && now - op->last_us < 100000)
        return;
    op->last_us = now;
    g_autofree char *done_text = g_format_size((guint64)done), *total_text = g_format_size((guint64)total);
    ProgressUpdate *u = g_new(ProgressUpdate, 1);
    u->chooser = g_object_ref(op->chooser);
    /* Translators: copying a model: "Copying dreamshaper: 1.2 GB of 2.1 GB" */
    u->text = g_strdup_printf(_("Copying %s: %s of %s"), op->name, done_text, total_text);
    u->fraction = total > 0 ? (double)done / (double)total : 1.0;
    g_main_context_invoke(NULL, deliver_progress, u);
}

static void
op_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    Op *op = data;
    GError *error = NULL;
    gboolean ok;
    switch (op->kind) {
    case OP_ADD:
        op->added = gs_model_library_add(op->library, op->path, op->link, on_copy_progress, op, cancellable, &error);
        ok = op->added != NULL;
        break;
    case OP_REMOVE:
        ok = gs_model_library_remove(op->library, op->name, &error);
        break;
    default:
        ok = gs_model_library_add_tokenizer(op->library, op->path, &error);
        break;
    }
    if (ok)
        g_task_return_boolean(task, TRUE);
    else
        g_task_return_error(task, error);
}

static void
on_op_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(GsModelChooser) self = user_data;
    Op *op = g_task_get_task_data(G_TASK(result));
    g_autoptr(GError) error = NULL;
    gboolean ok = g_task_propagate_boolean(G_TASK(result), &error);
    g_clear_object(&self->add_cancellable);
    if (!self->models)
        return;
    gs_model_chooser_show_progress(self, NULL, 0);
    gs_model_chooser_update_actions(self);
    if (!ok) {
        if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            gs_widget_toast(GTK_WIDGET(self), _("Adding the model was cancelled"));
        else
            gs_widget_toast(GTK_WIDGET(self), error->message);
        return;
    }
    g_autofree char *message = NULL;
    switch (op->kind) {
    case OP_ADD: {
        g_autofree char *label = gs_model_entry_dup_label(op->added);
        message = g_strdup_printf(op->link ? _("Linked “%s”") : _("Added “%s”"), label);
        g_free(self->choose_after_listing);
        self->choose_after_listing = g_strdup(gs_model_entry_get_name(op->added));
        gs_model_chooser_refresh(self);
        break;
    }
    case OP_REMOVE:
        message = g_strdup_printf(_("Removed “%s”"), op->name);
        g_free(self->choose_after_listing);
        self->choose_after_listing = g_strdup(""); /* the built-in model */
        gs_model_chooser_refresh(self);
        break;
    default:
        message = g_strdup(_("Tokenizer files added"));
        g_signal_emit(self, signals[TOKENIZER_ADDED], 0);
        break;
    }
    gs_widget_toast(GTK_WIDGET(self), message);
}

static void
start_op(GsModelChooser *self, Op *op, const char *progress_text)
{
    g_return_if_fail(!self->add_cancellable);
    op->library = g_object_ref(self->library);
    op->chooser = g_object_ref(self);
    self->add_cancellable = g_cancellable_new();
    gs_model_chooser_show_progress(self, progress_text, -1);
    gs_model_chooser_update_actions(self);
    g_autoptr(GTask) task = g_task_new(NULL, self->add_cancellable, on_op_done, g_object_ref(self));
    g_task_set_source_tag(task, start_op);
    g_task_set_task_data(task, op, (GDestroyNotify)op_free);
    g_task_run_in_thread(task, op_thread);
}

void
gs_model_chooser_add(GsModelChooser *self, GFile *file, gboolean link)
{
    g_return_if_fail(GS_IS_MODEL_CHOOSER(self) && G_IS_FILE(file));
    g_autofree char *path = g_file_get_path(file);
    if (!path) {
        gs_widget_toast(GTK_WIDGET(self), _("Not a local file"));
        return;
    }
    if (self->add_cancellable) {
        gs_widget_toast(GTK_WIDGET(self), _("Another model is being added"));
        return;
    }
    Op *op = g_new0(Op, 1);
    op->kind = OP_ADD;
    op->path = g_steal_pointer(&path);
    op->name = g_file_get_basename(file);
    op->link = link;
    g_autofree char *text = g_strdup_printf(link ? _("Linking %s…") : _("Copying %s…"), op->name);
    start_op(self, op, text);
}

void
gs_model_chooser_remove_confirmed(GsModelChooser *self, const char *name)
{
    if (self->add_cancellable)
        return;
    Op *op = g_new0(Op, 1);
    op->kind = OP_REMOVE;
    op->name = g_strdup(name);
    g_autofree char *text = g_strdup_printf(_("Removing %s…"), name);
    start_op(self, op, text);
}

void
gs_model_chooser_add_tokenizer(GsModelChooser *self, GFile *file)
{
    g_return_if_fail(GS_IS_MODEL_CHOOSER(self) && G_IS_FILE(file));
    g_autofree char *path = g_file_get_path(file);
    if (!path || self->add_cancellable) {
        gs_widget_toast(GTK_WIDGET(self), path ? _("Another model is being added") : _("Not a local file"));
        return;
    }
    Op *op = g_new0(Op, 1);
    op->kind = OP_TOKENIZER;
    op->path = g_steal_pointer(&path);
    op->name = g_file_get_basename(file);
    start_op(self, op, _("Adding tokenizer files…"));
}

/* ---- lifetime ------------------------------------------------------------ */

static void
gs_model_chooser_dispose(GObject *object)
{
    GsModelChooser *self = GS_MODEL_CHOOSER(object);
    if (self->list_cancellable)
        g_cancellable_cancel(self->list_cancellable);
    if (self->add_cancellable)
        g_cancellable_cancel(self->add_cancellable);
    gtk_widget_dispose_template(GTK_WIDGET(self), GS_TYPE_MODEL_CHOOSER);
    g_clear_object(&self->settings);
    g_clear_object(&self->library);
    g_clear_object(&self->models);
    g_clear_object(&self->selected);
    g_clear_object(&self->list_cancellable);
    g_clear_object(&self->add_cancellable);
    g_clear_pointer(&self->choose_after_listing, g_free);
    G_OBJECT_CLASS(gs_model_chooser_parent_class)->dispose(object);
}

static void
gs_model_chooser_class_init(GsModelChooserClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
    object_class->dispose = gs_model_chooser_dispose;

    signals[MODEL_CHANGED] = g_signal_new("model-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                          NULL, NULL, G_TYPE_NONE, 2, GS_TYPE_MODEL_ENTRY, G_TYPE_BOOLEAN);
    signals[TOKENIZER_ADDED] = g_signal_new("tokenizer-added", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                            NULL, NULL, G_TYPE_NONE, 0);

    gtk_widget_class_set_template_from_resource(widget_class, "/org/genstudio/GenStudio/gs-model-chooser.ui");
    gtk_widget_class_set_layout_manager_type(widget_class, GTK_TYPE_BIN_LAYOUT);
    gtk_widget_class_bind_template_child(widget_class, GsModelChooser, box);
    gtk_widget_class_bind_template_child(widget_class, GsModelChooser, dropdown);
    gtk_widget_class_bind_template_child(widget_class, GsModelChooser, add_revealer);
    gtk_widget_class_bind_template_child(widget_class, GsModelChooser, add_progress);
    gs_model_chooser_install_actions(widget_class);
}

static void
gs_model_chooser_init(GsModelChooser *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    self->settings = gs_settings_new();
    self->library = gs_model_library_new(NULL);
    self->models = g_list_store_new(GS_TYPE_MODEL_ENTRY);
    self->selected_position = GTK_INVALID_LIST_POSITION;

    GtkListItemFactory *factory = gtk_signal_list_item_factory_new();
    g_signal_connect(factory, "setup", G_CALLBACK(setup_button_item), NULL);
    g_signal_connect(factory, "bind", G_CALLBACK(bind_button_item), NULL);
    gtk_drop_down_set_factory(self->dropdown, factory);
    g_object_unref(factory);
    factory = gtk_signal_list_item_factory_new();
    g_signal_connect(factory, "setup", G_CALLBACK(setup_list_item), NULL);
    g_signal_connect(factory, "bind", G_CALLBACK(bind_list_item), NULL);
    gtk_drop_down_set_list_factory(self->dropdown, factory);
    g_object_unref(factory);
    self->quiet++;
    gtk_drop_down_set_model(self->dropdown, G_LIST_MODEL(self->models));
    self->quiet--;
    g_signal_connect(self->dropdown, "notify::selected", G_CALLBACK(on_dropdown_selected), self);
    gs_model_chooser_update_actions(self);
    gs_model_chooser_refresh(self);
}
