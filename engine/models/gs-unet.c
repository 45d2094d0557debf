/* The UNet of Stable Diffusion 1.x and 2.x (ldm's openaimodel layout and names):
 * ResBlocks with timestep injection, spatial transformers with self- and
 * cross-attention and a GEGLU feed-forward, skips concatenated on the way up.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>

#include "gs-sd-model.h"

#define MAX_SKIPS 32

typedef struct {
    gs_graph *g;
    gs_weights *w;
    const gs_sd_config *cfg;
    gs_tensor *emb_silu; /* SiLU(time embedding), shared by every ResBlock */
    const gs_tensor *context;
} unet_state;

#define CONV(...) gs_weights_conv(u->w, u->g, __VA_ARGS__)
#define LIN(...) gs_weights_linear(u->w, u->g, __VA_ARGS__)
#define VEC(...) gs_weights_vector(u->w, u->g, __VA_ARGS__)

static gs_tensor *
res_block(unet_state *u, const char *p, gs_tensor *x, int out_channels)
{
    gs_graph *g = u->g;
    const gs_sd_config *c = u->cfg;
    /* The timestep embedding, added per image and channel after the first conv. */
    gs_tensor *e = gs_graph_linear(g, u->emb_silu, LIN("%semb_layers.1.weight", p), VEC("%semb_layers.1.bias", p));
    gs_tensor *h = gs_graph_group_norm_conv2d(g, x, VEC("%sin_layers.0.weight", p), VEC("%sin_layers.0.bias", p),
                                              c->norm_groups, c->resnet_eps, true, CONV("%sin_layers.2.weight", p),
                                              VEC("%sin_layers.2.bias", p), e, 1);
    h = gs_graph_group_norm_conv2d(g, h, VEC("%sout_layers.0.weight", p), VEC("%sout_layers.0.bias", p),
                                   c->norm_groups, c->resnet_eps, true, CONV("%sout_layers.3.weight", p),
                                   VEC("%sout_layers.3.bias", p), NULL, 1);
    if (x && gs_tensor_dim(x, 1) != out_channels)
        x = gs_graph_conv2d(g, x, CONV("%sskip_connection.weight", p), VEC("%sskip_connection.bias", p), 1, 0);
    gs_graph_add_into(g, h, x);
    return h;
}

static gs_tensor *
attention(unet_state *u, const char *p, const gs_tensor *x, const gs_tensor *context, int heads)
{
    gs_graph *g = u->g;
    gs_tensor *q = gs_graph_linear(g, x, LIN("%sto_q.weight", p), NULL);
    gs_tensor *k = gs_graph_linear(g, context, LIN("%sto_k.weight", p), NULL);
    gs_tensor *v = gs_graph_linear(g, context, LIN("%sto_v.weight", p), NULL);
    gs_tensor *a = gs_graph_attention(g, q, k, v, heads, false);
    return gs_graph_linear(g, a, LIN("%sto_out.0.weight", p), VEC("%sto_out.0.bias", p));
}

/* proj_in/proj_out: a 1×1 conv on NCHW (SD 1) or a Linear on tokens (SD 2);
 * either way tokens [n, hw, ch] come out. */
static gs_tensor *
project_in(unet_state *u, const char *p, gs_tensor *h)
{
    gs_graph *g = u->g;
    int64_t n = gs_tensor_dim(h, 0), ch = gs_tensor_dim(h, 1), hw = gs_tensor_dim(h, 2) * gs_tensor_dim(h, 3);
    int64_t planar[3] = { n, ch, hw };
    if (u->cfg->linear_proj)
        return gs_graph_linear(g, gs_graph_transpose(g, gs_graph_reshape(g, h, 3, planar)),
                               LIN("%sproj_in.weight", p), VEC("%sproj_in.bias", p));
    h = gs_graph_conv2d(g, h, CONV("%sproj_in.weight", p), VEC("%sproj_in.bias", p), 1, 0);
    return gs_graph_transpose(g, gs_graph_reshape(g, h, 3, planar));
}

static gs_tensor *
project_out(unet_state *u, const char *p, gs_tensor *tokens, const int64_t spatial[4])
{
    gs_graph *g = u->g;
    if (u->cfg->linear_proj) {
        tokens = gs_graph_linear(g, tokens, LIN("%sproj_out.weight", p), VEC("%sproj_out.bias", p));
        return gs_graph_reshape(g, gs_graph_transpose(g, tokens), 4, spatial);
    }
    gs_tensor *h = gs_graph_reshape(g, gs_graph_transpose(g, tokens), 4, spatial);
    return gs_graph_conv2d(g, h, CONV("%sproj_out.weight", p), VEC("%sproj_out.bias", p), 1, 0);
}

