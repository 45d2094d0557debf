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

#define DEFAULT_OVERLAP 16
/* An image whose biggest map has at most this many floats runs whole when
 * band_elements is left at 0; bigger ones run in bands of DEFAULT_BAND_ELEMENTS. */
#define DEFAULT_WHOLE_ELEMENTS (1 << 22)
#define DEFAULT_BAND_ELEMENTS (1 << 20)

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

/* ---- exact execution in bands ---------------------------------------------- */

/* Whole-image feature maps live in host memory; each layer runs over them
 * in bands of output rows, a band reading its input rows plus the few its
 * kernel needs above and below (zeros outside the image, as the convolution
 * pads). GroupNorm statistics are taken over the whole map on the host and
 * applied as a per-channel affine, and the mid-block attention (at latent
 * resolution) runs on the whole map, so the result is the whole-image
 * result; only the device memory is bounded, by the band.
 *
 * Host memory is what is left to bound. The maps between layers are kept in
 * fp16 (the one rounding this adds; the device still computes in fp32), a
 * map is freed as soon as its last layer has read it, and a residual block's
 * output is written over its input, which the block reads last and only
 * row for row (the skip). The GroupNorm affine, SiLU, zero padding and
 * nearest upsampling of a band's input are applied on the host while
 * converting it to fp32, so that a band on the device is just its input, its
 * output and the skip. A map that would overflow fp16 makes the whole pass
 * run again with fp32 maps. */

typedef struct {
    void *v; /* uint16_t (fp16) or float */
    int c, h, w;
    bool half;
    bool borrowed; /* the caller's buffer: never freed here */
} hmap;

typedef struct {
    gs_context *ctx;
    gs_stream *s;
    gs_weights *w;
    const gs_vae_config *cfg;
    int64_t budget; /* floats per device tensor of a band */
    gs_status status;
    const gs_vae_tiling *tiling;
    int done, total;  /* layers, for progress */
    int *reported;    /* layers reported, over both attempts: progress never goes back */
    bool half_maps;   /* feature maps in fp16 */
    bool overflow;    /* a value beyond fp16's range: run again in fp32 */
    float *h2f;       /* fp16 → fp32 for all 65,536 codes */
} bands;

static bool
bands_fail(bands *b, gs_status st)
{
    if (b->status == GS_OK)
        b->status = st;
    return b->status != GS_OK;
}

static hmap
hmap_new(bands *b, int c, int h, int w)
{
    hmap m = { NULL, c, h, w, b->half_maps, false };
    if (b->status != GS_OK)
        return m;
    m.v = malloc((size_t)c * h * w * (m.half ? 2 : 4));
    if (!m.v)
        bands_fail(b, gs_fail(b->ctx, GS_ERR_OUT_OF_MEMORY, "VAE: out of host memory for a %d×%d×%d feature map", c,
                              h, w));
    return m;
}

static void
hmap_free(hmap *m)
{
    if (!m->borrowed)
        free(m->v);
    m->v = NULL;
}

static inline float
hmap_at(const bands *b, const hmap *m, size_t i)
{
    return m->half ? b->h2f[((const uint16_t *)m->v)[i]] : ((const float *)m->v)[i];
}

/* n floats from `src` into m at element `at`. */
static void
hmap_put(bands *b, hmap *m, size_t at, const float *src, size_t n)
{
    if (!m->half) {
        memcpy((float *)m->v + at, src, n * sizeof *src);
        return;
    }
    uint16_t *dst = (uint16_t *)m->v + at;
    for (size_t i = 0; i < n; i++) {
        dst[i] = gs_float_to_half(src[i]);
        if ((dst[i] & 0x7fffu) == 0x7c00u && isfinite(src[i]))
            b->overflow = true;
    }
    if (b->overflow)
        bands_fail(b, GS_ERR_FORMAT); /* run_bands starts again with fp32 maps */
}

