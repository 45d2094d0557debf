/* genstudio-cli bench upscale: seconds for 256² → 1024² per ESRGAN model
 * next to bicubic's, and PSNR/SSIM of ×4 ESRGAN against ×4 bicubic on 20
 * openly licensed photos that Debian packages ship, each made 512² (short
 * side scaled to 512 with GdkPixbuf's HYPER filter, centre crop),
 * downscaled ×4 to 128² (box, then antialiased bicubic), quantised to 8 bits
 * and upscaled back.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "bench-photos.h"
#include "cli.h"
#include "gs-image-job.h"
#include "gs-png.h"
#include "gs-upscale.h"

#define SIDE 512   /* ground-truth side */
#define SCALE 4
#define SHAVE 4    /* border pixels left out of the scores, as SR papers do */

static const char *const variants[] = { "slim", "medium", "thick" };
#define MAX_MODELS 4 /* bicubic + the variants */

/* The photo as SIDE×SIDE×3 floats on the 8-bit grid, or NULL. */
static float *
load_photo(const char *path, GError **error)
{
    g_autoptr(GdkPixbuf) full = gdk_pixbuf_new_from_file(path, error);
    if (!full)
        return NULL;
    int w = gdk_pixbuf_get_width(full), h = gdk_pixbuf_get_height(full);
    double s = (double)SIDE / MIN(w, h);
    int sw = MAX(SIDE, (int)lround(w * s)), sh = MAX(SIDE, (int)lround(h * s));
    g_autoptr(GdkPixbuf) small = gdk_pixbuf_scale_simple(full, sw, sh, GDK_INTERP_HYPER);
    int n = gdk_pixbuf_get_n_channels(small), stride = gdk_pixbuf_get_rowstride(small);
    const guchar *px = gdk_pixbuf_read_pixels(small);
    int x0 = (sw - SIDE) / 2, y0 = (sh - SIDE) / 2;
    float *rgb = g_new(float, SIDE * SIDE * 3);
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++)
            for (int c = 0; c < 3; c++)
                rgb[(y * SIDE + x) * 3 + c] = px[(size_t)(y + y0) * stride + (x + x0) * n + c] / 255.0f;
    return rgb;
}

static void
quantize(float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = roundf(CLAMP(v[i], 0.0f, 1.0f) * 255) / 255;
}

/* Luma (BT.601 weights, full range, 0..255) of the 8-bit-rounded RGB, the
 * SHAVE border cut off. */
static float *
luma(const float *rgb, int side, int *out_side)
{
    int n = side - 2 * SHAVE;
    float *y = g_new(float, (size_t)n * n);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            const float *p = rgb + ((size_t)(i + SHAVE) * side + j + SHAVE) * 3;
            float r = roundf(CLAMP(p[0], 0.0f, 1.0f) * 255), g = roundf(CLAMP(p[1], 0.0f, 1.0f) * 255);
            float b = roundf(CLAMP(p[2], 0.0f, 1.0f) * 255);
            y[(size_t)i * n + j] = 0.299f * r + 0.587f * g + 0.114f * b;
        }
    *out_side = n;
    return y;
}

static double
psnr(const float *a, const float *b, int n)
{
    double se = 0;
    for (size_t i = 0; i < (size_t)n * n; i++)
        se += (double)(a[i] - b[i]) * (a[i] - b[i]);
    double mse = se / ((double)n * n);
    return mse > 0 ? 10 * log10(255.0 * 255.0 / mse) : 99;
}

/* 11-tap Gaussian (σ 1.5) over the windows that fit: (n−10)² values. */
static double *
gaussian_valid(const double *v, int n)
{
    double k[11], sum = 0;
    for (int i = 0; i < 11; i++)
        sum += k[i] = exp(-(i - 5) * (i - 5) / (2 * 1.5 * 1.5));
    for (int i = 0; i < 11; i++)
        k[i] /= sum;
    int m = n - 10;
    double *rows = g_new(double, (size_t)n * m), *out = g_new(double, (size_t)m * m);
    for (int y = 0; y < n; y++)
        for (int x = 0; x < m; x++) {
            double s = 0;
            for (int t = 0; t < 11; t++)
                s += k[t] * v[(size_t)y * n + x + t];
            rows[(size_t)y * m + x] = s;
        }
    for (int y = 0; y < m; y++)
        for (int x = 0; x < m; x++) {
            double s = 0;
            for (int t = 0; t < 11; t++)
                s += k[t] * rows[(size_t)(y + t) * m + x];
            out[(size_t)y * m + x] = s;
        }
    g_free(rows);
    return out;
}

