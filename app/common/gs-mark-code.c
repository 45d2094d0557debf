/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-mark-code.h"

void
gs_mark_rng_init(GsMarkRng *rng, uint64_t key)
{
    rng->state = key;
}

uint64_t
gs_mark_rng_next(GsMarkRng *rng)
{
    uint64_t z = (rng->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

unsigned
gs_mark_rng_below(GsMarkRng *rng, unsigned n)
{
    return (unsigned)(gs_mark_rng_next(rng) % n);
}

uint16_t
gs_mark_crc16(uint64_t value, int bits)
{
    uint16_t crc = 0xFFFF;
    for (int i = bits - 1; i >= 0; i--) {
        unsigned bit = (unsigned)(value >> i) & 1u;
        unsigned top = (crc >> 15) & 1u;
        crc = (uint16_t)(crc << 1);
        if (bit ^ top)
            crc ^= 0x1021;
    }
    return crc;
}

unsigned
gs_mark_model_id(const char *model_name)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *c = (const unsigned char *)(model_name ? model_name : ""); *c; c++)
        h = (h ^ *c) * 16777619u;
    return (h ^ (h >> 12) ^ (h >> 24)) & 0xFFFu;
}

/* Field widths for a 48- or 32-bit payload. */
static void
widths(int payload_bits, int *model_bits, int *install_bits)
{
    *model_bits = payload_bits == 48 ? 12 : 8;
    *install_bits = payload_bits - 4 - *model_bits;
}

uint64_t
gs_mark_payload_pack(const GsMarkPayload *p, int payload_bits)
{
    int model_bits, install_bits;
    widths(payload_bits, &model_bits, &install_bits);
    uint64_t install_mask = install_bits >= 32 ? 0xFFFFFFFFull : (1ull << install_bits) - 1;
    uint64_t word = ((uint64_t)(p->version & 0xF) << (model_bits + install_bits)) |
                    ((uint64_t)(p->model_id & ((1u << model_bits) - 1)) << install_bits) |
                    ((uint64_t)p->install_id & install_mask);
    return (word << 16) | gs_mark_crc16(word, payload_bits);
}

bool
gs_mark_payload_unpack(uint64_t word, int payload_bits, GsMarkPayload *p)
{
    uint64_t payload = word >> 16;
    if (gs_mark_crc16(payload, payload_bits) != (uint16_t)(word & 0xFFFF))
        return false;
    int model_bits, install_bits;
    widths(payload_bits, &model_bits, &install_bits);
    p->version = (unsigned)(payload >> (model_bits + install_bits)) & 0xF;
    p->model_id = (unsigned)(payload >> install_bits) & ((1u << model_bits) - 1);
    p->install_id = (uint32_t)(payload & (install_bits >= 32 ? 0xFFFFFFFFull : (1ull << install_bits) - 1));
    return true;
}