static gs_tensor *
spatial_transformer(unet_state *u, const char *p, gs_tensor *x, int heads)
{
    gs_graph *g = u->g;
    const gs_sd_config *c = u->cfg;
    if (!x)
        return NULL;
    int64_t n = gs_tensor_dim(x, 0), ch = gs_tensor_dim(x, 1), hgt = gs_tensor_dim(x, 2), wid = gs_tensor_dim(x, 3);
    char q[256];

    gs_tensor *h = gs_graph_group_norm(g, x, VEC("%snorm.weight", p), VEC("%snorm.bias", p), c->norm_groups,
                                       c->transformer_norm_eps, false);
    gs_tensor *tokens = project_in(u, p, h); /* [n, hw, ch] */

    snprintf(q, sizeof q, "%stransformer_blocks.0.", p);
    gs_tensor *t = gs_graph_layer_norm(g, tokens, VEC("%snorm1.weight", q), VEC("%snorm1.bias", q),
                                       c->layer_norm_eps);
    char attn[300];
    snprintf(attn, sizeof attn, "%sattn1.", q);
    gs_graph_add_into(g, tokens, attention(u, attn, t, t, heads));
    t = gs_graph_layer_norm(g, tokens, VEC("%snorm2.weight", q), VEC("%snorm2.bias", q), c->layer_norm_eps);
    snprintf(attn, sizeof attn, "%sattn2.", q);
    gs_graph_add_into(g, tokens, attention(u, attn, t, u->context, heads));
    t = gs_graph_layer_norm(g, tokens, VEC("%snorm3.weight", q), VEC("%snorm3.bias", q), c->layer_norm_eps);
    t = gs_graph_linear(g, t, LIN("%sff.net.0.proj.weight", q), VEC("%sff.net.0.proj.bias", q));
    t = gs_graph_geglu(g, t);
    gs_graph_add_into(g, tokens, gs_graph_linear(g, t, LIN("%sff.net.2.weight", q), VEC("%sff.net.2.bias", q)));

    int64_t spatial[4] = { n, ch, hgt, wid };
    h = project_out(u, p, tokens, spatial);
    gs_graph_add_into(g, h, x);
    return h;
}

gs_tensor *
gs_unet_forward(gs_graph *g, gs_weights *w, const gs_sd_config *c, const gs_tensor *x_in, const gs_tensor *t,
                const gs_tensor *context)
{
    unet_state state = { g, w, c, NULL, context }, *u = &state;
    char p[128];

    gs_tensor *emb = gs_graph_timestep_embedding(g, t, c->model_channels);
    emb = gs_graph_linear(g, emb, LIN(GS_UNET_PREFIX "time_embed.0.weight"), VEC(GS_UNET_PREFIX "time_embed.0.bias"));
    emb = gs_graph_silu(g, emb);
    emb = gs_graph_linear(g, emb, LIN(GS_UNET_PREFIX "time_embed.2.weight"), VEC(GS_UNET_PREFIX "time_embed.2.bias"));
    u->emb_silu = gs_graph_silu(g, emb);

    gs_tensor *skips[MAX_SKIPS];
    int nskips = 0, block = 0;
    gs_tensor *h = gs_graph_conv2d(g, x_in, CONV(GS_UNET_PREFIX "input_blocks.0.0.weight"),
                                   VEC(GS_UNET_PREFIX "input_blocks.0.0.bias"), 1, 1);
    skips[nskips++] = h;
    block = 1;
    for (int level = 0; level < c->levels; level++) {
        int ch = c->model_channels * c->channel_mult[level];
        for (int r = 0; r < c->num_res_blocks; r++, block++) {
            snprintf(p, sizeof p, GS_UNET_PREFIX "input_blocks.%d.0.", block);
            h = res_block(u, p, h, ch);
            if (c->attention[level]) {
                snprintf(p, sizeof p, GS_UNET_PREFIX "input_blocks.%d.1.", block);
                h = spatial_transformer(u, p, h, c->heads[level]);
            }
            skips[nskips++] = h;
        }
        if (level != c->levels - 1) {
            snprintf(p, sizeof p, GS_UNET_PREFIX "input_blocks.%d.0.op.", block++);
            h = gs_graph_conv2d(g, h, CONV("%sweight", p), VEC("%sbias", p), 2, 1);
            skips[nskips++] = h;
        }
    }

    int top = c->model_channels * c->channel_mult[c->levels - 1];
    h = res_block(u, GS_UNET_PREFIX "middle_block.0.", h, top);
    h = spatial_transformer(u, GS_UNET_PREFIX "middle_block.1.", h, c->heads[c->levels - 1]);
    h = res_block(u, GS_UNET_PREFIX "middle_block.2.", h, top);

    block = 0;
    for (int level = c->levels - 1; level >= 0; level--) {
        int ch = c->model_channels * c->channel_mult[level];
        for (int r = 0; r <= c->num_res_blocks; r++, block++) {
            h = gs_graph_concat(g, h, skips[--nskips], 1);
            snprintf(p, sizeof p, GS_UNET_PREFIX "output_blocks.%d.0.", block);
            h = res_block(u, p, h, ch);
            int sub = 1;
            if (c->attention[level]) {
                snprintf(p, sizeof p, GS_UNET_PREFIX "output_blocks.%d.1.", block);
                h = spatial_transformer(u, p, h, c->heads[level]);
                sub = 2;
            }
            if (level > 0 && r == c->num_res_blocks) {
                snprintf(p, sizeof p, GS_UNET_PREFIX "output_blocks.%d.%d.conv.", block, sub);
                h = gs_graph_conv2d(g, gs_graph_upsample2x(g, h), CONV("%sweight", p), VEC("%sbias", p), 1, 1);
            }
        }
    }
    return gs_graph_group_norm_conv2d(g, h, VEC(GS_UNET_PREFIX "out.0.weight"), VEC(GS_UNET_PREFIX "out.0.bias"),
                                      c->norm_groups, c->resnet_eps, true, CONV(GS_UNET_PREFIX "out.2.weight"),
                                      VEC(GS_UNET_PREFIX "out.2.bias"), NULL, 1);
}
