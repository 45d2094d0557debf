#version 450
// Fused attention for CPU drivers with 8-wide subgroups (llvmpipe), head dim
// a multiple of 4. llvmpipe runs the 8 invocations as the lanes of one SIMD
// register and turns every memory load into a loop over the lanes, so here
// each lane loads one key's row of K and V per tile of 8 keys (vec4 loads)
// and hands the values to the other lanes with subgroupShuffle by a constant
// lane, a register shuffle. (subgroupBroadcast does the same job but made
// Mesa 22.3 compile for minutes and run 3-5× slower.) Each lane owns QL
// queries (strided by 8) and keeps its scores, running max, normaliser and
// output in registers: online softmax, no Lq×Lk buffer, no shared memory,
// no barriers. Only the key loop is not unrolled; it runs Lk / 8 times,
// far below llvmpipe's 65535-iteration loop limit.
// Layout: q [B,Lq,H·D], k and v [B,Lk,H·D], out like q.
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#extension GL_EXT_control_flow_attributes : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#extension GL_KHR_shader_subgroup_vote : require
#include "lane_loads.glsl"
#ifdef TEXELS
// Keys and values as vec4 texels: llvmpipe gathers them in vector loads.
layout(set = 0, binding = 0) uniform samplerBuffer k_texels;
layout(set = 0, binding = 1) uniform samplerBuffer v_texels;
#define LOAD_KEY(i) texelFetch(k_texels, int(i))
#define LOAD_VALUE(i) texelFetch(v_texels, int(i))
#else
#define LOAD_KEY(i) LOAD_VEC4(p.k, i)
#define LOAD_VALUE(i) LOAD_VEC4(p.v, i)
#endif

layout(local_size_x = 8) in;
layout(constant_id = 0) const uint D = 64; // head dim, a multiple of 4
layout(constant_id = 1) const uint QL = 2; // queries per lane
const uint LANES = 8;
const uint D4 = D / 4;
// The running max is only raised when a tile beats it by more than this
// (log2 units): weights stay below 2^8, and most tiles skip the rescale of
// the output accumulators.
const float MAX_SLACK = 8.0;

layout(push_constant) uniform Push {
    F32 dst;
    F32 q;
    VEC4_BUFFER k;
    VEC4_BUFFER v;
    uint Lq, Lk, H;
    uint causal;
    float scale;
} p;

void main()
{
    uint lane = gl_SubgroupInvocationID;
    uint b = gl_WorkGroupID.y / p.H, h = gl_WorkGroupID.y % p.H;
    uint stride = p.H * D;
    uint q0 = gl_WorkGroupID.x * LANES * QL;

    // Scores in log2 units, so the softmax uses exp2.
    float qscale = p.scale * 1.4426950408889634;
    uint qi[QL];
    float qv[QL][D], acc[QL][D], m[QL], l[QL];
    [[unroll]] for (uint i = 0; i < QL; i++) {
        qi[i] = q0 + lane + i * LANES;
        uint qbase = (b * p.Lq + min(qi[i], p.Lq - 1)) * stride + h * D;
        [[unroll]] for (uint d = 0; d < D; d++) {
            qv[i][d] = p.q.v[qbase + d] * qscale;
            acc[i][d] = 0.0;
        }
        m[i] = -1e30;
        l[i] = 0.0;
    }

    uint last_query = min(q0 + LANES * QL, p.Lq) - 1;
    uint key_end = p.causal != 0 ? min(p.Lk, last_query + 1) : p.Lk;
    for (uint t0 = 0; t0 < key_end; t0 += LANES) {
        uint kbase = ((b * p.Lk + min(t0 + lane, key_end - 1)) * stride + h * D) / 4;
        vec4 kreg[D4], vreg[D4];
        [[unroll]] for (uint e = 0; e < D4; e++) {
            kreg[e] = LOAD_KEY(kbase + e);
            vreg[e] = LOAD_VALUE(kbase + e);
        }

        float s[QL][LANES];
        [[unroll]] for (uint i = 0; i < QL; i++)
            [[unroll]] for (uint j = 0; j < LANES; j++)
                s[i][j] = 0.0;
        [[unroll]] for (uint e = 0; e < D4; e++)
            [[unroll]] for (uint c = 0; c < 4; c++)
                [[unroll]] for (uint j = 0; j < LANES; j++) {
                    float key = subgroupShuffle(kreg[e][c], j);
                    [[unroll]] for (uint i = 0; i < QL; i++)
                        s[i][j] = fma(qv[i][e * 4 + c], key, s[i][j]);
                }

        // Keys past the end, or (causal) past the query, are masked. Key 0
        // is visible to every query, so the first tile always sets m.
        bool rescale = false;
        uint visible[QL];
        float tile_max[QL];
        [[unroll]] for (uint i = 0; i < QL; i++) {
            visible[i] = p.causal != 0 ? min(key_end, qi[i] + 1) : key_end;
            tile_max[i] = -1e30;
            [[unroll]] for (uint j = 0; j < LANES; j++)
                if (t0 + j < visible[i])
                    tile_max[i] = max(tile_max[i], s[i][j]);
            rescale = rescale || tile_max[i] > m[i] + MAX_SLACK;
        }
        if (subgroupAny(rescale)) {
            [[unroll]] for (uint i = 0; i < QL; i++) {
                float m_new = tile_max[i] > m[i] + MAX_SLACK ? tile_max[i] : m[i];
                float correction = exp2(m[i] - m_new);
                m[i] = m_new;
                l[i] *= correction;
                [[unroll]] for (uint d = 0; d < D; d++)
                    acc[i][d] *= correction;
            }
        }
        [[unroll]] for (uint i = 0; i < QL; i++)
            [[unroll]] for (uint j = 0; j < LANES; j++) {
                s[i][j] = t0 + j < visible[i] ? exp2(s[i][j] - m[i]) : 0.0;
                l[i] += s[i][j];
            }

        [[unroll]] for (uint e = 0; e < D4; e++)
            [[unroll]] for (uint c = 0; c < 4; c++)
                [[unroll]] for (uint j = 0; j < LANES; j++) {
                    float value = subgroupShuffle(vreg[e][c], j);
                    [[unroll]] for (uint i = 0; i < QL; i++)
                        acc[i][e * 4 + c] = fma(s[i][j], value, acc[i][e * 4 + c]);
                }
    }

    [[unroll]] for (uint i = 0; i < QL; i++) {
        if (qi[i] >= p.Lq)
            break;
        uint obase = (b * p.Lq + qi[i]) * stride + h * D;
        float inv = 1.0 / l[i];
        [[unroll]] for (uint d = 0; d < D; d++)
            p.dst.v[obase + d] = acc[i][d] * inv;
    }
}
