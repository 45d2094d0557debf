/* genstudio-cli bench image: seconds per image at the default settings (with
 * the UNet's GFLOP/s against OpenBLAS's, and a cold start from a new
 * process), and prompt adherence per sampler setting — whether generated
 * images land nearest to training images of the prompt's own emoji group,
 * against pure noise as baseline.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cli.h"
#include "gs-emoji-reference.h"
#include "gs-image-job.h"
#include "gs-png.h"

#define CAPTIONS 50
#define SEEDS 2

/* A "VmHWM:"-style line of /proc/self/status, in MiB; -1 where there is none. */
static double
status_mib(const char *key)
{
    g_autofree char *status = NULL;
    if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL))
        return -1;
    const char *line = strstr(status, key);
    return line ? g_ascii_strtod(line + strlen(key), NULL) / 1024.0 : -1;
}

/* Device memory of the timed images: the peak, and the largest model step
 * (a UNet call) with its activations planned against what it would hold if
 * every temporary lived until the step's submit. */
static void
print_memory(gs_context *ctx, uint64_t weights_bytes)
{
    const double mib = 1024.0 * 1024.0;
    uint64_t peak, arena, temporaries;
    gs_context_memory_stats(ctx, NULL, &peak);
    gs_context_activation_stats(ctx, &arena, &temporaries);
    printf("memory: device peak %.2f MiB (weights %.2f MiB); a UNet call's activations %.2f MiB planned vs "
           "%.2f MiB of temporaries (a device peak of %.2f MiB unplanned); host peak RSS %.0f MiB\n",
           peak / mib, weights_bytes / mib, arena / mib, temporaries / mib, (peak - arena + temporaries) / mib,
           status_mib("VmHWM:"));
}

/* Seconds from spawning `genstudio-cli image` to its exit with a PNG
 * written, with `cache` as XDG_CACHE_HOME (where our pipeline cache and
 * Mesa's shader cache live). */
static double
cold_start_seconds(const char *dir, const char *cache)
{
    g_autofree char *png = g_build_filename(dir, "cold.png", NULL);
    const char *argv[] = { "/proc/self/exe", "image", "--prompt", "red apple", "-o", png, NULL };
    g_auto(GStrv) env = g_environ_setenv(g_get_environ(), "XDG_CACHE_HOME", cache, TRUE);
    int status = 0;
    g_autofree char *err = NULL;
    gint64 start = g_get_monotonic_time();
    if (!g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, NULL) ||
        !g_spawn_check_wait_status(status, NULL) || !g_file_test(png, G_FILE_TEST_EXISTS)) {
        fprintf(stderr, "%s", err ? err : "");
        return -1;
    }
    double seconds = (g_get_monotonic_time() - start) / 1e6;
    g_unlink(png);
    return seconds;
}

#define LATER_LAUNCHES 3

static int
compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A first launch (empty cache folder), then later ones with the caches the
 * launches before them left: Mesa's shader cache and our list of kernels. */
static void
print_cold_start(double steady)
{
    g_autofree char *dir = g_dir_make_tmp("genstudio-bench-XXXXXX", NULL);
    g_autofree char *cache = dir ? g_build_filename(dir, "cache", NULL) : NULL;
    double first = dir ? cold_start_seconds(dir, cache) : -1;
    double later[LATER_LAUNCHES];
    bool ok = first > 0;
    for (int i = 0; i < LATER_LAUNCHES && ok; i++)
        ok = (later[i] = cold_start_seconds(dir, cache)) > 0;
    if (ok) {
        printf("cold start (new process → PNG written): first launch %.2f s (%.2f× the steady %.2f s per image); "
               "later launches (the caches the ones before left)",
               first, first / steady, steady);
        for (int i = 0; i < LATER_LAUNCHES; i++)
            printf(" %.2f s", later[i]);
        qsort(later, LATER_LAUNCHES, sizeof later[0], compare_doubles);
        printf(", median %.2f× the steady time\n", later[LATER_LAUNCHES / 2] / steady);
    } else {
        printf("cold start: genstudio-cli image failed in a new process\n");
    }
    if (dir) {
        const char *rm[] = { "rm", "-rf", dir, NULL };
        g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
    }
}

typedef struct {
    gs_sampler sampler;
    bool karras;
    int steps;
} SamplerSetting;

/* Adherence of one sampler setting over the same captions and seeds, with
 * its seconds per image; FALSE (and `error` set) when a run failed. */
