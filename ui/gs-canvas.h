/* The image canvas: shows a texture with zoom (Ctrl+scroll, fit, 1:1) and
 * pan (drag), and paints an inpainting mask with a round brush.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define GS_TYPE_CANVAS (gs_canvas_get_type())
G_DECLARE_FINAL_TYPE(GsCanvas, gs_canvas, GS, CANVAS, GtkWidget)

GtkWidget *gs_canvas_new(void);
void gs_canvas_set_texture(GsCanvas *self, GdkTexture *texture);
GdkTexture *gs_canvas_get_texture(GsCanvas *self);
/* 0 means fit to the widget. */
void gs_canvas_set_zoom(GsCanvas *self, double zoom);
double gs_canvas_get_zoom(GsCanvas *self);

/* While painting, drags paint the mask instead of panning. */
void gs_canvas_set_painting(GsCanvas *self, gboolean painting);
gboolean gs_canvas_get_painting(GsCanvas *self);
void gs_canvas_clear_mask(GsCanvas *self);
/* The mask at texture resolution (1 = repaint), or NULL when nothing is painted. */
const float *gs_canvas_get_mask(GsCanvas *self, int *width, int *height);

G_END_DECLS
