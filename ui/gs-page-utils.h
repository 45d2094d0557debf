/* What the workspace pages share: toasts, the Generate shortcut, the Save
 * dialog, and audio export off the main thread.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gs-audio.h"

G_BEGIN_DECLS

/* In the window's toast overlay; logged outside one. */
void gs_widget_toast(GtkWidget *widget, const char *message);

/* Ctrl+Enter activates `action_name`, caught before the widget's children
 * (a text view or an entry) can take it. */
void gs_widget_add_generate_shortcut(GtkWidget *widget, const char *action_name);

typedef void (*GsSaveFileChosen)(GtkWidget *widget, GFile *file, gpointer data);
/* Asks where to save, offering `name`, and calls `chosen` if a file was
 * accepted. The dialog keeps `widget`, and `data` until `destroy`, as long
 * as it is open. */
void gs_widget_choose_save_file(GtkWidget *widget, const char *title, const char *name, GsSaveFileChosen chosen,
                                gpointer data, GDestroyNotify destroy);

/* gs_audio_export of interleaved float `samples` (kept, not copied) to
 * `file` off the main thread, as a task of `widget`; the extension picks
 * the format. */
void gs_widget_export_audio_async(GtkWidget *widget, GFile *file, GBytes *samples, int channels, int rate,
                                  const GsAudioTags *tags, GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean gs_widget_export_audio_finish(GtkWidget *widget, GAsyncResult *result, GError **error);
/* A GAsyncReadyCallback for gs_widget_export_audio_async, or a page's own
 * export that likewise returns a boolean task of `widget`: toasts
 * `done_message` (a string that outlives the export) or the error. */
void gs_widget_toast_export_result(GObject *widget, GAsyncResult *result, gpointer done_message);

G_END_DECLS
