/* ESRGAN upscalers (RDN: slim, medium; RRDN: thick): the graph from the
 * file's metadata (written by tools/esrgan/convert.py), built from engine
 * ops, run in exact tiles.
 *
 * The exported tail is nearest ×s of 3·s² maps, then a 3×3 conv at the high
 * resolution (data/models/README.md). A 3×3 conv over a nearest upsampling
 * is folded here, at load, into a 3×3 conv at the low resolution with s²
 * times the outputs (one kernel per sub-pixel phase) plus a depth-to-space:
 * exact, the same multiply-adds, and no s²-times larger intermediate.
 * Thick ends with its own pixel shuffle and a 3×3 conv at the high
 * resolution (3 channels), run as they are.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/gs-json.h"
#include "models/gs-esrgan.h"
#include "models/gs-graph.h"
#include "vk/gs-vk-private.h"

#define DEFAULT_TILE 160
#define MAX_LAYERS 4096

typedef enum { L_INPUT, L_CONV, L_RELU, L_CONCAT, L_ADD, L_UPSAMPLE, L_ALIAS, L_SCALE, L_SHUFFLE } layer_op;

typedef struct {
    layer_op op;
    char *name;
    int *in, n_in;
    int kernel, filters, channels, pad, size;
    bool relu;
    float factor;  /* L_SCALE */
    int shuffle;   /* > 1: depth-to-space by this after the conv (a folded tail) */
    int radius;    /* receptive radius of this layer's output, in input pixels */
    int out_channels;
    gs_tensor *w, *b;
} layer;

struct gs_upscaler {
    gs_context *ctx;
    gs_stream *stream;
    int scale, overlap, output;
    float range; /* the network's pixel values run 0..range */
    char name[64];
    layer *layers;
    int count;
};

gs_upscaler_params
gs_upscaler_default_params(void)
{
    return (gs_upscaler_params){ .tile = 0 };
}

int
gs_upscaler_scale(const gs_upscaler *up)
{
    return up->scale;
}

int
gs_upscaler_overlap(const gs_upscaler *up)
{
    return up->overlap;
}

const char *
gs_upscaler_name(const gs_upscaler *up)
{
    return up->name;
}

void
gs_upscaler_free(gs_upscaler *up)
{
    if (!up)
        return;
    for (int i = 0; i < up->count; i++) {
        free(up->layers[i].name);
        free(up->layers[i].in);
        gs_tensor_free(up->layers[i].w);
        gs_tensor_free(up->layers[i].b);
    }
    free(up->layers);
    gs_stream_free(up->stream);
    free(up);
}

/* ---- loading ---------------------------------------------------------------- */

static int
find_layer(const gs_upscaler *up, int before, const char *name)
{
    for (int i = 0; i < before; i++)
        if (strcmp(up->layers[i].name, name) == 0)
            return i;
    return -1;
}

static int64_t
member_int(JsonObject *o, const char *key, int64_t lo, int64_t hi, bool *ok)
{
    gint64 v = gs_json_integer(json_object_get_member(o, key), G_MININT64);
    if (v < lo || v > hi) {
        *ok = false;
        return lo;
    }
    return v;
}

static double
member_number(JsonObject *o, const char *key, double lo, double hi, bool *ok)
{
    JsonNode *n = json_object_get_member(o, key);
    GType t = n && JSON_NODE_HOLDS_VALUE(n) ? json_node_get_value_type(n) : G_TYPE_INVALID;
    double v = t == G_TYPE_DOUBLE ? json_node_get_double(n) : t == G_TYPE_INT64 ? (double)json_node_get_int(n) : NAN;
    if (!(v >= lo && v <= hi)) {
        *ok = false;
        return lo;
    }
    return v;
}

static const char *
member_string(JsonObject *o, const char *key)
{
    JsonNode *n = json_object_get_member(o, key);
    return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING ? json_node_get_string(n)
                                                                                          : NULL;
}

