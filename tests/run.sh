#!/usr/bin/env bash
# Run the ovio test programs once per engine.
#
# Usage: tests/run.sh [BUILD_DIR [FILTER]]
#   BUILD_DIR  build tree whose tests/ holds the test binaries (default: build)
#   FILTER     extended regex; only tests whose name matches are run
# Environment:
#   ENGINES       engines to run every test under (default: "io_uring epoll")
#   TEST_TIMEOUT  seconds per test run (default: 120)
#   TEST_JOBS     test runs executed at once (default: 1; at most 2 is sensible)
#
# Each test runs with OVIO_ENGINE=<engine>, stdin from /dev/null, the repository
# root as working directory, and OVIO_SOURCE_DIR / OVIO_BUILD_DIR exported.
# Exit status of a test: 0 = pass, 77 = skip, anything else = fail.
# Output of each run goes to BUILD_DIR/test-logs/<engine>/<test>.log; wall-clock seconds,
# exit status, engine and test of every run are appended to BUILD_DIR/test-logs/times.
# The last line printed is "N passed, N failed, N skipped" (test x engine runs);
# the same three numbers are written to BUILD_DIR/test-logs/summary.
# Exit status: 1 if any run failed, else 0.

set -u
export LC_ALL=C

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2

build=${1:-build}
filter=${2:-}
engines=${ENGINES:-io_uring epoll}
timeout_s=${TEST_TIMEOUT:-120}
jobs=${TEST_JOBS:-1}
case $jobs in '' | *[!0-9]* | 0) jobs=1 ;; esac

case $build in /*) ;; *) build=$root/$build ;; esac
testdir=$build/tests
logroot=$build/test-logs

rm -rf "$logroot"
mkdir -p "$logroot" || exit 2

export OVIO_SOURCE_DIR=$root
export OVIO_BUILD_DIR=$build

tests=()
if [ -d "$testdir" ]; then
    for f in "$testdir"/*; do
        if [ ! -f "$f" ] || [ ! -x "$f" ]; then
            continue
        fi
        name=${f##*/}
        if [ -n "$filter" ] && ! [[ $name =~ $filter ]]; then
            continue
        fi
        tests+=("$name")
    done
fi

passed=0 failed=0 skipped=0

echo "== tests: ${build#"$root"/}${filter:+ (matching '$filter')}, engines: $engines =="

if [ ${#tests[@]} -eq 0 ]; then
    echo "no test programs found in $testdir${filter:+ matching '$filter'}"
fi

# run_one ENGINE NAME: run one test, leave its exit status in <log>.rc
run_one() {
    local engine=$1 name=$2
    local log=$logroot/$engine/$name.log
    local rc start
    mkdir -p "${log%/*}"
    start=${EPOCHREALTIME/[.,]/}
    # The subshell keeps bash's "Killed" job notice (after a timeout) off the terminal.
    (
        OVIO_ENGINE=$engine timeout -k 10 "$timeout_s" "$testdir/$name" >"$log" 2>&1 </dev/null
        exit $?
    ) 2>/dev/null
    rc=$?
    echo "$rc" >"$log.rc"
    local us=$((${EPOCHREALTIME/[.,]/} - start))
    printf '%d.%03d %s %s %s\n' $((us / 1000000)) $((us / 1000 % 1000)) "$rc" "$engine" "$name" \
        >>"$logroot/times"
}

# report ENGINE NAME: print the result line of a finished run and count it
report() {
    local engine=$1 name=$2
    local log=$logroot/$engine/$name.log
    local rc
    rc=$(cat "$log.rc" 2>/dev/null) || rc=missing
    rm -f "$log.rc"
    case $rc in
    0)
        printf 'ok   %s %s\n' "$engine" "$name"
        passed=$((passed + 1))
        ;;
    77)
        local why
        why=$(grep -m1 -i 'skip' "$log" 2>/dev/null | cut -c1-120)
        printf 'skip %s %s%s\n' "$engine" "$name" "${why:+ ($why)}"
        skipped=$((skipped + 1))
        ;;
    *)
        local what="exit status $rc"
        if [ "$rc" = missing ]; then
            what="no exit status recorded (was $logroot removed during the run?)"
        elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
            what="timed out after ${timeout_s}s (status $rc)"
        elif [ "$rc" -gt 128 ]; then
            what="killed by signal $((rc - 128))"
        fi
        printf 'FAIL %s %s: %s\n' "$engine" "$name" "$what"
        echo "---- last 30 lines of $log"
        tail -n 30 "$log" | sed 's/^/    | /'
        echo "----"
        failed=$((failed + 1))
        ;;
    esac
}

for engine in $engines; do
    echo "== engine: $engine =="
    mkdir -p "$logroot/$engine"
    i=0
    while [ $i -lt ${#tests[@]} ]; do
        batch=("${tests[@]:i:jobs}")
        if [ "$jobs" -eq 1 ]; then
            run_one "$engine" "${batch[0]}"
        else
            for name in "${batch[@]}"; do
                run_one "$engine" "$name" &
            done
            wait
        fi
        for name in "${batch[@]}"; do
            report "$engine" "$name"
        done
        i=$((i + jobs))
    done
done

echo "$passed $failed $skipped" >"$logroot/summary"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
