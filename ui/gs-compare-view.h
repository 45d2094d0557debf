/* The Image workspace's comparison: one prompt through the GAN and through
 * diffusion, 16 samples each side by side, with each set's diversity and
 * adherence and the seconds it took.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gs-engine.h"
#include "gs-model-library.h"

G_BEGIN_DECLS

#define GS_TYPE_COMPARE_VIEW (gs_compare_view_get_type())
G_DECLARE_FINAL_TYPE(GsCompareView, gs_compare_view, GS, COMPARE_VIEW, GtkWidget)

/* Samples per generator. */
#define GS_COMPARE_COUNT 16

typedef enum {
    GS_COMPARE_GAN,
    GS_COMPARE_DIFFUSION,
} GsCompareSide;

/* Properties: "prompt" (what both generators draw), "steps" (denoising
 * steps per diffusion image; the model's default, 20, unless set),
 * "base-seed" (sample i of each side uses base-seed + i), "running". */
void gs_compare_view_set_prompt(GsCompareView *self, const char *prompt);
const char *gs_compare_view_get_prompt(GsCompareView *self);
void gs_compare_view_set_steps(GsCompareView *self, int steps);
int gs_compare_view_get_steps(GsCompareView *self);
void gs_compare_view_set_base_seed(GsCompareView *self, guint64 seed);
guint64 gs_compare_view_get_base_seed(GsCompareView *self);
gboolean gs_compare_view_get_running(GsCompareView *self);
/* Where the built-in diffusion model comes from (the Image workspace's). */
void gs_compare_view_set_library(GsCompareView *self, GsModelLibrary *library);

/* Starts a comparison (the "compare.run" action); nothing while one runs. */
void gs_compare_view_run(GsCompareView *self);

/* What a side shows once all its images are made (NULL before, and after
 * a cancelled or failed comparison): the images its figures come from, */
const GsImageBatch *gs_compare_view_get_batch(GsCompareView *self, GsCompareSide side);
/* its figures (FALSE without images; adherence is NAN when the prompt
 * names no emoji group), and the text under its grid (g_free). */
gboolean gs_compare_view_get_figures(GsCompareView *self, GsCompareSide side, double *diversity, double *adherence);
char *gs_compare_view_dup_summary(GsCompareView *self, GsCompareSide side);

G_END_DECLS
