/* Text → image: prompt → tokens → text encoder → sampler loop over UNet
 * calls (both classifier-free-guidance branches in one batch, one submit per
 * step) → RGB (through the VAE for latent models). The sampler arithmetic runs on the host: a few vector ops on
 * a small image per step, next to the UNet's hundreds of millions of FLOPs.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "gs-diffusion-private.h"
#include "vk/gs-vk-private.h"


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
    [GS_SAMPLER_LCM] = { "lcm", "LCM" },
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
        [GS_SAMPLER_LCM] = "LCM Karras",
    };
    return karras_names[sampler];
}

gs_diffusion_load_params
gs_diffusion_load_default_params(void)
{
    return (gs_diffusion_load_params){ .prediction = GS_PREDICTION_AUTO };
}

gs_status
gs_model_probe(const char *path, gs_model_info *info, char **error)
{
    gs_sd_source src;
    gs_status st = gs_sd_source_open(path, GS_PREDICTION_AUTO, &src, error);
    if (st == GS_OK) {
        *info = src.info;
        gs_sd_source_clear(&src);
    }
    return st;
}

static gs_status
load_tokenizer(gs_diffusion *m, const char *path, const gs_diffusion_load_params *params)
{
    const gs_sd_config *c = m->cfg;
    if (!c->bpe) {
        m->words = gs_tokenizer_new(gs_tensor_map_metadata(m->src.map, "genstudio.vocab"));
        if (!m->words || gs_tokenizer_vocab_size(m->words) != c->vocab_size)
            return gs_fail(m->ctx, GS_ERR_FORMAT, "%s: its genstudio.vocab does not hold %d words", path, c->vocab_size);
        return GS_OK;
    }
    const char *dir = m->src.tokenizer_dir ? m->src.tokenizer_dir : params->tokenizer_dir;
    if (!dir)
        return gs_fail(m->ctx, GS_ERR_FORMAT,
                       "%s needs the CLIP tokenizer files, which single-file checkpoints do not include: add them "
                       "with \"Add tokenizer files…\" (genstudio-cli models add-tokenizer PATH) from any diffusers "
                       "SD folder (its tokenizer/) or CLIP's bpe_simple_vocab_16e6.txt.gz", path);
    char *error = NULL;
    gs_status st = gs_clip_tokenizer_load(dir, &m->bpe, &error);
    if (st != GS_OK) {
        gs_fail(m->ctx, st, "the CLIP tokenizer files in %s cannot be used: %s", dir, error ? error : "");
        free(error);
        return st;
    }
    if (gs_clip_tokenizer_vocab_size(m->bpe) != c->vocab_size)
        return gs_fail(m->ctx, GS_ERR_FORMAT, "the tokenizer in %s has %d tokens, the model's text encoder %d", dir,
                       gs_clip_tokenizer_vocab_size(m->bpe), c->vocab_size);
    m->pad_id = c->pad_id >= 0 ? c->pad_id : gs_clip_tokenizer_eos(m->bpe);
    return GS_OK;
}

typedef struct {
    const gs_diffusion_load_params *params;
    uint64_t total, done;
} load_progress;

static bool
on_upload(uint64_t bytes, void *user_data)
{
    load_progress *p = user_data;
    p->done += bytes;
    return !p->params->progress || p->params->progress(p->total ? fmin(1.0, (double)p->done / p->total) : 1.0,
                                                       p->params->user_data);
}

/* Uploads every weight by running each part once at its smallest size, so
 * a load reports progress, can be cancelled, and fails here rather than in
 * the first generation. */
static gs_status
warm_up(gs_diffusion *m, const gs_diffusion_load_params *params)
{
    load_progress progress = { params, m->src.info.size_bytes, 0 };
    gs_weights_set_upload_callback(m->weights, on_upload, &progress);
    const char *empty[1] = { "" };
    gs_tensor *context = NULL;
    gs_status st = gs_diffusion_encode_prompts(m, empty, 1, 0, &context);
    const gs_sd_config *c = m->cfg;
    int side = 1 << (c->levels - 1);
    size_t n = (size_t)c->in_channels * side * side;
    float *x = g_new0(float, n), *out = g_new0(float, n), t = 500;
    if (st == GS_OK)
        st = gs_diffusion_unet(m, x, &t, 1, c->in_channels, side, side, context, out);
    if (st == GS_OK && c->latent) {
        float rgb[8 * 8 * 3];
        st = gs_diffusion_decode(m, x, 1, 1, rgb);
    }
    gs_tensor_free(context);
    g_free(x);
    g_free(out);
    gs_weights_set_upload_callback(m->weights, NULL, NULL);
    if (st == GS_ERR_CANCELLED || (params->progress && progress.total && !params->progress(1.0, params->user_data)))
        return gs_fail(m->ctx, GS_ERR_CANCELLED, "loading cancelled");
    return st;
}

