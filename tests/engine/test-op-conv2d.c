/* conv2d vs the double-precision reference.
 * Tolerance: atol 2e-6·sqrt(C·k·k), rtol 1e-5 (fp32 accumulation order);
 * fp16 weights are rounded the same way for the reference.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-test.h"
#include "ref/gs-ref.h"

/* The implicit GEMM (CPU drivers with texel loads): x padded channels-last,
 * checked exactly against a host copy, and the weight taps-major. */
static void
check_implicit(gs_context *ctx, gs_stream *s, gs_tensor *tx, const float *x, const float *wt, int64_t k,
               gs_tensor *bias, gs_tensor *tout, const float *want, gs_dtype wtype, int stride, int pad,
               const char *what)
{
    int64_t n = gs_tensor_dim(tx, 0), c = gs_tensor_dim(tx, 1), h = gs_tensor_dim(tx, 2), w = gs_tensor_dim(tx, 3);
    int64_t o = gs_tensor_dim(tout, 1), hp = h + 2 * pad, wp = w + 2 * pad;
    size_t np = (size_t)(n * hp * wp * c), nw = (size_t)(o * k * k * c), nout = (size_t)gs_tensor_numel(tout);
    float *padded = calloc(np, sizeof *padded), *taps = malloc(nw * sizeof *taps);
    for (int64_t i = 0; i < n; i++)
        for (int64_t ch = 0; ch < c; ch++)
            for (int64_t y = 0; y < h; y++)
                for (int64_t xx = 0; xx < w; xx++)
                    padded[((i * hp + y + pad) * wp + xx + pad) * c + ch] = x[((i * c + ch) * h + y) * w + xx];
    for (int64_t oc = 0; oc < o; oc++)
        for (int64_t ch = 0; ch < c; ch++)
            for (int64_t t = 0; t < k * k; t++)
                taps[(oc * k * k + t) * c + ch] = wt[(oc * c + ch) * k * k + t];
    int64_t ps[4] = { n, hp, wp, c }, ws[4] = { o, k, k, c };
    gs_tensor *tp = gs_test_tensor(ctx, 4, ps, NULL), *tw = gs_tensor_new(ctx, wtype, 4, ws);
    GS_CHECK_OK(ctx, gs_tensor_upload(tw, taps, (int64_t)nw));
    GS_CHECK_OK(ctx, gs_op_padded_nhwc(s, tp, tx, pad));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    float *got = gs_test_download(tp);
    char padded_what[240];
    snprintf(padded_what, sizeof padded_what, "%s, padded channels-last input", what);
    gs_test_close(padded_what, got, padded, np, 0, 0);
    free(got);

    GS_CHECK_OK(ctx, gs_op_conv2d_implicit(s, tout, tp, tw, bias, NULL, stride));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    got = gs_test_download(tout);
    char gemm_what[240];
    snprintf(gemm_what, sizeof gemm_what, "%s, implicit GEMM", what);
    gs_test_close(gemm_what, got, want, nout, 2e-6f * sqrtf((float)(c * k * k)), 1e-5f);
    free(got);

    /* With a bias per image and output channel. */
    float *image_bias = gs_test_random_new((size_t)(n * o), 77, -1, 1), *want_biased = malloc(nout * sizeof *want);
    int64_t plane = (int64_t)nout / (n * o), ibs[2] = { n, o };
    for (size_t i = 0; i < nout; i++)
        want_biased[i] = want[i] + image_bias[(int64_t)i / plane];
    gs_tensor *tib = gs_test_tensor(ctx, 2, ibs, image_bias);
    GS_CHECK_OK(ctx, gs_op_conv2d_implicit(s, tout, tp, tw, bias, tib, stride));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    got = gs_test_download(tout);
    snprintf(gemm_what, sizeof gemm_what, "%s, implicit GEMM + bias per image", what);
    gs_test_close(gemm_what, got, want_biased, nout, 2e-6f * sqrtf((float)(c * k * k)), 1e-5f);
    free(got);
    free(image_bias);
    free(want_biased);
    gs_tensor_free(tib);
    gs_tensor_free(tp);
    gs_tensor_free(tw);
    free(padded);
    free(taps);
}

