#version 450
// Real FFT and its inverse for n = 2^m, 256 ≤ n ≤ 2048: one workgroup per
// row, an in-place radix-2 Cooley–Tukey transform on n complex values in
// shared memory (16 KiB at n = 2048). The real input is transformed as a
// complex sequence with zero imaginary part; the inverse rebuilds the full
// Hermitian spectrum from the n/2+1 bins, so both are plain complex FFTs.
// Twiddles are computed in the shader from the exact angle 2π·k/n.
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x = 256) in;

layout(push_constant) uniform Push {
    F32 dst;
    F32 src;
    uint n;
    uint log2n;
} p;

shared vec2 data[2048];

uint reverse_bits(uint v, uint bits)
{
    return bitfieldReverse(v) >> (32 - bits);
}

void main()
{
    uint row = gs_flat_group_index();
    uint n = p.n, bins = n / 2 + 1;
#ifdef INVERSE
    const float direction = 1.0;
    for (uint i = gl_LocalInvocationID.x; i < n; i += gl_WorkGroupSize.x) {
        uint k = i < bins ? i : n - i;
        vec2 v = vec2(p.src.v[(row * bins + k) * 2], p.src.v[(row * bins + k) * 2 + 1]);
        data[reverse_bits(i, p.log2n)] = i < bins ? v : vec2(v.x, -v.y);
    }
#else
    const float direction = -1.0;
    for (uint i = gl_LocalInvocationID.x; i < n; i += gl_WorkGroupSize.x)
        data[reverse_bits(i, p.log2n)] = vec2(p.src.v[row * n + i], 0.0);
#endif
    barrier();
    for (uint half_size = 1; half_size < n; half_size *= 2) {
        for (uint b = gl_LocalInvocationID.x; b < n / 2; b += gl_WorkGroupSize.x) {
            uint group = b / half_size, pos = b % half_size;
            uint i = group * 2 * half_size + pos, j = i + half_size;
            float angle = direction * 3.14159265358979 * float(pos) / float(half_size);
            vec2 w = vec2(cos(angle), sin(angle));
            vec2 odd = vec2(data[j].x * w.x - data[j].y * w.y, data[j].x * w.y + data[j].y * w.x);
            vec2 even = data[i];
            data[i] = even + odd;
            data[j] = even - odd;
        }
        barrier();
    }
#ifdef INVERSE
    for (uint i = gl_LocalInvocationID.x; i < n; i += gl_WorkGroupSize.x)
        p.dst.v[row * n + i] = data[i].x / float(n);
#else
    for (uint k = gl_LocalInvocationID.x; k < bins; k += gl_WorkGroupSize.x) {
        p.dst.v[(row * bins + k) * 2] = data[k].x;
        p.dst.v[(row * bins + k) * 2 + 1] = data[k].y;
    }
#endif
}