static void
layer_done(bands *b)
{
    b->done++;
    if (b->status != GS_OK || b->done <= *b->reported)
        return;
    *b->reported = b->done;
    if (b->tiling && b->tiling->progress && !b->tiling->progress(b->done, b->total, b->tiling->user_data))
        bands_fail(b, gs_fail(b->ctx, GS_ERR_CANCELLED, "VAE: cancelled"));
}

/* GroupNorm over the whole map as scale·x + shift per channel. */
static void
group_affine(bands *b, const hmap *x, const char *p, float *scale, float *shift)
{
    if (b->status != GS_OK)
        return;
    gs_graph g;
    gs_graph_init(&g, b->ctx, b->s);
    const gs_tensor *gamma = gs_weights_vector(b->w, &g, "%sweight", p);
    const gs_tensor *beta = gs_weights_vector(b->w, &g, "%sbias", p);
    gs_graph_clear(&g);
    if (g.status != GS_OK || bands_fail(b, gs_tensor_download(gamma, scale, x->c)) ||
        bands_fail(b, gs_tensor_download(beta, shift, x->c))) {
        bands_fail(b, g.status != GS_OK ? g.status : b->status);
        return;
    }
    int cpg = x->c / b->cfg->groups;
    size_t len = (size_t)cpg * x->h * x->w;
    for (int grp = 0; grp < b->cfg->groups; grp++) {
        size_t at = (size_t)grp * len;
        double mean = 0, var = 0;
        for (size_t i = 0; i < len; i++)
            mean += hmap_at(b, x, at + i);
        mean /= (double)len;
        for (size_t i = 0; i < len; i++) {
            double d = hmap_at(b, x, at + i) - mean;
            var += d * d;
        }
        var /= (double)len;
        double inv = 1.0 / sqrt(var + b->cfg->eps);
        for (int c = grp * cpg; c < (grp + 1) * cpg; c++) {
            double sc = scale[c] * inv;
            shift[c] = (float)(shift[c] - mean * sc);
            scale[c] = (float)sc;
        }
    }
}

typedef struct {
    const char *conv; /* "<prefix>": <prefix>weight, <prefix>bias */
    int k, stride;
    int pad_top, pad_bottom, pad_left, pad_right; /* zeros around the (upsampled) input */
    bool upsample;                                /* nearest ×2 of the input first */
    const float *scale, *shift;                   /* GroupNorm as an affine, then SiLU */
    hmap *skip;                                   /* added to the output, which replaces it */
    const char *skip_conv;                        /* a 1×1 conv on skip first */
    int out_channels;                             /* the conv's first rows only when fewer */
    float *out_f32;                               /* the caller's buffer for the output, or NULL */
} conv_layer;

/* One input row of a band as the convolution sees it: the map's row (or
 * zeros above and below the image), through the affine and SiLU, upsampled,
 * with zero columns left and right. */
static void
band_row(const bands *b, const hmap *x, const conv_layer *L, int c, int y, float *dst, float *row)
{
    int up = L->upsample ? 2 : 1, wi = x->w * up;
    memset(dst, 0, (size_t)L->pad_left * sizeof *dst);
    memset(dst + L->pad_left + wi, 0, (size_t)L->pad_right * sizeof *dst);
    float *mid = dst + L->pad_left;
    if (y < 0 || y >= x->h * up) {
        memset(mid, 0, (size_t)wi * sizeof *mid);
        return;
    }
    size_t at = ((size_t)c * x->h + (size_t)(y / up)) * x->w;
    float sc = L->scale ? L->scale[c] : 1, sh = L->scale ? L->shift[c] : 0;
    float *src = up == 1 ? mid : row;
    for (int i = 0; i < x->w; i++) {
        float v = hmap_at(b, x, at + (size_t)i);
        if (L->scale) {
            v = sc * v + sh;
            v = v / (1.0f + expf(-v));
        }
        src[i] = v;
    }
    if (up == 2)
        for (int i = 0; i < wi; i++)
            mid[i] = row[i / 2];
}

/* With L->skip, the output is written over the skip map (grown first when
 * it has more channels) and the skip is consumed. */
