#!/usr/bin/env bash
# Run the stress scenarios (docs/RELIABILITY.md) once per engine.
#
# Usage: stress/run.sh [quick|full] [BUILD_DIR]
#   quick  scaled down, ~30 s in all on 2 cores (part of `make check`)
#   full   the figures of docs/RELIABILITY.md, a few minutes (`make stress`)
#   BUILD_DIR  build tree with stress/ and examples/ (default build); BUILD_DIR/asan/stress/ is
#              used for the ASan runs when it is there.
# Environment: ENGINES (default "io_uring epoll"), STRESS_ONLY (extended regex: only scenarios
# whose name matches).
# Each run's output goes to BUILD_DIR/stress-logs/<engine>/<scenario>.log; its figures (the
# "name: value" lines) are printed here.  Exit status 1 if any run failed.

set -u
export LC_ALL=C

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2

size=${1:-quick}
build=${2:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
engines=${ENGINES:-io_uring epoll}
only=${STRESS_ONLY:-}
bin=$build/stress
asan=$build/asan/stress
server_routine=$build/examples/cmpl_routine_echo_server
server_iocp=$bin/iocp_echo_server
logroot=$build/stress-logs

: "${ASAN_OPTIONS:=detect_leaks=1:halt_on_error=1:abort_on_error=0}"
: "${UBSAN_OPTIONS:=print_stacktrace=1:halt_on_error=1}"
export ASAN_OPTIONS UBSAN_OPTIONS

# Descriptors: 10,000 connections need more than the usual 1024 on both sides.
ulimit -n "$(ulimit -Hn)" 2>/dev/null

case $size in
quick)
    limit=90
    scenarios=(
        "conns_routine|$bin/loadclient conns --conns 2000 --bytes 2048 --rounds 2 --hold-ms 200 -- $server_routine {port}"
        "bulk_iocp|$bin/loadclient bulk --conns 20 --bytes 134217728 -- $server_iocp {port}"
        "resets_routine|$bin/loadclient resets --conns 10 --resets 300 --parallel 16 -- $server_routine {port}"
        "emfile_server_iocp|$bin/loadclient emfile --conns 60 --server-nofile 40 --log @LOG@.server -- $server_iocp -k {port}"
        "emfile|$bin/emfile 5"
        "close_pending|$bin/close_pending 200 close"
        "close_pending_asan|$asan/close_pending 100 close"
        "close_race|$bin/close_pending 1000 race"
        "close_race_asan|$asan/close_pending 300 race"
        "cq_overflow|$bin/cq_overflow 16800 1 700"
        "misuse|$bin/misuse 100"
        "misuse_asan|$asan/misuse 30"
    )
    ;;
full)
    limit=600
    scenarios=(
        "conns_routine|$bin/loadclient conns --conns 10000 --bytes 4096 --rounds 3 --hold-ms 1000 -- $server_routine {port}"
        "conns_iocp|$bin/loadclient conns --conns 10000 --bytes 4096 --rounds 3 --hold-ms 1000 -- $server_iocp {port}"
        "bulk_routine|$bin/loadclient bulk --conns 100 --bytes 1073741824 -- $server_routine {port}"
        "bulk_iocp|$bin/loadclient bulk --conns 100 --bytes 1073741824 -- $server_iocp {port}"
        "resets_routine|$bin/loadclient resets --conns 20 --resets 1000 --parallel 16 -- $server_routine {port}"
        "resets_iocp|$bin/loadclient resets --conns 20 --resets 1000 --parallel 16 -- $server_iocp {port}"
        "emfile_server_routine|$bin/loadclient emfile --conns 100 --server-nofile 40 --log @LOG@.server -- $server_routine {port}"
        "emfile_server_iocp|$bin/loadclient emfile --conns 100 --server-nofile 40 --log @LOG@.server -- $server_iocp -k {port}"
        "emfile|$bin/emfile 50"
        "close_pending|$bin/close_pending 3000 close"
        "close_pending_asan|$asan/close_pending 1000 close"
        "close_race|$bin/close_pending 3000 race"
        "close_race_asan|$asan/close_pending 1000 race"
        "cq_overflow|$bin/cq_overflow 19000 3 1500"
        "misuse|$bin/misuse 1000"
        "misuse_asan|$asan/misuse 300"
    )
    ;;
*)
    echo "usage: $0 [quick|full] [BUILD_DIR]" >&2
    exit 2
    ;;
esac

rm -rf "$logroot"
mkdir -p "$logroot"
passed=0 failed=0 skipped=0
failures=()
start_all=$SECONDS
echo "== stress ($size): ${build#"$root"/}, engines: $engines =="

for engine in $engines; do
    echo "== engine: $engine =="
    mkdir -p "$logroot/$engine"
    for entry in "${scenarios[@]}"; do
        name=${entry%%|*}
        cmd=${entry#*|}
        if [ -n "$only" ] && ! [[ $name =~ $only ]]; then
            continue
        fi
        log=$logroot/$engine/$name.log
        cmd=${cmd//@LOG@/$log}
        prog=${cmd%% *}
        if [ ! -x "$prog" ]; then
            printf 'skip %s %s (%s not built)\n' "$engine" "$name" "${prog#"$root"/}"
            skipped=$((skipped + 1))
            continue
        fi
        t0=${EPOCHREALTIME/[.,]/}
        # shellcheck disable=SC2086  # the command line is split on purpose
        (OVIO_ENGINE=$engine timeout -k 10 "$limit" $cmd >"$log" 2>&1 </dev/null)
        rc=$?
        us=$((${EPOCHREALTIME/[.,]/} - t0))
        secs=$(printf '%d.%d' $((us / 1000000)) $((us / 100000 % 10)))
        if [ $rc -eq 0 ]; then
            printf 'ok   %s %s (%ss)\n' "$engine" "$name" "$secs"
            passed=$((passed + 1))
        else
            what="exit status $rc"
            [ $rc -eq 124 ] || [ $rc -eq 137 ] && what="timed out after ${limit}s"
            printf 'FAIL %s %s (%ss): %s\n' "$engine" "$name" "$secs" "$what"
            failed=$((failed + 1))
            failures+=("$engine $name")
        fi
        # The figures, and on failure the reason and what led to it.
        grep -E '^[a-zA-Z][a-zA-Z0-9 /_():,.-]*: ' "$log" | grep -vE '^(FAIL|scenario|mode)' |
            sed 's/^/     /'
        if [ $rc -ne 0 ]; then
            grep -E 'FAIL|ERROR|Sanitizer|WATCHDOG|runtime error' "$log" | head -n 20 | sed 's/^/   | /'
            echo "   | (log: ${log#"$root"/})"
        fi
    done
done

echo "$passed $failed $skipped" >"$logroot/summary"
echo "stress ($size): $passed passed, $failed failed, $skipped skipped in $((SECONDS - start_all))s"
for f in "${failures[@]}"; do
    echo "  failed: $f"
done
[ "$failed" -eq 0 ]
