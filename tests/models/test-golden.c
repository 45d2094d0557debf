/* The engine's diffusion model against PyTorch: fixtures exported by
 * tools/train/export_golden.py from the same fp16 weights.
 * Both sides use the same fp16 weights and fp32 arithmetic, so only the
 * summation order differs. Tolerances: text encoder and one UNet call atol
 * 1e-4 (activations of order 1; measured ~3e-6); a 4-step Euler sample atol
 * 1e-3 in [0,1] RGB with guidance 5 (the four calls' errors compound).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <string.h>

#include "gs-test.h"
#include "models/gs-diffusion-private.h"
#include "models/gs-tokenizer.h"

static gs_context *ctx;
static gs_safetensors *model_file, *golden;
static gs_sd_config cfg;

static float *
golden_floats(const char *name, int64_t expect)
{
    int i = gs_safetensors_find(golden, name);
    if (i < 0 || gs_safetensors_dtype(golden, i) != GS_ST_F32 || gs_safetensors_numel(golden, i) != expect) {
        fprintf(stderr, "golden file lacks %s of %lld floats\n", name, (long long)expect);
        exit(1);
    }
    float *p = malloc((size_t)expect * sizeof *p);
    memcpy(p, gs_safetensors_data(golden, i), (size_t)expect * sizeof *p);
    return p;
}

static void
open_files(void)
{
    char *error = NULL;
    if (gs_safetensors_open(GS_MODEL_PATH, &model_file, &error) != GS_OK ||
        gs_safetensors_open(GS_GOLDEN_PATH, &golden, &error) != GS_OK) {
        fprintf(stderr, "%s\n", error);
        exit(1);
    }
    if (gs_sd_config_parse(ctx, gs_safetensors_metadata(model_file, "genstudio.config"), &cfg) != GS_OK) {
        fprintf(stderr, "config: %s\n", gs_context_error(ctx));
        exit(1);
    }
}

static gs_tensor *
encode(gs_weights *w, const int32_t *ids)
{
    gs_stream *s = gs_stream_new(ctx);
    gs_graph g;
    gs_graph_init(&g, ctx, s);
    gs_tensor *out = gs_text_encoder_forward(&g, w, &cfg, ids, 1, 1);
    if (out)
        gs_graph_keep(&g, out);
    GS_CHECK_OK(ctx, gs_graph_finish(&g));
    gs_stream_free(s);
    return out;
}

static void
test_tokens_and_encoder(gs_weights *w, gs_tensor **context)
{
    gs_tokenizer *tok = gs_tokenizer_new(gs_safetensors_metadata(model_file, "genstudio.vocab"));
    int32_t ids[77];
    gs_tokenizer_encode(tok, "red apple", ids, cfg.text_tokens);
    float *want_ids = golden_floats("tokens", cfg.text_tokens);
    for (int i = 0; i < cfg.text_tokens; i++)
        GS_CHECK(ids[i] == (int32_t)want_ids[i]);
    gs_tokenizer_free(tok);

    *context = encode(w, ids);
    float *got = gs_test_download(*context);
    float *want = golden_floats("text_out", (int64_t)cfg.text_tokens * cfg.text_width);
    gs_test_close("text encoder", got, want, (size_t)cfg.text_tokens * cfg.text_width, 1e-4f, 0);
    free(got);
    free(want);
    free(want_ids);
}

static void
test_unet(gs_weights *w, const gs_tensor *context)
{
    int64_t n = (int64_t)cfg.in_channels * cfg.image_size * cfg.image_size;
    float *noise = golden_floats("noise", n);
    int64_t xshape[4] = { 1, cfg.in_channels, cfg.image_size, cfg.image_size }, tshape[1] = { 1 };
    float t = 500.0f;
    gs_tensor *x = gs_test_tensor(ctx, 4, xshape, noise), *tt = gs_test_tensor(ctx, 1, tshape, &t);
    gs_stream *s = gs_stream_new(ctx);
    gs_graph g;
    gs_graph_init(&g, ctx, s);
    gs_tensor *out = gs_unet_forward(&g, w, &cfg, x, tt, context);
    if (out)
        gs_graph_keep(&g, out);
    GS_CHECK_OK(ctx, gs_graph_finish(&g));
    printf("UNet: %.3f GFLOP per call\n", g.flops * 1e-9);
    if (out) {
        float *got = gs_test_download(out);
        float *want = golden_floats("unet_t500", n);
        gs_test_close("UNet at t=500", got, want, (size_t)n, 1e-4f, 0);
        free(got);
        free(want);
    }
    gs_tensor_free(out);
    gs_tensor_free(x);
    gs_tensor_free(tt);
    gs_stream_free(s);
    free(noise);
}

static void
test_euler(void)
{
    gs_diffusion *m = NULL;
    GS_CHECK_OK(ctx, gs_diffusion_load(ctx, GS_MODEL_PATH, &m));
    if (!m)
        return;
    int size = cfg.image_size;
    size_t n = (size_t)cfg.in_channels * size * size;
    float *noise = golden_floats("noise", (int64_t)n), *x = golden_floats("euler4", (int64_t)n);
    gs_image_params p = gs_image_default_params();
    p.prompt = "red apple";
    p.steps = 4;
    p.cfg_scale = 5.0f;
    p.sampler = GS_SAMPLER_EULER;
    float *rgb = malloc(n * sizeof *rgb), *want = malloc(n * sizeof *want);
    GS_CHECK_OK(ctx, gs_diffusion_generate_from_noise(m, &p, noise, rgb));
    for (size_t i = 0; i < (size_t)size * size; i++)
        for (int c = 0; c < 3; c++) {
            float v = (x[c * size * size + i] + 1.0f) * 0.5f;
            want[i * 3 + c] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
    gs_test_close("4-step Euler sample", rgb, want, n, 1e-3f, 0);
    free(noise);
    free(x);
    free(rgb);
    free(want);
    gs_diffusion_free(m);
}

/* A config's prediction field: "v" and "epsilon" parse, anything else is
 * refused with a message naming it. */
static void
test_prediction_config(void)
{
    const char *json = gs_safetensors_metadata(model_file, "genstudio.config");
    const char *field = strstr(json, "\"prediction\":\"");
    GS_CHECK(field != NULL);
    if (!field)
        return;
    const char *value = field + strlen("\"prediction\":\"");
    const char *rest = strchr(value, '"');
    const struct {
        const char *prediction;
        gs_status status;
        bool v;
    } cases[] = { { "v", GS_OK, true }, { "epsilon", GS_OK, false }, { "sample", GS_ERR_UNSUPPORTED, false } };
    for (size_t i = 0; rest && i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *changed =
            g_strdup_printf("%.*s%s%s", (int)(value - json), json, cases[i].prediction, rest);
        gs_sd_config c;
        GS_CHECK(gs_sd_config_parse(ctx, changed, &c) == cases[i].status);
        if (cases[i].status == GS_OK)
            GS_CHECK(c.v_prediction == cases[i].v);
        else
            GS_CHECK(strstr(gs_context_error(ctx), "\"sample\" is not supported") != NULL);
    }
}

int
main(void)
{
    ctx = gs_test_context();
    open_files();
    test_prediction_config();
    gs_weights *w = gs_weights_new(ctx, model_file);
    gs_tensor *context = NULL;
    test_tokens_and_encoder(w, &context);
    if (context)
        test_unet(w, context);
    test_euler();
    gs_tensor_free(context);
    gs_weights_free(w);
    gs_safetensors_close(model_file);
    gs_safetensors_close(golden);
    gs_context_free(ctx);
    return gs_test_failures != 0;
}
