/* Real FFT and inverse of rows of 256..2048 samples (the STFT frames of the
 * audio path).
 * For STFT / Griffin-Lim: windowing, framing and overlap-add are left to the
 * caller; irfft keeps only the real part, so the imaginary parts of the DC and
 * Nyquist bins of a modified spectrum are ignored, as in torch.fft.irfft.
 * Unnormalised forward, 1/n inverse (torch's "backward" norm).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "vk/gs-vk-private.h"

#include "irfft.spv.h"
#include "rfft.spv.h"

typedef struct {
    VkDeviceAddress dst, src;
    uint32_t rows;
} fft_push;

static bool
supported_size(int64_t n)
{
    return n == 256 || n == 512 || n == 1024 || n == 2048;
}

static gs_status
fft(gs_stream *s, bool inverse, gs_tensor *out, const gs_tensor *x)
{
    gs_context *ctx = gs_stream_context(s);
    const char *op = inverse ? "irfft" : "rfft";
    gs_status st;
    if ((st = gs_check_dtype(ctx, op, out, GS_F32)) || (st = gs_check_dtype(ctx, op, x, GS_F32)))
        return st;
    const gs_tensor *real = inverse ? out : x, *spectrum = inverse ? x : out;
    if (real->ndim != 2 || spectrum->ndim != 3 || spectrum->shape[2] != 2 || real->shape[0] != spectrum->shape[0])
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "%s: the real side must be [B,n] and the spectrum [B,n/2+1,2]", op);
    int64_t n = real->shape[1];
    if (!supported_size(n))
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "%s: n = %lld is not a power of two in 256..2048", op, (long long)n);
    if (spectrum->shape[1] != n / 2 + 1)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "%s: the spectrum must hold n/2+1 = %lld bins", op,
                       (long long)(n / 2 + 1));
    fft_push push = { gs_tensor_address(out), gs_tensor_address(x), (uint32_t)real->shape[0] };
    gs_kernel kernel = inverse ? GS_KERNEL(irfft) : GS_KERNEL(rfft);
    /* A workgroup per two rows, n/16 invocations, one 16-point butterfly
     * each (shaders/fft.comp). */
    kernel.spec[0] = (uint32_t)n / 16;
    kernel.spec[1] = (uint32_t)n;
    kernel.spec_count = 2;
    gs_binding bindings[] = { { out, GS_WRITE }, { x, GS_READ } };
    return gs_stream_dispatch_1d(s, &kernel, &push, sizeof push, bindings, 2, real->shape[0], 2);
}

gs_status
gs_op_rfft(gs_stream *s, gs_tensor *out, const gs_tensor *x)
{
    return fft(s, false, out, x);
}

gs_status
gs_op_irfft(gs_stream *s, gs_tensor *out, const gs_tensor *x)
{
    return fft(s, true, out, x);
}
