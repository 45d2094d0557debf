/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <json-glib/json-glib.h>
#include <math.h>

#include "gs-sd-config.h"
#include "io/gs-json.h"
#include "vk/gs-vk-private.h"

typedef struct {
    gs_context *ctx;
    JsonObject *root;
    gs_status status;
} reader;

/* An integer member within [lo, hi]; records a failure otherwise. */
static int
read_int(reader *r, const char *key, int lo, int hi)
{
    if (r->status != GS_OK)
        return 0;
    gint64 v = gs_json_integer(json_object_get_member(r->root, key), G_MININT64);
    if (v < lo || v > hi) {
        r->status = gs_fail(r->ctx, GS_ERR_FORMAT, "model config: \"%s\" must be an integer in %d..%d", key, lo, hi);
        return 0;
    }
    return (int)v;
}

static double
read_number(reader *r, const char *key, double lo, double hi)
{
    if (r->status != GS_OK)
        return 0;
    JsonNode *node = json_object_get_member(r->root, key);
    GType type = node && JSON_NODE_HOLDS_VALUE(node) ? json_node_get_value_type(node) : G_TYPE_INVALID;
    double v = type == G_TYPE_DOUBLE ? json_node_get_double(node) : type == G_TYPE_INT64 ? (double)json_node_get_int(node) : NAN;
    if (!(v >= lo && v <= hi)) {
        r->status = gs_fail(r->ctx, GS_ERR_FORMAT, "model config: \"%s\" must be a number in %g..%g", key, lo, hi);
        return 0;
    }
    return v;
}

static const char *
read_string(reader *r, const char *key)
{
    if (r->status != GS_OK)
        return "";
    JsonNode *node = json_object_get_member(r->root, key);
    if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING) {
        r->status = gs_fail(r->ctx, GS_ERR_FORMAT, "model config: \"%s\" must be a string", key);
        return "";
    }
    return json_node_get_string(node);
}

static JsonArray *
read_array(reader *r, const char *key, guint min, guint max)
{
    if (r->status != GS_OK)
        return NULL;
    JsonNode *node = json_object_get_member(r->root, key);
    JsonArray *a = node && JSON_NODE_HOLDS_ARRAY(node) ? json_node_get_array(node) : NULL;
    for (guint i = 0; a && i < json_array_get_length(a); i++) {
        gint64 v = gs_json_integer(json_array_get_element(a, i), -1);
        if (v < 0 || v > 1 << 16)
            a = NULL;
    }
    if (!a || json_array_get_length(a) < min || json_array_get_length(a) > max) {
        r->status = gs_fail(r->ctx, GS_ERR_FORMAT, "model config: \"%s\" must be a list of %u..%u integers", key,
                            min, max);
        return NULL;
    }
    return a;
}

