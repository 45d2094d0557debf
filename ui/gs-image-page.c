/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gi18n.h>

#include "gs-image-page-private.h"
#include "gs-page-utils.h"
#include "gs-png.h"
#include "gs-provenance.h"
#include "gs-settings.h"
#include "gs-window.h"

G_DEFINE_FINAL_TYPE(GsImagePage, gs_image_page, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_COMPARING, N_PROPS };
static GParamSpec *properties[N_PROPS];

static const char *const sampler_ids[] = { "euler_a", "euler", "ddim", "dpmpp_2m" };

static char *
buffer_text(GtkTextView *view)
{
    GtkTextBuffer *buffer = gtk_text_view_get_buffer(view);
    GtkTextIter start, end;
    gtk_text_buffer_get_bounds(buffer, &start, &end);
    return gtk_text_buffer_get_text(buffer, &start, &end, FALSE);
}

void
gs_image_page_update_actions(GsImagePage *self)
{
    gboolean busy = self->cancellable != NULL, shown = self->shown != NULL;
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "image.generate", !busy);
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "image.cancel", busy || self->load_cancellable);
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "image.save", shown && !busy);
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "image.copy", shown);
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "image.export-timelapse", shown && !busy);
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "image.upscale", shown && !busy);
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "image.upscale-chosen", shown && !busy);
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "image.upscale-item", !busy);
    gtk_widget_set_sensitive(GTK_WIDGET(self->upscale_button), shown && !busy);
}

/* "AI-generated", and the licence when the model's file names one (SD
 * checkpoints often do) and that model is the one chosen. */
static void
update_badge(GsImagePage *self, GsHistoryItem *item)
{
    gtk_widget_set_visible(GTK_WIDGET(self->ai_badge), item != NULL);
    if (!item)
        return;
    const GsImageParams *params = gs_history_item_get_params(item);
    GsModelEntry *entry = gs_model_chooser_get_selected(self->model_chooser);
    const gs_model_info *info = entry && params->model && g_str_equal(gs_model_entry_get_name(entry), params->model)
                                    ? gs_model_entry_get_info(entry) : NULL;
    g_autofree char *text = info && info->licence[0] ? g_strdup_printf(_("AI-generated · %s"), info->licence)
                                                     : g_strdup(_("AI-generated"));
    gtk_label_set_text(self->ai_badge, text);
}

void
gs_image_page_show_item(GsImagePage *self, GsHistoryItem *item)
{
    g_set_object(&self->shown, item);
    GPtrArray *steps = item ? gs_history_item_get_steps(item) : NULL;
    GtkAdjustment *adj = gtk_range_get_adjustment(GTK_RANGE(self->scrubber));
    gtk_adjustment_set_upper(adj, steps && steps->len ? steps->len : 0);
    gtk_adjustment_set_value(adj, steps ? steps->len : 0);
    gs_canvas_set_texture(self->canvas, item ? gs_history_item_get_texture(item) : NULL);
    update_badge(self, item);
    gs_image_page_update_actions(self);
}

static void
on_scrub(GtkAdjustment *adj, GsImagePage *self)
{
    if (!self->shown || self->cancellable)
        return;
    GPtrArray *steps = gs_history_item_get_steps(self->shown);
    guint step = (guint)gtk_adjustment_get_value(adj);
    /* Step k is the sample after k denoising steps; the last is the image. */
    GdkTexture *texture = step >= 1 && step <= steps->len ? g_ptr_array_index(steps, step - 1)
                                                          : gs_history_item_get_texture(self->shown);
    gs_canvas_set_texture(self->canvas, texture);
}

/* A latent model takes the size in the pane; a pixel-space one (emoji32)
 * draws at its own. */
static gboolean
size_is_free(GsModelEntry *entry)
{
    const gs_model_info *info = entry ? gs_model_entry_get_info(entry) : NULL;
    return info && info->family != GS_FAMILY_GENSTUDIO;
}

