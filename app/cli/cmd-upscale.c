/* genstudio-cli upscale: a PNG through a shipped ESRGAN upscaler.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cli.h"
#include "gs-image-job.h"
#include "gs-image-params.h"
#include "gs-png.h"

/* Output pixels above this would need more host memory than is sensible
 * (12 bytes a pixel as floats). */
#define MAX_OUTPUT_PIXELS (1ll << 28)

static bool
show_progress(double fraction, void *user_data)
{
    fprintf(stderr, "\rupscaling %3.0f%%", fraction * 100);
    return true;
}

/* The variant name, or a .safetensors path given directly. */
static char *
model_path(const char *model, int scale, char **display)
{
    if (strchr(model, '/') || g_str_has_suffix(model, ".safetensors")) {
        g_autofree char *base = g_path_get_basename(model);
        *display = g_strdup(base);
        return g_strdup(model);
    }
    *display = g_strdup_printf("ESRGAN-%s", model);
    return gs_shipped_upscaler_path(model, scale);
}

int
gs_cli_upscale(int argc, char **argv)
{
    g_autofree char *output = NULL, *model = NULL;
    g_auto(GStrv) inputs = NULL;
    int scale = 4;
    GOptionEntry entries[] = {
        { "scale", 's', 0, G_OPTION_ARG_INT, &scale, "Upscaling factor: 2, 4 or 8 (default 4)", "N" },
        { "model", 'm', 0, G_OPTION_ARG_STRING, &model,
          "slim (default), medium, thick (made by tools/esrgan/convert.py thick), or a .safetensors path",
          "NAME" },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Output PNG", "FILE" },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &inputs, NULL, "IN.png" },
        { NULL },
    };
    g_autoptr(GOptionContext) oc = g_option_context_new("IN.png -o OUT.png");
    g_option_context_set_summary(oc, "Upscales a PNG with a pretrained ESRGAN (UpscalerJS's, MIT, © Kevin Scott). The "
                                     "output keeps the input's parameters and adds \"Upscale: 4x ESRGAN-slim\".");
    g_option_context_add_main_entries(oc, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(oc, &argc, &argv, &error)) {
        fprintf(stderr, "genstudio-cli upscale: %s\n", error->message);
        return 2;
    }
    if (!inputs || !inputs[0] || inputs[1] || !output) {
        fprintf(stderr, "genstudio-cli upscale: give one input PNG and -o OUTPUT.png\n");
        return 2;
    }
    if (scale != 2 && scale != 4 && scale != 8) {
        fprintf(stderr, "genstudio-cli upscale: --scale must be 2, 4 or 8, not %d\n", scale);
        return 2;
    }
    const char *variant = model ? model : "slim";
    bool is_path = strchr(variant, '/') || g_str_has_suffix(variant, ".safetensors");
    if (!is_path && strcmp(variant, "slim") != 0 && strcmp(variant, "medium") != 0 && strcmp(variant, "thick") != 0) {
        fprintf(stderr, "genstudio-cli upscale: unknown model '%s' (slim, medium, thick or a .safetensors path)\n",
                variant);
        return 2;
    }
    g_autofree char *display = NULL;
    g_autofree char *path = model_path(variant, scale, &display);
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        if (!is_path && strcmp(variant, "thick") == 0)
            fprintf(stderr, "genstudio-cli upscale: the thick model is not installed (%s); make it once, with "
                            "network access, by tools/esrgan/convert.py thick\n", path);
        else
            fprintf(stderr, "genstudio-cli upscale: no upscaler at %s\n", path);
        return 1;
    }
    g_autofree char *dir = g_path_get_dirname(output);
    if (g_access(dir, W_OK) != 0) {
        fprintf(stderr, "genstudio-cli upscale: cannot write into %s\n", dir);
        return 1;
    }
    int w = 0, h = 0;
    g_autofree float *rgb = gs_png_load(inputs[0], &w, &h, &error);
    if (!rgb) {
        fprintf(stderr, "genstudio-cli upscale: %s\n", error ? error->message : "cannot read the input");
        return 1;
    }
    if ((long long)w * h * scale * scale > MAX_OUTPUT_PIXELS) {
        fprintf(stderr, "genstudio-cli upscale: %d×%d ×%d would be more than %lld megapixels\n", w, h, scale,
                MAX_OUTPUT_PIXELS >> 20);
        return 1;
    }
    g_autofree char *parameters = gs_png_read_text(inputs[0], "parameters", NULL);

    gs_context *ctx = gs_open_engine(&error);
    if (!ctx) {
        fprintf(stderr, "genstudio-cli upscale: %s\n", error->message);
        return 1;
    }
    gs_upscaler *up = NULL;
    gs_status st = gs_upscaler_load(ctx, path, &up);
    if (st == GS_OK && gs_upscaler_scale(up) != scale) {
        fprintf(stderr, "genstudio-cli upscale: %s upscales ×%d, not ×%d\n", path, gs_upscaler_scale(up), scale);
        gs_upscaler_free(up);
        gs_context_free(ctx);
        return 1;
    }
    float *out = NULL;
    if (st == GS_OK) {
        out = g_try_malloc((size_t)w * h * scale * scale * 3 * sizeof *out);
        gs_upscaler_params p = gs_upscaler_default_params();
        p.progress = show_progress;
        st = out ? gs_upscaler_run(up, rgb, w, h, out, &p) : GS_ERR_OUT_OF_MEMORY;
        fprintf(stderr, "\n");
    }
    if (st != GS_OK) {
        fprintf(stderr, "genstudio-cli upscale: %s\n",
                st == GS_ERR_OUT_OF_MEMORY && !out ? "out of host memory" : gs_context_error(ctx));
        g_free(out);
        gs_upscaler_free(up);
        gs_context_free(ctx);
        return 1;
    }
    gs_upscaler_free(up);
    gs_context_free(ctx);

    g_autofree char *entry = g_strdup_printf("Upscale: %dx %s", scale, display);
    g_autofree char *text = gs_parameters_append_entry(parameters, entry);
    GsPngText chunks[] = { { text ? "parameters" : "Comment", text ? text : entry },
                           { "Software", "GenStudio " GS_VERSION } };
    gboolean ok = gs_png_save(output, out, w * scale, h * scale, chunks, G_N_ELEMENTS(chunks), &error);
    g_free(out);
    if (!ok) {
        fprintf(stderr, "genstudio-cli upscale: %s\n", error->message);
        return 1;
    }
    printf("%s: %d×%d (%s ×%d)\n", output, w * scale, h * scale, display, scale);
    return 0;
}
