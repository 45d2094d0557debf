/* The sampler loop: noise (with A1111 variation seeds) → steps of a k-diffusion
 * style sampler over guided UNet calls → RGB, with img2img, masks and
 * inpainting models' extra channels.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "gs-diffusion-private.h"
#include "vk/gs-vk-private.h"

#define MAX_STEPS 1000
#define MAX_SIDE 4096

typedef struct {
    gs_diffusion *m;
    int batch, channels, h, w; /* the sample's latent (or pixel) shape */
    size_t pixels;             /* channels·h·w */
    const gs_tensor *context;
    float cfg_scale;
    const float *concat;       /* inpainting models' extra input channels, or NULL */
    size_t concat_size;
    float *model_in, *out;
} denoiser;

/* The clean image from the UNet's guided output at σ's timestep, in
 * k-diffusion's unscaled x = x0 + σ·ε: x − σ·ε for ε-models,
 * x/(σ²+1) − σ/√(σ²+1)·v for v-models. */
static gs_status
denoise(denoiser *d, const float *x, double sigma, double t, float *denoised)
{
    gs_diffusion *m = d->m;
    const gs_sd_config *c = m->cfg;
    float c_in = (float)(1.0 / sqrt(sigma * sigma + 1.0));
    size_t in_size = d->pixels + d->concat_size;
    for (int b = 0; b < d->batch; b++) {
        float *dst = d->model_in + b * in_size;
        for (size_t i = 0; i < d->pixels; i++)
            dst[i] = x[i] * c_in;
        if (d->concat)
            memcpy(dst + d->pixels, d->concat, d->concat_size * sizeof *dst);
    }
    float times[2] = { (float)t, (float)t };
    gs_status st = gs_diffusion_unet(m, d->model_in, times, d->batch, c->in_channels, d->h, d->w, d->context, d->out);
    if (st != GS_OK)
        return st;

    float skip = 1.0f, scale = (float)-sigma;
    if (c->v_prediction) {
        skip = c_in * c_in;
        scale = (float)-sigma * c_in;
    }
    const float *out_uncond = d->out, *out_cond = d->out + (d->batch - 1) * d->pixels;
    for (size_t i = 0; i < d->pixels; i++) {
        float o = out_cond[i];
        if (d->batch == 2)
            o = out_uncond[i] + d->cfg_scale * (out_cond[i] - out_uncond[i]);
        float v = skip * x[i] + scale * o;
        denoised[i] = c->clip_denoised ? fminf(fmaxf(v, -1.0f), 1.0f) : v;
    }
    return GS_OK;
}

/* Pixel-space models: the sample as the model sees it, scaled back to unit
 * variance. */
static void
pixels_to_rgb(const float *planar, double sigma, int channels, int h, int w, float *rgb)
{
    float scale = (float)(1.0 / sqrt(sigma * sigma + 1.0));
    size_t plane = (size_t)h * w;
    for (size_t i = 0; i < plane; i++)
        for (int ch = 0; ch < 3; ch++) {
            float v = (planar[(ch < channels ? ch : 0) * plane + i] * scale + 1.0f) * 0.5f;
            rgb[i * 3 + ch] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
}

static void
show(gs_diffusion *m, const float *x, double sigma, int h, int w, int height, int width, float *rgb)
{
    if (m->cfg->latent)
        gs_diffusion_preview(m, x, h, w, (float)(1.0 / sqrt(sigma * sigma + 1.0)), rgb, height, width);
    else
        pixels_to_rgb(x, sigma, m->cfg->in_channels, h, w, rgb);
}

static void
output_size(const gs_diffusion *m, const gs_image_params *p, int *width, int *height)
{
    *width = p->width > 0 ? p->width : gs_diffusion_width(m);
    *height = p->height > 0 ? p->height : gs_diffusion_height(m);
}

static gs_status
check_params(gs_diffusion *m, const gs_image_params *p)
{
    gs_context *ctx = m->ctx;
    /* Bounded before any tokenizer sees it, whichever the model uses. */
    size_t limit = GS_CLIP_MAX_PROMPT_BYTES;
    if ((p->prompt && strnlen(p->prompt, limit + 1) > limit) ||
        (p->negative_prompt && strnlen(p->negative_prompt, limit + 1) > limit))
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "the prompt exceeds the limit of %zu bytes (64 KiB)", limit);
    if (!p->prompt || !g_utf8_validate(p->prompt, -1, NULL))
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "the prompt is not valid UTF-8 text");
    if (p->negative_prompt && !g_utf8_validate(p->negative_prompt, -1, NULL))
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "the negative prompt is not valid UTF-8 text");
    if (p->steps < 1 || p->steps > MAX_STEPS)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "steps must be 1..%d, not %d", MAX_STEPS, p->steps);
    if (!isfinite(p->cfg_scale) || p->cfg_scale < 0 || p->cfg_scale > 100)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "CFG scale must be 0..100");
    if ((unsigned)p->sampler > GS_SAMPLER_LCM)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "unknown sampler %d", (int)p->sampler);
    if (p->init_image && !(p->strength > 0 && p->strength <= 1))
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "strength must be in (0, 1]");
    if (p->mask && !p->init_image)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "inpainting needs an init image along with the mask");
    if (!(p->variation_strength >= 0 && p->variation_strength <= 1))
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "variation strength must be in [0, 1]");
    if (p->clip_skip < 0 || p->clip_skip > 12)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "clip skip must be 1..12 (0 = the model's default)");
    int width, height;
    output_size(m, p, &width, &height);
    int unit = m->cfg->latent ? 8 << (m->cfg->levels - 1) : 1;
    if (m->cfg->latent && (width % unit || height % unit || width < unit || height < unit || width > MAX_SIDE ||
                           height > MAX_SIDE))
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "width and height must be multiples of %d from %d to %d, not %d×%d",
                       unit, unit, MAX_SIDE, width, height);
    if (!m->cfg->latent && (width != m->cfg->image_size || height != m->cfg->image_size))
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "this model draws %d×%d images only",
                       m->cfg->image_size, m->cfg->image_size);
    return GS_OK;
}

