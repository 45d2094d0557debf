#version 450
// Softmax over each contiguous row, max-subtracted for stability.
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x = 256) in;
#include "reduce.glsl"

layout(push_constant) uniform Push {
    F32 dst;
    F32 x;
    uint row_len;
} p;

void main()
{
    uint base = gs_flat_group_index() * p.row_len;
    float m = -3.402823e38;
    for (uint i = gl_LocalInvocationID.x; i < p.row_len; i += gl_WorkGroupSize.x)
        m = max(m, p.x.v[base + i]);
    m = gs_workgroup_max(m);
    float s = 0.0;
    for (uint i = gl_LocalInvocationID.x; i < p.row_len; i += gl_WorkGroupSize.x)
        s += exp(p.x.v[base + i] - m);
    float inv = 1.0 / gs_workgroup_sum(s);
    for (uint i = gl_LocalInvocationID.x; i < p.row_len; i += gl_WorkGroupSize.x)
        p.dst.v[base + i] = exp(p.x.v[base + i] - m) * inv;
}
