/* The Image workspace: prompt pane, live canvas, step scrubber, history.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gs-canvas.h"
#include "gs-compare-view.h"
#include "gs-model-chooser.h"
#include "gs-project.h"

G_BEGIN_DECLS

#define GS_TYPE_IMAGE_PAGE (gs_image_page_get_type())
G_DECLARE_FINAL_TYPE(GsImagePage, gs_image_page, GS, IMAGE_PAGE, GtkWidget)

GsCanvas *gs_image_page_get_canvas(GsImagePage *self);
GListModel *gs_image_page_get_history(GsImagePage *self);
void gs_image_page_set_prompt(GsImagePage *self, const char *prompt);
char *gs_image_page_dup_prompt(GsImagePage *self);
gboolean gs_image_page_get_generating(GsImagePage *self);
/* The chosen model is being loaded ahead of the first image. */
gboolean gs_image_page_get_loading(GsImagePage *self);
GsModelChooser *gs_image_page_get_model_chooser(GsImagePage *self);
/* The "comparing" property (the image.compare action): the comparison of
 * the pane's prompt through the GAN and through diffusion in place of the
 * pane and canvas (it needs the width of both). */
gboolean gs_image_page_get_comparing(GsImagePage *self);
void gs_image_page_set_comparing(GsImagePage *self, gboolean comparing);
GsCompareView *gs_image_page_get_compare_view(GsImagePage *self);
/* The size in the pane; free_size FALSE when the model has one size only. */
void gs_image_page_get_size(GsImagePage *self, int *width, int *height, gboolean *free_size);
/* The prompt pane's "Upscale ×4" switch: each new image upscaled ×4 by
 * ESRGAN-slim in the same job. */
gboolean gs_image_page_get_upscale_generated(GsImagePage *self);
void gs_image_page_set_upscale_generated(GsImagePage *self, gboolean upscale);
/* Replaces the history with the images of `project`, newest first, without
 * their denoising steps (a project does not keep them). An image that does
 * not load is left out, with a warning. */
void gs_image_page_set_images(GsImagePage *self, GsProject *project);
/* Shows history entry `position` and puts its parameters in the pane. */
void gs_image_page_restore(GsImagePage *self, guint position);
/* Restores the parameters a PNG carries; FALSE with an error when none. */
gboolean gs_image_page_restore_from_png(GsImagePage *self, GFile *file, GError **error);
/* Uses a PNG as the img2img start image; FALSE with an error if unreadable. */
gboolean gs_image_page_set_start_image(GsImagePage *self, GFile *file, GError **error);

G_END_DECLS
