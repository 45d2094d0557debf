/* Shared by gs-window.c and its project actions (gs-project-actions.c).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gs-window.h"

G_BEGIN_DECLS

typedef void (*GsWindowThen)(GsWindow *self);

void gs_window_install_project_actions(GtkWidgetClass *widget_class);
/* "Check a File…": genstudio-cli verify's report in a dialog (gs-check-actions.c). */
void gs_window_install_check_actions(GtkWidgetClass *widget_class);
/* Takes `toast`. */
void gs_window_add_toast(GsWindow *self, AdwToast *toast);
/* Runs `then` once the project's unsaved changes are saved or discarded
 * (asking which); not at all when the user cancels. */
void gs_window_confirm_unsaved(GsWindow *self, GsWindowThen then);
/* Removes the project's autosave: its changes were chosen to go. */
void gs_window_discard_recovery(GsWindow *self);

G_END_DECLS