static void
check(gs_context *ctx, int64_t n, int64_t c, int64_t h, int64_t w, int64_t o, int64_t k, int stride, int pad,
      bool with_bias, gs_dtype wtype, uint64_t seed)
{
    int64_t ho = (h + 2 * pad - k) / stride + 1, wo = (w + 2 * pad - k) / stride + 1;
    size_t nx = (size_t)(n * c * h * w), nw = (size_t)(o * c * k * k), nout = (size_t)(n * o * ho * wo);
    float *x = gs_test_random_new(nx, seed, -1, 1), *wt = gs_test_random_new(nw, seed + 1, -1, 1);
    float *bias = gs_test_random_new((size_t)o, seed + 2, -1, 1), *want = malloc(nout * sizeof *want);
    if (wtype == GS_F16)
        for (size_t i = 0; i < nw; i++)
            wt[i] = gs_half_to_float(gs_float_to_half(wt[i]));
    ref_conv2d(want, x, wt, with_bias ? bias : NULL, n, c, h, w, o, k, stride, pad);

    int64_t xs[4] = { n, c, h, w }, ws[4] = { o, c, k, k }, os[4] = { n, o, ho, wo }, bs[1] = { o };
    gs_tensor *tx = gs_test_tensor(ctx, 4, xs, x), *tout = gs_test_tensor(ctx, 4, os, NULL);
    gs_tensor *tb = gs_test_tensor(ctx, 1, bs, bias), *tw = gs_tensor_new(ctx, wtype, 4, ws);
    GS_CHECK_OK(ctx, gs_tensor_upload(tw, wt, (int64_t)nw));
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK_OK(ctx, gs_op_conv2d(s, tout, tx, tw, with_bias ? tb : NULL, stride, pad));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    float *got = gs_test_download(tout);
    char what[160];
    snprintf(what, sizeof what, "conv2d %lldx%lldx%lldx%lld -> %lld k%lld s%d p%d%s", (long long)n, (long long)c,
             (long long)h, (long long)w, (long long)o, (long long)k, stride, pad, wtype == GS_F16 ? " fp16" : "");
    gs_test_close(what, got, want, nout, 2e-6f * sqrtf((float)(c * k * k)), 1e-5f);
    free(got);

    /* Unfold + GEMM (CPU drivers), whole and in chunks of 3 output rows. */
    int64_t rows = gs_conv2d_gemm_rows(ctx, tx, tw, stride, pad);
    for (int chunked = 0; chunked < 2 && rows > 0; chunked++) {
        int64_t r = chunked ? (rows < 3 ? rows : 3) : rows, cs[3] = { r, wo, c * k * k };
        gs_tensor *columns = gs_test_tensor(ctx, 3, cs, NULL);
        GS_CHECK_OK(ctx, gs_op_conv2d_gemm(s, tout, tx, tw, with_bias ? tb : NULL, stride, pad, columns));
        GS_CHECK_OK(ctx, gs_stream_submit(s));
        got = gs_test_download(tout);
        char gemm_what[240];
        snprintf(gemm_what, sizeof gemm_what, "%s, unfold + GEMM by %lld rows", what, (long long)r);
        gs_test_close(gemm_what, got, want, nout, 2e-6f * sqrtf((float)(c * k * k)), 1e-5f);
        free(got);
        gs_tensor_free(columns);
    }
    if (c % 4 == 0 && o % 4 == 0 && gs_conv2d_taps_major(ctx, o, c, 3))
        check_implicit(ctx, s, tx, x, wt, k, with_bias ? tb : NULL, tout, want, wtype, stride, pad, what);
    gs_stream_free(s);
    gs_tensor_free(tx);
    gs_tensor_free(tw);
    gs_tensor_free(tb);
    gs_tensor_free(tout);
    free(x);
    free(wt);
    free(bias);
    free(want);
}

