#!/usr/bin/env bash
# valgrind memcheck on the examples (docs/RELIABILITY.md).
#
# Usage: stress/valgrind.sh [BUILD_DIR]
#   1. examples/demo.sh with every example program run under valgrind: overlapped_recv +
#      overlapped_send, cmpl_routine_recv + overlapped_send, and each echo server
#      (cmpl_routine_echo_server, event_echo_server, native_echo_server) with four echo_client
#      instances, then SIGTERM;
#   2. cmpl_routine_echo_server under valgrind with stress/loadclient: 200 connections, two
#      echo rounds, all closed, then SIGTERM (a server with more than a few clients).
# Each under OVIO_ENGINE=epoll (ENGINES to change): memcheck does not follow io_uring - it cannot
# see the kernel fill receive buffers through the ring (every received byte is "uninitialised")
# and a thread blocked in io_uring_enter stalls the others (valgrind 3.19: the servers hang).
# Each twice: as they are, and through stress/noprocvm (process_vm_readv/writev refused; see
# noprocvm.c: ovio once copied addresses with them, which memcheck cannot follow).  Both must be
# clean.
# A clean process ends with "ERROR SUMMARY: 0 errors" and no definitely/indirectly/possibly lost
# bytes (stress/valgrind.supp: the TLS of detached threads at exit, see there).  Prints one line
# per process and a total; exit status 1 on any error or leak.

set -u
export LC_ALL=C
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
build=${1:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
engines=${ENGINES:-epoll}
command -v valgrind >/dev/null || {
    echo "valgrind is not installed (apt-get install valgrind)" >&2
    exit 2
}

work=$(mktemp -d "${TMPDIR:-/tmp}/ovio-valgrind.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
logs=$build/valgrind-logs
rm -rf "$logs"
mkdir -p "$logs"

# shellcheck disable=SC2054  # the commas belong to the option values
VG=(valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99
    --suppressions="$root/stress/valgrind.supp" --track-fds=no --num-callers=30)

failed=0
for engine in $engines; do
    export OVIO_ENGINE=$engine
    for mode in noprocvm plain; do
        tag=$engine-$mode
        launch=
        [ $mode = noprocvm ] && launch=$build/stress/noprocvm
        mkdir -p "$logs/$tag"
        # A build tree whose examples are wrappers running the real ones under valgrind.
        fake=$work/$tag
        mkdir -p "$fake/examples"
        for p in "$build"/examples/*; do
            [ -x "$p" ] || continue
            name=${p##*/}
            cat >"$fake/examples/$name" <<WRAP
#!/bin/sh
exec $launch ${VG[*]} --log-file=$logs/$tag/$name.%p.log "$p" "\$@"
WRAP
            chmod +x "$fake/examples/$name"
        done
        echo "== valgrind ($tag): examples/demo.sh =="
        OVIO_BUILD_DIR=$fake DEMO_TIMEOUT=60 bash examples/demo.sh >"$logs/$tag/demo.out" 2>&1
        rc=$?
        echo "   demo.sh: exit status $rc (output: ${logs#"$root"/}/$tag/demo.out)"
        [ $rc -eq 0 ] || failed=1

        echo "== valgrind ($tag): cmpl_routine_echo_server + loadclient (200 connections) =="
        # shellcheck disable=SC2086  # $launch is empty or one word
        "$build/stress/loadclient" conns --conns 200 --bytes 1000 --rounds 2 --hold-ms 500 \
            --timeout 120 -- ${launch:-$(command -v valgrind)} ${launch:+$(command -v valgrind)} \
            "${VG[@]:1}" --log-file="$logs/$tag/cmpl_routine_echo_server-load.%p.log" \
            "$build/examples/cmpl_routine_echo_server" '{port}' >"$logs/$tag/load.out" 2>&1
        rc=$?
        grep -E '^(connections held|bytes checked|server exit status|PASS|FAIL)' \
            "$logs/$tag/load.out" | sed 's/^/   /'
        [ $rc -eq 0 ] || failed=1
    done
done

echo "== valgrind results =="
total_bad=0
for tag_dir in "$logs"/*/; do
    tag=$(basename "$tag_dir")
    runs=0 bad=0 errs_all=0
    for f in "$tag_dir"*.log; do
        [ -f "$f" ] || continue
        runs=$((runs + 1))
        errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$f" | tail -n 1)
        lost=$(grep -E '(definitely|indirectly|possibly) lost: [1-9]' "$f" | sed 's/^==[0-9]*== *//' |
            tr '\n' ' ')
        name=$(sed -n 's/^==[0-9]*== Command: \([^ ]*\).*/\1/p' "$f" | head -n 1)
        name=${name##*/}
        if [ -z "$errs" ]; then
            printf '  %-14s %-28s no summary (killed?)\n' "$tag" "$name"
            bad=$((bad + 1))
        elif [ "$errs" != 0 ] || [ -n "$lost" ]; then
            printf '  %-14s %-28s %s errors %s\n' "$tag" "$name" "$errs" "$lost"
            bad=$((bad + 1))
            errs_all=$((errs_all + errs))
        else
            printf '  %-14s %-28s 0 errors, 0 leaks\n' "$tag" "$name"
        fi
    done
    echo "valgrind ($tag): $runs processes, $((runs - bad)) clean, $bad with errors or leaks ($errs_all errors)"
    total_bad=$((total_bad + bad))
done
echo "(logs: ${logs#"$root"/})"
[ $total_bad -eq 0 ] && [ $failed -eq 0 ]
