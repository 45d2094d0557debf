#version 450
// Normalises contiguous rows: a GroupNorm group of NCHW data (channels ×
// spatial of one sample) or a LayerNorm row. The affine parameter of element
// i of row r is index (r % rows_per_sample)·channels_per_row + i / spatial.
// Two passes (mean, then variance) for stability; optional fused SiLU
// (GroupNorm in a ResBlock) or GELU (LayerNorm in a speech block). STATS
// writes each row's mean and 1/σ to dst[2·row], dst[2·row + 1] instead
// (norm_nhwc.comp then applies them).
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

#ifdef SERIAL
// CPU drivers: one invocation per row, no barriers (they cost more there
// than the serial sums; llvmpipe still runs 8 rows side by side). Workgroups
// of 8 rows, llvmpipe's vector width: it runs one workgroup per thread, and
// the UNet's 64 GroupNorm rows in one workgroup of 64 kept a core idle.
layout(local_size_x = 8) in;
#define ROW (gs_flat_group_index() * gl_WorkGroupSize.x + gl_LocalInvocationID.x)
#define FIRST 0
#define STEP 1
#define SUM(v) (v)
#else
layout(local_size_x = 256) in;
#include "reduce.glsl"
#define ROW gs_flat_group_index()
#define FIRST gl_LocalInvocationID.x
#define STEP gl_WorkGroupSize.x
#define SUM(v) gs_workgroup_sum(v)
#endif

layout(push_constant) uniform Push {
    F32 dst;
    F32 x;
    F32 gamma;
    F32 beta;
    uint row_len;
    uint rows_per_sample;
    uint channels_per_row;
    uint spatial;
    float eps;
    uint rows;
} p;

void main()
{
    uint row = ROW;
#ifdef SERIAL
    if (row >= p.rows)
        return;
#endif
    uint base = row * p.row_len;
    float s = 0.0;
    for (uint i = FIRST; i < p.row_len; i += STEP)
        s += p.x.v[base + i];
    float mean = SUM(s) / float(p.row_len);
    float q = 0.0;
    for (uint i = FIRST; i < p.row_len; i += STEP) {
        float d = p.x.v[base + i] - mean;
        q += d * d;
    }
    float inv = inversesqrt(SUM(q) / float(p.row_len) + p.eps);
#ifdef STATS
    if (FIRST == 0) {
        p.dst.v[2 * row] = mean;
        p.dst.v[2 * row + 1] = inv;
    }
#else
    uint param0 = (row % p.rows_per_sample) * p.channels_per_row;
    for (uint i = FIRST; i < p.row_len; i += STEP) {
        uint c = param0 + i / p.spatial;
        float y = (p.x.v[base + i] - mean) * inv * p.gamma.v[c] + p.beta.v[c];
#if defined(SILU)
        y = y / (1.0 + exp(-y));
#elif defined(GELU)
        y = gelu(y);
#endif
        p.dst.v[base + i] = y;
    }
#endif
}
