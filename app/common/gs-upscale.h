/* Upscaling as the CLI's `upscale`, `image --upscale` and `bench upscale`
 * share it: which ESRGAN file a variant name means, the "Upscale: …" entry
 * of the parameters text, one run of an upscaler, and a plain-C bicubic
 * to compare with.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "genstudio-engine.h"

/* Output pixels above this would need more host memory than is sensible
 * (12 bytes a pixel as floats). */
#define GS_UPSCALE_MAX_PIXELS (1ll << 28)

/* TRUE for slim, medium, thick, bicubic or a .safetensors path. */
gboolean gs_upscale_model_known(const char *model);
/* TRUE when `model` is a path to a .safetensors file, not a variant name. */
gboolean gs_upscale_model_is_path(const char *model);

/* The file of a variant ("slim" → esrgan/esrgan-slim-x4.safetensors among
 * the shipped models) or the path itself; *display gets the name the
 * parameters use ("ESRGAN-slim", or the file's base name). */
char *gs_upscale_model_path(const char *model, int scale, char **display);

/* Checks the file is there; FALSE with an error that says how to make the
 * thick model when it is that one that is missing. */
gboolean gs_upscale_model_check(const char *model, const char *path, GError **error);

/* Appends ", Upscale: 4x ESRGAN-slim" to the settings line (the last line)
 * of an AUTOMATIC1111 parameters text; a text with no settings line gets
 * it as one. NULL when `parameters` is NULL or empty. */
char *gs_upscale_parameters(const char *parameters, int scale, const char *display);

/* Loads the upscaler at `path`, checks it scales by `scale`, and runs it
 * on w×h RGB floats: (s·w)×(s·h)×3 floats (g_free), or NULL with an
 * error. `progress` may be NULL. */
float *gs_upscale_run(gs_context *ctx, const char *path, int scale, const float *rgb, int w, int h,
                      bool (*progress)(double fraction, void *user_data), void *user_data, GError **error);

/* Bicubic resize (Keys' kernel, a = −0.5, as most image tools' "bicubic"),
 * edge pixels repeated: w×h×3 floats to nw×nh×3, clamped to [0,1]. Shrinking
 * widens the kernel by the factor (antialiased, as MATLAB's imresize). */
void gs_resize_bicubic(const float *src, int w, int h, float *dst, int nw, int nh);
