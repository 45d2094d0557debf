/* Shared by gs-image-page.c and its actions (gs-image-actions.c).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "gs-engine.h"
#include "gs-history-item.h"
#include "gs-image-page.h"
#include "gs-model-chooser.h"

struct _GsImagePage {
    GtkWidget parent_instance;

    /* template */
    AdwFlap *flap;
    GtkTextView *prompt_view, *negative_view;
    GsModelChooser *model_chooser;
    GtkDropDown *sampler_dropdown;
    GtkSpinButton *width_spin, *height_spin;
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
    GsHistoryItem *shown;   /* what the canvas and the scrubber show */

    /* loading the chosen model ahead of the first image */
    GCancellable *load_cancellable;
    guint size_quiet; /* > 0 while the page sets the size itself */

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
