/* genstudio-cli image: text → image with the default or a given model.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cli.h"
#include "gs-gan-job.h"
#include "gs-image-job.h"
#include "gs-model-library.h"
#include "gs-png.h"
#include "gs-provenance.h"
#include "gs-upscale.h"

typedef struct {
    const char *steps_dir;
    const GsProvenance *provenance; /* the steps are generated images too */
    GError *error;
} step_writer;

static bool
write_step(int step, int steps, const float *rgb, int width, int height, void *user_data)
{
    step_writer *w = user_data;
    g_autofree char *name = g_strdup_printf("step-%03d.png", step);
    g_autofree char *path = g_build_filename(w->steps_dir, name, NULL);
    fprintf(stderr, "\rstep %d/%d", step, steps);
    return gs_png_save_marked(path, rgb, width, height, NULL, 0, w->provenance, &w->error);
}

static bool
show_progress(int step, int steps, const float *rgb, int width, int height, void *user_data)
{
    fprintf(stderr, "\rstep %d/%d", step, steps);
    return TRUE;
}

static bool
show_upscale_progress(double fraction, void *user_data)
{
    fprintf(stderr, "\rupscaling %3.0f%%", fraction * 100);
    return true;
}

/* Checked before generating, so a typo in -o costs no compute. */
static gboolean
output_dir_writable(const char *output)
{
    g_autofree char *dir = g_path_get_dirname(output);
    return g_access(dir, W_OK) == 0;
}

/* Upscales when asked, then writes the PNG with its parameters and
 * provenance; 0 or 1. */
static int
save_result(gs_context *ctx, const char *output, const float *rgb, int width, int height, const char *settings,
            const GsProvenance *provenance, int upscale, const char *upscale_path, const char *upscale_display)
{
    g_autoptr(GError) error = NULL;
    g_autofree float *upscaled = NULL;
    if (upscale && (long long)width * height * upscale * upscale > GS_UPSCALE_MAX_PIXELS) {
        fprintf(stderr, "genstudio-cli image: %d×%d ×%d would be more than %lld megapixels\n", width, height,
                upscale, GS_UPSCALE_MAX_PIXELS >> 20);
        return 1;
    }
    if (upscale && !(upscaled = gs_upscale_run(ctx, upscale_path, upscale, rgb, width, height,
                                               show_upscale_progress, NULL, &error))) {
        fprintf(stderr, "\ngenstudio-cli image: %s\n", error->message);
        return 1;
    }
    if (upscale)
        fprintf(stderr, "\n");
    g_autofree char *text = upscale ? gs_upscale_parameters(settings, upscale, upscale_display) : g_strdup(settings);
    int s = upscale ? upscale : 1;
    GsPngText chunks[] = { { "parameters", text }, { "Software", "GenStudio " GS_VERSION } };
    if (!gs_png_save_marked(output, upscaled ? upscaled : rgb, width * s, height * s, chunks, G_N_ELEMENTS(chunks),
                            provenance, &error)) {
        fprintf(stderr, "genstudio-cli image: %s\n", error->message);
        return 1;
    }
    printf("%s\n", output);
    return 0;
}

/* Options that only mean something to a diffusion model, by flag name. */
static const char *
diffusion_only_option(const char *negative, int steps, double cfg, const char *sampler, gboolean karras,
                      const char *init, const char *mask, const char *outpaint, const char *variation_seed,
                      int clip_skip, const char *prediction, const char *tokenizer, const char *steps_dir,
                      int width, int height)
{
    return width ? "--width" : height ? "--height" : negative ? "--negative" : steps ? "--steps" : cfg >= 0 ? "--cfg" : sampler ? "--sampler"
         : karras ? "--karras" : init ? "--init" : mask ? "--mask" : outpaint ? "--outpaint"
         : variation_seed ? "--variation-seed" : clip_skip ? "--clip-skip" : prediction ? "--prediction"
         : tokenizer ? "--tokenizer" : steps_dir ? "--steps-dir" : NULL;
}

