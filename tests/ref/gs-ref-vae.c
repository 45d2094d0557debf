/* The ldm AutoencoderKL composed from the reference ops, straight from the
 * layer definitions (ResnetBlock, AttnBlock, Downsample with a (0,1,0,1)
 * pad, Upsample nearest ×2 + conv), batch 1.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gs-ref.h"

typedef struct {
    const ref_vae_shape *cfg;
    ref_weight_fn get;
    void *user;
} ref_vae;

/* A feature map: c × h × w floats. */
typedef struct {
    float *v;
    int64_t c, h, w;
} fmap;

static fmap
fmap_new(int64_t c, int64_t h, int64_t w)
{
    fmap m = { calloc((size_t)(c * h * w), sizeof(float)), c, h, w };
    return m;
}

static const float *
weight(const ref_vae *r, const char *prefix, const char *name)
{
    char full[256];
    snprintf(full, sizeof full, "%s%s", prefix, name);
    const float *w = r->get(r->user, full);
    if (!w) {
        fprintf(stderr, "reference VAE: no weight %s\n", full);
        exit(1);
    }
    return w;
}

static fmap
conv(const ref_vae *r, fmap x, const char *p, int64_t o, int k, int stride, int pad)
{
    int64_t ho = (x.h + 2 * pad - k) / stride + 1, wo = (x.w + 2 * pad - k) / stride + 1;
    fmap y = fmap_new(o, ho, wo);
    ref_conv2d(y.v, x.v, weight(r, p, "weight"), weight(r, p, "bias"), 1, x.c, x.h, x.w, o, k, stride, pad);
    return y;
}

static fmap
norm(const ref_vae *r, fmap x, const char *p, int silu)
{
    fmap y = fmap_new(x.c, x.h, x.w);
    ref_group_norm(y.v, x.v, weight(r, p, "weight"), weight(r, p, "bias"), 1, x.c, x.h * x.w, r->cfg->groups,
                   r->cfg->eps, silu);
    return y;
}

static fmap
resnet(const ref_vae *r, fmap x, const char *p, int64_t out)
{
    char q[320];
    snprintf(q, sizeof q, "%snorm1.", p);
    fmap a = norm(r, x, q, 1);
    snprintf(q, sizeof q, "%sconv1.", p);
    fmap b = conv(r, a, q, out, 3, 1, 1);
    free(a.v);
    snprintf(q, sizeof q, "%snorm2.", p);
    a = norm(r, b, q, 1);
    free(b.v);
    snprintf(q, sizeof q, "%sconv2.", p);
    b = conv(r, a, q, out, 3, 1, 1);
    free(a.v);
    fmap skip = x;
    if (x.c != out) {
        snprintf(q, sizeof q, "%snin_shortcut.", p);
        skip = conv(r, x, q, out, 1, 1, 0);
    }
    for (int64_t i = 0; i < out * x.h * x.w; i++)
        b.v[i] += skip.v[i];
    if (skip.v != x.v)
        free(skip.v);
    free(x.v);
    return b;
}

/* q, k, v, proj_out are 1×1 convolutions in ldm: on token-major rows they
 * are x·Wᵀ + b with W [C, C]. */
static fmap
attention(const ref_vae *r, fmap x, const char *p)
{
    char q[320];
    int64_t c = x.c, n = x.h * x.w;
    snprintf(q, sizeof q, "%snorm.", p);
    fmap h = norm(r, x, q, 0);
    float *tokens = malloc((size_t)(n * c) * sizeof *tokens), *proj[3], *o = malloc((size_t)(n * c) * sizeof *o);
    ref_transpose(tokens, h.v, 1, c, n);
    const char *names[3] = { "q.", "k.", "v." };
    for (int i = 0; i < 3; i++) {
        proj[i] = malloc((size_t)(n * c) * sizeof *proj[i]);
        snprintf(q, sizeof q, "%s%s", p, names[i]);
        ref_matmul(proj[i], tokens, weight(r, q, "weight"), weight(r, q, "bias"), n, c, c, 1);
    }
    ref_attention(o, proj[0], proj[1], proj[2], 1, n, n, 1, c, 0);
    snprintf(q, sizeof q, "%sproj_out.", p);
    ref_matmul(tokens, o, weight(r, q, "weight"), weight(r, q, "bias"), n, c, c, 1);
    ref_transpose(h.v, tokens, 1, n, c);
    for (int64_t i = 0; i < n * c; i++)
        x.v[i] += h.v[i];
    for (int i = 0; i < 3; i++)
        free(proj[i]);
    free(tokens);
    free(o);
    free(h.v);
    return x;
}

