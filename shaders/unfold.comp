#version 450
// 1-D unfold (im2col) for token-major sequences, so that a stride-1 conv1d
// becomes one matmul: x [N, L, C] → out [N, Lo, C·K] with
// out[n, t, c·K + k] = x[n, t + k·dilation − pad, c] (0 outside), matching a
// torch Conv1d weight [O, C, K] flattened to [O, C·K].
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;

layout(push_constant) uniform Push {
    F32 dst;
    F32 x;
    uint count;
    uint L, C, K, Lo;
    uint pad, dilation;
} p;

void main()
{
    uint i = gs_flat_group_index() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.count)
        return;
    uint row = p.C * p.K;
    uint col = i % row, t = (i / row) % p.Lo, n = i / (row * p.Lo);
    uint c = col / p.K, k = col % p.K;
    int s = int(t + k * p.dilation) - int(p.pad);
    p.dst.v[i] = s >= 0 && s < int(p.L) ? p.x.v[(n * p.L + uint(s)) * p.C + c] : 0.0;
}
