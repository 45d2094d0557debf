/* What the speech benches share (bench speech, bench clone).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

/* Runs a command (searched in PATH); its stdout in *out if `out`. Fails
 * on a non-zero exit, naming the command. */
gboolean gs_bench_run(const char *const *argv, char **out, GError **error);
/* pocketsphinx_continuous's hypothesis text for a WAV of any rate (made
 * 16 kHz mono by sox in `dir`). */
char *gs_bench_recognise(const char *wav, const char *dir, GError **error);
/* Word-level edit distance over the reference's length, on lower-case
 * words of letters and apostrophes. */
double gs_bench_word_error_rate(const char *reference, const char *hypothesis);
/* The first `wanted` (0: all) lines of `path` (NULL:
 * data/bench/speech-sentences.txt), "TEXT" or "TEXT<tab>WORDS" (the words a line's digits are read as): the
 * texts to speak, NULL-terminated, and in *reference all the words they
 * should be heard as. */
char **gs_bench_read_sentences(const char *path, int wanted, char **reference, GError **error);
