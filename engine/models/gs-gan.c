/* The conditional GAN generator (tools/gan/gan_model.py): a caption's bag
 * of words and a noise vector to an image in one forward pass.
 *
 *   c = mean of the caption's known words' embeddings   (weights · E)
 *   h = fc([z, c]) as C0×4×4, modulated
 *   per level: nearest ×2, 3×3 conv, modulated
 *   image = 3×3 conv to RGB, clamped to [−1, 1] when converted to pixels
 * where modulated(x) = relu(group_norm(x) · γ(c) + β(c)), γ and β linear
 * maps of c (the exported γ bias holds the training code's 1 +).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/gs-json.h"
#include "models/gs-graph.h"
#include "models/gs-tokenizer.h"
#include "models/gs-weights.h"
#include "vk/gs-vk-private.h"

#define MAX_LEVELS 6
#define MAX_BATCH 64
/* Words read from a prompt; the rest are ignored (captions are a few words). */
#define MAX_WORDS 1024

struct gs_gan {
    gs_context *ctx;
    gs_safetensors *file;
    gs_weights *weights;
    gs_tokenizer *tok;
    gs_stream *stream;
    int z_dim, text_dim, groups, levels, size, vocab;
    int channels[MAX_LEVELS + 1];
    float eps;
};

int
gs_gan_size(const gs_gan *gan)
{
    return gan->size;
}

int
gs_gan_noise_dim(const gs_gan *gan)
{
    return gan->z_dim;
}

void
gs_gan_free(gs_gan *gan)
{
    if (!gan)
        return;
    gs_weights_free(gan->weights);
    gs_tokenizer_free(gan->tok);
    gs_stream_free(gan->stream);
    gs_safetensors_close(gan->file);
    free(gan);
}

bool
gs_gan_probe(const char *path)
{
    gs_safetensors *st = NULL;
    char *error = NULL;
    bool gan = gs_safetensors_open(path, &st, &error) == GS_OK && gs_safetensors_metadata(st, "genstudio.gan_config");
    gs_safetensors_close(st);
    free(error);
    return gan;
}

/* ---- loading ------------------------------------------------------------------ */

static int
config_int(JsonObject *o, const char *key, int lo, int hi)
{
    gint64 v = gs_json_integer(json_object_get_member(o, key), -1);
    return v < lo || v > hi ? -1 : (int)v;
}

static gs_status
parse_config(gs_gan *gan, const char *path, const char *text)
{
    gs_context *ctx = gan->ctx;
    JsonParser *parser = json_parser_new();
    gs_status st = GS_OK;
    JsonObject *o = NULL;
    if (json_parser_load_from_data(parser, text, -1, NULL) && json_parser_get_root(parser) &&
        JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
        o = json_node_get_object(json_parser_get_root(parser));
    JsonNode *ch = o ? json_object_get_member(o, "channels") : NULL;
    JsonArray *channels = ch && JSON_NODE_HOLDS_ARRAY(ch) ? json_node_get_array(ch) : NULL;
    JsonNode *eps = o ? json_object_get_member(o, "eps") : NULL;
    int levels = channels ? (int)json_array_get_length(channels) - 1 : 0;
    if (!o || levels < 1 || levels > MAX_LEVELS || !eps || !JSON_NODE_HOLDS_VALUE(eps) ||
        (gan->z_dim = config_int(o, "z_dim", 1, 4096)) < 0 ||
        (gan->text_dim = config_int(o, "text_dim", 1, 4096)) < 0 ||
        (gan->groups = config_int(o, "groups", 1, 1024)) < 0) {
        st = gs_fail(ctx, GS_ERR_FORMAT, "%s: genstudio.gan_config is not a GAN configuration", path);
        goto out;
    }
    gan->levels = levels;
    gan->size = 4 << levels;
    gan->eps = (float)json_node_get_double(eps);
    for (int i = 0; i <= levels; i++) {
        gint64 c = gs_json_integer(json_array_get_element(channels, (guint)i), 0);
        if (c < 1 || c > 4096 || c % gan->groups) {
            st = gs_fail(ctx, GS_ERR_FORMAT, "%s: GAN channels must be multiples of its %d groups", path,
                         gan->groups);
            goto out;
        }
        gan->channels[i] = (int)c;
    }
out:
    g_object_unref(parser);
    return st;
}

/* Every tensor the forward reads, with its shape, before any is uploaded. */
static gs_status
check_tensors(gs_gan *gan, const char *path)
{
    struct {
        char name[48];
        int64_t d0, d1;
        int ndim;
    } want[8 + 6 * (MAX_LEVELS + 1) + 2 * MAX_LEVELS];
    int n = 0, c0 = gan->channels[0];
#define WANT(a, b, nd, ...) (snprintf(want[n].name, sizeof want[n].name, __VA_ARGS__), want[n].d0 = (a), \
                             want[n].d1 = (b), want[n++].ndim = (nd))
    WANT(gan->vocab, gan->text_dim, 2, "embedding");
    WANT(16 * c0, gan->z_dim + gan->text_dim, 2, "fc.weight");
    WANT(16 * c0, 1, 1, "fc.bias");
    for (int i = 0; i <= gan->levels; i++) {
        int c = gan->channels[i];
        WANT(c, gan->text_dim, 2, "norms.%d.gamma.weight", i);
        WANT(c, 1, 1, "norms.%d.gamma.bias", i);
        WANT(c, gan->text_dim, 2, "norms.%d.beta.weight", i);
        WANT(c, 1, 1, "norms.%d.beta.bias", i);
        WANT(c, 1, 1, "norms.%d.norm.weight", i);
        WANT(c, 1, 1, "norms.%d.norm.bias", i);
        if (i < gan->levels) {
            WANT(gan->channels[i + 1], (int64_t)c * 9, 4, "convs.%d.weight", i);
            WANT(gan->channels[i + 1], 1, 1, "convs.%d.bias", i);
        }
    }
    WANT(3, (int64_t)gan->channels[gan->levels] * 9, 4, "out.weight");
    WANT(3, 1, 1, "out.bias");
#undef WANT
    for (int i = 0; i < n; i++) {
        int k = gs_safetensors_find(gan->file, want[i].name);
        if (k < 0)
            return gs_fail(gan->ctx, GS_ERR_FORMAT, "%s: the GAN has no tensor %s", path, want[i].name);
        int64_t numel = gs_safetensors_numel(gan->file, k);
        if (gs_safetensors_ndim(gan->file, k) != want[i].ndim || gs_safetensors_dim(gan->file, k, 0) != want[i].d0 ||
            numel != want[i].d0 * want[i].d1)
            return gs_fail(gan->ctx, GS_ERR_FORMAT, "%s: GAN tensor %s has the wrong shape", path, want[i].name);
    }
    return GS_OK;
}

