/* A PNG dropped on the window: its `parameters` text read back and parsed
 * (the restore path of the Image workspace), then its pixels decoded.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>

#include "fuzz-support.h"
#include "gs-image-params.h"
#include "gs-png.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size, ".png");
    if (!path)
        return 0;
    g_autoptr(GError) error = NULL;
    g_autofree char *text = gs_png_read_text(path, "parameters", &error);
    if (text) {
        GsImageParams p;
        gs_image_params_init(&p);
        g_autoptr(GError) parse_error = NULL;
        gs_image_params_parse(text, &p, &parse_error);
        gs_image_params_clear(&p);
    }
    int w = 0, h = 0;
    g_clear_error(&error);
    g_autofree float *rgb = gs_png_load(path, &w, &h, &error);
    if (rgb && (w <= 0 || h <= 0))
        __builtin_trap();
    return 0;
}
