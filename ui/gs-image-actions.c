/* The Image workspace's actions ("image.*") and their shortcuts.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gi18n.h>

#include "gs-image-page-private.h"
#include "gs-page-utils.h"
#include "gs-png.h"
#include "gs-provenance.h"
#include "gs-timelapse.h"

static void
generate(GtkWidget *widget, const char *action, GVariant *param)
{
    gs_image_page_generate(GS_IMAGE_PAGE(widget));
}

static void
cancel(GtkWidget *widget, const char *action, GVariant *param)
{
    GsImagePage *self = GS_IMAGE_PAGE(widget);
    self->batch_left = 0;
    if (self->cancellable)
        g_cancellable_cancel(self->cancellable);
    if (self->load_cancellable)
        g_cancellable_cancel(self->load_cancellable);
}

static void
roll_seed(GtkWidget *widget, const char *action, GVariant *param)
{
    gtk_spin_button_set_value(GS_IMAGE_PAGE(widget)->seed_spin, g_random_int());
}

static void
zoom_fit(GtkWidget *widget, const char *action, GVariant *param)
{
    gs_canvas_set_zoom(GS_IMAGE_PAGE(widget)->canvas, 0);
}

static void
zoom_original(GtkWidget *widget, const char *action, GVariant *param)
{
    gs_canvas_set_zoom(GS_IMAGE_PAGE(widget)->canvas, 1);
}

static void
copy_image(GtkWidget *widget, const char *action, GVariant *param)
{
    GsImagePage *self = GS_IMAGE_PAGE(widget);
    if (self->shown)
        gdk_clipboard_set_texture(gtk_widget_get_clipboard(widget), gs_history_item_get_texture(self->shown));
}

static void
clear_start(GtkWidget *widget, const char *action, GVariant *param)
{
    GsImagePage *self = GS_IMAGE_PAGE(widget);
    g_clear_pointer(&self->init_path, g_free);
    gtk_label_set_label(self->init_label, _("No start image"));
    gtk_toggle_button_set_active(self->paint_toggle, FALSE);
    gs_canvas_clear_mask(self->canvas);
}

/* ---- file choosers (GtkFileChooserNative: GTK 4.8 has no GtkFileDialog) -- */

typedef void (*ChosenFunc)(GsImagePage *self, GFile *file);

static void
on_open_response(GtkNativeDialog *dialog, int response, gpointer user_data)
{
    GsImagePage *self = g_object_get_data(G_OBJECT(dialog), "page");
    ChosenFunc chosen = user_data;
    if (response == GTK_RESPONSE_ACCEPT) {
        g_autoptr(GFile) file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
        chosen(self, file);
    }
    g_object_unref(dialog);
}

static void
choose_open_file(GsImagePage *self, const char *title, ChosenFunc chosen)
{
    GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(self));
    GtkFileChooserNative *dialog =
        gtk_file_chooser_native_new(title, GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL,
                                    GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
    g_object_set_data_full(G_OBJECT(dialog), "page", g_object_ref(self), g_object_unref);
    g_signal_connect(dialog, "response", G_CALLBACK(on_open_response), chosen);
    gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}

static void
init_chosen(GsImagePage *self, GFile *file)
{
    g_autoptr(GError) error = NULL;
    if (!gs_image_page_set_start_image(self, file, &error))
        gs_widget_toast(GTK_WIDGET(self), error->message);
}

static void
open_init(GtkWidget *widget, const char *action, GVariant *param)
{
    choose_open_file(GS_IMAGE_PAGE(widget), _("Open a Start Image"), init_chosen);
}

static void
save_chosen(GtkWidget *widget, GFile *file, gpointer data)
{
    GsImagePage *self = GS_IMAGE_PAGE(widget);
    if (!self->shown)
        return;
    g_autofree char *path = g_file_get_path(file);
    int w, h;
    g_autofree float *rgb = gs_rgb_from_texture(gs_history_item_get_texture(self->shown), &w, &h);
    GsPngText texts[] = { { "parameters", gs_history_item_get_parameters_text(self->shown) },
                          { "Software", "GenStudio " GS_VERSION } };
    g_autofree char *model_path = NULL;
    GsProvenance provenance = gs_provenance_for_params(gs_history_item_get_params(self->shown), &model_path);
    g_autoptr(GError) error = NULL;
    if (!path || !gs_png_save_marked(path, rgb, w, h, texts, G_N_ELEMENTS(texts), &provenance, &error))
        gs_widget_toast(GTK_WIDGET(self), error ? error->message : _("Not a local file"));
}

static void
save_image(GtkWidget *widget, const char *action, GVariant *param)
{
    gs_widget_choose_save_file(widget, _("Save Image"), "genstudio.png", save_chosen, NULL, NULL);
}

/* ---- upscaling ------------------------------------------------------------ */

/* (scale, variant): the shown image. */
static void
upscale(GtkWidget *widget, const char *action, GVariant *param)
{
    int scale;
    const char *variant;
    g_variant_get(param, "(i&s)", &scale, &variant);
    gs_image_page_upscale(GS_IMAGE_PAGE(widget), scale, variant);
}

