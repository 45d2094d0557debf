/* genstudio-cli image: text → image with the default or a given model.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cli.h"
#include "gs-image-job.h"
#include "gs-model-library.h"
#include "gs-png.h"

typedef struct {
    const char *steps_dir;
    GError *error;
} step_writer;

static bool
write_step(int step, int steps, const float *rgb, int width, int height, void *user_data)
{
    step_writer *w = user_data;
    g_autofree char *name = g_strdup_printf("step-%03d.png", step);
    g_autofree char *path = g_build_filename(w->steps_dir, name, NULL);
    fprintf(stderr, "\rstep %d/%d", step, steps);
    return gs_png_save(path, rgb, width, height, NULL, 0, &w->error);
}

static bool
show_progress(int step, int steps, const float *rgb, int width, int height, void *user_data)
{
    fprintf(stderr, "\rstep %d/%d", step, steps);
    return TRUE;
}

/* Checked before generating, so a typo in -o costs no compute. */
static gboolean
output_dir_writable(const char *output)
{
    g_autofree char *dir = g_path_get_dirname(output);
    return g_access(dir, W_OK) == 0;
}

int
gs_cli_image(int argc, char **argv)
{
    g_autofree char *prompt = NULL, *negative = NULL, *model_path = NULL, *sampler_name = NULL;
    g_autofree char *init = NULL, *mask = NULL, *steps_dir = NULL, *output = NULL, *seed_text = NULL;
    int steps = 20;
    double cfg = 5.0, strength = 0.6;
    gboolean karras = FALSE;
    GOptionEntry entries[] = {
        { "prompt", 'p', 0, G_OPTION_ARG_STRING, &prompt, "What to draw", "TEXT" },
        { "negative", 'n', 0, G_OPTION_ARG_STRING, &negative, "What to steer away from", "TEXT" },
        { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path,
          "A model of the models folder (genstudio-cli models list), or a .safetensors file or diffusers folder",
          "NAME_OR_PATH" },
        { "steps", 0, 0, G_OPTION_ARG_INT, &steps, "Denoising steps (20)", "N" },
        { "cfg", 0, 0, G_OPTION_ARG_DOUBLE, &cfg, "Classifier-free guidance scale (5)", "SCALE" },
        { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, "Noise seed (42)", "N" },
        { "sampler", 0, 0, G_OPTION_ARG_STRING, &sampler_name, "euler_a, euler, ddim or dpmpp_2m", "NAME" },
        { "karras", 0, 0, G_OPTION_ARG_NONE, &karras, "Karras sigma spacing", NULL },
        { "init", 0, 0, G_OPTION_ARG_FILENAME, &init, "Start image for img2img (PNG)", "PNG" },
        { "strength", 0, 0, G_OPTION_ARG_DOUBLE, &strength, "How much of the start image to repaint (0.6)", "0..1" },
        { "mask", 0, 0, G_OPTION_ARG_FILENAME, &mask, "Inpainting mask, white = repaint (PNG)", "PNG" },
        { "steps-dir", 0, 0, G_OPTION_ARG_FILENAME, &steps_dir, "Write every step as a PNG here", "DIR" },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Output PNG", "PATH" },
        { NULL },
    };
    g_autoptr(GOptionContext) options = g_option_context_new("- generate an image from text");
    g_option_context_add_main_entries(options, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(options, &argc, &argv, &error)) {
        fprintf(stderr, "genstudio-cli image: bad options (text must be valid UTF-8): %s\n", error->message);
        return 2;
    }
    if (!prompt || !output) {
        fprintf(stderr, "genstudio-cli image: --prompt and -o are required\n");
        return 2;
    }

    GsImageRequest request;
    gs_image_request_init(&request);
    GsImageParams *p = &request.params;
    g_free(p->prompt);
    p->prompt = g_strdup(prompt);
    g_free(p->negative_prompt);
    p->negative_prompt = g_strdup(negative ? negative : "");
    p->steps = steps;
    p->cfg_scale = cfg;
    p->karras = karras;
    p->strength = strength;
    request.init_path = g_strdup(init);
    request.mask_path = g_strdup(mask);
    int status = 1;
    gs_context *ctx = NULL;
    gs_diffusion *model = NULL;
    g_autofree float *rgb = NULL;

    if (seed_text && !g_ascii_string_to_unsigned(seed_text, 10, 0, G_MAXUINT64, &p->seed, &error)) {
        fprintf(stderr, "genstudio-cli image: --seed: %s\n", error->message);
        status = 2;
    } else if (sampler_name && !gs_sampler_from_name(sampler_name, &p->sampler)) {
        fprintf(stderr, "genstudio-cli image: unknown sampler '%s' (euler_a, euler, ddim, dpmpp_2m)\n", sampler_name);
        status = 2;
    } else if (!output_dir_writable(output)) {
        fprintf(stderr, "genstudio-cli image: cannot write to the folder of %s: %s\n", output, g_strerror(errno));
    } else if (steps_dir && g_mkdir_with_parents(steps_dir, 0755) != 0) {
        fprintf(stderr, "genstudio-cli image: cannot create %s: %s\n", steps_dir, g_strerror(errno));
    } else if (!(ctx = gs_open_engine(&error))) {
        fprintf(stderr, "genstudio-cli image: %s\n", error->message);
    } else {
        /* A name in the models folder or a path; none: the built-in model. */
        g_autoptr(GsModelLibrary) library = gs_model_library_new(NULL);
        g_autoptr(GsModelEntry) entry = gs_model_library_resolve(library, model_path, &error);
        step_writer writer = { steps_dir, NULL };
        if (entry && (model = gs_model_library_load(library, ctx, entry, NULL, &error)))
            rgb = gs_image_job_run(ctx, model, gs_model_entry_get_name(entry), &request,
                                   steps_dir ? write_step : show_progress, &writer, &error);
        fprintf(stderr, "\n");
        if (writer.error) {
            fprintf(stderr, "genstudio-cli image: %s\n", writer.error->message);
            g_error_free(writer.error);
        } else if (!rgb) {
            fprintf(stderr, "genstudio-cli image: %s\n", error->message);
        } else {
            g_autofree char *text = gs_image_params_to_text(p);
            GsPngText chunks[] = { { "parameters", text }, { "Software", "GenStudio " GS_VERSION } };
            if (gs_png_save(output, rgb, p->width, p->height, chunks, G_N_ELEMENTS(chunks), &error)) {
                printf("%s\n", output);
                status = 0;
            } else {
                fprintf(stderr, "genstudio-cli image: %s\n", error->message);
            }
        }
    }
    gs_diffusion_free(model);
    gs_context_free(ctx);
    gs_image_request_clear(&request);
    return status;
}
