#version 450
// 1-D convolution (stride, padding, dilation) and transposed 1-D convolution
// (TRANSPOSED: torch ConvTranspose1d, weight [C,O,K]), one output element per
// invocation — the audio models' shapes are small.
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;

#ifdef WEIGHT_F16
#define WEIGHT F16
#else
#define WEIGHT F32
#endif

layout(push_constant) uniform Push {
    F32 dst;
    F32 x;
    WEIGHT w;
    F32 bias;
    uint N, C, L, O, Lo, K;
    uint stride, pad, dilation;
    uint has_bias;
} p;

void main()
{
    uint i = gs_flat_group_index() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.N * p.O * p.Lo)
        return;
    uint t = i % p.Lo, o = (i / p.Lo) % p.O, n = i / (p.Lo * p.O);
    float acc = p.has_bias != 0 ? p.bias.v[o] : 0.0;
    for (uint c = 0; c < p.C; c++) {
        uint xrow = (n * p.C + c) * p.L;
        for (uint k = 0; k < p.K; k++) {
#ifdef TRANSPOSED
            // Output t gathers inputs s with s·stride − pad + k = t.
            int num = int(t) + int(p.pad) - int(k);
            if (num < 0 || num % int(p.stride) != 0)
                continue;
            uint s = uint(num) / p.stride;
            if (s >= p.L)
                continue;
            acc = fma(p.x.v[xrow + s], float(p.w.v[(c * p.O + o) * p.K + k]), acc);
#else
            int s = int(t * p.stride + k * p.dilation) - int(p.pad);
            if (s < 0 || s >= int(p.L))
                continue;
            acc = fma(p.x.v[xrow + uint(s)], float(p.w.v[(o * p.C + c) * p.K + k]), acc);
#endif
        }
    }
    p.dst.v[i] = acc;
}
