/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>

#include "gs-music-page.h"
#include "gs-timeline-page.h"
#include "gs-voice-page.h"
#include "gs-window-private.h"

#define AUTOSAVE_SECONDS 60

struct _GsWindow {
    AdwApplicationWindow parent_instance;
    AdwToastOverlay *toast_overlay;
    AdwViewSwitcherTitle *switcher_title;
    AdwViewStack *stack;
    GsImagePage *image_page;

    GsProject *project;
};

G_DEFINE_FINAL_TYPE(GsWindow, gs_window, ADW_TYPE_APPLICATION_WINDOW)

static gboolean
on_drop(GtkDropTarget *target, const GValue *value, double x, double y, GsWindow *self)
{
    /* A PNG made by GenStudio (or AUTOMATIC1111) brings back its parameters;
     * any other image becomes the start image for img2img. */
    GFile *file = g_value_get_object(value);
    g_autoptr(GError) error = NULL;
    adw_view_stack_set_visible_child_name(self->stack, "image");
    if (gs_image_page_restore_from_png(self->image_page, file, NULL)) {
        gs_window_toast(self, _("Parameters restored from the image"));
        return TRUE;
    }
    if (!gs_image_page_set_start_image(self->image_page, file, &error)) {
        gs_window_toast(self, error->message);
        return FALSE;
    }
    gs_window_toast(self, _("Image set as the start image"));
    return TRUE;
}

/* ---- the project ---------------------------------------------------------- */

/* "• name — GenStudio": the dot says there is something to save. */
static void
update_title(GsWindow *self)
{
    const char *path = gs_project_get_path(self->project);
    g_autofree char *base = path ? g_path_get_basename(path) : NULL;
    if (base && g_str_has_suffix(base, GS_PROJECT_EXTENSION))
        base[strlen(base) - strlen(GS_PROJECT_EXTENSION)] = '\0';
    g_autofree char *name = g_strdup_printf("%s%s", gs_project_get_dirty(self->project) ? "• " : "",
                                            base ? base : _("Untitled"));
    g_autofree char *title = g_strdup_printf(_("%s — GenStudio"), name);
    gtk_window_set_title(GTK_WINDOW(self), title);
    adw_view_switcher_title_set_subtitle(self->switcher_title, name);
}

static void
on_project_changed(GsProject *project, GParamSpec *pspec, GsWindow *self)
{
    update_title(self);
}

static GsTimelinePage *
timeline_page(GsWindow *self)
{
    return GS_TIMELINE_PAGE(adw_view_stack_get_child_by_name(self->stack, "timeline"));
}

/* Every edit goes into the project at once, so it is dirty, autosaved and
 * saved like any other change. */
static void
on_timeline_changed(GsTimeline *timeline, GsWindow *self)
{
    g_autoptr(JsonNode) node = gs_timeline_to_json(timeline);
    gs_project_set_timeline(self->project, node);
    g_autoptr(GHashTable) sources = g_hash_table_new(g_str_hash, g_str_equal);
    guint n_tracks = 0;
    g_autofree guint *tracks = gs_timeline_dup_track_ids(timeline, &n_tracks);
    for (guint t = 0; t < n_tracks; t++) {
        guint n_clips = 0;
        g_autofree guint *clips = gs_timeline_dup_clip_ids(timeline, tracks[t], &n_clips);
        for (guint c = 0; c < n_clips; c++) {
            GsTimelineClip clip;
            if (gs_timeline_get_clip(timeline, clips[c], &clip) && clip.audio)
                g_hash_table_insert(sources, (gpointer)clip.source_id, clip.audio);
        }
    }
    gs_project_set_timeline_sources(self->project, sources);
}

/* The project's timeline with its sources' audio; NULL without an error
 * when it has none. */
