/* Matrix multiply / linear layer.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "vk/gs-vk-private.h"

#include "matmul_f32.spv.h"
#include "matmul_f16.spv.h"
#include "matmul_t_f32.spv.h"
#include "matmul_t_f16.spv.h"

#define WG 8   /* 8×8 invocations per workgroup */
#define TILE 4 /* 4×4 outputs per invocation */

typedef struct {
    VkDeviceAddress dst, a, b, bias;
    uint32_t m, n, k;
    uint32_t has_bias;
} matmul_push;

gs_status
gs_op_matmul(gs_stream *s, gs_tensor *out, const gs_tensor *a, const gs_tensor *b, const gs_tensor *bias,
             bool transpose_b)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st;
    if ((st = gs_check_dtype(ctx, "matmul", out, GS_F32)) || (st = gs_check_dtype(ctx, "matmul", a, GS_F32)) ||
        (bias && (st = gs_check_dtype(ctx, "matmul bias", bias, GS_F32))))
        return st;
    if (b->ndim != 2 || a->ndim < 2)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "matmul: b must be 2-D and a at least 2-D");
    int64_t k = a->shape[a->ndim - 1];
    int64_t n = transpose_b ? b->shape[0] : b->shape[1];
    int64_t bk = transpose_b ? b->shape[1] : b->shape[0];
    int64_t m = gs_tensor_numel(a) / k;
    if (bk != k || out->shape[out->ndim - 1] != n || gs_tensor_numel(out) != m * n)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT,
                       "matmul: shapes do not agree (a has K=%lld, b gives K=%lld N=%lld, out has %lld elements)",
                       (long long)k, (long long)bk, (long long)n, (long long)gs_tensor_numel(out));
    if (bias && gs_tensor_numel(bias) != n)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "matmul: bias has %lld elements, expected %lld",
                       (long long)gs_tensor_numel(bias), (long long)n);

    bool f16 = b->dtype == GS_F16;
    gs_kernel kernel = transpose_b ? (f16 ? GS_KERNEL(matmul_t_f16) : GS_KERNEL(matmul_t_f32))
                                   : (f16 ? GS_KERNEL(matmul_f16) : GS_KERNEL(matmul_f32));
    kernel.spec[0] = WG;
    kernel.spec[1] = WG;
    kernel.spec[2] = TILE;
    kernel.spec[3] = TILE;
    kernel.spec_count = 4;
    matmul_push push = {
        gs_tensor_address(out), gs_tensor_address(a), gs_tensor_address(b), bias ? gs_tensor_address(bias) : 0,
        (uint32_t)m, (uint32_t)n, (uint32_t)k, bias != NULL,
    };
    gs_binding bindings[4] = { { out, GS_WRITE }, { a, GS_READ }, { b, GS_READ }, { bias, GS_READ } };
    return gs_stream_dispatch(s, &kernel, &push, sizeof push, bindings, bias ? 4 : 3, gs_groups(n, WG * TILE),
                              gs_groups(m, WG * TILE), 1);
}
