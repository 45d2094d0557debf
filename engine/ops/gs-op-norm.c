/* Group norm (optionally + SiLU) and layer norm (optionally + GELU): both
 * normalise contiguous rows, so one shader serves them.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "vk/gs-vk-private.h"

#include "norm.spv.h"
#include "norm_silu.spv.h"
#include "norm_serial.spv.h"
#include "norm_serial_silu.spv.h"
#include "norm_gelu.spv.h"
#include "norm_serial_gelu.spv.h"
#include "norm_stats.spv.h"
#include "norm_serial_stats.spv.h"
#include "norm_nhwc.spv.h"
#include "norm_nhwc_silu.spv.h"

#define SERIAL_ROWS_PER_GROUP 8
#define NHWC_WORKGROUP 64

typedef struct {
    VkDeviceAddress dst, x, gamma, beta;
    uint32_t row_len, rows_per_sample, channels_per_row, spatial;
    float eps;
    uint32_t rows;
} norm_push;

/* On CPU devices one invocation per row (no barriers) while the row fits
 * llvmpipe's 65535-iteration loop limit; elsewhere a workgroup per row. The
 * limit counts the iterations of all loops of an invocation together, and
 * the serial kernel walks its row three times (mean, variance, output): a
 * GroupNorm group of 24,576 elements (32 channels at 128×192) came out
 * wrong when this test was row_len < 65535. */
#define SERIAL_MAX_ROW (65535 / 3)
typedef enum { THEN_NOTHING, THEN_SILU, THEN_GELU, THEN_STATS } activation;

static gs_status
normalise_rows(gs_stream *s, activation then, gs_tensor *out, const gs_tensor *x, const gs_tensor *gamma,
               const gs_tensor *beta, int64_t rows, const norm_push *shape)
{
    gs_context *ctx = gs_stream_context(s);
    bool serial = gs_cpu_kernels(ctx) && shape->row_len <= SERIAL_MAX_ROW;
    static const gs_kernel kernels[2][4] = {
        { GS_KERNEL(norm), GS_KERNEL(norm_silu), GS_KERNEL(norm_gelu), GS_KERNEL(norm_stats) },
        { GS_KERNEL(norm_serial), GS_KERNEL(norm_serial_silu), GS_KERNEL(norm_serial_gelu),
          GS_KERNEL(norm_serial_stats) },
    };
    gs_kernel kernel = kernels[serial][then];
    norm_push push = *shape;
    push.rows = (uint32_t)rows;
    push.dst = gs_tensor_address(out);
    push.x = gs_tensor_address(x);
    push.gamma = gs_tensor_address(gamma);
    push.beta = gs_tensor_address(beta);
    gs_binding bindings[] = { { out, GS_WRITE }, { x, GS_READ }, { gamma, GS_READ }, { beta, GS_READ } };
    return gs_stream_dispatch_1d(s, &kernel, &push, sizeof push, bindings, 4, rows,
                                 serial ? SERIAL_ROWS_PER_GROUP : 1);
}

static gs_status
check_common(gs_context *ctx, const char *op, const gs_tensor *out, const gs_tensor *x, const gs_tensor *gamma,
             const gs_tensor *beta, int64_t params)
{
    gs_status st;
    if ((st = gs_check_dtype(ctx, op, out, GS_F32)) || (st = gs_check_dtype(ctx, op, x, GS_F32)) ||
        (st = gs_check_dtype(ctx, op, gamma, GS_F32)) || (st = gs_check_dtype(ctx, op, beta, GS_F32)))
        return st;
    if (!gs_same_shape(out, x))
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "%s: out and x differ in shape", op);
    if (gs_tensor_numel(gamma) != params || gs_tensor_numel(beta) != params)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "%s: gamma and beta need %lld elements", op, (long long)params);
    return GS_OK;
}

static gs_status
group_norm_shape(gs_context *ctx, const char *op, const gs_tensor *x, int groups, float eps, norm_push *shape)
{
    if (x->ndim < 2)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "%s: x must be [N,C,...]", op);
    int64_t n = x->shape[0], c = x->shape[1];
    if (groups < 1 || c % groups)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "%s: %lld channels do not split into %d groups", op,
                       (long long)c, groups);
    int64_t spatial = gs_tensor_numel(x) / (n * c);
    *shape = (norm_push){
        .row_len = (uint32_t)(c / groups * spatial),
        .rows_per_sample = (uint32_t)groups,
        .channels_per_row = (uint32_t)(c / groups),
        .spatial = (uint32_t)spatial,
        .eps = eps,
    };
    return GS_OK;
}

gs_status
gs_op_group_norm(gs_stream *s, gs_tensor *out, const gs_tensor *x, const gs_tensor *gamma, const gs_tensor *beta,
                 int groups, float eps, bool silu)
{
    gs_context *ctx = gs_stream_context(s);
    norm_push shape;
    gs_status st = group_norm_shape(ctx, "group_norm", x, groups, eps, &shape);
    if (st == GS_OK)
        st = check_common(ctx, "group_norm", out, x, gamma, beta, x->shape[1]);
    if (st != GS_OK)
        return st;
    return normalise_rows(s, silu ? THEN_SILU : THEN_NOTHING, out, x, gamma, beta, x->shape[0] * groups, &shape);
}