/* The Upscale popover's button: what its drop-downs say. */
static void
upscale_chosen(GtkWidget *widget, const char *action, GVariant *param)
{
    GsImagePage *self = GS_IMAGE_PAGE(widget);
    static const int scales[] = { 2, 4, 8 };
    guint s = gtk_drop_down_get_selected(self->upscale_scale_dropdown);
    guint m = gtk_drop_down_get_selected(self->upscale_model_dropdown);
    if (s >= G_N_ELEMENTS(scales) || m >= g_strv_length(self->upscale_variants))
        return;
    gtk_menu_button_popdown(self->upscale_button);
    gs_image_page_upscale(self, scales[s], self->upscale_variants[m]);
}

/* A history entry's "Upscale…": shows it, and asks how. */
static void
upscale_item(GtkWidget *widget, const char *action, GVariant *param)
{
    GsImagePage *self = GS_IMAGE_PAGE(widget);
    g_autoptr(GsHistoryItem) item = g_list_model_get_item(G_LIST_MODEL(self->history), g_variant_get_uint32(param));
    if (!item || self->cancellable)
        return;
    gs_image_page_show_item(self, item);
    gtk_menu_button_popup(self->upscale_button);
}

#define TIMELAPSE_SIDE 256
#define TIMELAPSE_FPS 8

typedef struct {
    char *path;
    GPtrArray *frames; /* GBytes, RGBA */
    int side;
} Timelapse;

static void
timelapse_free(Timelapse *t)
{
    g_free(t->path);
    g_ptr_array_unref(t->frames);
    g_free(t);
}

/* A frame enlarged (nearest) to the video size, as RGBA. */
static GBytes *
video_frame(GdkTexture *texture, int side)
{
    int w, h;
    g_autofree float *rgb = gs_rgb_from_texture(texture, &w, &h);
    guint8 *rgba = g_malloc((gsize)side * side * 4);
    for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++) {
            const float *src = rgb + ((gsize)(y * h / side) * w + x * w / side) * 3;
            guint8 *dst = rgba + ((gsize)y * side + x) * 4;
            for (int c = 0; c < 3; c++)
                dst[c] = (guint8)(src[c] * 255.0f + 0.5f);
            dst[3] = 255;
        }
    return g_bytes_new_take(rgba, (gsize)side * side * 4);
}

static void
write_timelapse(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    Timelapse *t = data;
    GError *error = NULL;
    if (gs_timelapse_write(t->path, t->frames, t->side, t->side, TIMELAPSE_FPS, &error))
        g_task_return_boolean(task, TRUE);
    else
        g_task_return_error(task, error);
}

static void
timelapse_chosen(GtkWidget *widget, GFile *file, gpointer data)
{
    GsImagePage *self = GS_IMAGE_PAGE(widget);
    if (!self->shown)
        return;
    Timelapse *t = g_new0(Timelapse, 1);
    t->path = g_file_get_path(file);
    t->side = TIMELAPSE_SIDE;
    t->frames = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    GPtrArray *steps = gs_history_item_get_steps(self->shown);
    for (guint i = 0; i < steps->len; i++)
        g_ptr_array_add(t->frames, video_frame(g_ptr_array_index(steps, i), t->side));
    for (int i = 0; i < TIMELAPSE_FPS; i++) /* hold the result for a second */
        g_ptr_array_add(t->frames, video_frame(gs_history_item_get_texture(self->shown), t->side));
    g_autoptr(GTask) task = g_task_new(self, NULL, gs_widget_toast_export_result, (gpointer)_("Timelapse exported"));
    g_task_set_task_data(task, t, (GDestroyNotify)timelapse_free);
    g_task_run_in_thread(task, write_timelapse);
}

static void
export_timelapse(GtkWidget *widget, const char *action, GVariant *param)
{
    gs_widget_choose_save_file(widget, _("Export Timelapse"), "genstudio.webm", timelapse_chosen, NULL, NULL);
}

void
gs_image_page_install_actions(GtkWidgetClass *widget_class)
{
    gtk_widget_class_install_action(widget_class, "image.generate", NULL, generate);
    gtk_widget_class_install_action(widget_class, "image.cancel", NULL, cancel);
    gtk_widget_class_install_action(widget_class, "image.roll-seed", NULL, roll_seed);
    gtk_widget_class_install_action(widget_class, "image.open-init", NULL, open_init);
    gtk_widget_class_install_action(widget_class, "image.clear-start", NULL, clear_start);
    gtk_widget_class_install_action(widget_class, "image.zoom-fit", NULL, zoom_fit);
    gtk_widget_class_install_action(widget_class, "image.zoom-original", NULL, zoom_original);
    gtk_widget_class_install_action(widget_class, "image.save", NULL, save_image);
    gtk_widget_class_install_action(widget_class, "image.copy", NULL, copy_image);
    gtk_widget_class_install_action(widget_class, "image.export-timelapse", NULL, export_timelapse);
    gtk_widget_class_install_action(widget_class, "image.upscale", "(is)", upscale);
    gtk_widget_class_install_action(widget_class, "image.upscale-chosen", NULL, upscale_chosen);
    gtk_widget_class_install_action(widget_class, "image.upscale-item", "u", upscale_item);
    gtk_widget_class_install_property_action(widget_class, "image.compare", "comparing");
    gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Escape, 0, "image.cancel", NULL);
    gtk_widget_class_add_binding_action(widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "image.zoom-fit", NULL);
    gtk_widget_class_add_binding_action(widget_class, GDK_KEY_1, GDK_CONTROL_MASK, "image.zoom-original", NULL);
    gtk_widget_class_add_binding_action(widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "image.save", NULL);
}
