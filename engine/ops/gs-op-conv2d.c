/* 2-D convolution (kernel 1 or 3, stride 1 or 2), implicit GEMM.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "vk/gs-vk-private.h"

#include "conv2d_f32.spv.h"
#include "conv2d_f16.spv.h"
#include "conv2d_lanes_f16.spv.h"
#include "conv2d_lanes_f32.spv.h"

/* Block per invocation (output channels × strided pixels) and workgroup.
 * Measured on lavapipe, 64→64 3×3 on 64×64 (engine/README.md): 4×4 in 8×8
 * workgroups 3.3 GFLOP/s, 16×8 in 8×2 7.8, 16×16 in 8×1 9.0; loading the
 * weights once per 8-lane subgroup (SHARED_WEIGHTS) adds 15–40%. GPUs get
 * many small invocations instead. */
typedef struct {
    uint32_t channels, pixels, wg_x, wg_y;
} conv_block;

static conv_block
choose_block(gs_context *ctx, int64_t out_channels, int64_t pixels)
{
    if (!gs_cpu_kernels(ctx))
        return (conv_block){ 4, 4, 8, 8 };
    return (conv_block){ out_channels >= 16 ? 16 : 4, pixels >= 1024 ? 16 : 8, 8, 1 };
}

typedef struct {
    VkDeviceAddress dst, x, w, bias;
    uint32_t n, c, h, w_;
    uint32_t o, ho, wo;
    uint32_t ksize, stride, pad;
    uint32_t has_bias;
} conv2d_push;

gs_status
gs_op_conv2d(gs_stream *s, gs_tensor *out, const gs_tensor *x, const gs_tensor *weight, const gs_tensor *bias,
             int stride, int padding)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st;
    if ((st = gs_check_dtype(ctx, "conv2d", out, GS_F32)) || (st = gs_check_dtype(ctx, "conv2d", x, GS_F32)) ||
        (bias && (st = gs_check_dtype(ctx, "conv2d bias", bias, GS_F32))))
        return st;
    if (x->ndim != 4 || weight->ndim != 4 || out->ndim != 4)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "conv2d: x, weight and out must be 4-D");
    int64_t n = x->shape[0], c = x->shape[1], h = x->shape[2], w = x->shape[3];
    int64_t o = weight->shape[0], k = weight->shape[2];
    if (weight->shape[1] != c || weight->shape[3] != k || (k != 1 && k != 3))
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "conv2d: weight must be [O,%lld,k,k] with k 1 or 3",
                       (long long)c);
    if (stride < 1 || stride > 2 || padding < 0 || padding > 2)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "conv2d: stride must be 1 or 2 and padding 0..2");
    int64_t ho = (h + 2 * padding - k) / stride + 1, wo = (w + 2 * padding - k) / stride + 1;
    if (ho < 1 || wo < 1 || out->shape[0] != n || out->shape[1] != o || out->shape[2] != ho || out->shape[3] != wo)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "conv2d: out must be [%lld,%lld,%lld,%lld]", (long long)n,
                       (long long)o, (long long)ho, (long long)wo);
    if (bias && gs_tensor_numel(bias) != o)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "conv2d: bias must have %lld elements", (long long)o);

    conv_block block = choose_block(ctx, o, n * ho * wo);
    /* The shared-weights variant needs each workgroup row to be one subgroup. */
    bool lanes = gs_cpu_kernels(ctx) && block.wg_x == 8 && block.wg_y == 1 && block.channels % 8 == 0 &&
                 gs_context_device(ctx, gs_context_chosen_device(ctx))->subgroup_size == 8;
    bool f16 = weight->dtype == GS_F16;
    gs_kernel kernel = lanes ? (f16 ? GS_KERNEL(conv2d_lanes_f16) : GS_KERNEL(conv2d_lanes_f32))
                             : (f16 ? GS_KERNEL(conv2d_f16) : GS_KERNEL(conv2d_f32));
    kernel.spec[0] = block.wg_x;
    kernel.spec[1] = block.wg_y;
    kernel.spec[2] = block.channels;
    kernel.spec[3] = block.pixels;
    kernel.spec_count = 4;
    conv2d_push push = {
        gs_tensor_address(out), gs_tensor_address(x), gs_tensor_address(weight), bias ? gs_tensor_address(bias) : 0,
        (uint32_t)n, (uint32_t)c, (uint32_t)h, (uint32_t)w, (uint32_t)o, (uint32_t)ho, (uint32_t)wo,
        (uint32_t)k, (uint32_t)stride, (uint32_t)padding, bias != NULL,
    };
    gs_binding bindings[4] = { { out, GS_WRITE }, { x, GS_READ }, { weight, GS_READ }, { bias, GS_READ } };
    return gs_stream_dispatch(s, &kernel, &push, sizeof push, bindings, bias ? 4 : 3,
                              gs_groups(n * ho * wo, block.wg_x * block.pixels),
                              gs_groups(o, block.wg_y * block.channels), 1);
}
