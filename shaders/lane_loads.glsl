// Vector loads for the CPU-driver kernels (matmul_lanes, attention_lanes).
// llvmpipe turns each load into a loop over the 8 lanes and over the
// components, so with shaderInt64 (WORD64) a vec4 is read as two 64-bit
// words (half the scalar loads) and four halves as one word (a quarter),
// then unpacked in registers, where the arithmetic is vectorised.
// SPDX-License-Identifier: GPL-3.0-or-later
#ifdef WORD64
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
layout(buffer_reference, std430, buffer_reference_align = 16) buffer W64x2 { u64vec2 v[]; };
layout(buffer_reference, std430, buffer_reference_align = 8) buffer W64 { uint64_t v[]; };
#define VEC4_BUFFER W64x2
#define HALF4_BUFFER W64
vec4 gs_vec4_from_words(u64vec2 w)
{
    return vec4(uintBitsToFloat(unpackUint2x32(w.x)), uintBitsToFloat(unpackUint2x32(w.y)));
}
vec4 gs_vec4_from_halves(uint64_t w)
{
    uvec2 u = unpackUint2x32(w);
    return vec4(unpackHalf2x16(u.x), unpackHalf2x16(u.y));
}
#define LOAD_VEC4(buffer, i) gs_vec4_from_words((buffer).v[i])
#define LOAD_HALF4(buffer, i) gs_vec4_from_halves((buffer).v[i])
#else
#define VEC4_BUFFER F32x4
#define HALF4_BUFFER F16x4
#define LOAD_VEC4(buffer, i) (buffer).v[i]
#define LOAD_HALF4(buffer, i) vec4((buffer).v[i])
#endif
