#version 450
// matmul for K and N multiples of 4 with b as [K,N]: the same register
// blocking as matmul.comp with vec4 loads, 4 k-steps per iteration. Each
// invocation owns TM rows × TN4 groups of 4 columns, the groups strided by
// the workgroup width so neighbouring invocations read neighbouring vec4s.
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#extension GL_EXT_control_flow_attributes : require

layout(local_size_x_id = 0, local_size_y_id = 1) in;
layout(constant_id = 2) const uint TM = 8;
layout(constant_id = 3) const uint TN4 = 2;

#ifdef WEIGHT_F16
#define WEIGHT F16x4
#define LOAD_B(i) vec4(p.b.v[i])
#else
#define WEIGHT F32x4
#define LOAD_B(i) p.b.v[i]
#endif

layout(push_constant) uniform Push {
    F32 dst;
    F32x4 a;
    WEIGHT b;
    F32 bias;
    uint M, N, K;
    uint has_bias;
} p;

void main()
{
    uint row0 = gl_GlobalInvocationID.y * TM;
    uint n4 = p.N / 4, k4 = p.K / 4;
    uint c0 = gl_WorkGroupID.x * gl_WorkGroupSize.x * TN4 + gl_LocalInvocationID.x;
    if (row0 >= p.M || c0 >= n4)
        return;
    uint rows[TM], cols[TN4];
    [[unroll]] for (uint i = 0; i < TM; i++)
        rows[i] = min(row0 + i, p.M - 1);
    [[unroll]] for (uint j = 0; j < TN4; j++)
        cols[j] = min(c0 + j * gl_WorkGroupSize.x, n4 - 1);
    vec4 acc[TM][TN4];
    [[unroll]] for (uint i = 0; i < TM; i++)
        [[unroll]] for (uint j = 0; j < TN4; j++)
            acc[i][j] = vec4(0.0);

    // Only this loop runs long (K/4 < 65536 iterations: llvmpipe's limit).
    for (uint kq = 0; kq < k4; kq++) {
        vec4 av[TM];
        [[unroll]] for (uint i = 0; i < TM; i++)
            av[i] = p.a.v[rows[i] * k4 + kq];
        [[unroll]] for (uint kk = 0; kk < 4; kk++) {
            [[unroll]] for (uint j = 0; j < TN4; j++) {
                vec4 bv = LOAD_B((kq * 4 + kk) * n4 + cols[j]);
                [[unroll]] for (uint i = 0; i < TM; i++)
                    acc[i][j] = fma(vec4(av[i][kk]), bv, acc[i][j]);
            }
        }
    }
    [[unroll]] for (uint i = 0; i < TM; i++) {
        if (row0 + i >= p.M)
            break;
        [[unroll]] for (uint j = 0; j < TN4; j++) {
            uint c = c0 + j * gl_WorkGroupSize.x;
            if (c >= n4)
                break;
            [[unroll]] for (uint e = 0; e < 4; e++) {
                float v = acc[i][j][e];
                if (p.has_bias != 0)
                    v += p.bias.v[c * 4 + e];
                p.dst.v[(row0 + i) * p.N + c * 4 + e] = v;
            }
        }
    }
}
