/* The architecture from tensor names and shapes, and every tensor the
 * graphs will read checked with its shape before any weight is.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "gs-sd-loader-private.h"
#include "vk/gs-vk-private.h"

#define MISSING_LISTED 5

/* ---- architecture from names and shapes -------------------------------------- */

static int64_t
dim(const gs_tensor_map *m, const char *name, int d)
{
    return gs_tensor_map_dim(m, name, d);
}

static bool
has(const gs_tensor_map *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Dim d of a formatted name, -1 when absent. */
static int64_t
dimf(const gs_tensor_map *m, int d, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int64_t
dimf(const gs_tensor_map *m, int d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *name = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return gs_tensor_map_dim(m, name, d);
}

static bool
has(const gs_tensor_map *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *name = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return gs_tensor_map_has(m, name);
}

gs_status
gs_sd_detect_unet(const gs_tensor_map *m, gs_sd_config *c, char **error)
{
    const char *conv_in = UNET "input_blocks.0.0.weight";
    if (gs_tensor_map_ndim(m, conv_in) != 4)
        return gs_set_error(error, GS_ERR_FORMAT, "no Stable Diffusion UNet found (no %s)", conv_in);
    c->model_channels = (int)dim(m, conv_in, 0);
    c->in_channels = (int)dim(m, conv_in, 1);
    /* A missing output conv is reported with the other missing tensors. */
    c->out_channels = has(m, UNET "out.2.weight") ? (int)dim(m, UNET "out.2.weight", 0)
                      : c->in_channels == 9                ? 4
                                                           : c->in_channels;
    c->num_res_blocks = 0;
    while (c->num_res_blocks < 8 && !has(m, UNET "input_blocks.%d.0.op.weight", c->num_res_blocks + 1))
        c->num_res_blocks++;
    if (c->num_res_blocks < 1 || c->num_res_blocks > 4 || c->model_channels < 1)
        return gs_set_error(error, GS_ERR_FORMAT, "the UNet's input blocks do not follow the SD layout");
    int r = c->num_res_blocks;
    c->levels = 1;
    while (c->levels < GS_SD_MAX_LEVELS && has(m, UNET "input_blocks.%d.0.op.weight", c->levels * (r + 1)))
        c->levels++;
    int context_level = -1;
    for (int l = 0; l < c->levels; l++) {
        int block = 1 + l * (r + 1);
        int64_t ch = dimf(m, 0, UNET "input_blocks.%d.0.out_layers.3.weight", block);
        if (ch < 1 || ch % c->model_channels)
            return gs_set_error(error, GS_ERR_FORMAT, "the UNet's level %d has no usable ResBlock", l);
        c->channel_mult[l] = (int)(ch / c->model_channels);
        c->attention[l] = has(m, UNET "input_blocks.%d.1.norm.weight", block);
        if (c->attention[l] && context_level < 0)
            context_level = block;
    }
    if (context_level < 0)
        return gs_set_error(error, GS_ERR_FORMAT, "the UNet has no cross-attention: not a text-to-image SD model");
    g_autofree char *proj = g_strdup_printf(UNET "input_blocks.%d.1.proj_in.weight", context_level);
    g_autofree char *to_k = g_strdup_printf(UNET "input_blocks.%d.1.transformer_blocks.0.attn2.to_k.weight", context_level);
    c->context_dim = (int)dim(m, to_k, 1);
    c->linear_proj = gs_tensor_map_ndim(m, proj) == 2;
    c->image_size = 64; /* latent side at the family's size; overwritten per request */
    c->norm_groups = 32;
    c->resnet_eps = 1e-5f;
    c->transformer_norm_eps = 1e-6f;
    c->layer_norm_eps = 1e-5f;
    return GS_OK;
}

gs_status
gs_sd_detect_text(const gs_tensor_map *m, gs_sd_config *c, char **error)
{
    const char *table = TEXT "embeddings.token_embedding.weight";
    if (gs_tensor_map_ndim(m, table) != 2)
        return gs_set_error(error, GS_ERR_FORMAT, "no CLIP text encoder found (no %s or OpenCLIP token_embedding)", table);
    c->vocab_size = (int)dim(m, table, 0);
    c->text_width = (int)dim(m, table, 1);
    c->text_tokens = (int)dim(m, TEXT "embeddings.position_embedding.weight", 0);
    c->text_layers = 0;
    while (c->text_layers < 64 && has(m, TEXT "encoder.layers.%d.layer_norm1.weight", c->text_layers))
        c->text_layers++;
    c->text_eps = 1e-5f;
    if (c->text_layers < 1 || c->text_tokens < 3 || c->text_tokens > 512)
        return gs_set_error(error, GS_ERR_FORMAT, "the text encoder has %d layers and %d positions", c->text_layers,
                    c->text_tokens);
    return GS_OK;
}

/* ---- every tensor the graphs will read, with its shape ----------------------- */

typedef struct {
    const gs_tensor_map *m;
    GPtrArray *missing;
    char *mismatch;
} checker;

/* A weight of shape (d0, d1, d2, d3) (trailing zeros = fewer dims);
 * linear-or-1×1 weights may come either way (trailing 1s ignored). */
static void
expect(checker *k, int64_t d0, int64_t d1, int64_t d2, int64_t d3, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void
expect(checker *k, int64_t d0, int64_t d1, int64_t d2, int64_t d3, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *name = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    const gs_tensor_ref *r = gs_tensor_map_find(k->m, name);
    if (!r) {
        g_ptr_array_add(k->missing, name);
        return;
    }
    int64_t want[4] = { d0, d1, d2, d3 };
    int ndim = 0;
    while (ndim < 4 && want[ndim])
        ndim++;
    int have = r->ndim;
    while (have > ndim && r->shape[have - 1] == 1)
        have--;
    bool ok = have == ndim;
    for (int d = 0; ok && d < ndim; d++)
        ok = r->shape[d] == want[d];
    if (!ok && !k->mismatch) {
        GString *got = g_string_new("[");
        for (int d = 0; d < r->ndim; d++)
            g_string_append_printf(got, "%s%lld", d ? ", " : "", (long long)r->shape[d]);
        g_string_append(got, "]");
        k->mismatch = g_strdup_printf("%s has shape %s, expected [%lld%s%.0lld%s%.0lld%s%.0lld]", name, got->str,
                                      (long long)d0, d1 ? ", " : "", (long long)d1, d2 ? ", " : "", (long long)d2,
                                      d3 ? ", " : "", (long long)d3);
        g_string_free(got, TRUE);
    }
    g_free(name);
}

static void
expect_norm(checker *k, int64_t ch, const char *prefix)
{
    expect(k, ch, 0, 0, 0, "%sweight", prefix);
    expect(k, ch, 0, 0, 0, "%sbias", prefix);
}

static void
expect_conv(checker *k, int64_t out, int64_t in, int ksize, const char *prefix)
{
    expect(k, out, in, ksize, ksize, "%sweight", prefix);
    expect(k, out, 0, 0, 0, "%sbias", prefix);
}

static void
expect_linear(checker *k, int64_t out, int64_t in, bool bias, const char *prefix)
{
    expect(k, out, in, 0, 0, "%sweight", prefix);
    if (bias)
        expect(k, out, 0, 0, 0, "%sbias", prefix);
}

static void
expect_unet_res(checker *k, const gs_sd_config *c, const char *p, int64_t in, int64_t out)
{
    char q[200];
    snprintf(q, sizeof q, "%sin_layers.0.", p), expect_norm(k, in, q);
    snprintf(q, sizeof q, "%sin_layers.2.", p), expect_conv(k, out, in, 3, q);
    snprintf(q, sizeof q, "%semb_layers.1.", p), expect_linear(k, out, 4 * c->model_channels, true, q);
    snprintf(q, sizeof q, "%sout_layers.0.", p), expect_norm(k, out, q);
    snprintf(q, sizeof q, "%sout_layers.3.", p), expect_conv(k, out, out, 3, q);
    if (in != out)
        snprintf(q, sizeof q, "%sskip_connection.", p), expect_conv(k, out, in, 1, q);
}

static void
expect_transformer(checker *k, const gs_sd_config *c, const char *p, int64_t ch)
{
    char q[200];
    snprintf(q, sizeof q, "%snorm.", p), expect_norm(k, ch, q);
    snprintf(q, sizeof q, "%sproj_in.", p), expect_linear(k, ch, ch, true, q);
    snprintf(q, sizeof q, "%sproj_out.", p), expect_linear(k, ch, ch, true, q);
    const char *norms[] = { "norm1.", "norm2.", "norm3." };
    for (int i = 0; i < 3; i++)
        snprintf(q, sizeof q, "%stransformer_blocks.0.%s", p, norms[i]), expect_norm(k, ch, q);
    for (int a = 1; a <= 2; a++) {
        int64_t kv = a == 1 ? ch : c->context_dim;
        snprintf(q, sizeof q, "%stransformer_blocks.0.attn%d.to_q.", p, a), expect_linear(k, ch, ch, false, q);
        snprintf(q, sizeof q, "%stransformer_blocks.0.attn%d.to_k.", p, a), expect_linear(k, ch, kv, false, q);
        snprintf(q, sizeof q, "%stransformer_blocks.0.attn%d.to_v.", p, a), expect_linear(k, ch, kv, false, q);
        snprintf(q, sizeof q, "%stransformer_blocks.0.attn%d.to_out.0.", p, a), expect_linear(k, ch, ch, true, q);
    }
    snprintf(q, sizeof q, "%stransformer_blocks.0.ff.net.0.proj.", p), expect_linear(k, 8 * ch, ch, true, q);
    snprintf(q, sizeof q, "%stransformer_blocks.0.ff.net.2.", p), expect_linear(k, ch, 4 * ch, true, q);
}

/* Walks the UNet as gs_unet_forward does. */
static void
expect_unet(checker *k, const gs_sd_config *c)
{
    int64_t mc = c->model_channels, skips[32];
    int nskips = 0, block = 1, r = c->num_res_blocks;
    char p[160];
    expect_linear(k, 4 * mc, mc, true, UNET "time_embed.0.");
    expect_linear(k, 4 * mc, 4 * mc, true, UNET "time_embed.2.");
    expect_conv(k, mc, c->in_channels, 3, UNET "input_blocks.0.0.");
    int64_t ch = mc;
    skips[nskips++] = ch;
    for (int l = 0; l < c->levels; l++) {
        int64_t out = mc * c->channel_mult[l];
        for (int i = 0; i < r; i++, block++) {
            snprintf(p, sizeof p, UNET "input_blocks.%d.0.", block), expect_unet_res(k, c, p, ch, out);
            ch = out;
            if (c->attention[l])
                snprintf(p, sizeof p, UNET "input_blocks.%d.1.", block), expect_transformer(k, c, p, ch);
            skips[nskips++] = ch;
        }
        if (l != c->levels - 1) {
            snprintf(p, sizeof p, UNET "input_blocks.%d.0.op.", block++), expect_conv(k, ch, ch, 3, p);
            skips[nskips++] = ch;
        }
    }
    expect_unet_res(k, c, UNET "middle_block.0.", ch, ch);
    expect_transformer(k, c, UNET "middle_block.1.", ch);
    expect_unet_res(k, c, UNET "middle_block.2.", ch, ch);
    block = 0;
    for (int l = c->levels - 1; l >= 0; l--) {
        int64_t out = mc * c->channel_mult[l];
        for (int i = 0; i <= r; i++, block++) {
            int64_t in = ch + skips[--nskips];
            snprintf(p, sizeof p, UNET "output_blocks.%d.0.", block), expect_unet_res(k, c, p, in, out);
            ch = out;
            if (c->attention[l])
                snprintf(p, sizeof p, UNET "output_blocks.%d.1.", block), expect_transformer(k, c, p, ch);
            if (l > 0 && i == r)
                snprintf(p, sizeof p, UNET "output_blocks.%d.%d.conv.", block, c->attention[l] ? 2 : 1),
                    expect_conv(k, ch, ch, 3, p);
        }
    }
    expect_norm(k, mc, UNET "out.0.");
    expect_conv(k, c->out_channels, mc, 3, UNET "out.2.");
}

static void
expect_text(checker *k, const gs_sd_config *c)
{
    int64_t w = c->text_width;
    char p[160];
    expect(k, c->text_tokens, w, 0, 0, TEXT "embeddings.position_embedding.weight");
    for (int l = 0; l < c->text_layers; l++) {
        const char *lin[] = { "self_attn.q_proj.", "self_attn.k_proj.", "self_attn.v_proj.", "self_attn.out_proj." };
        for (int i = 0; i < 4; i++)
            snprintf(p, sizeof p, TEXT "encoder.layers.%d.%s", l, lin[i]), expect_linear(k, w, w, true, p);
        snprintf(p, sizeof p, TEXT "encoder.layers.%d.layer_norm1.", l), expect_norm(k, w, p);
        snprintf(p, sizeof p, TEXT "encoder.layers.%d.layer_norm2.", l), expect_norm(k, w, p);
        snprintf(p, sizeof p, TEXT "encoder.layers.%d.mlp.fc1.", l), expect_linear(k, 4 * w, w, true, p);
        snprintf(p, sizeof p, TEXT "encoder.layers.%d.mlp.fc2.", l), expect_linear(k, w, 4 * w, true, p);
    }
    expect_norm(k, w, TEXT "final_layer_norm.");
}

static void
expect_vae_block(checker *k, const char *p, int64_t in, int64_t out)
{
    char q[200];
    snprintf(q, sizeof q, "%snorm1.", p), expect_norm(k, in, q);
    snprintf(q, sizeof q, "%sconv1.", p), expect_conv(k, out, in, 3, q);
    snprintf(q, sizeof q, "%snorm2.", p), expect_norm(k, out, q);
    snprintf(q, sizeof q, "%sconv2.", p), expect_conv(k, out, out, 3, q);
    if (in != out)
        snprintf(q, sizeof q, "%snin_shortcut.", p), expect_conv(k, out, in, 1, q);
}

static void
expect_vae_mid(checker *k, const char *coder, int64_t ch)
{
    char p[160];
    snprintf(p, sizeof p, VAE "%s.mid.block_1.", coder), expect_vae_block(k, p, ch, ch);
    snprintf(p, sizeof p, VAE "%s.mid.block_2.", coder), expect_vae_block(k, p, ch, ch);
    snprintf(p, sizeof p, VAE "%s.mid.attn_1.norm.", coder), expect_norm(k, ch, p);
    const char *proj[] = { "q.", "k.", "v.", "proj_out." };
    for (int i = 0; i < 4; i++)
        snprintf(p, sizeof p, VAE "%s.mid.attn_1.%s", coder, proj[i]), expect_linear(k, ch, ch, true, p);
}

/* The VAE's shape from its names: ch, mult and blocks per level. */
static gs_status
detect_and_expect_vae(checker *k, gs_sd_config *c, char **error)
{
    const gs_tensor_map *m = k->m;
    const char *conv_in = VAE "encoder.conv_in.weight";
    if (gs_tensor_map_ndim(m, conv_in) != 4)
        return gs_set_error(error, GS_ERR_FORMAT, "no VAE found (no %s)", conv_in);
    int64_t ch = dim(m, conv_in, 0), mult[GS_SD_MAX_LEVELS];
    int levels = 0, r = 0;
    while (levels < GS_SD_MAX_LEVELS && has(m, VAE "encoder.down.%d.block.0.conv1.weight", levels))
        levels++;
    while (r < 8 && has(m, VAE "encoder.down.0.block.%d.conv1.weight", r))
        r++;
    for (int l = 0; l < levels; l++)
        mult[l] = dimf(m, 0, VAE "encoder.down.%d.block.0.conv1.weight", l) / ch;
    c->latent_channels = has(m, VAE "post_quant_conv.weight") ? (int)dim(m, VAE "post_quant_conv.weight", 0)
                                                                : c->out_channels;
    if (levels < 1 || r < 1 || c->latent_channels != c->out_channels ||
        (c->in_channels != c->out_channels && c->in_channels != 2 * c->out_channels + 1))
        return gs_set_error(error, GS_ERR_FORMAT, "the VAE's latent has %d channels, the UNet's output %d",
                    c->latent_channels, c->out_channels);
    if (levels != 4)
        return gs_set_error(error, GS_ERR_UNSUPPORTED, "the VAE has %d levels (an image %d× its latent); SD's "
                            "have 4 (8×), the only kind GenStudio runs", levels, 1 << (levels - 1));
    int64_t z = c->latent_channels, in = ch;
    char p[160];
    expect_conv(k, ch, 3, 3, VAE "encoder.conv_in.");
    for (int l = 0; l < levels; l++) {
        for (int j = 0; j < r; j++) {
            snprintf(p, sizeof p, VAE "encoder.down.%d.block.%d.", l, j), expect_vae_block(k, p, in, ch * mult[l]);
            in = ch * mult[l];
        }
        if (l != levels - 1)
            snprintf(p, sizeof p, VAE "encoder.down.%d.downsample.conv.", l), expect_conv(k, in, in, 3, p);
    }
    expect_vae_mid(k, "encoder", in);
    expect_norm(k, in, VAE "encoder.norm_out.");
    expect_conv(k, 2 * z, in, 3, VAE "encoder.conv_out.");
    expect_conv(k, 2 * z, 2 * z, 1, VAE "quant_conv.");
    expect_conv(k, z, z, 1, VAE "post_quant_conv.");
    expect_conv(k, in, z, 3, VAE "decoder.conv_in.");
    expect_vae_mid(k, "decoder", in);
    for (int l = levels - 1; l >= 0; l--) {
        for (int j = 0; j <= r; j++) {
            snprintf(p, sizeof p, VAE "decoder.up.%d.block.%d.", l, j), expect_vae_block(k, p, in, ch * mult[l]);
            in = ch * mult[l];
        }
        if (l != 0)
            snprintf(p, sizeof p, VAE "decoder.up.%d.upsample.conv.", l), expect_conv(k, in, in, 3, p);
    }
    expect_norm(k, ch, VAE "decoder.norm_out.");
    expect_conv(k, 3, ch, 3, VAE "decoder.conv_out.");
    c->latent = true;
    c->latent_scale = 0.18215f;
    return GS_OK;
}

static gs_status
report_checks(checker *k, const char *path, char **error)
{
    if (k->missing->len) {
        GString *list = g_string_new(NULL);
        for (guint i = 0; i < k->missing->len && i < MISSING_LISTED; i++)
            g_string_append_printf(list, "%s%s", i ? ", " : "", (char *)g_ptr_array_index(k->missing, i));
        if (k->missing->len > MISSING_LISTED)
            g_string_append(list, ", …");
        gs_status st = gs_set_error(error, GS_ERR_FORMAT, "%s is missing %u tensor%s: %s", path, k->missing->len,
                            k->missing->len == 1 ? "" : "s", list->str);
        g_string_free(list, TRUE);
        return st;
    }
    if (k->mismatch)
        return gs_set_error(error, GS_ERR_FORMAT, "%s: shapes do not match the architecture: %s", path, k->mismatch);
    return GS_OK;
}

gs_status
gs_sd_check_tensors(const gs_tensor_map *m, gs_sd_config *c, const char *path, char **error)
{
    checker k = { m, g_ptr_array_new_with_free_func(g_free), NULL };
    expect_unet(&k, c);
    expect_text(&k, c);
    gs_status st = detect_and_expect_vae(&k, c, error);
    if (st == GS_OK)
        st = report_checks(&k, path, error);
    g_ptr_array_unref(k.missing);
    g_free(k.mismatch);
    return st;
}
