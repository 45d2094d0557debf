/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "gs-graph.h"

void
gs_graph_init(gs_graph *g, gs_context *ctx, gs_stream *stream)
{
    memset(g, 0, sizeof *g);
    g->ctx = ctx;
    g->stream = stream;
}

void
gs_graph_clear(gs_graph *g)
{
    for (int i = 0; i < g->temp_count; i++)
        gs_tensor_free(g->temps[i]);
    free(g->temps);
    g->temps = NULL;
    g->temp_count = g->temp_capacity = 0;
}

gs_status
gs_graph_finish(gs_graph *g)
{
    /* Submit even after a failure: it ends the recording; the stream then
     * reports the first error itself or we report ours. */
    gs_status submitted = gs_stream_submit(g->stream);
    gs_graph_clear(g);
    return g->status != GS_OK ? g->status : submitted;
}

void
gs_graph_fail(gs_graph *g, gs_status status)
{
    if (g->status == GS_OK)
        g->status = status;
}

static gs_tensor *
track(gs_graph *g, gs_tensor *t)
{
    if (!t) {
        gs_graph_fail(g, GS_ERR_OUT_OF_MEMORY);
        return NULL;
    }
    if (g->temp_count == g->temp_capacity) {
        int cap = g->temp_capacity ? g->temp_capacity * 2 : 64;
        gs_tensor **grown = realloc(g->temps, (size_t)cap * sizeof *grown);
        if (!grown) {
            gs_tensor_free(t);
            gs_graph_fail(g, GS_ERR_OUT_OF_MEMORY);
            return NULL;
        }
        g->temps = grown;
        g->temp_capacity = cap;
    }
    g->temps[g->temp_count++] = t;
    return t;
}

gs_tensor *
gs_graph_tensor(gs_graph *g, int ndim, const int64_t *shape)
{
    if (g->status != GS_OK)
        return NULL;
    return track(g, gs_tensor_new(g->ctx, GS_F32, ndim, shape));
}

gs_tensor *
gs_graph_reshape(gs_graph *g, gs_tensor *x, int ndim, const int64_t *shape)
{
    if (g->status != GS_OK)
        return NULL;
    return track(g, gs_tensor_view(x, 0, ndim, shape));
}

gs_tensor *
gs_graph_view(gs_graph *g, const gs_tensor *x, int64_t offset, int ndim, const int64_t *shape)
{
    if (g->status != GS_OK)
        return NULL;
    /* Views never write through their source's handle; the cast only
     * satisfies gs_tensor_view's signature. */
    return track(g, gs_tensor_view((gs_tensor *)x, offset, ndim, shape));
}

gs_tensor *
gs_graph_keep(gs_graph *g, gs_tensor *t)
{
    for (int i = 0; i < g->temp_count; i++) {
        if (g->temps[i] == t) {
            g->temps[i] = g->temps[--g->temp_count];
            break;
        }
    }
    return t;
}

static void
shape_of(const gs_tensor *x, int *ndim, int64_t *shape)
{
    *ndim = gs_tensor_ndim(x);
    for (int i = 0; i < *ndim; i++)
        shape[i] = gs_tensor_dim(x, i);
}

static gs_tensor *
like(gs_graph *g, const gs_tensor *x)
{
    if (g->status != GS_OK)
        return NULL;
    int ndim;
    int64_t shape[GS_MAX_DIMS];
    shape_of(x, &ndim, shape);
    return gs_graph_tensor(g, ndim, shape);
}

/* Records an op's status; returns `out` on success. */
static gs_tensor *
checked(gs_graph *g, gs_status status, gs_tensor *out)
{
    gs_graph_fail(g, status);
    return g->status == GS_OK ? out : NULL;
}

gs_tensor *
gs_graph_linear(gs_graph *g, const gs_tensor *x, const gs_tensor *w, const gs_tensor *b)
{
    if (g->status != GS_OK)
        return NULL;
    int ndim;
    int64_t shape[GS_MAX_DIMS];
    shape_of(x, &ndim, shape);
    shape[ndim - 1] = gs_tensor_dim(w, 1);
    gs_tensor *out = gs_graph_tensor(g, ndim, shape);
    g->flops += 2.0 * (double)gs_tensor_numel(x) * (double)gs_tensor_dim(w, 1);
    return out ? checked(g, gs_op_matmul(g->stream, out, x, w, b, false), out) : NULL;
}

