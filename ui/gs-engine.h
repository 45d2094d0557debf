/* The engine as the window sees it: one Vulkan context and the loaded model,
 * used from one worker thread at a time; results and step previews come
 * back on the main thread.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gs-image-job.h"

G_BEGIN_DECLS

#define GS_TYPE_ENGINE (gs_engine_get_type())
G_DECLARE_FINAL_TYPE(GsEngine, gs_engine, GS, ENGINE, GObject)

GsEngine *gs_engine_new(void);

/* Called on the main thread for every denoising step. */
typedef void (*GsEngineStepFunc)(int step, int steps, GdkTexture *preview, gpointer user_data);

/* Takes ownership of `request`. model_path NULL means the default model. */
void gs_engine_generate_async(GsEngine *self, GsImageRequest *request, const char *model_path,
                              GsEngineStepFunc on_step, gpointer step_data, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
/* The image, and the parameters it was made with (free with gs_image_params_clear + g_free). */
GdkTexture *gs_engine_generate_finish(GsEngine *self, GAsyncResult *result, GsImageParams **params, GError **error);

/* RGB floats in [0,1] → an 8-bit texture. */
GdkTexture *gs_texture_from_rgb(const float *rgb, int width, int height);

G_END_DECLS
