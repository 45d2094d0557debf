/* The main window: header bar with the workspace switcher, the workspaces,
 * toasts, PNG drops that restore an image's parameters, and the project
 * (the `.genstudio` file) the workspaces work in.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "gs-image-page.h"
#include "gs-project.h"

G_BEGIN_DECLS

#define GS_TYPE_WINDOW (gs_window_get_type())
G_DECLARE_FINAL_TYPE(GsWindow, gs_window, GS, WINDOW, AdwApplicationWindow)

GsWindow *gs_window_new(GtkApplication *application);
GsImagePage *gs_window_get_image_page(GsWindow *self);
void gs_window_toast(GsWindow *self, const char *message);

/* The project the workspaces add to; replaced by New and Open. */
GsProject *gs_window_get_project(GsWindow *self);
/* Starts an empty, untitled project. */
void gs_window_new_project(GsWindow *self);
/* Replaces the project with the one at `path`; on failure the current
 * project stays. Blocking. */
gboolean gs_window_open_project(GsWindow *self, const char *path, GError **error);
/* Saves the project to `path` and drops its recovery file. Blocking. */
gboolean gs_window_save_project(GsWindow *self, const char *path, GError **error);
/* A new file name for what a workspace made and the project refers to
 * until it is saved (the save copies it into the project's assets), in the
 * user's cache. */
char *gs_window_new_scratch_path(const char *extension);
/* Removes the scratch files no project of `application`'s windows refers
 * to. Only while no workspace is writing one: at start-up, at shutdown. */
void gs_window_remove_unused_scratch_files(GtkApplication *application);
/* Offers every autosave newer than what was saved, after a crash: the
 * newest comes back in this window, any other in a new one. */
void gs_window_offer_recovery(GsWindow *self);

G_END_DECLS