gs_tensor *
gs_graph_conv2d(gs_graph *g, const gs_tensor *x, const gs_tensor *w, const gs_tensor *b, int stride, int padding)
{
    if (g->status != GS_OK)
        return NULL;
    int64_t k = gs_tensor_dim(w, 2);
    int64_t shape[4] = {
        gs_tensor_dim(x, 0), gs_tensor_dim(w, 0),
        (gs_tensor_dim(x, 2) + 2 * padding - k) / stride + 1,
        (gs_tensor_dim(x, 3) + 2 * padding - k) / stride + 1,
    };
    gs_tensor *out = gs_graph_tensor(g, 4, shape);
    g->flops += 2.0 * (double)(shape[0] * shape[1] * shape[2] * shape[3]) * (double)(gs_tensor_dim(x, 1) * k * k);
    return out ? checked(g, gs_op_conv2d(g->stream, out, x, w, b, stride, padding), out) : NULL;
}

gs_tensor *
gs_graph_conv1d_tokens(gs_graph *g, const gs_tensor *x, const gs_tensor *w, const gs_tensor *b, int kernel,
                       int padding, int dilation)
{
    if (g->status != GS_OK)
        return NULL;
    if (kernel == 1 && padding == 0)
        return gs_graph_linear(g, x, w, b);
    int64_t shape[3] = { gs_tensor_dim(x, 0), gs_tensor_dim(x, 1) + 2 * padding - (int64_t)dilation * (kernel - 1),
                         gs_tensor_dim(x, 2) * kernel };
    gs_tensor *columns = gs_graph_tensor(g, 3, shape);
    columns = columns ? checked(g, gs_op_unfold1d(g->stream, columns, x, kernel, padding, dilation), columns) : NULL;
    return columns ? gs_graph_linear(g, columns, w, b) : NULL;
}

gs_tensor *
gs_graph_exp(gs_graph *g, const gs_tensor *x)
{
    gs_tensor *out = like(g, x);
    return out ? checked(g, gs_op_exp(g->stream, out, x), out) : NULL;
}

gs_tensor *
gs_graph_group_norm(gs_graph *g, const gs_tensor *x, const gs_tensor *gamma, const gs_tensor *beta, int groups,
                    float eps, bool silu)
{
    gs_tensor *out = like(g, x);
    return out ? checked(g, gs_op_group_norm(g->stream, out, x, gamma, beta, groups, eps, silu), out) : NULL;
}

gs_tensor *
gs_graph_layer_norm(gs_graph *g, const gs_tensor *x, const gs_tensor *gamma, const gs_tensor *beta, float eps)
{
    gs_tensor *out = like(g, x);
    return out ? checked(g, gs_op_layer_norm(g->stream, out, x, gamma, beta, eps), out) : NULL;
}

gs_tensor *
gs_graph_attention(gs_graph *g, const gs_tensor *q, const gs_tensor *k, const gs_tensor *v, int heads, bool causal)
{
    gs_tensor *out = like(g, q);
    if (out) /* QK^T and PV: 2·2·B·Lq·Lk·(H·D) */
        g->flops += 4.0 * (double)gs_tensor_numel(q) * (double)gs_tensor_dim(k, gs_tensor_ndim(k) - 2);
    return out ? checked(g, gs_op_attention(g->stream, out, q, k, v, heads, causal), out) : NULL;
}

gs_tensor *
gs_graph_gelu(gs_graph *g, const gs_tensor *x)
{
    gs_tensor *out = like(g, x);
    return out ? checked(g, gs_op_gelu(g->stream, out, x), out) : NULL;
}

gs_tensor *
gs_graph_silu(gs_graph *g, const gs_tensor *x)
{
    gs_tensor *out = like(g, x);
    return out ? checked(g, gs_op_silu(g->stream, out, x), out) : NULL;
}

gs_tensor *
gs_graph_geglu(gs_graph *g, const gs_tensor *x)
{
    if (g->status != GS_OK)
        return NULL;
    int ndim;
    int64_t shape[GS_MAX_DIMS];
    shape_of(x, &ndim, shape);
    shape[ndim - 1] /= 2;
    gs_tensor *out = gs_graph_tensor(g, ndim, shape);
    return out ? checked(g, gs_op_geglu(g->stream, out, x), out) : NULL;
}

gs_tensor *
gs_graph_add(gs_graph *g, const gs_tensor *a, const gs_tensor *b)
{
    gs_tensor *out = like(g, a);
    return out ? checked(g, gs_op_add(g->stream, out, a, b), out) : NULL;
}

gs_tensor *
gs_graph_mul(gs_graph *g, const gs_tensor *a, const gs_tensor *b)
{
    gs_tensor *out = like(g, a);
    return out ? checked(g, gs_op_mul(g->stream, out, a, b), out) : NULL;
}

void
gs_graph_add_into(gs_graph *g, gs_tensor *a, const gs_tensor *b)
{
    if (g->status == GS_OK)
        gs_graph_fail(g, gs_op_add(g->stream, a, a, b));
}

