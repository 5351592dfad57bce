#!/usr/bin/env bash
# Echo benchmark matrix: every server against the same load generator,
# alternating servers within each configuration and reporting medians.
# See bench/README.md for the output fields.
#
# Environment:
#   BENCH_SERVERS="name=cmd;name2=cmd2"  extra servers; the port is appended
#                        to cmd, which must exec the server (its PID is used)
#   BENCH_SECONDS=0.8    measured seconds per run
#   BENCH_WARMUP=0.3     warmup seconds per run
#   BENCH_ROUNDS=3       rounds (ROUNDS is accepted too)
#   BENCH_DEPTH=8        messages in flight per connection, pipeline row
#   BENCH_IDLE_CONNS=10000  connections for the idle RSS figure (0 = skip)
#   BENCH_SMOKE=1        one tiny configuration, one round (for CI)
#   BENCH_SERVER_CPU=0 BENCH_LOADGEN_CPU=1   pinning
#   CC=cc BENCH_CFLAGS="-std=gnu11 -O2 -Wall -Wextra"
# Exits non-zero if a server fails to start or any run reports an error.
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=$BENCH_DIR/build
LOGS=$BUILD/logs
CC=${CC:-cc}
CFLAGS=${BENCH_CFLAGS:--std=gnu11 -O2 -Wall -Wextra}

SMOKE=${BENCH_SMOKE:-0}
[[ $SMOKE == 0 ]] && SMOKE=
ROUNDS=${BENCH_ROUNDS:-${ROUNDS:-3}}
SECS=${BENCH_SECONDS:-0.8}
WARMUP=${BENCH_WARMUP:-0.3}
DEPTH=${BENCH_DEPTH:-8}
IDLE_CONNS=${BENCH_IDLE_CONNS:-10000}
SETTLE_MS=100
# conns size mode
CONFIGS=(
    "1 64 pingpong"
    "1 16384 pingpong"
    "50 64 pingpong"
    "50 16384 pingpong"
    "500 64 pingpong"
    "500 16384 pingpong"
    "50 64 pipeline"
)
if [[ -n $SMOKE ]]; then
    CONFIGS=("8 64 pingpong")
    ROUNDS=1
    SECS=${BENCH_SECONDS:-0.15}
    WARMUP=${BENCH_WARMUP:-0.05}
    IDLE_CONNS=${BENCH_IDLE_CONNS:-100}
    SETTLE_MS=20
fi

failures=0
note_failure() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# --- build ----------------------------------------------------------------
mkdir -p "$BUILD" "$LOGS" || exit 1

build() { # name, extra pkg-config package or ""
    local name=$1 pkg=$2 src=$BENCH_DIR/$1.c out=$BUILD/$1 libs=()
    if [[ -x $out && ! $src -nt $out && ! $BENCH_DIR/bench_util.h -nt $out ]]; then
        return 0
    fi
    if [[ -n $pkg ]]; then
        read -ra libs <<<"$(pkg-config --cflags --libs "$pkg")" || return 1
    fi
    echo "building $name" >&2
    # shellcheck disable=SC2086  # CFLAGS is a word list
    $CC $CFLAGS -o "$out" "$src" "${libs[@]}"
}
# A different compiler or flags invalidates every binary.
stamp="$CC $CFLAGS"
if [[ $(cat "$BUILD/.buildflags" 2>/dev/null) != "$stamp" ]]; then
    rm -f "$BUILD"/{loadgen,idle_rss,ref_epoll_echo,ref_uring_echo,ref_uv_echo}
    echo "$stamp" >"$BUILD/.buildflags"
fi
if ! { build loadgen "" && build idle_rss "" && build ref_epoll_echo "" &&
    build ref_uring_echo liburing && build ref_uv_echo libuv; }; then
    echo "build failed" >&2
    exit 1
fi

