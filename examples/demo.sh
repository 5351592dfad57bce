#!/usr/bin/env bash
# demo.sh - runs the chapter 22 examples on ovio and checks what they print.
#
#   make && examples/demo.sh            (or: make demo)
#   OVIO_ENGINE=epoll examples/demo.sh  (the engine is the library's choice unless forced)
#
# 1. overlapped_recv PORT + overlapped_send 127.0.0.1 PORT  (event object)
# 2. cmpl_routine_recv PORT + overlapped_send 127.0.0.1 PORT (completion routine)
# 3. cmpl_routine_echo_server PORT with 3 concurrent echo_client instances and one reading
#    stdin, then SIGTERM; the same for event_echo_server and native_echo_server when built.
#
# Environment: PORT (use this port for every step instead of picking free ones),
# OVIO_BUILD_DIR (build directory, default build), DEMO_TIMEOUT (seconds per wait, default 10).
# Exits non-zero if a program fails, hangs, or an expected line is missing.
set -u

cd "$(dirname "$0")/.." || exit 1
BIN=${OVIO_BUILD_DIR:-build}/examples
T=${DEMO_TIMEOUT:-10}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ovio-demo.XXXXXX") || exit 1
FAILS=0
BG_PIDS=()

# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
    local p
    for p in "${BG_PIDS[@]}"; do
        kill -KILL "$p" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
    echo "FAIL: $*"
    FAILS=$((FAILS + 1))
}

# expect FILE TEXT WHAT: FILE must contain the line fragment TEXT.
expect() {
    grep -qF -- "$2" "$1" || fail "$3: no '$2'"
}

show() { # show TITLE FILE...
    echo "== $1 =="
    shift
    cat "$@"
}

# Is something listening on TCP port $1?  ss if there is one, else /proc/net/tcp{,6}.
listening() {
    if command -v ss >/dev/null 2>&1; then
        [ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]
    else
        local hex
        hex=$(printf ':%04X' "$1")
        awk -v p="$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' \
            /proc/net/tcp /proc/net/tcp6 2>/dev/null
    fi
}

# A port for the next server: $PORT if given, else a random free one below the ephemeral range.
pick_port() {
    if [ -n "${PORT:-}" ]; then
        echo "$PORT"
        return 0
    fi
    local lo=20000 hi i p
    hi=$(awk '{ print $1 - 1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32767)
    ((hi > lo + 1000)) || hi=$((lo + 10000))
    for ((i = 0; i < 50; i++)); do
        p=$((lo + RANDOM % (hi - lo)))
        if ! listening "$p"; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# wait_listening PID PORT: until PORT is listening (0), PID exited (1) or T seconds passed (2).
# No connection is made: the receivers accept exactly one.
wait_listening() {
    local i
    for ((i = 0; i < T * 20; i++)); do
        listening "$2" && return 0
        kill -0 "$1" 2>/dev/null || return 1
        sleep 0.05
    done
    return 2
}

# wait_ready PID FILE: until FILE has a line starting with "ready" (0), PID exited (1), timeout (2).
wait_ready() {
    local i
    for ((i = 0; i < T * 20; i++)); do
        grep -q '^ready' "$2" 2>/dev/null && return 0
        kill -0 "$1" 2>/dev/null || return 1
        sleep 0.05
    done
    return 2
}

# wait_exit PID: waits at most T seconds for PID to end, then kills it.  Sets EXIT_STATUS to its
# exit status or "timeout".  (Not for $(...): a subshell cannot wait for the shell's children.)
wait_exit() {
    local i
    for ((i = 0; i < T * 20; i++)); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$1" 2>/dev/null; then
        kill -KILL "$1" 2>/dev/null
        wait "$1" 2>/dev/null
        EXIT_STATUS=timeout
        return
    fi
    wait "$1"
    EXIT_STATUS=$?
}

# start_bg NAME OUT ERR ARGS...: starts a program, retrying with another port if it exits
# before it is up (port taken meanwhile).  Sets STARTED_PID and STARTED_PORT.
# NAME decides how "up" is detected: the receivers by their listening port, servers by "ready".
start_bg() {
    local name=$1 out=$2 err=$3 attempt port rc
    shift 3
    STARTED_PID=
    for attempt in 1 2 3; do
        port=$(pick_port) || {
            fail "$name: no free port"
            return 1
        }
        "$BIN/$name" "$@" "$port" >"$out" 2>"$err" &
        STARTED_PID=$!
        BG_PIDS+=("$STARTED_PID")
        case $name in
        *_recv) wait_listening "$STARTED_PID" "$port" ;;
        *) wait_ready "$STARTED_PID" "$out" ;;
        esac
        rc=$?
        if [ $rc -eq 0 ]; then
            STARTED_PORT=$port
            return 0
        fi
        if [ $rc -eq 2 ]; then
            fail "$name $port: not up within ${T}s"
            kill -KILL "$STARTED_PID" 2>/dev/null
            wait "$STARTED_PID" 2>/dev/null
            cat "$out" "$err"
            return 1
        fi
        wait "$STARTED_PID" 2>/dev/null
        echo "($name $port exited before it was up, attempt $attempt: $(tail -n 2 "$err"))"
        [ -n "${PORT:-}" ] && break
    done
    fail "$name: could not be started"
    cat "$out" "$err"
    return 1
}

