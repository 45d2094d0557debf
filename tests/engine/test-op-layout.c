/* concat, transpose, nearest upsample ×2, zero padding (exact) and the timestep embedding
 * (atol 2e-4: sin/cos of arguments up to 999 in fp32, where one ulp of the
 * argument is 6e-5; the reference rounds t·f to fp32 as torch does).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "gs-test.h"
#include "ref/gs-ref.h"

static gs_stream *s;

static float *
run_and_download(gs_context *ctx, gs_status st, gs_tensor *out)
{
    GS_CHECK_OK(ctx, st);
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    return gs_test_download(out);
}

static void
test_concat(gs_context *ctx)
{
    int64_t as[4] = { 2, 64, 8, 8 }, bs[4] = { 2, 32, 8, 8 }, os[4] = { 2, 96, 8, 8 };
    float *a = gs_test_random_new(2 * 64 * 64, 1, -1, 1), *b = gs_test_random_new(2 * 32 * 64, 2, -1, 1);
    float *want = malloc(2 * 96 * 64 * sizeof *want);
    ref_concat(want, a, b, 2, 64 * 64, 32 * 64);
    gs_tensor *ta = gs_test_tensor(ctx, 4, as, a), *tb = gs_test_tensor(ctx, 4, bs, b), *to = gs_test_tensor(ctx, 4, os, NULL);
    float *got = run_and_download(ctx, gs_op_concat(s, to, ta, tb, 1), to);
    gs_test_close("concat channels", got, want, 2 * 96 * 64, 0, 0);
    free(got);
    /* Along the last dim too. */
    int64_t as2[2] = { 3, 5 }, bs2[2] = { 3, 2 }, os2[2] = { 3, 7 };
    gs_tensor *ta2 = gs_test_tensor(ctx, 2, as2, a), *tb2 = gs_test_tensor(ctx, 2, bs2, b), *to2 = gs_test_tensor(ctx, 2, os2, NULL);
    ref_concat(want, a, b, 3, 5, 2);
    got = run_and_download(ctx, gs_op_concat(s, to2, ta2, tb2, 1), to2);
    gs_test_close("concat last dim", got, want, 21, 0, 0);
    GS_CHECK(gs_op_concat(s, to2, ta2, tb2, 0) == GS_ERR_INVALID_ARGUMENT);
    free(got);
    gs_tensor_free(ta);
    gs_tensor_free(tb);
    gs_tensor_free(to);
    gs_tensor_free(ta2);
    gs_tensor_free(tb2);
    gs_tensor_free(to2);
    free(a);
    free(b);
    free(want);
}

static void
test_transpose_upsample(gs_context *ctx)
{
    int64_t xs[3] = { 2, 64, 256 }, ts[3] = { 2, 256, 64 };
    size_t n = 2 * 64 * 256;
    float *x = gs_test_random_new(n, 3, -1, 1), *want = malloc(4 * n * sizeof *want);
    ref_transpose(want, x, 2, 64, 256);
    gs_tensor *tx = gs_test_tensor(ctx, 3, xs, x), *tt = gs_test_tensor(ctx, 3, ts, NULL);
    float *got = run_and_download(ctx, gs_op_transpose(s, tt, tx), tt);
    gs_test_close("transpose 2x64x256", got, want, n, 0, 0);
    GS_CHECK(gs_op_transpose(s, tx, tx) == GS_ERR_INVALID_ARGUMENT);
    free(got);

    int64_t us[4] = { 2, 64, 16, 16 }, uo[4] = { 2, 64, 32, 32 };
    gs_tensor *tu = gs_test_tensor(ctx, 4, us, x), *tuo = gs_test_tensor(ctx, 4, uo, NULL);
    ref_upsample2x(want, x, 2 * 64, 16, 16);
    got = run_and_download(ctx, gs_op_upsample_nearest2x(s, tuo, tu), tuo);
    gs_test_close("upsample 2x64x16x16", got, want, 4 * n, 0, 0);
    GS_CHECK(gs_op_upsample_nearest2x(s, tu, tu) == GS_ERR_INVALID_ARGUMENT);
    free(got);
    gs_tensor_free(tx);
    gs_tensor_free(tt);
    gs_tensor_free(tu);
    gs_tensor_free(tuo);
    free(x);
    free(want);
}

