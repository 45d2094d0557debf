/* The VAE of the tiny SD 1 (f16) and SD 2 (bf16) single-file checkpoints
 * against the PyTorch reference's goldens (tools/sd/export_fixtures.py,
 * float64): decode vae.decode.in [1,4,8,8] → [1,3,64,64] and encode
 * vae.encode.in → the latent mean, both whole and in bands.
 * Tolerance: atol 1e-3 × the output's largest magnitude. The weights are
 * exact in fp16 (the checkpoints' values are rounded to bf16 then f16), so
 * what is left is fp32 arithmetic against float64: measured ~1e-6. Bands
 * keep their feature maps in fp16 between layers by default: that rounding
 * (~30 maps deep) measured 1.2e-3 to 1.7e-3 × the largest magnitude, checked
 * at 3e-3; with fp32 maps, bands are held to the 1e-3 of the whole pass.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "gs-test.h"
#include "models/gs-vae.h"

static float *
golden(const gs_safetensors *st, const char *name, int64_t numel)
{
    int i = gs_safetensors_find(st, name);
    if (i < 0 || gs_safetensors_numel(st, i) != numel) {
        fprintf(stderr, "golden %s missing or of the wrong size\n", name);
        gs_test_failures++;
        return NULL;
    }
    float *v = malloc((size_t)numel * sizeof *v);
    GS_CHECK(gs_safetensors_read(st, i, v) == GS_OK);
    return v;
}

static float
max_abs(const float *x, size_t n)
{
    float m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmaxf(m, fabsf(x[i]));
    return m;
}

static void
check_family(gs_context *ctx, const char *family)
{
    char *model_path = g_strdup_printf("%s/tiny-%s.safetensors", GS_SD_MODELS_DIR, family);
    char *golden_path = g_strdup_printf("%s/%s_golden.safetensors", GS_SD_GOLDEN_DIR, family);
    gs_safetensors *model, *gold;
    char *error = NULL;
    if (gs_safetensors_open(model_path, &model, &error) != GS_OK ||
        gs_safetensors_open(golden_path, &gold, &error) != GS_OK) {
        fprintf(stderr, "%s\n", error);
        free(error);
        gs_test_failures++;
        return;
    }
    gs_weights *w = gs_weights_new(ctx, model);
    gs_vae_config cfg;
    GS_CHECK_OK(ctx, gs_vae_config_from_weights(ctx, w, &cfg));
    GS_CHECK(cfg.ch == 32 && cfg.levels == 4 && cfg.num_res_blocks == 2 && cfg.z_channels == 4 &&
             cfg.in_channels == 3 && cfg.mult[0] == 1 && cfg.mult[1] == 1 && cfg.mult[2] == 2 && cfg.mult[3] == 2);
    const char *scale = gs_safetensors_metadata(gold, "latent_scale");
    GS_CHECK(scale && fabs(atof(scale) - cfg.scale_factor) < 1e-7);

    const size_t nz = 4 * 8 * 8, nrgb = 3 * 64 * 64;
    float *z = golden(gold, "vae.decode.in", nz), *want_rgb = golden(gold, "vae.decode.out", nrgb);
    float *img = golden(gold, "vae.encode.in", nrgb), *want_mean = golden(gold, "vae.encode.out", nz);
    float *rgb = malloc(nrgb * sizeof *rgb), *mean = malloc(nz * sizeof *mean);
    if (z && want_rgb && img && want_mean) {
        /* Bands of 20,000 floats: the level-0 layers in bands of 7 rows. */
        gs_vae_tiling bands = { .band_elements = 20000 }, bands32 = { .band_elements = 20000, .fp32_maps = true };
        const gs_vae_tiling *ways[3] = { NULL, &bands32, &bands };
        const char *names[3] = { "", " in bands (fp32 maps)", " in bands (fp16 maps)" };
        const float tol[3] = { 1e-3f, 1e-3f, 3e-3f };
        for (int i = 0; i < 3; i++) {
            char what[96];
            snprintf(what, sizeof what, "%s VAE decode%s", family, names[i]);
            GS_CHECK_OK(ctx, gs_vae_decode_tiled(ctx, w, &cfg, z, 8, 8, ways[i], rgb));
            gs_test_close(what, rgb, want_rgb, nrgb, tol[i] * max_abs(want_rgb, nrgb), 0);
            snprintf(what, sizeof what, "%s VAE encode%s", family, names[i]);
            GS_CHECK_OK(ctx, gs_vae_encode_tiled(ctx, w, &cfg, img, 64, 64, ways[i], mean));
            gs_test_close(what, mean, want_mean, nz, tol[i] * max_abs(want_mean, nz), 0);
        }
    }
    free(z);
    free(want_rgb);
    free(img);
    free(want_mean);
    free(rgb);
    free(mean);
    gs_weights_free(w);
    gs_safetensors_close(model);
    gs_safetensors_close(gold);
    g_free(model_path);
    g_free(golden_path);
}

int
main(void)
{
    gs_context *ctx = gs_test_context();
    check_family(ctx, "sd1");
    check_family(ctx, "sd2");
    gs_context_free(ctx);
    return gs_test_failures != 0;
}