static void
check_unfold(gs_context *ctx, int64_t c, int64_t h, int64_t w, int64_t k, int stride, int pad, int64_t row0,
             int64_t rows, uint64_t seed)
{
    int64_t wo = (w + 2 * pad - k) / stride + 1;
    size_t nx = (size_t)(c * h * w), nout = (size_t)(rows * wo * c * k * k);
    float *x = gs_test_random_new(nx, seed, -1, 1), *want = malloc(nout * sizeof *want);
    ref_unfold2d(want, x, c, h, w, k, stride, pad, row0, rows);
    int64_t xs[4] = { 1, c, h, w }, os[3] = { rows, wo, c * k * k };
    gs_tensor *tx = gs_test_tensor(ctx, 4, xs, x), *tout = gs_test_tensor(ctx, 3, os, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK_OK(ctx, gs_op_unfold2d(s, tout, tx, (int)k, stride, pad, (int)row0));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    float *got = gs_test_download(tout);
    char what[160];
    snprintf(what, sizeof what, "unfold2d %lldx%lldx%lld k%lld s%d p%d rows %lld+%lld", (long long)c, (long long)h,
             (long long)w, (long long)k, stride, pad, (long long)row0, (long long)rows);
    gs_test_close(what, got, want, nout, 0, 0);
    gs_stream_free(s);
    gs_tensor_free(tx);
    gs_tensor_free(tout);
    free(x);
    free(want);
    free(got);
}

int
main(void)
{
    gs_context *ctx = gs_test_context();
    gs_dtype f16 = gs_context_has_fp16_storage(ctx) ? GS_F16 : GS_F32;
    check_unfold(ctx, 5, 9, 7, 3, 1, 1, 0, 9, 20);
    check_unfold(ctx, 6, 11, 13, 3, 2, 1, 2, 3, 21);
    check_unfold(ctx, 4, 9, 9, 3, 2, 0, 1, 3, 22);
    check_unfold(ctx, 7, 5, 6, 1, 1, 0, 1, 4, 23);
    check(ctx, 1, 3, 32, 32, 32, 3, 1, 1, true, GS_F32, 1);   /* conv_in */
    check(ctx, 1, 64, 16, 16, 64, 3, 2, 1, true, f16, 2);     /* downsample */
    check(ctx, 2, 96, 8, 8, 64, 1, 1, 0, true, f16, 3);       /* skip 1×1, batch 2 */
    check(ctx, 1, 5, 7, 9, 3, 3, 1, 0, false, GS_F32, 4);     /* ragged, no padding */
    check(ctx, 2, 4, 9, 7, 6, 3, 2, 1, true, GS_F32, 5);      /* odd size, stride 2 */
    check(ctx, 2, 8, 9, 7, 24, 3, 1, 1, true, f16, 6);        /* ragged channel and pixel blocks */
    check(ctx, 1, 32, 17, 17, 32, 3, 2, 0, true, f16, 7);     /* VAE downsample: padded to odd, stride 2, pad 0 */
    check(ctx, 1, 16, 9, 13, 24, 3, 2, 0, true, GS_F32, 8);
    /* SD-like shapes */
    check(ctx, 1, 64, 32, 32, 64, 3, 1, 1, true, f16, 9);     /* ResBlock conv */
    check(ctx, 2, 64, 32, 32, 128, 3, 2, 1, true, f16, 10);   /* UNet downsample, batch 2 */
    check(ctx, 2, 128, 16, 16, 64, 1, 1, 0, true, f16, 11);   /* skip 1×1 */
    check(ctx, 1, 32, 15, 21, 36, 3, 1, 1, true, GS_F32, 12); /* odd sizes, fp32 weights */
    check(ctx, 1, 64, 33, 33, 64, 3, 2, 0, false, f16, 13);   /* VAE downsample (padded to odd) */
    check(ctx, 1, 40, 8, 8, 4, 1, 1, 0, true, f16, 14);       /* 4 output channels */
    /* 5×5 (ESRGAN's UPN1): direct and unfold + GEMM */
    check(ctx, 1, 64, 19, 13, 64, 5, 1, 2, true, f16, 15);
    check(ctx, 1, 6, 9, 11, 5, 5, 1, 2, true, GS_F32, 16);
    check(ctx, 2, 8, 7, 7, 12, 5, 2, 1, false, f16, 17);
    check(ctx, 1, 4, 6, 5, 8, 5, 1, 0, true, GS_F32, 18);

    int64_t xs[4] = { 1, 4, 8, 8 }, ws[4] = { 4, 4, 7, 7 }, os[4] = { 1, 4, 8, 8 };
    gs_tensor *x = gs_test_tensor(ctx, 4, xs, NULL), *w = gs_test_tensor(ctx, 4, ws, NULL);
    gs_tensor *out = gs_test_tensor(ctx, 4, os, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK(gs_op_conv2d(s, out, x, w, NULL, 1, 2) == GS_ERR_INVALID_ARGUMENT); /* kernel 7 */
    GS_CHECK(gs_op_conv2d(s, out, x, x, NULL, 3, 1) == GS_ERR_INVALID_ARGUMENT);
    gs_stream_free(s);
    gs_tensor_free(x);
    gs_tensor_free(w);
    gs_tensor_free(out);
    gs_context_free(ctx);
    return gs_test_failures != 0;
}
