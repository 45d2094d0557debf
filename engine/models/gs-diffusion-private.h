/* Inside the engine (and its tests): the diffusion model's parts.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gs-sd-model.h"

/* gs_diffusion_generate with the initial noise given (C×H×W, unit normal)
 * instead of drawn from the seed; the seed still drives ancestral noise. */
gs_status gs_diffusion_generate_from_noise(gs_diffusion *m, const gs_image_params *p, const float *initial_noise,
                                           float *rgb);
