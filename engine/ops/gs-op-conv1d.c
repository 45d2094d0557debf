/* 1-D convolution (dilated), transposed 1-D convolution, and the unfold that
 * turns a token-major stride-1 conv1d into a matmul.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "vk/gs-vk-private.h"

#include "conv1d_f16.spv.h"
#include "conv1d_f32.spv.h"
#include "conv_transpose1d_f16.spv.h"
#include "conv_transpose1d_f32.spv.h"
#include "unfold1d.spv.h"

#define WORKGROUP 64

typedef struct {
    VkDeviceAddress dst, x, w, bias;
    uint32_t n, c, l, o, lo, k;
    uint32_t stride, pad, dilation;
    uint32_t has_bias;
} conv1d_push;

static gs_status
conv1d(gs_stream *s, bool transposed, gs_tensor *out, const gs_tensor *x, const gs_tensor *weight,
       const gs_tensor *bias, int stride, int padding, int dilation)
{
    gs_context *ctx = gs_stream_context(s);
    const char *op = transposed ? "conv_transpose1d" : "conv1d";
    gs_status st;
    if ((st = gs_check_dtype(ctx, op, out, GS_F32)) || (st = gs_check_dtype(ctx, op, x, GS_F32)) ||
        (bias && (st = gs_check_dtype(ctx, op, bias, GS_F32))))
        return st;
    if (x->ndim != 3 || weight->ndim != 3 || out->ndim != 3)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "%s: x, weight and out must be 3-D", op);
    if (stride < 1 || padding < 0 || dilation < 1)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "%s: stride and dilation must be ≥ 1, padding ≥ 0", op);
    int64_t n = x->shape[0], c = x->shape[1], l = x->shape[2], k = weight->shape[2];
    int64_t o = transposed ? weight->shape[1] : weight->shape[0];
    int64_t wc = transposed ? weight->shape[0] : weight->shape[1];
    int64_t lo = transposed ? (l - 1) * stride - 2 * padding + k
                            : (l + 2 * padding - dilation * (k - 1) - 1) / stride + 1;
    if (wc != c || lo < 1 || out->shape[0] != n || out->shape[1] != o || out->shape[2] != lo)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "%s: weight must match x's %lld channels and out be [%lld,%lld,%lld]",
                       op, (long long)c, (long long)n, (long long)o, (long long)lo);
    if (bias && gs_tensor_numel(bias) != o)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "%s: bias must have %lld elements", op, (long long)o);

    bool f16 = weight->dtype == GS_F16;
    gs_kernel kernel = transposed ? (f16 ? GS_KERNEL(conv_transpose1d_f16) : GS_KERNEL(conv_transpose1d_f32))
                                  : (f16 ? GS_KERNEL(conv1d_f16) : GS_KERNEL(conv1d_f32));
    kernel.spec[0] = WORKGROUP;
    kernel.spec_count = 1;
    conv1d_push push = {
        gs_tensor_address(out), gs_tensor_address(x), gs_tensor_address(weight), bias ? gs_tensor_address(bias) : 0,
        (uint32_t)n, (uint32_t)c, (uint32_t)l, (uint32_t)o, (uint32_t)lo, (uint32_t)k,
        (uint32_t)stride, (uint32_t)padding, (uint32_t)dilation, bias != NULL,
    };
    gs_binding bindings[4] = { { out, GS_WRITE }, { x, GS_READ }, { weight, GS_READ }, { bias, GS_READ } };
    return gs_stream_dispatch_1d(s, &kernel, &push, sizeof push, bindings, bias ? 4 : 3, n * o * lo, WORKGROUP);
}

gs_status
gs_op_conv1d(gs_stream *s, gs_tensor *out, const gs_tensor *x, const gs_tensor *weight, const gs_tensor *bias,
             int stride, int padding, int dilation)
{
    return conv1d(s, false, out, x, weight, bias, stride, padding, dilation);
}

gs_status
gs_op_conv_transpose1d(gs_stream *s, gs_tensor *out, const gs_tensor *x, const gs_tensor *weight,
                       const gs_tensor *bias, int stride, int padding)
{
    return conv1d(s, true, out, x, weight, bias, stride, padding, 1);
}

typedef struct {
    VkDeviceAddress dst, x;
    uint32_t count, l, c, lo, pad, dilation;
} unfold_push;

#define MAX_UNFOLD_KERNEL 64 /* the taps unroll in the shader */

gs_status
gs_op_unfold1d(gs_stream *s, gs_tensor *out, const gs_tensor *x, int kernel, int padding, int dilation)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st;
    if ((st = gs_check_dtype(ctx, "unfold1d", out, GS_F32)) || (st = gs_check_dtype(ctx, "unfold1d", x, GS_F32)))
        return st;
    if (x->ndim != 3 || out->ndim != 3 || kernel < 1 || kernel > MAX_UNFOLD_KERNEL || padding < 0 || dilation < 1)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT,
                       "unfold1d: x must be [N, L, C], out [N, Lo, C·K] and K in 1–%d", MAX_UNFOLD_KERNEL);
    int64_t n = x->shape[0], l = x->shape[1], c = x->shape[2];
    int64_t lo = l + 2 * padding - (int64_t)dilation * (kernel - 1);
    if (lo < 1 || out->shape[0] != n || out->shape[1] != lo || out->shape[2] != c * kernel)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "unfold1d: out must be [%lld, %lld, %lld]", (long long)n,
                       (long long)lo, (long long)(c * kernel));
    int64_t count = n * lo * c; /* one invocation per output token and channel */
    unfold_push push = { gs_tensor_address(out), gs_tensor_address(x), (uint32_t)count,
                         (uint32_t)l, (uint32_t)c, (uint32_t)lo, (uint32_t)padding,
                         (uint32_t)dilation };
    gs_kernel k = GS_KERNEL(unfold1d);
    k.spec[0] = WORKGROUP;
    k.spec[1] = (uint32_t)kernel;
    k.spec_count = 2;
    gs_binding bindings[] = { { out, GS_WRITE }, { x, GS_READ } };
    return gs_stream_dispatch_1d(s, &k, &push, sizeof push, bindings, 2, count, WORKGROUP);
}
