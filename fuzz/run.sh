#!/usr/bin/env bash
# Run the libFuzzer targets (docs/RELIABILITY.md).
#
# Usage: fuzz/run.sh FUZZ_BUILD_DIR SECONDS
#   FUZZ_BUILD_DIR  where `make fuzz-build` put the targets (BUILD/fuzz; targets in its fuzz/)
#   SECONDS         how long each target runs on each engine
# Environment: ENGINES (default "io_uring epoll"; the engines run at the same time, one process
# each), FUZZ_TOLERATE (passed as OVIO_FUZZ_TOLERATE: known bugs the targets should not stop
# on, see fuzz/fuzz_winsock.c), FUZZ_ARGS (more libFuzzer options).
# Corpora are kept in FUZZ_BUILD_DIR/corpus/<target>-<engine> (seeded from fuzz/corpus/<target>
# when there is one), crashes written to FUZZ_BUILD_DIR/artifacts/.  Prints the executions of
# each run and their total; exit status 1 if a run crashed (the input is named in the output:
# reproduce with `OVIO_ENGINE=<engine> OVIO_FUZZ_TRACE=1 FUZZ_BUILD_DIR/fuzz/<target> <file>`).

set -u
export LC_ALL=C
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
dir=${1:?usage: fuzz/run.sh FUZZ_BUILD_DIR SECONDS}
secs=${2:?usage: fuzz/run.sh FUZZ_BUILD_DIR SECONDS}
case $dir in /*) ;; *) dir=$root/$dir ;; esac
engines=${ENGINES:-io_uring epoll}
export OVIO_FUZZ_TOLERATE=${FUZZ_TOLERATE:-}
: "${ASAN_OPTIONS:=detect_leaks=1:halt_on_error=1:abort_on_error=0}"
: "${UBSAN_OPTIONS:=print_stacktrace=1:halt_on_error=1}"
export ASAN_OPTIONS UBSAN_OPTIONS

targets=()
for t in "$dir"/fuzz/*; do
    [ -x "$t" ] && [ -f "$t" ] && targets+=("$t")
done
if [ ${#targets[@]} -eq 0 ]; then
    echo "fuzz: no targets in $dir/fuzz (make fuzz-build)" >&2
    exit 2
fi

mkdir -p "$dir/logs" "$dir/artifacts"
echo "== fuzz: ${#targets[@]} target(s), ${secs}s each on: $engines${OVIO_FUZZ_TOLERATE:+ (tolerating: $OVIO_FUZZ_TOLERATE)} =="
failed=0 total=0
for t in "${targets[@]}"; do
    name=${t##*/}
    pids=()
    for engine in $engines; do
        corpus=$dir/corpus/$name-$engine
        mkdir -p "$corpus"
        seeds=()
        [ -d "fuzz/corpus/$name" ] && seeds+=("fuzz/corpus/$name")
        log=$dir/logs/$name-$engine.log
        # shellcheck disable=SC2086  # FUZZ_ARGS is a list of options
        OVIO_ENGINE=$engine timeout -k 10 $((secs + 120)) "$t" -max_total_time="$secs" \
            -max_len=256 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
            -artifact_prefix="$dir/artifacts/$name-$engine-" ${FUZZ_ARGS:-} \
            "$corpus" "${seeds[@]}" >"$log" 2>&1 &
        pids+=($!)
    done
    i=0
    for engine in $engines; do
        wait "${pids[i]}"
        rc=$?
        i=$((i + 1))
        log=$dir/logs/$name-$engine.log
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        [ -z "$execs" ] && execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
        execs=${execs:-0}
        total=$((total + execs))
        cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
        if [ $rc -eq 0 ]; then
            echo "ok   $name $engine: $execs executions in ${secs}s, $cov, corpus $(find "$dir/corpus/$name-$engine" -type f | wc -l) inputs"
        else
            failed=1
            echo "FAIL $name $engine: exit status $rc after $execs executions (log: ${log#"$root"/})"
            grep -E 'invariant violated|ERROR: (Address|Undefined|Leak)Sanitizer|runtime error|SUMMARY|Test unit written|deadly signal|timeout' "$log" |
                head -n 8 | sed 's/^/   | /'
        fi
    done
done
echo "fuzz: $total executions in all"
[ $failed -eq 0 ]
