// One fast Griffin-Lim step on a bin (Perraudin, Balazs & Søndergaard 2013):
// p = |m|·s/|s|, returns p + momentum·(p − prev) and leaves p in prev.
// Shared by stft.comp's projection and fft.comp's fused rfft + projection.
// SPDX-License-Identifier: GPL-3.0-or-later

vec2 griffin_lim_step(vec2 s, float magnitude, inout vec2 prev, float momentum)
{
    float mag = max(magnitude, 0.0);
    float r = length(s);
    vec2 proj = r > 1e-12 ? s * (mag / r) : vec2(mag, 0.0);
    vec2 out_v = proj + momentum * (proj - prev);
    prev = proj;
    return out_v;
}
