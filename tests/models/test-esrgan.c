/* ESRGAN upscalers on the engine: each committed model against the NumPy
 * reference of tools/esrgan/convert.py (16×16, 11×7 and 1×1 fixtures, the
 * border extended by edge replication on both sides), and thick where it
 * has been converted;
 * tiled equals untiled; a large image runs tiled with bounded device
 * memory; corrupt files are refused with a message naming them.
 * Tolerance: atol 2e-3 on outputs in 0..1 (the network works in 0..255 with
 * fp32 accumulation in another order than NumPy's; weights are the same
 * fp16 values on both sides).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gs-test.h"
#include "models/gs-esrgan.h"

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static float *
read_fixture(gs_safetensors *st, const char *name, int64_t *h, int64_t *w)
{
    int i = gs_safetensors_find(st, name);
    if (i < 0)
        return NULL;
    *h = gs_safetensors_dim(st, i, 0);
    *w = gs_safetensors_dim(st, i, 1);
    float *data = malloc((size_t)gs_safetensors_numel(st, i) * sizeof *data);
    if (gs_safetensors_read(st, i, data) != GS_OK) {
        free(data);
        return NULL;
    }
    return data;
}

/* optional: thick is made on demand, not committed; skipped without it. */
static void
golden(gs_context *ctx, const char *variant, int scale, bool optional)
{
    char path[1024], fixture[1024];
    snprintf(path, sizeof path, "%s/esrgan-%s-x%d.safetensors", GS_ESRGAN_DIR, variant, scale);
    snprintf(fixture, sizeof fixture, "%s/esrgan-%s-x%d.safetensors", GS_ESRGAN_FIXTURES, variant, scale);
    if (optional && (access(path, R_OK) != 0 || access(fixture, R_OK) != 0)) {
        printf("skipped: %s x%d (not converted here, or no fixture: tools/esrgan/convert.py %s)\n", variant, scale,
               variant);
        return;
    }
    gs_upscaler *up = NULL;
    GS_CHECK_OK(ctx, gs_upscaler_load(ctx, path, &up));
    gs_safetensors *st = NULL;
    char *error = NULL;
    GS_CHECK(gs_safetensors_open(fixture, &st, &error) == GS_OK);
    if (!up || !st) {
        fprintf(stderr, "%s\n", error ? error : "");
        free(error);
        gs_upscaler_free(up);
        gs_safetensors_close(st);
        return;
    }
    GS_CHECK(gs_upscaler_scale(up) == scale);
    /* The reference must pad the border as the engine does. */
    const char *pad = gs_safetensors_metadata(st, "edge_pad");
    GS_CHECK(pad && atoi(pad) == GS_UPSCALER_EDGE_PAD);
    char want_name[32];
    snprintf(want_name, sizeof want_name, "esrgan-%s", variant);
    GS_CHECK(strcmp(gs_upscaler_name(up), want_name) == 0);
    const char *tags[] = { "square", "odd", "one" };
    for (int t = 0; t < 3; t++) {
        char name[64];
        int64_t h, w, oh, ow;
        snprintf(name, sizeof name, "%s.input", tags[t]);
        float *in = read_fixture(st, name, &h, &w);
        snprintf(name, sizeof name, "%s.output", tags[t]);
        float *want = read_fixture(st, name, &oh, &ow);
        GS_CHECK(in && want && oh == h * scale && ow == w * scale);
        if (!in || !want)
            continue;
        size_t n = (size_t)(oh * ow * 3);
        float *got = calloc(n, sizeof *got);
        double t0 = now();
        GS_CHECK_OK(ctx, gs_upscaler_run(up, in, (int)w, (int)h, got, NULL));
        char what[128];
        snprintf(what, sizeof what, "%s x%d %s %lldx%lld (%.2f s)", variant, scale, tags[t], (long long)w,
                 (long long)h, now() - t0);
        gs_test_close(what, got, want, n, 2e-3f, 0);
        free(in);
        free(want);
        free(got);
    }
    gs_safetensors_close(st);
    gs_upscaler_free(up);
}

/* A smooth random image: what photos look like to the network. */
static float *
smooth_image(int w, int h, uint64_t seed)
{
    float *img = malloc((size_t)w * h * 3 * sizeof *img), coarse[9 * 9 * 3];
    gs_test_random(coarse, 9 * 9 * 3, seed, 0, 1);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) {
                float fy = (float)y / h * 8, fx = (float)x / w * 8;
                int iy = (int)fy, ix = (int)fx;
                float ay = fy - iy, ax = fx - ix;
                const float *p = coarse + c;
                float v = (1 - ay) * ((1 - ax) * p[(iy * 9 + ix) * 3] + ax * p[(iy * 9 + ix + 1) * 3]) +
                          ay * ((1 - ax) * p[((iy + 1) * 9 + ix) * 3] + ax * p[((iy + 1) * 9 + ix + 1) * 3]);
                img[((size_t)y * w + x) * 3 + c] = v;
            }
    return img;
}

