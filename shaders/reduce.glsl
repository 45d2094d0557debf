// Workgroup-wide sum and max through shared memory (all invocations call).
// SPDX-License-Identifier: GPL-3.0-or-later
shared float gs_partial[gl_WorkGroupSize.x];

float gs_workgroup_sum(float v)
{
    gs_partial[gl_LocalInvocationID.x] = v;
    barrier();
    for (uint s = gl_WorkGroupSize.x / 2; s > 0; s >>= 1) {
        if (gl_LocalInvocationID.x < s)
            gs_partial[gl_LocalInvocationID.x] += gs_partial[gl_LocalInvocationID.x + s];
        barrier();
    }
    float total = gs_partial[0];
    barrier();
    return total;
}

float gs_workgroup_max(float v)
{
    gs_partial[gl_LocalInvocationID.x] = v;
    barrier();
    for (uint s = gl_WorkGroupSize.x / 2; s > 0; s >>= 1) {
        if (gl_LocalInvocationID.x < s)
            gs_partial[gl_LocalInvocationID.x] = max(gs_partial[gl_LocalInvocationID.x], gs_partial[gl_LocalInvocationID.x + s]);
        barrier();
    }
    float total = gs_partial[0];
    barrier();
    return total;
}