gs_tensor *
gs_graph_concat(gs_graph *g, const gs_tensor *a, const gs_tensor *b, int dim)
{
    if (g->status != GS_OK)
        return NULL;
    int ndim;
    int64_t shape[GS_MAX_DIMS];
    shape_of(a, &ndim, shape);
    shape[dim] += gs_tensor_dim(b, dim);
    gs_tensor *out = gs_graph_tensor(g, ndim, shape);
    return out ? checked(g, gs_op_concat(g->stream, out, a, b, dim), out) : NULL;
}

gs_tensor *
gs_graph_transpose(gs_graph *g, const gs_tensor *x)
{
    if (g->status != GS_OK)
        return NULL;
    int ndim;
    int64_t shape[GS_MAX_DIMS];
    shape_of(x, &ndim, shape);
    int64_t last = shape[ndim - 1];
    shape[ndim - 1] = shape[ndim - 2];
    shape[ndim - 2] = last;
    gs_tensor *out = gs_graph_tensor(g, ndim, shape);
    return out ? checked(g, gs_op_transpose(g->stream, out, x), out) : NULL;
}

gs_tensor *
gs_graph_upsample2x(gs_graph *g, const gs_tensor *x)
{
    if (g->status != GS_OK)
        return NULL;
    int64_t shape[4] = { gs_tensor_dim(x, 0), gs_tensor_dim(x, 1), 2 * gs_tensor_dim(x, 2),
                         2 * gs_tensor_dim(x, 3) };
    gs_tensor *out = gs_graph_tensor(g, 4, shape);
    return out ? checked(g, gs_op_upsample_nearest2x(g->stream, out, x), out) : NULL;
}

gs_tensor *
gs_graph_timestep_embedding(gs_graph *g, const gs_tensor *t, int dim)
{
    if (g->status != GS_OK)
        return NULL;
    int64_t shape[2] = { gs_tensor_dim(t, 0), dim };
    gs_tensor *out = gs_graph_tensor(g, 2, shape);
    return out ? checked(g, gs_op_timestep_embedding(g->stream, out, t, dim, 10000.0f, true), out) : NULL;
}

gs_tensor *
gs_graph_quick_gelu(gs_graph *g, const gs_tensor *x)
{
    gs_tensor *out = like(g, x);
    return out ? checked(g, gs_op_quick_gelu(g->stream, out, x), out) : NULL;
}

gs_tensor *
gs_graph_softmax(gs_graph *g, const gs_tensor *x)
{
    gs_tensor *out = like(g, x);
    return out ? checked(g, gs_op_softmax(g->stream, out, x), out) : NULL;
}

gs_tensor *
gs_graph_matmul(gs_graph *g, const gs_tensor *a, const gs_tensor *b, bool transpose_b)
{
    if (g->status != GS_OK)
        return NULL;
    int ndim;
    int64_t shape[GS_MAX_DIMS];
    shape_of(a, &ndim, shape);
    shape[ndim - 1] = gs_tensor_dim(b, transpose_b ? 0 : 1);
    gs_tensor *out = gs_graph_tensor(g, ndim, shape);
    g->flops += 2.0 * (double)gs_tensor_numel(a) * (double)shape[ndim - 1];
    return out ? checked(g, gs_op_matmul(g->stream, out, a, b, NULL, transpose_b), out) : NULL;
}

gs_tensor *
gs_graph_scale(gs_graph *g, const gs_tensor *x, float factor)
{
    int64_t one = 1;
    gs_tensor *f = g->status == GS_OK ? gs_graph_tensor(g, 1, &one) : NULL;
    if (f)
        gs_graph_fail(g, gs_tensor_upload(f, &factor, 1));
    gs_tensor *out = f ? like(g, x) : NULL;
    return out ? checked(g, gs_op_mul(g->stream, out, x, f), out) : NULL;
}

gs_tensor *
gs_graph_pad2d(gs_graph *g, const gs_tensor *x, int top, int bottom, int left, int right)
{
    if (g->status != GS_OK)
        return NULL;
    int64_t shape[4] = { gs_tensor_dim(x, 0), gs_tensor_dim(x, 1), gs_tensor_dim(x, 2) + top + bottom,
                         gs_tensor_dim(x, 3) + left + right };
    gs_tensor *out = gs_graph_tensor(g, 4, shape);
    return out ? checked(g, gs_op_pad2d(g->stream, out, x, top, bottom, left, right), out) : NULL;
}

gs_tensor *
gs_graph_flush(gs_graph *g, gs_tensor *keep)
{
    if (keep)
        gs_graph_keep(g, keep);
    gs_status submitted = gs_stream_submit(g->stream);
    for (int i = 0; i < g->temp_count; i++)
        gs_tensor_free(g->temps[i]);
    g->temp_count = 0;
    gs_graph_fail(g, submitted);
    if (!keep)
        return NULL;
    if (g->status != GS_OK) {
        gs_tensor_free(keep);
        return NULL;
    }
    return track(g, keep);
}
