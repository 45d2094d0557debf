/* Text → image: prompt → tokens → text encoder → sampler loop over UNet
 * calls (both classifier-free-guidance branches in one batch, one submit per
 * step) → RGB. The sampler arithmetic runs on the host: a few vector ops on
 * a small image per step, next to the UNet's hundreds of millions of FLOPs.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "gs-diffusion-private.h"
#include "gs-tokenizer.h"
#include "sampling/gs-schedule.h"
#include "vk/gs-vk-private.h"

#define MAX_STEPS 1000

struct gs_diffusion {
    gs_context *ctx;
    gs_safetensors *file;
    gs_weights *weights;
    gs_tokenizer *tokenizer;
    gs_sd_config cfg;
    gs_schedule schedule;
    gs_stream *stream;
    double unet_gflop;
};

gs_image_params
gs_image_default_params(void)
{
    return (gs_image_params){
        .prompt = "",
        .negative_prompt = "",
        .steps = 20,
        .cfg_scale = 5.0f,
        .seed = 42,
        .sampler = GS_SAMPLER_EULER_A,
        .strength = 0.6f,
    };
}

static const struct {
    const char *name, *display;
} sampler_names[] = {
    [GS_SAMPLER_EULER_A] = { "euler_a", "Euler a" },
    [GS_SAMPLER_EULER] = { "euler", "Euler" },
    [GS_SAMPLER_DDIM] = { "ddim", "DDIM" },
    [GS_SAMPLER_DPMPP_2M] = { "dpmpp_2m", "DPM++ 2M" },
};

bool
gs_sampler_from_name(const char *name, gs_sampler *out)
{
    for (size_t i = 0; i < G_N_ELEMENTS(sampler_names); i++) {
        if (name && g_ascii_strcasecmp(name, sampler_names[i].name) == 0) {
            *out = (gs_sampler)i;
            return true;
        }
    }
    return false;
}

const char *
gs_sampler_display_name(gs_sampler sampler, bool karras)
{
    if ((size_t)sampler >= G_N_ELEMENTS(sampler_names))
        return "unknown";
    if (!karras)
        return sampler_names[sampler].display;
    static const char *const karras_names[] = {
        [GS_SAMPLER_EULER_A] = "Euler a Karras",
        [GS_SAMPLER_EULER] = "Euler Karras",
        [GS_SAMPLER_DDIM] = "DDIM",
        [GS_SAMPLER_DPMPP_2M] = "DPM++ 2M Karras",
    };
    return karras_names[sampler];
}

gs_status
gs_diffusion_load(gs_context *ctx, const char *path, gs_diffusion **out)
{
    *out = NULL;
    gs_diffusion *m = g_new0(gs_diffusion, 1);
    m->ctx = ctx;
    char *error = NULL;
    gs_status st = gs_safetensors_open(path, &m->file, &error);
    if (st != GS_OK) {
        gs_fail(ctx, st, "%s", error ? error : "cannot open the model");
        free(error);
        g_free(m);
        return st;
    }
    const char *config = gs_safetensors_metadata(m->file, "genstudio.config");
    if (!config)
        st = gs_fail(ctx, GS_ERR_FORMAT,
                     "%s has no genstudio.config metadata: not a GenStudio diffusion model", path);
    if (st == GS_OK)
        st = gs_sd_config_parse(ctx, config, &m->cfg);
    if (st == GS_OK) {
        m->tokenizer = gs_tokenizer_new(gs_safetensors_metadata(m->file, "genstudio.vocab"));
        if (!m->tokenizer || gs_tokenizer_vocab_size(m->tokenizer) != m->cfg.vocab_size)
            st = gs_fail(ctx, GS_ERR_FORMAT, "%s: its genstudio.vocab does not hold %d words", path,
                         m->cfg.vocab_size);
    }
    if (st == GS_OK) {
        m->weights = gs_weights_new(ctx, m->file);
        m->stream = gs_stream_new(ctx);
        if (!m->stream)
            st = GS_ERR_OUT_OF_MEMORY;
        gs_schedule_init(&m->schedule, m->cfg.train_timesteps, m->cfg.beta_start, m->cfg.beta_end,
                         m->cfg.scaled_linear);
    }
    if (st != GS_OK) {
        gs_diffusion_free(m);
        return st;
    }
    *out = m;
    return GS_OK;
}

void
gs_diffusion_free(gs_diffusion *m)
{
    if (!m)
        return;
    gs_stream_free(m->stream);
    gs_weights_free(m->weights);
    gs_tokenizer_free(m->tokenizer);
    gs_safetensors_close(m->file);
    g_free(m);
}

int gs_diffusion_width(const gs_diffusion *m) { return m->cfg.image_size; }
int gs_diffusion_height(const gs_diffusion *m) { return m->cfg.image_size; }
double gs_diffusion_unet_gflop(const gs_diffusion *m) { return m->unet_gflop; }

/* Conditioning for the batch: [negative, prompt] with guidance, else [prompt]. */
static gs_status
encode_prompts(gs_diffusion *m, const gs_image_params *p, int batch, gs_tensor **out)
{
    int tokens = m->cfg.text_tokens;
    int32_t *ids = g_new(int32_t, (size_t)batch * tokens);
    if (batch == 2)
        gs_tokenizer_encode(m->tokenizer, p->negative_prompt, ids, tokens);
    gs_tokenizer_encode(m->tokenizer, p->prompt, ids + (size_t)(batch - 1) * tokens, tokens);
    gs_graph g;
    gs_graph_init(&g, m->ctx, m->stream);
    gs_tensor *context = NULL;
    while (gs_graph_pass(&g)) {
        context = gs_text_encoder_forward(&g, m->weights, m->file, &m->cfg, ids, batch);
        if (context)
            gs_graph_keep(&g, context);
    }
    g_free(ids);
    gs_status st = gs_graph_finish(&g);
    if (st != GS_OK) {
        gs_tensor_free(context);
        return st;
    }
    *out = context;
    return GS_OK;
}

