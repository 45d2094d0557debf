#version 450
// matmul for CPU drivers (llvmpipe) with fp16 weights and shaderInt64:
// matmul_lanes.comp with the roles swapped. There, each lane loads its own
// fp32 rows of a (8 bytes per scalar load at best) and the subgroup shares
// the weights. Here each lane owns TN4 groups of 4 weight columns, read as
// one 64-bit word per 4 halves (a quarter of an f16vec4's scalar loads),
// and the subgroup shares TM rows of a: each lane loads TM / LANES of their
// vec4s and subgroupBroadcast (a register shuffle) hands them round. Fewer
// per-lane loads for the same arithmetic, and loads set llvmpipe's speed.
// b is the weight [K,N] (a word is 4 columns of one k-step) or, with
// CONV_OUT, the conv weight as stored, [O, C·k·k] (a word is 4 k-steps of
// one column), the bias is per column and dst is written transposed,
// dst[column·LDD + row] (NCHW), as in matmul_lanes.comp. K, N multiples of 4.
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_GOOGLE_include_directive : require
#define WORD64
#include "common.glsl"
#include "lane_loads.glsl"
#extension GL_EXT_control_flow_attributes : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_ballot : require

layout(local_size_x = 8) in;
const uint LANES = 8;
layout(constant_id = 0) const uint TM = 16; // rows shared by the subgroup, a multiple of LANES
layout(constant_id = 1) const uint TN4 = 2; // groups of 4 columns per lane

layout(push_constant) uniform Push {
    F32 dst;
    VEC4_BUFFER a;
    HALF4_BUFFER b;
    F32 bias;
    uint M, N, K;
    uint has_bias;
#ifdef CONV_OUT
    uint ldd;
#endif
} p;

void main()
{
    uint lane = gl_SubgroupInvocationID;
    uint n4 = p.N / 4, k4 = p.K / 4;
    uint row0 = gl_WorkGroupID.y * TM;
    // Clamped indices keep every lane in the same loop; results outside the
    // matrix are not stored. This lane's column groups: (x·TN4 + j)·LANES + lane.
    uint groups[TN4];
    [[unroll]] for (uint j = 0; j < TN4; j++)
        groups[j] = min((gl_WorkGroupID.x * TN4 + j) * LANES + lane, n4 - 1);
    // Of the subgroup's TM rows this lane loads rows lane, lane + LANES, …
    const uint ROWS_PER_LANE = TM / LANES;
    uint arows[ROWS_PER_LANE];
    [[unroll]] for (uint t = 0; t < ROWS_PER_LANE; t++)
        arows[t] = min(row0 + lane + t * LANES, p.M - 1) * k4;
    vec4 acc[TM][TN4];
    [[unroll]] for (uint i = 0; i < TM; i++)
        [[unroll]] for (uint j = 0; j < TN4; j++)
            acc[i][j] = vec4(0.0);

    // Only this loop runs long (K/4 < 65536 iterations: llvmpipe's limit).
    for (uint kq = 0; kq < k4; kq++) {
        vec4 mine[ROWS_PER_LANE], w[4][TN4]; // w[kk][j]: group j's 4 columns at k-step kk
        [[unroll]] for (uint t = 0; t < ROWS_PER_LANE; t++)
            mine[t] = LOAD_VEC4(p.a, arows[t] + kq);
        [[unroll]] for (uint j = 0; j < TN4; j++) {
#ifdef CONV_OUT
            [[unroll]] for (uint e = 0; e < 4; e++) {
                vec4 steps = LOAD_HALF4(p.b, (groups[j] * 4 + e) * k4 + kq);
                [[unroll]] for (uint kk = 0; kk < 4; kk++)
                    w[kk][j][e] = steps[kk];
            }
#else
            [[unroll]] for (uint kk = 0; kk < 4; kk++)
                w[kk][j] = LOAD_HALF4(p.b, (kq * 4 + kk) * n4 + groups[j]);
#endif
        }
        // k innermost: each accumulator is touched once per iteration, which
        // matters because most of them live on the stack.
        [[unroll]] for (uint i = 0; i < TM; i++) {
            vec4 av = subgroupBroadcast(mine[i / LANES], i % LANES);
            [[unroll]] for (uint j = 0; j < TN4; j++)
                [[unroll]] for (uint kk = 0; kk < 4; kk++)
                    acc[i][j] = fma(vec4(av[kk]), w[kk][j], acc[i][j]);
        }
    }
    [[unroll]] for (uint i = 0; i < TM; i++) {
        uint row = row0 + i;
        if (row >= p.M)
            break;
        [[unroll]] for (uint j = 0; j < TN4; j++) {
            uint c = (gl_WorkGroupID.x * TN4 + j) * LANES + lane;
            if (c >= n4)
                continue;
            [[unroll]] for (uint e = 0; e < 4; e++) {
                float v = acc[i][j][e];
                if (p.has_bias != 0)
                    v += p.bias.v[c * 4 + e];
#ifdef CONV_OUT
                p.dst.v[(c * 4 + e) * p.ldd + row] = v;
#else
                p.dst.v[row * p.N + c * 4 + e] = v;
#endif
            }
        }
    }
}
