#version 450
// out = a (op) b, with b broadcast over a's shape (numpy rules, right-aligned).
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
#ifdef TEXELS
// CPU drivers, b shaped like a: 4 elements per invocation, a and b read as
// vec4 texels (llvmpipe gathers texels with vector loads; engine/README.md).
layout(set = 0, binding = 0) uniform samplerBuffer a_texels;
layout(set = 0, binding = 1) uniform samplerBuffer b_texels;
#endif
// b shaped like a: no index arithmetic (integer divisions are slow on llvmpipe).
layout(constant_id = 1) const bool SAME_SHAPE = false;

layout(push_constant) uniform Push {
    F32 dst;
    F32 a;
    F32 b;
    uint count;
    uint ne1, ne2, ne3;        // a's dims 1..3 (dim 0 is implied by count)
    uint bs0, bs1, bs2, bs3;   // b's strides per a-dim, 0 where broadcast
} p;

void main()
{
    uint i = gs_flat_group_index() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.count)
        return;
#ifdef TEXELS
    vec4 a = texelFetch(a_texels, int(i)), b = texelFetch(b_texels, int(i));
#if defined(OP_ADD)
    F32x4(p.dst).v[i] = a + b;
#elif defined(OP_MUL)
    F32x4(p.dst).v[i] = a * b;
#endif
    return;
#endif
    float y;
    if (SAME_SHAPE) {
        y = p.b.v[i];
    } else {
        uint i3 = i % p.ne3, r = i / p.ne3;
        uint i2 = r % p.ne2; r /= p.ne2;
        uint i1 = r % p.ne1;
        uint i0 = r / p.ne1;
        y = p.b.v[i0 * p.bs0 + i1 * p.bs1 + i2 * p.bs2 + i3 * p.bs3];
    }
#if defined(OP_ADD)
    p.dst.v[i] = p.a.v[i] + y;
#elif defined(OP_MUL)
    p.dst.v[i] = p.a.v[i] * y;
#endif
}