static gboolean
print_adherence(gs_context *ctx, gs_diffusion *model, GsEmojiReference *ref, GsImageRequest *request,
                SamplerSetting setting, GError **error)
{
    int size = gs_diffusion_width(model);
    request->params.sampler = setting.sampler;
    request->params.karras = setting.karras;
    request->params.steps = setting.steps;
    int hits = 0, noise_hits = 0, total = 0;
    g_autofree float *noise = g_new(float, (size_t)size * size * 3);
    gint64 start = g_get_monotonic_time();
    for (int c = 0; c < CAPTIONS; c++) {
        int item = (int)((gint64)c * gs_emoji_reference_count(ref) / CAPTIONS);
        int group = gs_emoji_reference_group(ref, item);
        g_free(request->params.prompt);
        request->params.prompt = g_strdup(gs_emoji_reference_caption(ref, item));
        for (int s = 0; s < SEEDS; s++, total++) {
            request->params.seed = 1000 + (guint64)s;
            g_autofree float *rgb = gs_image_job_run(ctx, model, "emoji32", request, NULL, NULL, error);
            if (!rgb)
                return FALSE;
            hits += gs_emoji_reference_nearest_group(ref, rgb, size) == group;
            gs_normal_noise(request->params.seed, 7, (guint64)c * 1000, noise, (size_t)size * size * 3);
            for (int i = 0; i < size * size * 3; i++)
                noise[i] = CLAMP((noise[i] + 1.0f) * 0.5f, 0.0f, 1.0f);
            noise_hits += gs_emoji_reference_nearest_group(ref, noise, size) == group;
        }
    }
    double seconds = (g_get_monotonic_time() - start) / 1e6 / total;
    double ours = (double)hits / total, baseline = (double)noise_hits / total;
    printf("prompt adherence, %s %d steps (%d captions x %d seeds, %.2f s per image; nearest of %d training "
           "images in %dx%d colour thumbnails): same emoji group %.1f%%, pure noise %.1f%%, ratio %.2f\n",
           gs_sampler_display_name(setting.sampler, setting.karras), setting.steps, CAPTIONS, SEEDS, seconds,
           gs_emoji_reference_count(ref), 8, 8, 100 * ours, 100 * baseline, baseline > 0 ? ours / baseline : 0.0);
    return TRUE;
}

/* The default settings' time, the UNet's effective GFLOP/s against
 * OpenBLAS's on the same cores, and what one UNet call records. */
static void
print_speed(gs_diffusion *model, const GsImageRequest *request, double seconds)
{
    int size = gs_diffusion_width(model);
    int calls = request->params.steps * (request->params.cfg_scale != 1.0 ? 2 : 1);
    double gflop = gs_diffusion_unet_gflop(model), blas = gs_cli_openblas_gflops(1024, 1024, 1024);
    int dispatches, barriers;
    gs_diffusion_unet_counts(model, &dispatches, &barriers);
    printf("image %dx%d, %d steps, CFG %g (%s): %.2f s per image, %.3f GFLOP per UNet call (batch 1), "
           "%d UNet calls\n",
           size, size, request->params.steps, request->params.cfg_scale,
           gs_sampler_display_name(request->params.sampler, FALSE), seconds, gflop, calls);
    printf("whole model: %.1f GFLOP/s effective (UNet FLOPs over the time per image), OpenBLAS sgemm 1024³ %.1f "
           "GFLOP/s, ratio %.3f; a UNet call (both guidance branches in one batch) records %d dispatches and "
           "%d barriers\n", gflop * calls / seconds, blas, blas > 0 ? gflop * calls / seconds / blas : 0.0,
           dispatches, barriers);
}

int
gs_cli_bench_image(gs_context *ctx)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *model_path = gs_default_model_path();
    gs_diffusion *model = gs_load_diffusion(ctx, model_path, &error);
    g_autoptr(GsEmojiReference) ref = model ? gs_emoji_reference_load(NULL, &error) : NULL;
    if (!ref) {
        fprintf(stderr, "genstudio-cli bench image: %s\n", error->message);
        gs_diffusion_free(model);
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* minutes between lines: show each as it comes */
    GsImageRequest request;
    gs_image_request_init(&request);
    g_free(request.params.prompt);
    request.params.prompt = g_strdup("red apple");
    const gs_model_info *info = gs_diffusion_info(model);
    request.params.sampler = info->default_sampler;
    request.params.steps = info->default_steps;
    request.params.cfg_scale = info->default_cfg;

    /* Warm up pipelines, then time the default settings. */
    g_autofree float *rgb = gs_image_job_run(ctx, model, "emoji32", &request, NULL, NULL, &error);
    uint64_t weights_bytes;
    gs_context_memory_stats(ctx, &weights_bytes, NULL);
    gs_context_reset_memory_peak(ctx);
    gint64 start = g_get_monotonic_time();
    const int runs = 3;
    for (int i = 0; rgb && i < runs; i++) {
        g_free(rgb);
        rgb = gs_image_job_run(ctx, model, "emoji32", &request, NULL, NULL, &error);
    }
    gboolean ok = rgb != NULL;
    if (ok) {
        double seconds = (g_get_monotonic_time() - start) / 1e6 / runs;
        print_speed(model, &request, seconds);
        print_memory(ctx, weights_bytes);
        print_cold_start(seconds);
    }

    /* The model's default against the earlier default, Euler a at twice the
     * UNet calls, and DPM++ 2M Karras at the same calls or a few more. */
    const SamplerSetting settings[] = {
        { request.params.sampler, request.params.karras, request.params.steps },
        { GS_SAMPLER_EULER_A, false, 20 },
        { GS_SAMPLER_DPMPP_2M, true, 10 },
        { GS_SAMPLER_DPMPP_2M, true, 12 },
    };
    for (size_t i = 0; ok && i < G_N_ELEMENTS(settings); i++)
        ok = print_adherence(ctx, model, ref, &request, settings[i], &error);
    if (!ok)
        fprintf(stderr, "genstudio-cli bench image: %s\n", error->message);
    gs_image_request_clear(&request);
    gs_diffusion_free(model);
    return ok ? 0 : 1;
}
