/* The main window: header bar with the workspace switcher, the workspaces,
 * toasts, and PNG drops that restore an image's parameters.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "gs-image-page.h"

G_BEGIN_DECLS

#define GS_TYPE_WINDOW (gs_window_get_type())
G_DECLARE_FINAL_TYPE(GsWindow, gs_window, GS, WINDOW, AdwApplicationWindow)

GsWindow *gs_window_new(GtkApplication *application);
GsImagePage *gs_window_get_image_page(GsWindow *self);
void gs_window_toast(GsWindow *self, const char *message);

G_END_DECLS
