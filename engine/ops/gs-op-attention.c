/* Fused scaled-dot-product attention.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "vk/gs-vk-private.h"

#include "attention.spv.h"
#include "attention_direct.spv.h"

#define QUERIES_PER_GROUP 32
#define KEYS_PER_TILE 16
#define MAX_HEAD_DIM 128

typedef struct {
    VkDeviceAddress dst, q, k, v;
    uint32_t lq, lk, heads;
    uint32_t causal;
    float scale;
} attention_push;

gs_status
gs_op_attention(gs_stream *s, gs_tensor *out, const gs_tensor *q, const gs_tensor *k, const gs_tensor *v, int heads,
                bool causal)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st;
    if ((st = gs_check_dtype(ctx, "attention", out, GS_F32)) || (st = gs_check_dtype(ctx, "attention", q, GS_F32)) ||
        (st = gs_check_dtype(ctx, "attention", k, GS_F32)) || (st = gs_check_dtype(ctx, "attention", v, GS_F32)))
        return st;
    if (q->ndim != 3 || k->ndim != 3 || !gs_same_shape(k, v) || !gs_same_shape(out, q) || q->shape[0] != k->shape[0] ||
        q->shape[2] != k->shape[2])
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "attention: q/out must be [B,Lq,H·D] and k/v [B,Lk,H·D]");
    int64_t width = q->shape[2];
    if (heads < 1 || width % heads || width / heads > MAX_HEAD_DIM)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "attention: width %lld does not split into %d heads of at most %d",
                       (long long)width, heads, MAX_HEAD_DIM);
    int64_t d = width / heads;
    attention_push push = {
        gs_tensor_address(out), gs_tensor_address(q), gs_tensor_address(k), gs_tensor_address(v),
        (uint32_t)q->shape[1], (uint32_t)k->shape[1], (uint32_t)heads, causal, (float)(1.0 / sqrt((double)d)),
    };
    gs_kernel kernel = gs_cpu_kernels(ctx) ? GS_KERNEL(attention_direct) : GS_KERNEL(attention);
    kernel.spec[0] = QUERIES_PER_GROUP;
    kernel.spec[1] = (uint32_t)d;
    kernel.spec[2] = KEYS_PER_TILE;
    kernel.spec_count = 3;
    gs_binding bindings[] = { { out, GS_WRITE }, { q, GS_READ }, { k, GS_READ }, { v, GS_READ } };
    return gs_stream_dispatch(s, &kernel, &push, sizeof push, bindings, 4, gs_groups(q->shape[1], QUERIES_PER_GROUP),
                              (uint32_t)(q->shape[0] * heads), 1);
}
