/* Shared by gs-image-page.c and its actions (gs-image-actions.c).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "gs-compare-view.h"
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
    GtkSwitch *upscale_switch;
    GtkLabel *init_label;
    GtkToggleButton *paint_toggle;
    GsCanvas *canvas;
    GtkLabel *ai_badge; /* over every result shown */
    GtkProgressBar *progress;
    GtkMenuButton *upscale_button;
    GtkDropDown *upscale_scale_dropdown, *upscale_model_dropdown;
    GtkScale *scrubber;
    GtkGridView *history_view;
    GtkStack *content_stack; /* the pane and canvas, or the GAN-vs-diffusion comparison */
    GsCompareView *compare_view;

    GSettings *settings;
    GsEngine *engine;
    GListStore *history;
    GsHistoryItem *shown;   /* what the canvas and the scrubber show */

    /* loading the chosen model ahead of the first image */
    GCancellable *load_cancellable;
    guint size_quiet; /* > 0 while the page sets the size itself */
    guint upscale_quiet; /* > 0 while the page sets the upscale switch itself */
    GStrv upscale_variants; /* the model dropdown's ESRGAN variants */

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
/* Upscales the shown image into a new history entry. */
void gs_image_page_upscale(GsImagePage *self, int scale, const char *variant);
