/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gi18n.h>

#include "gs-music-page.h"
#include "gs-voice-page.h"
#include "gs-window.h"

struct _GsWindow {
    AdwApplicationWindow parent_instance;
    AdwToastOverlay *toast_overlay;
    AdwViewStack *stack;
    GsImagePage *image_page;
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

static void
gs_window_dispose(GObject *object)
{
    gtk_widget_dispose_template(GTK_WIDGET(object), GS_TYPE_WINDOW);
    G_OBJECT_CLASS(gs_window_parent_class)->dispose(object);
}

static void
gs_window_class_init(GsWindowClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
    G_OBJECT_CLASS(klass)->dispose = gs_window_dispose;
    g_type_ensure(GS_TYPE_IMAGE_PAGE);
    g_type_ensure(GS_TYPE_VOICE_PAGE);
    g_type_ensure(GS_TYPE_MUSIC_PAGE);
    gtk_widget_class_set_template_from_resource(widget_class, "/org/genstudio/GenStudio/gs-window.ui");
    gtk_widget_class_bind_template_child(widget_class, GsWindow, toast_overlay);
    gtk_widget_class_bind_template_child(widget_class, GsWindow, stack);
    gtk_widget_class_bind_template_child(widget_class, GsWindow, image_page);
}

static void
gs_window_init(GsWindow *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
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
gs_window_toast(GsWindow *self, const char *message)
{
    adw_toast_overlay_add_toast(self->toast_overlay, adw_toast_new(message));
}