/* The parameters in the pane, as the engine job takes them. */
static GsImageRequest *
build_request(GsImagePage *self, GsModelEntry **model)
{
    GsImageRequest *r = g_new0(GsImageRequest, 1);
    gs_image_request_init(r);
    GsImageParams *p = &r->params;
    g_free(p->prompt);
    p->prompt = buffer_text(self->prompt_view);
    g_free(p->negative_prompt);
    p->negative_prompt = buffer_text(self->negative_view);
    p->steps = gtk_spin_button_get_value_as_int(self->steps_spin);
    p->cfg_scale = gtk_spin_button_get_value(self->cfg_spin);
    p->seed = (guint64)gtk_spin_button_get_value(self->seed_spin);
    guint sampler = gtk_drop_down_get_selected(self->sampler_dropdown);
    p->sampler = sampler < G_N_ELEMENTS(sampler_ids) ? (gs_sampler)sampler : GS_SAMPLER_EULER_A;
    p->strength = gtk_spin_button_get_value(self->strength_spin);
    *model = gs_model_chooser_get_selected(self->model_chooser);
    if (*model)
        g_object_ref(*model);
    if (size_is_free(*model)) {
        p->width = gtk_spin_button_get_value_as_int(self->width_spin);
        p->height = gtk_spin_button_get_value_as_int(self->height_spin);
    }
    if (gtk_switch_get_active(self->upscale_switch)) {
        r->upscale_scale = 4;
        r->upscale_variant = g_strdup("slim");
    }

    if (self->init_path) {
        r->init_path = g_strdup(self->init_path);
        int w, h;
        const float *mask = gs_canvas_get_mask(self->canvas, &w, &h);
        if (mask) {
            /* The job reads masks from PNG, as the CLI does. */
            g_autofree float *rgb = g_new(float, (gsize)w * h * 3);
            for (int i = 0; i < w * h; i++)
                rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = mask[i];
            g_autofree char *dir = g_build_filename(g_get_user_cache_dir(), "genstudio", NULL);
            g_mkdir_with_parents(dir, 0700);
            r->mask_path = g_build_filename(dir, "mask.png", NULL);
            if (!gs_png_save(r->mask_path, rgb, w, h, NULL, 0, NULL))
                g_clear_pointer(&r->mask_path, g_free);
        }
    }
    return r;
}

static void
on_step(int step, int steps, GdkTexture *preview, gpointer user_data)
{
    GsImagePage *self = user_data;
    if (!self->cancellable)
        return;
    gs_canvas_set_texture(self->canvas, preview);
    g_ptr_array_add(self->steps, g_object_ref(preview));
    double elapsed = (g_get_monotonic_time() - self->started_us) / 1e6;
    double left = elapsed / step * (steps - step);
    g_autofree char *text = g_strdup_printf(_("Step %d of %d — %.0f s left"), step, steps, left);
    gtk_progress_bar_set_fraction(self->progress, (double)step / steps);
    gtk_progress_bar_set_text(self->progress, text);
}

static void start_run(GsImagePage *self);

/* The window's project keeps every image made, with how it was made. */
static void
register_image(GsImagePage *self, GsHistoryItem *item)
{
    GtkWidget *window = gtk_widget_get_ancestor(GTK_WIDGET(self), GS_TYPE_WINDOW);
    if (!window)
        return;
    g_autofree char *path = gs_window_new_scratch_path("png");
    int w, h;
    g_autofree float *rgb = gs_rgb_from_texture(gs_history_item_get_texture(item), &w, &h);
    GsPngText texts[] = { { "parameters", gs_history_item_get_parameters_text(item) },
                          { "Software", "GenStudio " GS_VERSION } };
    g_autofree char *model_path = NULL;
    GsProvenance provenance = gs_provenance_for_params(gs_history_item_get_params(item), &model_path);
    g_autoptr(GError) error = NULL;
    if (!gs_png_save_marked(path, rgb, w, h, texts, G_N_ELEMENTS(texts), &provenance, &error)) {
        g_warning("%s", error->message);
        return;
    }
    gs_project_add_image(gs_window_get_project(GS_WINDOW(window)), path, gs_history_item_get_parameters_text(item));
}

static void
on_generated(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(GsImagePage) self = user_data;
    GsImageParams *params = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GdkTexture) texture = gs_engine_generate_finish(GS_ENGINE(source), result, &params, &error);
    if (!self->history) { /* the page went away while the engine worked */
        g_clear_pointer(&params, gs_image_params_free);
        return;
    }
    g_autoptr(GPtrArray) steps = g_steal_pointer(&self->steps);
    g_clear_object(&self->cancellable);
    if (!texture) {
        self->batch_left = 0;
        gboolean cancelled = g_error_matches(error, GS_ENGINE_ERROR, GS_ERR_CANCELLED) ||
                             g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
        gtk_progress_bar_set_text(self->progress, cancelled ? _("Cancelled") : _("Failed"));
        if (!cancelled)
            gs_model_chooser_toast_error(self->model_chooser, error);
        if (self->shown)
            gs_canvas_set_texture(self->canvas, gs_history_item_get_texture(self->shown));
        gs_image_page_update_actions(self);
        return;
    }
    g_autoptr(GsHistoryItem) item = gs_history_item_new(texture, params, g_steal_pointer(&steps));
    g_list_store_insert(self->history, 0, item);
    register_image(self, item);
    gs_image_page_show_item(self, item);
    gtk_progress_bar_set_fraction(self->progress, 1.0);
    gtk_progress_bar_set_text(self->progress, _("Done"));
    if (--self->batch_left > 0)
        start_run(self);
    else
        gs_image_page_update_actions(self);
}

static void
start_run(GsImagePage *self)
{
    if (gtk_check_button_get_active(self->random_seed_check))
        gtk_spin_button_set_value(self->seed_spin, g_random_int());
    g_autoptr(GsModelEntry) model = NULL;
    GsImageRequest *request = build_request(self, &model);
    self->cancellable = g_cancellable_new();
    self->steps = g_ptr_array_new_with_free_func(g_object_unref);
    self->started_us = g_get_monotonic_time();
    gtk_progress_bar_set_fraction(self->progress, 0);
    gtk_progress_bar_set_text(self->progress, _("Starting…"));
    gs_image_page_update_actions(self);
    gs_engine_generate_async(self->engine, request, gs_model_chooser_get_library(self->model_chooser), model, on_step,
                             self, self->cancellable, on_generated, g_object_ref(self));
    g_free(request); /* its contents moved into the job */
}

