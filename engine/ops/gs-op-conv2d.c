/* 2-D convolution (kernel 1, 3 or 5, stride 1 or 2), implicit GEMM.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>

#include "vk/gs-vk-private.h"

#include "conv2d_f32.spv.h"
#include "conv2d_f16.spv.h"
#include "conv2d_lanes_f16.spv.h"
#include "conv2d_lanes_f32.spv.h"
#include "conv2d_lanes_texels.spv.h"
#include "conv_gemm_f16.spv.h"
#include "conv_gemm_f32.spv.h"
#include "conv_gemm_f32_w64.spv.h"
#include "conv_gemm_weight_lanes.spv.h"
#include "conv_gemm_texels.spv.h"
#include "conv_implicit_texels.spv.h"
#include "unfold2d.spv.h"

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
    if (weight->shape[1] != c || weight->shape[3] != k || (k != 1 && k != 3 && k != 5))
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "conv2d: weight must be [O,%lld,k,k] with k 1, 3 or 5",
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
    VkFormat weight_format = f16 ? VK_FORMAT_R16_SFLOAT : VK_FORMAT_R32_SFLOAT;
    bool texels = lanes && gs_texel_bindable(ctx, x, VK_FORMAT_R32_SFLOAT) &&
                  gs_texel_bindable(ctx, weight, weight_format);
    gs_kernel kernel = texels  ? GS_KERNEL(conv2d_lanes_texels)
                       : lanes ? (f16 ? GS_KERNEL(conv2d_lanes_f16) : GS_KERNEL(conv2d_lanes_f32))
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
    gs_texel_binding xw_texels[2] = { { x, VK_FORMAT_R32_SFLOAT }, { weight, weight_format } };
    return gs_stream_dispatch_texels(s, &kernel, &push, sizeof push, bindings, bias ? 4 : 3, xw_texels,
                                     texels ? 2 : 0, gs_groups(n * ho * wo, block.wg_x * block.pixels),
                                     gs_groups(o, block.wg_y * block.channels), 1);
}

/* ---- conv2d as unfold + GEMM (CPU drivers) ---------------------------------
 * On lavapipe the direct kernel above runs SD's 3×3 convs at ~8 GFLOP/s; as
 * token-major unfold (im2col) + the matmul_lanes kernel they run at the
 * GEMM's speed, less one pass over k·k copies of the input (figures in
 * engine/README.md). The weight is read as it is stored, [O, C·k·k], as the
 * GEMM's transposed b, and the GEMM writes its [pixels, O] product
 * transposed, straight into the NCHW output: no weight copy, no transpose
 * pass. The unfolded input is bounded by doing output rows in chunks. */

#define UNFOLD_WORKGROUP 64
#define GEMM_LANES 8
#define GEMM_ROWS 10              /* per lane, as matmul_lanes */
#define GEMM_GROUPS 4             /* 16 output channels per workgroup */
#define GEMM_COLUMNS (16ll << 20) /* the unfolded chunk: at most 64 MiB */

typedef struct {
    VkDeviceAddress dst, x;
    uint32_t count, c, h, w, k, wo, stride, pad, row0;
} unfold2d_push;

gs_status
gs_op_unfold2d(gs_stream *s, gs_tensor *out, const gs_tensor *x, int kernel, int stride, int padding, int row0)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st;
    if ((st = gs_check_dtype(ctx, "unfold2d", out, GS_F32)) || (st = gs_check_dtype(ctx, "unfold2d", x, GS_F32)))
        return st;
    if (x->ndim < 3 || x->ndim > 4 || (x->ndim == 4 && x->shape[0] != 1) || out->ndim != 3 || kernel < 1 ||
        stride < 1 || padding < 0 || row0 < 0)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT,
                       "unfold2d: x must be [1,C,H,W] or [C,H,W] and out [rows, Wo, C·k·k]");
    int64_t c = x->shape[x->ndim - 3], h = x->shape[x->ndim - 2], w = x->shape[x->ndim - 1];
    int64_t ho = (h + 2 * padding - kernel) / stride + 1, wo = (w + 2 * padding - kernel) / stride + 1;
    if (ho < 1 || wo < 1 || out->shape[0] + row0 > ho || out->shape[1] != wo ||
        out->shape[2] != c * kernel * kernel)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "unfold2d: out must be [≤ %lld, %lld, %lld]",
                       (long long)(ho - row0), (long long)wo, (long long)(c * kernel * kernel));
    if (gs_tensor_numel(out) > UINT32_MAX || gs_tensor_numel(x) > UINT32_MAX)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "unfold2d: more than 2^32 elements");
    int64_t items = gs_tensor_numel(out) / (kernel * kernel);
    unfold2d_push push = { gs_tensor_address(out), gs_tensor_address(x), (uint32_t)items,
                           (uint32_t)c, (uint32_t)h, (uint32_t)w, (uint32_t)kernel, (uint32_t)wo,
                           (uint32_t)stride, (uint32_t)padding, (uint32_t)row0 };
    gs_kernel k = GS_KERNEL(unfold2d);
    k.spec[0] = UNFOLD_WORKGROUP;
    k.spec[1] = (uint32_t)kernel;
    k.spec_count = 2;
    gs_binding bindings[] = { { out, GS_WRITE }, { x, GS_READ } };
    return gs_stream_dispatch_1d(s, &k, &push, sizeof push, bindings, 2, items, UNFOLD_WORKGROUP);
}

