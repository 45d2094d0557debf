/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>

#include "gs-image-job.h"
#include "gs-png.h"

G_DEFINE_QUARK(gs-engine-error-quark, gs_engine_error)

void
gs_set_engine_error(GError **error, gs_context *ctx, gs_status status, const char *what)
{
    g_set_error(error, GS_ENGINE_ERROR, (int)status, "%s: %s", what, ctx ? gs_context_error(ctx) : gs_status_name(status));
}

char *
gs_shipped_model_path(const char *file_name)
{
    const char *dirs[] = { g_getenv("GENSTUDIO_MODEL_DIR"), GS_SOURCE_MODEL_DIR, GS_INSTALLED_MODEL_DIR };
    for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
        if (!dirs[i] || !*dirs[i])
            continue;
        char *path = g_build_filename(dirs[i], file_name, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
            return path;
        g_free(path);
    }
    return g_build_filename(GS_INSTALLED_MODEL_DIR, file_name, NULL);
}

char *
gs_shipped_upscaler_path(const char *variant, int scale)
{
    g_autofree char *name = g_strdup_printf("esrgan/esrgan-%s-x%d.safetensors", variant, scale);
    return gs_shipped_model_path(name);
}

char *
gs_default_model_path(void)
{
    return gs_shipped_model_path("emoji32.safetensors");
}

gs_context *
gs_open_engine(GError **error)
{
    gs_context_params params = gs_context_default_params();
    gs_context *ctx = NULL;
    char *message = NULL;
    gs_status st = gs_context_new(&params, &ctx, &message);
    if (st != GS_OK) {
        g_set_error(error, GS_ENGINE_ERROR, (int)st, "%s", message ? message : gs_status_name(st));
        free(message);
    }
    return ctx;
}

gs_diffusion *
gs_load_diffusion_with_params(gs_context *ctx, const char *path, const gs_diffusion_load_params *params,
                              GError **error)
{
    gs_diffusion *model = NULL;
    gs_status st = gs_diffusion_load_with_params(ctx, path, params, &model);
    if (st != GS_OK)
        gs_set_engine_error(error, ctx, st, "Cannot load the model");
    return model;
}

gs_diffusion *
gs_load_diffusion(gs_context *ctx, const char *path, GError **error)
{
    return gs_load_diffusion_with_params(ctx, path, NULL, error);
}

void
gs_image_request_init(GsImageRequest *r)
{
    *r = (GsImageRequest){ 0 };
    gs_image_params_init(&r->params);
}

void
gs_image_request_clear(GsImageRequest *r)
{
    gs_image_params_clear(&r->params);
    g_clear_pointer(&r->init_path, g_free);
    g_clear_pointer(&r->mask_path, g_free);
    g_clear_pointer(&r->upscale_variant, g_free);
}

/* Loads a PNG and fits it to the model's size. */
static float *
load_fitted(const char *path, int width, int height, int channels, GError **error)
{
    int w, h;
    g_autofree float *rgb = gs_png_load(path, &w, &h, error);
    if (!rgb)
        return NULL;
    if (channels == 1) /* masks: mean of RGB */
        for (size_t i = 0; i < (size_t)w * h; i++)
            rgb[i] = (rgb[i * 3] + rgb[i * 3 + 1] + rgb[i * 3 + 2]) / 3.0f;
    return gs_image_resize(rgb, w, h, channels, width, height);
}

/* Outpainting: the init image placed inside a larger canvas whose new
 * margins are filled with the image's mean colour, and a mask that repaints
 * the margins plus a few pixels of overlap so the seam is painted over. */