typedef struct {
    gs_diffusion *m;
    int batch;
    size_t pixels; /* C·H·W of one image */
    gs_tensor *context;
    float cfg_scale;
    float *model_in, *out; /* the UNet's input and output, batch × pixels */
} denoiser;

/* The clean image from the UNet's guided output at σ's timestep, in
 * k-diffusion's unscaled x = x0 + σ·ε: x − σ·ε for ε-models,
 * x/(σ²+1) − σ/√(σ²+1)·v for v-models. */
static gs_status
denoise(denoiser *d, const float *x, double sigma, double t, float *denoised)
{
    gs_diffusion *m = d->m;
    const gs_sd_config *c = &m->cfg;
    float c_in = (float)(1.0 / sqrt(sigma * sigma + 1.0));
    for (int b = 0; b < d->batch; b++)
        for (size_t i = 0; i < d->pixels; i++)
            d->model_in[b * d->pixels + i] = x[i] * c_in;
    float times[2] = { (float)t, (float)t };

    gs_graph g;
    gs_graph_init(&g, m->ctx, m->stream);
    int64_t xshape[4] = { d->batch, c->in_channels, c->image_size, c->image_size }, tshape[1] = { d->batch };
    gs_tensor *out = NULL;
    while (gs_graph_pass(&g)) {
        gs_tensor *xt = gs_graph_tensor(&g, 4, xshape);
        gs_tensor *tt = gs_graph_tensor(&g, 1, tshape);
        if (xt && tt) {
            gs_graph_fail(&g, gs_tensor_upload(xt, d->model_in, (int64_t)(d->batch * d->pixels)));
            gs_graph_fail(&g, gs_tensor_upload(tt, times, d->batch));
        }
        out = gs_unet_forward(&g, m->weights, c, xt, tt, d->context);
        if (out)
            gs_graph_keep(&g, out);
    }
    double flops = g.flops;
    gs_status st = gs_graph_finish(&g);
    if (st == GS_OK)
        st = gs_tensor_download(out, d->out, (int64_t)(d->batch * d->pixels));
    gs_tensor_free(out);
    if (st != GS_OK)
        return st;
    m->unet_gflop = flops / d->batch * 1e-9;

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

static void
to_rgb(const float *planar, double sigma, int channels, int size, float *rgb)
{
    /* Show the sample as the model sees it: scaled back to unit variance. */
    float scale = (float)(1.0 / sqrt(sigma * sigma + 1.0));
    size_t plane = (size_t)size * size;
    for (size_t i = 0; i < plane; i++)
        for (int ch = 0; ch < 3; ch++) {
            float v = (planar[(ch < channels ? ch : 0) * plane + i] * scale + 1.0f) * 0.5f;
            rgb[i * 3 + ch] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
}

static gs_status
check_params(gs_diffusion *m, const gs_image_params *p)
{
    gs_context *ctx = m->ctx;
    if (!p->prompt || !g_utf8_validate(p->prompt, -1, NULL))
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "the prompt is not valid UTF-8 text");
    if (p->negative_prompt && !g_utf8_validate(p->negative_prompt, -1, NULL))
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "the negative prompt is not valid UTF-8 text");
    if (p->steps < 1 || p->steps > MAX_STEPS)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "steps must be 1..%d, not %d", MAX_STEPS, p->steps);
    if (!isfinite(p->cfg_scale) || p->cfg_scale < 0 || p->cfg_scale > 100)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "CFG scale must be 0..100");
    if ((unsigned)p->sampler > GS_SAMPLER_DPMPP_2M)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "unknown sampler %d", (int)p->sampler);
    if (p->init_image && !(p->strength > 0 && p->strength <= 1))
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "strength must be in (0, 1]");
    if (p->mask && !p->init_image)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "inpainting needs an init image along with the mask");
    return GS_OK;
}

