/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-gan-job.h"
#include "gs-image-job.h"

char *
gs_gan_model_path(const char *name_or_path)
{
    if (!name_or_path)
        return NULL;
    if (g_str_equal(name_or_path, GS_GAN_BUILTIN_NAME))
        return gs_shipped_model_path(GS_GAN_BUILTIN_NAME ".safetensors");
    if (g_str_has_suffix(name_or_path, ".safetensors") && gs_gan_probe(name_or_path))
        return g_strdup(name_or_path);
    return NULL;
}

gs_gan *
gs_load_gan(gs_context *ctx, const char *path, GError **error)
{
    gs_gan *gan = NULL;
    gs_status st = gs_gan_load(ctx, path, &gan);
    if (st != GS_OK)
        gs_set_engine_error(error, ctx, st, "Cannot load the GAN");
    return gan;
}

float *
gs_gan_job_run(gs_context *ctx, gs_gan *gan, const char *prompt, const guint64 *seeds, int count, int *size, GError **error)
{
    int side = gs_gan_size(gan);
    g_autofree float *rgb = g_try_new(float, (gsize)count * side * side * 3);
    if (!rgb) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "out of memory for %d images", count);
        return NULL;
    }
    gs_status st = gs_gan_generate(gan, prompt, (const uint64_t *)seeds, count, rgb);
    if (st != GS_OK) {
        gs_set_engine_error(error, ctx, st, "The GAN failed");
        return NULL;
    }
    *size = side;
    return g_steal_pointer(&rgb);
}

char *
gs_gan_parameters(const char *prompt, guint64 seed, const char *model_name, int size)
{
    return g_strdup_printf("%s\nGenerator: GAN (one forward pass), Seed: %" G_GUINT64_FORMAT ", Size: %dx%d, "
                           "Model: %s", prompt, seed, size, size, model_name);
}