static fmap
mid(const ref_vae *r, fmap x, const char *part)
{
    char p[256];
    int64_t top = (int64_t)r->cfg->ch * r->cfg->mult[r->cfg->levels - 1];
    snprintf(p, sizeof p, "%s%s.mid.block_1.", r->cfg->prefix, part);
    x = resnet(r, x, p, top);
    snprintf(p, sizeof p, "%s%s.mid.attn_1.", r->cfg->prefix, part);
    x = attention(r, x, p);
    snprintf(p, sizeof p, "%s%s.mid.block_2.", r->cfg->prefix, part);
    return resnet(r, x, p, top);
}

void
ref_vae_decode(float *rgb, const float *z, int64_t h, int64_t w, const ref_vae_shape *cfg, ref_weight_fn get,
               void *user)
{
    ref_vae r = { cfg, get, user };
    char p[256];
    fmap x = fmap_new(cfg->z_channels, h, w);
    memcpy(x.v, z, (size_t)(cfg->z_channels * h * w) * sizeof *z);
    snprintf(p, sizeof p, "%spost_quant_conv.", cfg->prefix);
    fmap y = conv(&r, x, p, cfg->z_channels, 1, 1, 0);
    free(x.v);
    snprintf(p, sizeof p, "%sdecoder.conv_in.", cfg->prefix);
    x = conv(&r, y, p, (int64_t)cfg->ch * cfg->mult[cfg->levels - 1], 3, 1, 1);
    free(y.v);
    x = mid(&r, x, "decoder");
    for (int level = cfg->levels - 1; level >= 0; level--) {
        for (int b = 0; b <= cfg->num_res_blocks; b++) {
            snprintf(p, sizeof p, "%sdecoder.up.%d.block.%d.", cfg->prefix, level, b);
            x = resnet(&r, x, p, (int64_t)cfg->ch * cfg->mult[level]);
        }
        if (level > 0) {
            y = fmap_new(x.c, 2 * x.h, 2 * x.w);
            ref_upsample2x(y.v, x.v, x.c, x.h, x.w);
            free(x.v);
            snprintf(p, sizeof p, "%sdecoder.up.%d.upsample.conv.", cfg->prefix, level);
            x = conv(&r, y, p, y.c, 3, 1, 1);
            free(y.v);
        }
    }
    snprintf(p, sizeof p, "%sdecoder.norm_out.", cfg->prefix);
    y = norm(&r, x, p, 1);
    free(x.v);
    snprintf(p, sizeof p, "%sdecoder.conv_out.", cfg->prefix);
    x = conv(&r, y, p, cfg->in_channels, 3, 1, 1);
    free(y.v);
    memcpy(rgb, x.v, (size_t)(x.c * x.h * x.w) * sizeof *rgb);
    free(x.v);
}

void
ref_vae_encode(float *mean, const float *rgb, int64_t h, int64_t w, const ref_vae_shape *cfg, ref_weight_fn get,
               void *user)
{
    ref_vae r = { cfg, get, user };
    char p[256];
    fmap x = fmap_new(cfg->in_channels, h, w);
    memcpy(x.v, rgb, (size_t)(cfg->in_channels * h * w) * sizeof *rgb);
    snprintf(p, sizeof p, "%sencoder.conv_in.", cfg->prefix);
    fmap y = conv(&r, x, p, cfg->ch, 3, 1, 1);
    free(x.v);
    x = y;
    for (int level = 0; level < cfg->levels; level++) {
        for (int b = 0; b < cfg->num_res_blocks; b++) {
            snprintf(p, sizeof p, "%sencoder.down.%d.block.%d.", cfg->prefix, level, b);
            x = resnet(&r, x, p, (int64_t)cfg->ch * cfg->mult[level]);
        }
        if (level < cfg->levels - 1) {
            y = fmap_new(x.c, x.h + 1, x.w + 1);
            ref_pad2d(y.v, x.v, x.c, x.h, x.w, 0, 1, 0, 1);
            free(x.v);
            snprintf(p, sizeof p, "%sencoder.down.%d.downsample.conv.", cfg->prefix, level);
            x = conv(&r, y, p, y.c, 3, 2, 0);
            free(y.v);
        }
    }
    x = mid(&r, x, "encoder");
    snprintf(p, sizeof p, "%sencoder.norm_out.", cfg->prefix);
    y = norm(&r, x, p, 1);
    free(x.v);
    snprintf(p, sizeof p, "%sencoder.conv_out.", cfg->prefix);
    x = conv(&r, y, p, 2 * cfg->z_channels, 3, 1, 1);
    free(y.v);
    snprintf(p, sizeof p, "%squant_conv.", cfg->prefix);
    y = conv(&r, x, p, 2 * cfg->z_channels, 1, 1, 0);
    free(x.v);
    /* The first z channels are the mean, the rest the log-variance. */
    memcpy(mean, y.v, (size_t)(cfg->z_channels * y.h * y.w) * sizeof *mean);
    free(y.v);
}
