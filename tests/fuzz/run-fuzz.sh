#!/bin/sh
# run-fuzz.sh TARGET CORPUS SECONDS: fuzzes for SECONDS from the seed corpus;
# new inputs go to a scratch folder, never into the source tree. A crash
# leaves its input in the current folder (crash-*) and fails the test.
# SPDX-License-Identifier: GPL-3.0-or-later
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$1" -max_total_time="$3" -rss_limit_mb=2048 -timeout=20 -max_len=65536 -print_final_stats=1 "$scratch" "$2"
