/* One generated image in the history: the picture, every denoising step,
 * and the parameters that made it.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gs-image-params.h"

G_BEGIN_DECLS

#define GS_TYPE_HISTORY_ITEM (gs_history_item_get_type())
G_DECLARE_FINAL_TYPE(GsHistoryItem, gs_history_item, GS, HISTORY_ITEM, GObject)

/* Takes `params` and `steps` (GdkTexture*, noise → image). */
GsHistoryItem *gs_history_item_new(GdkTexture *texture, GsImageParams *params, GPtrArray *steps);
GdkTexture *gs_history_item_get_texture(GsHistoryItem *self);
const GsImageParams *gs_history_item_get_params(GsHistoryItem *self);
GPtrArray *gs_history_item_get_steps(GsHistoryItem *self);
/* The A1111 `parameters` text, for tooltips and saved PNGs. */
const char *gs_history_item_get_parameters_text(GsHistoryItem *self);

G_END_DECLS