/* Spherical interpolation between two noise fields, as A1111's variation
 * seeds: both stay unit-variance Gaussian for any t. */
static void
slerp(float t, const float *low, const float *high, size_t n, float *out)
{
    double ll = 0, hh = 0, lh = 0;
    for (size_t i = 0; i < n; i++) {
        ll += (double)low[i] * low[i];
        hh += (double)high[i] * high[i];
        lh += (double)low[i] * high[i];
    }
    double dot = lh / sqrt(ll * hh);
    if (fabs(dot) > 0.9995) {
        for (size_t i = 0; i < n; i++)
            out[i] = (1 - t) * low[i] + t * high[i];
        return;
    }
    double omega = acos(dot), so = sin(omega);
    float a = (float)(sin((1 - t) * omega) / so), b = (float)(sin(t * omega) / so);
    for (size_t i = 0; i < n; i++)
        out[i] = a * low[i] + b * high[i];
}

/* Working shape: the latent for SD, the image itself for pixel models. */
static void
working_shape(const gs_diffusion *m, int width, int height, int *channels, int *h, int *w)
{
    const gs_sd_config *c = m->cfg;
    *channels = c->latent ? c->latent_channels : c->in_channels;
    *h = c->latent ? height / 8 : height;
    *w = c->latent ? width / 8 : width;
}

gs_status
gs_diffusion_generate(gs_diffusion *m, const gs_image_params *p, float *rgb)
{
    gs_status st = check_params(m, p);
    if (st != GS_OK)
        return st;
    int width, height, channels, h, w;
    output_size(m, p, &width, &height);
    working_shape(m, width, height, &channels, &h, &w);
    size_t n = (size_t)channels * h * w;
    float *noise = g_new(float, n);
    gs_normal_noise(p->seed, 0, 0, noise, n);
    if (p->variation_strength > 0) {
        float *other = g_new(float, n);
        gs_normal_noise(p->variation_seed, 0, 0, other, n);
        slerp(p->variation_strength, noise, other, n, noise);
        g_free(other);
    }
    st = gs_diffusion_generate_from_noise(m, p, noise, rgb);
    g_free(noise);
    return st;
}

/* Box-filters a H×W mask to the latent grid. */
static float *
mask_to_latent(const float *mask, int height, int width, int h, int w)
{
    float *out = g_new0(float, (size_t)h * w);
    int fy = height / h, fx = width / w;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float sum = 0;
            for (int dy = 0; dy < fy; dy++)
                for (int dx = 0; dx < fx; dx++)
                    sum += mask[(size_t)(y * fy + dy) * width + x * fx + dx];
            out[(size_t)y * w + x] = sum / (float)(fy * fx);
        }
    return out;
}

