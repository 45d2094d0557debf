/* What the invisible watermarks carry and the keyed randomness that spreads
 * it: payload fields, a CRC-16 to tell a read payload from noise, and a
 * small counter-free PRNG (splitmix64) so embedder and detector draw the
 * same chips. Plain C, no GTK or GStreamer.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define GS_MARK_FORMAT_VERSION 1

/* Image marks carry 48 bits: version (4), model id (12), install id (32).
 * Audio marks carry 32 bits: version (4), model id (8), install id (low 20). */
typedef struct {
    unsigned version;
    unsigned model_id;
    uint32_t install_id;
} GsMarkPayload;

typedef struct {
    uint64_t state;
} GsMarkRng;

void gs_mark_rng_init(GsMarkRng *rng, uint64_t key);
uint64_t gs_mark_rng_next(GsMarkRng *rng);
/* Uniform in [0, n). */
unsigned gs_mark_rng_below(GsMarkRng *rng, unsigned n);

/* CRC-16/CCITT-FALSE over the low `bits` bits of `value`, MSB first. */
uint16_t gs_mark_crc16(uint64_t value, int bits);

/* The 12-bit model id of a model name (FNV-1a folded); audio keeps 8 bits. */
unsigned gs_mark_model_id(const char *model_name);

/* `bits` total: payload bits followed by a CRC-16 of them. */
uint64_t gs_mark_payload_pack(const GsMarkPayload *p, int payload_bits);
bool gs_mark_payload_unpack(uint64_t word, int payload_bits, GsMarkPayload *p);
