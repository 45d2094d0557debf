/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-image-params.h"
#include "gs-upscale.h"

#include <math.h>
#include <string.h>

#include "gs-image-job.h"

gboolean
gs_upscale_model_is_path(const char *model)
{
    return strchr(model, '/') || g_str_has_suffix(model, ".safetensors");
}

gboolean
gs_upscale_model_known(const char *model)
{
    return gs_upscale_model_is_path(model) || g_str_equal(model, "slim") || g_str_equal(model, "medium") ||
           g_str_equal(model, "thick") || g_str_equal(model, "bicubic");
}

char *
gs_upscale_model_path(const char *model, int scale, char **display)
{
    if (gs_upscale_model_is_path(model)) {
        *display = g_path_get_basename(model);
        return g_strdup(model);
    }
    if (g_str_equal(model, "bicubic")) {
        *display = g_strdup("bicubic");
        return NULL;
    }
    *display = g_strdup_printf("ESRGAN-%s", model);
    return gs_shipped_upscaler_path(model, scale);
}

gboolean
gs_upscale_model_check(const char *model, const char *path, GError **error)
{
    if (!path || g_file_test(path, G_FILE_TEST_IS_REGULAR))
        return TRUE;
    if (g_str_equal(model, "thick"))
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    "the thick model is not installed (%s); make it once, with network access, by "
                    "tools/esrgan/convert.py thick", path);
    else
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no upscaler at %s", path);
    return FALSE;
}

char *
gs_upscale_parameters(const char *parameters, int scale, const char *display)
{
    g_autofree char *entry = g_strdup_printf("Upscale: %dx %s", scale, display);
    return gs_parameters_append_entry(parameters, entry);
}

float *
gs_upscale_run(gs_context *ctx, const char *path, int scale, const float *rgb, int w, int h,
               bool (*progress)(double fraction, void *user_data), void *user_data, GError **error)
{
    size_t n = (size_t)w * h * scale * scale * 3;
    if (!path) {
        float *out = g_try_new(float, n);
        if (!out)
            g_set_error(error, GS_ENGINE_ERROR, GS_ERR_OUT_OF_MEMORY, "out of host memory");
        else
            gs_resize_bicubic(rgb, w, h, out, w * scale, h * scale);
        return out;
    }
    gs_upscaler *up = NULL;
    gs_status st = gs_upscaler_load(ctx, path, &up);
    if (st != GS_OK) {
        gs_set_engine_error(error, ctx, st, "loading the upscaler");
        return NULL;
    }
    if (gs_upscaler_scale(up) != scale) {
        g_set_error(error, GS_ENGINE_ERROR, GS_ERR_INVALID_ARGUMENT, "%s upscales ×%d, not ×%d", path,
                    gs_upscaler_scale(up), scale);
        gs_upscaler_free(up);
        return NULL;
    }
    float *out = g_try_new(float, n);
    if (!out) {
        g_set_error(error, GS_ENGINE_ERROR, GS_ERR_OUT_OF_MEMORY, "out of host memory");
        gs_upscaler_free(up);
        return NULL;
    }
    gs_upscaler_params p = gs_upscaler_default_params();
    p.progress = progress;
    p.user_data = user_data;
    st = gs_upscaler_run(up, rgb, w, h, out, &p);
    if (st != GS_OK) {
        gs_set_engine_error(error, ctx, st, "upscaling");
        g_clear_pointer(&out, g_free);
    }
    gs_upscaler_free(up);
    return out;
}

/* Keys' cubic convolution kernel with a = −0.5. */
static float
keys(float x)
{
    const float a = -0.5f;
    x = fabsf(x);
    if (x < 1)
        return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2)
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    return 0;
}

/* For each output coordinate: the first of its `ntaps` source taps and
 * their weights (pixel centres aligned, as image tools do). Shrinking
 * widens the kernel by the factor (antialiasing, as MATLAB's imresize). */
static int
taps(int n, int nn, int **first, float **weights)
{
    float stretch = nn < n ? (float)n / nn : 1;
    int ntaps = (int)ceilf(4 * stretch);
    *first = g_new(int, nn);
    *weights = g_new(float, (size_t)nn * ntaps);
    for (int i = 0; i < nn; i++) {
        float x = (i + 0.5f) * n / nn - 0.5f;
        int x0 = (int)floorf(x - 2 * stretch) + 1;
        float sum = 0;
        for (int k = 0; k < ntaps; k++)
            sum += (*weights)[i * ntaps + k] = keys((x - (float)(x0 + k)) / stretch);
        for (int k = 0; k < ntaps; k++)
            (*weights)[i * ntaps + k] /= sum;
        (*first)[i] = x0;
    }
    return ntaps;
}

static int
clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void
gs_resize_bicubic(const float *src, int w, int h, float *dst, int nw, int nh)
{
    int *fx, *fy;
    float *wx, *wy;
    int tx = taps(w, nw, &fx, &wx), ty = taps(h, nh, &fy, &wy);
    float *rows = g_new(float, (size_t)nw * h * 3); /* horizontal pass: nw × h */
    for (int y = 0; y < h; y++)
        for (int x = 0; x < nw; x++)
            for (int c = 0; c < 3; c++) {
                float s = 0;
                for (int k = 0; k < tx; k++)
                    s += wx[x * tx + k] * src[((size_t)y * w + clampi(fx[x] + k, 0, w - 1)) * 3 + c];
                rows[((size_t)y * nw + x) * 3 + c] = s;
            }
    for (int y = 0; y < nh; y++)
        for (int x = 0; x < nw; x++)
            for (int c = 0; c < 3; c++) {
                float s = 0;
                for (int k = 0; k < ty; k++)
                    s += wy[y * ty + k] * rows[((size_t)clampi(fy[y] + k, 0, h - 1) * nw + x) * 3 + c];
                dst[((size_t)y * nw + x) * 3 + c] = s < 0 ? 0 : s > 1 ? 1 : s;
            }
    g_free(fx);
    g_free(fy);
    g_free(wx);
    g_free(wy);
    g_free(rows);
}