static hmap
conv_bands(bands *b, const hmap *x, const conv_layer *L)
{
    hmap out = { NULL, 0, 0, 0, false, false };
    if (b->status != GS_OK)
        return out;
    int up = L->upsample ? 2 : 1, hi = x->h * up, wi = x->w * up;
    int ho = (hi + L->pad_top + L->pad_bottom - L->k) / L->stride + 1;
    int wo = (wi + L->pad_left + L->pad_right - L->k) / L->stride + 1;
    int wp = wi + L->pad_left + L->pad_right;
    int o = L->out_channels;
    hmap *sk = L->skip;
    if (L->out_f32) {
        out = (hmap){ L->out_f32, o, ho, wo, false, true };
    } else if (sk) {
        /* Band k writes output rows k, having read skip rows k (1×1, no
         * halo) of every channel: the skip's rows are dead by then. */
        size_t el = sk->half ? 2 : 4;
        size_t bytes = (size_t)o * ho * wo * el, have = (size_t)sk->c * sk->h * sk->w * el;
        void *v = bytes > have ? realloc(sk->v, bytes) : sk->v;
        if (!v) {
            bands_fail(b, gs_fail(b->ctx, GS_ERR_OUT_OF_MEMORY, "VAE: out of host memory for a feature map"));
            return out;
        }
        sk->v = v;
        out = (hmap){ v, o, ho, wo, sk->half, false };
    } else {
        out = hmap_new(b, o, ho, wo);
    }
    /* Output rows per band: the input band (with its halo), the output and
     * the skip each within the budget. */
    int64_t in_row = (int64_t)x->c * wp;
    int64_t out_row = (int64_t)wo * (o > (sk ? sk->c : 0) ? o : sk->c);
    int64_t rows = (b->budget / in_row - L->k) / L->stride + 1;
    if (b->budget / out_row < rows)
        rows = b->budget / out_row;
    rows = rows < 1 ? 1 : rows > ho ? ho : rows;
    int in_rows = (int)((rows - 1) * L->stride + L->k);
    float *in_band = malloc((size_t)x->c * in_rows * wp * sizeof *in_band);
    float *out_band = malloc((size_t)o * rows * wo * sizeof *out_band);
    float *skip_band = sk ? malloc((size_t)sk->c * rows * wo * sizeof *skip_band) : NULL;
    float *row = malloc((size_t)x->w * sizeof *row);
    if (!out.v || !in_band || !out_band || (sk && !skip_band) || !row) {
        bands_fail(b, gs_fail(b->ctx, GS_ERR_OUT_OF_MEMORY, "VAE: out of host memory for a band"));
        goto done;
    }

    for (int oy0 = 0; oy0 < ho && b->status == GS_OK; oy0 += (int)rows) {
        int r = ho - oy0 < rows ? ho - oy0 : (int)rows;
        int lo = oy0 * L->stride - L->pad_top, n = (r - 1) * L->stride + L->k;
        for (int c = 0; c < x->c; c++)
            for (int y = 0; y < n; y++)
                band_row(b, x, L, c, lo + y, in_band + ((size_t)c * n + y) * wp, row);
        gs_graph g;
        gs_graph_init(&g, b->ctx, b->s);
        gs_tensor *t = gs_graph_tensor(&g, 4, (int64_t[]){ 1, x->c, n, wp });
        if (t)
            gs_graph_fail(&g, gs_tensor_upload(t, in_band, (int64_t)x->c * n * wp));
        const gs_tensor *wt = gs_weights_matrix(b->w, &g, "%sweight", L->conv);
        const gs_tensor *bias = gs_weights_vector(b->w, &g, "%sbias", L->conv);
        if (wt && gs_tensor_dim(wt, 0) != o) {
            wt = gs_graph_view(&g, wt, 0, 4, (int64_t[]){ o, x->c, L->k, L->k });
            bias = gs_graph_view(&g, bias, 0, 1, (int64_t[]){ o });
        }
        gs_tensor *y = gs_graph_conv2d(&g, t, wt, bias, L->stride, 0);
        if (sk && g.status == GS_OK) {
            for (int c = 0; c < sk->c; c++) {
                size_t at = ((size_t)c * sk->h + oy0) * sk->w;
                float *dst = skip_band + (size_t)c * r * wo;
                for (size_t i = 0; i < (size_t)r * wo; i++)
                    dst[i] = hmap_at(b, sk, at + i);
            }
            gs_tensor *st = gs_graph_tensor(&g, 4, (int64_t[]){ 1, sk->c, r, wo });
            if (st)
                gs_graph_fail(&g, gs_tensor_upload(st, skip_band, (int64_t)sk->c * r * wo));
            if (L->skip_conv)
                st = gs_graph_conv2d(&g, st, gs_weights_matrix(b->w, &g, "%sweight", L->skip_conv),
                                     gs_weights_vector(b->w, &g, "%sbias", L->skip_conv), 1, 0);
            gs_graph_add_into(&g, y, st);
        }
        if (y)
            gs_graph_keep(&g, y);
        if (!bands_fail(b, gs_graph_finish(&g)) &&
            !bands_fail(b, gs_tensor_download(y, out_band, (int64_t)o * r * wo))) {
            for (int c = 0; c < o; c++)
                hmap_put(b, &out, ((size_t)c * ho + oy0) * wo, out_band + (size_t)c * r * wo, (size_t)r * wo);
        }
        gs_tensor_free(y);
    }
    layer_done(b);
done:
    free(in_band);
    free(out_band);
    free(skip_band);
    free(row);
    if (sk) {
        /* out owns the skip's buffer now; give back what it does not use. */
        size_t el = out.half ? 2 : 4;
        size_t bytes = (size_t)o * ho * wo * el, have = (size_t)sk->c * sk->h * sk->w * el;
        if (out.v != sk->v) {
            hmap_free(sk);
        } else if (bytes < have) {
            void *v = realloc(out.v, bytes);
            out.v = v ? v : out.v;
        }
        sk->v = NULL;
    }
    if (b->status != GS_OK)
        hmap_free(&out);
    return out;
}

