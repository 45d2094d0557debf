/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "gs-canvas.h"

#define DISPLAY_SIDE 512 /* small images are enlarged (nearest) to about this size for crisp pixels */
#define BRUSH_RADIUS 2.5 /* in image pixels */

struct _GsCanvas {
    GtkWidget parent_instance;
    GdkTexture *texture;
    GdkTexture *display; /* texture enlarged by an integer factor, nearest neighbour */
    double zoom;         /* 0 = fit */
    double pan_x, pan_y, drag_start_x, drag_start_y;
    gboolean painting;
    float *mask;
    int mask_width, mask_height;
    gboolean mask_used;
};

G_DEFINE_FINAL_TYPE(GsCanvas, gs_canvas, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_TEXTURE, PROP_ZOOM, PROP_PAINTING, N_PROPS };
static GParamSpec *properties[N_PROPS];

static GdkTexture *
enlarge(GdkTexture *texture)
{
    int w = gdk_texture_get_width(texture), h = gdk_texture_get_height(texture);
    int factor = MAX(1, DISPLAY_SIDE / MAX(w, h));
    if (factor == 1)
        return g_object_ref(texture);
    g_autofree guchar *src = g_malloc((gsize)w * h * 4);
    gdk_texture_download(texture, src, (gsize)w * 4);
    int W = w * factor, H = h * factor;
    guchar *dst = g_malloc((gsize)W * H * 4);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            memcpy(dst + ((gsize)y * W + x) * 4, src + ((gsize)(y / factor) * w + x / factor) * 4, 4);
    g_autoptr(GBytes) bytes = g_bytes_new_take(dst, (gsize)W * H * 4);
    return gdk_memory_texture_new(W, H, GDK_MEMORY_DEFAULT, bytes, (gsize)W * 4);
}

/* Where the image lands in the widget: origin and pixels per image pixel. */
static void
layout(GsCanvas *self, double *x0, double *y0, double *scale)
{
    int w = gtk_widget_get_width(GTK_WIDGET(self)), h = gtk_widget_get_height(GTK_WIDGET(self));
    int iw = self->texture ? gdk_texture_get_width(self->texture) : 1;
    int ih = self->texture ? gdk_texture_get_height(self->texture) : 1;
    *scale = self->zoom > 0 ? self->zoom : MIN((double)w / iw, (double)h / ih);
    *x0 = (w - iw * *scale) / 2 + self->pan_x;
    *y0 = (h - ih * *scale) / 2 + self->pan_y;
}

static void
gs_canvas_snapshot(GtkWidget *widget, GtkSnapshot *snapshot)
{
    GsCanvas *self = GS_CANVAS(widget);
    if (!self->display)
        return;
    double x0, y0, scale;
    layout(self, &x0, &y0, &scale);
    int iw = gdk_texture_get_width(self->texture), ih = gdk_texture_get_height(self->texture);
    graphene_rect_t bounds = GRAPHENE_RECT_INIT((float)x0, (float)y0, (float)(iw * scale), (float)(ih * scale));
    gtk_snapshot_append_texture(snapshot, self->display, &bounds);
    if (self->mask_used) {
        cairo_t *cr = gtk_snapshot_append_cairo(snapshot, &bounds);
        cairo_translate(cr, x0, y0);
        cairo_scale(cr, scale, scale);
        cairo_set_source_rgba(cr, 0.9, 0.1, 0.2, 0.45);
        for (int y = 0; y < self->mask_height; y++)
            for (int x = 0; x < self->mask_width; x++)
                if (self->mask[y * self->mask_width + x] > 0.5f)
                    cairo_rectangle(cr, x, y, 1, 1);
        cairo_fill(cr);
        cairo_destroy(cr);
    }
}

static void
paint_at(GsCanvas *self, double wx, double wy)
{
    if (!self->mask)
        return;
    double x0, y0, scale;
    layout(self, &x0, &y0, &scale);
    double cx = (wx - x0) / scale, cy = (wy - y0) / scale;
    for (int y = MAX(0, (int)(cy - BRUSH_RADIUS)); y < MIN(self->mask_height, (int)(cy + BRUSH_RADIUS) + 1); y++)
        for (int x = MAX(0, (int)(cx - BRUSH_RADIUS)); x < MIN(self->mask_width, (int)(cx + BRUSH_RADIUS) + 1); x++)
            if (hypot(x + 0.5 - cx, y + 0.5 - cy) <= BRUSH_RADIUS) {
                self->mask[y * self->mask_width + x] = 1.0f;
                self->mask_used = TRUE;
            }
    gtk_widget_queue_draw(GTK_WIDGET(self));
}

static void
on_drag_begin(GtkGestureDrag *gesture, double x, double y, GsCanvas *self)
{
    self->drag_start_x = self->pan_x;
    self->drag_start_y = self->pan_y;
    if (self->painting)
        paint_at(self, x, y);
}

static void
on_drag_update(GtkGestureDrag *gesture, double dx, double dy, GsCanvas *self)
{
    double sx, sy;
    gtk_gesture_drag_get_start_point(gesture, &sx, &sy);
    if (self->painting) {
        paint_at(self, sx + dx, sy + dy);
        return;
    }
    self->pan_x = self->drag_start_x + dx;
    self->pan_y = self->drag_start_y + dy;
    gtk_widget_queue_draw(GTK_WIDGET(self));
}