void
gs_image_page_generate(GsImagePage *self)
{
    if (self->cancellable)
        return;
    gs_image_page_set_comparing(self, FALSE); /* the new image shows on the canvas */
    self->batch_left = gtk_spin_button_get_value_as_int(self->batch_spin);
    start_run(self);
}

/* ---- upscaling ------------------------------------------------------------ */

typedef struct {
    GsImagePage *page;
    GsHistoryItem *source;
    int scale;
    char *variant;
} UpscaleRun;

static void
on_upscale_progress(GsEngine *engine, double fraction, GsImagePage *self)
{
    if (!self->cancellable)
        return;
    g_autofree char *text = g_strdup_printf(_("Upscaling… %.0f %%"), fraction * 100.0);
    gtk_progress_bar_set_fraction(self->progress, fraction);
    gtk_progress_bar_set_text(self->progress, text);
}

static void
on_upscaled(GObject *source, GAsyncResult *result, gpointer user_data)
{
    UpscaleRun *run = user_data;
    g_autoptr(GsImagePage) self = run->page;
    g_autoptr(GsHistoryItem) from = run->source;
    g_autofree char *variant = run->variant;
    int scale = run->scale;
    g_free(run);
    g_autoptr(GError) error = NULL;
    g_autoptr(GdkTexture) texture = gs_engine_upscale_finish(GS_ENGINE(source), result, &error);
    if (!self->history)
        return; /* the page went away while the engine worked */
    g_clear_object(&self->cancellable);
    if (!texture) {
        gboolean cancelled = g_error_matches(error, GS_ENGINE_ERROR, GS_ERR_CANCELLED) ||
                             g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
        gtk_progress_bar_set_fraction(self->progress, 0);
        gtk_progress_bar_set_text(self->progress, cancelled ? _("Cancelled") : _("Failed"));
        if (!cancelled)
            gs_widget_toast(GTK_WIDGET(self), error->message);
        gs_image_page_update_actions(self);
        return;
    }
    /* The new entry remembers how the original was made, and the upscale. */
    GsImageParams *params = g_new0(GsImageParams, 1);
    gs_image_params_copy(gs_history_item_get_params(from), params);
    g_autofree char *entry = gs_upscale_entry(scale, variant);
    gs_image_params_add_upscale(params, entry);
    GPtrArray *old_steps = gs_history_item_get_steps(from);
    GPtrArray *steps = g_ptr_array_new_full(old_steps->len, g_object_unref);
    for (guint i = 0; i < old_steps->len; i++)
        g_ptr_array_add(steps, g_object_ref(g_ptr_array_index(old_steps, i)));
    g_autoptr(GsHistoryItem) item = gs_history_item_new(texture, params, steps);
    g_list_store_insert(self->history, 0, item);
    register_image(self, item);
    gs_image_page_show_item(self, item);
    gtk_progress_bar_set_fraction(self->progress, 1.0);
    gtk_progress_bar_set_text(self->progress, _("Done"));
}

void
gs_image_page_upscale(GsImagePage *self, int scale, const char *variant)
{
    if (self->cancellable || !self->shown)
        return;
    if (scale != 2 && scale != 4 && scale != 8)
        return;
    UpscaleRun *run = g_new0(UpscaleRun, 1);
    run->page = g_object_ref(self);
    run->source = g_object_ref(self->shown);
    run->scale = scale;
    run->variant = g_strdup(variant);
    self->cancellable = g_cancellable_new();
    g_autofree char *text = g_strdup_printf(_("Upscaling ×%d…"), scale);
    gtk_progress_bar_set_fraction(self->progress, 0);
    gtk_progress_bar_set_text(self->progress, text);
    gs_image_page_update_actions(self);
    gs_engine_upscale_async(self->engine, gs_history_item_get_texture(self->shown), scale, variant, self->cancellable,
                            on_upscaled, run);
}

/* slim and medium ship with GenStudio; thick only when made (tools/esrgan). */
static void
fill_upscale_models(GsImagePage *self)
{
    g_autoptr(GStrvBuilder) ids = g_strv_builder_new();
    g_autoptr(GtkStringList) names = gtk_string_list_new(NULL);
    g_strv_builder_add(ids, "slim");
    gtk_string_list_append(names, _("ESRGAN slim (fast)"));
    g_strv_builder_add(ids, "medium");
    gtk_string_list_append(names, _("ESRGAN medium (sharper)"));
    if (gs_engine_has_upscaler("thick", 2) || gs_engine_has_upscaler("thick", 4) || gs_engine_has_upscaler("thick", 8)) {
        g_strv_builder_add(ids, "thick");
        gtk_string_list_append(names, _("ESRGAN thick (slowest)"));
    }
    g_strfreev(self->upscale_variants);
    self->upscale_variants = g_strv_builder_end(ids);
    gtk_drop_down_set_model(self->upscale_model_dropdown, G_LIST_MODEL(names));
}

