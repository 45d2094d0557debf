# Shared by the CLI test scripts: a scratch folder, a failure count, and
# `expect DESCRIPTION STATUS COMMAND...`, which runs the command with its
# output in $work/out and $work/err and checks its exit status.
# SPDX-License-Identifier: GPL-3.0-or-later
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

expect() {
  what=$1 want=$2
  shift 2
  "$@" >"$work/out" 2>"$work/err"
  got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $what: exit $got, expected $want"; cat "$work/err"; failures=$((failures + 1))
  else
    echo "ok: $what ($(tail -c 160 "$work/err" | tr '\r\n' '  '))"
  fi
}
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }
