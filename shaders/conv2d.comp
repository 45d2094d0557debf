#version 450
// 2-D convolution as an implicit GEMM: the output [N,O,Ho,Wo] is a matrix of
// O rows × (N·Ho·Wo) columns, K = C·k·k, and the "im2col" column is read on
// the fly instead of being materialised. Each invocation keeps TO output
// channels × TP output pixels in registers; its pixels are strided by the
// workgroup width so neighbouring invocations read neighbouring pixels, and
// the weights it reads are the same across the row of invocations.
// With SHARED_WEIGHTS (CPU drivers, where the workgroup row is one subgroup
// of 8 and every load is a loop over the lanes) those weights are loaded once
// per subgroup, TO/8 per lane, and handed out with subgroupBroadcast, as in
// matmul_lanes.comp.
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#extension GL_EXT_control_flow_attributes : require
#ifdef SHARED_WEIGHTS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_ballot : require
const uint LANES = 8;
#endif

layout(local_size_x_id = 0, local_size_y_id = 1) in;
layout(constant_id = 2) const uint TO = 4;
layout(constant_id = 3) const uint TP = 4;

#ifdef WEIGHT_F16
#define WEIGHT F16
#else
#define WEIGHT F32
#endif

#ifdef TEXELS
// Input and weights as one-float texels: llvmpipe gathers texels in vector
// loads where it reads a storage buffer one lane at a time.
layout(set = 0, binding = 0) uniform samplerBuffer x_texels;
layout(set = 0, binding = 1) uniform samplerBuffer w_texels;
#define LOAD_X(i) texelFetch(x_texels, int(i)).r
#define LOAD_W(i) texelFetch(w_texels, int(i)).r
#else
#define LOAD_X(i) p.x.v[i]
#define LOAD_W(i) float(p.w.v[i])
#endif

layout(push_constant) uniform Push {
    F32 dst;
    F32 x;
    WEIGHT w;
    F32 bias;
    uint N, C, H, W;
    uint O, Ho, Wo;
    uint ksize, stride, pad;
    uint has_bias;
} p;

void main()
{
    uint pixels = p.N * p.Ho * p.Wo;
    uint pix0 = gl_WorkGroupID.x * gl_WorkGroupSize.x * TP + gl_LocalInvocationID.x;
    uint pix_step = gl_WorkGroupSize.x;
    uint oc0 = gl_GlobalInvocationID.y * TO;
    // Lanes past the last pixel keep running on clamped indices (and store
    // nothing): with SHARED_WEIGHTS the others need the weights they load.
    if (oc0 >= p.O)
        return;

    int iy0[TP], ix0[TP];
    uint xbase[TP];
    [[unroll]] for (uint j = 0; j < TP; j++) {
        uint q = min(pix0 + j * pix_step, pixels - 1);
        uint ox = q % p.Wo, oy = (q / p.Wo) % p.Ho, n = q / (p.Wo * p.Ho);
        iy0[j] = int(oy * p.stride) - int(p.pad);
        ix0[j] = int(ox * p.stride) - int(p.pad);
        xbase[j] = n * p.C * p.H * p.W;
    }
    uint wkk = p.ksize * p.ksize;
#ifdef SHARED_WEIGHTS
    uint wrows[TO / LANES];
    [[unroll]] for (uint t = 0; t < TO / LANES; t++)
        wrows[t] = min(oc0 + gl_SubgroupInvocationID + t * LANES, p.O - 1) * p.C * wkk;
#else
    uint wrows[TO];
    [[unroll]] for (uint i = 0; i < TO; i++)
        wrows[i] = min(oc0 + i, p.O - 1) * p.C * wkk;
#endif

    float acc[TO][TP];
    [[unroll]] for (uint i = 0; i < TO; i++)
        [[unroll]] for (uint j = 0; j < TP; j++)
            acc[i][j] = 0.0;

    for (uint c = 0; c < p.C; c++) {
        for (uint ky = 0; ky < p.ksize; ky++) {
            for (uint kx = 0; kx < p.ksize; kx++) {
                float xv[TP], wv[TO];
                [[unroll]] for (uint j = 0; j < TP; j++) {
                    int iy = iy0[j] + int(ky), ix = ix0[j] + int(kx);
                    bool inside = iy >= 0 && iy < int(p.H) && ix >= 0 && ix < int(p.W);
                    uint idx = xbase[j] + (c * p.H + uint(clamp(iy, 0, int(p.H) - 1))) * p.W +
                               uint(clamp(ix, 0, int(p.W) - 1));
                    xv[j] = inside ? LOAD_X(idx) : 0.0;
                }
                uint widx = c * wkk + ky * p.ksize + kx;
#ifdef SHARED_WEIGHTS
                float mine[TO / LANES];
                [[unroll]] for (uint t = 0; t < TO / LANES; t++)
                    mine[t] = LOAD_W(wrows[t] + widx);
                [[unroll]] for (uint i = 0; i < TO; i++)
                    wv[i] = subgroupBroadcast(mine[i / LANES], i % LANES);
#else
                [[unroll]] for (uint i = 0; i < TO; i++)
                    wv[i] = LOAD_W(wrows[i] + widx);
#endif
                [[unroll]] for (uint i = 0; i < TO; i++)
                    [[unroll]] for (uint j = 0; j < TP; j++)
                        acc[i][j] = fma(wv[i], xv[j], acc[i][j]);
            }
        }
    }
    [[unroll]] for (uint j = 0; j < TP; j++) {
        uint q = pix0 + j * pix_step;
        if (q >= pixels)
            break;
        uint ox = q % p.Wo, oy = (q / p.Wo) % p.Ho, n = q / (p.Wo * p.Ho);
        [[unroll]] for (uint i = 0; i < TO; i++) {
            uint oc = oc0 + i;
            if (oc >= p.O)
                break;
            float v = acc[i][j];
            if (p.has_bias != 0)
                v += p.bias.v[oc];
            p.dst.v[((n * p.O + oc) * p.Ho + oy) * p.Wo + ox] = v;
        }
    }
}
