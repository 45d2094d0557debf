#version 450
// 1-D unfold (im2col) for token-major sequences, so that a stride-1 conv1d
// becomes one matmul: x [N, L, C] → out [N, Lo, C·K] with
// out[n, t, c·K + k] = x[n, t + k·dilation − pad, c] (0 outside), matching a
// torch Conv1d weight [O, C, K] flattened to [O, C·K].
// UNFOLD2D: one image x [C, H, W] → token-major out [rows·Wo, C·k·k] for
// output rows row0 … row0 + rows − 1, out[(oy − row0)·Wo + ox, (c·k + ky)·k
// + kx] = x[c, oy·stride + ky − pad, ox·stride + kx − pad] (0 outside), so
// that out times the torch Conv2d weight [O, C, k, k] seen as [O, C·k·k],
// transposed, is the conv. Consecutive invocations write consecutive floats.
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#extension GL_EXT_control_flow_attributes : require

layout(local_size_x_id = 0) in;

#ifdef UNFOLD2D
// One invocation per (pixel, channel) writes its k·k taps: k is a
// specialization constant so the taps unroll, and the index arithmetic
// (integer divisions, slow on llvmpipe) is done once per k·k outputs.
layout(constant_id = 1) const uint KS = 3;

layout(push_constant) uniform Push {
    F32 dst;
    F32 x;
    uint count; // pixels · C
    uint C, H, W, K, Wo;
    uint stride, pad, row0;
} p;

void main()
{
    uint i = gs_flat_group_index() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.count)
        return;
    uint c = i % p.C, j = i / p.C;
    uint oy = p.row0 + j / p.Wo, ox = j % p.Wo;
    int y0 = int(oy * p.stride) - int(p.pad), x0 = int(ox * p.stride) - int(p.pad);
    uint base = c * p.H * p.W, o = i * KS * KS;
    [[unroll]] for (uint ky = 0; ky < KS; ky++) {
        int y = y0 + int(ky);
        [[unroll]] for (uint kx = 0; kx < KS; kx++) {
            int x = x0 + int(kx);
            bool inside = y >= 0 && y < int(p.H) && x >= 0 && x < int(p.W);
            p.dst.v[o + ky * KS + kx] = inside ? p.x.v[base + uint(y) * p.W + uint(x)] : 0.0;
        }
    }
}
#else
// One invocation per (token, channel) writes its K taps, K a specialization
// constant: consecutive invocations write consecutive runs of K floats and
// read consecutive channels, and the integer divisions (slow on llvmpipe)
// are done once per K outputs instead of four times per output.
layout(constant_id = 1) const uint KS = 5;

layout(push_constant) uniform Push {
    F32 dst;
    F32 x;
    uint count; // N · Lo · C
    uint L, C, Lo;
    uint pad, dilation;
} p;

void main()
{
    uint i = gs_flat_group_index() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.count)
        return;
    uint c = i % p.C, j = i / p.C;
    uint t = j % p.Lo, n = j / p.Lo;
    int s0 = int(t) - int(p.pad);
    uint o = i * KS;
    [[unroll]] for (uint k = 0; k < KS; k++) {
        int s = s0 + int(k * p.dilation);
        p.dst.v[o + k] = s >= 0 && s < int(p.L) ? p.x.v[(n * p.L + uint(s)) * p.C + c] : 0.0;
    }
}
#endif
