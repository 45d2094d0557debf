/* group_norm (± SiLU) and layer_norm (± GELU) vs the double-precision reference.
 * Tolerance: atol 1e-5, rtol 1e-4 (fp32 mean/variance sums over up to 64K
 * elements; inputs in [-3, 3] with an offset to exercise the two passes).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-test.h"
#include "ref/gs-ref.h"

static void
check_group(gs_context *ctx, int64_t n, int64_t c, int64_t h, int64_t w, int groups, float eps, bool silu, uint64_t seed)
{
    size_t count = (size_t)(n * c * h * w);
    float *x = gs_test_random_new(count, seed, -3, 3);
    for (size_t i = 0; i < count; i++)
        x[i] += 5.0f; /* a large mean: one-pass variance would lose digits */
    float *gamma = gs_test_random_new((size_t)c, seed + 1, 0.5f, 1.5f), *beta = gs_test_random_new((size_t)c, seed + 2, -1, 1);
    float *want = malloc(count * sizeof *want);
    ref_group_norm(want, x, gamma, beta, n, c, h * w, groups, eps, silu);
    int64_t xs[4] = { n, c, h, w }, ps[1] = { c };
    gs_tensor *tx = gs_test_tensor(ctx, 4, xs, x), *tout = gs_test_tensor(ctx, 4, xs, NULL);
    gs_tensor *tg = gs_test_tensor(ctx, 1, ps, gamma), *tb = gs_test_tensor(ctx, 1, ps, beta);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK_OK(ctx, gs_op_group_norm(s, tout, tx, tg, tb, groups, eps, silu));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    float *got = gs_test_download(tout);
    char what[128];
    snprintf(what, sizeof what, "group_norm %lldx%lldx%lldx%lld groups %d eps %g%s", (long long)n, (long long)c,
             (long long)h, (long long)w, groups, eps, silu ? " +silu" : "");
    gs_test_close(what, got, want, count, 1e-5f, 1e-4f);
    free(got);

    /* The same, written zero-padded (by 1) and channels-last. */
    if (c % 4 == 0) {
        int64_t hp = h + 2, wp = w + 2, ps4[4] = { n, hp, wp, c }, ss[1] = { 2 * n * groups };
        size_t padded_count = (size_t)(n * hp * wp * c);
        float *padded = calloc(padded_count, sizeof *padded);
        for (int64_t i = 0; i < n; i++)
            for (int64_t ch = 0; ch < c; ch++)
                for (int64_t y = 0; y < h; y++)
                    for (int64_t xx = 0; xx < w; xx++)
                        padded[((i * hp + y + 1) * wp + xx + 1) * c + ch] = want[((i * c + ch) * h + y) * w + xx];
        gs_tensor *tp = gs_test_tensor(ctx, 4, ps4, NULL), *stats = gs_test_tensor(ctx, 1, ss, NULL);
        GS_CHECK_OK(ctx, gs_op_group_norm_padded_nhwc(s, tp, stats, tx, tg, tb, groups, eps, silu, 1));
        GS_CHECK_OK(ctx, gs_stream_submit(s));
        got = gs_test_download(tp);
        char padded_what[160];
        snprintf(padded_what, sizeof padded_what, "%s, padded channels-last", what);
        gs_test_close(padded_what, got, padded, padded_count, 1e-5f, 1e-4f);
        free(got);
        free(padded);
        gs_tensor_free(tp);
        gs_tensor_free(stats);
    }
    gs_stream_free(s);
    gs_tensor_free(tx);
    gs_tensor_free(tout);
    gs_tensor_free(tg);
    gs_tensor_free(tb);
    free(x);
    free(gamma);
    free(beta);
    free(want);
}

static void
check_layer(gs_context *ctx, int64_t rows, int64_t d, bool gelu, uint64_t seed)
{
    size_t count = (size_t)(rows * d);
    float *x = gs_test_random_new(count, seed, -3, 3);
    float *gamma = gs_test_random_new((size_t)d, seed + 1, 0.5f, 1.5f), *beta = gs_test_random_new((size_t)d, seed + 2, -1, 1);
    float *want = malloc(count * sizeof *want);
    ref_layer_norm(want, x, gamma, beta, rows, d, 1e-5f);
    if (gelu)
        ref_gelu(want, want, (int64_t)count);
    int64_t xs[2] = { rows, d }, ps[1] = { d };
    gs_tensor *tx = gs_test_tensor(ctx, 2, xs, x), *tout = gs_test_tensor(ctx, 2, xs, NULL);
    gs_tensor *tg = gs_test_tensor(ctx, 1, ps, gamma), *tb = gs_test_tensor(ctx, 1, ps, beta);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK_OK(ctx, (gelu ? gs_op_layer_norm_gelu : gs_op_layer_norm)(s, tout, tx, tg, tb, 1e-5f));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    float *got = gs_test_download(tout);
    char what[64];
    snprintf(what, sizeof what, "layer_norm%s %lldx%lld", gelu ? " + GELU" : "", (long long)rows, (long long)d);
    gs_test_close(what, got, want, count, 1e-5f, 1e-4f);
    GS_CHECK(gs_op_layer_norm(s, tout, tx, tx, tb, 1e-5f) == GS_ERR_INVALID_ARGUMENT); /* gamma too long */
    gs_stream_free(s);
    gs_tensor_free(tx);
    gs_tensor_free(tout);
    gs_tensor_free(tg);
    gs_tensor_free(tb);
    free(x);
    free(gamma);
    free(beta);
    free(want);
    free(got);
}

int
main(void)
{
    gs_context *ctx = gs_test_context();
    check_group(ctx, 1, 32, 32, 32, 32, 1e-5f, true, 1);
    check_group(ctx, 2, 64, 16, 16, 32, 1e-6f, false, 2);
    check_group(ctx, 1, 96, 8, 8, 32, 1e-5f, true, 3);
    check_group(ctx, 2, 12, 5, 7, 3, 1e-5f, false, 4);
    check_group(ctx, 1, 32, 128, 160, 32, 1e-6f, true, 6);  /* 20480 per group */
    check_group(ctx, 1, 32, 128, 192, 32, 1e-6f, true, 7);  /* 24576: three passes over it pass llvmpipe's loop limit */
    check_group(ctx, 1, 320, 64, 64, 32, 1e-5f, true, 9);   /* SD's UNet at 512²: 40960 */
    check_group(ctx, 1, 32, 256, 256, 32, 1e-6f, true, 8);  /* 65536 per group: the workgroup kernel */
    check_layer(ctx, 77, 128, false, 5);
    check_layer(ctx, 512, 64, false, 6);
    check_layer(ctx, 3, 1000, false, 7);
    check_layer(ctx, 250, 192, true, 10); /* a speech block's pre-activation */
    check_layer(ctx, 3, 1000, true, 11);

    int64_t xs[4] = { 1, 6, 2, 2 }, ps[1] = { 6 };
    gs_tensor *x = gs_test_tensor(ctx, 4, xs, NULL), *g = gs_test_tensor(ctx, 1, ps, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK(gs_op_group_norm(s, x, x, g, g, 4, 1e-5f, false) == GS_ERR_INVALID_ARGUMENT); /* 6 % 4 */
    gs_stream_free(s);
    gs_tensor_free(x);
    gs_tensor_free(g);
    gs_context_free(ctx);
    return gs_test_failures != 0;
}
