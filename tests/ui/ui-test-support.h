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
/* Removes the folder `path` and everything in it. */
void ui_test_remove_tree(const char *path);
/* Runs the studio with its state, data (voices, the consent ledger) and
 * models folders in a scratch folder of its own, removed afterwards, and
 * silent audio that still keeps time; `on_activate` runs once the window
 * is up (and runs the tests). Returns the application's exit status. */
int ui_test_run_app(void (*on_activate)(GApplication *app));