int64_t
gs_conv2d_gemm_rows(gs_context *ctx, const gs_tensor *x, const gs_tensor *weight, int stride, int padding)
{
    if (!gs_cpu_kernels(ctx) || gs_context_device(ctx, gs_context_chosen_device(ctx))->subgroup_size != GEMM_LANES ||
        x->ndim != 4 || weight->ndim != 4 || ctx->conv_direct)
        return 0;
    int64_t c = x->shape[1], h = x->shape[2], w = x->shape[3], o = weight->shape[0], k = weight->shape[2];
    int64_t ho = (h + 2 * padding - k) / stride + 1, wo = (w + 2 * padding - k) / stride + 1, kdim = c * k * k;
    /* vec4 loads along K = C·k·k; 4 output channels per vec4. */
    if (kdim % 4 != 0 || o % 4 != 0 || kdim / 4 >= 65536 || ho < 1 || wo < 1)
        return 0;
    int64_t rows = GEMM_COLUMNS / (kdim * wo);
    if (rows < 1)
        return 0;
    return rows < ho ? rows : ho;
}

typedef struct {
    VkDeviceAddress dst, a, b, bias;
    uint32_t m, n, k;
    uint32_t has_bias;
    uint32_t ldd;
} conv_gemm_push;

gs_status
gs_op_conv2d_gemm(gs_stream *s, gs_tensor *out, const gs_tensor *x, const gs_tensor *weight, const gs_tensor *bias,
                  int stride, int padding, gs_tensor *columns)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st;
    int64_t rows = gs_conv2d_gemm_rows(ctx, x, weight, stride, padding);
    /* Not for this shape or device, or misaligned, or bad arguments: the
     * direct kernel (which checks them). */
    if (rows < 1 || gs_tensor_address(weight) % 16 != 0 || x->dtype != GS_F32 || out->dtype != GS_F32 ||
        (bias && bias->dtype != GS_F32))
        return gs_op_conv2d(s, out, x, weight, bias, stride, padding);
    int64_t n = x->shape[0], c = x->shape[1], h = x->shape[2], w = x->shape[3];
    int64_t o = weight->shape[0], k = weight->shape[2];
    int64_t ho = (h + 2 * padding - k) / stride + 1, wo = (w + 2 * padding - k) / stride + 1, kdim = c * k * k;
    if (weight->shape[1] != c || weight->shape[3] != k || (k != 1 && k != 3 && k != 5) || stride > 2 || padding > 2 ||
        out->ndim != 4 || out->shape[0] != n || out->shape[1] != o || out->shape[2] != ho || out->shape[3] != wo ||
        (bias && gs_tensor_numel(bias) != o))
        return gs_op_conv2d(s, out, x, weight, bias, stride, padding);
    /* A smaller buffer makes smaller chunks (the tests use that). */
    if (columns && gs_tensor_numel(columns) / (wo * kdim) < rows)
        rows = gs_tensor_numel(columns) / (wo * kdim);
    if (!columns || columns->dtype != GS_F32 || rows < 1)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "conv2d: the columns buffer needs at least %lld floats",
                       (long long)(wo * kdim));
    bool f16 = weight->dtype == GS_F16;
    /* fp16 weights with 64-bit loads: lanes own weight columns (see gs-op-matmul.c). */
    bool weight_lanes = f16 && gs_int64_loads(ctx);
    gs_weight_lanes_block block = gs_choose_weight_lanes_block(o);
    gs_kernel kernel = weight_lanes          ? GS_KERNEL(conv_gemm_weight_lanes)
                       : f16                 ? GS_KERNEL(conv_gemm_f16)
                       : gs_int64_loads(ctx) ? GS_KERNEL(conv_gemm_f32_w64)
                                             : GS_KERNEL(conv_gemm_f32);
    uint32_t groups_x = weight_lanes ? gs_groups(o, 4 * GEMM_LANES * block.groups) : gs_groups(o, 4 * GEMM_GROUPS);
    st = GS_OK;
    for (int64_t b = 0; b < n && !st; b++) {
        gs_tensor *image = gs_tensor_view((gs_tensor *)x, b * c * h * w, 3, (int64_t[]){ c, h, w });
        if (!image)
            return GS_ERR_OUT_OF_MEMORY;
        for (int64_t row0 = 0; row0 < ho && !st; row0 += rows) {
            int64_t r = ho - row0 < rows ? ho - row0 : rows, pixels = r * wo;
            gs_tensor *chunk = gs_tensor_view(columns, 0, 3, (int64_t[]){ r, wo, kdim });
            if (!chunk) {
                st = GS_ERR_OUT_OF_MEMORY;
                break;
            }
            st = gs_op_unfold2d(s, chunk, image, (int)k, stride, padding, (int)row0);
            VkDeviceSize out_offset = (VkDeviceSize)((b * o * ho + row0) * wo) * 4;
            if (!st && gs_texel_gemm_operands(ctx, chunk, weight)) {
                st = gs_record_texel_gemm(s, &GS_KERNEL(conv_gemm_texels), out, out_offset, chunk, weight, bias,
                                          pixels, o, kdim, ho * wo);
                gs_tensor_free(chunk);
                continue;
            }
            uint32_t lane_rows = pixels < GEMM_LANES * GEMM_ROWS ? gs_groups(pixels, GEMM_LANES) : GEMM_ROWS;
            kernel.spec[0] = weight_lanes ? block.rows : lane_rows;
            kernel.spec[1] = weight_lanes ? block.groups : GEMM_GROUPS;
            kernel.spec_count = 2;
            conv_gemm_push push = {
                gs_tensor_address(out) + out_offset, gs_tensor_address(chunk),
                gs_tensor_address(weight), bias ? gs_tensor_address(bias) : 0, (uint32_t)pixels, (uint32_t)o,
                (uint32_t)kdim, bias != NULL, (uint32_t)(ho * wo),
            };
            /* The direct kernel's bindings and more: out, input, weight, bias. */
            gs_binding bindings[5] = { { out, GS_WRITE }, { chunk, GS_READ }, { weight, GS_READ }, { bias, GS_READ } };
            if (!st)
                st = gs_stream_dispatch(s, &kernel, &push, sizeof push, bindings, bias ? 4 : 3, groups_x,
                                        weight_lanes ? gs_groups(pixels, block.rows)
                                                     : gs_groups(pixels, GEMM_LANES * lane_rows),
                                        1);
            gs_tensor_free(chunk);
        }
        gs_tensor_free(image);
    }
    return st;
}

