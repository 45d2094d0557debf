#version 450
// out[M,N] = a[M,K] · b (+ bias[N]); b is [K,N], or [N,K] with TRANSPOSE_B.
// Each invocation keeps TM rows × TN columns of outputs in registers and
// reads its operands straight from memory. Its columns are strided by the
// workgroup width, so neighbouring invocations read neighbouring elements of
// b (one vector load on CPU drivers, which vectorise across invocations,
// and coalesced on GPUs), while the TM values of a are shared by the row.
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#extension GL_EXT_control_flow_attributes : require

layout(local_size_x_id = 0, local_size_y_id = 1) in;
layout(constant_id = 2) const uint TM = 4;
layout(constant_id = 3) const uint TN = 4;

#ifdef WEIGHT_F16
#define WEIGHT F16
#else
#define WEIGHT F32
#endif

layout(push_constant) uniform Push {
    F32 dst;
    F32 a;
    WEIGHT b;
    F32 bias;
    uint M, N, K;
    uint has_bias;
} p;

void main()
{
    uint row0 = gl_GlobalInvocationID.y * TM;
    uint col0 = gl_WorkGroupID.x * gl_WorkGroupSize.x * TN + gl_LocalInvocationID.x;
    uint col_step = gl_WorkGroupSize.x;
    if (row0 >= p.M || col0 >= p.N)
        return;
    float acc[TM][TN];
    [[unroll]] for (uint i = 0; i < TM; i++)
        [[unroll]] for (uint j = 0; j < TN; j++)
            acc[i][j] = 0.0;
    // Clamp indices instead of branching so every lane runs the same loop;
    // out-of-range results are simply not stored.
    uint rows[TM], cols[TN];
    [[unroll]] for (uint i = 0; i < TM; i++)
        rows[i] = min(row0 + i, p.M - 1);
    [[unroll]] for (uint j = 0; j < TN; j++)
        cols[j] = min(col0 + j * col_step, p.N - 1);

    // The block loops are unrolled: llvmpipe ends any loop after 65535
    // iterations in total, so only this one may run long (K < 65536).
    for (uint k = 0; k < p.K; k++) {
        float av[TM], bv[TN];
        [[unroll]] for (uint i = 0; i < TM; i++)
            av[i] = p.a.v[rows[i] * p.K + k];
        [[unroll]] for (uint j = 0; j < TN; j++) {
#ifdef TRANSPOSE_B
            bv[j] = float(p.b.v[cols[j] * p.K + k]);
#else
            bv[j] = float(p.b.v[k * p.N + cols[j]]);
#endif
        }
        [[unroll]] for (uint i = 0; i < TM; i++)
            [[unroll]] for (uint j = 0; j < TN; j++)
                acc[i][j] = fma(av[i], bv[j], acc[i][j]);
    }
    [[unroll]] for (uint i = 0; i < TM; i++) {
        if (row0 + i >= p.M)
            break;
        [[unroll]] for (uint j = 0; j < TN; j++) {
            uint col = col0 + j * col_step;
            if (col >= p.N)
                break;
            float v = acc[i][j];
            if (p.has_bias != 0)
                v += p.bias.v[col];
            p.dst.v[(row0 + i) * p.N + col] = v;
        }
    }
}
