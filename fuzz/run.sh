#!/usr/bin/env bash
# Runs one AFL++ campaign against one of Dendrite's parsers: fuzz/run.sh FORMAT SECONDS
#   FORMAT: idx | npz | weights | keras | h5      SECONDS: campaign length (afl-fuzz -V)
# Env: FUZZ_TIMEOUT (ms per input, default 2000), FUZZ_OUT (output folder, default fuzz/.out/afl-FORMAT),
#      FUZZ_RESUME=1 (go on from FUZZ_OUT's queue instead of starting over), ArtifactsPath (build output).
set -euo pipefail
FORMAT=${1:?usage: fuzz/run.sh FORMAT SECONDS (FORMAT: idx npz weights keras h5)}
DURATION=${2:?usage: fuzz/run.sh FORMAT SECONDS}
case "$FORMAT" in idx|npz|weights|keras|h5) ;; *) echo "unknown format '$FORMAT'" >&2; exit 2 ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")

# 1. Tools: AFL++ (Debian's afl++) and SharpFuzz's instrumenter (a dotnet tool, installed under fuzz/.tools).
if ! command -v afl-fuzz >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++
  else
    echo "afl-fuzz is missing: apt-get install afl++ (as root)" >&2; exit 1
  fi
fi
TOOLS="$HERE/.tools"
if [ ! -x "$TOOLS/sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$TOOLS"
fi

# 2. Build (Release) and instrument a fresh copy (sharpfuzz rewrites a DLL in place, and only once).
export ArtifactsPath="${ArtifactsPath:-$ROOT/.artifacts}"
dotnet build "$HERE/Dendrite.Fuzz/Dendrite.Fuzz.csproj" -c Release -nologo -v q
BIN="$HERE/.out/bin-$FORMAT"
rm -rf "$BIN"; mkdir -p "$HERE/.out"
cp -r "$ArtifactsPath/bin/Dendrite.Fuzz/release" "$BIN"
"$TOOLS/sharpfuzz" "$BIN/Dendrite.dll"
case "$FORMAT" in
  weights|keras|h5) "$TOOLS/sharpfuzz" "$BIN/PureHDF.dll" ;; # PureHDF on hostile HDF5 is in scope
esac

# 3. AFL++ settings for this container: no CPU governor or core-dump pattern to rely on, no core pinning (another
#    process shares the 2 cores), an uninstrumented `dotnet` host (the coverage map comes from SharpFuzz), no UI.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1
export AFL_FORKSRV_INIT_TMOUT=${AFL_FORKSRV_INIT_TMOUT:-30000}
OUT="${FUZZ_OUT:-$HERE/.out/afl-$FORMAT}"
INPUT="$HERE/corpus/$FORMAT"
if [ "${FUZZ_RESUME:-0}" = 1 ] && [ -d "$OUT/default/queue" ]; then INPUT=-; else rm -rf "$OUT"; fi
TIMEOUT=${FUZZ_TIMEOUT:-2000}
CMD=(afl-fuzz -i "$INPUT" -o "$OUT" -t "$TIMEOUT" -m none -V "$DURATION" -- dotnet "$BIN/Dendrite.Fuzz.dll" "$FORMAT")
echo "${CMD[*]}"
START=$(date +%s)
"${CMD[@]}" > "$HERE/.out/afl-$FORMAT.log" 2>&1 || { tail -40 "$HERE/.out/afl-$FORMAT.log"; exit 1; }
END=$(date +%s)

# 4. Summary from fuzzer_stats.
STATS="$OUT/default/fuzzer_stats"
get() { awk -F' *: *' -v k="$1" '$1==k {print $2}' "$STATS"; }
echo "format=$FORMAT wall_seconds=$((END - START)) run_time=$(get run_time)"
echo "execs_done=$(get execs_done) execs_per_sec=$(get execs_per_sec)"
echo "corpus_count=$(get corpus_count) (paths) corpus_found=$(get corpus_found) bitmap_cvg=$(get bitmap_cvg)"
echo "saved_crashes=$(get saved_crashes) saved_hangs=$(get saved_hangs)"
echo "crashes: $OUT/default/crashes  hangs: $OUT/default/hangs  queue: $OUT/default/queue"
