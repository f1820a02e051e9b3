#!/bin/sh
# Formats native/ with clang-format (style: native/.clang-format), or with --check only says
# which files differ and fails. The layout differs between clang-format majors: CI and the
# committed tree use Debian 12's clang-format 14.
set -eu
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null 2>&1; then
  echo "format-c: clang-format not found, native/ was not checked or formatted; install it (Debian: apt-get install clang-format)" >&2
  exit 1
fi
major=$(clang-format --version | sed -n 's/.*version \([0-9]*\).*/\1/p')
[ "$major" = 14 ] || echo "format-c: clang-format $major here, the tree is formatted with 14: expect layout differences" >&2
files=$(ls native/*.[ch] native/layer/*.[ch] native/test/*.c)
if [ "${1:-}" = --check ]; then
  # shellcheck disable=SC2086
  clang-format --dry-run --Werror $files
else
  # shellcheck disable=SC2086
  clang-format -i $files
fi
