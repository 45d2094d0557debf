/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "gs-test.h"

int gs_test_failures = 0;

gs_context *
gs_test_context(void)
{
    gs_context_params params = gs_context_default_params();
    params.cache_dir = ""; /* tests never touch the user's cache */
    gs_context *ctx = NULL;
    char *error = NULL;
    if (gs_context_new(&params, &ctx, &error) != GS_OK) {
        fprintf(stderr, "cannot open the engine: %s\n", error);
        free(error);
        exit(1);
    }
    return ctx;
}

/* splitmix64: small, seedable, good enough for test data. */
static uint64_t
splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void
gs_test_random(float *dst, size_t n, uint64_t seed, float lo, float hi)
{
    uint64_t state = seed;
    for (size_t i = 0; i < n; i++)
        dst[i] = lo + (hi - lo) * (float)((splitmix64(&state) >> 40) * (1.0 / 16777216.0));
}

float *
gs_test_random_new(size_t n, uint64_t seed, float lo, float hi)
{
    float *p = malloc(n * sizeof *p + 1);
    gs_test_random(p, n, seed, lo, hi);
    return p;
}

gs_tensor *
gs_test_tensor(gs_context *ctx, int ndim, const int64_t *shape, const float *data)
{
    gs_tensor *t = gs_tensor_new(ctx, GS_F32, ndim, shape);
    if (!t) {
        fprintf(stderr, "tensor allocation failed: %s\n", gs_context_error(ctx));
        exit(1);
    }
    if (data && gs_tensor_upload(t, data, gs_tensor_numel(t)) != GS_OK) {
        fprintf(stderr, "upload failed: %s\n", gs_context_error(ctx));
        exit(1);
    }
    return t;
}

float *
gs_test_download(const gs_tensor *t)
{
    size_t n = (size_t)gs_tensor_numel(t);
    float *p = malloc(n * sizeof *p + 1);
    if (gs_tensor_download(t, p, (int64_t)n) != GS_OK) {
        fprintf(stderr, "download failed\n");
        exit(1);
    }
    return p;
}

float *
gs_test_golden_floats(gs_safetensors *golden, const char *name, int64_t *count)
{
    int i = gs_safetensors_find(golden, name);
    if (i < 0 || gs_safetensors_dtype(golden, i) != GS_ST_F32) {
        fprintf(stderr, "golden file lacks %s\n", name);
        exit(1);
    }
    *count = gs_safetensors_numel(golden, i);
    float *p = malloc((size_t)*count * sizeof *p);
    memcpy(p, gs_safetensors_data(golden, i), (size_t)*count * sizeof *p);
    return p;
}

bool
gs_test_close(const char *what, const float *got, const float *want, size_t n, float atol, float rtol)
{
    size_t worst = 0, bad = 0;
    double worst_excess = -1.0, max_err = 0.0;
    for (size_t i = 0; i < n; i++) {
        double limit = atol + rtol * fabs(want[i]);
        double err = fabs((double)got[i] - want[i]);
        max_err = isnan(err) ? INFINITY : fmax(max_err, err);
        if (!(err <= limit))
            bad++;
        double excess = isnan(err) ? INFINITY : err - limit;
        if (excess > worst_excess) {
            worst_excess = excess;
            worst = i;
        }
    }
    if (bad) {
        fprintf(stderr, "%s: %zu of %zu elements out of tolerance (atol %g, rtol %g); worst [%zu]: got %g want %g\n",
                what, bad, n, atol, rtol, worst, got[worst], want[worst]);
        gs_test_failures++;
        return false;
    }
    printf("%s: %zu elements within atol %g rtol %g (max |error| %.3g)\n", what, n, atol, rtol, max_err);
    return true;
}