/* The upscale switch follows the model's family: on for the built-in
 * pixel-space model (its 32² is small), off for SD; each remembered. */
static const char *
upscale_key(GsImagePage *self)
{
    GsModelEntry *entry = gs_model_chooser_get_selected(self->model_chooser);
    return size_is_free(entry) ? "upscale-sd" : "upscale-builtin";
}

static void
sync_upscale_switch(GsImagePage *self)
{
    self->upscale_quiet++;
    gtk_switch_set_active(self->upscale_switch, g_settings_get_boolean(self->settings, upscale_key(self)));
    self->upscale_quiet--;
}

static void
on_upscale_switch(GtkSwitch *sw, GParamSpec *pspec, GsImagePage *self)
{
    if (!self->upscale_quiet)
        g_settings_set_boolean(self->settings, upscale_key(self), gtk_switch_get_active(sw));
}

gboolean
gs_image_page_get_upscale_generated(GsImagePage *self)
{
    return gtk_switch_get_active(self->upscale_switch);
}

void
gs_image_page_set_upscale_generated(GsImagePage *self, gboolean upscale)
{
    gtk_switch_set_active(self->upscale_switch, upscale);
}

/* ---- history ------------------------------------------------------------ */

static void
unparent_later(GtkWidget *popover)
{
    /* After the menu item's action ran: it looks its action up through us. */
    g_idle_add_once((GSourceOnceFunc)gtk_widget_unparent, popover);
}