/* Wang et al. 2004: Gaussian window 11, σ 1.5, K1 0.01, K2 0.03, L 255,
 * mean over the valid windows. */
static double
ssim(const float *a, const float *b, int n)
{
    size_t nn = (size_t)n * n;
    double *maps[5];
    for (int i = 0; i < 5; i++)
        maps[i] = g_new(double, nn);
    for (size_t i = 0; i < nn; i++) {
        maps[0][i] = a[i];
        maps[1][i] = b[i];
        maps[2][i] = (double)a[i] * a[i];
        maps[3][i] = (double)b[i] * b[i];
        maps[4][i] = (double)a[i] * b[i];
    }
    double *f[5];
    for (int i = 0; i < 5; i++) {
        f[i] = gaussian_valid(maps[i], n);
        g_free(maps[i]);
    }
    const double c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255);
    size_t m = (size_t)(n - 10) * (n - 10);
    double total = 0;
    for (size_t i = 0; i < m; i++) {
        double mx = f[0][i], my = f[1][i];
        double vx = f[2][i] - mx * mx, vy = f[3][i] - my * my, cxy = f[4][i] - mx * my;
        total += (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
    }
    for (int i = 0; i < 5; i++)
        g_free(f[i]);
    return total / m;
}

typedef struct {
    const char *name;   /* "bicubic", "ESRGAN-slim", … */
    gs_upscaler *up;    /* NULL for bicubic */
    double psnr, ssim;  /* sums over the photos */
} method;

/* ×scale of w×h RGB: the upscaler, or bicubic. */
static gs_status
upscale(method *m, const float *in, int w, int h, float *out)
{
    if (!m->up) {
        gs_resize_bicubic(in, w, h, out, w * SCALE, h * SCALE);
        return GS_OK;
    }
    return gs_upscaler_run(m->up, in, w, h, out, NULL);
}

/* PSNR and SSIM of every method on every photo, downscaled by a box
 * filter or by antialiased bicubic. */
static int
quality(gs_context *ctx, method *methods, int count, bool bicubic_down)
{
    printf("\n×%d from a %s downscale: PSNR (dB) / SSIM on luma (BT.601, 8-bit, %d-px border left out; SSIM: "
           "11-tap Gaussian window, σ 1.5)\n", SCALE,
           bicubic_down ? "bicubic (Keys a = −0.5, antialiased as MATLAB's imresize)" : "box (4×4 mean)", SHAVE);
    printf("%-13s", "photo");
    for (int i = 0; i < count; i++) {
        printf(" %20s", methods[i].name);
        methods[i].psnr = methods[i].ssim = 0;
    }
    printf("\n");
    int lr_side = SIDE / SCALE;
    for (size_t p = 0; p < GS_BENCH_PHOTO_COUNT; p++) {
        g_autoptr(GError) error = NULL;
        g_autofree float *hr = load_photo(gs_bench_photos[p].path, &error);
        if (!hr) {
            fprintf(stderr, "genstudio-cli bench upscale: %s\n", error->message);
            return 1;
        }
        g_autofree float *lr = NULL;
        if (bicubic_down) {
            lr = g_new(float, lr_side * lr_side * 3);
            gs_resize_bicubic(hr, SIDE, SIDE, lr, lr_side, lr_side);
        } else {
            lr = gs_image_resize(hr, SIDE, SIDE, 3, lr_side, lr_side);
        }
        quantize(lr, (size_t)lr_side * lr_side * 3);
        int n = 0;
        g_autofree float *y_hr = luma(hr, SIDE, &n);
        g_autofree float *sr = g_new(float, SIDE * SIDE * 3);
        printf("%-13s", gs_bench_photos[p].name);
        for (int i = 0; i < count; i++) {
            if (upscale(&methods[i], lr, lr_side, lr_side, sr) != GS_OK) {
                fprintf(stderr, "\ngenstudio-cli bench upscale: %s\n", gs_context_error(ctx));
                return 1;
            }
            g_autofree float *y_sr = luma(sr, SIDE, &n);
            double ps = psnr(y_hr, y_sr, n), ss = ssim(y_hr, y_sr, n);
            methods[i].psnr += ps;
            methods[i].ssim += ss;
            printf(" %12.2f / %.4f", ps, ss);
        }
        printf("\n");
    }
    printf("%-13s", "mean");
    for (int i = 0; i < count; i++)
        printf(" %12.2f / %.4f", methods[i].psnr / GS_BENCH_PHOTO_COUNT, methods[i].ssim / GS_BENCH_PHOTO_COUNT);
    printf("\n");
    return 0;
}

