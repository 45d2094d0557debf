// Shared declarations for every GenStudio compute shader.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Tensors are reached through buffer device addresses held in push
// constants. Convention for push-constant blocks, so that the C structs in
// engine/ops/ match byte for byte: all buffer references first, then 32-bit
// scalars (uint, int, float) only; no vectors.
#extension GL_EXT_buffer_reference : require
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require

layout(buffer_reference, std430, buffer_reference_align = 4) buffer F32 { float v[]; };
layout(buffer_reference, std430, buffer_reference_align = 16) buffer F32x4 { vec4 v[]; };
layout(buffer_reference, std430, buffer_reference_align = 2) buffer F16 { float16_t v[]; };
layout(buffer_reference, std430, buffer_reference_align = 8) buffer F16x4 { f16vec4 v[]; };

// Flat workgroup index for dispatches that spill past 65535 groups into y
// (see gs_stream_dispatch_1d).
uint gs_flat_group_index()
{
    return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
}

// erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7).
float erf_approx(float x)
{
    float t = 1.0 / (1.0 + 0.3275911 * abs(x));
    float y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x);
    return sign(x) * y;
}

float gelu(float x)
{
    return 0.5 * x * (1.0 + erf_approx(x * 0.70710678118654752));
}
