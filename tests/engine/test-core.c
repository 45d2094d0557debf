/* The Vulkan core: device choice, tensors and views, fp16 and staging
 * copies, barrier placement, the pipeline cache, and failures as statuses.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gs-test.h"

static void
test_device_choice(void)
{
    gs_context_params params = gs_context_default_params();
    params.cache_dir = "";
    params.device = "no-such-device-anywhere";
    gs_context *ctx = NULL;
    char *error = NULL;
    GS_CHECK(gs_context_new(&params, &ctx, &error) == GS_ERR_NO_DEVICE);
    GS_CHECK(ctx == NULL);
    GS_CHECK(error && strstr(error, "no-such-device-anywhere") && strstr(error, "available"));
    free(error);

    params.device = "0";
    GS_CHECK(gs_context_new(&params, &ctx, NULL) == GS_OK);
    if (ctx) {
        GS_CHECK(gs_context_chosen_device(ctx) == 0);
        GS_CHECK(gs_context_device(ctx, 0)->subgroup_size > 0);
        gs_context_free(ctx);
    }
}

static void
test_roundtrip(gs_context *ctx)
{
    int64_t shape[2] = { 37, 53 };
    size_t n = 37 * 53;
    float *data = gs_test_random_new(n, 7, -100, 100);
    gs_tensor *t = gs_test_tensor(ctx, 2, shape, data);
    float *back = gs_test_download(t);
    GS_CHECK(memcmp(back, data, n * sizeof *data) == 0);

    /* A view shares memory: rows 10..19 read back as the same floats. */
    int64_t vshape[2] = { 10, 53 };
    gs_tensor *v = gs_tensor_view(t, 10 * 53, 2, vshape);
    GS_CHECK(v != NULL);
    float *vback = gs_test_download(v);
    GS_CHECK(memcmp(vback, data + 10 * 53, 10 * 53 * sizeof *data) == 0);
    int64_t too_big[2] = { 30, 53 };
    GS_CHECK(gs_tensor_view(t, 10 * 53, 2, too_big) == NULL);

    if (gs_context_has_fp16_storage(ctx)) {
        gs_tensor *h = gs_tensor_new(ctx, GS_F16, 2, shape);
        GS_CHECK_OK(ctx, gs_tensor_upload(h, data, (int64_t)n));
        float *hback = gs_test_download(h);
        gs_test_close("fp16 round trip", hback, data, n, 0, 1.0f / 1024);
        free(hback);
        gs_tensor_free(h);
    }
    gs_tensor_free(v);
    gs_tensor_free(t);
    free(vback);
    free(back);
    free(data);
}

static void
test_half_conversion(void)
{
    const float values[] = { 0.0f, 1.0f, -2.5f, 65504.0f, 6.1035156e-05f, 5.9604645e-08f, 0.333251953125f };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        GS_CHECK(gs_half_to_float(gs_float_to_half(values[i])) == values[i]);
    GS_CHECK(gs_float_to_half(1e6f) == 0x7c00);               /* overflow → inf */
    GS_CHECK(gs_float_to_half(1.0f + 1.0f / 4096) == 0x3c00); /* ties to even */
}

static void
test_bad_shapes(gs_context *ctx)
{
    int64_t huge[2] = { INT64_C(1) << 30, INT64_C(1) << 30 };
    GS_CHECK(gs_tensor_new(ctx, GS_F32, 2, huge) == NULL);
    GS_CHECK(strstr(gs_context_error(ctx), "2^31") != NULL);
    int64_t negative[1] = { -5 };
    GS_CHECK(gs_tensor_new(ctx, GS_F32, 1, negative) == NULL);
    int64_t ok[1] = { 4 };
    GS_CHECK(gs_tensor_new(ctx, GS_F32, 0, ok) == NULL);
}

