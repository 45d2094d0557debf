/* Softmax over the last dim.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "vk/gs-vk-private.h"

#include "softmax.spv.h"

typedef struct {
    VkDeviceAddress dst, x;
    uint32_t row_len;
} softmax_push;

gs_status
gs_op_softmax(gs_stream *s, gs_tensor *out, const gs_tensor *x)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st;
    if ((st = gs_check_dtype(ctx, "softmax", out, GS_F32)) || (st = gs_check_dtype(ctx, "softmax", x, GS_F32)))
        return st;
    if (!gs_same_shape(out, x))
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "softmax: out and x differ in shape");
    int64_t d = x->shape[x->ndim - 1];
    softmax_push push = { gs_tensor_address(out), gs_tensor_address(x), (uint32_t)d };
    gs_kernel kernel = GS_KERNEL(softmax);
    gs_binding bindings[] = { { out, GS_WRITE }, { x, GS_READ } };
    return gs_stream_dispatch_1d(s, &kernel, &push, sizeof push, bindings, 2, gs_tensor_numel(x) / d, 1);
}
