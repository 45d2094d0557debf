#version 450
// Fused scaled-dot-product attention with online softmax (flash-attention
// style): no Lq×Lk score matrix ever exists. A workgroup takes a block of
// query rows of one (batch, head); key/value tiles are staged in shared
// memory and each invocation folds them into its running max, normaliser
// and output accumulator.
// Layout: q [B,Lq,H·D], k and v [B,Lk,H·D], out like q.
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#extension GL_EXT_control_flow_attributes : require

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint D = 64;      // head dim
layout(constant_id = 2) const uint KT = 16;     // keys per shared tile

layout(push_constant) uniform Push {
    F32 dst;
    F32 q;
    F32 k;
    F32 v;
    uint Lq, Lk, H;
    uint causal;
    float scale;
} p;

#ifdef DIRECT
// CPU drivers: read keys and values straight from memory; barriers cost
// more there than the cache misses they would save.
#define KEY(j, d) p.k.v[(b * p.Lk + t0 + (j)) * stride + h * D + (d)]
#define VALUE(j, d) p.v.v[(b * p.Lk + t0 + (j)) * stride + h * D + (d)]
#else
shared float ktile[KT * D];
shared float vtile[KT * D];
#define KEY(j, d) ktile[(j) * D + (d)]
#define VALUE(j, d) vtile[(j) * D + (d)]
#endif

void main()
{
    uint b = gl_WorkGroupID.y / p.H, h = gl_WorkGroupID.y % p.H;
    uint qi = gl_WorkGroupID.x * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    bool has_query = qi < p.Lq;
    uint stride = p.H * D;
    uint qbase = (b * p.Lq + min(qi, p.Lq - 1)) * stride + h * D;

    float qv[D], acc[D];
    for (uint d = 0; d < D; d++) {
        qv[d] = p.q.v[qbase + d] * p.scale;
        acc[d] = 0.0;
    }
    float m = -1e30, l = 0.0;

    uint last_query = min((gl_WorkGroupID.x + 1) * gl_WorkGroupSize.x, p.Lq) - 1;
    uint key_end = p.causal != 0 ? min(p.Lk, last_query + 1) : p.Lk;
    for (uint t0 = 0; t0 < key_end; t0 += KT) {
        uint tile = min(KT, key_end - t0);
#ifndef DIRECT
        for (uint e = gl_LocalInvocationID.x; e < tile * D; e += gl_WorkGroupSize.x) {
            uint j = e / D, d = e % D;
            uint kidx = (b * p.Lk + t0 + j) * stride + h * D + d;
            ktile[e] = p.k.v[kidx];
            vtile[e] = p.v.v[kidx];
        }
        barrier();
#endif
        uint limit = p.causal != 0 ? min(tile, qi + 1 > t0 ? qi + 1 - t0 : 0) : tile;
        if (has_query && limit > 0) {
            // Scores of the whole tile first, so the running output is
            // rescaled once per tile rather than once per key.
            float scores[KT];
            float tile_max = -1e30;
            for (uint j = 0; j < limit; j++) {
                float s = 0.0;
                // Unrolled on purpose: llvmpipe stops any loop after 65535
                // iterations in total, and this one runs Lk·D times.
                [[unroll]] for (uint d = 0; d < D; d++)
                    s = fma(qv[d], KEY(j, d), s);
                scores[j] = s;
                tile_max = max(tile_max, s);
            }
            float m_new = max(m, tile_max);
            float correction = exp(m - m_new);
            l *= correction;
            [[unroll]] for (uint d = 0; d < D; d++)
                acc[d] *= correction;
            for (uint j = 0; j < limit; j++) {
                float weight = exp(scores[j] - m_new);
                l += weight;
                [[unroll]] for (uint d = 0; d < D; d++)
                    acc[d] = fma(weight, VALUE(j, d), acc[d]);
            }
            m = m_new;
        }
#ifndef DIRECT
        barrier();
#endif
    }
    if (has_query) {
        float inv = 1.0 / l;
        for (uint d = 0; d < D; d++)
            p.dst.v[qbase + d] = acc[d] * inv;
    }
}
