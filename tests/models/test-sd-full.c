/* A full-size SD 1.5 checkpoint (random weights with the real names and
 * shapes, written at test time by tools/sd/make_checkpoint.py, never
 * committed): from the single file, one UNet call on a 64×64 latent (512²)
 * against tools/sd/unet_call.py's PyTorch output and a 512² image end to
 * end; from the diffusers folder, the same weights through the other
 * layout's names on a 16×16 latent (a cheaper call: the layouts differ in
 * names, not arithmetic). Prints time and peak memory.
 *
 *   test-sd-full SINGLE_FILE DIFFUSERS_FOLDER FIXTURE_64 FIXTURE_16 TOKENIZER
 *
 * Tolerance: the device holds the weights in fp16 as the file does, the
 * reference computes in fp32 with another summation order through 16
 * transformer blocks; atol 2e-2 + rtol 2e-2 on outputs of order one.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <string.h>

#include "gs-test.h"
#include "models/gs-diffusion-private.h"

static gs_context *ctx;

static uint64_t
peak_rss(void)
{
    g_autofree char *status = NULL;
    if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL))
        return 0;
    const char *line = strstr(status, "VmHWM:");
    return line ? g_ascii_strtoull(line + 6, NULL, 10) * 1024 : 0;
}

static float *
fixture(gs_safetensors *st, const char *name, int64_t *n)
{
    int i = gs_safetensors_find(st, name);
    if (i < 0) {
        fprintf(stderr, "fixture lacks %s\n", name);
        exit(1);
    }
    *n = gs_safetensors_numel(st, i);
    float *p = malloc((size_t)*n * sizeof *p);
    gs_safetensors_read(st, i, p);
    return p;
}

static gs_diffusion *
load(const char *path, const char *tokenizer)
{
    gs_diffusion_load_params params = gs_diffusion_load_default_params();
    params.tokenizer_dir = tokenizer;
    gs_diffusion *m = NULL;
    gint64 start = g_get_monotonic_time();
    GS_CHECK_OK(ctx, gs_diffusion_load_with_params(ctx, path, &params, &m));
    if (m)
        printf("%s: %s, %s, loaded in %.1f s\n", path, gs_diffusion_info(m)->family_name,
               gs_diffusion_info(m)->layout, (g_get_monotonic_time() - start) / 1e6);
    return m;
}

static void
unet_call(gs_diffusion *m, gs_safetensors *fx)
{
    int64_t nx, nt, nc, no;
    float *x = fixture(fx, "unet.x", &nx), *t = fixture(fx, "unet.t", &nt);
    float *c = fixture(fx, "unet.context", &nc), *want = fixture(fx, "unet.out", &no);
    int64_t cshape[3] = { 1, 77, nc / 77 };
    int side = (int)sqrt((double)(nx / 4));
    gs_tensor *context = gs_test_tensor(ctx, 3, cshape, c);
    float *got = malloc((size_t)no * sizeof *got);
    gint64 start = g_get_monotonic_time();
    GS_CHECK_OK(ctx, gs_diffusion_unet(m, x, t, 1, 4, side, side, context, got));
    printf("UNet call at %d×%d latent: %.1f s, %.1f GFLOP\n", side, side, (g_get_monotonic_time() - start) / 1e6,
           gs_diffusion_unet_gflop(m));
    gs_test_close("full-size SD 1.5 UNet call", got, want, (size_t)no, 2e-2f, 2e-2f);
    gs_tensor_free(context);
    free(x);
    free(t);
    free(c);
    free(want);
    free(got);
}

/* One unguided step and the VAE decode: the whole path at 512². */
static void
image_512(gs_diffusion *m)
{
    gs_image_params p = gs_image_default_params();
    p.prompt = "a lighthouse on a cliff at dusk";
    p.width = p.height = 512;
    p.steps = 1;
    p.cfg_scale = 1.0f;
    size_t n = (size_t)512 * 512 * 3;
    float *rgb = malloc(n * sizeof *rgb);
    gint64 start = g_get_monotonic_time();
    GS_CHECK_OK(ctx, gs_diffusion_generate(m, &p, rgb));
    double mean = 0, var = 0;
    bool finite = true;
    for (size_t i = 0; i < n; i++) {
        finite = finite && isfinite(rgb[i]) && rgb[i] >= 0 && rgb[i] <= 1;
        mean += rgb[i] / n;
    }
    for (size_t i = 0; i < n; i++)
        var += (rgb[i] - mean) * (rgb[i] - mean) / n;
    printf("512² image, 1 step: %.1f s; mean %.3f, std %.3f\n", (g_get_monotonic_time() - start) / 1e6, mean,
           sqrt(var));
    GS_CHECK(finite);
    GS_CHECK(var > 1e-6); /* not a flat image */
    free(rgb);
}

int
main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: test-sd-full SINGLE_FILE DIFFUSERS_FOLDER FIXTURE_64 FIXTURE_16 TOKENIZER\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* minutes between lines: show them as they come */
    ctx = gs_test_context();
    for (int layout = 0; layout < 2; layout++) {
        char *error = NULL;
        gs_safetensors *fx = NULL;
        if (gs_safetensors_open(argv[3 + layout], &fx, &error) != GS_OK) {
            fprintf(stderr, "%s\n", error);
            return 1;
        }
        gs_diffusion *m = load(argv[1 + layout], argv[5]);
        if (m) {
            unet_call(m, fx);
            if (layout == 0)
                image_512(m);
        }
        gs_diffusion_free(m);
        gs_safetensors_close(fx);
    }
    uint64_t now, peak;
    gs_context_memory_stats(ctx, &now, &peak);
    printf("peak memory: device %.2f GB, process RSS %.2f GB\n", peak / 1e9, peak_rss() / 1e9);
    gs_context_free(ctx);
    return gs_test_failures != 0;
}