static void
check_pad(gs_context *ctx, int64_t n, int64_t c, int64_t h, int64_t w, int top, int bottom, int left, int right,
          uint64_t seed)
{
    int64_t oh = h + top + bottom, ow = w + left + right;
    size_t nx = (size_t)(n * c * h * w), nout = (size_t)(n * c * oh * ow);
    float *x = gs_test_random_new(nx, seed, -1, 1), *want = malloc(nout * sizeof *want);
    ref_pad2d(want, x, n * c, h, w, top, bottom, left, right);
    int64_t xs[4] = { n, c, h, w }, os[4] = { n, c, oh, ow };
    gs_tensor *tx = gs_test_tensor(ctx, 4, xs, x), *to = gs_test_tensor(ctx, 4, os, NULL);
    float *got = run_and_download(ctx, gs_op_pad2d(s, to, tx, top, bottom, left, right), to);
    char what[96];
    snprintf(what, sizeof what, "pad2d %lldx%lldx%lldx%lld by %d %d %d %d", (long long)n, (long long)c, (long long)h,
             (long long)w, top, bottom, left, right);
    gs_test_close(what, got, want, nout, 0, 0);
    GS_CHECK(gs_op_pad2d(s, to, tx, top + 1, bottom, left, right) == GS_ERR_INVALID_ARGUMENT);
    GS_CHECK(gs_op_pad2d(s, tx, tx, (int)-h, 0, 0, 0) == GS_ERR_INVALID_ARGUMENT); /* nothing left */
    gs_tensor_free(tx);
    gs_tensor_free(to);
    free(x);
    free(want);
    free(got);
}

static void
test_depth_to_space(gs_context *ctx, int64_t n, int64_t c, int64_t h, int64_t w, int r, uint64_t seed)
{
    size_t nx = (size_t)(n * c * r * r * h * w);
    float *x = gs_test_random_new(nx, seed, -1, 1), *want = malloc(nx * sizeof *want);
    ref_depth_to_space(want, x, n, c, h, w, r);
    int64_t xs[4] = { n, c * r * r, h, w }, os[4] = { n, c, h * r, w * r };
    gs_tensor *tx = gs_test_tensor(ctx, 4, xs, x), *to = gs_test_tensor(ctx, 4, os, NULL);
    float *got = run_and_download(ctx, gs_op_depth_to_space(s, to, tx, r), to);
    char what[96];
    snprintf(what, sizeof what, "depth_to_space %lldx%lldx%lldx%lld r%d", (long long)n, (long long)(c * r * r),
             (long long)h, (long long)w, r);
    gs_test_close(what, got, want, nx, 0, 0);
    GS_CHECK(gs_op_depth_to_space(s, to, tx, r + 1) == GS_ERR_INVALID_ARGUMENT);
    GS_CHECK(r == 1 || gs_op_depth_to_space(s, tx, to, r) == GS_ERR_INVALID_ARGUMENT);
    gs_tensor_free(tx);
    gs_tensor_free(to);
    free(x);
    free(want);
    free(got);
}

static void
test_timestep(gs_context *ctx)
{
    float t[5] = { 0, 1, 250.5f, 500, 999 };
    for (int cos_first = 0; cos_first < 2; cos_first++)
        for (int dim = 31; dim <= 320; dim += 289) {
            float *want = malloc((size_t)(5 * dim) * sizeof *want);
            ref_timestep_embedding(want, t, 5, dim, 10000.0, cos_first);
            int64_t ts[1] = { 5 }, os[2] = { 5, dim };
            gs_tensor *tt = gs_test_tensor(ctx, 1, ts, t), *to = gs_test_tensor(ctx, 2, os, NULL);
            float *got = run_and_download(ctx, gs_op_timestep_embedding(s, to, tt, dim, 10000.0f, cos_first), to);
            char what[64];
            snprintf(what, sizeof what, "timestep embedding dim %d%s", dim, cos_first ? " cos first" : "");
            gs_test_close(what, got, want, (size_t)(5 * dim), 2e-4f, 0);
            GS_CHECK(gs_op_timestep_embedding(s, to, tt, dim + 2, 10000.0f, true) == GS_ERR_INVALID_ARGUMENT);
            gs_tensor_free(tt);
            gs_tensor_free(to);
            free(want);
            free(got);
        }
}

int
main(void)
{
    gs_context *ctx = gs_test_context();
    s = gs_stream_new(ctx);
    test_concat(ctx);
    test_transpose_upsample(ctx);
    test_timestep(ctx);
    check_pad(ctx, 1, 32, 16, 16, 0, 1, 0, 1, 10); /* the VAE's downsample */
    check_pad(ctx, 2, 3, 7, 5, 2, 0, 3, 1, 11);
    check_pad(ctx, 1, 1, 1, 1, 0, 0, 0, 0, 12);
    check_pad(ctx, 1, 1, 40, 516, 0, 0, 0, -3, 13); /* the vocoder's magnitude head, cropped */
    check_pad(ctx, 2, 3, 9, 8, -2, 1, 2, -5, 14);   /* crops and pads mixed */
    test_depth_to_space(ctx, 1, 3, 5, 7, 2, 13);  /* ESRGAN ×2 tail, odd size */
    test_depth_to_space(ctx, 2, 3, 4, 3, 4, 14);
    test_depth_to_space(ctx, 1, 3, 3, 2, 8, 15);
    test_depth_to_space(ctx, 1, 5, 1, 1, 3, 16);
    test_depth_to_space(ctx, 1, 7, 4, 4, 1, 17);  /* r = 1: a copy */
    gs_stream_free(s);
    gs_context_free(ctx);
    return gs_test_failures != 0;
}
