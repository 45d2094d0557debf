/* The ldm AutoencoderKL (SD's VAE): ResnetBlocks of GroupNorm + SiLU + 3×3
 * convolutions, a single-head attention block in the middle, stride-2
 * downsampling after a right/bottom zero pad, nearest ×2 upsampling.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gs-vae.h"
#include "vk/gs-vk-private.h"

#define P GS_VAE_PREFIX

/* The mid-block attention's score rows are computed a block of queries at a
 * time so that the score buffer holds at most this many floats (16 MiB),
 * whatever the sequence: 1,024 queries at a 64×64 latent. */
#define DEFAULT_MAX_SCORES (1 << 22)

#define DEFAULT_TILE 64
#define DEFAULT_OVERLAP 16

typedef struct {
    gs_graph *g;
    gs_weights *w;
    const gs_vae_config *cfg;
} vae_state;

#define MAT(...) gs_weights_matrix(v->w, v->g, __VA_ARGS__)
#define LIN(...) gs_weights_linear(v->w, v->g, __VA_ARGS__)
#define VEC(...) gs_weights_vector(v->w, v->g, __VA_ARGS__)

/* ---- config from the weights ---------------------------------------------- */

static int64_t
dim_of(gs_weights *w, int d, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int64_t
dim_of(gs_weights *w, int d, const char *fmt, ...)
{
    char name[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    return gs_weights_dim(w, name, d);
}

/* Levels and blocks per level of the encoder's "down" or the decoder's "up". */
static void
count_blocks(gs_weights *w, const char *part, const char *levels_name, int *levels, int *blocks)
{
    *levels = 0;
    while (*levels <= GS_VAE_MAX_LEVELS &&
           gs_weights_has(w, P "%s.%s.%d.block.0.conv1.weight", part, levels_name, *levels))
        ++*levels;
    *blocks = 0;
    while (*blocks < 64 && gs_weights_has(w, P "%s.%s.0.block.%d.conv1.weight", part, levels_name, *blocks))
        ++*blocks;
}

gs_status
gs_vae_config_from_weights(gs_context *ctx, gs_weights *w, gs_vae_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->groups = 32;
    cfg->eps = 1e-6f;
    cfg->scale_factor = 0.18215f;
    cfg->has_encoder = gs_weights_has(w, P "encoder.conv_in.weight");
    cfg->has_decoder = gs_weights_has(w, P "decoder.conv_in.weight");
    if (!cfg->has_encoder && !cfg->has_decoder)
        return gs_fail(ctx, GS_ERR_FORMAT, "the model has no VAE (no " P "encoder.conv_in or decoder.conv_in)");

    int levels = 0, blocks = 0;
    int64_t widths[GS_VAE_MAX_LEVELS + 1] = { 0 };
    if (cfg->has_encoder) {
        count_blocks(w, "encoder", "down", &levels, &blocks);
        cfg->ch = (int)dim_of(w, 0, P "encoder.conv_in.weight");
        cfg->in_channels = (int)dim_of(w, 1, P "encoder.conv_in.weight");
        cfg->z_channels = (int)(dim_of(w, 0, P "encoder.conv_out.weight") / 2);
        for (int i = 0; i < levels && i < GS_VAE_MAX_LEVELS; i++)
            widths[i] = dim_of(w, 0, P "encoder.down.%d.block.0.conv2.weight", i);
        cfg->levels = levels;
        cfg->num_res_blocks = blocks;
    }
    if (cfg->has_decoder) {
        count_blocks(w, "decoder", "up", &levels, &blocks);
        int z = (int)dim_of(w, 1, P "decoder.conv_in.weight");
        int out = (int)dim_of(w, 0, P "decoder.conv_out.weight");
        if (cfg->has_encoder &&
            (levels != cfg->levels || blocks != cfg->num_res_blocks + 1 || z != cfg->z_channels ||
             out != cfg->in_channels))
            return gs_fail(ctx, GS_ERR_FORMAT,
                           "the VAE's encoder and decoder disagree (levels %d/%d, blocks %d/%d, latent %d/%d "
                           "channels, image %d/%d channels)",
                           cfg->levels, levels, cfg->num_res_blocks, blocks - 1, cfg->z_channels, z,
                           cfg->in_channels, out);
        for (int i = 0; i < levels && i < GS_VAE_MAX_LEVELS; i++) {
            int64_t width = dim_of(w, 0, P "decoder.up.%d.block.0.conv2.weight", i);
            if (cfg->has_encoder && width != widths[i])
                return gs_fail(ctx, GS_ERR_FORMAT, "the VAE's encoder and decoder disagree at level %d (%lld/%lld "
                               "channels)", i, (long long)widths[i], (long long)width);
            widths[i] = width;
        }
        if (!cfg->has_encoder) {
            /* Only ch·mult matters to the graph; without the encoder's
             * conv_in, level 0 defines ch. */
            cfg->ch = (int)widths[0];
            cfg->in_channels = out;
            cfg->z_channels = z;
            cfg->levels = levels;
            cfg->num_res_blocks = blocks - 1;
        }
    }
    if (levels > GS_VAE_MAX_LEVELS)
        return gs_fail(ctx, GS_ERR_FORMAT, "the VAE has more than %d levels", GS_VAE_MAX_LEVELS);
    if (cfg->levels < 1 || cfg->num_res_blocks < 1 || cfg->ch < 1 || cfg->z_channels < 1 || cfg->in_channels < 1)
        return gs_fail(ctx, GS_ERR_FORMAT, "the VAE's weights are incomplete (levels %d, blocks %d, %d channels, "
                       "latent %d)", cfg->levels, cfg->num_res_blocks, cfg->ch, cfg->z_channels);
    for (int i = 0; i < cfg->levels; i++) {
        if (widths[i] < 1 || widths[i] % cfg->ch || widths[i] % cfg->groups)
            return gs_fail(ctx, GS_ERR_FORMAT, "the VAE's level %d has %lld channels (base %d, %d groups)", i,
                           (long long)widths[i], cfg->ch, cfg->groups);
        cfg->mult[i] = (int)(widths[i] / cfg->ch);
    }
    return GS_OK;
}

int
gs_vae_factor(const gs_vae_config *cfg)
{
    return 1 << (cfg->levels - 1);
}

/* ---- blocks ----------------------------------------------------------------- */

static gs_tensor *
res_block(vae_state *v, const char *p, gs_tensor *x, int out_channels)
{
    gs_graph *g = v->g;
    const gs_vae_config *c = v->cfg;
    if (!x)
        return NULL;
    gs_tensor *h = gs_graph_group_norm(g, x, VEC("%snorm1.weight", p), VEC("%snorm1.bias", p), c->groups, c->eps,
                                       true);
    h = gs_graph_conv2d(g, h, MAT("%sconv1.weight", p), VEC("%sconv1.bias", p), 1, 1);
    h = gs_graph_group_norm(g, h, VEC("%snorm2.weight", p), VEC("%snorm2.bias", p), c->groups, c->eps, true);
    h = gs_graph_conv2d(g, h, MAT("%sconv2.weight", p), VEC("%sconv2.bias", p), 1, 1);
    if (gs_tensor_dim(x, 1) != out_channels)
        x = gs_graph_conv2d(g, x, MAT("%snin_shortcut.weight", p), VEC("%snin_shortcut.bias", p), 1, 0);
    gs_graph_add_into(g, h, x);
    return gs_graph_flush(g, h);
}

/* One head over all C channels, sequence H·W. The fused gs_op_attention
 * keeps a query and its output in registers (2·D floats), which at D = 512
 * would spill on GPUs and make the CPU lanes kernel's compile time explode;
 * this block runs once per decode at latent resolution and is a few percent
 * of its work, so it is composed instead: scores = q·kᵀ by the fast
 * (non-transposed) matmul against k transposed, softmax, then ·v, a block of
 * query rows at a time so the score buffer stays within max_scores. */
static gs_tensor *
attn_block(vae_state *v, const char *p, gs_tensor *x)
{
    gs_graph *g = v->g;
    const gs_vae_config *c = v->cfg;
    if (!x)
        return NULL;
    int64_t n = gs_tensor_dim(x, 0), ch = gs_tensor_dim(x, 1), hgt = gs_tensor_dim(x, 2), wid = gs_tensor_dim(x, 3);
    int64_t seq = hgt * wid;
    gs_tensor *h = gs_graph_group_norm(g, x, VEC("%snorm.weight", p), VEC("%snorm.bias", p), c->groups, c->eps,
                                       false);
    int64_t planar[3] = { n, ch, seq };
    gs_tensor *tokens = gs_graph_transpose(g, gs_graph_reshape(g, h, 3, planar)); /* [n, seq, ch] */
    gs_tensor *q = gs_graph_linear(g, tokens, LIN("%sq.weight", p), VEC("%sq.bias", p));
    gs_tensor *k = gs_graph_linear(g, tokens, LIN("%sk.weight", p), VEC("%sk.bias", p));
    gs_tensor *val = gs_graph_linear(g, tokens, LIN("%sv.weight", p), VEC("%sv.bias", p));
    q = gs_graph_scale(g, q, (float)(1.0 / sqrt((double)ch)));
    gs_tensor *kt = gs_graph_transpose(g, k); /* [n, ch, seq] */
    gs_tensor *o = gs_graph_tensor(g, 3, (int64_t[]){ n, seq, ch });

    int64_t rows = (c->max_scores > 0 ? c->max_scores : DEFAULT_MAX_SCORES) / seq;
    rows = rows < 1 ? 1 : rows > seq ? seq : rows;
    gs_tensor *scores = gs_graph_tensor(g, 2, (int64_t[]){ rows, seq });
    gs_tensor *probs = gs_graph_tensor(g, 2, (int64_t[]){ rows, seq });
    for (int64_t b = 0; b < n && g->status == GS_OK; b++) {
        gs_tensor *kt_b = gs_graph_view(g, kt, b * ch * seq, 2, (int64_t[]){ ch, seq });
        gs_tensor *v_b = gs_graph_view(g, val, b * seq * ch, 2, (int64_t[]){ seq, ch });
        for (int64_t r0 = 0; r0 < seq && g->status == GS_OK; r0 += rows) {
            int64_t r = seq - r0 < rows ? seq - r0 : rows;
            gs_tensor *q_r = gs_graph_view(g, q, (b * seq + r0) * ch, 2, (int64_t[]){ r, ch });
            gs_tensor *o_r = gs_graph_view(g, o, (b * seq + r0) * ch, 2, (int64_t[]){ r, ch });
            gs_tensor *s_r = gs_graph_view(g, scores, 0, 2, (int64_t[]){ r, seq });
            gs_tensor *p_r = gs_graph_view(g, probs, 0, 2, (int64_t[]){ r, seq });
            if (g->status != GS_OK)
                break;
            gs_graph_fail(g, gs_op_matmul(g->stream, s_r, q_r, kt_b, NULL, false));
            gs_graph_fail(g, gs_op_softmax(g->stream, p_r, s_r));
            gs_graph_fail(g, gs_op_matmul(g->stream, o_r, p_r, v_b, NULL, false));
            g->flops += 4.0 * (double)(r * seq * ch);
        }
    }
    o = gs_graph_linear(g, o, LIN("%sproj_out.weight", p), VEC("%sproj_out.bias", p));
    int64_t spatial[4] = { n, ch, hgt, wid };
    h = gs_graph_reshape(g, gs_graph_transpose(g, o), 4, spatial);
    gs_graph_add_into(g, h, x);
    return gs_graph_flush(g, h);
}

static gs_tensor *
mid_block(vae_state *v, const char *part, gs_tensor *h)
{
    char p[128];
    int top = v->cfg->ch * v->cfg->mult[v->cfg->levels - 1];
    snprintf(p, sizeof p, P "%s.mid.block_1.", part);
    h = res_block(v, p, h, top);
    snprintf(p, sizeof p, P "%s.mid.attn_1.", part);
    h = attn_block(v, p, h);
    snprintf(p, sizeof p, P "%s.mid.block_2.", part);
    return res_block(v, p, h, top);
}

gs_tensor *
gs_vae_decode(gs_graph *g, gs_weights *w, const gs_vae_config *c, const gs_tensor *z)
{
    vae_state state = { g, w, c }, *v = &state;
    char p[128];
    if (g->status != GS_OK)
        return NULL;
    if (!c->has_decoder) {
        gs_graph_fail(g, gs_fail(g->ctx, GS_ERR_INVALID_ARGUMENT, "the model's VAE has no decoder"));
        return NULL;
    }
    if (gs_tensor_ndim(z) != 4 || gs_tensor_dim(z, 1) != c->z_channels) {
        gs_graph_fail(g, gs_fail(g->ctx, GS_ERR_INVALID_ARGUMENT, "VAE decode: the latent must be [N,%d,h,w]",
                                 c->z_channels));
        return NULL;
    }
    gs_tensor *h = gs_graph_conv2d(g, z, MAT(P "post_quant_conv.weight"), VEC(P "post_quant_conv.bias"), 1, 0);
    h = gs_graph_conv2d(g, h, MAT(P "decoder.conv_in.weight"), VEC(P "decoder.conv_in.bias"), 1, 1);
    h = mid_block(v, "decoder", h);
    for (int level = c->levels - 1; level >= 0; level--) {
        for (int b = 0; b <= c->num_res_blocks; b++) {
            snprintf(p, sizeof p, P "decoder.up.%d.block.%d.", level, b);
            h = res_block(v, p, h, c->ch * c->mult[level]);
        }
        if (level > 0) {
            snprintf(p, sizeof p, P "decoder.up.%d.upsample.conv.", level);
            h = gs_graph_conv2d(g, gs_graph_upsample2x(g, h), MAT("%sweight", p), VEC("%sbias", p), 1, 1);
            h = gs_graph_flush(g, h);
        }
    }
    h = gs_graph_group_norm(g, h, VEC(P "decoder.norm_out.weight"), VEC(P "decoder.norm_out.bias"), c->groups,
                            c->eps, true);
    return gs_graph_conv2d(g, h, MAT(P "decoder.conv_out.weight"), VEC(P "decoder.conv_out.bias"), 1, 1);
}

gs_tensor *
gs_vae_encode(gs_graph *g, gs_weights *w, const gs_vae_config *c, const gs_tensor *rgb)
{
    vae_state state = { g, w, c }, *v = &state;
    char p[128];
    if (g->status != GS_OK)
        return NULL;
    int f = gs_vae_factor(c);
    if (!c->has_encoder) {
        gs_graph_fail(g, gs_fail(g->ctx, GS_ERR_INVALID_ARGUMENT, "the model's VAE has no encoder"));
        return NULL;
    }
    if (gs_tensor_ndim(rgb) != 4 || gs_tensor_dim(rgb, 1) != c->in_channels || gs_tensor_dim(rgb, 2) % f ||
        gs_tensor_dim(rgb, 3) % f) {
        gs_graph_fail(g, gs_fail(g->ctx, GS_ERR_INVALID_ARGUMENT,
                                 "VAE encode: the image must be [N,%d,H,W] with H and W multiples of %d",
                                 c->in_channels, f));
        return NULL;
    }
    gs_tensor *h = gs_graph_conv2d(g, rgb, MAT(P "encoder.conv_in.weight"), VEC(P "encoder.conv_in.bias"), 1, 1);
    for (int level = 0; level < c->levels; level++) {
        for (int b = 0; b < c->num_res_blocks; b++) {
            snprintf(p, sizeof p, P "encoder.down.%d.block.%d.", level, b);
            h = res_block(v, p, h, c->ch * c->mult[level]);
        }
        if (level < c->levels - 1) {
            /* ldm pads right and bottom by one, then a 3×3 stride-2 conv
             * without padding: output pixel i sees input 2i..2i+2. */
            snprintf(p, sizeof p, P "encoder.down.%d.downsample.conv.", level);
            h = gs_graph_conv2d(g, gs_graph_pad2d(g, h, 0, 1, 0, 1), MAT("%sweight", p), VEC("%sbias", p), 2, 0);
            h = gs_graph_flush(g, h);
        }
    }
    h = mid_block(v, "encoder", h);
    h = gs_graph_group_norm(g, h, VEC(P "encoder.norm_out.weight"), VEC(P "encoder.norm_out.bias"), c->groups,
                            c->eps, true);
    h = gs_graph_conv2d(g, h, MAT(P "encoder.conv_out.weight"), VEC(P "encoder.conv_out.bias"), 1, 1);
    /* quant_conv maps [mean; log-variance] (2z channels) 1×1 to the same;
     * only its first z output rows, the mean, are computed. */
    const gs_tensor *qw = MAT(P "quant_conv.weight"), *qb = VEC(P "quant_conv.bias");
    if (g->status != GS_OK)
        return NULL;
    int64_t z = c->z_channels;
    if (gs_tensor_dim(qw, 0) != 2 * z || gs_tensor_numel(qw) != 4 * z * z || gs_tensor_numel(qb) != 2 * z) {
        gs_graph_fail(g, gs_fail(g->ctx, GS_ERR_FORMAT, "the VAE's quant_conv must be [%lld,%lld,1,1]",
                                 (long long)(2 * z), (long long)(2 * z)));
        return NULL;
    }
    gs_tensor *mean_w = gs_graph_view(g, qw, 0, 4, (int64_t[]){ z, 2 * z, 1, 1 });
    gs_tensor *mean_b = gs_graph_view(g, qb, 0, 1, (int64_t[]){ z });
    return gs_graph_conv2d(g, h, mean_w, mean_b, 1, 0);
}

/* ---- tiles ------------------------------------------------------------------- */

/* Tile origins along an axis of `len` pixels: as few tiles of `tile` as
 * keep every overlap at least `overlap`, spread evenly, on multiples of
 * `align` (all three sizes are multiples of it). Consecutive origins are at
 * most ⌈(len − tile)/(n − 1)⌉ ≤ tile − overlap apart. */
static int
tile_origins(int len, int tile, int overlap, int align, int *origins, int max)
{
    len /= align;
    tile /= align;
    overlap /= align;
    if (len <= tile) {
        origins[0] = 0;
        return 1;
    }
    int n = (len - overlap + (tile - overlap) - 1) / (tile - overlap);
    if (n > max)
        return -1;
    for (int i = 0; i < n; i++)
        origins[i] = (int)((int64_t)i * (len - tile) / (n - 1)) * align;
    return n;
}

/* Blend weight at distance d (output pixels) from a tile edge that has a
 * neighbour: 0 over the first quarter of the overlap (the pixels a tile's
 * zero padding disturbs most), rising linearly to 1 at three quarters. Two
 * tiles overlapping by exactly `overlap` then sum to 1; wider overlaps sum
 * to more and are normalised. */
static float
ramp(int d, int overlap)
{
    float t = ((float)d + 0.5f - 0.25f * (float)overlap) / (0.5f * (float)overlap);
    return t < 0 ? 0 : t > 1 ? 1 : t;
}

static float
edge_weight(int pos, int size, bool before, bool after, int overlap)
{
    float w = 1;
    if (before)
        w = fminf(w, ramp(pos, overlap));
    if (after)
        w = fminf(w, ramp(size - 1 - pos, overlap));
    return w;
}

typedef gs_tensor *(*vae_forward)(gs_graph *, gs_weights *, const gs_vae_config *, const gs_tensor *);

/* Runs `forward` over tiles of `src` [in_c, in_h, in_w] into dst [out_c,
 * in_h·num/den, in_w·num/den]; tile and overlap in input pixels. */
static gs_status
run_tiled(gs_context *ctx, gs_weights *w, const gs_vae_config *cfg, vae_forward forward, const float *src, int in_c,
          int in_h, int in_w, int out_c, int num, int den, int tile, int overlap, int align,
          const gs_vae_tiling *tiling, float *dst)
{
    enum { MAX_TILES = 256 };
    int ys[MAX_TILES], xs[MAX_TILES];
    int tile_h = in_h < tile ? in_h : tile, tile_w = in_w < tile ? in_w : tile;
    int ny = tile_origins(in_h, tile, overlap, align, ys, MAX_TILES);
    int nx = tile_origins(in_w, tile, overlap, align, xs, MAX_TILES);
    if (ny < 0 || nx < 0)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "VAE: %d×%d needs more than %d tiles a side", in_w, in_h,
                       MAX_TILES);
    int out_h = in_h * num / den, out_w = in_w * num / den;
    int otile_h = tile_h * num / den, otile_w = tile_w * num / den, o_overlap = overlap * num / den;
    size_t out_plane = (size_t)out_h * out_w;
    float *weights = ny * nx > 1 ? calloc(out_plane, sizeof *weights) : NULL;
    float *in_tile = malloc((size_t)in_c * tile_h * tile_w * sizeof *in_tile);
    float *out_tile = malloc((size_t)out_c * otile_h * otile_w * sizeof *out_tile);
    float *wy = malloc((size_t)otile_h * sizeof *wy), *wx = malloc((size_t)otile_w * sizeof *wx);
    gs_stream *s = gs_stream_new(ctx);
    gs_status st = GS_OK;
    if ((ny * nx > 1 && !weights) || !in_tile || !out_tile || !wy || !wx || !s) {
        st = s ? gs_fail(ctx, GS_ERR_OUT_OF_MEMORY, "VAE: out of host memory for tiles") : GS_ERR_OUT_OF_MEMORY;
        goto done;
    }
    if (ny * nx > 1)
        memset(dst, 0, (size_t)out_c * out_plane * sizeof *dst);

    for (int ty = 0; ty < ny && st == GS_OK; ty++) {
        for (int tx = 0; tx < nx && st == GS_OK; tx++) {
            int y0 = ys[ty], x0 = xs[tx];
            for (int c = 0; c < in_c; c++)
                for (int y = 0; y < tile_h; y++)
                    memcpy(in_tile + ((size_t)c * tile_h + y) * tile_w,
                           src + ((size_t)c * in_h + y0 + y) * in_w + x0, (size_t)tile_w * sizeof *src);
            gs_graph g;
            gs_graph_init(&g, ctx, s);
            gs_tensor *x = gs_graph_tensor(&g, 4, (int64_t[]){ 1, in_c, tile_h, tile_w });
            if (x)
                gs_graph_fail(&g, gs_tensor_upload(x, in_tile, (int64_t)in_c * tile_h * tile_w));
            gs_tensor *y = x ? forward(&g, w, cfg, x) : NULL;
            if (y)
                gs_graph_keep(&g, y);
            st = gs_graph_finish(&g);
            if (st == GS_OK && (gs_tensor_dim(y, 1) != out_c || gs_tensor_dim(y, 2) != otile_h ||
                                gs_tensor_dim(y, 3) != otile_w))
                st = gs_fail(ctx, GS_ERR_FORMAT, "VAE: a tile came out with the wrong shape");
            if (st == GS_OK)
                st = gs_tensor_download(y, ny * nx > 1 ? out_tile : dst, (int64_t)out_c * otile_h * otile_w);
            gs_tensor_free(y);
            if (st != GS_OK || ny * nx == 1)
                break;

            int oy0 = y0 * num / den, ox0 = x0 * num / den;
            for (int y = 0; y < otile_h; y++)
                wy[y] = edge_weight(y, otile_h, ty > 0, ty < ny - 1, o_overlap);
            for (int x = 0; x < otile_w; x++)
                wx[x] = edge_weight(x, otile_w, tx > 0, tx < nx - 1, o_overlap);
            for (int y = 0; y < otile_h; y++) {
                for (int x = 0; x < otile_w; x++) {
                    float wt = wy[y] * wx[x];
                    size_t at = (size_t)(oy0 + y) * out_w + ox0 + x;
                    weights[at] += wt;
                    for (int c = 0; c < out_c; c++)
                        dst[c * out_plane + at] += wt * out_tile[((size_t)c * otile_h + y) * otile_w + x];
                }
            }
            if (tiling && tiling->progress && !tiling->progress(ty * nx + tx + 1, ny * nx, tiling->user_data))
                st = gs_fail(ctx, GS_ERR_CANCELLED, "VAE: cancelled");
        }
    }
    if (st == GS_OK && ny * nx > 1) {
        for (size_t i = 0; i < out_plane; i++) {
            float inv = weights[i] > 0 ? 1.0f / weights[i] : 0.0f;
            for (int c = 0; c < out_c; c++)
                dst[c * out_plane + i] *= inv;
        }
    }
    if (st == GS_OK && ny * nx == 1 && tiling && tiling->progress && !tiling->progress(1, 1, tiling->user_data))
        st = gs_fail(ctx, GS_ERR_CANCELLED, "VAE: cancelled");
done:
    if (s)
        gs_stream_free(s);
    free(weights);
    free(in_tile);
    free(out_tile);
    free(wy);
    free(wx);
    return st;
}

static gs_status
tiling_sizes(gs_context *ctx, const gs_vae_tiling *tiling, int *tile, int *overlap)
{
    *tile = tiling && tiling->tile > 0 ? tiling->tile : DEFAULT_TILE;
    *overlap = tiling && tiling->overlap > 0 ? tiling->overlap : DEFAULT_OVERLAP;
    if (*tile < 8 || *overlap < 4 || 2 * *overlap > *tile)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT,
                       "VAE tiling: tiles of %d latent pixels need an overlap of 4 to %d (got %d)", *tile, *tile / 2,
                       *overlap);
    return GS_OK;
}

