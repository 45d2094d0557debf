/* genstudio-cli bench image: seconds per image at the default settings, and
 * prompt adherence — whether generated images land nearest to training
 * images of the prompt's own emoji group, against pure noise as baseline.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <string.h>

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
    int size = gs_diffusion_width(model);
    GsImageRequest request;
    gs_image_request_init(&request);
    g_free(request.params.prompt);
    request.params.prompt = g_strdup("red apple");

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
    if (!rgb) {
        fprintf(stderr, "genstudio-cli bench image: %s\n", error->message);
        gs_image_request_clear(&request);
        gs_diffusion_free(model);
        return 1;
    }
    double seconds = (g_get_monotonic_time() - start) / 1e6 / runs;
    printf("image %dx%d, %d steps, CFG %g (%s): %.2f s per image, %.3f GFLOP per UNet call (batch 1), "
           "%d UNet calls\n",
           size, size, request.params.steps, request.params.cfg_scale,
           gs_sampler_display_name(request.params.sampler, FALSE), seconds, gs_diffusion_unet_gflop(model),
           request.params.steps * (request.params.cfg_scale != 1.0 ? 2 : 1));
    print_memory(ctx, weights_bytes);

    /* 100 images: DPM++ 2M Karras at 10 steps keeps this part to minutes. */
    request.params.sampler = GS_SAMPLER_DPMPP_2M;
    request.params.karras = TRUE;
    request.params.steps = 10;
    int hits = 0, noise_hits = 0, total = 0;
    g_autofree float *noise = g_new(float, (size_t)size * size * 3);
    for (int c = 0; c < CAPTIONS; c++) {
        int item = (int)((gint64)c * gs_emoji_reference_count(ref) / CAPTIONS);
        int group = gs_emoji_reference_group(ref, item);
        g_free(request.params.prompt);
        request.params.prompt = g_strdup(gs_emoji_reference_caption(ref, item));
        for (int s = 0; s < SEEDS; s++, total++) {
            request.params.seed = 1000 + (guint64)s;
            g_free(rgb);
            rgb = gs_image_job_run(ctx, model, "emoji32", &request, NULL, NULL, &error);
            if (!rgb) {
                fprintf(stderr, "genstudio-cli bench image: %s\n", error->message);
                break;
            }
            hits += gs_emoji_reference_nearest_group(ref, rgb, size) == group;
            gs_normal_noise(request.params.seed, 7, (guint64)c * 1000, noise, (size_t)size * size * 3);
            for (int i = 0; i < size * size * 3; i++)
                noise[i] = CLAMP((noise[i] + 1.0f) * 0.5f, 0.0f, 1.0f);
            noise_hits += gs_emoji_reference_nearest_group(ref, noise, size) == group;
        }
        if (!rgb)
            break;
    }
    int status = rgb ? 0 : 1;
    if (rgb) {
        double ours = (double)hits / total, baseline = (double)noise_hits / total;
        printf("prompt adherence (%d captions x %d seeds, %s %d steps; nearest of %d training images in %dx%d "
               "colour thumbnails): same emoji group %.1f%%, pure noise %.1f%%, ratio %.2f\n",
               CAPTIONS, SEEDS, gs_sampler_display_name(request.params.sampler, TRUE), request.params.steps,
               gs_emoji_reference_count(ref), 8, 8, 100 * ours, 100 * baseline,
               baseline > 0 ? ours / baseline : 0.0);
    }
    gs_image_request_clear(&request);
    gs_diffusion_free(model);
    return status;
}
