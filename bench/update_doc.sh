#!/usr/bin/env bash
# Copies the latest benchmark output into the documentation:
#   bench/build/results.md  -> docs/BENCHMARKS.md, between
#                              <!-- bench:results:begin --> and <!-- bench:results:end -->
#   bench/build/profile.md  -> docs/BENCHMARKS.md, between
#                              <!-- bench:profile:begin --> and <!-- bench:profile:end -->
#                              (only with --profile, or when it is newer than the doc's copy)
#   bench/build/bench.svg   -> docs/bench.svg
#
# Usage: bench/update_doc.sh [--profile] [--force]
#   Run after `make bench` (and bench/profile.sh for the profile section).
#   --force also accepts a smoke run's results (BENCH_SMOKE=1), which are
#   otherwise refused: they are not measurements.
# The text around the markers (the reading of the figures) is not touched:
# check that it still matches the new numbers.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
DOC=$REPO_DIR/docs/BENCHMARKS.md
RESULTS=$BENCH_DIR/build/results.md
PROFILE=$BENCH_DIR/build/profile.md
SVG=$BENCH_DIR/build/bench.svg

force= with_profile=
for arg in "$@"; do
    case $arg in
    --force) force=1 ;;
    --profile) with_profile=1 ;;
    -h | --help)
        sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "update_doc.sh: unknown argument '$arg'" >&2
        exit 2
        ;;
    esac
done

if [[ ! -f $RESULTS ]]; then
    echo "update_doc.sh: no $RESULTS: run 'make bench' first" >&2
    exit 1
fi
if grep -q 'smoke run' "$RESULTS" && [[ -z $force ]]; then
    echo "update_doc.sh: $RESULTS comes from a smoke run (BENCH_SMOKE=1); run 'make bench' (or pass --force)" >&2
    exit 1
fi
if [[ ! -f $DOC ]]; then
    echo "update_doc.sh: $DOC not found" >&2
    exit 1
fi

# splice DOC NAME FILE: replaces the lines between the NAME markers with FILE.
splice() {
    local doc=$1 name=$2 file=$3 begin end
    begin="<!-- bench:$name:begin -->"
    end="<!-- bench:$name:end -->"
    if [[ $(grep -cxF "$begin" "$doc") != 1 || $(grep -cxF "$end" "$doc") != 1 ]]; then
        echo "update_doc.sh: $doc needs exactly one '$begin' line and one '$end' line" >&2
        return 1
    fi
    awk -v begin="$begin" -v end="$end" -v file="$file" '
        $0 == begin { print; while ((getline line < file) > 0) print line; skip = 1; next }
        $0 == end { skip = 0 }
        !skip { print }
    ' "$doc" >"$doc.tmp" && mv "$doc.tmp" "$doc"
}

profile_newer=
[[ -f $PROFILE && $PROFILE -nt $DOC ]] && profile_newer=1
splice "$DOC" results "$RESULTS"
echo "docs/BENCHMARKS.md: table from $(grep -m1 -o 'Measured [^.]*' "$RESULTS")"
if [[ -f $PROFILE ]] && [[ -n $with_profile || -n $profile_newer ]]; then
    splice "$DOC" profile "$PROFILE"
    echo "docs/BENCHMARKS.md: profile from $(grep -m1 -o 'Profiled [^;]*' "$PROFILE" | sed 's/ on .*//')"
fi
if [[ -f $SVG ]]; then
    cp "$SVG" "$REPO_DIR/docs/bench.svg"
    echo "docs/bench.svg: updated"
else
    echo "update_doc.sh: no $SVG (gnuplot missing?): docs/bench.svg left as it was" >&2
fi