static GsTimeline *
restore_timeline(GsProject *project, GError **error)
{
    JsonNode *node = gs_project_get_timeline(project);
    if (!node)
        return NULL;
    g_autoptr(GsTimeline) timeline = gs_timeline_new_from_json(node, error);
    if (!timeline)
        return NULL;
    g_auto(GStrv) ids = gs_timeline_dup_source_ids(timeline);
    for (gsize i = 0; ids[i]; i++) {
        GBytes *audio = gs_project_get_timeline_source(project, ids[i]);
        if (!audio) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The audio of the timeline clip “%s” is missing"),
                        ids[i]);
            return NULL;
        }
        if (!gs_timeline_set_source_audio(timeline, ids[i], audio, error))
            return NULL;
    }
    return g_steal_pointer(&timeline);
}

/* `timeline` is the project's, restored (NULL: a new one). */
static void
set_project(GsWindow *self, GsProject *project, GsTimeline *timeline)
{
    if (self->project) {
        gs_project_start_autosave(self->project, 0);
        g_signal_handlers_disconnect_by_data(self->project, self);
    }
    g_set_object(&self->project, project);
    g_signal_connect(project, "notify::dirty", G_CALLBACK(on_project_changed), self);
    g_signal_connect(project, "notify::path", G_CALLBACK(on_project_changed), self);
    gs_project_start_autosave(project, AUTOSAVE_SECONDS);
    GtkWidget *voice_page = adw_view_stack_get_child_by_name(self->stack, "voice");
    gs_voice_page_set_takes(GS_VOICE_PAGE(voice_page), gs_project_get_takes(project));
    gs_image_page_set_images(self->image_page, project);
    GtkWidget *music_page = adw_view_stack_get_child_by_name(self->stack, "music");
    gs_music_page_set_pieces(GS_MUSIC_PAGE(music_page), project);
    gs_timeline_page_set_timeline(timeline_page(self), timeline);
    g_signal_connect_object(gs_timeline_page_get_timeline(timeline_page(self)), "changed",
                            G_CALLBACK(on_timeline_changed), self, 0);
    update_title(self);
}

GsProject *
gs_window_get_project(GsWindow *self)
{
    return self->project;
}

void
gs_window_new_project(GsWindow *self)
{
    g_autoptr(GsProject) project = gs_project_new();
    set_project(self, project, NULL);
}

gboolean
gs_window_open_project(GsWindow *self, const char *path, GError **error)
{
    g_autoptr(GsProject) project = gs_project_load(path, error);
    if (!project)
        return FALSE;
    g_autoptr(GError) timeline_error = NULL;
    g_autoptr(GsTimeline) timeline = restore_timeline(project, &timeline_error);
    if (timeline_error) {
        g_propagate_error(error, g_steal_pointer(&timeline_error));
        return FALSE;
    }
    set_project(self, project, timeline);
    return TRUE;
}

static void
discard_recovery(const char *recovery)
{
    g_autoptr(GError) error = NULL;
    if (!gs_project_discard_recovery(recovery, &error))
        g_warning("Could not remove the recovery file: %s", error->message);
}

void
gs_window_discard_recovery(GsWindow *self)
{
    discard_recovery(gs_project_get_recovery_path(self->project));
}

gboolean
gs_window_save_project(GsWindow *self, const char *path, GError **error)
{
    /* The save drops the autosaves it makes stale. */
    return gs_project_save(self->project, path, error);
}

static char *
scratch_folder(void)
{
    return g_build_filename(g_get_user_cache_dir(), "genstudio", "unsaved", NULL);
}

char *
gs_window_new_scratch_path(const char *extension)
{
    g_autofree char *dir = scratch_folder();
    if (g_mkdir_with_parents(dir, 0700) != 0)
        g_warning("Could not create %s: %s", dir, g_strerror(errno));
    g_autofree char *uuid = g_uuid_string_random();
    g_autofree char *name = g_strconcat(uuid, ".", extension, NULL);
    return g_build_filename(dir, name, NULL);
}

void
gs_window_remove_unused_scratch_files(GtkApplication *application)
{
    g_autoptr(GPtrArray) projects = g_ptr_array_new();
    for (GList *l = gtk_application_get_windows(application); l; l = l->next)
        if (GS_IS_WINDOW(l->data))
            g_ptr_array_add(projects, GS_WINDOW(l->data)->project);
    g_autofree char *folder = scratch_folder();
    gs_project_remove_unreferenced_files(folder, (GsProject *const *)projects->pdata, projects->len);
}

