/* Helpers shared by the engine tests: a context on the test device, seeded
 * random data, and tolerance checks that print the worst element.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "genstudio-engine.h"

/* Every check failure increments this; main returns it. */
extern int gs_test_failures;

gs_context *gs_test_context(void);

/* Deterministic uniform floats in [lo, hi) from a 64-bit seed. */
void gs_test_random(float *dst, size_t n, uint64_t seed, float lo, float hi);
float *gs_test_random_new(size_t n, uint64_t seed, float lo, float hi);

/* A device tensor filled from host data. */
gs_tensor *gs_test_tensor(gs_context *ctx, int ndim, const int64_t *shape, const float *data);
/* Downloads into a new malloc'd buffer. */
float *gs_test_download(const gs_tensor *t);
/* An F32 tensor of a golden fixture, malloc'd; exits when it is missing. */
float *gs_test_golden_floats(gs_safetensors *golden, const char *name, int64_t *count);

/* |got - want| <= atol + rtol * |want| for every element; reports the worst. */
bool gs_test_close(const char *what, const float *got, const float *want, size_t n, float atol, float rtol);

#define GS_CHECK(cond)                                                                                                \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                                  \
            gs_test_failures++;                                                                                        \
        }                                                                                                              \
    } while (0)

#define GS_CHECK_OK(ctx, expr)                                                                                         \
    do {                                                                                                               \
        gs_status st_ = (expr);                                                                                        \
        if (st_ != GS_OK) {                                                                                            \
            fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #expr, gs_context_error(ctx));              \
            gs_test_failures++;                                                                                        \
        }                                                                                                              \
    } while (0)
