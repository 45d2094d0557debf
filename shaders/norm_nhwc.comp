#version 450
// GroupNorm applied from per-(sample, group) statistics (norm.comp's STATS),
// optionally with SiLU, written zero-padded and channels-last: out [N, H +
// 2·pad, W + 2·pad, C] from x [N, C, H, W], the input of the implicit-GEMM
// conv (matmul_texels.comp's IMPLICIT_CONV) in one pass instead of two.
// One invocation per 4 channels of an output pixel.
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;

layout(push_constant) uniform Push {
    F32x4 dst;
    F32 x;
    F32 gamma;
    F32 beta;
    F32 stats;
    uint count;              // N·Hp·Wp·C/4
    uint c4, h, w, pad;
    uint groups, group_channels;
} p;

void main()
{
    uint i = gs_flat_group_index() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.count)
        return;
    uint hp = p.h + 2 * p.pad, wp = p.w + 2 * p.pad;
    uint c4 = i % p.c4, r = i / p.c4, xp = r % wp, r2 = r / wp, yp = r2 % hp, image = r2 / hp;
    int y = int(yp) - int(p.pad), x = int(xp) - int(p.pad);
    vec4 v = vec4(0.0);
    if (y >= 0 && y < int(p.h) && x >= 0 && x < int(p.w)) {
        uint plane = p.h * p.w, at = (image * p.c4 * 4 + c4 * 4) * plane + uint(y) * p.w + uint(x);
        for (uint e = 0; e < 4; e++) {
            uint c = c4 * 4 + e, row = image * p.groups + c / p.group_channels;
            float z = (p.x.v[at + e * plane] - p.stats.v[2 * row]) * p.stats.v[2 * row + 1];
            z = z * p.gamma.v[c] + p.beta.v[c];
#ifdef SILU
            z = z / (1.0 + exp(-z));
#endif
            v[e] = z;
        }
    }
    p.dst.v[i] = v;
}
