/* conv1d (dilated) and conv_transpose1d vs double-precision references.
 * Tolerance: atol 2e-6·sqrt(C·K), rtol 1e-5; fp16 weights rounded alike.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-test.h"
#include "ref/gs-ref.h"

static void
check(gs_context *ctx, bool transposed, int64_t n, int64_t c, int64_t l, int64_t o, int64_t k, int stride, int pad,
      int dilation, gs_dtype wtype, uint64_t seed)
{
    int64_t lo = transposed ? (l - 1) * stride - 2 * pad + k : (l + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
    size_t nx = (size_t)(n * c * l), nw = (size_t)(o * c * k), nout = (size_t)(n * o * lo);
    float *x = gs_test_random_new(nx, seed, -1, 1), *w = gs_test_random_new(nw, seed + 1, -1, 1);
    float *bias = gs_test_random_new((size_t)o, seed + 2, -1, 1), *want = malloc(nout * sizeof *want);
    if (wtype == GS_F16)
        for (size_t i = 0; i < nw; i++)
            w[i] = gs_half_to_float(gs_float_to_half(w[i]));
    if (transposed)
        ref_conv_transpose1d(want, x, w, bias, n, c, l, o, k, stride, pad);
    else
        ref_conv1d(want, x, w, bias, n, c, l, o, k, stride, pad, dilation);
    int64_t xs[3] = { n, c, l }, os[3] = { n, o, lo }, bs[1] = { o };
    int64_t ws[3] = { transposed ? c : o, transposed ? o : c, k };
    gs_tensor *tx = gs_test_tensor(ctx, 3, xs, x), *tout = gs_test_tensor(ctx, 3, os, NULL);
    gs_tensor *tb = gs_test_tensor(ctx, 1, bs, bias), *tw = gs_tensor_new(ctx, wtype, 3, ws);
    GS_CHECK_OK(ctx, gs_tensor_upload(tw, w, (int64_t)nw));
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK_OK(ctx, transposed ? gs_op_conv_transpose1d(s, tout, tx, tw, tb, stride, pad)
                                : gs_op_conv1d(s, tout, tx, tw, tb, stride, pad, dilation));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    float *got = gs_test_download(tout);
    char what[128];
    snprintf(what, sizeof what, "%s %lldx%lldx%lld -> %lld k%lld s%d p%d d%d%s", transposed ? "conv_transpose1d" : "conv1d",
             (long long)n, (long long)c, (long long)l, (long long)o, (long long)k, stride, pad, dilation,
             wtype == GS_F16 ? " fp16" : "");
    gs_test_close(what, got, want, nout, 2e-6f * sqrtf((float)(c * k)), 1e-5f);
    gs_stream_free(s);
    gs_tensor_free(tx);
    gs_tensor_free(tw);
    gs_tensor_free(tb);
    gs_tensor_free(tout);
    free(x);
    free(w);
    free(bias);
    free(want);
    free(got);
}

/* Token-major conv1d as the speech models run it: unfold, then one matmul
 * with the weight [O, C·K] (transpose_b) — against the plain-C conv1d on the
 * channels-first copy. atol 1e-4 (sums of C·K products of values in ±1). */
