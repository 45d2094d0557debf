/* PNG files through libpng: 8-bit RGB with tEXt chunks out, any PNG in.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

typedef struct {
    const char *key;
    const char *text;
} GsPngText;

/* Writes `rgb` (H×W×3 floats in [0,1]) atomically: a temp file beside
 * `path`, fsync, rename, so a crash never leaves a half-written image. */
gboolean gs_png_save(const char *path, const float *rgb, int width, int height, const GsPngText *texts,
                     int text_count, GError **error);

/* Reads any PNG (grey, palette, alpha, 16-bit) as H×W×3 floats in [0,1],
 * alpha composited over white. Refuses images past 8192×8192. */
float *gs_png_load(const char *path, int *width, int *height, GError **error);

/* The value of the tEXt/iTXt chunk `key`, or NULL. */
char *gs_png_read_text(const char *path, const char *key, GError **error);

/* Box-filter resize of H×W×C floats (C = 1 or 3) to the given size. */
float *gs_image_resize(const float *src, int width, int height, int channels, int new_width, int new_height);
