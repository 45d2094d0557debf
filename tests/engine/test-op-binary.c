/* Elementwise add/mul with broadcasting vs the C reference.
 * Tolerance: exact up to fp32 rounding (atol 1e-6, rtol 1e-6).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-test.h"
#include "ref/gs-ref.h"

static void
check_case(gs_context *ctx, const int64_t as[4], const int64_t bs[4], int multiply, uint64_t seed)
{
    int64_t na = as[0] * as[1] * as[2] * as[3], nb = bs[0] * bs[1] * bs[2] * bs[3];
    float *a = gs_test_random_new((size_t)na, seed, -2, 2);
    float *b = gs_test_random_new((size_t)nb, seed + 1, -2, 2);
    float *want = malloc((size_t)na * sizeof *want);
    ref_binary(want, a, as, b, bs, multiply);

    gs_tensor *ta = gs_test_tensor(ctx, 4, as, a);
    gs_tensor *tb = gs_test_tensor(ctx, 4, bs, b);
    gs_tensor *tout = gs_test_tensor(ctx, 4, as, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK_OK(ctx, multiply ? gs_op_mul(s, tout, ta, tb) : gs_op_add(s, tout, ta, tb));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    float *got = gs_test_download(tout);
    char what[128];
    snprintf(what, sizeof what, "%s %lldx%lldx%lldx%lld by %lldx%lldx%lldx%lld", multiply ? "mul" : "add",
             (long long)as[0], (long long)as[1], (long long)as[2], (long long)as[3], (long long)bs[0],
             (long long)bs[1], (long long)bs[2], (long long)bs[3]);
    gs_test_close(what, got, want, (size_t)na, 1e-6f, 1e-6f);

    gs_stream_free(s);
    gs_tensor_free(ta);
    gs_tensor_free(tb);
    gs_tensor_free(tout);
    free(a);
    free(b);
    free(want);
    free(got);
}

int
main(void)
{
    gs_context *ctx = gs_test_context();
    const int64_t shapes[][2][4] = {
        { { 1, 1, 1, 1000 }, { 1, 1, 1, 1000 } },     /* same shape */
        { { 2, 64, 16, 16 }, { 2, 64, 16, 16 } },     /* same shape: texels on CPU drivers */
        { { 1, 1, 1, 1001 }, { 1, 1, 1, 1001 } },     /* same shape, not in vec4s */
        { { 2, 64, 8, 8 }, { 1, 64, 1, 1 } },         /* per-channel bias, NCHW */
        { { 1, 3, 77, 128 }, { 1, 1, 1, 128 } },      /* row bias */
        { { 3, 5, 7, 11 }, { 3, 1, 7, 1 } },          /* mixed */
        { { 1, 1, 300, 301 }, { 1, 1, 300, 1 } },     /* column broadcast */
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        for (int mul = 0; mul < 2; mul++)
            check_case(ctx, shapes[i][0], shapes[i][1], mul, 100 + i);

    /* A b that cannot broadcast is an error, not a crash. */
    int64_t as[4] = { 1, 2, 3, 4 }, bs[4] = { 1, 1, 3, 2 };
    gs_tensor *ta = gs_test_tensor(ctx, 4, as, NULL), *tb = gs_test_tensor(ctx, 4, bs, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK(gs_op_add(s, ta, ta, tb) == GS_ERR_INVALID_ARGUMENT);
    gs_stream_free(s);
    gs_tensor_free(ta);
    gs_tensor_free(tb);
    gs_context_free(ctx);
    return gs_test_failures != 0;
}
