/* One image generation, as the CLI and the studio window both run it:
 * reads the init image and mask, runs the engine, and returns RGB plus the
 * final parameters. Blocking: the window calls it from a worker thread.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gs-image-params.h"

#define GS_ENGINE_ERROR (gs_engine_error_quark())
GQuark gs_engine_error_quark(void);

/* Turns a failed engine status into a GError carrying the engine's message. */
void gs_set_engine_error(GError **error, gs_context *ctx, gs_status status, const char *what);

/* A model shipped with GenStudio ("emoji32.safetensors"): in
 * $GENSTUDIO_MODEL_DIR, then the source tree (uninstalled runs), then the
 * installed data directory. */
char *gs_shipped_model_path(const char *file_name);
/* A shipped ESRGAN upscaler ("slim", "medium", "thick"; 2, 4 or 8). */
char *gs_shipped_upscaler_path(const char *variant, int scale);
/* The default image model. */
char *gs_default_model_path(void);

gs_context *gs_open_engine(GError **error);
gs_diffusion *gs_load_diffusion(gs_context *ctx, const char *path, GError **error);
/* With load parameters (tokenizer folder, prediction override, progress). */
gs_diffusion *gs_load_diffusion_with_params(gs_context *ctx, const char *path, const gs_diffusion_load_params *params,
                                            GError **error);

typedef struct {
    GsImageParams params;  /* prompt, steps, ...; width/height 0 = the model's default; the run fills them and model */
    char *init_path;       /* img2img start image, or NULL */
    char *mask_path;       /* inpainting mask (white = repaint), or NULL */
    /* Outpainting: pixels added to the init image's left, right, top and
     * bottom, then painted in (the old area is kept). */
    int outpaint[4];
    /* After diffusion, an ESRGAN pass (the window's engine job runs it):
     * scale 0 = none; variant "slim", "medium" or "thick". */
    int upscale_scale;
    char *upscale_variant;
} GsImageRequest;

void gs_image_request_init(GsImageRequest *r);
void gs_image_request_clear(GsImageRequest *r);

/* H×W×3 RGB floats in [0,1] (g_free), or NULL with an error. The size is
 * params.width × params.height when set (> 0), else the model's default;
 * with outpainting, the init image's size plus the margins. */
float *gs_image_job_run(gs_context *ctx, gs_diffusion *model, const char *model_name, GsImageRequest *request,
                        gs_step_callback on_step, gpointer user_data, GError **error);
