/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdarg.h>
#include <stdio.h>

#include <glib.h>

#include "gs-weights.h"
#include "vk/gs-vk-private.h"

struct gs_weights {
    gs_context *ctx;
    const gs_safetensors *file;
    GHashTable *loaded; /* name → gs_tensor */
};

gs_weights *
gs_weights_new(gs_context *ctx, const gs_safetensors *file)
{
    gs_weights *w = g_new0(gs_weights, 1);
    w->ctx = ctx;
    w->file = file;
    w->loaded = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)gs_tensor_free);
    return w;
}

void
gs_weights_free(gs_weights *w)
{
    if (!w)
        return;
    g_hash_table_destroy(w->loaded);
    g_free(w);
}

typedef enum { AS_VECTOR, AS_MATRIX, AS_LINEAR } weight_kind;

/* Uploads a [out, in…] file tensor (a Linear weight, or a Conv1d weight
 * [out, in, K] whose trailing dims flatten) as [in…, out]. */
static gs_tensor *
load_transposed(gs_weights *w, const char *name, gs_dtype dtype)
{
    int i = gs_safetensors_find(w->file, name);
    if (i < 0 || gs_safetensors_ndim(w->file, i) < 2 || gs_safetensors_dim(w->file, i, 0) == 0) {
        gs_fail(w->ctx, GS_ERR_FORMAT, "the model has no matrix \"%s\"", name);
        return NULL;
    }
    int64_t rows = gs_safetensors_dim(w->file, i, 0), cols = gs_safetensors_numel(w->file, i) / rows;
    float *src = g_try_new(float, rows * cols), *dst = g_try_new(float, rows * cols);
    gs_tensor *t = NULL;
    if (!src || !dst) {
        gs_fail(w->ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory loading %s", name);
    } else if (gs_safetensors_read(w->file, i, src) != GS_OK) {
        gs_fail(w->ctx, GS_ERR_UNSUPPORTED, "tensor \"%s\" is not f32, f16 or bf16", name);
    } else {
        for (int64_t r = 0; r < rows; r++)
            for (int64_t c = 0; c < cols; c++)
                dst[c * rows + r] = src[r * cols + c];
        int64_t shape[2] = { cols, rows };
        t = gs_tensor_new(w->ctx, dtype, 2, shape);
        if (t && gs_tensor_upload(t, dst, rows * cols) != GS_OK)
            g_clear_pointer(&t, gs_tensor_free);
    }
    g_free(src);
    g_free(dst);
    return t;
}

static const gs_tensor *
get(gs_weights *w, gs_graph *g, weight_kind kind, const char *fmt, va_list ap)
{
    if (g->status != GS_OK)
        return NULL;
    char *name = g_strdup_vprintf(fmt, ap);
    gs_tensor *t = g_hash_table_lookup(w->loaded, name);
    if (t) {
        g_free(name);
        return t;
    }
    gs_dtype dtype = kind != AS_VECTOR && gs_context_has_fp16_storage(w->ctx) ? GS_F16 : GS_F32;
    t = kind == AS_LINEAR ? load_transposed(w, name, dtype) : gs_safetensors_load(w->ctx, w->file, name, dtype, 0, NULL);
    if (!t) {
        g_free(name);
        gs_graph_fail(g, GS_ERR_FORMAT);
        return NULL;
    }
    g_hash_table_insert(w->loaded, name, t);
    return t;
}

const gs_tensor *
gs_weights_matrix(gs_weights *w, gs_graph *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const gs_tensor *t = get(w, g, AS_MATRIX, fmt, ap);
    va_end(ap);
    return t;
}

const gs_tensor *
gs_weights_linear(gs_weights *w, gs_graph *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const gs_tensor *t = get(w, g, AS_LINEAR, fmt, ap);
    va_end(ap);
    return t;
}

const gs_tensor *
gs_weights_vector(gs_weights *w, gs_graph *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const gs_tensor *t = get(w, g, AS_VECTOR, fmt, ap);
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
    bool has = gs_safetensors_find(w->file, name) >= 0;
    g_free(name);
    return has;
}

int64_t
gs_weights_dim(gs_weights *w, const char *name, int d)
{
    int i = gs_safetensors_find(w->file, name);
    if (i < 0 || d < 0 || d >= gs_safetensors_ndim(w->file, i))
        return -1;
    return gs_safetensors_dim(w->file, i, d);
}
