/* softmax vs the double-precision reference. Tolerance: atol 1e-7, rtol 1e-5.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-test.h"
#include "ref/gs-ref.h"

static void
check(gs_context *ctx, int64_t rows, int64_t d, float scale, uint64_t seed)
{
    size_t n = (size_t)(rows * d);
    float *x = gs_test_random_new(n, seed, -scale, scale), *want = malloc(n * sizeof *want);
    ref_softmax(want, x, rows, d);
    int64_t shape[2] = { rows, d };
    gs_tensor *tx = gs_test_tensor(ctx, 2, shape, x), *tout = gs_test_tensor(ctx, 2, shape, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK_OK(ctx, gs_op_softmax(s, tout, tx));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    float *got = gs_test_download(tout);
    char what[64];
    snprintf(what, sizeof what, "softmax %lldx%lld (inputs ±%g)", (long long)rows, (long long)d, scale);
    gs_test_close(what, got, want, n, 1e-7f, 1e-5f);
    GS_CHECK(gs_op_softmax(s, tx, tout) == GS_OK);
    int64_t other[2] = { rows, d + 1 };
    gs_tensor *bad = gs_test_tensor(ctx, 2, other, NULL);
    GS_CHECK(gs_op_softmax(s, bad, tx) == GS_ERR_INVALID_ARGUMENT);
    gs_stream_free(s);
    gs_tensor_free(tx);
    gs_tensor_free(tout);
    gs_tensor_free(bad);
    free(x);
    free(want);
    free(got);
}

int
main(void)
{
    gs_context *ctx = gs_test_context();
    check(ctx, 77, 77, 5, 1);
    check(ctx, 3, 4096, 10, 2);
    check(ctx, 10, 1, 1, 3);
    check(ctx, 4, 300, 80, 4); /* large logits: needs the max subtraction */
    gs_context_free(ctx);
    return gs_test_failures != 0;
}
