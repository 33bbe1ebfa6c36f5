#!/usr/bin/env bash
# Copies a sample of a finished campaign's queue (at most 200 files, each under 12 KB) into
# tests/Dendrite.Tests/Fuzz/Corpus/FORMAT, and lists its crashes and hangs: fuzz/collect.sh FORMAT
set -euo pipefail
FORMAT=${1:?usage: fuzz/collect.sh FORMAT}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
OUT="${FUZZ_OUT:-$HERE/.out/afl-$FORMAT}/default"
DEST="$ROOT/tests/Dendrite.Tests/Fuzz/Corpus/$FORMAT"
rm -rf "$DEST"; mkdir -p "$DEST"
# Seeds (orig:) are already replayed from fuzz/corpus; take the found inputs, small ones, spread over the queue.
mapfile -t files < <(find "$OUT/queue" -maxdepth 1 -type f -size -12k ! -name '*orig:*' | sort)
n=${#files[@]}; step=$(( n > 200 ? (n + 199) / 200 : 1 ))
for ((i = 0; i < n; i += step)); do
  name=$(basename "${files[$i]}"); name=${name%%,*}; cp "${files[$i]}" "$DEST/${name//:/_}"
done
echo "queue: $n found inputs, copied $(ls "$DEST" | wc -l) to $DEST ($(du -sh "$DEST" | cut -f1))"
echo "crashes: $(find "$OUT/crashes" -type f ! -name README.txt | wc -l)  hangs: $(find "$OUT/hangs" -type f | wc -l)"
