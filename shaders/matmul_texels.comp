#version 450
// matmul for CPU drivers (llvmpipe) reading a and b as vec4 texels of
// uniform texel buffers. llvmpipe reads a storage buffer one lane and one
// component at a time, but fetches texels with vector gathers and converts
// fp16 in the same step: 5–10× the loads per second (engine/README.md), so
// neither the 64-bit words nor the subgroup broadcasts of matmul_lanes and
// matmul_weight_lanes are needed. Each lane owns TN4 groups of 4 columns
// and all TM rows of its workgroup; the rows of a are fetched by every lane.
// a is [M, K]; b is [K, N] (a texel holds 4 columns of one k-step) or, with
// CONV_OUT, the conv weight as stored, [O, C·k·k] (a texel holds 4 k-steps
// of one column), and dst is then written transposed, dst[column·LDD + row]
// (NCHW). The bias is per column. K and N multiples of 4.
// IMPLICIT_CONV (which implies CONV_OUT) is a KS×KS conv without the unfold:
// a is the zero-padded input stored channels-last, [images, Hp, Wp, C], and
// its rows are gathered from it tap by tap, 4 channels per texel; b is the
// weight stored taps-major, [O, KS, KS, C]; row r is pixel r % LDD of image
// r / LDD, written at dst[(image·N + column)·LDD + pixel], plus an optional
// bias per image and column.
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#extension GL_EXT_control_flow_attributes : require

layout(local_size_x = 8) in;
const uint LANES = 8;
layout(constant_id = 0) const uint TM = 16; // rows per workgroup
layout(constant_id = 1) const uint TN4 = 4; // groups of 4 columns per lane

layout(set = 0, binding = 0) uniform samplerBuffer a_texels;
layout(set = 0, binding = 1) uniform samplerBuffer b_texels;

#ifdef IMPLICIT_CONV
#define CONV_OUT
layout(constant_id = 2) const uint KS = 3;
#endif

layout(push_constant) uniform Push {
    F32 dst;
    F32 bias;
#ifdef IMPLICIT_CONV
    F32 image_bias;
#endif
    uint M, N, K;
    uint has_bias;
    uint ldd;
#ifdef IMPLICIT_CONV
    uint c4, wo, hp, wp, stride; // input channels / 4, output width, padded input size, stride
    uint has_image_bias;         // image_bias [images, N] added too (a ResBlock's timestep embedding)
#endif
} p;

void main()
{
    uint lane = gl_LocalInvocationID.x;
    int n4 = int(p.N / 4), k4 = int(p.K / 4);
    uint row0 = gl_WorkGroupID.y * TM;
    // Clamped indices keep every lane in the same loop; results outside the
    // matrix are not stored. This lane's column groups: (x·TN4 + j)·LANES + lane.
    int groups[TN4];
    [[unroll]] for (uint j = 0; j < TN4; j++)
        groups[j] = min(int((gl_WorkGroupID.x * TN4 + j) * LANES + lane), n4 - 1);
    int arows[TM];
    vec4 acc[TM][TN4];
    [[unroll]] for (uint i = 0; i < TM; i++)
        [[unroll]] for (uint j = 0; j < TN4; j++)
            acc[i][j] = vec4(0.0);
#ifdef IMPLICIT_CONV
    // Each row's first tap in the padded input, in texels. k-step kq is
    // channels 4·cq … 4·cq + 3 of tap (ky, kx), `shift` texels further on.
    [[unroll]] for (uint i = 0; i < TM; i++) {
        uint r = min(row0 + i, p.M - 1), image = r / p.ldd, pixel = r % p.ldd;
        arows[i] = int(((image * p.hp + pixel / p.wo * p.stride) * p.wp + pixel % p.wo * p.stride) * p.c4);
    }
    int shift = 0, cq = 0, kx = 0, c4 = int(p.c4), next_row = int(p.wp - KS) * c4;
#define A_SHIFT shift
#else
    [[unroll]] for (uint i = 0; i < TM; i++)
        arows[i] = int(min(row0 + i, p.M - 1)) * k4;
#define A_SHIFT kq
#endif

    // Only this loop runs long (K/4 < 65536 iterations: llvmpipe's limit).
    for (int kq = 0; kq < k4; kq++) {
        vec4 w[4][TN4]; // w[kk][j]: group j's 4 columns at k-step kk
        [[unroll]] for (uint j = 0; j < TN4; j++) {
#ifdef CONV_OUT
            [[unroll]] for (int e = 0; e < 4; e++) {
                vec4 steps = texelFetch(b_texels, (groups[j] * 4 + e) * k4 + kq);
                [[unroll]] for (uint kk = 0; kk < 4; kk++)
                    w[kk][j][e] = steps[kk];
            }
#else
            [[unroll]] for (int kk = 0; kk < 4; kk++)
                w[kk][j] = texelFetch(b_texels, (kq * 4 + kk) * n4 + groups[j]);
#endif
        }
        // k innermost: each accumulator is touched once per iteration, which
        // matters because most of them live on the stack.
        [[unroll]] for (uint i = 0; i < TM; i++) {
            vec4 av = texelFetch(a_texels, arows[i] + A_SHIFT);
            [[unroll]] for (uint j = 0; j < TN4; j++)
                [[unroll]] for (uint kk = 0; kk < 4; kk++)
                    acc[i][j] = fma(vec4(av[kk]), w[kk][j], acc[i][j]);
        }
#ifdef IMPLICIT_CONV
        shift++;
        if (++cq == c4) {
            cq = 0;
            if (++kx == int(KS)) {
                kx = 0;
                shift += next_row;
            }
        }
#endif
    }
    [[unroll]] for (uint i = 0; i < TM; i++) {
        uint row = row0 + i;
        if (row >= p.M)
            break;
        [[unroll]] for (uint j = 0; j < TN4; j++) {
            uint c = (gl_WorkGroupID.x * TN4 + j) * LANES + lane;
            if (c >= uint(n4))
                continue;
            [[unroll]] for (uint e = 0; e < 4; e++) {
                float v = acc[i][j][e];
                if (p.has_bias != 0)
                    v += p.bias.v[c * 4 + e];
#if defined(IMPLICIT_CONV)
                uint image = row / p.ldd;
                if (p.has_image_bias != 0)
                    v += p.image_bias.v[image * p.N + c * 4 + e];
                p.dst.v[(image * p.N + c * 4 + e) * p.ldd + row % p.ldd] = v;
#elif defined(CONV_OUT)
                p.dst.v[(c * 4 + e) * p.ldd + row] = v;
#else
                p.dst.v[row * p.N + c * 4 + e] = v;
#endif
            }
        }
    }
}
