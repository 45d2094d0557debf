/* GELU, quick GELU, SiLU, ReLU, exp, log and GEGLU.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "vk/gs-vk-private.h"

#include "exp.spv.h"
#include "gelu.spv.h"
#include "geglu.spv.h"
#include "geglu_texels.spv.h"
#include "log.spv.h"
#include "quick_gelu.spv.h"
#include "relu.spv.h"
#include "silu.spv.h"

#define WORKGROUP 256

typedef struct {
    VkDeviceAddress dst, x;
    uint32_t count, half_len;
    float floor; /* log */
} activation_push;

static gs_status
activation(gs_stream *s, gs_kernel kernel, const char *op, gs_tensor *out, const gs_tensor *x, bool gated,
           float floor)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st;
    if ((st = gs_check_dtype(ctx, op, out, GS_F32)) || (st = gs_check_dtype(ctx, op, x, GS_F32)))
        return st;
    int64_t last = x->shape[x->ndim - 1];
    bool ok = gated ? (last % 2 == 0 && out->shape[out->ndim - 1] == last / 2 &&
                       gs_tensor_numel(out) * 2 == gs_tensor_numel(x))
                    : gs_same_shape(out, x);
    if (!ok)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, gated ? "%s: out must be x with its (even) last dim halved"
                                                           : "%s: out and x differ in shape", op);
    activation_push push = { gs_tensor_address(out), gs_tensor_address(x), (uint32_t)gs_tensor_numel(out),
                             (uint32_t)(last / 2), floor };
    kernel.spec[0] = WORKGROUP;
    kernel.spec_count = 1;
    gs_binding bindings[] = { { out, GS_WRITE }, { x, GS_READ } };
    /* GEGLU on CPU drivers: 4 outputs per invocation from vec4 texels. */
    if (gated && last % 8 == 0 && gs_vec4_texel_path(ctx, out, x, NULL, push.count / 4, WORKGROUP)) {
        gs_kernel texel_kernel = GS_KERNEL(geglu_texels);
        texel_kernel.spec[0] = WORKGROUP;
        texel_kernel.spec_count = 1;
        gs_texel_binding texels[1] = { { x, VK_FORMAT_R32G32B32A32_SFLOAT } };
        push.count /= 4;
        push.half_len /= 4;
        return gs_stream_dispatch_texels(s, &texel_kernel, &push, sizeof push, bindings, 2, texels, 1,
                                         gs_groups(push.count, WORKGROUP), 1, 1);
    }
    return gs_stream_dispatch_1d(s, &kernel, &push, sizeof push, bindings, 2, gs_tensor_numel(out), WORKGROUP);
}

gs_status
gs_op_gelu(gs_stream *s, gs_tensor *out, const gs_tensor *x)
{
    return activation(s, GS_KERNEL(gelu), "gelu", out, x, false, 0.0f);
}

gs_status
gs_op_quick_gelu(gs_stream *s, gs_tensor *out, const gs_tensor *x)
{
    return activation(s, GS_KERNEL(quick_gelu), "quick_gelu", out, x, false, 0.0f);
}

gs_status
gs_op_silu(gs_stream *s, gs_tensor *out, const gs_tensor *x)
{
    return activation(s, GS_KERNEL(silu), "silu", out, x, false, 0.0f);
}

gs_status
gs_op_geglu(gs_stream *s, gs_tensor *out, const gs_tensor *x)
{
    return activation(s, GS_KERNEL(geglu), "geglu", out, x, true, 0.0f);
}

gs_status
gs_op_relu(gs_stream *s, gs_tensor *out, const gs_tensor *x)
{
    return activation(s, GS_KERNEL(relu), "relu", out, x, false, 0.0f);
}

gs_status
gs_op_exp(gs_stream *s, gs_tensor *out, const gs_tensor *x)
{
    return activation(s, GS_KERNEL(exp), "exp", out, x, false, 0.0f);
}

gs_status
gs_op_log(gs_stream *s, gs_tensor *out, const gs_tensor *x, float floor)
{
    if (!(floor > 0.0f))
        return gs_fail(gs_stream_context(s), GS_ERR_INVALID_ARGUMENT, "log: the floor must be positive");
    return activation(s, GS_KERNEL(log), "log", out, x, false, floor);
}