gs_status
gs_diffusion_generate(gs_diffusion *m, const gs_image_params *p, float *rgb)
{
    const gs_sd_config *c = &m->cfg;
    size_t pixels = (size_t)c->image_size * c->image_size * c->in_channels;
    float *noise = g_new(float, pixels);
    gs_normal_noise(p->seed, 0, 0, noise, pixels);
    gs_status st = gs_diffusion_generate_from_noise(m, p, noise, rgb);
    g_free(noise);
    return st;
}

gs_status
gs_diffusion_generate_from_noise(gs_diffusion *m, const gs_image_params *p, const float *initial_noise, float *rgb)
{
    gs_status st = check_params(m, p);
    if (st != GS_OK)
        return st;
    const gs_sd_config *c = &m->cfg;
    int size = c->image_size, steps = p->steps;
    size_t plane = (size_t)size * size, pixels = plane * c->in_channels;

    double *sigmas = g_new(double, steps + 1);
    gs_spacing spacing = p->sampler == GS_SAMPLER_DDIM ? GS_SPACING_DDIM
                         : p->karras                   ? GS_SPACING_KARRAS
                                                       : GS_SPACING_LINEAR;
    gs_schedule_sigmas(&m->schedule, steps, spacing, sigmas);
    /* img2img starts part-way down the schedule, from the noised init image. */
    int first = p->init_image ? steps - (int)lround(p->strength * steps) : 0;
    if (first >= steps)
        first = steps - 1;

    float *x = g_new(float, pixels), *noise = g_new(float, pixels), *init = NULL;
    float *denoised = g_new(float, pixels), *old_denoised = g_new(float, pixels), *fresh = g_new(float, pixels);
    float *preview = g_new(float, plane * 3);
    memcpy(noise, initial_noise, pixels * sizeof *noise);
    if (p->init_image) {
        init = g_new(float, pixels);
        for (size_t i = 0; i < plane; i++)
            for (int ch = 0; ch < c->in_channels; ch++)
                init[ch * plane + i] = p->init_image[i * 3 + (ch < 3 ? ch : 0)] * 2.0f - 1.0f;
    }
    for (size_t i = 0; i < pixels; i++)
        x[i] = (init ? init[i] : 0.0f) + noise[i] * (float)sigmas[first];

    denoiser d = {
        .m = m,
        .batch = p->cfg_scale != 1.0f ? 2 : 1,
        .pixels = pixels,
        .cfg_scale = p->cfg_scale,
    };
    d.model_in = g_new(float, 2 * pixels);
    d.out = g_new(float, 2 * pixels);
    st = encode_prompts(m, p, d.batch, &d.context);

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
        case GS_SAMPLER_DPMPP_2M: {
            /* Multistep DPM-Solver++(2M) in log-sigma time (Lu et al. 2022). */
            if (next == 0) {
                memcpy(x, denoised, pixels * sizeof *x);
            } else {
                double h = log(sigma) - log(next);
                double ratio = next / sigma, weight = -expm1(-h);
                bool second_order = i > first;
                double r = second_order ? (log(sigmas[i - 1]) - log(sigma)) / h : 0;
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
        if (p->mask) {
            /* Keep the unmasked area on the init image's own noisy path. */
            for (size_t j = 0; j < pixels; j++) {
                float keep = 1.0f - p->mask[j % plane];
                x[j] = keep * (init[j] + noise[j] * (float)next) + (1.0f - keep) * x[j];
            }
        }
        if (p->callback) {
            to_rgb(x, next, c->in_channels, size, preview);
            if (!p->callback(i + 1, steps, preview, size, size, p->user_data))
                st = gs_fail(m->ctx, GS_ERR_CANCELLED, "cancelled after step %d of %d", i + 1, steps);
        }
    }
    if (st == GS_OK)
        to_rgb(x, 0, c->in_channels, size, rgb);

    gs_tensor_free(d.context);
    g_free(d.model_in);
    g_free(d.out);
    g_free(sigmas);
    g_free(x);
    g_free(noise);
    g_free(init);
    g_free(denoised);
    g_free(old_denoised);
    g_free(fresh);
    g_free(preview);
    return st;
}

/* ---- interim: replaced by the SD loader (issue #11) ---- */

gs_diffusion_load_params
gs_diffusion_load_default_params(void)
{
    return (gs_diffusion_load_params){ .prediction = GS_PREDICTION_AUTO };
}

gs_status
gs_diffusion_load_with_params(gs_context *ctx, const char *path, const gs_diffusion_load_params *params,
                              gs_diffusion **out)
{
    return gs_diffusion_load(ctx, path, out);
}

const gs_model_info *
gs_diffusion_info(const gs_diffusion *m)
{
    static gs_model_info info = { .family = GS_FAMILY_GENSTUDIO, .family_name = "GenStudio" };
    return &info;
}

gs_status
gs_model_probe(const char *path, gs_model_info *info, char **error)
{
    if (error)
        *error = strdup("model probing is not implemented yet");
    return GS_ERR_UNSUPPORTED;
}
