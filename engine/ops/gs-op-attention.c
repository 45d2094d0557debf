/* Fused scaled-dot-product attention.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "vk/gs-vk-private.h"

#include "attention.spv.h"
#include "attention_direct.spv.h"
#include "attention_lanes.spv.h"
#include "attention_lanes_w64.spv.h"
#include "attention_lanes_texels.spv.h"

#define QUERIES_PER_GROUP 32
#define KEYS_PER_TILE 16
/* SD 1.x's UNet has 8 heads of 160 at 1280 channels. Every variant keeps a
 * query and its output accumulator in registers (2·D floats per query), so
 * D is bounded; the VAE's single 512-wide head is composed from matmuls and
 * a softmax in gs-vae.c instead. */
#define MAX_HEAD_DIM 256

/* attention_lanes.comp: a workgroup is one subgroup of LANES invocations,
 * each owning a few queries. Measured on lavapipe at seq 1024, head 64
 * (CPU time, one core): 1 query per lane 4.1 GFLOP/s, 2 7.9, 4 17, 8 21.
 * More queries per lane amortise the key and value loads, but compile time
 * grows with the square of queries × head dim (head 128 with 8 queries per
 * lane: 72 s), so their product is held at LANE_QUERY_DIMS. With 64-bit
 * loads (CPU time, one core; engine/README.md), 512 against 256 gave 24
 * against 19 GFLOP/s at seq 4096 head 64 and 18–20 against 10.5 at seq 1024
 * head 160, compiling in about a second; 1024 gained ~10% more for 15–28 s
 * of compile. */
#define LANES 8
#define LANE_QUERY_DIMS 512
#define MAX_LANE_QUERIES 8

typedef struct {
    VkDeviceAddress dst, q, k, v;
    uint32_t lq, lk, heads;
    uint32_t causal;
    float scale;
} attention_push;

/* attention.comp stages KT keys and values of D floats in shared memory:
 * 16 keys up to D = 128 in the 16 KiB every Vulkan device has, fewer for
 * wider heads where the device has no more. */
static uint32_t
keys_per_tile(gs_context *ctx, int64_t d)
{
    uint64_t fit = gs_context_device(ctx, gs_context_chosen_device(ctx))->shared_memory_bytes / (2 * sizeof(float) * d);
    return fit >= KEYS_PER_TILE ? KEYS_PER_TILE : fit < 1 ? 1 : (uint32_t)fit;
}

/* The lanes kernel loads keys and values as vec4s. */
static bool
use_lanes_kernel(gs_context *ctx, const gs_tensor *k, const gs_tensor *v, int64_t d)
{
    return gs_cpu_kernels(ctx) && gs_context_device(ctx, gs_context_chosen_device(ctx))->subgroup_size == LANES &&
           d % 4 == 0 && gs_tensor_address(k) % 16 == 0 && gs_tensor_address(v) % 16 == 0;
}

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
        q->shape[2] != k->shape[2] || k->shape[1] < 1)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT,
                       "attention: q/out must be [B,Lq,H·D] and k/v [B,Lk,H·D] with at least one key");
    int64_t width = q->shape[2];
    if (heads < 1 || width % heads || width / heads > MAX_HEAD_DIM)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "attention: width %lld does not split into %d heads of at most %d",
                       (long long)width, heads, MAX_HEAD_DIM);
    int64_t d = width / heads;
    attention_push push = {
        gs_tensor_address(out), gs_tensor_address(q), gs_tensor_address(k), gs_tensor_address(v),
        (uint32_t)q->shape[1], (uint32_t)k->shape[1], (uint32_t)heads, causal, (float)(1.0 / sqrt((double)d)),
    };
    gs_binding bindings[] = { { out, GS_WRITE }, { q, GS_READ }, { k, GS_READ }, { v, GS_READ } };
    uint32_t batch_heads = (uint32_t)(q->shape[0] * heads);
    if (use_lanes_kernel(ctx, k, v, d)) {
        bool texels = gs_texel_bindable(ctx, k, VK_FORMAT_R32G32B32A32_SFLOAT) &&
                      gs_texel_bindable(ctx, v, VK_FORMAT_R32G32B32A32_SFLOAT);
        gs_kernel kernel = texels                ? GS_KERNEL(attention_lanes_texels)
                           : gs_int64_loads(ctx) ? GS_KERNEL(attention_lanes_w64)
                                                 : GS_KERNEL(attention_lanes);
        kernel.spec[0] = (uint32_t)d;
        int64_t lane_queries = LANE_QUERY_DIMS / d;
        lane_queries = lane_queries < 1 ? 1 : lane_queries > MAX_LANE_QUERIES ? MAX_LANE_QUERIES : lane_queries;
        kernel.spec[1] = (uint32_t)lane_queries;
        kernel.spec_count = 2;
        gs_texel_binding kv_texels[2] = { { k, VK_FORMAT_R32G32B32A32_SFLOAT }, { v, VK_FORMAT_R32G32B32A32_SFLOAT } };
        return gs_stream_dispatch_texels(s, &kernel, &push, sizeof push, bindings, 4, kv_texels, texels ? 2 : 0,
                                         gs_groups(q->shape[1], (uint32_t)(LANES * lane_queries)), batch_heads, 1);
    }
    bool direct = gs_cpu_kernels(ctx);
    gs_kernel kernel = direct ? GS_KERNEL(attention_direct) : GS_KERNEL(attention);
    kernel.spec[0] = QUERIES_PER_GROUP;
    kernel.spec[1] = (uint32_t)d;
    kernel.spec[2] = direct ? KEYS_PER_TILE : keys_per_tile(ctx, d);
    kernel.spec_count = 3;
    return gs_stream_dispatch(s, &kernel, &push, sizeof push, bindings, 4, gs_groups(q->shape[1], QUERIES_PER_GROUP),
                              batch_heads, 1);
}
