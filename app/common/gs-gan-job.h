/* The GAN generator as the CLI and the window run it: which files are GANs,
 * a batch of images for one prompt, and the parameters text they carry.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "genstudio-engine.h"

/* The GAN GenStudio ships: data/models/gan-emoji32.safetensors. */
#define GS_GAN_BUILTIN_NAME "gan-emoji32"

/* The file of a GAN named on the command line: the shipped one by name, or
 * a .safetensors path whose metadata says it is a GAN. NULL otherwise (a
 * diffusion model, or nothing). */
char *gs_gan_model_path(const char *name_or_path);

/* `count` images (count × size × size × 3 floats in [0,1], g_free), image i
 * from seeds[i]; `size` gets their side. */
float *gs_gan_job_run(gs_context *ctx, gs_gan *gan, const char *prompt, const guint64 *seeds, int count, int *size, GError **error);

gs_gan *gs_load_gan(gs_context *ctx, const char *path, GError **error);

/* The PNG "parameters" text of one GAN image, A1111-style. */
char *gs_gan_parameters(const char *prompt, guint64 seed, const char *model_name, int size);