/* Right click on a thumbnail: its context menu. */
static void
on_history_pressed(GtkGestureClick *gesture, int n_press, double x, double y, GtkListItem *list_item)
{
    GtkWidget *picture = gtk_event_controller_get_widget(GTK_EVENT_CONTROLLER(gesture));
    g_autoptr(GMenu) menu = g_menu_new();
    g_autoptr(GMenuItem) upscale = g_menu_item_new(_("Upscale…"), NULL);
    g_menu_item_set_action_and_target_value(upscale, "image.upscale-item",
                                            g_variant_new_uint32(gtk_list_item_get_position(list_item)));
    g_menu_append_item(menu, upscale);
    GtkWidget *popover = gtk_popover_menu_new_from_model(G_MENU_MODEL(menu));
    gtk_widget_set_parent(popover, picture);
    gtk_popover_set_pointing_to(GTK_POPOVER(popover), &(GdkRectangle){ (int)x, (int)y, 1, 1 });
    gtk_popover_set_has_arrow(GTK_POPOVER(popover), FALSE);
    g_signal_connect(popover, "closed", G_CALLBACK(unparent_later), NULL);
    gtk_popover_popup(GTK_POPOVER(popover));
    gtk_gesture_set_state(GTK_GESTURE(gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

/* Dragging a history thumbnail out hands over the image itself. */
static GdkContentProvider *
on_history_drag_prepare(GtkDragSource *source, double x, double y, GtkPicture *picture)
{
    GdkPaintable *paintable = gtk_picture_get_paintable(picture);
    if (!GDK_IS_TEXTURE(paintable))
        return NULL;
    gtk_drag_source_set_icon(source, paintable, 0, 0);
    return gdk_content_provider_new_typed(GDK_TYPE_TEXTURE, paintable);
}

static void
setup_history_cell(GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer data)
{
    GtkGesture *click = gtk_gesture_click_new();
    gtk_gesture_single_set_button(GTK_GESTURE_SINGLE(click), GDK_BUTTON_SECONDARY);
    GtkWidget *picture = gtk_picture_new();
    gtk_widget_set_size_request(picture, 88, 88);
    gtk_picture_set_can_shrink(GTK_PICTURE(picture), TRUE);
    GtkDragSource *drag = gtk_drag_source_new();
    g_signal_connect(drag, "prepare", G_CALLBACK(on_history_drag_prepare), picture);
    gtk_widget_add_controller(picture, GTK_EVENT_CONTROLLER(drag));
    g_signal_connect(click, "pressed", G_CALLBACK(on_history_pressed), list_item);
    gtk_widget_add_controller(picture, GTK_EVENT_CONTROLLER(click));
    gtk_list_item_set_child(list_item, picture);
}

static void
bind_history_cell(GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer data)
{
    GsHistoryItem *item = gtk_list_item_get_item(list_item);
    GtkWidget *picture = gtk_list_item_get_child(list_item);
    gtk_picture_set_paintable(GTK_PICTURE(picture), GDK_PAINTABLE(gs_history_item_get_texture(item)));
    gtk_widget_set_tooltip_text(picture, gs_history_item_get_parameters_text(item));
}

static void
apply_params(GsImagePage *self, const GsImageParams *p)
{
    /* The model first: choosing one brings its defaults, which the rest overrides. */
    GsModelEntry *current = gs_model_chooser_get_selected(self->model_chooser);
    if (p->model && *p->model && !(current && g_str_equal(gs_model_entry_get_name(current), p->model)) &&
        !gs_model_chooser_select(self->model_chooser, p->model)) {
        g_autofree char *message =
            g_strdup_printf(_("The image was made with “%s”, which is not in the models folder"), p->model);
        gs_widget_toast(GTK_WIDGET(self), message);
    }
    if (size_is_free(gs_model_chooser_get_selected(self->model_chooser)) && p->width > 0 && p->height > 0) {
        gtk_spin_button_set_value(self->width_spin, p->width);
        gtk_spin_button_set_value(self->height_spin, p->height);
    }
    gtk_text_buffer_set_text(gtk_text_view_get_buffer(self->prompt_view), p->prompt ? p->prompt : "", -1);
    gtk_text_buffer_set_text(gtk_text_view_get_buffer(self->negative_view),
                             p->negative_prompt ? p->negative_prompt : "", -1);
    gtk_spin_button_set_value(self->steps_spin, p->steps);
    gtk_spin_button_set_value(self->cfg_spin, p->cfg_scale);
    gtk_spin_button_set_value(self->seed_spin, (double)p->seed);
    gtk_check_button_set_active(self->random_seed_check, FALSE); /* restoring means this exact seed */
    gtk_drop_down_set_selected(self->sampler_dropdown, p->sampler);
}

void
gs_image_page_restore(GsImagePage *self, guint position)
{
    g_autoptr(GsHistoryItem) item = g_list_model_get_item(G_LIST_MODEL(self->history), position);
    if (!item)
        return;
    apply_params(self, gs_history_item_get_params(item));
    gs_image_page_show_item(self, item);
}

static void
on_history_activate(GtkGridView *view, guint position, GsImagePage *self)
{
    gs_image_page_restore(self, position);
}

void
gs_image_page_set_images(GsImagePage *self, GsProject *project)
{
    g_return_if_fail(GS_IS_IMAGE_PAGE(self) && GS_IS_PROJECT(project));
    g_list_store_remove_all(self->history);
    for (guint i = 0; i < gs_project_get_n_images(project); i++) {
        const GsProjectImage *image = gs_project_get_image(project, i);
        g_autoptr(GError) error = NULL;
        g_autoptr(GdkTexture) texture = gdk_texture_new_from_filename(image->png_path, &error);
        if (!texture) {
            g_warning("Cannot show the project's image %s: %s", image->png_path, error->message);
            continue;
        }
        GsImageParams *params = g_new0(GsImageParams, 1);
        gs_image_params_init(params);
        /* Text from elsewhere may not parse: the image is still worth showing. */
        if (!gs_image_params_parse(image->parameters, params, &error))
            g_warning("The parameters of %s: %s", image->png_path, error->message);
        g_autoptr(GsHistoryItem) item =
            gs_history_item_new(texture, params, g_ptr_array_new_with_free_func(g_object_unref));
        g_list_store_insert(self->history, 0, item);
    }
    g_autoptr(GsHistoryItem) newest = g_list_model_get_item(G_LIST_MODEL(self->history), 0);
    gs_image_page_show_item(self, newest);
}

gboolean
gs_image_page_restore_from_png(GsImagePage *self, GFile *file, GError **error)
{
    g_autofree char *path = g_file_get_path(file);
    g_autofree char *text = path ? gs_png_read_text(path, "parameters", error) : NULL;
    if (!text)
        return FALSE;
    GsImageParams p;
    gs_image_params_init(&p);
    gboolean ok = gs_image_params_parse(text, &p, error);
    if (ok)
        apply_params(self, &p);
    gs_image_params_clear(&p);
    return ok;
}

gboolean
gs_image_page_set_start_image(GsImagePage *self, GFile *file, GError **error)
{
    g_autofree char *path = g_file_get_path(file);
    int w, h;
    g_autofree float *rgb = path ? gs_png_load(path, &w, &h, error) : NULL;
    if (!rgb) {
        if (!path)
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Not a local file"));
        return FALSE;
    }
    g_autoptr(GdkTexture) texture = gs_texture_from_rgb(rgb, w, h);
    gs_canvas_set_texture(self->canvas, texture);
    g_free(self->init_path);
    self->init_path = g_steal_pointer(&path);
    g_autofree char *name = g_file_get_basename(file);
    gtk_label_set_label(self->init_label, name);
    return TRUE;
}

/* ---- the model ------------------------------------------------------------ */

/* Size rules of the model: SD takes multiples of 64 (8 latent pixels), a
 * GenStudio model draws at its one size. With `defaults`, the family's
 * size; else the one last used (GSettings "width"/"height", 0 = default). */
static void
apply_size_rules(GsImagePage *self, GsModelEntry *entry, gboolean defaults)
{
    const gs_model_info *info = entry ? gs_model_entry_get_info(entry) : NULL;
    gboolean free_size = size_is_free(entry);
    GtkSpinButton *spins[2] = { self->width_spin, self->height_spin };
    const char *keys[2] = { "width", "height" };
    self->size_quiet++;
    for (int i = 0; i < 2; i++) {
        int fallback = free_size ? 512 : 32;
        int model_default = info ? (i == 0 ? info->default_width : info->default_height) : 0;
        if (model_default <= 0)
            model_default = fallback;
        GtkAdjustment *adj = gtk_spin_button_get_adjustment(spins[i]);
        if (free_size) {
            int saved = g_settings_get_int(self->settings, keys[i]);
            int value = defaults || saved <= 0 ? model_default : saved;
            value = CLAMP((value + 32) / 64 * 64, 64, 2048);
            gtk_adjustment_configure(adj, value, 64, 2048, 64, 256, 0);
            if (defaults)
                g_settings_set_int(self->settings, keys[i], value);
        } else {
            gtk_adjustment_configure(adj, model_default, model_default, model_default, 1, 1, 0);
        }
        gtk_widget_set_sensitive(GTK_WIDGET(spins[i]), free_size);
        gtk_widget_set_tooltip_text(GTK_WIDGET(spins[i]), free_size ? _("A multiple of 64 pixels")
                                                                     : _("This model draws at one size only"));
    }
    self->size_quiet--;
}

static void
on_size_changed(GtkSpinButton *spin, GsImagePage *self)
{
    if (self->size_quiet || !gtk_widget_get_sensitive(GTK_WIDGET(spin)))
        return;
    g_settings_set_int(self->settings, spin == self->width_spin ? "width" : "height",
                       gtk_spin_button_get_value_as_int(spin));
}

static void
on_load_progress(GsEngine *engine, const char *name, double fraction, GsImagePage *self)
{
    if (!self->load_cancellable && !self->cancellable)
        return;
    g_autofree char *text = g_strdup_printf(_("Loading %s… %.0f %%"), name, fraction * 100.0);
    gtk_progress_bar_set_fraction(self->progress, fraction);
    gtk_progress_bar_set_text(self->progress, text);
}

typedef struct {
    GsImagePage *page;
    GCancellable *cancellable;
    char *name;
} LoadRequest;

static void
on_model_loaded(GObject *source, GAsyncResult *result, gpointer user_data)
{
    LoadRequest *request = user_data;
    g_autoptr(GsImagePage) self = request->page;
    g_autoptr(GCancellable) cancellable = request->cancellable;
    g_autofree char *name = request->name;
    g_free(request);
    g_autoptr(GError) error = NULL;
    gboolean loaded = gs_engine_load_model_finish(GS_ENGINE(source), result, &error);
    if (!self->history || cancellable != self->load_cancellable)
        return; /* the page went away, or another model was chosen since */
    g_clear_object(&self->load_cancellable);
    gs_image_page_update_actions(self);
    gboolean cancelled = g_error_matches(error, GS_ENGINE_ERROR, GS_ERR_CANCELLED) ||
                         g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    if (!loaded && !cancelled)
        gs_model_chooser_toast_error(self->model_chooser, error);
    if (self->cancellable)
        return; /* a run owns the progress bar now */
    g_autofree char *text = loaded      ? g_strdup_printf(_("%s is ready"), name)
                            : cancelled ? g_strdup(_("Cancelled"))
                                        : g_strdup_printf(_("Could not load %s"), name);
    gtk_progress_bar_set_fraction(self->progress, loaded ? 1.0 : 0.0);
    gtk_progress_bar_set_text(self->progress, text);
}

/* Loads the chosen model while the user writes the prompt; the first
 * image then starts at once, and a model that cannot load says so now. */
static void
preload_model(GsImagePage *self)
{
    GsModelEntry *entry = gs_model_chooser_get_selected(self->model_chooser);
    if (!entry)
        return;
    if (self->load_cancellable)
        g_cancellable_cancel(self->load_cancellable);
    g_clear_object(&self->load_cancellable);
    self->load_cancellable = g_cancellable_new();
    LoadRequest *request = g_new0(LoadRequest, 1);
    request->page = g_object_ref(self);
    request->cancellable = g_object_ref(self->load_cancellable);
    request->name = g_strdup(gs_model_entry_get_name(entry));
    if (!self->cancellable) {
        g_autofree char *text = g_strdup_printf(_("Loading %s…"), request->name);
        gtk_progress_bar_set_fraction(self->progress, 0);
        gtk_progress_bar_set_text(self->progress, text);
    }
    gs_image_page_update_actions(self);
    gs_engine_load_model_async(self->engine, gs_model_chooser_get_library(self->model_chooser), entry,
                               self->load_cancellable, on_model_loaded, request);
}

static void
on_model_changed(GsModelChooser *chooser, GsModelEntry *entry, gboolean by_user, GsImagePage *self)
{
    apply_size_rules(self, entry, by_user);
    sync_upscale_switch(self);
    if (!by_user)
        return; /* restored from the settings: the pane keeps its values, nothing loads yet */
    const gs_model_info *info = gs_model_entry_get_info(entry);
    if (info && info->default_steps > 0)
        gtk_spin_button_set_value(self->steps_spin, info->default_steps);
    if (info && info->default_cfg > 0)
        gtk_spin_button_set_value(self->cfg_spin, info->default_cfg);
    if (info && info->default_sampler < G_N_ELEMENTS(sampler_ids))
        gtk_drop_down_set_selected(self->sampler_dropdown, info->default_sampler);
    preload_model(self);
}

static void
on_tokenizer_added(GsModelChooser *chooser, GsImagePage *self)
{
    preload_model(self);
}

/* ---- settings ------------------------------------------------------------ */

static gboolean
sampler_from_setting(GValue *value, GVariant *variant, gpointer data)
{
    const char *id = g_variant_get_string(variant, NULL);
    for (guint i = 0; i < G_N_ELEMENTS(sampler_ids); i++)
        if (g_str_equal(id, sampler_ids[i]))
            g_value_set_uint(value, i);
    return TRUE;
}

static GVariant *
sampler_to_setting(const GValue *value, const GVariantType *type, gpointer data)
{
    guint i = g_value_get_uint(value);
    return g_variant_new_string(sampler_ids[i < G_N_ELEMENTS(sampler_ids) ? i : 0]);
}

static void
bind_settings(GsImagePage *self)
{
    GSettings *s = self->settings;
    g_settings_bind(s, "prompt", gtk_text_view_get_buffer(self->prompt_view), "text", G_SETTINGS_BIND_DEFAULT);
    g_settings_bind(s, "negative-prompt", gtk_text_view_get_buffer(self->negative_view), "text",
                    G_SETTINGS_BIND_DEFAULT);
    g_settings_bind(s, "steps", self->steps_spin, "value", G_SETTINGS_BIND_DEFAULT);
    g_settings_bind(s, "cfg-scale", self->cfg_spin, "value", G_SETTINGS_BIND_DEFAULT);
    g_settings_bind(s, "seed", gtk_spin_button_get_adjustment(self->seed_spin), "value", G_SETTINGS_BIND_DEFAULT);
    g_settings_bind(s, "random-seed", self->random_seed_check, "active", G_SETTINGS_BIND_DEFAULT);
    g_settings_bind(s, "batch-count", self->batch_spin, "value", G_SETTINGS_BIND_DEFAULT);
    g_settings_bind_with_mapping(s, "sampler", self->sampler_dropdown, "selected", G_SETTINGS_BIND_DEFAULT,
                                 sampler_from_setting, sampler_to_setting, NULL, NULL);
}

/* ---- lifetime ------------------------------------------------------------ */

static void
gs_image_page_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    switch (prop_id) {
    case PROP_COMPARING:
        g_value_set_boolean(value, gs_image_page_get_comparing(GS_IMAGE_PAGE(object)));
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
gs_image_page_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
    switch (prop_id) {
    case PROP_COMPARING:
        gs_image_page_set_comparing(GS_IMAGE_PAGE(object), g_value_get_boolean(value));
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
gs_image_page_dispose(GObject *object)
{
    GsImagePage *self = GS_IMAGE_PAGE(object);
    if (self->cancellable)
        g_cancellable_cancel(self->cancellable);
    if (self->load_cancellable)
        g_cancellable_cancel(self->load_cancellable);
    gtk_widget_dispose_template(GTK_WIDGET(self), GS_TYPE_IMAGE_PAGE);
    g_clear_object(&self->settings);
    g_clear_object(&self->engine);
    g_clear_object(&self->history);
    g_clear_object(&self->shown);
    g_clear_object(&self->cancellable);
    g_clear_object(&self->load_cancellable);
    g_clear_pointer(&self->steps, g_ptr_array_unref);
    g_clear_pointer(&self->init_path, g_free);
    g_clear_pointer(&self->upscale_variants, g_strfreev);
    G_OBJECT_CLASS(gs_image_page_parent_class)->dispose(object);
}

static void
gs_image_page_class_init(GsImagePageClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
    object_class->dispose = gs_image_page_dispose;
    object_class->get_property = gs_image_page_get_property;
    object_class->set_property = gs_image_page_set_property;
    properties[PROP_COMPARING] = g_param_spec_boolean("comparing", NULL, NULL, FALSE,
                                                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                          G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties(object_class, N_PROPS, properties);

    g_type_ensure(GS_TYPE_CANVAS);
    g_type_ensure(GS_TYPE_COMPARE_VIEW);
    g_type_ensure(GS_TYPE_MODEL_CHOOSER);
    gtk_widget_class_set_template_from_resource(widget_class, "/org/genstudio/GenStudio/gs-image-page.ui");
    gtk_widget_class_set_layout_manager_type(widget_class, GTK_TYPE_BIN_LAYOUT);
#define CHILD(name) gtk_widget_class_bind_template_child(widget_class, GsImagePage, name)
    CHILD(flap);
    CHILD(ai_badge);
    CHILD(prompt_view);
    CHILD(negative_view);
    CHILD(model_chooser);
    CHILD(sampler_dropdown);
    CHILD(width_spin);
    CHILD(height_spin);
    CHILD(steps_spin);
    CHILD(cfg_spin);
    CHILD(seed_spin);
    CHILD(batch_spin);
    CHILD(strength_spin);
    CHILD(random_seed_check);
    CHILD(upscale_switch);
    CHILD(init_label);
    CHILD(paint_toggle);
    CHILD(canvas);
    CHILD(progress);
    CHILD(upscale_button);
    CHILD(upscale_scale_dropdown);
    CHILD(upscale_model_dropdown);
    CHILD(scrubber);
    CHILD(history_view);
    CHILD(content_stack);
    CHILD(compare_view);
#undef CHILD
    gs_image_page_install_actions(widget_class);
}

static void
gs_image_page_init(GsImagePage *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    self->settings = gs_settings_new();
    self->engine = gs_engine_dup_default();
    self->history = g_list_store_new(GS_TYPE_HISTORY_ITEM);

    const char *samplers[] = { _("Euler a"), _("Euler"), _("DDIM"), _("DPM++ 2M"), NULL };
    GtkStringList *sampler_list = gtk_string_list_new(samplers);
    gtk_drop_down_set_model(self->sampler_dropdown, G_LIST_MODEL(sampler_list));
    g_object_unref(sampler_list);
    bind_settings(self);
    g_object_bind_property(gtk_text_view_get_buffer(self->prompt_view), "text", self->compare_view, "prompt",
                           G_BINDING_SYNC_CREATE);
    gs_compare_view_set_library(self->compare_view, gs_model_chooser_get_library(self->model_chooser));
    g_signal_connect(self->model_chooser, "model-changed", G_CALLBACK(on_model_changed), self);
    g_signal_connect(self->model_chooser, "tokenizer-added", G_CALLBACK(on_tokenizer_added), self);
    g_signal_connect_object(self->engine, "load-progress", G_CALLBACK(on_load_progress), self, 0);
    g_signal_connect_object(self->engine, "upscale-progress", G_CALLBACK(on_upscale_progress), self, 0);
    fill_upscale_models(self);
    sync_upscale_switch(self);
    g_signal_connect(self->upscale_switch, "notify::active", G_CALLBACK(on_upscale_switch), self);
    g_signal_connect(self->width_spin, "value-changed", G_CALLBACK(on_size_changed), self);
    g_signal_connect(self->height_spin, "value-changed", G_CALLBACK(on_size_changed), self);

    GtkListItemFactory *factory = gtk_signal_list_item_factory_new();
    g_signal_connect(factory, "setup", G_CALLBACK(setup_history_cell), NULL);
    g_signal_connect(factory, "bind", G_CALLBACK(bind_history_cell), NULL);
    gtk_grid_view_set_factory(self->history_view, factory);
    g_object_unref(factory);
    GtkNoSelection *selection = gtk_no_selection_new(G_LIST_MODEL(g_object_ref(self->history)));
    gtk_grid_view_set_model(self->history_view, GTK_SELECTION_MODEL(selection));
    g_object_unref(selection);
    g_signal_connect(self->history_view, "activate", G_CALLBACK(on_history_activate), self);
    g_signal_connect(gtk_range_get_adjustment(GTK_RANGE(self->scrubber)), "value-changed", G_CALLBACK(on_scrub), self);
    gs_widget_add_generate_shortcut(GTK_WIDGET(self), "image.generate");
    gs_image_page_update_actions(self);
}

GsCanvas *gs_image_page_get_canvas(GsImagePage *self) { return self->canvas; }
GListModel *gs_image_page_get_history(GsImagePage *self) { return G_LIST_MODEL(self->history); }
gboolean gs_image_page_get_generating(GsImagePage *self) { return self->cancellable != NULL; }
gboolean gs_image_page_get_loading(GsImagePage *self) { return self->load_cancellable != NULL; }
GsModelChooser *gs_image_page_get_model_chooser(GsImagePage *self) { return self->model_chooser; }
GsCompareView *gs_image_page_get_compare_view(GsImagePage *self) { return self->compare_view; }

gboolean
gs_image_page_get_comparing(GsImagePage *self)
{
    return g_strcmp0(gtk_stack_get_visible_child_name(self->content_stack), "compare") == 0;
}

void
gs_image_page_set_comparing(GsImagePage *self, gboolean comparing)
{
    if (comparing == gs_image_page_get_comparing(self))
        return;
    gtk_stack_set_visible_child_name(self->content_stack, comparing ? "compare" : "studio");
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_COMPARING]);
}

void
gs_image_page_get_size(GsImagePage *self, int *width, int *height, gboolean *free_size)
{
    *width = gtk_spin_button_get_value_as_int(self->width_spin);
    *height = gtk_spin_button_get_value_as_int(self->height_spin);
    if (free_size)
        *free_size = gtk_widget_get_sensitive(GTK_WIDGET(self->width_spin));
}

void
gs_image_page_set_prompt(GsImagePage *self, const char *prompt)
{
    gtk_text_buffer_set_text(gtk_text_view_get_buffer(self->prompt_view), prompt, -1);
}

char *
gs_image_page_dup_prompt(GsImagePage *self)
{
    return buffer_text(self->prompt_view);
}