/* ---- conv2d as an implicit GEMM (CPU drivers with texel loads) -------------
 * The unfold above writes k·k copies of the input with llvmpipe's slow
 * scalar stores, and the GEMM then reads them back. Here the GEMM's rows are
 * gathered from the input itself: zero-padded and channels-last, 4 channels
 * of one tap are one texel, and with the weight stored taps-major
 * ([O, k, k, C], by gs_weights_conv) k-step kq of every row is one fetch.
 * The batch is one GEMM: a row is a pixel of any image. */

typedef struct {
    VkDeviceAddress dst, bias, image_bias;
    uint32_t m, n, k;
    uint32_t has_bias;
    uint32_t ldd;
    uint32_t c4, wo, hp, wp, stride;
    uint32_t has_image_bias;
} conv_implicit_push;

bool
gs_conv2d_taps_major(gs_context *ctx, int64_t out_channels, int64_t in_channels, int64_t kernel)
{
    return gs_cpu_kernels(ctx) && ctx->texel_loads && !ctx->conv_direct && (kernel == 1 || kernel == 3) &&
           out_channels % 4 == 0 && in_channels % 4 == 0;
}

gs_status
gs_op_conv2d_implicit(gs_stream *s, gs_tensor *out, const gs_tensor *x_padded, const gs_tensor *weight,
                      const gs_tensor *bias, const gs_tensor *image_bias, int stride)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st;
    if ((st = gs_check_dtype(ctx, "conv2d_implicit", out, GS_F32)) ||
        (st = gs_check_dtype(ctx, "conv2d_implicit", x_padded, GS_F32)) ||
        (bias && (st = gs_check_dtype(ctx, "conv2d_implicit bias", bias, GS_F32))) ||
        (image_bias && (st = gs_check_dtype(ctx, "conv2d_implicit image bias", image_bias, GS_F32))))
        return st;
    if (x_padded->ndim != 4 || weight->ndim != 4 || out->ndim != 4)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "conv2d_implicit: x, weight and out must be 4-D");
    int64_t n = x_padded->shape[0], hp = x_padded->shape[1], wp = x_padded->shape[2], c = x_padded->shape[3];
    int64_t o = weight->shape[0], k = weight->shape[1];
    if (weight->shape[2] != k || weight->shape[3] != c || (k != 1 && k != 3 && k != 5) || c % 4 || o % 4)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT,
                       "conv2d_implicit: weight must be [O,k,k,C] (k 1, 3 or 5) with C and O multiples of 4");
    if (stride < 1 || stride > 2 || hp < k || wp < k)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "conv2d_implicit: stride 1 or 2 over at least k×k pixels");
    int64_t ho = (hp - k) / stride + 1, wo = (wp - k) / stride + 1, m = n * ho * wo;
    if (out->shape[0] != n || out->shape[1] != o || out->shape[2] != ho || out->shape[3] != wo)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "conv2d_implicit: out must be [%lld,%lld,%lld,%lld]",
                       (long long)n, (long long)o, (long long)ho, (long long)wo);
    if ((bias && gs_tensor_numel(bias) != o) || (image_bias && gs_tensor_numel(image_bias) != n * o))
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT,
                       "conv2d_implicit: the bias needs %lld elements and the per-image bias %lld", (long long)o,
                       (long long)(n * o));
    gs_texel_block block = gs_choose_texel_block(m, o);
    if (gs_tensor_numel(out) > UINT32_MAX || gs_tensor_numel(x_padded) / 4 > INT32_MAX ||
        gs_groups(m, block.rows) > 65535)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "conv2d_implicit: too many elements or pixels");
    if (!gs_cpu_kernels(ctx) || !gs_texel_gemm_operands(ctx, x_padded, weight))
        return gs_fail(ctx, GS_ERR_UNSUPPORTED,
                       "conv2d_implicit: needs a CPU driver with texel loads and texel-aligned operands");
    conv_implicit_push push = {
        gs_tensor_address(out), bias ? gs_tensor_address(bias) : 0, image_bias ? gs_tensor_address(image_bias) : 0,
        (uint32_t)m, (uint32_t)o, (uint32_t)(k * k * c), bias != NULL, (uint32_t)(ho * wo), (uint32_t)(c / 4),
        (uint32_t)wo, (uint32_t)hp, (uint32_t)wp, (uint32_t)stride, image_bias != NULL,
    };
    gs_binding bindings[5] = { { out, GS_WRITE }, { x_padded, GS_READ }, { weight, GS_READ } };
    int count = 3;
    if (bias)
        bindings[count++] = (gs_binding){ bias, GS_READ };
    if (image_bias)
        bindings[count++] = (gs_binding){ image_bias, GS_READ };
    gs_texel_binding texels[2] = {
        { x_padded, VK_FORMAT_R32G32B32A32_SFLOAT },
        { weight, gs_weight_texel_format(weight) },
    };
    gs_kernel kernel = GS_KERNEL(conv_implicit_texels);
    kernel.spec[0] = block.rows;
    kernel.spec[1] = block.groups;
    kernel.spec[2] = (uint32_t)k;
    kernel.spec_count = 3;
    return gs_stream_dispatch_texels(s, &kernel, &push, sizeof push, bindings, count, texels, 2,
                                     gs_groups(o, 4 * GEMM_LANES * block.groups), gs_groups(m, block.rows), 1);
}
