/* Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
 * SC 2011): counter-based, so any element of the noise is computable on its
 * own and the same seed gives the same image on every machine.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "genstudio-engine.h"

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

static void
philox4x32_10(uint32_t ctr[4], uint32_t k0, uint32_t k1)
{
    for (int round = 0; round < 10; round++) {
        uint64_t p0 = (uint64_t)PHILOX_M0 * ctr[0];
        uint64_t p1 = (uint64_t)PHILOX_M1 * ctr[2];
        uint32_t next[4] = {
            (uint32_t)(p1 >> 32) ^ ctr[1] ^ k0,
            (uint32_t)p1,
            (uint32_t)(p0 >> 32) ^ ctr[3] ^ k1,
            (uint32_t)p0,
        };
        ctr[0] = next[0];
        ctr[1] = next[1];
        ctr[2] = next[2];
        ctr[3] = next[3];
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
}

/* (0, 1]: never 0, so the logarithm below is finite. */
static double
unit_open(uint32_t bits)
{
    return ((double)bits + 1.0) / 4294967296.0;
}

void
gs_normal_noise(uint64_t seed, uint32_t stream, uint64_t first, float *dst, size_t count)
{
    for (size_t i = 0; i < count;) {
        uint64_t index = first + i;
        uint64_t block = index / 4;
        uint32_t ctr[4] = { (uint32_t)block, (uint32_t)(block >> 32), stream, 0 };
        philox4x32_10(ctr, (uint32_t)seed, (uint32_t)(seed >> 32));
        float normals[4];
        for (int pair = 0; pair < 2; pair++) {
            double r = sqrt(-2.0 * log(unit_open(ctr[2 * pair])));
            double theta = 2.0 * M_PI * (ctr[2 * pair + 1] / 4294967296.0);
            normals[2 * pair] = (float)(r * cos(theta));
            normals[2 * pair + 1] = (float)(r * sin(theta));
        }
        for (uint64_t j = index % 4; j < 4 && i < count; j++, i++)
            dst[i] = normals[j];
    }
}
