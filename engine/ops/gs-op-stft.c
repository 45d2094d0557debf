/* STFT framing, overlap-add, the Griffin-Lim projection and its starting phase: what turns the
 * row FFTs of gs-op-fft.c into a short-time transform and back.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "vk/gs-vk-private.h"

#include "griffin_lim_project.spv.h"
#include "overlap_add.spv.h"
#include "phase_accumulate.spv.h"
#include "phase_steps.spv.h"
#include "stft_frames.spv.h"

#define WORKGROUP 256

typedef struct {
    VkDeviceAddress dst, a, b, c;
    uint32_t count, len;
    float momentum;
} stft_push;

/* n and hop are the shader's specialization constants (0 for the projection). */
static gs_status
dispatch(gs_stream *s, gs_kernel kernel, int64_t n, int hop, stft_push *push, const gs_binding *bindings,
         int binding_count)
{
    kernel.spec[0] = WORKGROUP;
    kernel.spec[1] = (uint32_t)n;
    kernel.spec[2] = (uint32_t)hop;
    kernel.spec_count = n ? 3 : 1;
    return gs_stream_dispatch_1d(s, &kernel, push, sizeof *push, bindings, binding_count, push->count, WORKGROUP);
}

static gs_status
check_f32(gs_context *ctx, const char *op, const gs_tensor *a, const gs_tensor *b)
{
    gs_status st;
    if ((st = gs_check_dtype(ctx, op, a, GS_F32)) || (st = gs_check_dtype(ctx, op, b, GS_F32)))
        return st;
    return GS_OK;
}

gs_status
gs_op_stft_frames(gs_stream *s, gs_tensor *frames, const gs_tensor *signal, int hop)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st = check_f32(ctx, "stft_frames", frames, signal);
    if (st)
        return st;
    if (signal->ndim != 1 || frames->ndim != 2 || hop <= 0)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "stft_frames: signal must be [len] and frames [T, n]");
    int64_t len = signal->shape[0], t = frames->shape[0], n = frames->shape[1];
    if (len <= n / 2 || t != len / hop + 1)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT,
                       "stft_frames: %lld samples need more than n/2 = %lld and give %lld frames, not %lld",
                       (long long)len, (long long)(n / 2), (long long)(len / hop + 1), (long long)t);
    stft_push push = { gs_tensor_address(frames), gs_tensor_address(signal), 0, 0, (uint32_t)(t * n), (uint32_t)len,
                       0.0f };
    gs_binding bindings[] = { { frames, GS_WRITE }, { signal, GS_READ } };
    return dispatch(s, GS_KERNEL(stft_frames), n, hop, &push, bindings, 2);
}

gs_status
gs_op_overlap_add(gs_stream *s, gs_tensor *signal, const gs_tensor *frames, int hop)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st = check_f32(ctx, "overlap_add", signal, frames);
    if (st)
        return st;
    if (signal->ndim != 1 || frames->ndim != 2 || hop <= 0 || hop > frames->shape[1])
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "overlap_add: frames must be [T, n], hop ≤ n, signal [len]");
    int64_t t = frames->shape[0], n = frames->shape[1];
    if (t < 2 || signal->shape[0] != hop * (t - 1))
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "overlap_add: %lld frames give %lld samples, not %lld",
                       (long long)t, (long long)(hop * (t - 1)), (long long)signal->shape[0]);
    stft_push push = { gs_tensor_address(signal), gs_tensor_address(frames), 0, 0, (uint32_t)signal->shape[0],
                       (uint32_t)t, 0.0f };
    gs_binding bindings[] = { { signal, GS_WRITE }, { frames, GS_READ } };
    return dispatch(s, GS_KERNEL(overlap_add), n, hop, &push, bindings, 2);
}

gs_status
gs_op_griffin_lim_project(gs_stream *s, gs_tensor *out, const gs_tensor *spectrum, const gs_tensor *magnitude,
                          gs_tensor *prev, float momentum)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st;
    if ((st = check_f32(ctx, "griffin_lim_project", out, spectrum)) ||
        (st = check_f32(ctx, "griffin_lim_project", magnitude, prev)))
        return st;
    int64_t bins = gs_tensor_numel(magnitude);
    if (!gs_same_shape(out, spectrum) || !gs_same_shape(out, prev) || gs_tensor_numel(out) != 2 * bins ||
        out->shape[out->ndim - 1] != 2)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT,
                       "griffin_lim_project: spectrum, out and prev must be [T, bins, 2], magnitude [T, bins]");
    stft_push push = { gs_tensor_address(out), gs_tensor_address(spectrum), gs_tensor_address(magnitude),
                       gs_tensor_address(prev), (uint32_t)bins, 0, momentum };
    gs_binding bindings[] = { { out, GS_WRITE }, { spectrum, GS_READ }, { magnitude, GS_READ }, { prev, GS_WRITE } };
    return dispatch(s, GS_KERNEL(griffin_lim_project), 0, 0, &push, bindings, 4);
}


/* One workgroup walks the frames in order (each frame's phase follows the
 * last); lavapipe ends an invocation's loops after 65,535 iterations, so
 * the walk stops short of that (12 minutes at a hop of 256 and 22.05 kHz). */
#define PHASE_WALK_LANES 64
#define MAX_PHASE_FRAMES 65000

gs_status
gs_op_phase_init(gs_stream *s, gs_tensor *spectrum, const gs_tensor *magnitude, int hop)
{
    gs_context *ctx = gs_stream_context(s);
    gs_status st = check_f32(ctx, "phase_init", spectrum, magnitude);
    if (st)
        return st;
    if (magnitude->ndim != 2 || spectrum->ndim != 3 || spectrum->shape[0] != magnitude->shape[0] ||
        spectrum->shape[1] != magnitude->shape[1] || spectrum->shape[2] != 2)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "phase_init: magnitude must be [T, bins], spectrum [T, bins, 2]");
    int64_t frames = magnitude->shape[0], bins = magnitude->shape[1];
    if (bins < 3 || bins > 1025 || hop <= 0 || hop > 2 * (bins - 1) || frames > MAX_PHASE_FRAMES)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT,
                       "phase_init: %lld frames (up to %d), %lld bins (3..1025) or hop %d (1..n) out of range",
                       (long long)frames, MAX_PHASE_FRAMES, (long long)bins, hop);
    struct {
        VkDeviceAddress dst, magnitude;
        uint32_t frames, bins, hop;
    } push = { gs_tensor_address(spectrum), gs_tensor_address(magnitude), (uint32_t)frames, (uint32_t)bins,
               (uint32_t)hop };
    gs_binding bindings[] = { { spectrum, GS_WRITE }, { magnitude, GS_READ } };
    gs_kernel steps = GS_KERNEL(phase_steps), walk = GS_KERNEL(phase_accumulate);
    steps.spec[0] = WORKGROUP;
    steps.spec_count = 1;
    walk.spec[0] = PHASE_WALK_LANES;
    walk.spec_count = 1;
    if ((st = gs_stream_dispatch_1d(s, &steps, &push, sizeof push, bindings, 2, frames, WORKGROUP)))
        return st;
    return gs_stream_dispatch(s, &walk, &push, sizeof push, bindings, 2, 1, 1, 1);
}