gs_status
gs_vae_decode_tiled(gs_context *ctx, gs_weights *w, const gs_vae_config *cfg, const float *z, int h, int width,
                    const gs_vae_tiling *tiling, float *rgb)
{
    int tile, overlap;
    gs_status st = tiling_sizes(ctx, tiling, &tile, &overlap);
    if (st != GS_OK)
        return st;
    if (h < 1 || width < 1)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "VAE decode: empty latent");
    return run_tiled(ctx, w, cfg, gs_vae_decode, z, cfg->z_channels, h, width, cfg->in_channels, gs_vae_factor(cfg),
                     1, tile, overlap, 1, tiling, rgb);
}

gs_status
gs_vae_encode_tiled(gs_context *ctx, gs_weights *w, const gs_vae_config *cfg, const float *rgb, int height, int width,
                    const gs_vae_tiling *tiling, float *mean)
{
    int tile, overlap;
    gs_status st = tiling_sizes(ctx, tiling, &tile, &overlap);
    if (st != GS_OK)
        return st;
    int f = gs_vae_factor(cfg);
    if (height < f || width < f || height % f || width % f)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "VAE encode: %d×%d is not a multiple of %d", width, height, f);
    /* Tiles in image pixels, origins on the latent grid. */
    return run_tiled(ctx, w, cfg, gs_vae_encode, rgb, cfg->in_channels, height, width, cfg->z_channels, 1, f,
                     tile * f, overlap * f, f, tiling, mean);
}
