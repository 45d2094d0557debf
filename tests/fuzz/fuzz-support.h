/* Shared by the libFuzzer targets: the input as a NUL-terminated string,
 * and the input written to a file for readers that take a path.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* A malloc'd copy of data with a NUL after it (free() it). */
char *fuzz_string(const uint8_t *data, size_t size);
/* Writes data to one scratch file of this process (in /dev/shm when there
 * is one) and returns its path; NULL if it cannot. */
const char *fuzz_file(const uint8_t *data, size_t size, const char *suffix);
