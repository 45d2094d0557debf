#version 450
// Data movement and small generators, one item per invocation:
// CONCAT (outer × [a_len | b_len]), TRANSPOSE ([B,R,C] → [B,C,R]),
// UPSAMPLE (nearest ×2 of [N·C,H,W]), TIMESTEP (sinusoidal embedding),
// PAD2D (zero padding of [N·C,H,W]), DEPTH_TO_SPACE (pixel shuffle),
// PADDED_NHWC ([N,C,H,W] → zero-padded channels-last [N,H+2·pad,W+2·pad,C]).
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
#ifdef TEXELS
// CPU drivers: 4 elements per invocation, read as vec4 texels (llvmpipe
// gathers texels with vector loads; its buffer loads go lane by lane).
layout(set = 0, binding = 0) uniform samplerBuffer a_texels;
layout(set = 0, binding = 1) uniform samplerBuffer b_texels;
#endif

layout(push_constant) uniform Push {
    F32 dst;
    F32 a;
    F32 b;
    uint count;
    uint n0, n1, n2, n3, n4, n5;   // per-op sizes, see main()
    float f0;
} p;

void main()
{
    uint i = gs_flat_group_index() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.count)
        return;
#if defined(OP_CONCAT)
    // n0 = a's inner length, n1 = b's inner length (in texels with TEXELS).
    uint row_len = p.n0 + p.n1, row = i / row_len, col = i % row_len;
#ifdef TEXELS
    F32x4(p.dst).v[i] = col < p.n0 ? texelFetch(a_texels, int(row * p.n0 + col))
                                   : texelFetch(b_texels, int(row * p.n1 + col - p.n0));
#else
    p.dst.v[i] = col < p.n0 ? p.a.v[row * p.n0 + col] : p.b.v[row * p.n1 + col - p.n0];
#endif
#elif defined(OP_TRANSPOSE)
    // Output [B, n1 = C, n0 = R]: element (b, c, r) = input (b, r, c).
    uint r = i % p.n0, c = (i / p.n0) % p.n1, bb = i / (p.n0 * p.n1);
    p.dst.v[i] = p.a.v[(bb * p.n0 + r) * p.n1 + c];
#elif defined(OP_UPSAMPLE)
    // Output [planes, 2·n0 = 2H, 2·n1 = 2W].
    uint ow = 2 * p.n1, oh = 2 * p.n0;
    uint x = i % ow, y = (i / ow) % oh, plane = i / (ow * oh);
    p.dst.v[i] = p.a.v[(plane * p.n0 + y / 2) * p.n1 + x / 2];
#elif defined(OP_TIMESTEP)
    // Output [N, n0 = dim]; n1 = 1 for cos first; f0 = ln(max_period).
    uint half_dim = p.n0 / 2, col = i % p.n0, row = i / p.n0;
    uint k = col % half_dim;
    float freq = exp(-p.f0 * float(k) / float(half_dim));
    float arg = p.a.v[row] * freq;
    bool first = col < half_dim;
    bool use_cos = (p.n1 != 0) == first;
    p.dst.v[i] = col >= 2 * half_dim ? 0.0 : (use_cos ? cos(arg) : sin(arg));
#elif defined(OP_PAD2D)
    // Output [planes, n2 = Ho, n3 = Wo] from input [planes, n0 = H, n1 = W]
    // placed at row n4 = top, column n5 = left (negative ones crop).
    uint ox = i % p.n3, oy = (i / p.n3) % p.n2, plane = i / (p.n3 * p.n2);
    int y = int(oy) - int(p.n4), x = int(ox) - int(p.n5);
    bool inside = y >= 0 && y < int(p.n0) && x >= 0 && x < int(p.n1);
    p.dst.v[i] = inside ? p.a.v[(plane * p.n0 + uint(y)) * p.n1 + uint(x)] : 0.0;
#elif defined(OP_PADDED_NHWC)
    // Output [N, Hp, Wp, 4·n0 = C] from input [N, C, n1 = H, n2 = W], the
    // image at row and column n3 = pad; 4 channels (one vec4) per invocation.
    uint hp = p.n1 + 2 * p.n3, wp = p.n2 + 2 * p.n3;
    uint c4 = i % p.n0, r = i / p.n0, xp = r % wp, r2 = r / wp, yp = r2 % hp, image = r2 / hp;
    int y = int(yp) - int(p.n3), x = int(xp) - int(p.n3);
    vec4 v = vec4(0.0);
    if (y >= 0 && y < int(p.n1) && x >= 0 && x < int(p.n2)) {
        uint plane = p.n1 * p.n2, at = (image * p.n0 * 4 + c4 * 4) * plane + uint(y) * p.n2 + uint(x);
        v = vec4(p.a.v[at], p.a.v[at + plane], p.a.v[at + 2 * plane], p.a.v[at + 3 * plane]);
    }
    F32x4(p.dst).v[i] = v;
#elif defined(OP_DEPTH_TO_SPACE)
    // Output [planes, n0·n2, n1·n2] from input [planes·n2², n0 = H, n1 = W],
    // n2 = block: out[c, y, x] = in[(c·r + y%r)·r + x%r, y/r, x/r] (torch's
    // pixel_shuffle order).
    uint r = p.n2, ow = p.n1 * r, oh = p.n0 * r;
    uint x = i % ow, y = (i / ow) % oh, plane = i / (ow * oh);
    uint src_c = (plane * r + y % r) * r + x % r;
    p.dst.v[i] = p.a.v[(src_c * p.n0 + y / r) * p.n1 + x / r];
#endif
}