static void
tiled_equals_untiled(gs_context *ctx, const char *variant, int scale)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/esrgan-%s-x%d.safetensors", GS_ESRGAN_DIR, variant, scale);
    gs_upscaler *up = NULL;
    GS_CHECK_OK(ctx, gs_upscaler_load(ctx, path, &up));
    if (!up)
        return;
    int w = 83, h = 61, halo = gs_upscaler_overlap(up);
    float *in = smooth_image(w, h, 7);
    gs_test_random(in, 200, 8, 0, 1); /* and some noise at the top */
    size_t n = (size_t)w * h * scale * scale * 3;
    float *whole = malloc(n * sizeof *whole), *tiled = malloc(n * sizeof *tiled);
    gs_upscaler_params p = gs_upscaler_default_params();
    p.tile = 4096;
    GS_CHECK_OK(ctx, gs_upscaler_run(up, in, w, h, whole, &p));
    p.tile = 2 * halo + 9; /* the smallest tiles: many seams to get wrong */
    GS_CHECK_OK(ctx, gs_upscaler_run(up, in, w, h, tiled, &p));
    char what[128];
    snprintf(what, sizeof what, "%s x%d %dx%d tiles of %d (overlap %d) vs whole", variant, scale, w, h, p.tile,
             halo);
    gs_test_close(what, tiled, whole, n, 1e-4f, 0);
    free(in);
    free(whole);
    free(tiled);
    gs_upscaler_free(up);
}

static int cancel_after;
static bool
progress(double fraction, void *user_data)
{
    int calls = ++*(int *)user_data;
    if (calls % 100 == 0) { /* a sign of life on long runs */
        printf("  %d tiles, %.0f%%\n", calls, fraction * 100);
        fflush(stdout);
    }
    return cancel_after <= 0 || *(int *)user_data < cancel_after;
}

/* A small upscaler of the same format, written by the test: nearest ×2
 * then one 3×3 conv, 3 → 3 channels (the tail every model here ends in).
 * Cheap enough per tile that the 4096² input runs in minutes, and
 * plain enough for a direct reference. */
static float tiny_weight[3 * 3 * 3 * 3], tiny_bias[3];

static void
write_tiny_model(const char *path)
{
    gs_test_random(tiny_weight, 81, 21, -0.25f, 0.25f);
    gs_test_random(tiny_bias, 3, 22, -0.1f, 0.1f);
    const char *header =
        "{\"__metadata__\":{\"graph\":\"{\\\"format\\\":\\\"genstudio-esrgan-graph/1\\\",\\\"scale\\\":2,"
        "\\\"input_range\\\":1,\\\"output\\\":\\\"SR\\\",\\\"layers\\\":["
        "{\\\"name\\\":\\\"LR\\\",\\\"op\\\":\\\"input\\\"},"
        "{\\\"name\\\":\\\"UP\\\",\\\"op\\\":\\\"upsample_nearest\\\",\\\"in\\\":[\\\"LR\\\"],\\\"size\\\":2},"
        "{\\\"name\\\":\\\"SR\\\",\\\"op\\\":\\\"conv2d\\\",\\\"in\\\":[\\\"UP\\\"],\\\"kernel\\\":3,"
        "\\\"filters\\\":3,\\\"channels\\\":3,\\\"padding\\\":\\\"same\\\",\\\"activation\\\":\\\"linear\\\"}]}\"},"
        "\"SR.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
        "\"SR.weight\":{\"dtype\":\"F32\",\"shape\":[3,3,3,3],\"data_offsets\":[12,336]}}";
    uint64_t n = strlen(header);
    FILE *f = fopen(path, "wb");
    fwrite(&n, 8, 1, f);
    fwrite(header, 1, n, f);
    fwrite(tiny_bias, sizeof tiny_bias, 1, f);
    fwrite(tiny_weight, sizeof tiny_weight, 1, f);
    fclose(f);
}

/* The tiny model's output at (Y, X), straight from its definition, with
 * the border extended by edge replication as the engine does. */