/* 3×3, stride 1, zero padding 1; optional GroupNorm + SiLU before. */
static conv_layer
conv3(const char *conv, int out_channels, const float *scale, const float *shift)
{
    return (conv_layer){ .conv = conv, .k = 3, .stride = 1, .pad_top = 1, .pad_bottom = 1, .pad_left = 1,
                         .pad_right = 1, .scale = scale, .shift = shift, .out_channels = out_channels };
}

static hmap
res_bands(bands *b, hmap x, const char *p, int out_channels)
{
    char name[160], conv[160], skip[160];
    hmap out = { NULL, 0, 0, 0, false, false };
    int cmax = x.c > out_channels ? x.c : out_channels;
    float *scale = malloc((size_t)cmax * sizeof *scale), *shift = malloc((size_t)cmax * sizeof *shift);
    if (!scale || !shift)
        bands_fail(b, gs_fail(b->ctx, GS_ERR_OUT_OF_MEMORY, "VAE: out of host memory"));
    snprintf(name, sizeof name, "%snorm1.", p);
    group_affine(b, &x, name, scale, shift);
    snprintf(conv, sizeof conv, "%sconv1.", p);
    conv_layer first = conv3(conv, out_channels, scale, shift);
    hmap t = conv_bands(b, &x, &first);
    snprintf(name, sizeof name, "%snorm2.", p);
    group_affine(b, &t, name, scale, shift);
    snprintf(conv, sizeof conv, "%sconv2.", p);
    snprintf(skip, sizeof skip, "%snin_shortcut.", p);
    conv_layer second = conv3(conv, out_channels, scale, shift);
    second.skip = &x; /* consumed: the output takes its place */
    second.skip_conv = x.c != out_channels ? skip : NULL;
    out = conv_bands(b, &t, &second);
    hmap_free(&t);
    hmap_free(&x);
    free(scale);
    free(shift);
    return out;
}

