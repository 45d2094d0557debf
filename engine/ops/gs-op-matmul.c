/* Matrix multiply / linear layer.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "vk/gs-vk-private.h"

#include "matmul_f32.spv.h"
#include "matmul_f16.spv.h"
#include "matmul_t_f32.spv.h"
#include "matmul_t_f16.spv.h"
#include "matmul_vec4_f16.spv.h"
#include "matmul_vec4_f32.spv.h"
#include "matmul_lanes_f16.spv.h"
#include "matmul_lanes_f32.spv.h"
#include "matmul_lanes_f32_w64.spv.h"
#include "matmul_weight_lanes.spv.h"
#include "matmul_texels.spv.h"

#define WG 8   /* 8×8 invocations per workgroup */
#define ROWS 8 /* scalar kernel: 8 rows × 4 strided columns per invocation */
#define COLS 4

/* The vec4 kernel's block per invocation: rows × groups of 4 columns (CPU
 * drivers without 8-wide subgroups, and GPUs).
 * Measured on lavapipe at 1024³ (engine/README.md): 8×2 6.9 GFLOP/s, 8×4 8.7,
 * 16×8 11.6; big blocks only pay off when there are enough of them to keep
 * every core busy, and GPUs want many small invocations instead. */
typedef struct {
    uint32_t rows, groups;
} vec4_block;

static vec4_block
choose_vec4_block(gs_context *ctx, int64_t m, int64_t n)
{
    if (!gs_cpu_kernels(ctx))
        return (vec4_block){ 4, 1 };
    if (m >= 256 && n >= 512)
        return (vec4_block){ 16, 8 };
    if (m >= 64 && n >= 128)
        return (vec4_block){ 8, 4 };
    return (vec4_block){ 8, 2 };
}

/* matmul_lanes.comp, for CPU drivers with 8-wide subgroups: a workgroup is
 * one subgroup and covers 8·rows rows × 4·LANE_GROUPS columns. Rows per lane
 * measured on lavapipe (engine/README.md): 10 and 11 best at every UNet and
 * text-encoder shape tried, 8 and 16 clearly slower (LLVM's register
 * allocation, not arithmetic, decides); fewer only when M is small. */
#define LANES 8
#define LANE_ROWS 10
#define LANE_GROUPS 4

static bool
use_lanes_kernel(gs_context *ctx)
{
    return gs_cpu_kernels(ctx) && gs_context_device(ctx, gs_context_chosen_device(ctx))->subgroup_size == LANES;
}

/* matmul_weight_lanes.comp, for fp16 weights where 64-bit loads are
 * enabled: lanes own 4·groups weight columns, the subgroup shares `rows`
 * rows. Measured on lavapipe (engine/README.md), fp16 1024³ and the conv
 * GEMM 320→320 on 64²: 16 × 4 best where N fills its 128-column blocks,
 * 24 × 2 (64 columns) otherwise; 32 × 2, 24 × 3, 40 × 2 and 32 × 1 slower. */
static bool
use_weight_lanes_kernel(gs_context *ctx)
{
    return use_lanes_kernel(ctx) && gs_int64_loads(ctx);
}

gs_weight_lanes_block
gs_choose_weight_lanes_block(int64_t n)
{
    return n % (4 * LANES * 4) == 0 ? (gs_weight_lanes_block){ 16, 4 } : (gs_weight_lanes_block){ 24, 2 };
}

typedef struct {
    VkDeviceAddress dst, a, b, bias;
    uint32_t m, n, k;
    uint32_t has_bias;
} matmul_push;

/* matmul_texels.comp's block: rows per workgroup × groups of 4 columns per
 * lane. Measured on lavapipe at 1024³, the GEGLU matmul and two conv GEMMs
 * (engine/README.md): 32 × 4 best or within noise of the best everywhere,
 * 16 × 4 close behind (0.30 against 0.32 of OpenBLAS at 1024³). But
 * llvmpipe compiles 32 × 4 in 2.9 s against 1.0 s for 16 × 4 (every texel
 * fetch is inlined sampler code), so only products of a million outputs or
 * more, which run long enough to repay it, get 32 rows. */
gs_texel_block
gs_choose_texel_block(int64_t m, int64_t n)
{
    uint32_t rows = m <= 8 ? 8 : m <= 16 || m * n < (1 << 20) ? 16 : 32;
    uint32_t groups = n <= 4 * LANES ? 1 : n <= 8 * LANES ? 2 : 4;
    return (gs_texel_block){ rows, groups };
}

/* Four columns (or, for the conv GEMM, four k-steps) of b per texel. */
VkFormat
gs_weight_texel_format(const gs_tensor *b)
{
    return b->dtype == GS_F16 ? VK_FORMAT_R16G16B16A16_SFLOAT : VK_FORMAT_R32G32B32A32_SFLOAT;
}

