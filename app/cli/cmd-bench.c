/* genstudio-cli bench TARGET: speed (and quality) figures printed as ratios
 * against a reference measured in the same run. Not tests: nothing asserts.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*run)(gs_context *ctx);
    const char *summary;
} targets[] = {
    { "ops", gs_cli_bench_ops, "matmul, conv2d, attention (also SD-sized) against OpenBLAS; group norm" },
    { "image", gs_cli_bench_image, "seconds per image, GFLOP and memory per UNet call, prompt adherence" },
    { "music", gs_cli_bench_music, "seconds per 30 s piece against 3 s, timeline playback underruns, mixdown RTF" },
    { "upscale", gs_cli_bench_upscale, "seconds for 256² → 1024² per ESRGAN model and bicubic; PSNR/SSIM of ×4 "
                                       "against bicubic on 20 photos" },
    { "provenance", gs_cli_bench_provenance, "watermark detection after JPEG, resize, crop, brightness, Opus, "
                                             "MP3, 16 kHz, gain; false positives on photos and other speech" },
    { "clone", gs_cli_bench_clone, "cloned voices against held-out speakers (F0, formants, spectrum, WER); the "
                                   "consent gate's false rejections and acceptances" },
    { "gan", gs_cli_bench_gan, "GAN against diffusion on the same captions: seconds per image, adherence, "
                               "diversity" },
};

static const char speech_summary[] = "[--sentences N] [--sentences-file F] [--keep-audio DIR]: real-time factor "
                                     "per vocoder, word error rates against flite, festival HTS and espeak-ng, and "
                                     "the ratios";
static const char sd_summary[] = "--model PATH [--sizes 256,512]: seconds per step and UNet call, VAE decode, "
                                 "peak memory of an SD checkpoint";

static void
usage(FILE *out)
{
    fprintf(out, "Usage: genstudio-cli bench TARGET\n\nTargets:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(targets); i++)
        fprintf(out, "  %-10s %s\n", targets[i].name, targets[i].summary);
    fprintf(out, "  %-10s %s\n", "speech", speech_summary);
    fprintf(out, "  %-10s %s\n", "sd", sd_summary);
}

/* The engine's context with the device named first: every figure depends on it. */
static gs_context *
open_bench_context(void)
{
    gs_context *ctx = gs_cli_open_context();
    if (ctx) {
        const gs_device_info *device = gs_context_device(ctx, gs_context_chosen_device(ctx));
        printf("device: %s (%s)\n", device->name, device->driver);
    }
    return ctx;
}

int
gs_cli_bench(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "sd")) {
        gs_context *ctx = open_bench_context();
        int status = ctx ? gs_cli_bench_sd(ctx, argc - 1, argv + 1) : 1;
        gs_context_free(ctx);
        return status;
    }
    if (argc >= 2 && !strcmp(argv[1], "speech")) {
        gs_context *ctx = open_bench_context();
        int status = ctx ? gs_cli_bench_speech(ctx, argc - 1, argv + 1) : 1;
        gs_context_free(ctx);
        return status;
    }
    for (size_t i = 0; argc == 2 && i < G_N_ELEMENTS(targets); i++) {
        if (strcmp(argv[1], targets[i].name) != 0)
            continue;
        gs_context *ctx = open_bench_context();
        int status = ctx ? targets[i].run(ctx) : 1;
        gs_context_free(ctx);
        return status;
    }
    if (argc == 2)
        fprintf(stderr, "genstudio-cli bench: unknown target '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