static hmap
attn_whole(bands *b, hmap x, const char *p)
{
    size_t n = (size_t)x.c * x.h * x.w;
    float *buf = b->status == GS_OK ? malloc(n * sizeof *buf) : NULL;
    if (b->status == GS_OK && !buf)
        bands_fail(b, gs_fail(b->ctx, GS_ERR_OUT_OF_MEMORY, "VAE: out of host memory"));
    if (b->status == GS_OK) {
        for (size_t i = 0; i < n; i++)
            buf[i] = hmap_at(b, &x, i);
        gs_graph g;
        gs_graph_init(&g, b->ctx, b->s);
        vae_state state = { &g, b->w, b->cfg };
        gs_tensor *t = gs_graph_tensor(&g, 4, (int64_t[]){ 1, x.c, x.h, x.w });
        if (t)
            gs_graph_fail(&g, gs_tensor_upload(t, buf, (int64_t)n));
        gs_tensor *y = attn_block(&state, p, t);
        if (y)
            gs_graph_keep(&g, y);
        if (!bands_fail(b, gs_graph_finish(&g)) && !bands_fail(b, gs_tensor_download(y, buf, (int64_t)n)))
            hmap_put(b, &x, 0, buf, n); /* the output replaces the input */
        gs_tensor_free(y);
        layer_done(b);
    }
    free(buf);
    if (b->status != GS_OK)
        hmap_free(&x);
    return x;
}

static hmap
mid_bands(bands *b, hmap x, const char *part)
{
    char p[128];
    int top = b->cfg->ch * b->cfg->mult[b->cfg->levels - 1];
    snprintf(p, sizeof p, P "%s.mid.block_1.", part);
    x = res_bands(b, x, p, top);
    snprintf(p, sizeof p, P "%s.mid.attn_1.", part);
    x = attn_whole(b, x, p);
    snprintf(p, sizeof p, P "%s.mid.block_2.", part);
    return res_bands(b, x, p, top);
}

/* Both take ownership of their input map and write their output into `dst`. */
static void
decode_bands(bands *b, hmap z, float *dst)
{
    const gs_vae_config *c = b->cfg;
    char p[160];
    int top = c->ch * c->mult[c->levels - 1];
    conv_layer pq = { .conv = P "post_quant_conv.", .k = 1, .stride = 1, .out_channels = c->z_channels };
    hmap x = conv_bands(b, &z, &pq);
    hmap_free(&z);
    conv_layer in = conv3(P "decoder.conv_in.", top, NULL, NULL);
    hmap y = conv_bands(b, &x, &in);
    hmap_free(&x);
    x = mid_bands(b, y, "decoder");
    for (int level = c->levels - 1; level >= 0; level--) {
        for (int blk = 0; blk <= c->num_res_blocks; blk++) {
            snprintf(p, sizeof p, P "decoder.up.%d.block.%d.", level, blk);
            x = res_bands(b, x, p, c->ch * c->mult[level]);
        }
        if (level > 0) {
            snprintf(p, sizeof p, P "decoder.up.%d.upsample.conv.", level);
            conv_layer upc = conv3(p, x.c, NULL, NULL);
            upc.upsample = true;
            y = conv_bands(b, &x, &upc);
            hmap_free(&x);
            x = y;
        }
    }
    float *scale = malloc((size_t)x.c * sizeof *scale), *shift = malloc((size_t)x.c * sizeof *shift);
    if (!scale || !shift)
        bands_fail(b, gs_fail(b->ctx, GS_ERR_OUT_OF_MEMORY, "VAE: out of host memory"));
    group_affine(b, &x, P "decoder.norm_out.", scale, shift);
    conv_layer out = conv3(P "decoder.conv_out.", c->in_channels, scale, shift);
    out.out_f32 = dst;
    conv_bands(b, &x, &out);
    hmap_free(&x);
    free(scale);
    free(shift);
}

