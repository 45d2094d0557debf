/* Shared by gs-image-page.c and its actions (gs-image-actions.c).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "gs-engine.h"
#include "gs-history-item.h"
#include "gs-image-page.h"

struct _GsImagePage {
    GtkWidget parent_instance;

    /* template */
    AdwFlap *flap;
    GtkTextView *prompt_view, *negative_view;
    GtkDropDown *model_dropdown, *sampler_dropdown;
    GtkSpinButton *steps_spin, *cfg_spin, *seed_spin, *batch_spin, *strength_spin;
    GtkCheckButton *random_seed_check;
    GtkLabel *init_label;
    GtkToggleButton *paint_toggle;
    GsCanvas *canvas;
    GtkProgressBar *progress;
    GtkScale *scrubber;
    GtkGridView *history_view;

    GSettings *settings;
    GsEngine *engine;
    GListStore *history;
    GPtrArray *model_paths; /* parallel to model_dropdown; NULL entry = default model */
    GsHistoryItem *shown;   /* what the canvas and the scrubber show */

    /* the run in progress */
    GCancellable *cancellable;
    GPtrArray *steps;
    int batch_left;
    gint64 started_us;
    char *init_path;
};

void gs_image_page_install_actions(GtkWidgetClass *widget_class);
void gs_image_page_update_actions(GsImagePage *self);
void gs_image_page_generate(GsImagePage *self);
void gs_image_page_show_item(GsImagePage *self, GsHistoryItem *item);