# --- servers --------------------------------------------------------------
SERVER_NAMES=(ref_epoll ref_uring ref_uv)
declare -A SERVER_CMD=(
    [ref_epoll]=$BUILD/ref_epoll_echo
    [ref_uring]=$BUILD/ref_uring_echo
    [ref_uv]=$BUILD/ref_uv_echo
)
IFS=';' read -ra extra <<<"${BENCH_SERVERS:-}"
for entry in "${extra[@]}"; do
    [[ -z ${entry// /} ]] && continue
    name=${entry%%=*}
    name=${name// /}
    cmd=${entry#*=}
    if [[ $entry != *=* || ! $name =~ ^[A-Za-z0-9_.-]+$ || -z $cmd ]]; then
        echo "bad BENCH_SERVERS entry: '$entry' (want name=command)" >&2
        exit 1
    fi
    [[ -z ${SERVER_CMD[$name]+x} ]] && SERVER_NAMES+=("$name")
    SERVER_CMD[$name]=$cmd
done

# Servers inherit this: the idle-RSS run needs 10k descriptors.
ulimit -n "$(ulimit -Hn)" 2>/dev/null
maxfd=$(ulimit -n)
if [[ $maxfd != unlimited ]] && ((IDLE_CONNS + 64 > maxfd)); then
    echo "warning: descriptor limit $maxfd, idle RSS measured at $((maxfd - 64)) connections" >&2
    IDLE_CONNS=$((maxfd - 64))
fi

# Two cores: the server and the load generator each get one, so neither
# steals time from the other and runs are comparable.
SERVER_PIN=() LOADGEN_PIN=()
if (($(nproc) >= 2)) && command -v taskset >/dev/null; then
    SERVER_PIN=(taskset -c "${BENCH_SERVER_CPU:-0}")
    LOADGEN_PIN=(taskset -c "${BENCH_LOADGEN_CPU:-1}")
    pinning="server on cpu ${BENCH_SERVER_CPU:-0}, loadgen on cpu ${BENCH_LOADGEN_CPU:-1}"
else
    pinning="not pinned (fewer than 2 cpus or no taskset)"
fi

# Ports below the ephemeral range, so the load generator's own sockets
# can never occupy the next server port; a new port per run avoids any
# interaction with the previous run's TIME_WAIT sockets.
eph_low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
PORT_LO=10000
PORT_HI=$((eph_low - 1))
next_port=$((PORT_LO + ($$ * 37) % (PORT_HI - PORT_LO)))
pick_port() {
    local tries=0
    while ((tries++ < 1000)); do
        next_port=$((next_port + 1))
        ((next_port > PORT_HI)) && next_port=$PORT_LO
        # Refused means nobody listens there.
        if ! (: <>"/dev/tcp/127.0.0.1/$next_port") 2>/dev/null; then
            PORT=$next_port
            return 0
        fi
    done
    return 1
}

SERVER_PID=
# start_server NAME LOGTAG: sets SERVER_PID and PORT, or returns 1.
start_server() {
    local name=$1 tag=$2 attempt
    for attempt in 1 2 3; do
        pick_port || return 1
        local out=$LOGS/$tag.out err=$LOGS/$tag.err
        # exec, so that $! is the server itself (CPU and RSS are read
        # from its /proc entry).
        bash -c "exec ${SERVER_PIN[*]} ${SERVER_CMD[$name]} $PORT" >"$out" 2>"$err" </dev/null &
        SERVER_PID=$!
        local waited=0
        while ((waited < 500)); do # 5 s
            if grep -q '^ready' "$out" 2>/dev/null; then
                return 0
            fi
            if ! kill -0 "$SERVER_PID" 2>/dev/null; then
                break
            fi
            sleep 0.01
            waited=$((waited + 1))
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            kill -KILL "$SERVER_PID" 2>/dev/null
            wait "$SERVER_PID" 2>/dev/null
            echo "$name: no 'ready' within 5 s" >&2
            return 1
        fi
        wait "$SERVER_PID" 2>/dev/null
        # Exited early: most likely the port was taken after all; retry.
        echo "$name: exited before ready (attempt $attempt): $(tail -n 3 "$err")" >&2
    done
    return 1
}

# Reaped-or-zombie check without waiting: our own child stays a zombie
# (and kill -0 keeps succeeding) until we wait for it.
has_exited() {
    local stat
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 0
    stat=${stat##*) }
    [[ ${stat%% *} == Z ]]
}

stop_server() {
    local name=$1 rc i
    kill -TERM "$SERVER_PID" 2>/dev/null
    for ((i = 0; i < 500; i++)); do # 5 s
        has_exited "$SERVER_PID" && break
        sleep 0.01
    done
    if ! has_exited "$SERVER_PID"; then
        echo "warning: $name ignored SIGTERM for 5 s, killing it" >&2
        kill -KILL "$SERVER_PID" 2>/dev/null
    fi
    wait "$SERVER_PID" 2>/dev/null
    rc=$?
    if ((rc != 0)); then
        echo "warning: $name exited with status $rc after SIGTERM" >&2
    fi
    SERVER_PID=
}

cleanup() {
    [[ -n $SERVER_PID ]] && kill -KILL "$SERVER_PID" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

field() { # field NAME LINE
    local kv
    for kv in $2; do
        [[ ${kv%%=*} == "$1" ]] && { echo "${kv#*=}"; return; }
    done
    echo na
}

# --- matrix ---------------------------------------------------------------
RAW=$BUILD/raw.csv
echo "round,server,conns,size,mode,rt_per_s,p50_us,p99_us,cpu_s_per_100k,errors" >"$RAW"
nservers=${#SERVER_NAMES[@]}
echo "matrix: ${#CONFIGS[@]} configs x $nservers servers x $ROUNDS rounds, $SECS s each" >&2
run_no=0
for cfg in "${CONFIGS[@]}"; do
    read -r conns size mode <<<"$cfg"
    for ((round = 1; round <= ROUNDS; round++)); do
        for name in "${SERVER_NAMES[@]}"; do
            run_no=$((run_no + 1))
            tag="run$run_no-$name-$conns-$size-$mode"
            if ! start_server "$name" "$tag"; then
                note_failure "$name did not start ($conns conns, $size B, $mode)"
                echo "$round,$name,$conns,$size,$mode,na,na,na,na,1" >>"$RAW"
                continue
            fi
            line=$("${LOADGEN_PIN[@]}" "$BUILD/loadgen" --port "$PORT" --conns "$conns" \
                --size "$size" --mode "$mode" --depth "$DEPTH" --duration "$SECS" \
                --warmup "$WARMUP" --server-pid "$SERVER_PID" 2>"$LOGS/$tag.loadgen")
            rc=$?
            stop_server "$name"
            errors=$(field errors "$line")
            if ((rc != 0)) || [[ $errors != 0 ]]; then
                note_failure "$name $conns conns $size B $mode: loadgen exit $rc: $(tail -n 3 "$LOGS/$tag.loadgen")"
                [[ $errors == 0 || $errors == na ]] && errors=1
            fi
            printf '  %-12s %4s conns %5s B %-8s round %d: %s\n' "$name" "$conns" "$size" \
                "$mode" "$round" "${line:-no output}" >&2
            echo "$round,$name,$conns,$size,$mode,$(field rt_per_s "$line"),$(field p50_us "$line"),$(field p99_us "$line"),$(field cpu_s_per_100k "$line"),$errors" >>"$RAW"
        done
    done
done

# --- idle memory ----------------------------------------------------------
declare -A RSS
for name in "${SERVER_NAMES[@]}"; do
    RSS[$name]=na
    ((IDLE_CONNS > 0)) || continue
    tag="idle-$name"
    if ! start_server "$name" "$tag"; then
        note_failure "$name did not start (idle RSS)"
        continue
    fi
    line=$("${LOADGEN_PIN[@]}" "$BUILD/idle_rss" --port "$PORT" --conns "$IDLE_CONNS" \
        --server-pid "$SERVER_PID" --settle-ms "$SETTLE_MS" 2>"$LOGS/$tag.idle_rss")
    rc=$?
    stop_server "$name"
    if ((rc != 0)); then
        note_failure "$name idle RSS: $(tail -n 3 "$LOGS/$tag.idle_rss")"
        continue
    fi
    echo "  $name idle: $line" >&2
    RSS[$name]=$(field rss_per_conn_bytes "$line")
done

# --- report ---------------------------------------------------------------
# Median per (server, conns, size, mode) of every numeric column; "na"
# values (failed runs, no --server-pid) are left out.
declare -A MED
while IFS=$'\t' read -r key rt p50 p99 cpu; do
    MED[$key]="$rt $p50 $p99 $cpu"
done < <(awk -F, '
    function median(list,   n, a, i, j, t) {
        n = split(list, a, " ")
        if (n == 0) return "na"
        for (i = 2; i <= n; i++)
            for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    NR > 1 {
        k = $2 "|" $3 "|" $4 "|" $5
        keys[k] = 1
        for (c = 6; c <= 9; c++) if ($c != "na") v[k, c] = v[k, c] " " $c
    }
    END {
        for (k in keys)
            printf "%s\t%s\t%s\t%s\t%s\n", k, median(v[k, 6]), median(v[k, 7]),
                median(v[k, 8]), median(v[k, 9])
    }' "$RAW")

ratio() { # ratio A B
    if [[ $1 == na || $2 == na || $2 == 0 ]]; then echo na; else awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; fi
}
fmt() { # fmt PRINTF-FORMAT VALUE
    if [[ $2 == na ]]; then echo na; else awk -v v="$2" -v f="$1" 'BEGIN { printf f, v }'; fi
}

cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
RESULTS=$BUILD/results.txt
CSV=$BUILD/results.csv
{
    echo "# echo benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')${SMOKE:+ (SMOKE)}"
    echo "# cpu: ${cpu_model:-unknown}, nproc $(nproc), kernel $(uname -r)"
    echo "# $SECS s measured per run after $WARMUP s warmup, median of $ROUNDS round(s); $pinning; pipeline depth $DEPTH"
    echo
    printf '%-14s %6s %6s %-8s %10s %8s %8s %9s %9s %10s\n' server conns size mode 'rt/s' \
        vs_uring vs_epoll p50_us p99_us 'cpu_s/100k'
} >"$RESULTS"
echo "kind,server,conns,size,mode,rt_per_s,vs_ref_uring,vs_ref_epoll,p50_us,p99_us,cpu_s_per_100k,rss_per_conn_bytes" >"$CSV"
for cfg in "${CONFIGS[@]}"; do
    read -r conns size mode <<<"$cfg"
    read -r uring_rt _ <<<"${MED[ref_uring|$conns|$size|$mode]:-na}"
    read -r epoll_rt _ <<<"${MED[ref_epoll|$conns|$size|$mode]:-na}"
    for name in "${SERVER_NAMES[@]}"; do
        read -r rt p50 p99 cpu <<<"${MED[$name|$conns|$size|$mode]:-na na na na}"
        rt=$(fmt '%.0f' "$rt")
        vu=$(ratio "$rt" "$uring_rt")
        ve=$(ratio "$rt" "$epoll_rt")
        p50=$(fmt '%.1f' "$p50")
        p99=$(fmt '%.1f' "$p99")
        cpu=$(fmt '%.3f' "$cpu")
        printf '%-14s %6s %6s %-8s %10s %8s %8s %9s %9s %10s\n' "$name" "$conns" "$size" "$mode" \
            "$rt" "$vu" "$ve" "$p50" "$p99" "$cpu" >>"$RESULTS"
        echo "throughput,$name,$conns,$size,$mode,$rt,$vu,$ve,$p50,$p99,$cpu," >>"$CSV"
    done
done
((IDLE_CONNS > 0)) && {
    echo
    printf '%-14s %22s\n' server "idle_rss_per_conn_B"
    for name in "${SERVER_NAMES[@]}"; do
        printf '%-14s %22s\n' "$name" "${RSS[$name]}"
        echo "idle_rss,$name,$IDLE_CONNS,0,idle,,,,,,,${RSS[$name]}" >>"$CSV"
    done
    echo "(at $IDLE_CONNS idle connections; user-space RSS only)"
} >>"$RESULTS"
if ((failures > 0)); then
    printf '\nFAILED: %d run(s) failed, see %s\n' "$failures" "$LOGS" >>"$RESULTS"
fi

cat "$RESULTS"
((failures == 0))