static gboolean
outpaint_canvas(const char *path, const int pad[4], float **canvas, float **mask, int *width, int *height,
                GError **error)
{
    int w, h;
    g_autofree float *rgb = gs_png_load(path, &w, &h, error);
    if (!rgb)
        return FALSE;
    const int overlap = 8;
    *width = w + pad[0] + pad[1];
    *height = h + pad[2] + pad[3];
    double mean[3] = { 0, 0, 0 };
    for (size_t i = 0; i < (size_t)w * h; i++)
        for (int k = 0; k < 3; k++)
            mean[k] += rgb[i * 3 + k] / ((double)w * h);
    *canvas = g_new(float, (size_t)*width * *height * 3);
    *mask = g_new(float, (size_t)*width * *height);
    for (int y = 0; y < *height; y++)
        for (int x = 0; x < *width; x++) {
            int sx = x - pad[0], sy = y - pad[2];
            gboolean inside = sx >= 0 && sx < w && sy >= 0 && sy < h;
            size_t i = (size_t)y * *width + x;
            for (int k = 0; k < 3; k++)
                (*canvas)[i * 3 + k] = inside ? rgb[((size_t)sy * w + sx) * 3 + k] : (float)mean[k];
            gboolean interior = sx >= (pad[0] ? overlap : 0) && sx < w - (pad[1] ? overlap : 0) &&
                                sy >= (pad[2] ? overlap : 0) && sy < h - (pad[3] ? overlap : 0);
            (*mask)[i] = interior ? 0.0f : 1.0f;
        }
    return TRUE;
}

float *
gs_image_job_run(gs_context *ctx, gs_diffusion *model, const char *model_name, GsImageRequest *r, gs_step_callback on_step,
                 gpointer user_data, GError **error)
{
    GsImageParams *p = &r->params;
    int width = p->width > 0 ? p->width : gs_diffusion_width(model);
    int height = p->height > 0 ? p->height : gs_diffusion_height(model);
    gboolean outpainting = r->outpaint[0] || r->outpaint[1] || r->outpaint[2] || r->outpaint[3];
    g_autofree float *init = NULL, *mask = NULL;
    if (outpainting) {
        if (!r->init_path) {
            g_set_error(error, GS_ENGINE_ERROR, GS_ERR_INVALID_ARGUMENT, "Outpainting needs an image to extend");
            return NULL;
        }
        if (!outpaint_canvas(r->init_path, r->outpaint, &init, &mask, &width, &height, error))
            return NULL;
        p->strength = 1.0;
    } else {
        if (r->init_path && !(init = load_fitted(r->init_path, width, height, 3, error)))
            return NULL;
        if (r->mask_path && !(mask = load_fitted(r->mask_path, width, height, 1, error)))
            return NULL;
    }

    gs_image_params engine = gs_image_default_params();
    engine.prompt = p->prompt;
    engine.negative_prompt = p->negative_prompt;
    engine.width = width;
    engine.height = height;
    engine.steps = p->steps;
    engine.cfg_scale = (float)p->cfg_scale;
    engine.seed = p->seed;
    engine.sampler = p->sampler;
    engine.karras = p->karras;
    engine.init_image = init;
    engine.strength = init ? (float)p->strength : 0.0f;
    engine.mask = mask;
    engine.variation_seed = p->variation_seed;
    engine.variation_strength = (float)p->variation_strength;
    engine.clip_skip = p->clip_skip;
    engine.callback = on_step;
    engine.user_data = user_data;

    float *rgb = g_try_new(float, (size_t)width * height * 3);
    gs_status st = rgb ? gs_diffusion_generate(model, &engine, rgb) : GS_ERR_OUT_OF_MEMORY;
    if (st != GS_OK) {
        g_free(rgb);
        gs_set_engine_error(error, ctx, st, "Image generation failed");
        return NULL;
    }
    p->width = width;
    p->height = height;
    if (!init)
        p->strength = 0;
    if (p->prediction == GS_PREDICTION_AUTO && gs_diffusion_info(model)->prediction == GS_PREDICTION_V)
        p->prediction = GS_PREDICTION_V;
    g_free(p->model);
    p->model = g_strdup(model_name);
    return rgb;
}