/* Independent ops share no barrier; a consumer of a result gets one. */
static void
test_barriers(gs_context *ctx)
{
    int64_t shape[1] = { 4096 };
    float *x = gs_test_random_new(4096, 3, -1, 1);
    gs_tensor *a = gs_test_tensor(ctx, 1, shape, x), *b = gs_test_tensor(ctx, 1, shape, x);
    gs_tensor *c = gs_test_tensor(ctx, 1, shape, NULL), *d = gs_test_tensor(ctx, 1, shape, NULL);
    gs_tensor *e = gs_test_tensor(ctx, 1, shape, NULL);
    gs_stream *s = gs_stream_new(ctx);
    int dispatches, barriers;
    GS_CHECK_OK(ctx, gs_op_add(s, c, a, b));
    GS_CHECK_OK(ctx, gs_op_mul(s, d, a, b));
    gs_stream_stats(s, &dispatches, &barriers);
    GS_CHECK(dispatches == 2 && barriers == 0);
    GS_CHECK_OK(ctx, gs_op_add(s, e, c, d));
    gs_stream_stats(s, &dispatches, &barriers);
    GS_CHECK(dispatches == 3 && barriers == 1);
    /* Writing over an input of the last op also needs a barrier. */
    GS_CHECK_OK(ctx, gs_op_add(s, c, a, a));
    gs_stream_stats(s, &dispatches, &barriers);
    GS_CHECK(barriers == 2);
    GS_CHECK_OK(ctx, gs_stream_submit(s));

    float *got = gs_test_download(e);
    float *want = malloc(4096 * sizeof *want);
    for (int i = 0; i < 4096; i++)
        want[i] = (x[i] + x[i]) + x[i] * x[i];
    gs_test_close("chained ops in one submit", got, want, 4096, 1e-6f, 1e-6f);

    /* Freeing inputs before submit is safe: the stream keeps them alive. */
    gs_tensor *f = gs_test_tensor(ctx, 1, shape, x);
    GS_CHECK_OK(ctx, gs_op_add(s, e, f, f));
    gs_tensor_free(f);
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    free(got);
    got = gs_test_download(e);
    for (int i = 0; i < 4096; i++)
        want[i] = x[i] + x[i];
    gs_test_close("inputs freed before submit", got, want, 4096, 0, 0);

    gs_stream_free(s);
    gs_tensor_free(a);
    gs_tensor_free(b);
    gs_tensor_free(c);
    gs_tensor_free(d);
    gs_tensor_free(e);
    free(x);
    free(got);
    free(want);
}

/* The discrete-GPU path: copies through a staging buffer. */
static void
test_staging(void)
{
    setenv("GS_FORCE_STAGING", "1", 1);
    gs_context *ctx = gs_test_context();
    unsetenv("GS_FORCE_STAGING");
    int64_t shape[1] = { 1000 };
    float *x = gs_test_random_new(1000, 5, -1, 1);
    gs_tensor *a = gs_test_tensor(ctx, 1, shape, x);
    gs_tensor *out = gs_test_tensor(ctx, 1, shape, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK_OK(ctx, gs_op_mul(s, out, a, a));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    float *got = gs_test_download(out);
    float want[1000];
    for (int i = 0; i < 1000; i++)
        want[i] = x[i] * x[i];
    gs_test_close("staging copies", got, want, 1000, 0, 0);
    gs_stream_free(s);
    gs_tensor_free(a);
    gs_tensor_free(out);
    gs_context_free(ctx);
    free(x);
    free(got);
}

static void
test_pipeline_cache(void)
{
    char dir[] = "/tmp/gs-cache-XXXXXX";
    GS_CHECK(mkdtemp(dir) != NULL);
    char sub[512];
    snprintf(sub, sizeof sub, "%s/nested/genstudio", dir);
    gs_context_params params = gs_context_default_params();
    params.cache_dir = sub;
    gs_context *ctx = NULL;
    GS_CHECK(gs_context_new(&params, &ctx, NULL) == GS_OK);
    int64_t shape[1] = { 16 };
    gs_tensor *a = gs_test_tensor(ctx, 1, shape, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK_OK(ctx, gs_op_add(s, a, a, a));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    gs_stream_free(s);
    gs_tensor_free(a);
    gs_context_free(ctx);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "test -s %s/pipelines-*.bin", sub);
    GS_CHECK(system(cmd) == 0);
    /* A garbage cache file is ignored, not fatal. */
    snprintf(cmd, sizeof cmd, "for f in %s/pipelines-*.bin; do echo garbage > \"$f\"; done", sub);
    GS_CHECK(system(cmd) == 0);
    GS_CHECK(gs_context_new(&params, &ctx, NULL) == GS_OK);
    gs_context_free(ctx);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    GS_CHECK(system(cmd) == 0);
}

int
main(void)
{
    test_half_conversion();
    test_device_choice();
    gs_context *ctx = gs_test_context();
    test_roundtrip(ctx);
    test_bad_shapes(ctx);
    test_barriers(ctx);
    gs_context_free(ctx);
    test_staging();
    test_pipeline_cache();
    return gs_test_failures != 0;
}
