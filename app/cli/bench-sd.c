/* genstudio-cli bench sd --model PATH: a Stable Diffusion checkpoint's cost
 * on this device — load time, seconds per guided step (one UNet call at
 * batch 2) and per unguided call at each size, the VAE decode, peak memory —
 * next to OpenBLAS's GFLOP/s in the same run and stable-diffusion.cpp's
 * published figures for the same machine class.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gs-image-job.h"

typedef struct {
    gint64 first_step, last_step;
    int steps_seen;
} step_clock;

static bool
on_step(int step, int steps, const float *rgb, int width, int height, void *user_data)
{
    step_clock *c = user_data;
    gint64 now = g_get_monotonic_time();
    if (c->steps_seen++ == 0)
        c->first_step = now;
    c->last_step = now;
    return true;
}

/* Peak resident set of this process (VmHWM), bytes. */
static uint64_t
peak_rss(void)
{
    g_autofree char *status = NULL;
    if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL))
        return 0;
    const char *line = strstr(status, "VmHWM:");
    return line ? g_ascii_strtoull(line + 6, NULL, 10) * 1024 : 0;
}

/* Two steps: the first also pays for the prompt, the second is one clean
 * step; the decode follows the last. */
static gs_status
time_steps(gs_diffusion *model, int size, float cfg, double *second_step, double *decode)
{
    gs_image_params p = gs_image_default_params();
    p.prompt = "a lighthouse on a cliff at dusk, oil painting";
    p.negative_prompt = "blurry";
    p.width = p.height = size;
    p.steps = 2;
    p.cfg_scale = cfg;
    p.sampler = GS_SAMPLER_EULER;
    step_clock clock = { 0, 0, 0 };
    p.callback = on_step;
    p.user_data = &clock;
    float *rgb = g_try_new(float, (size_t)size * size * 3);
    gs_status st = rgb ? gs_diffusion_generate(model, &p, rgb) : GS_ERR_OUT_OF_MEMORY;
    gint64 end = g_get_monotonic_time();
    g_free(rgb);
    *second_step = (clock.last_step - clock.first_step) / 1e6;
    *decode = (end - clock.last_step) / 1e6;
    return st;
}

int
gs_cli_bench_sd(gs_context *ctx, int argc, char **argv)
{
    g_autofree char *model_path = NULL, *sizes_text = NULL, *tokenizer = NULL;
    GOptionEntry entries[] = {
        { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, "SD checkpoint or diffusers folder", "PATH" },
        { "sizes", 0, 0, G_OPTION_ARG_STRING, &sizes_text, "Image sides to time (256,512)", "LIST" },
        { "tokenizer", 0, 0, G_OPTION_ARG_FILENAME, &tokenizer, "CLIP tokenizer files", "DIR" },
        { NULL },
    };
    g_autoptr(GOptionContext) options = g_option_context_new("- time a Stable Diffusion model");
    g_option_context_add_main_entries(options, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(options, &argc, &argv, &error) || !model_path) {
        fprintf(stderr, "genstudio-cli bench sd: %s\n", error ? error->message : "--model PATH is required");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* minutes between lines: show each as it comes */
    gs_diffusion_load_params load = gs_diffusion_load_default_params();
    load.tokenizer_dir = tokenizer;
    gint64 start = g_get_monotonic_time();
    gs_diffusion *model = gs_load_diffusion_with_params(ctx, model_path, &load, &error);
    if (!model) {
        fprintf(stderr, "genstudio-cli bench sd: %s\n", error->message);
        return 1;
    }
    const gs_model_info *info = gs_diffusion_info(model);
    printf("model: %s (%s, %s, %s weights on disk, %.2f GB), loaded in %.1f s\n", model_path, info->family_name,
           info->layout, info->weight_dtype, info->size_bytes / 1e9, (g_get_monotonic_time() - start) / 1e6);
    double blas = gs_cli_openblas_gflops(1024, 1024, 1024);

    g_auto(GStrv) sizes = g_strsplit(sizes_text ? sizes_text : "256,512", ",", -1);
    int status = 0;
    for (int i = 0; sizes[i] && status == 0; i++) {
        int size = atoi(sizes[i]);
        double guided, single, decode, unused;
        gs_status st = time_steps(model, size, 7.0f, &guided, &decode);
        if (st == GS_OK)
            st = time_steps(model, size, 1.0f, &single, &unused);
        if (st != GS_OK) {
            fprintf(stderr, "genstudio-cli bench sd: %s\n", gs_context_error(ctx));
            status = 1;
            break;
        }
        double gflop = gs_diffusion_unet_gflop(model);
        printf("%d²: step with CFG %.2f s, UNet call %.2f s (%.1f GFLOP, %.1f GFLOP/s", size, guided, single, gflop,
               gflop / single);
        if (blas > 0)
            printf(", %.3f of OpenBLAS's %.1f GFLOP/s", gflop / single / blas, blas);
        printf("), VAE decode %.2f s\n", decode);
    }
    uint64_t device_now = 0, device_peak = 0;
    gs_context_memory_stats(ctx, &device_now, &device_peak);
    printf("peak memory: device %.2f GB, process RSS %.2f GB\n", device_peak / 1e9, peak_rss() / 1e9);
    printf("stable-diffusion.cpp, CPU, f16, 2 threads, idle machine of this class (issue #11): SD 1.5 512² "
           "22.5–23.1 s/step, VAE decode 34–35 s, 3.78 GB; 256² 3.6–3.9 s/step, decode 8.0–8.4 s, 2.49 GB; "
           "SD 2.1 512² 16.2 s/step, 4.22 GB\n");
    gs_diffusion_free(model);
    return status;
}