static void
encode_bands(bands *b, hmap img, float *dst)
{
    const gs_vae_config *c = b->cfg;
    char p[160];
    conv_layer in = conv3(P "encoder.conv_in.", c->ch, NULL, NULL);
    hmap x = conv_bands(b, &img, &in);
    hmap_free(&img);
    for (int level = 0; level < c->levels; level++) {
        for (int blk = 0; blk < c->num_res_blocks; blk++) {
            snprintf(p, sizeof p, P "encoder.down.%d.block.%d.", level, blk);
            x = res_bands(b, x, p, c->ch * c->mult[level]);
        }
        if (level < c->levels - 1) {
            snprintf(p, sizeof p, P "encoder.down.%d.downsample.conv.", level);
            conv_layer down = { .conv = p, .k = 3, .stride = 2, .pad_bottom = 1, .pad_right = 1, .out_channels = x.c };
            hmap y = conv_bands(b, &x, &down);
            hmap_free(&x);
            x = y;
        }
    }
    x = mid_bands(b, x, "encoder");
    float *scale = malloc((size_t)x.c * sizeof *scale), *shift = malloc((size_t)x.c * sizeof *shift);
    if (!scale || !shift)
        bands_fail(b, gs_fail(b->ctx, GS_ERR_OUT_OF_MEMORY, "VAE: out of host memory"));
    group_affine(b, &x, P "encoder.norm_out.", scale, shift);
    conv_layer out = conv3(P "encoder.conv_out.", 2 * c->z_channels, scale, shift);
    hmap y = conv_bands(b, &x, &out);
    hmap_free(&x);
    free(scale);
    free(shift);
    /* quant_conv's first z output rows: the mean. */
    conv_layer mean = { .conv = P "quant_conv.", .k = 1, .stride = 1, .out_channels = c->z_channels, .out_f32 = dst };
    conv_bands(b, &y, &mean);
    hmap_free(&y);
}

/* Layers conv_bands and attn_whole run, for progress. */
static int
decode_layers(const gs_vae_config *c)
{
    return 2 + 5 + 2 * c->levels * (c->num_res_blocks + 1) + (c->levels - 1) + 1;
}

static int
encode_layers(const gs_vae_config *c)
{
    return 1 + 2 * c->levels * c->num_res_blocks + (c->levels - 1) + 5 + 2;
}

/* Floats in the biggest feature map of a pass over an image of `pixels`
 * (full resolution): level l has pixels/4^l and up to the channels of
 * levels l and l+1 (the decoder upsamples level l+1's into l's size). */
static int64_t
largest_map(const gs_vae_config *c, int64_t pixels)
{
    int64_t most = 0;
    for (int l = 0; l < c->levels; l++) {
        int m = c->mult[l];
        if (l + 1 < c->levels && c->mult[l + 1] > m)
            m = c->mult[l + 1];
        int64_t n = (int64_t)c->ch * m * (pixels >> (2 * l));
        most = n > most ? n : most;
    }
    return most;
}

static gs_status
check_tiling(gs_context *ctx, const gs_vae_tiling *tiling)
{
    if (tiling && tiling->tile > 0) {
        int overlap = tiling->overlap > 0 ? tiling->overlap : DEFAULT_OVERLAP;
        if (tiling->tile < 8 || overlap < 4 || 2 * overlap > tiling->tile)
            return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT,
                           "VAE tiling: tiles of %d latent pixels need an overlap of 4 to %d (got %d)", tiling->tile,
                           tiling->tile / 2, overlap);
    }
    if (tiling && tiling->band_elements < 0)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "VAE tiling: negative band size");
    return GS_OK;
}

