/* A Stable Diffusion checkpoint on the engine against the PyTorch reference
 * in tools/sd/ (random weights with the real tensor names, downsized):
 * text encoder, one guided UNet call, VAE decode and encode, a 2-step
 * guided Euler sample. Run once per layout (single file, diffusers folder)
 * and family, all against the same fixtures.
 *
 *   test-sd-golden MODEL GOLDEN TOKENIZER_DIR
 *
 * Tolerances: the device may hold matrices in fp16 while the reference
 * computes in fp32 (the tiny files' weights are exact in both, but a
 * future fixture's need not be), so atol 2e-3 on activations of order one,
 * 1e-2 for images in [0,1] after the VAE's deeper stack; measured ~1e-6.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <string.h>

#include "gs-test.h"
#include "models/gs-diffusion-private.h"

static gs_context *ctx;
static gs_safetensors *golden;

static float *
golden_floats(const char *name, int64_t expect)
{
    int i = gs_safetensors_find(golden, name);
    if (i < 0 || gs_safetensors_numel(golden, i) != expect) {
        fprintf(stderr, "golden file lacks %s of %lld values\n", name, (long long)expect);
        exit(1);
    }
    float *p = malloc((size_t)expect * sizeof *p);
    if (gs_safetensors_read(golden, i, p) != GS_OK) {
        fprintf(stderr, "golden %s is not a float tensor\n", name);
        exit(1);
    }
    return p;
}

static int64_t
golden_dim(const char *name, int d)
{
    int i = gs_safetensors_find(golden, name);
    return i < 0 ? -1 : gs_safetensors_dim(golden, i, d);
}

static void
test_text(gs_diffusion *m, const char *fixture, int skip)
{
    const gs_sd_config *c = m->cfg;
    int batch = (int)golden_dim("text.ids", 0);
    int64_t n = (int64_t)batch * c->text_tokens;
    float *idf = golden_floats("text.ids", n);
    int32_t *ids = malloc((size_t)n * sizeof *ids);
    for (int64_t i = 0; i < n; i++)
        ids[i] = (int32_t)idf[i];
    gs_stream *s = gs_stream_new(ctx);
    gs_graph g;
    gs_graph_init(&g, ctx, s);
    int effective = skip - c->text_cut > 1 ? skip - c->text_cut : 1;
    gs_tensor *out = gs_text_encoder_forward(&g, m->weights, c, ids, batch, effective);
    if (out)
        gs_graph_keep(&g, out);
    GS_CHECK_OK(ctx, gs_graph_finish(&g));
    if (out) {
        float *got = gs_test_download(out), *want = golden_floats(fixture, n * c->text_width);
        gs_test_close(fixture, got, want, (size_t)(n * c->text_width), 2e-3f, 0);
        free(got);
        free(want);
    }
    gs_tensor_free(out);
    gs_stream_free(s);
    free(idf);
    free(ids);
}

static void
test_unet(gs_diffusion *m, const char *prefix)
{
    char name[64];
    snprintf(name, sizeof name, "%s.x", prefix);
    int batch = (int)golden_dim(name, 0), channels = (int)golden_dim(name, 1);
    int h = (int)golden_dim(name, 2), w = (int)golden_dim(name, 3);
    int out_channels = m->cfg->out_channels;
    float *x = golden_floats(name, (int64_t)batch * channels * h * w);
    snprintf(name, sizeof name, "%s.t", prefix);
    float *t = golden_floats(name, batch);
    snprintf(name, sizeof name, "%s.context", prefix);
    int64_t cshape[3] = { batch, golden_dim(name, 1), golden_dim(name, 2) };
    float *cdata = golden_floats(name, cshape[0] * cshape[1] * cshape[2]);
    gs_tensor *context = gs_test_tensor(ctx, 3, cshape, cdata);
    size_t n = (size_t)batch * out_channels * h * w;
    float *got = malloc(n * sizeof *got);
    GS_CHECK_OK(ctx, gs_diffusion_unet(m, x, t, batch, channels, h, w, context, got));
    snprintf(name, sizeof name, "%s.out", prefix);
    float *want = golden_floats(name, (int64_t)n);
    gs_test_close(name, got, want, n, 2e-3f, 0);
    printf("UNet: %.4f GFLOP per call\n", gs_diffusion_unet_gflop(m));
    gs_tensor_free(context);
    free(x);
    free(t);
    free(cdata);
    free(got);
    free(want);
}

/* [-1,1] planar reference → [0,1] interleaved, as the engine hands images out. */
static float *
to_rgb01(const float *planar, int h, int w)
{
    size_t plane = (size_t)h * w;
    float *rgb = malloc(plane * 3 * sizeof *rgb);
    for (size_t i = 0; i < plane; i++)
        for (int k = 0; k < 3; k++) {
            float v = (planar[k * plane + i] + 1.0f) * 0.5f;
            rgb[i * 3 + k] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
    return rgb;
}

static void
test_vae(gs_diffusion *m)
{
    const gs_sd_config *c = m->cfg;
    int h = (int)golden_dim("vae.decode.in", 2), w = (int)golden_dim("vae.decode.in", 3);
    size_t nl = (size_t)c->latent_channels * h * w, np = (size_t)64 * h * w;
    float *latent = golden_floats("vae.decode.in", (int64_t)nl);
    for (size_t i = 0; i < nl; i++)
        latent[i] *= c->latent_scale; /* the fixture holds the VAE's own (unscaled) latent */
    float *rgb = malloc(np * 3 * sizeof *rgb), *ref = golden_floats("vae.decode.out", (int64_t)np * 3);
    float *want = to_rgb01(ref, 8 * h, 8 * w);
    GS_CHECK_OK(ctx, gs_diffusion_decode(m, latent, h, w, rgb));
    gs_test_close("VAE decode", rgb, want, np * 3, 1e-2f, 0);

    float *image = golden_floats("vae.encode.in", (int64_t)np * 3), *in = to_rgb01(image, 8 * h, 8 * w);
    float *got = malloc(nl * sizeof *got), *mean = golden_floats("vae.encode.out", (int64_t)nl);
    GS_CHECK_OK(ctx, gs_diffusion_encode(m, in, 8 * h, 8 * w, got));
    for (size_t i = 0; i < nl; i++)
        got[i] /= c->latent_scale;
    gs_test_close("VAE encode", got, mean, nl, 2e-3f, 1e-2f);
    free(latent);
    free(rgb);
    free(ref);
    free(want);
    free(image);
    free(in);
    free(got);
    free(mean);
}

static void
test_sample(gs_diffusion *m)
{
    const gs_sd_config *c = m->cfg;
    int h = (int)golden_dim("sample.noise", 2), w = (int)golden_dim("sample.noise", 3);
    size_t n = (size_t)c->latent_channels * h * w, np = (size_t)64 * h * w;
    float *noise = golden_floats("sample.noise", (int64_t)n);
    int64_t cshape[3] = { 2, golden_dim("sample.context", 1), golden_dim("sample.context", 2) };
    float *cdata = golden_floats("sample.context", cshape[0] * cshape[1] * cshape[2]);
    gs_tensor *context = gs_test_tensor(ctx, 3, cshape, cdata);
    gs_image_params p = gs_image_default_params();
    p.prompt = "unused: the context is given";
    p.width = 8 * w;
    p.height = 8 * h;
    p.steps = 2;
    p.cfg_scale = 5.0f;
    p.sampler = GS_SAMPLER_EULER;
    float *rgb = malloc(np * 3 * sizeof *rgb), *ref = golden_floats("sample.image", (int64_t)np * 3);
    GS_CHECK_OK(ctx, gs_diffusion_generate_with_context(m, &p, noise, context, rgb));
    /* sample.image is already in [0,1], planar. */
    float *want = malloc(np * 3 * sizeof *want);
    for (size_t i = 0; i < np; i++)
        for (int k = 0; k < 3; k++)
            want[i * 3 + k] = ref[k * np + i];
    gs_test_close("2-step guided Euler sample", rgb, want, np * 3, 1e-2f, 0);
    gs_tensor_free(context);
    free(noise);
    free(cdata);
    free(rgb);
    free(ref);
    free(want);
}

int
main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: test-sd-golden MODEL GOLDEN TOKENIZER_DIR\n");
        return 2;
    }
    ctx = gs_test_context();
    char *error = NULL;
    if (gs_safetensors_open(argv[2], &golden, &error) != GS_OK) {
        fprintf(stderr, "%s\n", error);
        return 1;
    }
    gs_diffusion_load_params params = gs_diffusion_load_default_params();
    params.tokenizer_dir = argv[3];
    gs_diffusion *m = NULL;
    GS_CHECK_OK(ctx, gs_diffusion_load_with_params(ctx, argv[1], &params, &m));
    if (m) {
        const gs_model_info *info = gs_diffusion_info(m);
        printf("%s: %s, %s, %s\n", argv[1], info->family_name, info->layout, info->weight_dtype);
        if (info->inpainting) {
            test_unet(m, "inpaint.unet");
        } else {
            test_text(m, "text.out", m->cfg->text_skip);
            if (gs_safetensors_find(golden, "text.out_skip2") >= 0)
                test_text(m, "text.out_skip2", 2);
            test_unet(m, "unet");
            test_vae(m);
            test_sample(m);
        }
    }
    gs_diffusion_free(m);
    gs_safetensors_close(golden);
    gs_context_free(ctx);
    return gs_test_failures != 0;
}
