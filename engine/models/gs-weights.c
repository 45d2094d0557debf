/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "gs-weights.h"
#include "vk/gs-vk-private.h"

struct gs_weights {
    gs_context *ctx;
    const gs_tensor_map *map;
    gs_tensor_map *own_map; /* for gs_weights_new: the file's names as they are */
    GHashTable *loaded;     /* name → gs_tensor */
    bool (*on_upload)(uint64_t bytes, void *user_data);
    void *on_upload_data;
};

void
gs_weights_set_upload_callback(gs_weights *w, bool (*callback)(uint64_t bytes, void *user_data), void *user_data)
{
    w->on_upload = callback;
    w->on_upload_data = user_data;
}

gs_weights *
gs_weights_new_mapped(gs_context *ctx, const gs_tensor_map *map)
{
    gs_weights *w = g_new0(gs_weights, 1);
    w->ctx = ctx;
    w->map = map;
    w->loaded = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)gs_tensor_free);
    return w;
}

gs_weights *
gs_weights_new(gs_context *ctx, const gs_safetensors *file)
{
    gs_tensor_map *map = gs_tensor_map_new();
    gs_tensor_map_add_file(map, file, NULL);
    gs_weights *w = gs_weights_new_mapped(ctx, map);
    w->own_map = map;
    return w;
}

void
gs_weights_free(gs_weights *w)
{
    if (!w)
        return;
    g_hash_table_destroy(w->loaded);
    gs_tensor_map_free(w->own_map);
    g_free(w);
}

static gboolean
has_prefix(gpointer key, gpointer value, gpointer prefix)
{
    return g_str_has_prefix(key, prefix);
}

void
gs_weights_unload(gs_weights *w, const char *prefix)
{
    g_hash_table_foreach_remove(w->loaded, has_prefix, (gpointer)prefix);
}

int64_t
gs_weights_dim(gs_weights *w, const char *name, int d)
{
    return d < gs_tensor_map_ndim(w->map, name) ? gs_tensor_map_dim(w->map, name, d) : -1;
}

const gs_tensor_map *
gs_weights_map(gs_weights *w)
{
    return w->map;
}

typedef enum { AS_VECTOR, AS_MATRIX, AS_LINEAR, AS_CONV_TAPS } weight_kind;

#define TRANSPOSE_TILE 32

/* [rows, cols] → [cols, padded_rows] of `size`-byte elements (4 or 2; a
 * constant at each call, so each is compiled apart), tile by tile so that
 * reads and writes stay in cache. Rows past `rows` are left as they are. */
static inline void
transpose(const void *src, void *dst, size_t size, int64_t rows, int64_t cols, int64_t padded_rows)
{
    const uint8_t *from = src;
    uint8_t *to = dst;
    for (int64_t i0 = 0; i0 < rows; i0 += TRANSPOSE_TILE)
        for (int64_t c0 = 0; c0 < cols; c0 += TRANSPOSE_TILE)
            for (int64_t i = i0; i < MIN(i0 + TRANSPOSE_TILE, rows); i++)
                for (int64_t c = c0; c < MIN(c0 + TRANSPOSE_TILE, cols); c++)
                    memcpy(to + (size_t)(c * padded_rows + i) * size, from + (size_t)(i * cols + c) * size, size);
}

/* Reads a mapped tensor and uploads it; a Linear weight [out, in…] (or a
 * Conv1d weight [out, in, K], or a 1×1 conv [out, in, 1, 1]) is stored as
 * [in…, out] so that matmul reads it row-major. An f16 file's weights go to
 * an f16 tensor as stored, without a round trip through floats. */
