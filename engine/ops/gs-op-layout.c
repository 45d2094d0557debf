/* Concatenation, transposition, nearest upsampling, zero padding and the
 * sinusoidal timestep embedding: data movement and small generators sharing
 * a shader.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "vk/gs-vk-private.h"

#include "concat.spv.h"
#include "concat_texels.spv.h"
#include "pad2d.spv.h"
#include "padded_nhwc.spv.h"
#include "depth_to_space.spv.h"
#include "timestep.spv.h"
#include "transpose.spv.h"
#include "upsample.spv.h"

#define WORKGROUP 256

typedef struct {
    VkDeviceAddress dst, a, b;
    uint32_t count, n0, n1, n2, n3, n4, n5;
    float f0;
} misc_push;

/* One invocation per `items` (out's elements, or fewer when each writes several). */
static gs_status
dispatch_items(gs_stream *s, gs_kernel kernel, misc_push *push, gs_tensor *out, const gs_tensor *a,
               const gs_tensor *b, int64_t items)
{
    push->dst = gs_tensor_address(out);
    push->a = gs_tensor_address(a);
    push->b = b ? gs_tensor_address(b) : 0;
    push->count = (uint32_t)items;
    kernel.spec[0] = WORKGROUP;
    kernel.spec_count = 1;
    gs_binding bindings[] = { { out, GS_WRITE }, { a, GS_READ }, { b, GS_READ } };
    return gs_stream_dispatch_1d(s, &kernel, push, sizeof *push, bindings, b ? 3 : 2, items, WORKGROUP);
}

static gs_status
dispatch(gs_stream *s, gs_kernel kernel, misc_push *push, gs_tensor *out, const gs_tensor *a, const gs_tensor *b)
{
    return dispatch_items(s, kernel, push, out, a, b, gs_tensor_numel(out));
}

static gs_status
check_f32(gs_context *ctx, const char *op, const gs_tensor *out, const gs_tensor *a, const gs_tensor *b)
{
    gs_status st;
    if ((st = gs_check_dtype(ctx, op, out, GS_F32)) || (st = gs_check_dtype(ctx, op, a, GS_F32)) ||
        (b && (st = gs_check_dtype(ctx, op, b, GS_F32))))
        return st;
    return GS_OK;
}

gs_status
gs_op_concat(gs_stream *s, gs_tensor *out, const gs_tensor *a, const gs_tensor *b, int dim)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st = check_f32(ctx, "concat", out, a, b);
    if (st != GS_OK)
        return st;
    bool ok = a->ndim == b->ndim && a->ndim == out->ndim && dim >= 0 && dim < a->ndim;
    for (int i = 0; ok && i < a->ndim; i++)
        ok = i == dim ? out->shape[i] == a->shape[i] + b->shape[i]
                      : a->shape[i] == b->shape[i] && a->shape[i] == out->shape[i];
    if (!ok)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "concat: shapes must agree except along dim %d", dim);
    int64_t inner = 1;
    for (int i = dim + 1; i < a->ndim; i++)
        inner *= a->shape[i];
    misc_push push = { .n0 = (uint32_t)(a->shape[dim] * inner), .n1 = (uint32_t)(b->shape[dim] * inner) };
    /* CPU drivers: 4 elements per invocation, read as texels (the UNet's skip
     * concatenations, 635 µs each one float at a time). */
    int64_t texels = gs_tensor_numel(out) / 4;
    if (push.n0 % 4 == 0 && push.n1 % 4 == 0 && gs_vec4_texel_path(ctx, out, a, b, texels, WORKGROUP)) {
        gs_texel_binding views[2] = { { a, VK_FORMAT_R32G32B32A32_SFLOAT }, { b, VK_FORMAT_R32G32B32A32_SFLOAT } };
        gs_kernel kernel = GS_KERNEL(concat_texels);
        kernel.spec[0] = WORKGROUP;
        kernel.spec_count = 1;
        push.dst = gs_tensor_address(out);
        push.count = (uint32_t)texels;
        push.n0 /= 4;
        push.n1 /= 4;
        gs_binding bindings[] = { { out, GS_WRITE }, { a, GS_READ }, { b, GS_READ } };
        return gs_stream_dispatch_texels(s, &kernel, &push, sizeof push, bindings, 3, views, 2,
                                         gs_groups(texels, WORKGROUP), 1, 1);
    }
    return dispatch(s, GS_KERNEL(concat), &push, out, a, b);
}

gs_status
gs_op_transpose(gs_stream *s, gs_tensor *out, const gs_tensor *x)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st = check_f32(ctx, "transpose", out, x, NULL);
    if (st != GS_OK)
        return st;
    int nd = x->ndim;
    if (nd < 2 || out->ndim != nd || out->shape[nd - 1] != x->shape[nd - 2] || out->shape[nd - 2] != x->shape[nd - 1] ||
        gs_tensor_numel(out) != gs_tensor_numel(x))
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "transpose: out must be x with its last two dims swapped");
    misc_push push = { .n0 = (uint32_t)x->shape[nd - 2], .n1 = (uint32_t)x->shape[nd - 1] };
    return dispatch(s, GS_KERNEL(transpose), &push, out, x, NULL);
}