/* Loads `recovery` into `self`; a toast says why it could not. */
static void
recover(GsWindow *self, const char *recovery)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GsProject) project = gs_project_load(recovery, &error);
    g_autoptr(GsTimeline) timeline = project ? restore_timeline(project, &error) : NULL;
    if (error)
        gs_window_toast(self, error->message);
    else
        set_project(self, project, timeline);
}

/* The newest recovery comes back here, each other one in a window of its own. */
static void
on_recovery_response(AdwMessageDialog *dialog, const char *response, GsWindow *self)
{
    char **recoveries = g_object_get_data(G_OBJECT(dialog), "recoveries");
    for (gsize i = 0; recoveries[i]; i++) {
        if (g_str_equal(response, "recover")) {
            GsWindow *window = self;
            if (i > 0) {
                window = gs_window_new(gtk_window_get_application(GTK_WINDOW(self)));
                gtk_window_present(GTK_WINDOW(window));
            }
            recover(window, recoveries[i]);
        } else if (g_str_equal(response, "discard")) {
            discard_recovery(recoveries[i]);
        }
    }
}

void
gs_window_offer_recovery(GsWindow *self)
{
    g_auto(GStrv) recoveries = gs_project_find_recoveries();
    guint n = g_strv_length(recoveries);
    if (n == 0)
        return;
    const char *body = n == 1 ? _("GenStudio closed before the latest changes were saved. "
                                  "An automatic copy of them was kept.")
                              : _("GenStudio closed before the latest changes were saved. "
                                  "Automatic copies of them were kept: each project comes back in its own window.");
    GtkWidget *dialog = adw_message_dialog_new(GTK_WINDOW(self), _("Recover unsaved work?"), body);
    adw_message_dialog_add_responses(ADW_MESSAGE_DIALOG(dialog), "discard", _("_Discard"), "recover", _("_Recover"),
                                     NULL);
    adw_message_dialog_set_response_appearance(ADW_MESSAGE_DIALOG(dialog), "discard", ADW_RESPONSE_DESTRUCTIVE);
    adw_message_dialog_set_response_appearance(ADW_MESSAGE_DIALOG(dialog), "recover", ADW_RESPONSE_SUGGESTED);
    adw_message_dialog_set_default_response(ADW_MESSAGE_DIALOG(dialog), "recover");
    /* Closing the dialog decides nothing: the copies are offered again. */
    adw_message_dialog_set_close_response(ADW_MESSAGE_DIALOG(dialog), "close");
    g_object_set_data_full(G_OBJECT(dialog), "recoveries", g_steal_pointer(&recoveries), (GDestroyNotify)g_strfreev);
    g_signal_connect_object(dialog, "response", G_CALLBACK(on_recovery_response), self, 0);
    gtk_window_present(GTK_WINDOW(dialog));
}

/* What the Voice and Music pages send lands at the Timeline's playhead;
 * the user stays where they are, told by a toast. A take goes on the first
 * track with room (NULL), a stem on its part's track. */
static gboolean
add_to_timeline(GsWindow *self, const char *track, const char *label, GBytes *audio)
{
    gsize size = 0;
    const float *stereo = g_bytes_get_data(audio, &size);
    gsize frames = size / (GS_TIMELINE_CHANNELS * sizeof(float));
    return frames > 0 && gs_timeline_page_add_clip_to_track(timeline_page(self), track, label, stereo, frames);
}

static void
on_send_to_timeline(GtkWidget *page, const char *label, GBytes *audio, GsWindow *self)
{
    if (add_to_timeline(self, NULL, label, audio))
        gs_window_toast(self, _("Added to the Timeline"));
}