static gs_tensor *
load(gs_weights *w, const char *name, weight_kind kind, gs_dtype dtype, int64_t pad_to, gs_status *status)
{
    w->ctx->last_status = GS_ERR_FORMAT;
    const gs_tensor_ref *r = gs_tensor_map_find(w->map, name);
    if (!r || (kind == AS_LINEAR && (r->ndim < 2 || r->rows == 0))) {
        *status = gs_fail(w->ctx, GS_ERR_FORMAT, "the model has no %s \"%s\"", kind == AS_LINEAR ? "matrix" : "tensor",
                          name);
        return NULL;
    }
    int64_t n = gs_tensor_ref_numel(r);
    if (kind == AS_CONV_TAPS && (r->ndim != 4 || r->shape[2] != r->shape[3] ||
                                 !gs_conv2d_taps_major(w->ctx, r->shape[0], r->shape[1], r->shape[2])))
        kind = AS_MATRIX;
    /* Padded: the out features (a vector's only dim) rounded up with zeros. */
    int64_t padded_rows = kind == AS_LINEAR ? (r->rows + pad_to - 1) / pad_to * pad_to : 0;
    int64_t padded_n = kind == AS_LINEAR ? n / r->rows * padded_rows : (n + pad_to - 1) / pad_to * pad_to;
    const void *halves = dtype == GS_F16 ? gs_tensor_ref_halves(r) : NULL;
    float *src = halves ? NULL : g_try_new0(float, MAX(padded_n, 1));
    void *dst = kind == AS_LINEAR || kind == AS_CONV_TAPS ? g_try_malloc0((gsize)padded_n * (halves ? 2 : 4)) : NULL;
    gs_tensor *t = NULL;
    if ((!halves && !src) || ((kind == AS_LINEAR || kind == AS_CONV_TAPS) && !dst)) {
        gs_fail(w->ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory loading %s", name);
    } else if (!halves && gs_tensor_ref_read(r, src) != GS_OK) {
        gs_fail(w->ctx, GS_ERR_UNSUPPORTED, "tensor \"%s\" is not f32, f16 or bf16", name);
    } else if (kind == AS_LINEAR) {
        int64_t rows = r->rows, cols = n / rows;
        if (halves)
            transpose(halves, dst, 2, rows, cols, padded_rows);
        else
            transpose(src, dst, 4, rows, cols, padded_rows);
        int64_t shape[2] = { cols, padded_rows };
        t = gs_tensor_new(w->ctx, dtype, 2, shape);
        if (t && (halves ? gs_tensor_upload_f16(t, dst, padded_n) : gs_tensor_upload(t, dst, padded_n)) != GS_OK)
            g_clear_pointer(&t, gs_tensor_free);
    } else if (kind == AS_CONV_TAPS) {
        /* [O, C, k, k] → [O, k, k, C]: each output channel's [C, k·k] transposed. */
        int64_t o = r->shape[0], c = r->shape[1], taps = r->shape[2] * r->shape[3], size = halves ? 2 : 4;
        for (int64_t i = 0, at = 0; i < o; i++, at += c * taps * size) {
            if (halves)
                transpose((const uint8_t *)halves + at, (uint8_t *)dst + at, 2, c, taps, c);
            else
                transpose((const uint8_t *)src + at, (uint8_t *)dst + at, 4, c, taps, c);
        }
        int64_t shape[4] = { o, r->shape[2], r->shape[3], c };
        t = gs_tensor_new(w->ctx, dtype, 4, shape);
        if (t && (halves ? gs_tensor_upload_f16(t, dst, n) : gs_tensor_upload(t, dst, n)) != GS_OK)
            g_clear_pointer(&t, gs_tensor_free);
    } else if (r->ndim > GS_MAX_DIMS) {
        gs_fail(w->ctx, GS_ERR_FORMAT, "tensor \"%s\" has %d dims (at most %d)", name, r->ndim, GS_MAX_DIMS);
    } else if (pad_to > 1 && r->ndim != 1) {
        gs_fail(w->ctx, GS_ERR_FORMAT, "tensor \"%s\" has %d dims, not the 1 of a bias", name, r->ndim);
    } else {
        int64_t shape[GS_MAX_DIMS] = { padded_n };
        for (int d = 0; pad_to == 1 && d < r->ndim; d++)
            shape[d] = r->shape[d];
        t = gs_tensor_new(w->ctx, dtype, r->ndim < 1 ? 1 : r->ndim, shape);
        /* Only vectors are padded, and they are never f16. */
        if (t && (halves ? gs_tensor_upload_f16(t, halves, n) : gs_tensor_upload(t, src, padded_n)) != GS_OK)
            g_clear_pointer(&t, gs_tensor_free);
    }
    if (t)
        gs_safetensors_evict(r->file, r->index);
    /* Whatever failed recorded why: a bad file, or the device (out of
     * memory, lost), which the caller handles differently. */
    *status = t ? GS_OK : w->ctx->last_status;
    g_free(src);
    g_free(dst);
    return t;
}

static const gs_tensor *
get(gs_weights *w, gs_graph *g, weight_kind kind, int64_t pad_to, const char *fmt, va_list ap)
{
    if (g->status != GS_OK)
        return NULL;
    g_autofree char *name = g_strdup_vprintf(fmt, ap);
    /* A padded or taps-major copy is kept apart from the plain one, under its own key. */
    g_autofree char *padded_key = pad_to > 1            ? g_strdup_printf("%s#padded%" G_GINT64_FORMAT, name, pad_to)
                                  : kind == AS_CONV_TAPS ? g_strdup_printf("%s#taps", name)
                                                         : NULL;
    gs_tensor *t = g_hash_table_lookup(w->loaded, padded_key ? padded_key : name);
    if (t)
        return t;
    gs_dtype dtype = kind != AS_VECTOR && gs_context_has_fp16_storage(w->ctx) ? GS_F16 : GS_F32;
    gs_status status;
    t = load(w, name, kind, dtype, pad_to, &status);
    if (!t) {
        gs_graph_fail(g, status);
        return NULL;
    }
    if (w->on_upload && !w->on_upload((uint64_t)gs_tensor_numel(t) * (dtype == GS_F16 ? 2 : 4), w->on_upload_data)) {
        gs_tensor_free(t);
        gs_graph_fail(g, gs_fail(w->ctx, GS_ERR_CANCELLED, "loading cancelled"));
        return NULL;
    }
    g_hash_table_insert(w->loaded, padded_key ? g_steal_pointer(&padded_key) : g_steal_pointer(&name), t);
    return t;
}

const gs_tensor *
gs_weights_matrix(gs_weights *w, gs_graph *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const gs_tensor *t = get(w, g, AS_MATRIX, 1, fmt, ap);
    va_end(ap);
    return t;
}

const gs_tensor *
gs_weights_conv(gs_weights *w, gs_graph *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const gs_tensor *t = get(w, g, AS_CONV_TAPS, 1, fmt, ap);
    va_end(ap);
    return t;
}

const gs_tensor *
gs_weights_linear(gs_weights *w, gs_graph *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const gs_tensor *t = get(w, g, AS_LINEAR, 1, fmt, ap);
    va_end(ap);
    return t;
}

const gs_tensor *
gs_weights_vector(gs_weights *w, gs_graph *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const gs_tensor *t = get(w, g, AS_VECTOR, 1, fmt, ap);
    va_end(ap);
    return t;
}

const gs_tensor *
gs_weights_linear_padded(gs_weights *w, gs_graph *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const gs_tensor *t = get(w, g, AS_LINEAR, GS_WEIGHTS_PAD, fmt, ap);
    va_end(ap);
    return t;
}

const gs_tensor *
gs_weights_vector_padded(gs_weights *w, gs_graph *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const gs_tensor *t = get(w, g, AS_VECTOR, GS_WEIGHTS_PAD, fmt, ap);
    va_end(ap);
    return t;
}

bool
gs_weights_has(gs_weights *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *name = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    bool has = gs_tensor_map_has(w->map, name);
    g_free(name);
    return has;
}