bool
gs_texel_gemm_operands(const gs_context *ctx, const gs_tensor *a, const gs_tensor *b)
{
    return gs_texel_bindable(ctx, a, VK_FORMAT_R32G32B32A32_SFLOAT) && gs_texel_bindable(ctx, b, gs_weight_texel_format(b));
}

gs_status
gs_record_texel_gemm(gs_stream *s, const gs_kernel *kernel_source, gs_tensor *out, VkDeviceSize out_offset,
                     const gs_tensor *a, const gs_tensor *b, const gs_tensor *bias, int64_t m, int64_t n, int64_t k,
                     int64_t ldd)
{
    gs_texel_push push = {
        gs_tensor_address(out) + out_offset, bias ? gs_tensor_address(bias) : 0, (uint32_t)m, (uint32_t)n, (uint32_t)k,
        bias != NULL, (uint32_t)ldd,
    };
    gs_binding bindings[4] = { { out, GS_WRITE }, { a, GS_READ }, { b, GS_READ }, { bias, GS_READ } };
    gs_texel_binding texels[2] = {
        { a, VK_FORMAT_R32G32B32A32_SFLOAT },
        { b, gs_weight_texel_format(b) },
    };
    gs_texel_block block = gs_choose_texel_block(m, n);
    gs_kernel kernel = *kernel_source;
    kernel.spec[0] = block.rows;
    kernel.spec[1] = block.groups;
    kernel.spec_count = 2;
    return gs_stream_dispatch_texels(s, &kernel, &push, sizeof push, bindings, bias ? 4 : 3, texels, 2,
                                     gs_groups(n, 4 * LANES * block.groups), gs_groups(m, block.rows), 1);
}

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
    /* vec4 loads need K and N multiples of 4 and 16-byte aligned a and b. */
    bool vec4 = !transpose_b && k % 4 == 0 && n % 4 == 0 && gs_tensor_address(a) % 16 == 0 &&
                gs_tensor_address(b) % 16 == 0;
    matmul_push push = {
        gs_tensor_address(out), gs_tensor_address(a), gs_tensor_address(b), bias ? gs_tensor_address(bias) : 0,
        (uint32_t)m, (uint32_t)n, (uint32_t)k, bias != NULL,
    };
    gs_binding bindings[4] = { { out, GS_WRITE }, { a, GS_READ }, { b, GS_READ }, { bias, GS_READ } };
    if (vec4 && gs_cpu_kernels(ctx) && gs_texel_gemm_operands(ctx, a, b))
        return gs_record_texel_gemm(s, &GS_KERNEL(matmul_texels), out, 0, a, b, bias, m, n, k, 0);
    if (vec4 && f16 && use_weight_lanes_kernel(ctx)) {
        gs_kernel kernel = GS_KERNEL(matmul_weight_lanes);
        gs_weight_lanes_block block = gs_choose_weight_lanes_block(n);
        kernel.spec[0] = block.rows;
        kernel.spec[1] = block.groups;
        kernel.spec_count = 2;
        return gs_stream_dispatch(s, &kernel, &push, sizeof push, bindings, bias ? 4 : 3,
                                  gs_groups(n, 4 * LANES * block.groups), gs_groups(m, block.rows), 1);
    }
    if (vec4 && use_lanes_kernel(ctx)) {
        gs_kernel kernel = f16                  ? GS_KERNEL(matmul_lanes_f16)
                           : gs_int64_loads(ctx) ? GS_KERNEL(matmul_lanes_f32_w64)
                                                 : GS_KERNEL(matmul_lanes_f32);
        uint32_t rows = m < LANES * LANE_ROWS ? gs_groups(m, LANES) : LANE_ROWS;
        kernel.spec[0] = rows;
        kernel.spec[1] = LANE_GROUPS;
        kernel.spec_count = 2;
        return gs_stream_dispatch(s, &kernel, &push, sizeof push, bindings, bias ? 4 : 3,
                                  gs_groups(n, 4 * LANE_GROUPS), gs_groups(m, LANES * rows), 1);
    }
    gs_kernel kernel = vec4          ? (f16 ? GS_KERNEL(matmul_vec4_f16) : GS_KERNEL(matmul_vec4_f32))
                       : transpose_b ? (f16 ? GS_KERNEL(matmul_t_f16) : GS_KERNEL(matmul_t_f32))
                                     : (f16 ? GS_KERNEL(matmul_f16) : GS_KERNEL(matmul_f32));
    vec4_block block = choose_vec4_block(ctx, m, n);
    uint32_t rows = vec4 ? block.rows : ROWS, cols = vec4 ? 4 * block.groups : COLS;
    kernel.spec[0] = WG;
    kernel.spec[1] = WG;
    kernel.spec[2] = rows;
    kernel.spec[3] = vec4 ? block.groups : COLS;
    kernel.spec_count = 4;
    return gs_stream_dispatch(s, &kernel, &push, sizeof push, bindings, bias ? 4 : 3, gs_groups(n, WG * cols),
                              gs_groups(m, WG * rows), 1);
}
