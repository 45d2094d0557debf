/* The upscaling helpers the CLI shares: the bicubic resize against a
 * direct 2-D evaluation of Keys' kernel on random data (up and down, with
 * the antialiasing stretch), constants and ramps kept, the "Upscale:"
 * parameters entry, and the variant names.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gs-upscale.h"

static int failures;

#define CHECK(cond, ...)                                                                                               \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            printf("FAIL: " __VA_ARGS__);                                                                              \
            printf("\n");                                                                                              \
            failures++;                                                                                                \
        }                                                                                                              \
    } while (0)

static double
keys_ref(double x)
{
    x = fabs(x);
    if (x < 1)
        return 1.5 * x * x * x - 2.5 * x * x + 1;
    if (x < 2)
        return -0.5 * x * x * x + 2.5 * x * x - 4 * x + 2;
    return 0;
}

/* Every source pixel's weight computed directly (the kernel stretched by the
 * shrink factor, weights normalised per axis), edges clamped. */
static void
bicubic_ref(const float *src, int w, int h, float *dst, int nw, int nh)
{
    double sx = nw < w ? (double)w / nw : 1, sy = nh < h ? (double)h / nh : 1;
    for (int oy = 0; oy < nh; oy++)
        for (int ox = 0; ox < nw; ox++) {
            double cx = (ox + 0.5) * w / nw - 0.5, cy = (oy + 0.5) * h / nh - 0.5;
            double acc[3] = { 0 }, wsx = 0, wsy = 0;
            for (int k = (int)floor(cx - 2 * sx) + 1; k <= (int)floor(cx + 2 * sx); k++)
                wsx += keys_ref((cx - k) / sx);
            for (int k = (int)floor(cy - 2 * sy) + 1; k <= (int)floor(cy + 2 * sy); k++)
                wsy += keys_ref((cy - k) / sy);
            for (int ky = (int)floor(cy - 2 * sy) + 1; ky <= (int)floor(cy + 2 * sy); ky++)
                for (int kx = (int)floor(cx - 2 * sx) + 1; kx <= (int)floor(cx + 2 * sx); kx++) {
                    double wgt = keys_ref((cx - kx) / sx) / wsx * keys_ref((cy - ky) / sy) / wsy;
                    int x = kx < 0 ? 0 : kx >= w ? w - 1 : kx, y = ky < 0 ? 0 : ky >= h ? h - 1 : ky;
                    for (int c = 0; c < 3; c++)
                        acc[c] += wgt * src[((size_t)y * w + x) * 3 + c];
                }
            for (int c = 0; c < 3; c++)
                dst[((size_t)oy * nw + ox) * 3 + c] = (float)fmin(1, fmax(0, acc[c]));
        }
}

static void
check_against_ref(int w, int h, int nw, int nh)
{
    GRand *rand = g_rand_new_with_seed((guint32)(w * 131 + nw));
    float *src = g_new(float, w * h * 3), *got = g_new(float, nw * nh * 3), *want = g_new(float, nw * nh * 3);
    for (int i = 0; i < w * h * 3; i++)
        src[i] = (float)g_rand_double(rand);
    gs_resize_bicubic(src, w, h, got, nw, nh);
    bicubic_ref(src, w, h, want, nw, nh);
    double worst = 0;
    for (int i = 0; i < nw * nh * 3; i++)
        worst = fmax(worst, fabs(got[i] - want[i]));
    CHECK(worst < 1e-5, "bicubic %dx%d → %dx%d differs from the reference by %g", w, h, nw, nh, worst);
    printf("bicubic %dx%d → %dx%d: max |error| %.2g\n", w, h, nw, nh, worst);
    g_free(src);
    g_free(got);
    g_free(want);
    g_rand_free(rand);
}

int
main(void)
{
    check_against_ref(13, 7, 52, 28);   /* ×4 up, odd sizes */
    check_against_ref(9, 9, 18, 27);    /* ×2 and ×3 */
    check_against_ref(64, 40, 16, 10);  /* ×4 down, antialiased */
    check_against_ref(30, 30, 11, 13);  /* down by non-integer factors */
    check_against_ref(5, 6, 5, 6);      /* same size: a copy */

    /* A constant stays constant; a ramp stays a ramp inside the image
     * (cubic convolution reproduces linear functions). */
    float src[16 * 16 * 3], out[64 * 64 * 3];
    for (int y = 0; y < 16; y++)
        for (int x = 0; x < 16; x++)
            for (int c = 0; c < 3; c++)
                src[(y * 16 + x) * 3 + c] = c == 0 ? 0.25f : (x + 0.5f) / 16;
    gs_resize_bicubic(src, 16, 16, out, 64, 64);
    double worst_const = 0, worst_ramp = 0;
    for (int y = 0; y < 64; y++)
        for (int x = 8; x < 56; x++) {
            worst_const = fmax(worst_const, fabs(out[(y * 64 + x) * 3] - 0.25));
            worst_ramp = fmax(worst_ramp, fabs(out[(y * 64 + x) * 3 + 1] - (x + 0.5) / 64));
        }
    CHECK(worst_const < 1e-6, "a constant changed by %g", worst_const);
    CHECK(worst_ramp < 1e-5, "a ramp changed by %g", worst_ramp);

    g_autofree char *a = gs_upscale_parameters("red apple\nNegative prompt: \nSteps: 20, Seed: 42, Size: 32x32\n", 4,
                                               "ESRGAN-slim");
    CHECK(a && !strcmp(a, "red apple\nNegative prompt: \nSteps: 20, Seed: 42, Size: 32x32, Upscale: 4x ESRGAN-slim"),
          "entry not appended to the settings line: %s", a);
    g_autofree char *b = gs_upscale_parameters("just a prompt", 2, "bicubic");
    CHECK(b && !strcmp(b, "just a prompt\nUpscale: 2x bicubic"), "no settings line started: %s", b);
    g_autofree char *c = gs_upscale_parameters(a, 2, "ESRGAN-medium");
    CHECK(c && g_str_has_suffix(c, "Upscale: 4x ESRGAN-slim, Upscale: 2x ESRGAN-medium"), "second entry: %s", c);
    CHECK(!gs_upscale_parameters(NULL, 4, "x") && !gs_upscale_parameters("", 4, "x"), "empty parameters gave text");

    CHECK(gs_upscale_model_known("slim") && gs_upscale_model_known("medium") && gs_upscale_model_known("thick") &&
              gs_upscale_model_known("bicubic") && gs_upscale_model_known("/x/y.safetensors") &&
              !gs_upscale_model_known("huge"),
          "variant names");
    g_autofree char *display = NULL;
    g_autofree char *path = gs_upscale_model_path("medium", 8, &display);
    CHECK(g_str_has_suffix(path, "esrgan/esrgan-medium-x8.safetensors") && !strcmp(display, "ESRGAN-medium"),
          "medium ×8 → %s (%s)", path, display);
    g_autofree char *bic_display = NULL;
    CHECK(!gs_upscale_model_path("bicubic", 4, &bic_display) && !strcmp(bic_display, "bicubic"), "bicubic path");

    printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