/* The clean start: the init image in the working space. */
static gs_status
init_to_working(gs_diffusion *m, const float *rgb, int height, int width, int channels, float *init)
{
    if (m->cfg->latent)
        return gs_diffusion_encode(m, rgb, height, width, init);
    size_t plane = (size_t)height * width;
    for (size_t i = 0; i < plane; i++)
        for (int ch = 0; ch < channels; ch++)
            init[ch * plane + i] = rgb[i * 3 + (ch < 3 ? ch : 0)] * 2.0f - 1.0f;
    return GS_OK;
}

/* Inpainting models see [mask, latent of the image with the masked part
 * grey] beside the sample; without an init image, all of it is masked. */
static gs_status
inpaint_inputs(gs_diffusion *m, const gs_image_params *p, int height, int width, int h, int w, const float *mask_lat,
               float **concat)
{
    size_t plane = (size_t)h * w, pixels = (size_t)height * width;
    float *rgb = g_new(float, pixels * 3);
    for (size_t i = 0; i < pixels; i++)
        for (int ch = 0; ch < 3; ch++)
            rgb[i * 3 + ch] = p->init_image && !(p->mask && p->mask[i] > 0.5f) ? p->init_image[i * 3 + ch] : 0.5f;
    *concat = g_new(float, plane * (1 + m->cfg->latent_channels));
    for (size_t i = 0; i < plane; i++)
        (*concat)[i] = mask_lat ? (mask_lat[i] > 0.5f ? 1.0f : 0.0f) : 1.0f;
    gs_status st = gs_diffusion_encode(m, rgb, height, width, *concat + plane);
    g_free(rgb);
    return st;
}

gs_status
gs_diffusion_generate_from_noise(gs_diffusion *m, const gs_image_params *p, const float *initial_noise, float *rgb)
{
    gs_status st = check_params(m, p);
    if (st != GS_OK)
        return st;
    const char *prompts[2] = { p->negative_prompt ? p->negative_prompt : "", p->prompt };
    int batch = p->cfg_scale != 1.0f ? 2 : 1;
    gs_tensor *context = NULL;
    st = gs_diffusion_encode_prompts(m, prompts + (2 - batch), batch, p->clip_skip, &context);
    if (st == GS_OK)
        st = gs_diffusion_generate_with_context(m, p, initial_noise, context, rgb);
    gs_tensor_free(context);
    return st;
}

