/* Fault injection (GS_FAULT, engine/vk/gs-fault.c): for N through a model
 * load and a generation, the Nth device allocation, pipeline creation or
 * submit fails with out-of-memory or device-lost (every N for pipelines and
 * submits; for allocations the first 8 and 8 spread over the rest). Each
 * must end in a clear error, with all device memory given back, and the
 * next generation — on the same context after out-of-memory, on a new one
 * after a lost device — must succeed and draw the same image as a run
 * without faults.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "gs-test.h"
#include "vk/gs-vk-private.h"

static char cache_dir[] = "/tmp/gs-test-fault-XXXXXX";

static gs_context *
new_context(const char *fault)
{
    if (fault)
        setenv("GS_FAULT", fault, 1);
    else
        unsetenv("GS_FAULT");
    gs_context_params params = gs_context_default_params();
    params.cache_dir = cache_dir; /* shared by the sweep's contexts: compiles once */
    gs_context *ctx = NULL;
    char *error = NULL;
    if (gs_context_new(&params, &ctx, &error) != GS_OK) {
        fprintf(stderr, "cannot open the engine: %s\n", error);
        exit(1);
    }
    unsetenv("GS_FAULT");
    return ctx;
}

/* Loads emoji32 and draws a 2-step image into rgb; frees the model. */
static gs_status
load_and_generate(gs_context *ctx, float *rgb)
{
    gs_diffusion *model = NULL;
    gs_status st = gs_diffusion_load(ctx, GS_MODEL_PATH, &model);
    if (st == GS_OK) {
        GS_CHECK(model != NULL);
        gs_image_params p = gs_image_default_params();
        p.prompt = "red apple";
        p.steps = 2;
        st = gs_diffusion_generate(model, &p, rgb);
    } else {
        GS_CHECK(model == NULL);
    }
    gs_diffusion_free(model);
    return st;
}

static size_t image_floats;
static float *reference;

static void
check_recovers(gs_context *ctx, const char *what)
{
    float *rgb = malloc(image_floats * sizeof *rgb);
    gs_status st = load_and_generate(ctx, rgb);
    if (st != GS_OK || memcmp(rgb, reference, image_floats * sizeof *rgb) != 0) {
        fprintf(stderr, "%s: the next generation %s: %s\n", what, st ? "failed" : "differs",
                st ? gs_context_error(ctx) : "");
        gs_test_failures++;
    }
    free(rgb);
}

/* Every N up to `every`, then a spread of about as many more to the last
 * call: a load makes one allocation per tensor, and a run per N costs a
 * load and two generations. */
static long
next_n(long n, long calls, long every)
{
    if (n < every || n == calls)
        return n + 1;
    long stride = (calls - every) / every + 1;
    return n + stride < calls ? n + stride : calls;
}

static void
sweep(gs_fault_site site, const char *site_name, long calls, const char *kind, long every)
{
    gs_status want = strcmp(kind, "lost") == 0 ? GS_ERR_DEVICE_LOST : GS_ERR_OUT_OF_MEMORY;
    for (long n = 1; n <= calls; n = next_n(n, calls, every)) {
        char spec[64], what[96];
        snprintf(spec, sizeof spec, "%s:%ld:%s", site_name, n, kind);
        snprintf(what, sizeof what, "GS_FAULT=%s", spec);
        gs_context *ctx = new_context(spec);
        float *rgb = malloc(image_floats * sizeof *rgb);
        gs_status st = load_and_generate(ctx, rgb);
        free(rgb);
        uint64_t live = 0;
        gs_context_memory_stats(ctx, &live, NULL);
        const char *message = gs_context_error(ctx);
        printf("%s: %s: %s\n", what, gs_status_name(st), message);
        if (!ctx->fault.fired || st != want || !strstr(message, want == GS_ERR_DEVICE_LOST ? "DEVICE_LOST"
                                                                                           : "OUT_OF_DEVICE_MEMORY")) {
            fprintf(stderr, "%s: fired %d, returned %s (want %s): %s\n", what, ctx->fault.fired, gs_status_name(st),
                    gs_status_name(want), message);
            gs_test_failures++;
        }
        if (live != 0) {
            fprintf(stderr, "%s: %llu bytes of device memory still allocated\n", what, (unsigned long long)live);
            gs_test_failures++;
        }
        if (want == GS_ERR_DEVICE_LOST) {
            /* A lost device stays lost: the caller must make a new context. */
            rgb = malloc(image_floats * sizeof *rgb);
            GS_CHECK(load_and_generate(ctx, rgb) != GS_OK);
            free(rgb);
            gs_context_free(ctx);
            ctx = new_context(NULL);
        }
        check_recovers(ctx, what);
        gs_context_free(ctx);
    }
}

int
main(void)
{
    if (!mkdtemp(cache_dir)) {
        perror("mkdtemp");
        return 1;
    }
    gs_context *ctx = new_context(NULL);
    image_floats = 32 * 32 * 3;
    reference = malloc(image_floats * sizeof *reference);
    GS_CHECK_OK(ctx, load_and_generate(ctx, reference));
    long calls[GS_FAULT_SITES];
    memcpy(calls, ctx->fault.calls, sizeof calls);
    gs_context_free(ctx);
    /* A malformed GS_FAULT is refused, not ignored. */
    setenv("GS_FAULT", "submit:0:oom", 1);
    char *error = NULL;
    gs_context_params params = gs_context_default_params();
    params.cache_dir = "";
    GS_CHECK(gs_context_new(&params, &ctx, &error) == GS_ERR_INVALID_ARGUMENT && error && strstr(error, "GS_FAULT"));
    free(error);
    unsetenv("GS_FAULT");

    /* GS_TEST_FAULT_EVERY=K: the first K calls of every site and K spread
     * over the rest (the sanitizer build's short sweep); by default every
     * pipeline and submit, and 8 + 8 of the allocations. */
    const char *every_env = getenv("GS_TEST_FAULT_EVERY");
    long every = every_env && atol(every_env) > 0 ? atol(every_env) : 0;
    const char *names[GS_FAULT_SITES] = { "alloc", "pipeline", "submit" };
    for (int site = 0; site < GS_FAULT_SITES; site++) {
        printf("%s: %ld calls in a load and a generation\n", names[site], calls[site]);
        GS_CHECK(calls[site] > 0);
        long site_every = every ? every : site == GS_FAULT_ALLOC ? 8 : calls[site];
        sweep((gs_fault_site)site, names[site], calls[site], "oom", site_every);
        sweep((gs_fault_site)site, names[site], calls[site], "lost", site_every);
    }
    free(reference);
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", cache_dir);
    if (system(command) != 0)
        fprintf(stderr, "cannot remove %s\n", cache_dir);
    printf("%d failures\n", gs_test_failures);
    return gs_test_failures != 0;
}