static gboolean
on_scroll(GtkEventControllerScroll *controller, double dx, double dy, GsCanvas *self)
{
    GdkModifierType mods = gtk_event_controller_get_current_event_state(GTK_EVENT_CONTROLLER(controller));
    if (!(mods & GDK_CONTROL_MASK) || !self->texture)
        return FALSE;
    double x0, y0, scale;
    layout(self, &x0, &y0, &scale);
    gs_canvas_set_zoom(self, CLAMP(scale * (dy < 0 ? 1.25 : 0.8), 0.25, 64.0));
    return TRUE;
}

static void
gs_canvas_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
    GsCanvas *self = GS_CANVAS(object);
    switch (prop_id) {
    case PROP_TEXTURE:
        gs_canvas_set_texture(self, g_value_get_object(value));
        break;
    case PROP_ZOOM:
        gs_canvas_set_zoom(self, g_value_get_double(value));
        break;
    case PROP_PAINTING:
        gs_canvas_set_painting(self, g_value_get_boolean(value));
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
gs_canvas_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    GsCanvas *self = GS_CANVAS(object);
    switch (prop_id) {
    case PROP_TEXTURE:
        g_value_set_object(value, self->texture);
        break;
    case PROP_ZOOM:
        g_value_set_double(value, self->zoom);
        break;
    case PROP_PAINTING:
        g_value_set_boolean(value, self->painting);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
gs_canvas_dispose(GObject *object)
{
    GsCanvas *self = GS_CANVAS(object);
    g_clear_object(&self->texture);
    g_clear_object(&self->display);
    g_clear_pointer(&self->mask, g_free);
    G_OBJECT_CLASS(gs_canvas_parent_class)->dispose(object);
}

static void
gs_canvas_class_init(GsCanvasClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
    object_class->set_property = gs_canvas_set_property;
    object_class->get_property = gs_canvas_get_property;
    object_class->dispose = gs_canvas_dispose;
    widget_class->snapshot = gs_canvas_snapshot;
    properties[PROP_TEXTURE] = g_param_spec_object("texture", NULL, NULL, GDK_TYPE_TEXTURE,
                                                   G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    properties[PROP_ZOOM] = g_param_spec_double("zoom", NULL, NULL, 0, 64, 0,
                                                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    properties[PROP_PAINTING] = g_param_spec_boolean("painting", NULL, NULL, FALSE,
                                                     G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties(object_class, N_PROPS, properties);
    gtk_widget_class_set_css_name(widget_class, "gs-canvas");
}

static void
gs_canvas_init(GsCanvas *self)
{
    GtkGesture *drag = gtk_gesture_drag_new();
    g_signal_connect(drag, "drag-begin", G_CALLBACK(on_drag_begin), self);
    g_signal_connect(drag, "drag-update", G_CALLBACK(on_drag_update), self);
    gtk_widget_add_controller(GTK_WIDGET(self), GTK_EVENT_CONTROLLER(drag));
    GtkEventController *scroll = gtk_event_controller_scroll_new(GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
    g_signal_connect(scroll, "scroll", G_CALLBACK(on_scroll), self);
    gtk_widget_add_controller(GTK_WIDGET(self), scroll);
    gtk_widget_set_hexpand(GTK_WIDGET(self), TRUE);
    gtk_widget_set_vexpand(GTK_WIDGET(self), TRUE);
    gtk_widget_set_overflow(GTK_WIDGET(self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
gs_canvas_new(void)
{
    return g_object_new(GS_TYPE_CANVAS, NULL);
}

void
gs_canvas_set_texture(GsCanvas *self, GdkTexture *texture)
{
    if (self->texture == texture)
        return;
    gboolean resized = !self->texture || !texture ||
                       gdk_texture_get_width(self->texture) != gdk_texture_get_width(texture) ||
                       gdk_texture_get_height(self->texture) != gdk_texture_get_height(texture);
    g_set_object(&self->texture, texture);
    g_clear_object(&self->display);
    if (texture)
        self->display = enlarge(texture);
    if (resized) {
        g_clear_pointer(&self->mask, g_free);
        self->mask_used = FALSE;
        if (texture) {
            self->mask_width = gdk_texture_get_width(texture);
            self->mask_height = gdk_texture_get_height(texture);
            self->mask = g_new0(float, (gsize)self->mask_width * self->mask_height);
        }
    }
    gtk_widget_queue_draw(GTK_WIDGET(self));
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_TEXTURE]);
}

GdkTexture *gs_canvas_get_texture(GsCanvas *self) { return self->texture; }
double gs_canvas_get_zoom(GsCanvas *self) { return self->zoom; }
gboolean gs_canvas_get_painting(GsCanvas *self) { return self->painting; }

void
gs_canvas_set_zoom(GsCanvas *self, double zoom)
{
    self->zoom = zoom;
    if (zoom == 0)
        self->pan_x = self->pan_y = 0;
    gtk_widget_queue_draw(GTK_WIDGET(self));
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_ZOOM]);
}

void
gs_canvas_set_painting(GsCanvas *self, gboolean painting)
{
    if (self->painting == !!painting)
        return;
    self->painting = !!painting;
    gtk_widget_set_cursor_from_name(GTK_WIDGET(self), painting ? "crosshair" : NULL);
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_PAINTING]);
}

void
gs_canvas_clear_mask(GsCanvas *self)
{
    if (self->mask)
        memset(self->mask, 0, (gsize)self->mask_width * self->mask_height * sizeof *self->mask);
    self->mask_used = FALSE;
    gtk_widget_queue_draw(GTK_WIDGET(self));
}

const float *
gs_canvas_get_mask(GsCanvas *self, int *width, int *height)
{
    *width = self->mask_width;
    *height = self->mask_height;
    return self->mask_used ? self->mask : NULL;
}