/* One layer of the graph JSON; inputs must come earlier (topological). */
static gs_status
parse_layer(gs_upscaler *up, const char *path, JsonNode *node, int index)
{
    gs_context *ctx = up->ctx;
    layer *l = &up->layers[index];
    JsonObject *o = node && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
    const char *name = o ? member_string(o, "name") : NULL, *op = o ? member_string(o, "op") : NULL;
    if (!name || !op || !*name || strlen(name) > 200)
        return gs_fail(ctx, GS_ERR_FORMAT, "%s: graph layer %d has no name or op", path, index);
    l->name = strdup(name);
    if (find_layer(up, index, name) >= 0)
        return gs_fail(ctx, GS_ERR_FORMAT, "%s: graph layer %s appears twice", path, name);
    JsonNode *in_node = json_object_get_member(o, "in");
    JsonArray *in = in_node && JSON_NODE_HOLDS_ARRAY(in_node) ? json_node_get_array(in_node) : NULL;
    l->n_in = in ? (int)json_array_get_length(in) : 0;
    l->in = calloc((size_t)l->n_in + 1, sizeof *l->in);
    if (!l->name || !l->in)
        return gs_fail(ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
    for (int j = 0; j < l->n_in; j++) {
        JsonNode *e = json_array_get_element(in, (guint)j);
        const char *src = JSON_NODE_HOLDS_VALUE(e) && json_node_get_value_type(e) == G_TYPE_STRING
                              ? json_node_get_string(e) : "";
        if ((l->in[j] = find_layer(up, index, src)) < 0)
            return gs_fail(ctx, GS_ERR_FORMAT, "%s: layer %s reads %s, which is not an earlier layer", path, name,
                           src);
    }
    bool ok = true;
    int need_in = 1;
    if (strcmp(op, "input") == 0) {
        l->op = L_INPUT;
        need_in = 0;
        l->out_channels = 3;
    } else if (strcmp(op, "conv2d") == 0) {
        l->op = L_CONV;
        l->kernel = (int)member_int(o, "kernel", 1, 5, &ok);
        l->filters = (int)member_int(o, "filters", 1, 4096, &ok);
        l->channels = (int)member_int(o, "channels", 1, 8192, &ok);
        const char *pad = member_string(o, "padding"), *act = member_string(o, "activation");
        if (!ok || l->kernel % 2 == 0 || !pad || !act || (strcmp(act, "relu") != 0 && strcmp(act, "linear") != 0) ||
            (strcmp(pad, "same") != 0 && (strcmp(pad, "valid") != 0 || l->kernel != 1)))
            return gs_fail(ctx, GS_ERR_FORMAT, "%s: conv %s: kernel 1, 3 or 5, padding same (or valid at 1×1) and "
                           "activation linear or relu expected", path, name);
        l->pad = strcmp(pad, "same") == 0 ? l->kernel / 2 : 0;
        l->relu = strcmp(act, "relu") == 0;
        l->out_channels = l->filters;
    } else if (strcmp(op, "relu") == 0) {
        l->op = L_RELU;
    } else if (strcmp(op, "concat") == 0) {
        l->op = L_CONCAT;
        need_in = -1;
    } else if (strcmp(op, "add") == 0) {
        l->op = L_ADD;
        need_in = -1;
    } else if (strcmp(op, "upsample_nearest") == 0) {
        l->op = L_UPSAMPLE;
        l->size = (int)member_int(o, "size", 1, 16, &ok);
        if (!ok)
            return gs_fail(ctx, GS_ERR_FORMAT, "%s: upsampling %s: size 1..16 expected", path, name);
    } else if (strcmp(op, "pixel_shuffle") == 0) {
        l->op = L_SHUFFLE;
        l->size = (int)member_int(o, "size", 1, 16, &ok);
        if (!ok)
            return gs_fail(ctx, GS_ERR_FORMAT, "%s: pixel shuffle %s: size 1..16 expected", path, name);
    } else if (strcmp(op, "scale") == 0) {
        l->op = L_SCALE;
        l->factor = (float)member_number(o, "factor", -1e6, 1e6, &ok);
        if (!ok)
            return gs_fail(ctx, GS_ERR_FORMAT, "%s: scale %s: a finite factor expected", path, name);
    } else {
        return gs_fail(ctx, GS_ERR_UNSUPPORTED, "%s: layer %s: op %s is not supported", path, name, op);
    }
    if ((need_in >= 0 && l->n_in != need_in) || (need_in < 0 && l->n_in < 2))
        return gs_fail(ctx, GS_ERR_FORMAT, "%s: layer %s (%s) has %d inputs", path, name, op, l->n_in);
    /* Channels and receptive radius, layer by layer. */
    int radius = 0, channels = 0;
    for (int j = 0; j < l->n_in; j++) {
        const layer *src = &up->layers[l->in[j]];
        radius = src->radius > radius ? src->radius : radius;
        if (l->op == L_CONCAT)
            channels += src->out_channels;
        else if (j > 0 && src->out_channels != channels)
            return gs_fail(ctx, GS_ERR_FORMAT, "%s: add %s: inputs of %d and %d channels", path, name, channels,
                           src->out_channels);
        else
            channels = src->out_channels;
    }
    if (l->op == L_CONV) {
        if (channels != l->channels)
            return gs_fail(ctx, GS_ERR_FORMAT, "%s: conv %s takes %d channels, its input has %d", path, name,
                           l->channels, channels);
        radius += l->kernel / 2;
    } else if (l->op == L_SHUFFLE) {
        if (channels % (l->size * l->size) != 0)
            return gs_fail(ctx, GS_ERR_FORMAT, "%s: pixel shuffle %s: %d channels do not divide by %d²", path, name,
                           channels, l->size);
        l->out_channels = channels / (l->size * l->size);
    } else if (l->op != L_INPUT) {
        l->out_channels = channels;
    }
    l->radius = radius;
    return GS_OK;
}

static gs_tensor *
load_weight(gs_upscaler *up, const gs_safetensors *st, const char *layer_name, const char *suffix, gs_dtype dtype,
            int ndim, const int64_t *shape)
{
    char name[256];
    snprintf(name, sizeof name, "%s.%s", layer_name, suffix);
    return gs_safetensors_load(up->ctx, st, name, dtype, ndim, shape);
}

/* Nearest ×s then a 3×3 conv (same padding) → a 3×3 conv at the low
 * resolution with O·s² outputs, channel (o·s + py)·s + px for output phase
 * (py, px), then depth-to-space. Output pixel y·s + py reads upsampled rows
 * y·s + py + ky − 1, that is source rows y + ⌊(py + ky − 1)/s⌋, an offset of
 * −1, 0 or +1; taps landing on the same source pixel are summed. Zero
 * padding matches: an upsampled row < 0 or ≥ s·h is a source row < 0 or ≥ h. */
static gs_status
fold_tail(gs_upscaler *up, const gs_safetensors *st, const char *path, int ui, int ci)
{
    gs_context *ctx = up->ctx;
    layer *u = &up->layers[ui], *c = &up->layers[ci];
    int s = u->size, o = c->filters, in = c->channels;
    char name[256];
    snprintf(name, sizeof name, "%s.weight", c->name);
    int wi = gs_safetensors_find(st, name);
    snprintf(name, sizeof name, "%s.bias", c->name);
    int bi = gs_safetensors_find(st, name);
    if (wi < 0 || bi < 0 || gs_safetensors_ndim(st, wi) != 4 || gs_safetensors_numel(st, wi) != (int64_t)o * in * 9 ||
        gs_safetensors_dim(st, wi, 0) != o || gs_safetensors_numel(st, bi) != o)
        return gs_fail(ctx, GS_ERR_FORMAT, "%s: conv %s: weight [%d,%d,3,3] and bias [%d] expected", path, c->name, o,
                       in, o);
    size_t nw = (size_t)o * in * 9, nf = nw * (size_t)s * s;
    float *w = malloc(nw * sizeof *w), *b = malloc((size_t)o * sizeof *b);
    float *fw = calloc(nf, sizeof *fw), *fb = malloc((size_t)o * s * s * sizeof *fb);
    gs_status status = GS_OK;
    if (!w || !b || !fw || !fb)
        status = gs_fail(ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
    if (!status && (gs_safetensors_read(st, wi, w) || gs_safetensors_read(st, bi, b)))
        status = gs_fail(ctx, GS_ERR_FORMAT, "%s: conv %s: unreadable weights", path, c->name);
    for (int k = 0; k < (int)nw && !status; k++)
        if (!isfinite(w[k]))
            status = gs_fail(ctx, GS_ERR_FORMAT, "%s: conv %s: NaN or infinite weights", path, c->name);
    if (!status) {
        for (int oc = 0; oc < o; oc++)
            for (int py = 0; py < s; py++)
                for (int px = 0; px < s; px++) {
                    int fo = (oc * s + py) * s + px;
                    fb[fo] = b[oc];
                    for (int ic = 0; ic < in; ic++)
                        for (int ky = 0; ky < 3; ky++)
                            for (int kx = 0; kx < 3; kx++) {
                                /* floor division of −1 … s by s: −1, 0 or 1 */
                                int dy = py + ky - 1 < 0 ? -1 : (py + ky - 1) / s;
                                int dx = px + kx - 1 < 0 ? -1 : (px + kx - 1) / s;
                                fw[(((size_t)fo * in + ic) * 3 + dy + 1) * 3 + dx + 1] +=
                                    w[(((size_t)oc * in + ic) * 3 + ky) * 3 + kx];
                            }
                }
        gs_dtype dtype = gs_context_has_fp16_storage(ctx) ? GS_F16 : GS_F32;
        int64_t ws[4] = { (int64_t)o * s * s, in, 3, 3 }, bs[1] = { (int64_t)o * s * s };
        c->w = gs_tensor_new(ctx, dtype, 4, ws);
        c->b = gs_tensor_new(ctx, GS_F32, 1, bs);
        if (!c->w || !c->b)
            status = gs_last_status(ctx);
        if (!status)
            status = gs_tensor_upload(c->w, fw, (int64_t)nf);
        if (!status)
            status = gs_tensor_upload(c->b, fb, (int64_t)o * s * s);
    }
    free(w);
    free(b);
    free(fw);
    free(fb);
    if (status)
        return status;
    c->shuffle = s;
    c->in[0] = u->in[0];
    u->op = L_ALIAS;
    return GS_OK;
}

static gs_status
load(gs_upscaler *up, const char *path, const gs_safetensors *st)
{
    gs_context *ctx = up->ctx;
    const char *text = gs_safetensors_metadata(st, "graph");
    if (!text)
        return gs_fail(ctx, GS_ERR_FORMAT, "%s is not an ESRGAN upscaler (no graph in its metadata; convert it with "
                       "tools/esrgan/convert.py)", path);
    JsonParser *parser = json_parser_new();
    GError *jerr = NULL;
    gs_status status = GS_OK;
    if (!json_parser_load_from_data(parser, text, -1, &jerr)) {
        status = gs_fail(ctx, GS_ERR_FORMAT, "%s: the graph metadata is not valid JSON (%s)", path, jerr->message);
        g_error_free(jerr);
        g_object_unref(parser);
        return status;
    }
    JsonNode *root = json_parser_get_root(parser);
    JsonObject *g = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
    JsonNode *ln = g ? json_object_get_member(g, "layers") : NULL;
    JsonArray *layers = ln && JSON_NODE_HOLDS_ARRAY(ln) ? json_node_get_array(ln) : NULL;
    const char *format = g ? member_string(g, "format") : NULL, *output = g ? member_string(g, "output") : NULL;
    bool ok = true;
    up->scale = g ? (int)member_int(g, "scale", 1, 16, &ok) : 0;
    up->range = g ? (float)member_int(g, "input_range", 1, 255, &ok) : 0;
    ok &= up->range == 1 || up->range == 255;
    if (!g || !layers || !format || strcmp(format, "genstudio-esrgan-graph/1") != 0 || !output || !ok ||
        json_array_get_length(layers) < 2 || json_array_get_length(layers) > MAX_LAYERS) {
        g_object_unref(parser);
        return gs_fail(ctx, GS_ERR_FORMAT, "%s: the graph metadata is not a genstudio-esrgan-graph/1 description "
                       "with scale, input_range 1 or 255, output and layers", path);
    }
    up->count = (int)json_array_get_length(layers);
    up->layers = calloc((size_t)up->count, sizeof *up->layers);
    if (!up->layers)
        status = gs_fail(ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
    int inputs = 0;
    for (int i = 0; i < up->count && !status; i++) {
        status = parse_layer(up, path, json_array_get_element(layers, (guint)i), i);
        inputs += !status && up->layers[i].op == L_INPUT;
    }
    up->output = status ? -1 : find_layer(up, up->count, output);
    g_object_unref(parser);
    if (status)
        return status;
    if (inputs != 1 || up->layers[0].op != L_INPUT || up->output < 0 || up->layers[up->output].out_channels != 3)
        return gs_fail(ctx, GS_ERR_FORMAT, "%s: the graph needs one input first and a 3-channel output", path);

    /* Fold each nearest upsampling into the 3×3 conv that alone reads it. */
    int upsamples = 0, up_scale = 1;
    for (int i = 0; i < up->count && !status; i++) {
        if (up->layers[i].op != L_UPSAMPLE)
            continue;
        int consumer = -1, uses = 0;
        for (int j = i + 1; j < up->count; j++)
            for (int k = 0; k < up->layers[j].n_in; k++)
                if (up->layers[j].in[k] == i) {
                    consumer = j;
                    uses++;
                }
        layer *c = consumer >= 0 ? &up->layers[consumer] : NULL;
        if (uses != 1 || i == up->output || c->op != L_CONV || c->kernel != 3 || c->pad != 1)
            return gs_fail(ctx, GS_ERR_UNSUPPORTED, "%s: upsampling %s is not followed by a 3×3 conv alone", path,
                           up->layers[i].name);
        up_scale *= up->layers[i].size;
        upsamples++;
        status = fold_tail(up, st, path, i, consumer);
    }
    for (int i = 0; i < up->count; i++)
        if (up->layers[i].op == L_SHUFFLE) {
            up_scale *= up->layers[i].size;
            upsamples++;
        }
    if (status)
        return status;
    if (upsamples != 1 || up_scale != up->scale)
        return gs_fail(ctx, GS_ERR_FORMAT, "%s: the graph upsamples ×%d, its metadata says ×%d", path, up_scale,
                       up->scale);
    /* Receptive radius in input pixels: a conv adds its half kernel,
     * divided (rounded up) by the resolution it runs at. The folded conv
     * runs at the input resolution, its radius there is 1. */
    int *res = calloc((size_t)up->count, sizeof *res);
    if (!res)
        return gs_fail(ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
    for (int i = 0; i < up->count; i++) {
        layer *l = &up->layers[i];
        res[i] = 1;
        if (l->op == L_INPUT)
            continue;
        int r = 0;
        for (int k = 0; k < l->n_in; k++) {
            r = up->layers[l->in[k]].radius > r ? up->layers[l->in[k]].radius : r;
            res[i] = res[l->in[k]] > res[i] ? res[l->in[k]] : res[i];
        }
        if (l->op == L_CONV)
            r += (l->kernel / 2 + res[i] - 1) / res[i];
        if (l->op == L_SHUFFLE || l->shuffle > 1)
            res[i] *= l->op == L_SHUFFLE ? l->size : l->shuffle;
        l->radius = r;
    }
    free(res);
    up->overlap = up->layers[up->output].radius;

    gs_dtype dtype = gs_context_has_fp16_storage(ctx) ? GS_F16 : GS_F32;
    for (int i = 0; i < up->count && !status; i++) {
        layer *l = &up->layers[i];
        if (l->op != L_CONV || l->w)
            continue;
        int64_t ws[4] = { l->filters, l->channels, l->kernel, l->kernel }, bs[1] = { l->filters };
        l->w = load_weight(up, st, l->name, "weight", dtype, 4, ws);
        l->b = l->w ? load_weight(up, st, l->name, "bias", GS_F32, 1, bs) : NULL;
        if (!l->w || !l->b)
            status = GS_ERR_FORMAT;
    }
    if (status)
        return status;
    const char *package = gs_safetensors_metadata(st, "package");
    const char *tail = package ? strrchr(package, '/') : NULL;
    snprintf(up->name, sizeof up->name, "%s", tail ? tail + 1 : package ? package : "esrgan");
    return GS_OK;
}

gs_status
gs_upscaler_load(gs_context *ctx, const char *path, gs_upscaler **out)
{
    *out = NULL;
    gs_upscaler *up = calloc(1, sizeof *up);
    if (!up)
        return gs_fail(ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
    up->ctx = ctx;
    gs_safetensors *st = NULL;
    char *error = NULL;
    gs_status status = gs_safetensors_open(path, &st, &error);
    if (status != GS_OK) {
        gs_fail(ctx, status, "%s", error ? error : "cannot open the upscaler");
        free(error);
        free(up);
        return status;
    }
    status = load(up, path, st);
    gs_safetensors_close(st);
    if (status == GS_OK && !(up->stream = gs_stream_new(ctx)))
        status = gs_last_status(ctx);
    if (status != GS_OK) {
        gs_upscaler_free(up);
        return status;
    }
    *out = up;
    return GS_OK;
}

/* ---- running ------------------------------------------------------------------ */

static gs_tensor *
forward(gs_upscaler *up, gs_graph *g, gs_tensor *input)
{
    gs_tensor **val = calloc((size_t)up->count, sizeof *val);
    if (!val) {
        gs_graph_fail(g, gs_fail(up->ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory"));
        return NULL;
    }
    for (int i = 0; i < up->count; i++) {
        layer *l = &up->layers[i];
        gs_tensor *x = l->n_in ? val[l->in[0]] : NULL, *y = NULL;
        switch (l->op) {
        case L_INPUT:
            y = input;
            break;
        case L_CONV:
            y = gs_graph_conv2d(g, x, l->w, l->b, 1, l->pad);
            if (l->shuffle > 1)
                y = gs_graph_depth_to_space(g, y, l->shuffle);
            if (l->relu)
                y = gs_graph_relu(g, y);
            break;
        case L_RELU:
            y = gs_graph_relu(g, x);
            break;
        case L_SCALE:
            y = gs_graph_scale(g, x, l->factor);
            break;
        case L_SHUFFLE:
            y = gs_graph_depth_to_space(g, x, l->size);
            break;
        case L_CONCAT:
            y = x;
            for (int k = 1; k < l->n_in; k++)
                y = gs_graph_concat(g, y, val[l->in[k]], 1);
            break;
        case L_ADD:
            y = gs_graph_add(g, x, val[l->in[1]]);
            for (int k = 2; k < l->n_in && y; k++)
                gs_graph_add_into(g, y, val[l->in[k]]);
            break;
        case L_UPSAMPLE: /* always folded at load */
        case L_ALIAS:
            y = x;
            break;
        }
        val[i] = y;
        if (!y && g->status == GS_OK)
            gs_graph_fail(g, GS_ERR_INVALID_ARGUMENT);
    }
    gs_tensor *out = val[up->output];
    free(val);
    return g->status == GS_OK ? out : NULL;
}

gs_status
gs_upscaler_run_tile(gs_upscaler *up, const float *planar_in, int w, int h, float *planar_out)
{
    gs_context *ctx = up->ctx;
    int s = up->scale;
    size_t n_in = (size_t)3 * w * h, n_out = n_in * (size_t)s * s;
    float *scaled = malloc(n_in * sizeof *scaled);
    if (!scaled)
        return gs_fail(ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
    for (size_t i = 0; i < n_in; i++) /* to the network's range */
        scaled[i] = planar_in[i] * up->range;
    gs_graph g;
    gs_graph_init(&g, ctx, up->stream);
    int64_t shape[4] = { 1, 3, h, w };
    gs_tensor *result = NULL;
    while (gs_graph_pass(&g)) {
        gs_tensor *x = gs_graph_tensor(&g, 4, shape);
        if (x)
            gs_graph_fail(&g, gs_tensor_upload(x, scaled, (int64_t)n_in));
        result = forward(up, &g, x);
        if (result)
            gs_graph_keep(&g, result);
    }
    gs_status st = gs_graph_finish(&g);
    free(scaled);
    if (st == GS_OK)
        st = gs_tensor_download(result, planar_out, (int64_t)n_out);
    gs_tensor_free(result);
    for (size_t i = 0; i < n_out && st == GS_OK; i++) {
        float v = planar_out[i] / up->range;
        planar_out[i] = v >= 0 ? (v > 1 ? 1 : v) : 0; /* NaN → 0 too */
    }
    return st;
}

/* Tile origins along one axis: tiles of `extent` stepping by extent − 2·halo,
 * the last one moved back to end at the edge, so every tile has the same
 * size (one activation plan for all) and each output pixel is at least
 * `halo` away from a tile edge that is not the image's. */
static int
tile_starts(int size, int extent, int halo, int *starts)
{
    if (size <= extent) {
        starts[0] = 0;
        return 1;
    }
    int n = 0, step = extent - 2 * halo;
    for (int p = 0;; p += step) {
        if (p + extent >= size) {
            starts[n++] = size - extent;
            break;
        }
        starts[n++] = p;
    }
    return n;
}

static int
clamp_int(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The network runs on the image extended by GS_UPSCALER_EDGE_PAD pixels of
 * edge replication on every side (its convolutions' zero padding would
 * otherwise leave stripes along the borders), tiled over that extended
 * image, and the padding's output is cropped away. Tiles read the extension
 * by clamping coordinates, so nothing image-sized is allocated. */
gs_status
gs_upscaler_run(gs_upscaler *up, const float *rgb_in, int w, int h, float *rgb_out, const gs_upscaler_params *params)
{
    gs_context *ctx = up->ctx;
    gs_upscaler_params p = params ? *params : gs_upscaler_default_params();
    int s = up->scale, halo = up->overlap, pad = GS_UPSCALER_EDGE_PAD;
    int extent = p.tile > 0 ? p.tile : DEFAULT_TILE;
    if (extent < 2 * halo + 8)
        extent = 2 * halo + 8;
    if (w < 1 || h < 1 || !rgb_in || !rgb_out || (int64_t)w * s > 1 << 20 || (int64_t)h * s > 1 << 20)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "upscale: %d×%d is not an image size this runs at", w, h);
    int pw = w + 2 * pad, ph = h + 2 * pad; /* the extended image */
    int tw = pw < extent ? pw : extent, th = ph < extent ? ph : extent;
    int *xs = malloc(((size_t)pw / 8 + 2) * sizeof *xs), *ys = malloc(((size_t)ph / 8 + 2) * sizeof *ys);
    float *tin = malloc((size_t)3 * tw * th * sizeof *tin);
    float *tout = malloc((size_t)3 * tw * th * s * s * sizeof *tout);
    gs_status st = GS_OK;
    if (!xs || !ys || !tin || !tout)
        st = gs_fail(ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
    int nx = st ? 0 : tile_starts(pw, tw, halo, xs), ny = st ? 0 : tile_starts(ph, th, halo, ys);
    for (int ty = 0; ty < ny && !st; ty++)
        for (int tx = 0; tx < nx && !st; tx++) {
            int x0 = xs[tx], y0 = ys[ty];
            for (int y = 0; y < th; y++) {
                const float *row = rgb_in + (size_t)clamp_int(y0 + y - pad, 0, h - 1) * w * 3;
                for (int x = 0; x < tw; x++) {
                    const float *px = row + (size_t)clamp_int(x0 + x - pad, 0, w - 1) * 3;
                    for (int c = 0; c < 3; c++)
                        tin[((size_t)c * th + y) * tw + x] = px[c];
                }
            }
            st = gs_upscaler_run_tile(up, tin, tw, th, tout);
            if (st)
                break;
            /* Kept columns of the extended image: from halo past the tile's
             * left edge (0 for the first) to where the next tile's kept part
             * starts, and inside the image proper. */
            int kx0 = tx == 0 ? 0 : x0 + halo, kx1 = tx == nx - 1 ? pw : xs[tx + 1] + halo;
            int ky0 = ty == 0 ? 0 : y0 + halo, ky1 = ty == ny - 1 ? ph : ys[ty + 1] + halo;
            kx0 = clamp_int(kx0, pad, pad + w), kx1 = clamp_int(kx1, pad, pad + w);
            ky0 = clamp_int(ky0, pad, pad + h), ky1 = clamp_int(ky1, pad, pad + h);
            int ow = tw * s, oh = th * s, W = w * s;
            for (int Y = ky0 * s; Y < ky1 * s; Y++)
                for (int X = kx0 * s; X < kx1 * s; X++)
                    for (int c = 0; c < 3; c++)
                        rgb_out[((size_t)(Y - pad * s) * W + X - pad * s) * 3 + c] =
                            tout[((size_t)c * oh + Y - y0 * s) * ow + X - x0 * s];
            if (p.progress && !p.progress((double)(ty * nx + tx + 1) / (nx * ny), p.user_data))
                st = gs_fail(ctx, GS_ERR_CANCELLED, "upscale cancelled");
        }
    free(xs);
    free(ys);
    free(tin);
    free(tout);
    return st;
}
