#version 450
// A starting phase for Griffin-Lim from the magnitudes alone, by the phase
// vocoder's rule with peaks locked (Laroche & Dolson 1999): each spectral
// peak (m[k] > m[k−1], m[k] ≥ m[k+1], m[k] > 0) is a sinusoid at its
// parabola-interpolated frequency f (in bins), so its phase advances
// 2π·f·hop/n a frame; every bin takes the phase of its nearest peak q (the
// lower on a tie), turned by π when |k − q| is odd (a centred Hann window's
// main lobe, frames starting n/2 before their centre); a frame without
// peaks advances each bin at its own centre frequency. Two passes:
// STEPS       one invocation per frame: each bin's q and step, with
//             φ_t[k] = φ_{t−1}[q] + step, stored as (step, q) in dst
// ACCUMULATE  one workgroup walks the frames, bins over its lanes:
//             dst = m·(cos φ, sin φ), φ wrapped to [−π, π]
// lavapipe ends a shader invocation's loops after 65,535 iterations in all,
// silently (engine/README.md): the walk has no loop but the frames'.
// tests/ref/gs-ref-stft.c is the same rule in plain C.
// SPDX-License-Identifier: GPL-3.0-or-later
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"

layout(local_size_x_id = 0) in;

layout(push_constant) uniform Push {
    F32 dst;
    F32 magnitude;
    uint frames;
    uint bins;
    uint hop;
} p;

const float PI = 3.14159265358979324;
const float TWO_PI = 6.28318530717958647;

#if defined(STEPS)
const uint NONE = 0xffffffffu;

float magnitude_at(uint row, uint k)
{
    return max(p.magnitude.v[row + k], 0.0);
}

bool is_peak(uint row, uint k)
{
    if (k == 0 || k + 1 >= p.bins)
        return false;
    float m = magnitude_at(row, k);
    return m > 0.0 && m > magnitude_at(row, k - 1) && m >= magnitude_at(row, k + 1);
}

// A peak's phase step 2π·f·hop/n, the bin centre's part in integers so
// that it stays exact at high bins.
float peak_step(uint row, uint q)
{
    uint n = 2 * (p.bins - 1);
    float a = log(max(magnitude_at(row, q - 1), 1e-30)), b = log(magnitude_at(row, q));
    float c = log(max(magnitude_at(row, q + 1), 1e-30)), curve = a - 2.0 * b + c;
    float offset = abs(curve) > 1e-9 ? 0.5 * (a - c) / curve : 0.0;
    return TWO_PI * (float((q * p.hop) % n) + offset * float(p.hop)) / float(n);
}

// One invocation per frame: upwards, each bin notes the nearest peak below
// (and its step) in its own dst slot; downwards, it takes the nearer of
// that and the nearest peak above (a peak is the bin whose note is itself).
void main()
{
    uint t = gs_flat_group_index() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (t >= p.frames)
        return;
    uint row = t * p.bins, n = 2 * (p.bins - 1);
    uint below = NONE;
    float below_step = 0.0;
    for (uint k = 0; k < p.bins; k++) {
        if (is_peak(row, k)) {
            below = k;
            below_step = peak_step(row, k);
        }
        p.dst.v[2 * (row + k)] = below_step;
        p.dst.v[2 * (row + k) + 1] = uintBitsToFloat(below);
    }
    uint above = NONE;
    float above_step = 0.0;
    for (uint k = p.bins; k-- > 0;) {
        below = floatBitsToUint(p.dst.v[2 * (row + k) + 1]);
        below_step = p.dst.v[2 * (row + k)];
        if (below == k) {
            above = k;
            above_step = below_step;
        }
        bool use_below = below != NONE && (above == NONE || k - below <= above - k);
        uint q = use_below ? below : above;
        float step = use_below ? below_step : above_step;
        if (q == NONE) { // no peak in the frame
            q = k;
            step = TWO_PI * float((k * p.hop) % n) / float(n);
        }
        p.dst.v[2 * (row + k)] = step + (((k ^ q) & 1u) != 0u ? PI : 0.0);
        p.dst.v[2 * (row + k) + 1] = uintBitsToFloat(q);
    }
}
#else
const uint MAX_BINS = 1025; // n ≤ 2048, as the FFT kernels
const uint PER_LANE = 17;   // ⌈1025 / 64⌉: the op runs 64 lanes

shared float phase[MAX_BINS];

float wrap(float x)
{
    return x - TWO_PI * round(x / TWO_PI);
}

void main()
{
    uint lane = gl_LocalInvocationID.x, lanes = gl_WorkGroupSize.x;
    [[unroll]] for (uint i = 0; i < PER_LANE; i++)
        if (lane + i * lanes < p.bins)
            phase[lane + i * lanes] = 0.0;
    barrier();
    for (uint t = 0; t < p.frames; t++) {
        uint row = t * p.bins;
        float next[PER_LANE];
        [[unroll]] for (uint i = 0; i < PER_LANE; i++) {
            uint k = lane + i * lanes;
            if (k < p.bins)
                next[i] = wrap(phase[floatBitsToUint(p.dst.v[2 * (row + k) + 1])] + p.dst.v[2 * (row + k)]);
        }
        barrier();
        [[unroll]] for (uint i = 0; i < PER_LANE; i++) {
            uint k = lane + i * lanes;
            if (k < p.bins) {
                float m = max(p.magnitude.v[row + k], 0.0);
                phase[k] = next[i];
                p.dst.v[2 * (row + k)] = m * cos(next[i]);
                p.dst.v[2 * (row + k) + 1] = m * sin(next[i]);
            }
        }
        barrier();
    }
}
#endif
