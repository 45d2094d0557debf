#version 450
// Real FFT and its inverse for n = 2^m, 256 ≤ n ≤ 2048: one workgroup of
// n/16 invocations per row, a Stockham (self-sorting, no bit reversal)
// transform in three passes — radix 16, radix 16, radix n/256 — each
// invocation holding its butterfly's points in registers. Few passes matter
// on lavapipe, where every shared-memory access is a per-lane scalar loop and
// a barrier switches between all the workgroup's invocation groups: the
// radix-2 kernel this replaces took log2(n) passes of 256 invocations.
// Two real rows, a = 2·pair and b = a + 1, share one complex transform (half
// the work of one transform per row): forward, z = x_a + i·x_b and, with
// Z* = conj Z[n−k], X_a[k] = (Z[k] + Z*)/2 and X_b[k] = (Z[k] − Z*)/(2i);
// inverse, each spectrum made Hermitian from its n/2+1 bins, Z = X_a + i·X_b
// transforms back to z = x_a + i·x_b.
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_EXT_control_flow_attributes : require
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in; // n/16
layout(constant_id = 1) const uint N = 1024;
const uint WORKGROUP = gl_WorkGroupSize.x;
const uint LAST_RADIX = N / 256;

layout(push_constant) uniform Push {
    F32 dst;
    F32 src;
    uint rows; // an odd count leaves the last pair without its b row
} p;

shared vec2 data[2048];

#ifdef INVERSE
const float DIRECTION = 1.0;
#else
const float DIRECTION = -1.0;
#endif
const float TWO_PI = 6.28318530717958647;
// cos and sin of 2πm/16, m = 0..15: the twiddles inside the 8- and 16-point DFTs.
const float COS16[16] = float[](1.0, 0.923879532511287, 0.707106781186548, 0.382683432365090, 0.0,
                                -0.382683432365090, -0.707106781186548, -0.923879532511287, -1.0,
                                -0.923879532511287, -0.707106781186548, -0.382683432365090, 0.0,
                                0.382683432365090, 0.707106781186548, 0.923879532511287);
const float SIN16[16] = float[](0.0, 0.382683432365090, 0.707106781186548, 0.923879532511287, 1.0,
                                0.923879532511287, 0.707106781186548, 0.382683432365090, 0.0,
                                -0.382683432365090, -0.707106781186548, -0.923879532511287, -1.0,
                                -0.923879532511287, -0.707106781186548, -0.382683432365090);