gs_status
gs_sd_config_parse(gs_context *ctx, const char *json, gs_sd_config *c)
{
    JsonParser *parser = json_parser_new();
    GError *error = NULL;
    if (!json_parser_load_from_data(parser, json, -1, &error) || !json_parser_get_root(parser) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
        gs_status st = gs_fail(ctx, GS_ERR_FORMAT, "model config is not a JSON object%s%s", error ? ": " : "",
                               error ? error->message : "");
        g_clear_error(&error);
        g_object_unref(parser);
        return st;
    }
    reader r = { ctx, json_node_get_object(json_parser_get_root(parser)), GS_OK };
    *c = (gs_sd_config){ 0 };
    c->image_size = read_int(&r, "image_size", 8, 4096);
    c->in_channels = read_int(&r, "in_channels", 1, 16);
    c->out_channels = read_int(&r, "out_channels", 1, 16);
    c->model_channels = read_int(&r, "model_channels", 1, 1024);
    c->num_res_blocks = read_int(&r, "num_res_blocks", 1, 4);
    c->head_channels = read_int(&r, "head_channels", 1, 256);
    c->context_dim = read_int(&r, "context_dim", 1, 4096);
    c->norm_groups = read_int(&r, "norm_groups", 1, 1024);
    c->resnet_eps = (float)read_number(&r, "resnet_eps", 0, 1);
    c->transformer_norm_eps = (float)read_number(&r, "transformer_norm_eps", 0, 1);
    c->layer_norm_eps = (float)read_number(&r, "layer_norm_eps", 0, 1);
    c->text_width = read_int(&r, "text_width", 1, 4096);
    c->text_layers = read_int(&r, "text_layers", 1, 64);
    c->text_heads = read_int(&r, "text_heads", 1, 64);
    c->text_tokens = read_int(&r, "text_tokens", 2, 512);
    c->vocab_size = read_int(&r, "vocab_size", 5, 1 << 20);
    c->text_eps = (float)read_number(&r, "text_eps", 0, 1);
    c->train_timesteps = read_int(&r, "train_timesteps", 2, 4000);
    c->beta_start = (float)read_number(&r, "beta_start", 1e-8, 0.5);
    c->beta_end = (float)read_number(&r, "beta_end", 1e-8, 0.999);
    const char *schedule = read_string(&r, "beta_schedule");
    const char *prediction = read_string(&r, "prediction");
    JsonNode *clip = json_object_get_member(r.root, "clip_denoised");
    c->clip_denoised = clip && JSON_NODE_HOLDS_VALUE(clip) && json_node_get_value_type(clip) == G_TYPE_BOOLEAN &&
                       json_node_get_boolean(clip);

    JsonArray *mult = read_array(&r, "channel_mult", 1, GS_SD_MAX_LEVELS);
    JsonArray *attention = read_array(&r, "attention_levels", 0, GS_SD_MAX_LEVELS);
    if (r.status == GS_OK) {
        c->levels = (int)json_array_get_length(mult);
        for (int i = 0; i < c->levels; i++)
            c->channel_mult[i] = (int)json_array_get_int_element(mult, (guint)i);
        for (guint i = 0; i < json_array_get_length(attention); i++) {
            gint64 level = json_array_get_int_element(attention, i);
            if (level >= 0 && level < c->levels)
                c->attention[level] = true;
        }
        c->scaled_linear = g_str_equal(schedule, "scaled_linear");
    }
    if (r.status == GS_OK && !c->scaled_linear && !g_str_equal(schedule, "linear"))
        r.status = gs_fail(ctx, GS_ERR_UNSUPPORTED, "model config: unknown beta_schedule \"%s\"", schedule);
    if (r.status == GS_OK) {
        c->v_prediction = g_str_equal(prediction, "v");
        if (!c->v_prediction && !g_str_equal(prediction, "epsilon"))
            r.status = gs_fail(ctx, GS_ERR_UNSUPPORTED,
                               "model config: prediction \"%s\" is not supported (epsilon and v are)", prediction);
    }
    for (int i = 0; r.status == GS_OK && i < c->levels; i++) {
        int ch = c->model_channels * c->channel_mult[i];
        if (c->channel_mult[i] < 1 || ch % c->norm_groups || (c->attention[i] && ch % c->head_channels))
            r.status = gs_fail(ctx, GS_ERR_FORMAT, "model config: level %d has %d channels, which do not split into "
                               "%d groups and heads of %d", i, ch, c->norm_groups, c->head_channels);
    }
    for (int i = 0; r.status == GS_OK && i < c->levels; i++)
        c->heads[i] = c->model_channels * c->channel_mult[i] / c->head_channels;
    c->text_skip = 1;
    c->latent_channels = c->in_channels;
    if (r.status == GS_OK && (c->text_width % c->text_heads || c->image_size % (1 << (c->levels - 1))))
        r.status = gs_fail(ctx, GS_ERR_FORMAT, "model config: inconsistent text width/heads or image size/levels");
    if (r.status == GS_OK && c->context_dim != c->text_width)
        r.status = gs_fail(ctx, GS_ERR_FORMAT, "model config: context_dim %d differs from text_width %d",
                           c->context_dim, c->text_width);
    g_object_unref(parser);
    return r.status;
}