static gs_status
run_bands(gs_context *ctx, gs_weights *w, const gs_vae_config *cfg, bool decode, const float *src, int c, int h,
          int width, const gs_vae_tiling *tiling, float *dst)
{
    gs_status st = GS_OK;
    float *h2f = malloc(65536 * sizeof *h2f);
    gs_stream *s = gs_stream_new(ctx);
    if (!h2f || !s) {
        st = s ? gs_fail(ctx, GS_ERR_OUT_OF_MEMORY, "VAE: out of host memory") : GS_ERR_VULKAN;
        goto done;
    }
    for (uint32_t i = 0; i < 65536; i++)
        h2f[i] = gs_half_to_float((uint16_t)i);
    int reported = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        bands b = { .ctx = ctx, .s = s, .w = w, .cfg = cfg, .tiling = tiling, .h2f = h2f, .reported = &reported };
        b.budget = tiling && tiling->band_elements > 0 ? tiling->band_elements : DEFAULT_BAND_ELEMENTS;
        b.total = decode ? decode_layers(cfg) : encode_layers(cfg);
        b.half_maps = attempt == 0 && !(tiling && tiling->fp32_maps);
        /* The input is read where it is. */
        hmap in = { (void *)src, c, h, width, false, true };
        if (decode)
            decode_bands(&b, in, dst);
        else
            encode_bands(&b, in, dst);
        st = b.status;
        if (!b.overflow)
            break;
    }
done:
    if (s)
        gs_stream_free(s);
    free(h2f);
    return st;
}

gs_status
gs_vae_decode_tiled(gs_context *ctx, gs_weights *w, const gs_vae_config *cfg, const float *z, int h, int width,
                    const gs_vae_tiling *tiling, float *rgb)
{
    gs_status st = check_tiling(ctx, tiling);
    if (st != GS_OK)
        return st;
    if (!cfg->has_decoder)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "the model's VAE has no decoder");
    if (h < 1 || width < 1)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "VAE decode: empty latent");
    int f = gs_vae_factor(cfg);
    if (tiling && tiling->tile > 0)
        return run_tiled(ctx, w, cfg, gs_vae_decode, z, cfg->z_channels, h, width, cfg->in_channels, f, 1,
                         tiling->tile, tiling->overlap > 0 ? tiling->overlap : DEFAULT_OVERLAP, 1, tiling, rgb);
    int64_t budget = tiling && tiling->band_elements > 0 ? tiling->band_elements : DEFAULT_WHOLE_ELEMENTS;
    if (largest_map(cfg, (int64_t)h * width * f * f) <= budget)
        return run_tiled(ctx, w, cfg, gs_vae_decode, z, cfg->z_channels, h, width, cfg->in_channels, f, 1,
                         h > width ? h : width, 4, 1, tiling, rgb);
    return run_bands(ctx, w, cfg, true, z, cfg->z_channels, h, width, tiling, rgb);
}

gs_status
gs_vae_encode_tiled(gs_context *ctx, gs_weights *w, const gs_vae_config *cfg, const float *rgb, int height, int width,
                    const gs_vae_tiling *tiling, float *mean)
{
    gs_status st = check_tiling(ctx, tiling);
    if (st != GS_OK)
        return st;
    if (!cfg->has_encoder)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "the model's VAE has no encoder");
    int f = gs_vae_factor(cfg);
    if (height < f || width < f || height % f || width % f)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "VAE encode: %d×%d is not a multiple of %d", width, height, f);
    /* Tiles in image pixels, origins on the latent grid. */
    if (tiling && tiling->tile > 0)
        return run_tiled(ctx, w, cfg, gs_vae_encode, rgb, cfg->in_channels, height, width, cfg->z_channels, 1, f,
                         tiling->tile * f, (tiling->overlap > 0 ? tiling->overlap : DEFAULT_OVERLAP) * f, f, tiling,
                         mean);
    int64_t budget = tiling && tiling->band_elements > 0 ? tiling->band_elements : DEFAULT_WHOLE_ELEMENTS;
    if (largest_map(cfg, (int64_t)height * width) <= budget)
        return run_tiled(ctx, w, cfg, gs_vae_encode, rgb, cfg->in_channels, height, width, cfg->z_channels, 1, f,
                         height > width ? height : width, 4 * f, f, tiling, mean);
    return run_bands(ctx, w, cfg, false, rgb, cfg->in_channels, height, width, tiling, mean);
}