vec2 mul(vec2 a, vec2 b)
{
    return vec2(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

// a · e^(DIRECTION·i·2πm/16)
vec2 turn16(vec2 a, uint m)
{
    return mul(a, vec2(COS16[m], DIRECTION * SIN16[m]));
}

// a · e^(DIRECTION·iπ/2), without multiplications
vec2 quarter_turn(vec2 a)
{
    return DIRECTION * vec2(-a.y, a.x);
}

void dft2(inout vec2 v[16], uint first, uint stride)
{
    vec2 a = v[first], b = v[first + stride];
    v[first] = a + b;
    v[first + stride] = a - b;
}

void dft4(inout vec2 v[16], uint first, uint stride)
{
    vec2 x0 = v[first], x1 = v[first + stride], x2 = v[first + 2 * stride], x3 = v[first + 3 * stride];
    vec2 s0 = x0 + x2, d0 = x0 - x2, s1 = x1 + x3, d1 = quarter_turn(x1 - x3);
    v[first] = s0 + s1;
    v[first + stride] = d0 + d1;
    v[first + 2 * stride] = s0 - s1;
    v[first + 3 * stride] = d0 - d1;
}

// The R = P·Q point DFTs split in four steps: Q-point DFTs of the points
// j1 + P·j2, twiddles W_R^(j1·k1), P-point DFTs of neighbours; X[k1 + Q·k2]
// then sits at v[P·k1 + k2] and is moved into natural order.
void dft8(inout vec2 v[16])
{
    [[unroll]] for (uint j1 = 0; j1 < 2; j1++)
        dft4(v, j1, 2);
    [[unroll]] for (uint k1 = 1; k1 < 4; k1++)
        v[1 + 2 * k1] = turn16(v[1 + 2 * k1], 2 * k1);
    [[unroll]] for (uint k1 = 0; k1 < 4; k1++)
        dft2(v, 2 * k1, 1);
    vec2 t[16] = v;
    [[unroll]] for (uint k1 = 0; k1 < 4; k1++)
        [[unroll]] for (uint k2 = 0; k2 < 2; k2++)
            v[k1 + 4 * k2] = t[2 * k1 + k2];
}

void dft16(inout vec2 v[16])
{
    [[unroll]] for (uint j1 = 0; j1 < 4; j1++)
        dft4(v, j1, 4);
    [[unroll]] for (uint j1 = 1; j1 < 4; j1++)
        [[unroll]] for (uint k1 = 1; k1 < 4; k1++)
            v[j1 + 4 * k1] = turn16(v[j1 + 4 * k1], j1 * k1);
    [[unroll]] for (uint k1 = 0; k1 < 4; k1++)
        dft4(v, 4 * k1, 1);
    vec2 t[16] = v;
    [[unroll]] for (uint k1 = 0; k1 < 4; k1++)
        [[unroll]] for (uint k2 = 0; k2 < 4; k2++)
            v[k1 + 4 * k2] = t[4 * k1 + k2];
}

// The last pass's radix, n/256 (1 at n = 256: a plain copy).
void dft_last(inout vec2 v[16])
{
    if (LAST_RADIX == 8)
        dft8(v);
    else if (LAST_RADIX == 4)
        dft4(v, 0, 1);
    else if (LAST_RADIX == 2)
        dft2(v, 0, 1);
}

// Stockham pass of radix R after `sorted` points are in order: butterfly j
// takes v[r] = x[j + r·n/R], turns v[r] by 2π·k·r/(sorted·R) with
// k = j mod sorted, and its DFT's X[r] goes to (j / sorted)·sorted·R + k + r·sorted.
void twiddle(inout vec2 v[16], uint radix, uint k, uint sorted)
{
    [[unroll]] for (uint r = 1; r < radix; r++) {
        float angle = DIRECTION * TWO_PI * float(k * r) / float(sorted * radix);
        v[r] = mul(v[r], vec2(cos(angle), sin(angle)));
    }
}

#ifdef INVERSE
// Bin i of a row's full spectrum; the imaginary parts of DC and Nyquist are
// dropped (as torch.fft.irfft ignores them), which also keeps a row's out of
// the other's real output.
vec2 bin(uint row, uint i)
{
    uint bins = N / 2 + 1, k = i < bins ? i : N - i;
    vec2 v = vec2(p.src.v[(row * bins + k) * 2], p.src.v[(row * bins + k) * 2 + 1]);
    return i == 0 || i == N / 2 ? vec2(v.x, 0.0) : i < bins ? v : vec2(v.x, -v.y);
}

vec2 load(uint a, uint i)
{
    vec2 xb = a + 1 < p.rows ? bin(a + 1, i) : vec2(0.0);
    return bin(a, i) + vec2(-xb.y, xb.x);
}

void store(uint a, uint i, vec2 v)
{
    p.dst.v[a * N + i] = v.x / float(N);
    if (a + 1 < p.rows)
        p.dst.v[(a + 1) * N + i] = v.y / float(N);
}
#else
vec2 load(uint a, uint i)
{
    return vec2(p.src.v[a * N + i], a + 1 < p.rows ? p.src.v[(a + 1) * N + i] : 0.0);
}

// The two rows' bins k = 0..n/2 from the transform, in natural order in data.
void store_bins(uint a, uint j)
{
    uint bins = N / 2 + 1;
    for (uint k = j; k < bins; k += WORKGROUP) {
        vec2 z = data[k], w = data[(N - k) % N];
        vec2 sum = 0.5 * (z + vec2(w.x, -w.y)), diff = 0.5 * (z - vec2(w.x, -w.y));
        p.dst.v[(a * bins + k) * 2] = sum.x;
        p.dst.v[(a * bins + k) * 2 + 1] = sum.y;
        if (a + 1 < p.rows) {
            p.dst.v[((a + 1) * bins + k) * 2] = diff.y;
            p.dst.v[((a + 1) * bins + k) * 2 + 1] = -diff.x;
        }
    }
}
#endif

void main()
{
    uint a = 2 * gs_flat_group_index(), j = gl_LocalInvocationID.x;
    vec2 v[16];
    // Pass 1, radix 16, nothing sorted yet (no twiddles): global → shared.
    [[unroll]] for (uint r = 0; r < 16; r++)
        v[r] = load(a, j + r * WORKGROUP);
    dft16(v);
    [[unroll]] for (uint r = 0; r < 16; r++)
        data[j * 16 + r] = v[r];
    barrier();
    // Pass 2, radix 16 after 16 sorted, in place: every read before any write.
    [[unroll]] for (uint r = 0; r < 16; r++)
        v[r] = data[j + r * WORKGROUP];
    twiddle(v, 16, j % 16, 16);
    dft16(v);
    barrier();
    [[unroll]] for (uint r = 0; r < 16; r++)
        data[(j / 16) * 256 + j % 16 + r * 16] = v[r];
    barrier();
    // Pass 3, radix n/256 after 256 sorted, 256 butterflies: the inverse
    // stores its real rows; the forward puts Z back in shared memory (each
    // butterfly where it read), then splits it into the two rows' bins.
    for (uint b = j; b < 256; b += WORKGROUP) {
        [[unroll]] for (uint r = 0; r < LAST_RADIX; r++)
            v[r] = data[b + r * 256];
        twiddle(v, LAST_RADIX, b, 256);
        dft_last(v);
        [[unroll]] for (uint r = 0; r < LAST_RADIX; r++)
#ifdef INVERSE
            store(a, b + r * 256, v[r]);
#else
            data[b + r * 256] = v[r];
#endif
    }
#ifndef INVERSE
    barrier();
    store_bins(a, j);
#endif
}