# --- 1 and 2: a receiver and overlapped_send -----------------------------------------------------
run_pair() {
    local recv=$1 rrc src
    local rout=$TMP/$recv.out rerr=$TMP/$recv.err sout=$TMP/send-$recv.out

    echo
    echo "######## $recv + overlapped_send"
    start_bg "$recv" "$rout" "$rerr" || return
    timeout -k 1 "$T" "$BIN/overlapped_send" 127.0.0.1 "$STARTED_PORT" >"$sout" 2>&1
    src=$?
    wait_exit "$STARTED_PID"
    rrc=$EXIT_STATUS

    show "receiver ($recv $STARTED_PORT, exit $rrc)" "$rout" "$rerr"
    show "sender (overlapped_send 127.0.0.1 $STARTED_PORT, exit $src)" "$sout"

    [ "$rrc" = 0 ] || fail "$recv: exit status $rrc"
    [ "$src" = 0 ] || fail "overlapped_send: exit status $src"
    expect "$rout" "Received message : Network is Computer!" "$recv"
    expect "$sout" "Send data size : 21" "overlapped_send"
    if [ "$recv" = cmpl_routine_recv ]; then
        expect "$rout" "Overlapped I/O Completed" "$recv"
        # The routine's line must come before the wait's.
        if [ "$(grep -n -e 'Received message' -e 'Overlapped I/O Completed' "$rout" | cut -d: -f2- |
            head -n 1)" != "Received message : Network is Computer!" ]; then
            fail "$recv: 'Received message' must be printed before 'Overlapped I/O Completed'"
        fi
    fi
}

# --- 3: an echo server and echo_client instances ----------------------------------------------------
run_echo() {
    local srv=$1 k rc pids=() src
    local out=$TMP/$srv.out err=$TMP/$srv.err

    echo
    echo "######## $srv + 3 concurrent echo_client + 1 echo_client on stdin"
    if [ ! -x "$BIN/$srv" ]; then
        fail "$srv: $BIN/$srv was not built"
        return
    fi
    start_bg "$srv" "$out" "$err" || return

    for k in 1 2 3; do
        timeout -k 1 "$T" "$BIN/echo_client" 127.0.0.1 "$STARTED_PORT" \
            "client $k: hello" "client $k: Network is Computer!" "client $k: the third line" \
            >"$TMP/client$k.out" 2>&1 &
        pids+=($!)
    done
    for k in 1 2 3; do
        wait "${pids[k - 1]}"
        rc=$?
        show "echo_client $k (exit $rc)" "$TMP/client$k.out"
        [ $rc = 0 ] || fail "echo_client $k: exit status $rc"
        expect "$TMP/client$k.out" "Message from server: client $k: hello" "echo_client $k"
        expect "$TMP/client$k.out" "Message from server: client $k: Network is Computer!" \
            "echo_client $k"
        expect "$TMP/client$k.out" "Message from server: client $k: the third line" \
            "echo_client $k"
    done

    # The book's interactive mode: lines from stdin until "Q".
    printf 'from stdin\nQ\nnot sent\n' |
        timeout -k 1 "$T" "$BIN/echo_client" 127.0.0.1 "$STARTED_PORT" >"$TMP/client4.out" 2>/dev/null
    rc=$?
    show "echo_client 4, stdin 'from stdin' 'Q' 'not sent' (exit $rc)" "$TMP/client4.out"
    [ $rc = 0 ] || fail "echo_client 4: exit status $rc"
    expect "$TMP/client4.out" "Message from server: from stdin" "echo_client 4"
    grep -q "not sent" "$TMP/client4.out" && fail "echo_client 4: went on after Q"

    kill -TERM "$STARTED_PID" 2>/dev/null
    wait_exit "$STARTED_PID"
    src=$EXIT_STATUS
    show "server ($srv $STARTED_PORT, SIGTERM, exit $src)" "$out"
    if [ -s "$err" ]; then
        show "server stderr" "$err"
    fi
    [ "$src" = 0 ] || fail "$srv: exit status $src after SIGTERM"
    expect "$out" "ready" "$srv"
    [ "$(grep -c "Client connected" "$out")" = 4 ] || fail "$srv: expected 4 'Client connected' lines"
    [ "$(grep -c "Client disconnected" "$out")" = 4 ] ||
        fail "$srv: expected 4 'Client disconnected' lines"
}

for p in overlapped_send overlapped_recv cmpl_routine_recv cmpl_routine_echo_server echo_client; do
    if [ ! -x "$BIN/$p" ]; then
        echo "demo: $BIN/$p is missing; run make first" >&2
        exit 1
    fi
done

echo "demo: engine ${OVIO_ENGINE:-(library default)}, binaries in $BIN"
run_pair overlapped_recv
run_pair cmpl_routine_recv
run_echo cmpl_routine_echo_server
run_echo event_echo_server
run_echo native_echo_server

echo
if [ $FAILS -eq 0 ]; then
    echo "demo: all checks passed (engine ${OVIO_ENGINE:-(library default)})"
    exit 0
fi
echo "demo: $FAILS check(s) failed (engine ${OVIO_ENGINE:-(library default)})"
exit 1
