/* Elementwise add and multiply with broadcasting of the second operand.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "vk/gs-vk-private.h"

#include "add_f32.spv.h"
#include "mul_f32.spv.h"
#include "add_texels.spv.h"
#include "mul_texels.spv.h"

#define WORKGROUP 256

typedef struct {
    VkDeviceAddress dst, a, b;
    uint32_t count;
    uint32_t ne1, ne2, ne3;
    uint32_t bs0, bs1, bs2, bs3;
} binary_push;

static gs_status
binary(gs_stream *s, gs_kernel kernel, gs_kernel texel_kernel, const char *name, gs_tensor *out, const gs_tensor *a,
       const gs_tensor *b)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st;
    if ((st = gs_check_dtype(ctx, name, out, GS_F32)) || (st = gs_check_dtype(ctx, name, a, GS_F32)) ||
        (st = gs_check_dtype(ctx, name, b, GS_F32)))
        return st;
    if (!gs_same_shape(out, a) || b->ndim > a->ndim)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "%s: output must match a, and b may not have more dims", name);

    /* Right-align both shapes into 4 dims; b's stride is 0 where it broadcasts. */
    int64_t ne[4] = { 1, 1, 1, 1 }, bne[4] = { 1, 1, 1, 1 };
    for (int i = 0; i < a->ndim; i++)
        ne[4 - a->ndim + i] = a->shape[i];
    for (int i = 0; i < b->ndim; i++)
        bne[4 - b->ndim + i] = b->shape[i];
    uint32_t bs[4];
    int64_t stride = 1;
    for (int i = 3; i >= 0; i--) {
        if (bne[i] != ne[i] && bne[i] != 1)
            return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "%s: cannot broadcast dim of %lld over %lld", name,
                           (long long)bne[i], (long long)ne[i]);
        bs[i] = bne[i] == 1 ? 0 : (uint32_t)stride;
        stride *= bne[i];
    }
    binary_push push = {
        gs_tensor_address(out), gs_tensor_address(a), gs_tensor_address(b),
        (uint32_t)gs_tensor_numel(a), (uint32_t)ne[1], (uint32_t)ne[2], (uint32_t)ne[3],
        bs[0], bs[1], bs[2], bs[3],
    };
    bool same_shape = gs_tensor_numel(b) == gs_tensor_numel(a); /* then b broadcasts nowhere */
    gs_binding bindings[] = { { out, GS_WRITE }, { a, GS_READ }, { b, GS_READ } };
    /* CPU drivers: 4 elements per invocation, read as texels (2.2× at 512 Ki elements). */
    if (same_shape && push.count % 4 == 0 && gs_vec4_texel_path(ctx, out, a, b, push.count / 4, WORKGROUP)) {
        gs_texel_binding texels[2] = { { a, VK_FORMAT_R32G32B32A32_SFLOAT }, { b, VK_FORMAT_R32G32B32A32_SFLOAT } };
        push.count /= 4;
        texel_kernel.spec[0] = WORKGROUP;
        texel_kernel.spec_count = 1;
        return gs_stream_dispatch_texels(s, &texel_kernel, &push, sizeof push, bindings, 3, texels, 2,
                                         gs_groups(push.count, WORKGROUP), 1, 1);
    }
    kernel.spec[0] = WORKGROUP;
    kernel.spec[1] = same_shape;
    kernel.spec_count = 2;
    return gs_stream_dispatch_1d(s, &kernel, &push, sizeof push, bindings, 3, gs_tensor_numel(a), WORKGROUP);
}

gs_status
gs_op_add(gs_stream *s, gs_tensor *out, const gs_tensor *a, const gs_tensor *b)
{
    return binary(s, GS_KERNEL(add_f32), GS_KERNEL(add_texels), "add", out, a, b);
}

gs_status
gs_op_mul(gs_stream *s, gs_tensor *out, const gs_tensor *a, const gs_tensor *b)
{
    return binary(s, GS_KERNEL(mul_f32), GS_KERNEL(mul_texels), "mul", out, a, b);
}
