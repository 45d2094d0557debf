/* genstudio-cli upscale: a PNG through a shipped ESRGAN upscaler.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cli.h"
#include "gs-image-job.h"
#include "gs-png.h"
#include "gs-provenance.h"
#include "gs-upscale.h"

static bool
show_progress(double fraction, void *user_data)
{
    fprintf(stderr, "\rupscaling %3.0f%%", fraction * 100);
    return true;
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
          "slim (default), medium, thick (made by tools/esrgan/convert.py thick), a .safetensors path, or "
          "bicubic (no network, to compare with)",
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
    if (!gs_upscale_model_known(variant)) {
        fprintf(stderr, "genstudio-cli upscale: unknown model '%s' (slim, medium, thick, bicubic or a .safetensors "
                        "path)\n", variant);
        return 2;
    }
    g_autofree char *display = NULL;
    g_autofree char *path = gs_upscale_model_path(variant, scale, &display);
    if (!gs_upscale_model_check(variant, path, &error)) {
        fprintf(stderr, "genstudio-cli upscale: %s\n", error->message);
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
    if ((long long)w * h * scale * scale > GS_UPSCALE_MAX_PIXELS) {
        fprintf(stderr, "genstudio-cli upscale: %d×%d ×%d would be more than %lld megapixels\n", w, h, scale,
                GS_UPSCALE_MAX_PIXELS >> 20);
        return 1;
    }
    g_autofree char *parameters = gs_png_read_text(inputs[0], "parameters", NULL);

    gs_context *ctx = gs_open_engine(&error);
    if (!ctx) {
        fprintf(stderr, "genstudio-cli upscale: %s\n", error->message);
        return 1;
    }
    float *out = gs_upscale_run(ctx, path, scale, rgb, w, h, show_progress, NULL, &error);
    fprintf(stderr, "\n");
    gs_context_free(ctx);
    if (!out) {
        fprintf(stderr, "genstudio-cli upscale: %s\n", error->message);
        return 1;
    }

    g_autofree char *entry = g_strdup_printf("Upscale: %dx %s", scale, display);
    g_autofree char *text = gs_upscale_parameters(parameters, scale, display);
    GsPngText chunks[] = { { text ? "parameters" : "Comment", text ? text : entry },
                           { "Software", "GenStudio " GS_VERSION } };
    /* A GenStudio image stays what it was; anyone else's becomes a
     * composite made with the upscaler. */
    g_autoptr(GsProvenanceInfo) before = gs_provenance_read_xmp(inputs[0], NULL);
    gboolean ours = before && g_strcmp0(before->source_type, GS_IPTC_GENERATED) == 0 && before->model;
    GsProvenance provenance = { ours ? GS_SOURCE_GENERATED : GS_SOURCE_COMPOSITE, ours ? before->model : display,
                                ours ? NULL : path, ours ? before->model_sha256 : NULL };
    gboolean ok = gs_png_save_marked(output, out, w * scale, h * scale, chunks, G_N_ELEMENTS(chunks), &provenance,
                                     &error);
    g_free(out);
    if (!ok) {
        fprintf(stderr, "genstudio-cli upscale: %s\n", error->message);
        return 1;
    }
    printf("%s: %d×%d (%s ×%d)\n", output, w * scale, h * scale, display, scale);
    return 0;
}