static void
check_unfold(gs_context *ctx, int64_t n, int64_t c, int64_t l, int64_t o, int64_t k, int pad, int dilation,
             uint64_t seed)
{
    int64_t lo = l + 2 * pad - dilation * (k - 1);
    float *x = gs_test_random_new((size_t)(n * l * c), seed, -1, 1);
    float *w = gs_test_random_new((size_t)(o * c * k), seed + 1, -0.5f, 0.5f);
    float *bias = gs_test_random_new((size_t)o, seed + 2, -1, 1);
    float *x_cl = malloc((size_t)(n * c * l) * sizeof(float)), *ref = malloc((size_t)(n * o * lo) * sizeof(float));
    float *want = malloc((size_t)(n * lo * o) * sizeof(float));
    for (int64_t b = 0; b < n; b++)
        for (int64_t t = 0; t < l; t++)
            for (int64_t ch = 0; ch < c; ch++)
                x_cl[(b * c + ch) * l + t] = x[(b * l + t) * c + ch];
    ref_conv1d(ref, x_cl, w, bias, n, c, l, o, k, 1, pad, dilation);
    for (int64_t b = 0; b < n; b++)
        for (int64_t t = 0; t < lo; t++)
            for (int64_t ch = 0; ch < o; ch++)
                want[(b * lo + t) * o + ch] = ref[(b * o + ch) * lo + t];
    int64_t xs[3] = { n, l, c }, us[3] = { n, lo, c * k }, ws[2] = { o, c * k }, os[3] = { n, lo, o };
    gs_tensor *tx = gs_test_tensor(ctx, 3, xs, x), *tu = gs_test_tensor(ctx, 3, us, NULL);
    gs_tensor *tw = gs_test_tensor(ctx, 2, ws, w), *tb = gs_test_tensor(ctx, 1, &o, bias);
    gs_tensor *out = gs_test_tensor(ctx, 3, os, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK_OK(ctx, gs_op_unfold1d(s, tu, tx, (int)k, pad, dilation));
    GS_CHECK_OK(ctx, gs_op_matmul(s, out, tu, tw, tb, true));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    float *got = gs_test_download(out);
    char what[96];
    snprintf(what, sizeof what, "unfold1d+matmul C %lld L %lld O %lld K %lld dilation %d", (long long)c,
             (long long)l, (long long)o, (long long)k, dilation);
    gs_test_close(what, got, want, (size_t)(n * lo * o), 1e-4f, 0);
    int64_t bad[3] = { n, lo + 1, c * k };
    gs_tensor *wrong = gs_test_tensor(ctx, 3, bad, NULL);
    GS_CHECK(gs_op_unfold1d(s, wrong, tx, (int)k, pad, dilation) == GS_ERR_INVALID_ARGUMENT);
    /* The taps unroll in the shader: a kernel past 64 is refused, not compiled. */
    GS_CHECK(gs_op_unfold1d(s, tu, tx, 65, pad, dilation) == GS_ERR_INVALID_ARGUMENT);
    gs_stream_free(s);
    gs_tensor_free(tx), gs_tensor_free(tu), gs_tensor_free(tw), gs_tensor_free(tb), gs_tensor_free(out);
    gs_tensor_free(wrong);
    free(x), free(w), free(bias), free(x_cl), free(ref), free(want), free(got);
}

int
main(void)
{
    gs_context *ctx = gs_test_context();
    gs_dtype f16 = gs_context_has_fp16_storage(ctx) ? GS_F16 : GS_F32;
    check(ctx, false, 1, 80, 100, 64, 7, 1, 3, 1, GS_F32, 1);   /* mel → hidden */
    check(ctx, false, 2, 16, 97, 16, 3, 1, 9, 9, f16, 2);       /* dilated residual */
    check(ctx, false, 1, 8, 50, 4, 4, 2, 1, 1, GS_F32, 3);      /* strided */
    check(ctx, true, 1, 32, 40, 16, 16, 8, 4, 1, GS_F32, 4);    /* HiFi-GAN ×8 upsampling */
    check(ctx, true, 2, 8, 33, 5, 4, 2, 1, 1, f16, 5);
    check(ctx, true, 1, 3, 10, 2, 3, 1, 0, 1, GS_F32, 6);
    check_unfold(ctx, 1, 80, 120, 64, 7, 3, 1, 7);    /* the vocoder's input conv */
    check_unfold(ctx, 2, 32, 57, 24, 5, 8, 4, 8);     /* a dilated decoder block */

    int64_t xs[3] = { 1, 4, 10 }, ws[3] = { 2, 3, 3 }, os[3] = { 1, 2, 8 };
    gs_tensor *x = gs_test_tensor(ctx, 3, xs, NULL), *w = gs_test_tensor(ctx, 3, ws, NULL);
    gs_tensor *out = gs_test_tensor(ctx, 3, os, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK(gs_op_conv1d(s, out, x, w, NULL, 1, 0, 1) == GS_ERR_INVALID_ARGUMENT); /* channels 4 vs 3 */
    GS_CHECK(gs_op_conv1d(s, out, x, w, NULL, 0, 0, 1) == GS_ERR_INVALID_ARGUMENT); /* stride 0 */
    gs_stream_free(s);
    gs_tensor_free(x);
    gs_tensor_free(w);
    gs_tensor_free(out);
    gs_context_free(ctx);
    return gs_test_failures != 0;
}