gs_status
gs_op_upsample_nearest2x(gs_stream *s, gs_tensor *out, const gs_tensor *x)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st = check_f32(ctx, "upsample", out, x, NULL);
    if (st != GS_OK)
        return st;
    if (x->ndim != 4 || out->ndim != 4 || out->shape[0] != x->shape[0] || out->shape[1] != x->shape[1] ||
        out->shape[2] != 2 * x->shape[2] || out->shape[3] != 2 * x->shape[3])
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "upsample: out must be [N,C,2H,2W] of x [N,C,H,W]");
    misc_push push = { .n0 = (uint32_t)x->shape[2], .n1 = (uint32_t)x->shape[3] };
    return dispatch(s, GS_KERNEL(upsample), &push, out, x, NULL);
}

gs_status
gs_op_padded_nhwc(gs_stream *s, gs_tensor *out, const gs_tensor *x, int pad)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st = check_f32(ctx, "padded_nhwc", out, x, NULL);
    if (st != GS_OK)
        return st;
    if (x->ndim != 4 || pad < 0 || pad > 2)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "padded_nhwc: x must be [N,C,H,W] and pad 0 to 2");
    int64_t n = x->shape[0], c = x->shape[1], h = x->shape[2], w = x->shape[3];
    if (out->ndim != 4 || out->shape[0] != n || out->shape[1] != h + 2 * pad || out->shape[2] != w + 2 * pad ||
        out->shape[3] != c)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "padded_nhwc: out must be [%lld,%lld,%lld,%lld]", (long long)n,
                       (long long)(h + 2 * pad), (long long)(w + 2 * pad), (long long)c);
    if (c % 4 || gs_tensor_address(out) % 16 || gs_tensor_numel(out) > UINT32_MAX)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT,
                       "padded_nhwc: channels must be a multiple of 4, out 16-byte aligned, at most 2^32 elements");
    misc_push push = { .n0 = (uint32_t)(c / 4), .n1 = (uint32_t)h, .n2 = (uint32_t)w, .n3 = (uint32_t)pad };
    return dispatch_items(s, GS_KERNEL(padded_nhwc), &push, out, x, NULL, gs_tensor_numel(out) / 4);
}

gs_status
gs_op_pad2d(gs_stream *s, gs_tensor *out, const gs_tensor *x, int top, int bottom, int left, int right)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st = check_f32(ctx, "pad2d", out, x, NULL);
    if (st != GS_OK)
        return st;
    /* A negative pad crops; at least one row and column must remain. */
    if (x->ndim != 4 || x->shape[2] + top + bottom < 1 || x->shape[3] + left + right < 1)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "pad2d: x must be 4-D and not be cropped away");
    if (out->ndim != 4 || out->shape[0] != x->shape[0] || out->shape[1] != x->shape[1] ||
        out->shape[2] != x->shape[2] + top + bottom || out->shape[3] != x->shape[3] + left + right)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "pad2d: out must be [N,C,%lld,%lld] for x [N,C,H,W]",
                       (long long)(x->shape[2] + top + bottom), (long long)(x->shape[3] + left + right));
    misc_push push = { .n0 = (uint32_t)x->shape[2], .n1 = (uint32_t)x->shape[3], .n2 = (uint32_t)out->shape[2],
                       .n3 = (uint32_t)out->shape[3], .n4 = (uint32_t)top, .n5 = (uint32_t)left };
    return dispatch(s, GS_KERNEL(pad2d), &push, out, x, NULL);
}

gs_status
gs_op_depth_to_space(gs_stream *s, gs_tensor *out, const gs_tensor *x, int block)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st = check_f32(ctx, "depth_to_space", out, x, NULL);
    if (st != GS_OK)
        return st;
    int64_t r = block;
    if (block < 1 || x->ndim != 4 || out->ndim != 4 || x->shape[1] % (r * r) != 0 || out->shape[0] != x->shape[0] ||
        out->shape[1] != x->shape[1] / (r * r) || out->shape[2] != x->shape[2] * r || out->shape[3] != x->shape[3] * r)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT,
                       "depth_to_space: x must be [N,C·r²,H,W] and out [N,C,H·r,W·r] (r = %d)", block);
    if (gs_tensor_numel(out) > UINT32_MAX)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "depth_to_space: more than 2^32 elements");
    misc_push push = { .n0 = (uint32_t)x->shape[2], .n1 = (uint32_t)x->shape[3], .n2 = (uint32_t)r };
    return dispatch(s, GS_KERNEL(depth_to_space), &push, out, x, NULL);
}

gs_status
gs_op_timestep_embedding(gs_stream *s, gs_tensor *out, const gs_tensor *t, int dim, float max_period, bool cos_first)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st = check_f32(ctx, "timestep_embedding", out, t, NULL);
    if (st != GS_OK)
        return st;
    if (dim < 2 || t->ndim != 1 || out->ndim != 2 || out->shape[0] != t->shape[0] || out->shape[1] != dim ||
        !(max_period > 1))
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "timestep_embedding: out must be [N,%d] for t [N]", dim);
    misc_push push = { .n0 = (uint32_t)dim, .n1 = cos_first, .f0 = logf(max_period) };
    return dispatch(s, GS_KERNEL(timestep), &push, out, t, NULL);
}
