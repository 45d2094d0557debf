/* The Vulkan core: device choice, tensors and views, fp16 and staging
 * copies, barrier placement, the pipeline cache and the list of kernels
 * created ahead from it, and failures as statuses.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gs-test.h"
#include "vk/gs-vk-private.h"

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

/* a + a on random data in a new context of `params`, checked in plain C;
 * with `warm`, after the context's workers made the last run's pipelines.
 * Returns how many pipelines the context took from them. */
static int
add_in_new_context(const gs_context_params *params, bool warm)
{
    gs_context *ctx = NULL;
    GS_CHECK(gs_context_new(params, &ctx, NULL) == GS_OK);
    if (!ctx)
        return -1;
    int adopted = gs_pipeline_warm_adopted(ctx, warm);
    int64_t shape[1] = { 1000 };
    float *x = gs_test_random_new(1000, 11, -1, 1), want[1000];
    for (int i = 0; i < 1000; i++)
        want[i] = x[i] + x[i];
    gs_tensor *a = gs_test_tensor(ctx, 1, shape, x), *out = gs_test_tensor(ctx, 1, shape, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK_OK(ctx, gs_op_add(s, out, a, a));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    float *got = gs_test_download(out);
    GS_CHECK(gs_test_close("a + a", got, want, 1000, 0, 0));
    adopted = gs_pipeline_warm_adopted(ctx, false) - adopted;
    gs_stream_free(s);
    gs_tensor_free(a);
    gs_tensor_free(out);
    gs_context_free(ctx);
    free(got);
    free(x);
    return adopted;
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
    GS_CHECK(add_in_new_context(&params, false) == 0);

    char cmd[1200];
    snprintf(cmd, sizeof cmd, "test -s %s/pipelines-*.bin && test -s %s/pipelines-*.bin.kernels", sub, sub);
    GS_CHECK(system(cmd) == 0);
    /* The next context makes the add's pipeline before it is asked for. */
    GS_CHECK(add_in_new_context(&params, true) == 1);
    /* Garbage in either file is ignored, not fatal. */
    snprintf(cmd, sizeof cmd, "for f in %s/pipelines-*; do echo garbage > \"$f\"; done", sub);
    GS_CHECK(system(cmd) == 0);
    GS_CHECK(add_in_new_context(&params, true) == 0);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    GS_CHECK(system(cmd) == 0);
}

static bool
same_kernels(const gs_kernel *a, const gs_kernel *b, int count)
{
    for (int i = 0; i < count; i++)
        if (a[i].spirv_bytes != b[i].spirv_bytes || a[i].spec_count != b[i].spec_count ||
            memcmp(a[i].spec, b[i].spec, sizeof a[i].spec) != 0 ||
            memcmp(a[i].spirv, b[i].spirv, a[i].spirv_bytes) != 0)
            return false;
    return true;
}

/* The list reads back as written; cut short anywhere, or with any one byte
 * changed, it reads as empty. */
static void
test_kernel_list(void)
{
    char path[] = "/tmp/gs-kernels-XXXXXX";
    int fd = mkstemp(path);
    GS_CHECK(fd >= 0);
    close(fd);
    static const uint32_t words_a[] = { 0x07230203, 0x00010500, 7, 9, 11 }, words_b[] = { 0x07230203, 42 };
    const gs_kernel written[2] = {
        { words_a, sizeof words_a, { 16, 4, 3 }, 3 },
        { words_b, sizeof words_b, { 0 }, 0 },
    };
    gs_kernel_list_save(path, written, 2);
    gs_kernel *read = NULL;
    int count = gs_kernel_list_load(path, &read);
    GS_CHECK(count == 2 && same_kernels(written, read, 2));
    gs_kernel_list_free(read, count);

    size_t len = 0;
    unsigned char *bytes = gs_cache_file_read(path, &len);
    GS_CHECK(bytes && len > 0);
    int accepted = 0;
    for (size_t cut = 0; bytes && cut < len; cut++) {
        gs_cache_file_write(path, bytes, cut);
        count = gs_kernel_list_load(path, &read);
        accepted += count != 0;
        gs_kernel_list_free(read, count);
    }
    for (size_t at = 0; bytes && at < len; at++) {
        bytes[at] ^= 0x10;
        gs_cache_file_write(path, bytes, len);
        bytes[at] ^= 0x10;
        count = gs_kernel_list_load(path, &read);
        accepted += count != 0;
        gs_kernel_list_free(read, count);
    }
    GS_CHECK(accepted == 0);
    free(bytes);
    unlink(path);
    GS_CHECK(gs_kernel_list_load(path, &read) == 0 && read == NULL);
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
    test_kernel_list();
    return gs_test_failures != 0;
}