/* The GAN path: one forward pass, then the same upscale and save. */
static float *
run_gan(gs_context *ctx, const char *path, const char *prompt, guint64 seed, int *size,
        GError **error)
{
    gs_gan *gan = gs_load_gan(ctx, path, error);
    float *rgb = gan ? gs_gan_job_run(ctx, gan, prompt, &seed, 1, size, error) : NULL;
    gs_gan_free(gan);
    return rgb;
}

int
gs_cli_image(int argc, char **argv)
{
    g_autofree char *prompt = NULL, *negative = NULL, *model_path = NULL, *sampler_name = NULL;
    g_autofree char *init = NULL, *mask = NULL, *steps_dir = NULL, *output = NULL, *seed_text = NULL;
    g_autofree char *prediction = NULL, *variation_seed = NULL, *outpaint = NULL, *tokenizer = NULL;
    g_autofree char *upscale_model = NULL, *upscale_path = NULL, *upscale_display = NULL;
    int upscale = 0;
    int steps = 0, width = 0, height = 0, clip_skip = 0;
    double cfg = -1, strength = 0.6, variation_strength = 0;
    gboolean karras = FALSE;
    GOptionEntry entries[] = {
        { "prompt", 'p', 0, G_OPTION_ARG_STRING, &prompt, "What to draw", "TEXT" },
        { "negative", 'n', 0, G_OPTION_ARG_STRING, &negative, "What to steer away from", "TEXT" },
        { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path,
          "A model of the models folder (genstudio-cli models list), or a .safetensors file or diffusers folder",
          "NAME_OR_PATH" },
        { "width", 'W', 0, G_OPTION_ARG_INT, &width, "Image width (the model's default)", "PIXELS" },
        { "height", 'H', 0, G_OPTION_ARG_INT, &height, "Image height (the model's default)", "PIXELS" },
        { "steps", 0, 0, G_OPTION_ARG_INT, &steps, "Denoising steps (the model's default: 10 for GenStudio models, 20 for SD, 1 for SD-Turbo)", "N" },
        { "cfg", 0, 0, G_OPTION_ARG_DOUBLE, &cfg, "Classifier-free guidance scale (the model's default)", "SCALE" },
        { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, "Noise seed (42)", "N" },
        { "sampler", 0, 0, G_OPTION_ARG_STRING, &sampler_name, "euler_a, euler, ddim, dpmpp_2m or lcm (the model's default: euler for GenStudio models, euler_a for SD)", "NAME" },
        { "karras", 0, 0, G_OPTION_ARG_NONE, &karras, "Karras sigma spacing", NULL },
        { "init", 0, 0, G_OPTION_ARG_FILENAME, &init, "Start image for img2img (PNG)", "PNG" },
        { "strength", 0, 0, G_OPTION_ARG_DOUBLE, &strength, "How much of the start image to repaint (0.6)", "0..1" },
        { "mask", 0, 0, G_OPTION_ARG_FILENAME, &mask, "Inpainting mask, white = repaint (PNG)", "PNG" },
        { "outpaint", 0, 0, G_OPTION_ARG_STRING, &outpaint, "Extend --init by these margins and paint them", "L,R,T,B" },
        { "variation-seed", 0, 0, G_OPTION_ARG_STRING, &variation_seed, "A second noise seed to blend in", "N" },
        { "variation-strength", 0, 0, G_OPTION_ARG_DOUBLE, &variation_strength, "How much of it (0..1)", "S" },
        { "clip-skip", 0, 0, G_OPTION_ARG_INT, &clip_skip, "Text-encoder layers to skip from the end (1 = none)", "N" },
        { "prediction", 0, 0, G_OPTION_ARG_STRING, &prediction, "What the UNet predicts when the file does not say: "
          "eps or v (SD 2.x 768-v)", "eps|v" },
        { "tokenizer", 0, 0, G_OPTION_ARG_FILENAME, &tokenizer, "CLIP tokenizer files for single-file SD "
          "checkpoints (default: the models folder's tokenizers/clip)", "DIR" },
        { "upscale", 0, 0, G_OPTION_ARG_INT, &upscale, "Upscale the result ×2, ×4 or ×8 with ESRGAN", "N" },
        { "upscale-model", 0, 0, G_OPTION_ARG_STRING, &upscale_model, "slim (default), medium, thick, bicubic or "
          "a .safetensors path", "NAME" },
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
    p->width = width;
    p->height = height;
    p->karras = karras;
    p->strength = strength;
    p->variation_strength = variation_strength;
    p->clip_skip = clip_skip;
    request.init_path = g_strdup(init);
    request.mask_path = g_strdup(mask);
    int status = 1;
    gs_context *ctx = NULL;
    gs_diffusion *model = NULL;
    g_autofree float *rgb = NULL;

    g_autofree char *gan_path = gs_gan_model_path(model_path);
    const char *not_for_gan = gan_path ? diffusion_only_option(negative, steps, cfg, sampler_name, karras, init, mask,
                                                              outpaint, variation_seed, clip_skip, prediction,
                                                              tokenizer, steps_dir, width, height) : NULL;

    if (seed_text && !g_ascii_string_to_unsigned(seed_text, 10, 0, G_MAXUINT64, &p->seed, &error)) {
        fprintf(stderr, "genstudio-cli image: --seed: %s\n", error->message);
        status = 2;
    } else if (not_for_gan) {
        fprintf(stderr, "genstudio-cli image: %s is for diffusion models; a GAN draws at its own size in one pass "
                        "from the prompt and the seed\n", not_for_gan);
        status = 2;
    } else if (sampler_name && !gs_sampler_from_name(sampler_name, &p->sampler)) {
        fprintf(stderr, "genstudio-cli image: unknown sampler '%s' (euler_a, euler, ddim, dpmpp_2m, lcm)\n", sampler_name);
        status = 2;
    } else if (variation_seed &&
               !g_ascii_string_to_unsigned(variation_seed, 10, 0, G_MAXUINT64, &p->variation_seed, &error)) {
        fprintf(stderr, "genstudio-cli image: --variation-seed: %s\n", error->message);
        status = 2;
    } else if (prediction && !g_str_equal(prediction, "eps") && !g_str_equal(prediction, "v")) {
        fprintf(stderr, "genstudio-cli image: --prediction must be eps or v, not '%s'\n", prediction);
        status = 2;
    } else if (outpaint && (sscanf(outpaint, "%d,%d,%d,%d", &request.outpaint[0], &request.outpaint[1],
                                   &request.outpaint[2], &request.outpaint[3]) != 4 ||
                            request.outpaint[0] < 0 || request.outpaint[1] < 0 || request.outpaint[2] < 0 ||
                            request.outpaint[3] < 0 || !init)) {
        fprintf(stderr, "genstudio-cli image: --outpaint takes four margins L,R,T,B ≥ 0 and needs --init\n");
        status = 2;
    } else if (upscale != 0 && upscale != 2 && upscale != 4 && upscale != 8) {
        fprintf(stderr, "genstudio-cli image: --upscale must be 2, 4 or 8, not %d\n", upscale);
        status = 2;
    } else if (upscale_model && !upscale) {
        fprintf(stderr, "genstudio-cli image: --upscale-model needs --upscale 2|4|8\n");
        status = 2;
    } else if (upscale_model && !gs_upscale_model_known(upscale_model)) {
        fprintf(stderr, "genstudio-cli image: unknown --upscale-model '%s' (slim, medium, thick, bicubic or a "
                        ".safetensors path)\n", upscale_model);
        status = 2;
    } else if (upscale && !gs_upscale_model_check(upscale_model ? upscale_model : "slim",
                                                   upscale_path = gs_upscale_model_path(
                                                       upscale_model ? upscale_model : "slim", upscale,
                                                       &upscale_display),
                                                   &error)) {
        /* Checked before generating, like the output folder. */
        fprintf(stderr, "genstudio-cli image: %s\n", error->message);
    } else if (!output_dir_writable(output)) {
        fprintf(stderr, "genstudio-cli image: cannot write to the folder of %s: %s\n", output, g_strerror(errno));
    } else if (steps_dir && g_mkdir_with_parents(steps_dir, 0755) != 0) {
        fprintf(stderr, "genstudio-cli image: cannot create %s: %s\n", steps_dir, g_strerror(errno));
    } else if (!(ctx = gs_open_engine(&error))) {
        fprintf(stderr, "genstudio-cli image: %s\n", error->message);
    } else if (gan_path) {
        int size = 0;
        g_autofree char *name = g_path_get_basename(model_path);
        if (g_str_has_suffix(name, ".safetensors"))
            name[strlen(name) - strlen(".safetensors")] = '\0';
        if (!(rgb = run_gan(ctx, gan_path, prompt, p->seed, &size, &error))) {
            fprintf(stderr, "genstudio-cli image: %s\n", error->message);
        } else {
            g_autofree char *settings = gs_gan_parameters(prompt, p->seed, name, size);
            GsProvenance provenance = { GS_SOURCE_GENERATED, name, gan_path };
            status = save_result(ctx, output, rgb, size, size, settings, &provenance, upscale, upscale_path,
                                 upscale_display);
        }
    } else {
        /* A name in the models folder or a path; none: the built-in model. */
        g_autoptr(GsModelLibrary) library = gs_model_library_new(NULL);
        g_autoptr(GsModelEntry) entry = gs_model_library_resolve(library, model_path, &error);
        GsProvenance step_provenance = { init ? GS_SOURCE_COMPOSITE : GS_SOURCE_GENERATED,
                                         entry ? gs_model_entry_get_name(entry) : NULL,
                                         entry ? gs_model_entry_get_path(entry) : NULL, NULL };
        step_writer writer = { steps_dir, &step_provenance, NULL };
        gs_diffusion_load_params load = gs_diffusion_load_default_params();
        load.tokenizer_dir = tokenizer;
        if (prediction)
            load.prediction = p->prediction = g_str_equal(prediction, "v") ? GS_PREDICTION_V : GS_PREDICTION_EPS;
        if (entry && (model = gs_model_library_load(library, ctx, entry, &load, &error))) {
            const gs_model_info *info = gs_diffusion_info(model);
            p->steps = steps > 0 ? steps : info->default_steps;
            p->cfg_scale = cfg >= 0 ? cfg : info->default_cfg;
            if (!sampler_name)
                p->sampler = info->default_sampler;
            rgb = gs_image_job_run(ctx, model, gs_model_entry_get_name(entry), &request,
                                   steps_dir ? write_step : show_progress, &writer, &error);
        }
        fprintf(stderr, "\n");
        if (writer.error) {
            fprintf(stderr, "genstudio-cli image: %s\n", writer.error->message);
            g_error_free(writer.error);
        } else if (!rgb) {
            fprintf(stderr, "genstudio-cli image: %s\n", error->message);
        } else {
            g_autofree char *settings = gs_image_params_to_text(p);
            /* A start image makes it a composite: img2img, inpainting, outpainting. */
            GsProvenance provenance = { init ? GS_SOURCE_COMPOSITE : GS_SOURCE_GENERATED,
                                        gs_model_entry_get_name(entry), gs_model_entry_get_path(entry) };
            status = save_result(ctx, output, rgb, p->width, p->height, settings, &provenance, upscale, upscale_path,
                                 upscale_display);
        }
    }
    gs_diffusion_free(model);
    gs_context_free(ctx);
    gs_image_request_clear(&request);
    return status;
}
