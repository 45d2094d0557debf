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

#define SERIAL_ROWS_PER_GROUP 64

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
typedef enum { THEN_NOTHING, THEN_SILU, THEN_GELU } activation;

static gs_status
normalise_rows(gs_stream *s, activation then, gs_tensor *out, const gs_tensor *x, const gs_tensor *gamma,
               const gs_tensor *beta, int64_t rows, const norm_push *shape)
{
    gs_context *ctx = gs_stream_context(s);
    bool serial = gs_cpu_kernels(ctx) && shape->row_len <= SERIAL_MAX_ROW;
    static const gs_kernel kernels[2][3] = {
        { GS_KERNEL(norm), GS_KERNEL(norm_silu), GS_KERNEL(norm_gelu) },
        { GS_KERNEL(norm_serial), GS_KERNEL(norm_serial_silu), GS_KERNEL(norm_serial_gelu) },
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

gs_status
gs_op_group_norm(gs_stream *s, gs_tensor *out, const gs_tensor *x, const gs_tensor *gamma, const gs_tensor *beta,
                 int groups, float eps, bool silu)
{
    gs_context *ctx = gs_stream_context(s);
    if (x->ndim < 2)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "group_norm: x must be [N,C,...]");
    int64_t n = x->shape[0], c = x->shape[1];
    if (groups < 1 || c % groups)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "group_norm: %lld channels do not split into %d groups",
                       (long long)c, groups);
    gs_status st = check_common(ctx, "group_norm", out, x, gamma, beta, c);
    if (st != GS_OK)
        return st;
    int64_t spatial = gs_tensor_numel(x) / (n * c);
    norm_push shape = {
        .row_len = (uint32_t)(c / groups * spatial),
        .rows_per_sample = (uint32_t)groups,
        .channels_per_row = (uint32_t)(c / groups),
        .spatial = (uint32_t)spatial,
        .eps = eps,
    };
    return normalise_rows(s, silu ? THEN_SILU : THEN_NOTHING, out, x, gamma, beta, n * groups, &shape);
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
