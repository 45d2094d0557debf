/* The text → image pipeline's behaviour: reproducibility, every sampler,
 * cancel, img2img, inpainting and bad input. Few steps keep it quick.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "gs-test.h"

static gs_context *ctx;
static gs_diffusion *model;
static int size;

static float *
run(gs_image_params *p, gs_status expect)
{
    float *rgb = malloc((size_t)size * size * 3 * sizeof *rgb);
    gs_status st = gs_diffusion_generate(model, p, rgb);
    if (st != expect) {
        fprintf(stderr, "generate returned %s, expected %s: %s\n", gs_status_name(st), gs_status_name(expect),
                gs_context_error(ctx));
        gs_test_failures++;
    }
    return rgb;
}

static double
mean_abs_diff(const float *a, const float *b, size_t n)
{
    double d = 0;
    for (size_t i = 0; i < n; i++)
        d += fabs(a[i] - b[i]);
    return d / n;
}

static gs_image_params
quick_params(void)
{
    gs_image_params p = gs_image_default_params();
    p.prompt = "red apple";
    p.steps = 5;
    return p;
}

static void
test_reproducible(void)
{
    size_t n = (size_t)size * size * 3;
    gs_image_params p = quick_params();
    float *a = run(&p, GS_OK), *b = run(&p, GS_OK);
    GS_CHECK(memcmp(a, b, n * sizeof *a) == 0);
    p.seed = 43;
    float *c = run(&p, GS_OK);
    printf("seed 42 vs 43: mean |diff| %.3f\n", mean_abs_diff(a, c, n));
    GS_CHECK(mean_abs_diff(a, c, n) > 0.01);
    free(a);
    free(b);
    free(c);
}

static void
test_samplers(void)
{
    size_t n = (size_t)size * size * 3;
    for (int s = GS_SAMPLER_EULER_A; s <= GS_SAMPLER_DPMPP_2M; s++)
        for (int karras = 0; karras < 2; karras++) {
            gs_image_params p = quick_params();
            p.sampler = (gs_sampler)s;
            p.karras = karras;
            float *rgb = run(&p, GS_OK);
            double lo = 1, hi = 0;
            bool finite = true;
            for (size_t i = 0; i < n; i++) {
                finite = finite && isfinite(rgb[i]);
                lo = fmin(lo, rgb[i]);
                hi = fmax(hi, rgb[i]);
            }
            printf("%s: range %.2f..%.2f\n", gs_sampler_display_name(p.sampler, karras), lo, hi);
            GS_CHECK(finite && hi - lo > 0.2); /* an image, not a flat field */
            free(rgb);
        }
}

typedef struct {
    int calls, stop_after;
} counter;

static bool
count_steps(int step, int steps, const float *rgb, int w, int h, void *user_data)
{
    counter *c = user_data;
    c->calls++;
    return c->calls < c->stop_after;
}

static void
test_cancel(void)
{
    counter c = { 0, 2 };
    gs_image_params p = quick_params();
    p.callback = count_steps;
    p.user_data = &c;
    free(run(&p, GS_ERR_CANCELLED));
    GS_CHECK(c.calls == 2);
    c = (counter){ 0, 1000 };
    free(run(&p, GS_OK));
    GS_CHECK(c.calls == 5);
}

static void
test_img2img_and_inpaint(void)
{
    size_t n = (size_t)size * size * 3;
    float *init = malloc(n * sizeof *init), *mask = malloc((size_t)size * size * sizeof *mask);
    for (size_t i = 0; i < n; i++)
        init[i] = (i % 3 == 0) ? 0.9f : 0.2f; /* a flat red image */
    gs_image_params p = quick_params();
    p.init_image = init;
    p.strength = 0.3f;
    float *light = run(&p, GS_OK);
    p.strength = 1.0f;
    float *full = run(&p, GS_OK);
    double d_light = mean_abs_diff(light, init, n), d_full = mean_abs_diff(full, init, n);
    printf("img2img: strength 0.3 differs from init by %.3f, strength 1.0 by %.3f\n", d_light, d_full);
    GS_CHECK(d_light < d_full);

    /* Repaint only the left half: the right half stays the init image. */
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
            mask[y * size + x] = x < size / 2 ? 1.0f : 0.0f;
    p.mask = mask;
    float *inpainted = run(&p, GS_OK);
    double right = 0, left = 0;
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
            for (int c = 0; c < 3; c++) {
                size_t i = ((size_t)y * size + x) * 3 + c;
                double change = fabs(inpainted[i] - init[i]);
                if (x < size / 2)
                    left += change;
                else
                    right += change;
            }
    printf("inpainting: mean change left %.3f, right %.5f\n", left / (n / 2), right / (n / 2));
    GS_CHECK(right / (n / 2) < 0.02 && left > right);
    free(init);
    free(mask);
    free(light);
    free(full);
    free(inpainted);
}

static void
test_bad_input(void)
{
    gs_image_params p = quick_params();
    p.prompt = "bad \xff\xfe utf-8";
    free(run(&p, GS_ERR_INVALID_ARGUMENT));
    GS_CHECK(strstr(gs_context_error(ctx), "UTF-8") != NULL);
    p = quick_params();
    p.steps = 0;
    free(run(&p, GS_ERR_INVALID_ARGUMENT));
    p = quick_params();
    float mask[1] = { 1 };
    p.mask = mask;
    free(run(&p, GS_ERR_INVALID_ARGUMENT));

    gs_diffusion *m = NULL;
    GS_CHECK(gs_diffusion_load(ctx, "/nonexistent/model.safetensors", &m) != GS_OK && m == NULL);
    printf("missing model: %s\n", gs_context_error(ctx));
    GS_CHECK(gs_diffusion_load(ctx, GS_GOLDEN_PATH, &m) == GS_ERR_FORMAT && m == NULL);
    printf("not a model: %s\n", gs_context_error(ctx));
}

int
main(void)
{
    ctx = gs_test_context();
    if (gs_diffusion_load(ctx, GS_MODEL_PATH, &model) != GS_OK) {
        fprintf(stderr, "%s\n", gs_context_error(ctx));
        return 1;
    }
    size = gs_diffusion_width(model);
    test_reproducible();
    test_samplers();
    test_cancel();
    test_img2img_and_inpaint();
    test_bad_input();
    gs_diffusion_free(model);
    gs_context_free(ctx);
    return gs_test_failures != 0;
}
