/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdarg.h>
#include <stdio.h>

#include <glib.h>

#include "gs-weights.h"

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

static const gs_tensor *
get(gs_weights *w, gs_graph *g, bool matrix, const char *fmt, va_list ap)
{
    if (g->status != GS_OK)
        return NULL;
    char *name = g_strdup_vprintf(fmt, ap);
    gs_tensor *t = g_hash_table_lookup(w->loaded, name);
    if (t) {
        g_free(name);
        return t;
    }
    gs_dtype dtype = matrix && gs_context_has_fp16_storage(w->ctx) ? GS_F16 : GS_F32;
    t = gs_safetensors_load(w->ctx, w->file, name, dtype, 0, NULL);
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
    const gs_tensor *t = get(w, g, true, fmt, ap);
    va_end(ap);
    return t;
}

const gs_tensor *
gs_weights_vector(gs_weights *w, gs_graph *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const gs_tensor *t = get(w, g, false, fmt, ap);
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