static void
tiny_reference(const float *in, int w, int h, int Y, int X, float *rgb)
{
    for (int c = 0; c < 3; c++) {
        double sum = tiny_bias[c];
        for (int k = 0; k < 3; k++)
            for (int ky = 0; ky < 3; ky++)
                for (int kx = 0; kx < 3; kx++) {
                    int uy = Y + ky - 1, ux = X + kx - 1; /* in the upsampled image */
                    int sy = uy < 0 ? 0 : uy / 2 >= h ? h - 1 : uy / 2;
                    int sx = ux < 0 ? 0 : ux / 2 >= w ? w - 1 : ux / 2;
                    sum += tiny_weight[((c * 3 + k) * 3 + ky) * 3 + kx] * in[((size_t)sy * w + sx) * 3 + k];
                }
        rgb[c] = sum < 0 ? 0 : sum > 1 ? 1 : (float)sum;
    }
}

/* side² through the tiles: device memory no larger than for a 200² image
 * (bounded whatever the size), cancel from the progress callback; with the
 * tiny model, every 61st row and column against the direct reference. */
static void
large(gs_context *ctx, const char *path, int side, bool tiny)
{
    gs_upscaler *up = NULL;
    GS_CHECK_OK(ctx, gs_upscaler_load(ctx, path, &up));
    if (!up)
        return;
    int s = gs_upscaler_scale(up);
    uint64_t now_bytes, peak_small, peak_large;
    /* A small image that still needs 2×2 tiles, then the large one. */
    int small = 200, n = side > small ? side : small;
    float *in = smooth_image(n, n, 9), *out = malloc((size_t)n * n * s * s * 3 * sizeof *out);
    gs_test_random(in, 3 * 4096, 10, 0, 1); /* and detail in the first rows */
    gs_context_reset_memory_peak(ctx);
    GS_CHECK_OK(ctx, gs_upscaler_run(up, in, small, small, out, NULL));
    gs_context_memory_stats(ctx, &now_bytes, &peak_small);
    gs_context_reset_memory_peak(ctx);
    int calls = 0;
    gs_upscaler_params p = gs_upscaler_default_params();
    p.progress = progress;
    p.user_data = &calls;
    double t0 = now();
    GS_CHECK_OK(ctx, gs_upscaler_run(up, in, side, side, out, &p));
    double secs = now() - t0;
    gs_context_memory_stats(ctx, &now_bytes, &peak_large);
    printf("%s x%d %d² → %d²: %.1f s, %d tiles, device peak %.1f MiB (%d²: %.1f MiB)\n", gs_upscaler_name(up), s,
           side, s * side, secs, calls, peak_large / 1048576.0, small, peak_small / 1048576.0);
    /* Bounded: the large image needs no more than the small one. */
    GS_CHECK(peak_large <= peak_small + (1 << 20));
    GS_CHECK(peak_large < 256ull << 20);
    GS_CHECK(calls >= 4);
    bool finite = true;
    for (size_t i = 0; i < (size_t)side * side * s * s * 3; i++)
        finite &= out[i] >= 0 && out[i] <= 1;
    GS_CHECK(finite);
    if (tiny) {
        /* fp16 weights on devices with fp16 storage: 2e-3 */
        size_t checked = 0, wrong = 0;
        for (int Y = 0; Y < s * side; Y++)
            for (int X = 0; X < s * side; X++) {
                if (Y % 61 != 0 && X % 61 != 0 && Y != s * side - 1 && X != s * side - 1)
                    continue;
                float want[3];
                tiny_reference(in, side, side, Y, X, want);
                const float *got = out + ((size_t)Y * s * side + X) * 3;
                for (int c = 0; c < 3; c++)
                    wrong += fabsf(got[c] - want[c]) > 2e-3f;
                checked += 3;
            }
        printf("tiny model %d²: %zu of %zu checked values off the reference by more than 2e-3\n", side, wrong,
               checked);
        GS_CHECK(wrong == 0);
    }
    /* Cancelling from the progress callback. */
    calls = 0;
    cancel_after = 2;
    GS_CHECK(gs_upscaler_run(up, in, small, small, out, &p) == GS_ERR_CANCELLED);
    cancel_after = 0;
    free(in);
    free(out);
    gs_upscaler_free(up);
}

static void
large_tiny(gs_context *ctx, int side)
{
    char dir[] = "/tmp/gs-esrgan-tiny-XXXXXX", path[64];
    GS_CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/tiny-x2.safetensors", dir);
    write_tiny_model(path);
    large(ctx, path, side, true);
    unlink(path);
    rmdir(dir);
}

static void
write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, n, f);
    fclose(f);
}

static void
refuse(gs_context *ctx, const char *path, const char *expect)
{
    gs_upscaler *up = NULL;
    gs_status st = gs_upscaler_load(ctx, path, &up);
    const char *msg = gs_context_error(ctx);
    bool ok = st != GS_OK && !up && msg && strstr(msg, path) && (!expect || strstr(msg, expect));
    if (!ok)
        fprintf(stderr, "refuse %s: status %s, message \"%s\"\n", path, gs_status_name(st), msg ? msg : "");
    else
        printf("refused: %s\n", msg);
    GS_CHECK(ok);
    gs_upscaler_free(up);
}

