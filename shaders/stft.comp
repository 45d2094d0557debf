#version 450
// The STFT around the FFT kernels, one item per invocation, with a periodic
// Hann window w(j) = 0.5 − 0.5·cos(2πj/n) and centred frames (reflect
// padding of n/2), as torch.stft/istft with center=True:
// FRAMES       signal [len] → windowed frames [T, n]
// OVERLAP_ADD  frames [T, n] → signal [hop·(T−1)], divided by the summed
//              squared window (the inverse of FRAMES after rfft/irfft)
// GL_PROJECT   one fast Griffin-Lim step per bin: p = |m|·s/|s|,
//              out = p + momentum·(p − prev), prev = p
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
// Frame length (the FFT's size) and hop as specialization constants, so
// that the divisions by them can compile to shifts and multiplications. On
// lavapipe no gain was measured (engine/README.md, "Small shapes").
layout(constant_id = 1) const uint N = 1024;
layout(constant_id = 2) const uint HOP = 256;

layout(push_constant) uniform Push {
    F32 dst;
    F32 a;      // FRAMES: signal; OVERLAP_ADD: frames; GL_PROJECT: spectrum s [bins, 2]
    F32 b;      // GL_PROJECT: magnitude m [bins]
    F32 c;      // GL_PROJECT: previous projection [bins, 2], updated
    uint count;
    uint len;   // FRAMES: signal length; OVERLAP_ADD: frame count T
    float momentum;
} p;

const float TWO_PI = 6.28318530717958647;

float hann(uint j)
{
    return 0.5 - 0.5 * cos(TWO_PI / float(N) * float(j));
}

void main()
{
    uint i = gs_flat_group_index() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.count)
        return;
#if defined(OP_FRAMES)
    uint t = i / N, j = i % N;
    int idx = int(t * HOP + j) - int(N / 2);
    int last = int(p.len) - 1;
    idx = idx < 0 ? -idx : idx;
    idx = idx > last ? 2 * last - idx : idx;
    p.dst.v[i] = p.a.v[clamp(idx, 0, last)] * hann(j);
#elif defined(OP_OVERLAP_ADD)
    // Output sample i sits at padded position i + n/2; frames t with
    // 0 ≤ i + n/2 − t·hop < n cover it (n/hop of them at most).
    uint pos = i + N / 2;
    uint first = pos >= N ? (pos - N) / HOP + 1 : 0;
    uint last = min(pos / HOP, p.len - 1);
    float sum = 0.0, norm = 0.0;
    for (uint t = first; t <= last; t++) {
        uint j = pos - t * HOP;
        float w = hann(j);
        sum += p.a.v[t * N + j] * w;
        norm += w * w;
    }
    p.dst.v[i] = norm > 1e-11 ? sum / norm : 0.0;
#elif defined(OP_GL_PROJECT)
    float re = p.a.v[2 * i], im = p.a.v[2 * i + 1];
    float mag = max(p.b.v[i], 0.0);
    float r = length(vec2(re, im));
    vec2 proj = r > 1e-12 ? vec2(re, im) * (mag / r) : vec2(mag, 0.0);
    // Without momentum prev is only written: it may hold anything before.
    vec2 out_v = proj;
    if (p.momentum != 0.0)
        out_v += p.momentum * (proj - vec2(p.c.v[2 * i], p.c.v[2 * i + 1]));
    p.c.v[2 * i] = proj.x;
    p.c.v[2 * i + 1] = proj.y;
    p.dst.v[2 * i] = out_v.x;
    p.dst.v[2 * i + 1] = out_v.y;
#endif
}
