#version 450
// Elementwise activations: exact (erf) GELU, SiLU, exp, log(max(x, floor)),
// ReLU, quick GELU (x·sigmoid(1.702·x), CLIP's), and GEGLU (a·gelu(g) with a and g the two
// halves of each row of 2·half values).
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
#ifdef TEXELS
// CPU drivers: 4 outputs per invocation, x read as vec4 texels (llvmpipe
// gathers texels with vector loads; engine/README.md). half_len counts vec4s.
layout(set = 0, binding = 0) uniform samplerBuffer x_texels;
#endif

layout(push_constant) uniform Push {
    F32 dst;
    F32 x;
    uint count;
    uint half_len;   // GEGLU: output row length
    float floor_;    // log: the smallest x taken
} p;

void main()
{
    uint i = gs_flat_group_index() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.count)
        return;
#if defined(OP_GELU)
    p.dst.v[i] = gelu(p.x.v[i]);
#elif defined(OP_SILU)
    float x = p.x.v[i];
    p.dst.v[i] = x / (1.0 + exp(-x));
#elif defined(OP_QUICK_GELU)
    float x = p.x.v[i];
    p.dst.v[i] = x / (1.0 + exp(-1.702 * x));
#elif defined(OP_RELU)
    p.dst.v[i] = max(p.x.v[i], 0.0);
#elif defined(OP_EXP)
    p.dst.v[i] = exp(p.x.v[i]);
#elif defined(OP_LOG)
    p.dst.v[i] = log(max(p.x.v[i], p.floor_));
#elif defined(OP_GEGLU) && defined(TEXELS)
    uint row = i / p.half_len, col = i % p.half_len;
    int base = int(row * 2 * p.half_len + col);
    vec4 a = texelFetch(x_texels, base), g = texelFetch(x_texels, base + int(p.half_len));
    F32x4(p.dst).v[i] = a * vec4(gelu(g.x), gelu(g.y), gelu(g.z), gelu(g.w));
#elif defined(OP_GEGLU)
    uint row = i / p.half_len, col = i % p.half_len;
    uint base = row * 2 * p.half_len;
    p.dst.v[i] = p.x.v[base + col] * gelu(p.x.v[base + p.half_len + col]);
#endif
}