gs_status
gs_diffusion_load_with_params(gs_context *ctx, const char *path, const gs_diffusion_load_params *params,
                              gs_diffusion **out)
{
    *out = NULL;
    gs_diffusion_load_params defaults = gs_diffusion_load_default_params();
    if (!params)
        params = &defaults;
    gs_diffusion *m = g_new0(gs_diffusion, 1);
    m->ctx = ctx;
    m->cfg = &m->src.cfg;
    char *error = NULL;
    gs_status st = gs_sd_source_open(path, params->prediction, &m->src, &error);
    if (st != GS_OK) {
        gs_fail(ctx, st, "%s", error ? error : "cannot open the model");
        free(error);
        g_free(m);
        return st;
    }
    st = load_tokenizer(m, path, params);
    if (st == GS_OK) {
        m->weights = gs_weights_new_mapped(ctx, m->src.map);
        m->stream = gs_stream_new(ctx);
        if (!m->stream)
            st = gs_last_status(ctx);
        gs_schedule_init(&m->schedule, m->cfg->train_timesteps, m->cfg->beta_start, m->cfg->beta_end,
                         m->cfg->scaled_linear);
    }
    if (st == GS_OK && m->cfg->latent)
        st = gs_vae_config_from_weights(ctx, m->weights, &m->src.cfg.vae);
    if (st == GS_OK && m->cfg->latent)
        st = warm_up(m, params);
    if (st != GS_OK) {
        gs_diffusion_free(m);
        return st;
    }
    *out = m;
    return GS_OK;
}

gs_status
gs_diffusion_load(gs_context *ctx, const char *path, gs_diffusion **out)
{
    return gs_diffusion_load_with_params(ctx, path, NULL, out);
}

void
gs_diffusion_free(gs_diffusion *m)
{
    if (!m)
        return;
    gs_stream_free(m->stream);
    gs_weights_free(m->weights);
    gs_tokenizer_free(m->words);
    gs_clip_tokenizer_free(m->bpe);
    gs_sd_source_clear(&m->src);
    g_free(m);
}

const gs_model_info *gs_diffusion_info(const gs_diffusion *m) { return &m->src.info; }
int gs_diffusion_width(const gs_diffusion *m) { return m->src.info.default_width; }
int gs_diffusion_height(const gs_diffusion *m) { return m->src.info.default_height; }
double gs_diffusion_unet_gflop(const gs_diffusion *m) { return m->unet_gflop; }

void
gs_diffusion_unet_counts(const gs_diffusion *m, int *dispatches, int *barriers)
{
    *dispatches = m->unet_dispatches;
    *barriers = m->unet_barriers;
}

gs_status
gs_diffusion_unet(gs_diffusion *m, const float *x, const float *t, int batch, int channels, int h, int w,
                  const gs_tensor *context, float *out)
{
    const gs_sd_config *c = m->cfg;
    gs_graph g;
    gs_graph_init(&g, m->ctx, m->stream);
    int64_t xshape[4] = { batch, channels, h, w }, tshape[1] = { batch };
    gs_tensor *result = NULL;
    while (gs_graph_pass(&g)) {
        gs_tensor *xt = gs_graph_tensor(&g, 4, xshape);
        gs_tensor *tt = gs_graph_tensor(&g, 1, tshape);
        if (xt && tt) {
            gs_graph_fail(&g, gs_tensor_upload(xt, x, (int64_t)batch * channels * h * w));
            gs_graph_fail(&g, gs_tensor_upload(tt, t, batch));
        }
        result = gs_unet_forward(&g, m->weights, c, xt, tt, context);
        if (result)
            gs_graph_keep(&g, result);
    }
    double flops = g.flops;
    int dispatches, barriers;
    gs_stream_stats(m->stream, &dispatches, &barriers);
    gs_status st = gs_graph_finish(&g);
    if (st == GS_OK)
        st = gs_tensor_download(result, out, (int64_t)batch * c->out_channels * h * w);
    gs_tensor_free(result);
    if (st == GS_OK) {
        m->unet_gflop = flops / batch * 1e-9;
        m->unet_dispatches = dispatches;
        m->unet_barriers = barriers;
    }
    return st;
}