gs_status
gs_gan_load(gs_context *ctx, const char *path, gs_gan **out)
{
    *out = NULL;
    gs_gan *gan = calloc(1, sizeof *gan);
    if (!gan)
        return gs_fail(ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
    gan->ctx = ctx;
    char *error = NULL;
    gs_status st = gs_safetensors_open(path, &gan->file, &error);
    if (st != GS_OK) {
        gs_fail(ctx, st, "%s", error ? error : "cannot open the GAN");
        free(error);
        free(gan);
        return st;
    }
    const char *config = gs_safetensors_metadata(gan->file, "genstudio.gan_config");
    const char *vocab = gs_safetensors_metadata(gan->file, "genstudio.vocab");
    if (!config || !vocab)
        st = gs_fail(ctx, GS_ERR_FORMAT, "%s: not a GenStudio GAN (no genstudio.gan_config or genstudio.vocab)",
                     path);
    else if (!(st = parse_config(gan, path, config)) && !(gan->tok = gs_tokenizer_new(vocab)))
        st = gs_fail(ctx, GS_ERR_FORMAT, "%s: the GAN's vocabulary is empty", path);
    if (!st) {
        gan->vocab = gs_tokenizer_vocab_size(gan->tok);
        st = check_tensors(gan, path);
    }
    if (!st && (!(gan->weights = gs_weights_new(ctx, gan->file)) || !(gan->stream = gs_stream_new(ctx))))
        st = gs_fail(ctx, GS_ERR_OUT_OF_MEMORY, "out of memory loading %s", path);
    if (st) {
        gs_gan_free(gan);
        return st;
    }
    *out = gan;
    return GS_OK;
}

/* ---- running ------------------------------------------------------------------ */

#define LIN(...) gs_weights_linear(gan->weights, g, __VA_ARGS__)
#define MAT(...) gs_weights_matrix(gan->weights, g, __VA_ARGS__)
#define VEC(...) gs_weights_vector(gan->weights, g, __VA_ARGS__)

static gs_tensor *
modulated(gs_gan *gan, gs_graph *g, gs_tensor *x, const gs_tensor *c, int level)
{
    int64_t per_channel[4] = { gs_tensor_dim(x, 0), gs_tensor_dim(x, 1), 1, 1 };
    gs_tensor *gamma = gs_graph_linear(g, c, LIN("norms.%d.gamma.weight", level), VEC("norms.%d.gamma.bias", level));
    gs_tensor *beta = gs_graph_linear(g, c, LIN("norms.%d.beta.weight", level), VEC("norms.%d.beta.bias", level));
    gs_tensor *h = gs_graph_group_norm(g, x, VEC("norms.%d.norm.weight", level), VEC("norms.%d.norm.bias", level),
                                       gan->groups, gan->eps, false);
    h = gs_graph_mul(g, h, gs_graph_reshape(g, gamma, 4, per_channel));
    gs_graph_add_into(g, h, gs_graph_reshape(g, beta, 4, per_channel));
    return gs_graph_relu(g, h);
}

/* [n, V] bag weights and [n, z_dim] noise → [n, 3, size, size]. */
static gs_tensor *
forward(gs_gan *gan, gs_graph *g, gs_tensor *bags, gs_tensor *z)
{
    int64_t n = gs_tensor_dim(z, 0);
    gs_tensor *c = gs_graph_matmul(g, bags, MAT("embedding"), false);
    gs_tensor *h = gs_graph_linear(g, gs_graph_concat(g, z, c, 1), LIN("fc.weight"), VEC("fc.bias"));
    int64_t first[4] = { n, gan->channels[0], 4, 4 };
    h = modulated(gan, g, gs_graph_reshape(g, h, 4, first), c, 0);
    for (int i = 0; i < gan->levels; i++) {
        h = gs_graph_conv2d(g, gs_graph_upsample2x(g, h), MAT("convs.%d.weight", i), VEC("convs.%d.bias", i), 1, 1);
        h = modulated(gan, g, h, c, i + 1);
    }
    return gs_graph_conv2d(g, h, MAT("out.weight"), VEC("out.bias"), 1, 1);
}

/* The caption as bag-of-words weights: each known word 1/(known words). */
static void
bag_of_words(gs_gan *gan, const char *prompt, float *row)
{
    static const int32_t specials[] = { GS_TOKEN_PAD, GS_TOKEN_BOS, GS_TOKEN_EOS, GS_TOKEN_UNK };
    int32_t *ids = malloc(MAX_WORDS * sizeof *ids);
    memset(row, 0, (size_t)gan->vocab * sizeof *row);
    if (!ids)
        return;
    gs_tokenizer_encode(gan->tok, prompt, ids, MAX_WORDS);
    int known = 0;
    for (int i = 0; i < MAX_WORDS; i++) {
        bool special = false;
        for (size_t k = 0; k < sizeof specials / sizeof *specials; k++)
            special |= ids[i] == specials[k];
        if (!special && ids[i] < gan->vocab) {
            row[ids[i]] += 1.0f;
            known++;
        }
    }
    for (int i = 0; i < gan->vocab && known; i++)
        row[i] /= (float)known;
    free(ids);
}

gs_status
gs_gan_generate_noise(gs_gan *gan, const char *prompt, const float *z, int count, float *rgb_out)
{
    gs_context *ctx = gan->ctx;
    if (count < 1 || count > MAX_BATCH || !z || !rgb_out)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "GAN: between 1 and %d images at a time", MAX_BATCH);
    size_t pixels = (size_t)gan->size * gan->size, out_count = (size_t)count * 3 * pixels;
    float *bags = calloc((size_t)count * gan->vocab, sizeof *bags), *planar = malloc(out_count * sizeof *planar);
    gs_status st = bags && planar ? GS_OK : gs_fail(ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
    if (!st) {
        bag_of_words(gan, prompt ? prompt : "", bags);
        for (int i = 1; i < count; i++)
            memcpy(bags + (size_t)i * gan->vocab, bags, (size_t)gan->vocab * sizeof *bags);
    }
    gs_tensor *result = NULL;
    if (!st) {
        gs_graph g;
        gs_graph_init(&g, ctx, gan->stream);
        int64_t bag_shape[2] = { count, gan->vocab }, z_shape[2] = { count, gan->z_dim };
        while (gs_graph_pass(&g)) {
            gs_tensor *b = gs_graph_tensor(&g, 2, bag_shape), *zt = gs_graph_tensor(&g, 2, z_shape);
            if (b && zt) {
                gs_graph_fail(&g, gs_tensor_upload(b, bags, (int64_t)count * gan->vocab));
                gs_graph_fail(&g, gs_tensor_upload(zt, z, (int64_t)count * gan->z_dim));
            }
            if ((result = forward(gan, &g, b, zt)))
                gs_graph_keep(&g, result);
        }
        st = gs_graph_finish(&g);
    }
    if (!st)
        st = gs_tensor_download(result, planar, (int64_t)out_count);
    gs_tensor_free(result);
    for (int i = 0; i < count && !st; i++)
        for (size_t p = 0; p < pixels; p++)
            for (int ch = 0; ch < 3; ch++) {
                float v = (planar[((size_t)i * 3 + ch) * pixels + p] + 1.0f) * 0.5f;
                rgb_out[((size_t)i * pixels + p) * 3 + ch] = v >= 0 ? (v > 1 ? 1 : v) : 0; /* NaN → 0 */
            }
    free(bags);
    free(planar);
    return st;
}

gs_status
gs_gan_generate(gs_gan *gan, const char *prompt, const uint64_t *seeds, int count, float *rgb_out)
{
    if (count < 1 || count > MAX_BATCH || !seeds)
        return gs_fail(gan->ctx, GS_ERR_INVALID_ARGUMENT, "GAN: between 1 and %d images at a time", MAX_BATCH);
    float *z = malloc((size_t)count * gan->z_dim * sizeof *z);
    if (!z)
        return gs_fail(gan->ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
    for (int i = 0; i < count; i++)
        gs_normal_noise(seeds[i], 0, 0, z + (size_t)i * gan->z_dim, (size_t)gan->z_dim);
    gs_status st = gs_gan_generate_noise(gan, prompt, z, count, rgb_out);
    free(z);
    return st;
}
