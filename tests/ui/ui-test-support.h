/* Shared by the window tests under Xvfb: running the main loop dry, and
 * writing what a window shows to a PNG.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

/* Dispatches every pending main-loop event, then returns. */
void iterate_until_idle(void);
/* Renders `window` as it is now into a PNG at `path`. */
void ui_test_screenshot(GtkWindow *window, const char *path);
/* `widget` or its first descendant (depth first) of `type`; NULL if none. */
GtkWidget *ui_test_find_descendant(GtkWidget *widget, GType type);