typedef struct {
    VkDeviceAddress dst, x, gamma, beta, stats;
    uint32_t count, c4, h, w, pad, groups, group_channels;
} norm_nhwc_push;

gs_status
gs_op_group_norm_padded_nhwc(gs_stream *s, gs_tensor *out, gs_tensor *stats, const gs_tensor *x,
                             const gs_tensor *gamma, const gs_tensor *beta, int groups, float eps, bool silu, int pad)
{
    gs_context *ctx = gs_stream_context(s);
    norm_push shape;
    gs_status st = group_norm_shape(ctx, "group_norm_padded_nhwc", x, groups, eps, &shape);
    if (st || (st = gs_check_dtype(ctx, "group_norm_padded_nhwc", out, GS_F32)) ||
        (st = gs_check_dtype(ctx, "group_norm_padded_nhwc", x, GS_F32)) ||
        (st = gs_check_dtype(ctx, "group_norm_padded_nhwc", stats, GS_F32)) ||
        (st = gs_check_dtype(ctx, "group_norm_padded_nhwc", gamma, GS_F32)) ||
        (st = gs_check_dtype(ctx, "group_norm_padded_nhwc", beta, GS_F32)))
        return st;
    int64_t n = x->shape[0], c = x->shape[1], h = x->ndim == 4 ? x->shape[2] : 0, w = x->ndim == 4 ? x->shape[3] : 0;
    if (x->ndim != 4 || c % 4 || pad < 0 || pad > 2 || out->ndim != 4 || out->shape[0] != n ||
        out->shape[1] != h + 2 * pad || out->shape[2] != w + 2 * pad || out->shape[3] != c ||
        gs_tensor_address(out) % 16 || gs_tensor_numel(out) > UINT32_MAX)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT,
                       "group_norm_padded_nhwc: x must be [N,C,H,W] with C a multiple of 4, pad 0 to 2, and out "
                       "[N,H+2·pad,W+2·pad,C], 16-byte aligned");
    if (gs_tensor_numel(gamma) != c || gs_tensor_numel(beta) != c || gs_tensor_numel(stats) < 2 * n * groups)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT,
                       "group_norm_padded_nhwc: gamma and beta need %lld elements, stats %lld", (long long)c,
                       (long long)(2 * n * groups));
    st = normalise_rows(s, THEN_STATS, stats, x, gamma, beta, n * groups, &shape);
    if (st != GS_OK)
        return st;
    norm_nhwc_push push = {
        gs_tensor_address(out), gs_tensor_address(x), gs_tensor_address(gamma), gs_tensor_address(beta),
        gs_tensor_address(stats), (uint32_t)(gs_tensor_numel(out) / 4), (uint32_t)(c / 4), (uint32_t)h, (uint32_t)w,
        (uint32_t)pad, (uint32_t)groups, (uint32_t)(c / groups),
    };
    gs_kernel kernel = silu ? GS_KERNEL(norm_nhwc_silu) : GS_KERNEL(norm_nhwc);
    kernel.spec[0] = NHWC_WORKGROUP;
    kernel.spec_count = 1;
    gs_binding bindings[] = {
        { out, GS_WRITE }, { x, GS_READ }, { gamma, GS_READ }, { beta, GS_READ }, { stats, GS_READ },
    };
    return gs_stream_dispatch_1d(s, &kernel, &push, sizeof push, bindings, 5, push.count, NHWC_WORKGROUP);
}

static gs_status
layer_norm(gs_stream *s, activation then, gs_tensor *out, const gs_tensor *x, const gs_tensor *gamma,
           const gs_tensor *beta, float eps)
{
    gs_context *ctx = gs_stream_context(s);
    int64_t d = x->shape[x->ndim - 1];
    gs_status st = check_common(ctx, "layer_norm", out, x, gamma, beta, d);
    if (st != GS_OK)
        return st;
    norm_push shape = { .row_len = (uint32_t)d, .rows_per_sample = 1, .channels_per_row = 0, .spatial = 1, .eps = eps };
    return normalise_rows(s, then, out, x, gamma, beta, gs_tensor_numel(x) / d, &shape);
}

gs_status
gs_op_layer_norm(gs_stream *s, gs_tensor *out, const gs_tensor *x, const gs_tensor *gamma, const gs_tensor *beta,
                 float eps)
{
    return layer_norm(s, THEN_NOTHING, out, x, gamma, beta, eps);
}

gs_status
gs_op_layer_norm_gelu(gs_stream *s, gs_tensor *out, const gs_tensor *x, const gs_tensor *gamma,
                      const gs_tensor *beta, float eps)
{
    return layer_norm(s, THEN_GELU, out, x, gamma, beta, eps);
}