gs_status
gs_diffusion_generate_with_context(gs_diffusion *m, const gs_image_params *p, const float *initial_noise,
                                   const gs_tensor *context, float *rgb)
{
    gs_status st = check_params(m, p);
    if (st != GS_OK)
        return st;
    const gs_sd_config *c = m->cfg;
    int width, height, channels, h, w, steps = p->steps;
    output_size(m, p, &width, &height);
    working_shape(m, width, height, &channels, &h, &w);
    size_t plane = (size_t)h * w, pixels = plane * channels;
    bool inpainting_model = c->in_channels != channels;

    double *sigmas = g_new(double, steps + 1);
    gs_spacing spacing = p->sampler == GS_SAMPLER_DDIM ? GS_SPACING_DDIM
                         : p->karras                   ? GS_SPACING_KARRAS
                                                       : GS_SPACING_LINEAR;
    gs_schedule_sigmas(&m->schedule, steps, spacing, sigmas);
    /* img2img starts part-way down the schedule, from the noised init image;
     * an inpainting model given a mask repaints from full noise (it sees the
     * image beside the sample), without one it is img2img too. */
    bool from_init = p->init_image && !(inpainting_model && p->mask);
    int first = from_init ? steps - (int)lround(p->strength * steps) : 0;
    if (first >= steps)
        first = steps - 1;

    float *x = g_new(float, pixels), *init = NULL, *mask_lat = NULL, *concat = NULL;
    float *denoised = g_new(float, pixels), *old_denoised = g_new(float, pixels), *fresh = g_new(float, pixels);
    float *preview = g_new(float, (size_t)width * height * 3);
    if (p->init_image) {
        init = g_new(float, pixels);
        st = init_to_working(m, p->init_image, height, width, channels, init);
    }
    if (p->mask)
        mask_lat = c->latent ? mask_to_latent(p->mask, height, width, h, w) : g_memdup2(p->mask, plane * sizeof *p->mask);
    if (st == GS_OK && inpainting_model)
        st = inpaint_inputs(m, p, height, width, h, w, mask_lat, &concat);
    for (size_t i = 0; i < pixels; i++)
        x[i] = (from_init ? init[i] : 0.0f) + initial_noise[i] * (float)sigmas[first];

    denoiser d = {
        .m = m,
        .batch = p->cfg_scale != 1.0f ? 2 : 1,
        .channels = channels, .h = h, .w = w,
        .pixels = pixels,
        .context = context,
        .cfg_scale = p->cfg_scale,
        .concat = concat,
        .concat_size = concat ? plane * (c->in_channels - channels) : 0,
    };
    d.model_in = g_new(float, 2 * (pixels + d.concat_size));
    d.out = g_new(float, 2 * pixels);

    for (int i = first; st == GS_OK && i < steps; i++) {
        double sigma = sigmas[i], next = sigmas[i + 1];
        double t = p->sampler == GS_SAMPLER_DDIM ? round(gs_schedule_t(&m->schedule, sigma))
                                                 : gs_schedule_t(&m->schedule, sigma);
        st = denoise(&d, x, sigma, t, denoised);
        if (st != GS_OK)
            break;
        switch (p->sampler) {
        case GS_SAMPLER_EULER:
        case GS_SAMPLER_DDIM:
            for (size_t j = 0; j < pixels; j++)
                x[j] = denoised[j] + (float)next * (x[j] - denoised[j]) / (float)sigma;
            break;
        case GS_SAMPLER_EULER_A: {
            /* Step down to sigma_down, then add fresh noise back up to next. */
            double up = next > 0 ? fmin(next, sqrt(next * next * (sigma * sigma - next * next) / (sigma * sigma))) : 0;
            double down = sqrt(next * next - up * up);
            for (size_t j = 0; j < pixels; j++)
                x[j] = denoised[j] + (float)down * (x[j] - denoised[j]) / (float)sigma;
            if (up > 0) {
                gs_normal_noise(p->seed, (uint32_t)i + 1, 0, fresh, pixels);
                for (size_t j = 0; j < pixels; j++)
                    x[j] += fresh[j] * (float)up;
            }
            break;
        }
        case GS_SAMPLER_LCM:
            /* Consistency models jump to x0 and re-noise to the next level. */
            if (next > 0)
                gs_normal_noise(p->seed, (uint32_t)i + 1, 0, fresh, pixels);
            for (size_t j = 0; j < pixels; j++)
                x[j] = denoised[j] + (next > 0 ? fresh[j] * (float)next : 0.0f);
            break;
        case GS_SAMPLER_DPMPP_2M: {
            /* Multistep DPM-Solver++(2M) in log-sigma time (Lu et al. 2022). */
            if (next == 0) {
                memcpy(x, denoised, pixels * sizeof *x);
            } else {
                double hstep = log(sigma) - log(next);
                double ratio = next / sigma, weight = -expm1(-hstep);
                bool second_order = i > first;
                double r = second_order ? (log(sigmas[i - 1]) - log(sigma)) / hstep : 0;
                for (size_t j = 0; j < pixels; j++) {
                    double dd = denoised[j];
                    if (second_order)
                        dd = (1 + 1 / (2 * r)) * denoised[j] - (1 / (2 * r)) * old_denoised[j];
                    x[j] = (float)(ratio * x[j] + weight * dd);
                }
            }
            memcpy(old_denoised, denoised, pixels * sizeof *x);
            break;
        }
        }
        if (mask_lat && !inpainting_model) {
            /* Keep the unmasked area on the init image's own noisy path. */
            for (size_t j = 0; j < pixels; j++) {
                float keep = 1.0f - mask_lat[j % plane];
                x[j] = keep * (init[j] + initial_noise[j] * (float)next) + (1.0f - keep) * x[j];
            }
        }
        if (p->callback) {
            show(m, x, next, h, w, height, width, preview);
            if (!p->callback(i + 1, steps, preview, width, height, p->user_data))
                st = gs_fail(m->ctx, GS_ERR_CANCELLED, "cancelled after step %d of %d", i + 1, steps);
        }
    }
    if (st == GS_OK && c->latent)
        st = gs_diffusion_decode(m, x, h, w, rgb);
    else if (st == GS_OK)
        pixels_to_rgb(x, 0, c->in_channels, h, w, rgb);

    g_free(d.model_in);
    g_free(d.out);
    g_free(sigmas);
    g_free(x);
    g_free(init);
    g_free(mask_lat);
    g_free(concat);
    g_free(denoised);
    g_free(old_denoised);
    g_free(fresh);
    g_free(preview);
    return st;
}
