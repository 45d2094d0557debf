#version 450
// matmul for CPU drivers (llvmpipe), K and N multiples of 4, b as [K,N].
// llvmpipe runs a subgroup of 8 invocations as the lanes of one SIMD
// register, but every load from memory is a loop over the lanes, so loads,
// not arithmetic, set the speed. Here each lane owns TM rows of the output
// and all lanes share the same TN4 groups of 4 columns: per 4 k-steps a lane
// loads its own TM vec4s of a, and the 4×TN4 vec4s of b are loaded once per
// subgroup (a few per lane) and handed to every lane with subgroupBroadcast,
// which is a plain register shuffle. The workgroup is one subgroup of 8.
// CONV_OUT (conv2d as a GEMM, gs-op-conv2d.c): a is the unfolded input
// [pixels, C·k·k], b the conv weight as stored, [O, C·k·k] (so b is read
// transposed: a lane loads 4 k-steps of one column, and the 16 columns' 4
// values per k-step are broadcast one by one), the bias is per column and
// dst is written transposed, dst[column·LDD + row], so that the output is
// NCHW and the 8 lanes' stores are 8 consecutive floats.
// WORD64 (devices with shaderInt64): a and b are read through 64-bit words,
// see lane_loads.glsl.
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#extension GL_EXT_control_flow_attributes : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_ballot : require

layout(local_size_x = 8) in;
layout(constant_id = 0) const uint TM = 8;
layout(constant_id = 1) const uint TN4 = 4; // 4·TN4 must be a multiple of LANES
const uint LANES = 8;

#include "lane_loads.glsl"
#ifdef WEIGHT_F16
#define WEIGHT HALF4_BUFFER
#define LOAD_B(i) LOAD_HALF4(p.b, i)
#else
#define WEIGHT VEC4_BUFFER
#define LOAD_B(i) LOAD_VEC4(p.b, i)
#endif

layout(push_constant) uniform Push {
    F32 dst;
    VEC4_BUFFER a;
    WEIGHT b;
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
    uint row0 = gl_WorkGroupID.y * LANES * TM + lane; // this lane's rows: row0 + i·LANES
    uint c0 = gl_WorkGroupID.x * TN4;                 // the subgroup's column groups: c0 + j
    // Clamped indices keep every lane in the same loop; results outside the
    // matrix are not stored.
    uint rows[TM];
    [[unroll]] for (uint i = 0; i < TM; i++)
        rows[i] = min(row0 + i * LANES, p.M - 1) * k4;
    // Of the 4×TN4 vec4s of b per 4 k-steps, this lane loads numbers
    // lane, lane + LANES, …; vec4 number q is row q / TN4, group q % TN4.
    const uint PER_LANE = 4 * TN4 / LANES;
    uint bofs[PER_LANE];
    [[unroll]] for (uint t = 0; t < PER_LANE; t++) {
        uint q = lane + t * LANES;
#ifdef CONV_OUT
        bofs[t] = min(c0 * 4 + q, p.N - 1) * k4; // column q of the block, as a row of [N, K]
#else
        bofs[t] = (q / TN4) * n4 + min(c0 + q % TN4, n4 - 1);
#endif
    }
    vec4 acc[TM][TN4];
    [[unroll]] for (uint i = 0; i < TM; i++)
        [[unroll]] for (uint j = 0; j < TN4; j++)
            acc[i][j] = vec4(0.0);

    // Only this loop runs long (K/4 < 65536 iterations: llvmpipe's limit).
    for (uint kq = 0; kq < k4; kq++) {
        vec4 av[TM], mine[PER_LANE], bv[4][TN4];
        [[unroll]] for (uint i = 0; i < TM; i++)
            av[i] = LOAD_VEC4(p.a, rows[i] + kq);
#ifdef CONV_OUT
        [[unroll]] for (uint t = 0; t < PER_LANE; t++)
            mine[t] = LOAD_B(bofs[t] + kq);
        [[unroll]] for (uint kk = 0; kk < 4; kk++)
            [[unroll]] for (uint j = 0; j < TN4; j++)
                [[unroll]] for (uint e = 0; e < 4; e++)
                    bv[kk][j][e] = subgroupBroadcast(mine[(j * 4 + e) / LANES][kk], (j * 4 + e) % LANES);
#else
        [[unroll]] for (uint t = 0; t < PER_LANE; t++)
            mine[t] = LOAD_B(kq * 4 * n4 + bofs[t]);
        [[unroll]] for (uint kk = 0; kk < 4; kk++)
            [[unroll]] for (uint j = 0; j < TN4; j++)
                bv[kk][j] = subgroupBroadcast(mine[(kk * TN4 + j) / LANES], (kk * TN4 + j) % LANES);
#endif
        // k innermost: each accumulator is touched once per iteration, which
        // matters because most of them live on the stack.
        [[unroll]] for (uint i = 0; i < TM; i++)
            [[unroll]] for (uint j = 0; j < TN4; j++)
                [[unroll]] for (uint kk = 0; kk < 4; kk++)
                    acc[i][j] = fma(vec4(av[i][kk]), bv[kk][j], acc[i][j]);
    }
    [[unroll]] for (uint i = 0; i < TM; i++) {
        uint row = row0 + i * LANES;
        if (row >= p.M)
            break;
        [[unroll]] for (uint j = 0; j < TN4; j++) {
            uint c = c0 + j;
            if (c >= n4)
                break;
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