static void
write_st(const char *path, const char *header)
{
    uint64_t n = strlen(header);
    char *buf = malloc(8 + n);
    memcpy(buf, &n, 8);
    memcpy(buf + 8, header, n);
    write_file(path, buf, 8 + n);
    free(buf);
}

static void
corrupt(gs_context *ctx)
{
    char dir[] = "/tmp/gs-esrgan-XXXXXX";
    GS_CHECK(mkdtemp(dir) != NULL);
    char path[1024], src[1024];
    snprintf(src, sizeof src, "%s/esrgan-slim-x2.safetensors", GS_ESRGAN_DIR);
    FILE *f = fopen(src, "rb");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)size);
    GS_CHECK(fread(data, 1, (size_t)size, f) == (size_t)size);
    fclose(f);

    snprintf(path, sizeof path, "%s/truncated.safetensors", dir);
    write_file(path, data, (size_t)size / 2);
    refuse(ctx, path, NULL);
    snprintf(path, sizeof path, "%s/missing.safetensors", dir);
    refuse(ctx, path, NULL);
    snprintf(path, sizeof path, "%s/not-json.safetensors", dir);
    write_st(path, "{\"__metadata__\":{\"graph\":\"{layers: oops\"}}");
    refuse(ctx, path, "not valid JSON");
    snprintf(path, sizeof path, "%s/no-graph.safetensors", dir);
    write_st(path, "{\"__metadata__\":{\"licence\":\"MIT\"}}");
    refuse(ctx, path, "not an ESRGAN upscaler");
    snprintf(path, sizeof path, "%s/bad-layer.safetensors", dir);
    write_st(path, "{\"__metadata__\":{\"graph\":\"{\\\"format\\\":\\\"genstudio-esrgan-graph/1\\\",\\\"scale\\\":2,"
                   "\\\"input_range\\\":255,\\\"input\\\":\\\"LR\\\",\\\"output\\\":\\\"SR\\\",\\\"layers\\\":["
                   "{\\\"name\\\":\\\"LR\\\",\\\"op\\\":\\\"input\\\"},{\\\"name\\\":\\\"SR\\\",\\\"op\\\":"
                   "\\\"conv2d\\\",\\\"in\\\":[\\\"X\\\"],\\\"kernel\\\":3,\\\"filters\\\":3,\\\"channels\\\":3,"
                   "\\\"padding\\\":\\\"same\\\",\\\"activation\\\":\\\"linear\\\"}]}\"}}");
    refuse(ctx, path, "not an earlier layer");
    /* Weights missing: the real graph over no tensors. */
    gs_safetensors *st = NULL;
    GS_CHECK(gs_safetensors_open(src, &st, NULL) == GS_OK);
    const char *graph = st ? gs_safetensors_metadata(st, "graph") : NULL;
    GS_CHECK(graph != NULL);
    if (graph) {
        size_t len = strlen(graph);
        char *header = malloc(2 * len + 64), *q = header;
        q += sprintf(q, "{\"__metadata__\":{\"graph\":\"");
        for (const char *c = graph; *c; c++) {
            if (*c == '"' || *c == '\\')
                *q++ = '\\';
            *q++ = *c;
        }
        strcpy(q, "\"}}");
        snprintf(path, sizeof path, "%s/no-weights.safetensors", dir);
        write_st(path, header);
        refuse(ctx, path, "weight");
        free(header);
    }
    gs_safetensors_close(st);
    free(data);
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    GS_CHECK(system(cmd) == 0);
}

int
main(int argc, char **argv)
{
    gs_context *ctx = gs_test_context();
    /* test-esrgan [SIDE [--large-only]]: SIDE² is the large image for the
     * tiny model; slim ×2 runs at 320² (9 tiles) unless --large-only. */
    int side = argc > 1 ? atoi(argv[1]) : 1024;
    if (argc <= 2 || strcmp(argv[2], "--large-only") != 0) {
        const char *variants[] = { "slim", "medium", "thick" };
        const int scales[] = { 2, 4, 8 };
        for (int v = 0; v < 3; v++)
            for (int s = 0; s < 3; s++)
                golden(ctx, variants[v], scales[s], v == 2);
        tiled_equals_untiled(ctx, "slim", 4);
        tiled_equals_untiled(ctx, "medium", 2);
        corrupt(ctx);
        char slim[1024];
        snprintf(slim, sizeof slim, "%s/esrgan-slim-x2.safetensors", GS_ESRGAN_DIR);
        large(ctx, slim, 320, false);
    }
    large_tiny(ctx, side);
    gs_context_free(ctx);
    return gs_test_failures != 0;
}