static void
on_send_stems_to_timeline(GtkWidget *page, GStrv tracks, GStrv labels, GPtrArray *stems, GStrv section_names,
                          GArray *section_starts, GsWindow *self)
{
    gboolean added = FALSE;
    for (guint i = 0; i < stems->len; i++)
        added |= add_to_timeline(self, tracks[i], labels[i], stems->pdata[i]);
    if (!added)
        return;
    g_autofree GsTimelineMarker *markers = g_new(GsTimelineMarker, section_starts->len + 1);
    for (guint i = 0; i < section_starts->len; i++)
        markers[i] = (GsTimelineMarker){ g_array_index(section_starts, double, i), section_names[i] };
    gs_timeline_page_add_markers(timeline_page(self), markers, section_starts->len);
    gs_window_toast(self, _("Added to the Timeline"));
}

/* ---- lifetime ------------------------------------------------------------ */

static void
close_now(GsWindow *self)
{
    gtk_window_destroy(GTK_WINDOW(self));
}

static gboolean
gs_window_close_request(GtkWindow *window)
{
    GsWindow *self = GS_WINDOW(window);
    if (!gs_project_get_dirty(self->project))
        return GTK_WINDOW_CLASS(gs_window_parent_class)->close_request(window);
    gs_window_confirm_unsaved(self, close_now);
    return TRUE;
}

static void
gs_window_dispose(GObject *object)
{
    GsWindow *self = GS_WINDOW(object);
    if (self->project) {
        gs_project_start_autosave(self->project, 0);
        g_signal_handlers_disconnect_by_data(self->project, self);
    }
    gtk_widget_dispose_template(GTK_WIDGET(object), GS_TYPE_WINDOW);
    g_clear_object(&self->project);
    G_OBJECT_CLASS(gs_window_parent_class)->dispose(object);
}

static void
gs_window_class_init(GsWindowClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
    G_OBJECT_CLASS(klass)->dispose = gs_window_dispose;
    GTK_WINDOW_CLASS(klass)->close_request = gs_window_close_request;
    g_type_ensure(GS_TYPE_IMAGE_PAGE);
    g_type_ensure(GS_TYPE_VOICE_PAGE);
    g_type_ensure(GS_TYPE_MUSIC_PAGE);
    g_type_ensure(GS_TYPE_TIMELINE_PAGE);
    gtk_widget_class_set_template_from_resource(widget_class, "/org/genstudio/GenStudio/gs-window.ui");
    gtk_widget_class_bind_template_child(widget_class, GsWindow, toast_overlay);
    gtk_widget_class_bind_template_child(widget_class, GsWindow, switcher_title);
    gtk_widget_class_bind_template_child(widget_class, GsWindow, stack);
    gtk_widget_class_bind_template_child(widget_class, GsWindow, image_page);
    gs_window_install_project_actions(widget_class);
    gs_window_install_check_actions(widget_class);
}

static void
gs_window_init(GsWindow *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    gs_window_new_project(self);
    g_signal_connect(adw_view_stack_get_child_by_name(self->stack, "voice"), "send-to-timeline",
                     G_CALLBACK(on_send_to_timeline), self);
    g_signal_connect(adw_view_stack_get_child_by_name(self->stack, "music"), "send-stems-to-timeline",
                     G_CALLBACK(on_send_stems_to_timeline), self);
    GtkDropTarget *drop = gtk_drop_target_new(G_TYPE_FILE, GDK_ACTION_COPY);
    g_signal_connect(drop, "drop", G_CALLBACK(on_drop), self);
    gtk_widget_add_controller(GTK_WIDGET(self), GTK_EVENT_CONTROLLER(drop));
}

GsWindow *
gs_window_new(GtkApplication *application)
{
    return g_object_new(GS_TYPE_WINDOW, "application", application, NULL);
}

GsImagePage *
gs_window_get_image_page(GsWindow *self)
{
    return self->image_page;
}

void
gs_window_add_toast(GsWindow *self, AdwToast *toast)
{
    adw_toast_overlay_add_toast(self->toast_overlay, toast);
}

void
gs_window_toast(GsWindow *self, const char *message)
{
    gs_window_add_toast(self, adw_toast_new(message));
}
