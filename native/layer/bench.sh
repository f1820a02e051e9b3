#!/bin/bash
# Throughput of cubicle-layer (make -C native/layer bench), beside the tools it replaces:
#   extract: a ~100 MB layer (big and small files) vs GNU tar -x and a plain cp of the tar;
#   digest:  a ~500 MB tree vs sha256sum of a tar of the same data.
# Page cache warm (the inputs were just written); times are wall clock, best of RUNS.
# Prints numbers, asserts nothing: benchmarks are not tests.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
TOOL=$(realpath "${1:-$HERE/cubicle-layer}")
RUNS=${RUNS:-3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cubicle-layer-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# make_tree DIR BIG_COUNT BIG_BYTES SMALL_COUNT SMALL_BYTES: incompressible files in nested dirs.
make_tree() {
  python3 - "$@" <<'EOF'
import os, sys
root, big_count, big_bytes, small_count, small_bytes = sys.argv[1], *map(int, sys.argv[2:])
for i in range(big_count):
    d = os.path.join(root, "big", f"d{i % 8}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"file{i}"), "wb") as f:
        f.write(os.urandom(big_bytes))
for i in range(small_count):
    d = os.path.join(root, "small", f"d{i % 50}", f"e{i % 7}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"file{i}"), "wb") as f:
        f.write(os.urandom(small_bytes))
EOF
}

# best SECONDS-VARIABLE COMMAND...: the fastest of RUNS runs; PREPARE runs before each, untimed.
PREPARE=:
best() {
  local var=$1 fastest= start end elapsed
  shift
  for _ in $(seq "$RUNS"); do
    eval "$PREPARE"
    start=$(date +%s.%N)
    "$@"
    end=$(date +%s.%N)
    elapsed=$(echo "$end - $start" | bc -l)
    if [ -z "$fastest" ] || [ "$(echo "$elapsed < $fastest" | bc -l)" = 1 ]; then fastest=$elapsed; fi
  done
  printf -v "$var" '%s' "$fastest"
}
rate() { echo "scale=0; $1 / 1048576 / $2" | bc -l; }
line() { printf '  %-44s %6.2f s  %5s MB/s\n' "$1" "$2" "$(rate "$3" "$2")"; }

command -v bc >/dev/null || { echo "bench.sh needs bc" >&2; exit 1; }
echo "cubicle-layer bench: $("$TOOL" --version), $(nproc) CPUs, $(uname -r), in $WORK"

# ---- extract
make_tree "$WORK/layer-src" 40 2097152 4000 5120
tar -C "$WORK/layer-src" -cf "$WORK/layer.tar" .
layer_bytes=$(stat -c %s "$WORK/layer.tar")
echo "extract: $(du -sb "$WORK/layer-src" | cut -f1) bytes in $(find "$WORK/layer-src" | wc -l) entries; tar of $layer_bytes bytes"
rm -rf "$WORK/layer-src"
cat "$WORK/layer.tar" >/dev/null

# A new directory per run, and nothing deleted until the end: deleting (with online
# discard) and syncing in between would slow whichever command comes next.
RUN=0
PREPARE='RUN=$((RUN + 1)); OUT=$WORK/out.$RUN; mkdir "$OUT"; sync'
extract_tool() { "$TOOL" extract "$OUT" <"$WORK/layer.tar" >/dev/null; }
extract_tool_sync() { extract_tool && sync; }
extract_tar() { tar -C "$OUT" -xf - <"$WORK/layer.tar"; }
extract_tar_sync() { extract_tar && sync; }
copy_tar() { cp "$WORK/layer.tar" "$OUT/copy.tar"; }
copy_tar_sync() { copy_tar && sync; }
extract_pipe() { cat "$WORK/layer.tar" | "$TOOL" extract "$OUT" >/dev/null; }
best t extract_tool; line "cubicle-layer extract (file on stdin)" "$t" "$layer_bytes"
best t extract_pipe; line "cubicle-layer extract (pipe on stdin)" "$t" "$layer_bytes"
best t extract_tar; line "GNU tar -x" "$t" "$layer_bytes"
best t copy_tar; line "cp of the tar (one big file)" "$t" "$layer_bytes"
best t extract_tool_sync; line "cubicle-layer extract + sync" "$t" "$layer_bytes"
best t extract_tar_sync; line "GNU tar -x + sync" "$t" "$layer_bytes"
best t copy_tar_sync; line "cp of the tar + sync (the disk)" "$t" "$layer_bytes"
rm -rf "$WORK"/out.* "$WORK/layer.tar"

# ---- digest
make_tree "$WORK/tree" 400 1048576 10000 10240
tar -C "$WORK/tree" -cf "$WORK/tree.tar" .
tree_bytes=$(du -sb --apparent-size "$WORK/tree" | cut -f1)
tar_bytes=$(stat -c %s "$WORK/tree.tar")
echo "digest: $tree_bytes bytes in $(find "$WORK/tree" | wc -l) entries; tar of $tar_bytes bytes"
PREPARE=:
cat "$WORK/tree.tar" >/dev/null
digest_tool() { "$TOOL" digest "$WORK/tree" >/dev/null; }
digest_generic() { CUBICLE_LAYER_SHA256=generic "$TOOL" digest "$WORK/tree" >/dev/null; }
sha_tar() { sha256sum "$WORK/tree.tar" >/dev/null; }
tar_pipe_sha() { tar -C "$WORK/tree" -cf - . | sha256sum >/dev/null; }
best t digest_tool; line "cubicle-layer digest ($("$TOOL" --version | sed 's/.*sha256: \(.*\))/\1/'))" "$t" "$tree_bytes"
best t digest_generic; line "cubicle-layer digest (portable SHA-256)" "$t" "$tree_bytes"
best t sha_tar; line "sha256sum of the tar file" "$t" "$tar_bytes"
best t tar_pipe_sha; line "tar -c | sha256sum" "$t" "$tar_bytes"
