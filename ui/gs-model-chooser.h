/* The Image workspace's model chooser: the models folder's models with
 * their family ("emoji32 — GenStudio", "dreamshaper — SD 1.x"), the ones
 * GenStudio cannot use shown with why and not selectable; Add Model…
 * (copy or link), Add Tokenizer Files…, Remove. The choice is kept in
 * GSettings ("model": a name, "" for the built-in model).
 *
 * Signals:
 *   "model-changed" (GsModelEntry *model, gboolean by_user): the chosen
 *     model is another one. by_user is FALSE when the choice was restored
 *     from the settings: the page keeps its values then, and takes the
 *     family's defaults otherwise.
 *   "tokenizer-added" (): CLIP tokenizer files arrived; a load that failed
 *     for want of them can be tried again.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gs-model-library.h"

G_BEGIN_DECLS

#define GS_TYPE_MODEL_CHOOSER (gs_model_chooser_get_type())
G_DECLARE_FINAL_TYPE(GsModelChooser, gs_model_chooser, GS, MODEL_CHOOSER, GtkWidget)

GsModelLibrary *gs_model_chooser_get_library(GsModelChooser *self);
/* GsModelEntry items, the built-in model first. */
GListModel *gs_model_chooser_get_models(GsModelChooser *self);
/* The chosen model (always usable), or NULL until the folder is listed. */
GsModelEntry *gs_model_chooser_get_selected(GsModelChooser *self);
/* Chooses the usable model `name` as the user would; FALSE when there is
 * none of that name or GenStudio cannot use it. */
gboolean gs_model_chooser_select(GsModelChooser *self, const char *name);
/* Lists the folder again in a worker; the choice stays when it can. */
void gs_model_chooser_refresh(GsModelChooser *self);
/* Listing, adding or removing is under way. */
gboolean gs_model_chooser_get_busy(GsModelChooser *self);

/* Copies or links a .safetensors file or a diffusers folder into the
 * models folder in a worker (progress below the chooser, cancellable),
 * then lists it and chooses it; the outcome is toasted. */
void gs_model_chooser_add(GsModelChooser *self, GFile *file, gboolean link);
/* Asks, then removes the chosen model (a copy is deleted, a link unlinked). */
void gs_model_chooser_remove_selected(GsModelChooser *self);
/* Copies tokenizer files in a worker: from a diffusers SD folder, a
 * tokenizer folder, or CLIP's bpe_simple_vocab_16e6.txt.gz. */
void gs_model_chooser_add_tokenizer(GsModelChooser *self, GFile *file);
/* The file chooser for tokenizer files, then gs_model_chooser_add_tokenizer. */
void gs_model_chooser_choose_tokenizer(GsModelChooser *self);

/* Toasts a load or generation error; when tokenizer files would help, the
 * toast offers "Add Tokenizer Files…". */
void gs_model_chooser_toast_error(GsModelChooser *self, const GError *error);

G_END_DECLS
