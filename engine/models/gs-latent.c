/* Latent ↔ pixels for SD models: the VAE (in tiles, so any size fits in
 * bounded memory) and a cheap per-step preview.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "gs-diffusion-private.h"
#include "gs-vae.h"
#include "vk/gs-vk-private.h"

/* SD 1.x/2.x latent channels → RGB: a least-squares fit of decoded colours
 * on latents that A1111's "Approx cheap" preview made well known. */
static const float latent_rgb[4][3] = {
    { 0.298f, 0.207f, 0.208f },
    { 0.187f, 0.286f, 0.173f },
    { -0.158f, 0.189f, 0.264f },
    { -0.184f, -0.271f, -0.473f },
};

void
gs_diffusion_preview(const gs_diffusion *m, const float *latent, int h, int w, float scale, float *rgb, int height,
                     int width)
{
    size_t plane = (size_t)h * w;
    int channels = m->cfg->latent_channels < 4 ? m->cfg->latent_channels : 4;
    /* Bilinear from the latent grid to the image, sampling at pixel centres. */
    for (int y = 0; y < height; y++) {
        float fy = ((float)y + 0.5f) * (float)h / (float)height - 0.5f;
        int y0 = (int)floorf(fy);
        float ty = fy - (float)y0;
        int ya = y0 < 0 ? 0 : y0, yb = y0 + 1 >= h ? h - 1 : y0 + 1;
        for (int x = 0; x < width; x++) {
            float fx = ((float)x + 0.5f) * (float)w / (float)width - 0.5f;
            int x0 = (int)floorf(fx);
            float tx = fx - (float)x0;
            int xa = x0 < 0 ? 0 : x0, xb = x0 + 1 >= w ? w - 1 : x0 + 1;
            float out[3] = { 0, 0, 0 };
            for (int c = 0; c < channels; c++) {
                const float *p = latent + c * plane;
                float v = (1 - ty) * ((1 - tx) * p[ya * w + xa] + tx * p[ya * w + xb]) +
                          ty * ((1 - tx) * p[yb * w + xa] + tx * p[yb * w + xb]);
                for (int k = 0; k < 3; k++)
                    out[k] += v * scale * latent_rgb[c][k];
            }
            for (int k = 0; k < 3; k++) {
                float v = (out[k] + 1.0f) * 0.5f;
                rgb[((size_t)y * width + x) * 3 + k] = v < 0 ? 0 : v > 1 ? 1 : v;
            }
        }
    }
}

gs_status
gs_diffusion_decode(gs_diffusion *m, const float *latent, int h, int w, float *rgb)
{
    const gs_sd_config *c = m->cfg;
    size_t n = (size_t)c->latent_channels * h * w, pixels = (size_t)64 * h * w;
    float *scaled = g_new(float, n), *planar = g_try_new(float, 3 * pixels);
    if (!planar) {
        g_free(scaled);
        return gs_fail(m->ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory for a %d×%d image", 8 * w, 8 * h);
    }
    for (size_t i = 0; i < n; i++)
        scaled[i] = latent[i] / c->latent_scale;
    gs_status st = gs_vae_decode_tiled(m->ctx, m->weights, &c->vae, scaled, h, w, NULL, planar);
    for (size_t i = 0; st == GS_OK && i < pixels; i++)
        for (int k = 0; k < 3; k++) {
            float v = (planar[k * pixels + i] + 1.0f) * 0.5f;
            rgb[i * 3 + k] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
    g_free(scaled);
    g_free(planar);
    return st;
}

gs_status
gs_diffusion_encode(gs_diffusion *m, const float *rgb, int height, int width, float *latent)
{
    const gs_sd_config *c = m->cfg;
    size_t pixels = (size_t)height * width, n = (size_t)c->latent_channels * (height / 8) * (width / 8);
    float *planar = g_try_new(float, 3 * pixels);
    if (!planar)
        return gs_fail(m->ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory for a %d×%d image", width, height);
    for (size_t i = 0; i < pixels; i++)
        for (int k = 0; k < 3; k++)
            planar[k * pixels + i] = rgb[i * 3 + k] * 2.0f - 1.0f;
    gs_status st = gs_vae_encode_tiled(m->ctx, m->weights, &c->vae, planar, height, width, NULL, latent);
    for (size_t i = 0; st == GS_OK && i < n; i++)
        latent[i] *= c->latent_scale;
    g_free(planar);
    return st;
}