int
gs_cli_bench_upscale(gs_context *ctx)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* minutes in all: show each line as it comes */
    for (size_t i = 0; i < GS_BENCH_PHOTO_COUNT; i++)
        if (!g_file_test(gs_bench_photos[i].path, G_FILE_TEST_IS_REGULAR)) {
            fprintf(stderr, "genstudio-cli bench upscale: the test photos are not installed (%s is missing); "
                            "install them with: apt-get install mate-backgrounds plasma-workspace-wallpapers\n",
                    gs_bench_photos[i].path);
            return 1;
        }
    printf("photos: %d, each scaled to a short side of %d and centre-cropped to %d², downscaled ×%d to %d², "
           "8-bit, upscaled ×%d back\n", GS_BENCH_PHOTO_COUNT, SIDE, SIDE, SCALE, SIDE / SCALE, SCALE);
    printf("  mate-backgrounds (GPL-2+): ");
    for (size_t i = 0; i < 12; i++)
        printf("%s (%s)%s", gs_bench_photos[i].name, gs_bench_photos[i].author, i < 11 ? ", " : "\n");
    printf("  plasma-workspace-wallpapers (LGPL-3): ");
    for (size_t i = 12; i < GS_BENCH_PHOTO_COUNT; i++)
        printf("%s (%s)%s", gs_bench_photos[i].name, gs_bench_photos[i].author, i + 1 < GS_BENCH_PHOTO_COUNT ? ", " : "\n");

    method methods[MAX_MODELS] = { { "bicubic", NULL, 0, 0 } };
    int count = 1, status = 0;
    for (size_t v = 0; v < G_N_ELEMENTS(variants); v++) {
        g_autofree char *display = NULL;
        g_autofree char *path = gs_upscale_model_path(variants[v], SCALE, &display);
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            printf("%s: not installed (%s), skipped\n", display, path);
            continue;
        }
        gs_upscaler *up = NULL;
        if (gs_upscaler_load(ctx, path, &up) != GS_OK) {
            fprintf(stderr, "genstudio-cli bench upscale: %s\n", gs_context_error(ctx));
            status = 1;
            goto out;
        }
        methods[count].name = v == 0 ? "ESRGAN-slim" : v == 1 ? "ESRGAN-medium" : "ESRGAN-thick";
        methods[count++].up = up;
    }

    /* Speed: the first photo at 256², after a small warm-up run (pipeline
     * creation is paid once). */
    {
        g_autoptr(GError) error = NULL;
        g_autofree float *hr = load_photo(gs_bench_photos[0].path, &error);
        if (!hr) {
            fprintf(stderr, "genstudio-cli bench upscale: %s\n", error->message);
            status = 1;
            goto out;
        }
        g_autofree float *in = gs_image_resize(hr, SIDE, SIDE, 3, 256, 256);
        g_autofree float *out = g_new(float, 1024 * 1024 * 3);
        for (int i = 0; i < count; i++) {
            if (upscale(&methods[i], in, 16, 16, out) != GS_OK) {
                fprintf(stderr, "genstudio-cli bench upscale: %s\n", gs_context_error(ctx));
                status = 1;
                goto out;
            }
            gint64 start = g_get_monotonic_time();
            if (upscale(&methods[i], in, 256, 256, out) != GS_OK) {
                fprintf(stderr, "genstudio-cli bench upscale: %s\n", gs_context_error(ctx));
                status = 1;
                goto out;
            }
            printf("256² → 1024² %-14s %7.2f s\n", methods[i].name, (g_get_monotonic_time() - start) / 1e6);
        }
    }

    /* Quality, from either downscale: ESRGAN was trained on bicubic ones. */
    for (int d = 0; d < 2 && status == 0; d++)
        status = quality(ctx, methods, count, d == 1);
out:
    for (int i = 0; i < count; i++)
        gs_upscaler_free(methods[i].up);
    return status;
}
