#!/usr/bin/env bash
# Echo benchmark matrix: every server against the same load generator,
# alternating servers within each configuration and reporting medians.
# See bench/README.md for the output fields.
#
# Environment:
#   OVIO_BUILD_DIR=DIR   ovio build tree whose examples/ holds the ovio echo
#                        servers (`make bench` sets it; default: ../build if
#                        the servers are there)
#   BENCH_OVIO=1         0: references (and BENCH_SERVERS) only
#   BENCH_SERVERS="name=cmd;name2=cmd2"  extra servers; the port is appended
#                        to cmd, which must exec the server (its PID is used)
#   BENCH_ONLY=REGEX     run only the servers whose name matches (bash =~)
#   BENCH_SECONDS=0.5    measured seconds per run
#   BENCH_WARMUP=0.2     warmup seconds per run
#   BENCH_ROUNDS=3       rounds (ROUNDS is accepted too)
#   BENCH_DEPTH=8        messages in flight per connection, pipeline row
#   BENCH_IDLE_CONNS=10000  connections for the idle RSS figure (0 = skip)
#   BENCH_CHART=1        0: no SVG chart (needs gnuplot; `make bench` installs
#                        gnuplot-nox when run as root)
#   BENCH_SMOKE=1        one tiny configuration, one round (for CI)
#   BENCH_SERVER_CPU=0 BENCH_LOADGEN_CPU=1   pinning
#   CC=cc BENCH_CFLAGS="-std=gnu11 -O2 -Wall -Wextra"
# Writes bench/build/results.{txt,csv,md}, raw.csv and bench.svg; see
# bench/update_doc.sh for copying them into docs/BENCHMARKS.md.
# Exits non-zero if a server fails to start or any run reports an error.
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
BUILD=$BENCH_DIR/build
LOGS=$BUILD/logs
CC=${CC:-cc}
CFLAGS=${BENCH_CFLAGS:--std=gnu11 -O2 -Wall -Wextra}
T_START=$SECONDS
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')

SMOKE=${BENCH_SMOKE:-0}
[[ $SMOKE == 0 ]] && SMOKE=
ROUNDS=${BENCH_ROUNDS:-${ROUNDS:-3}}
SECS=${BENCH_SECONDS:-0.5}
WARMUP=${BENCH_WARMUP:-0.2}
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
# Servers that run only some configurations (to keep `make bench` near
# 3 minutes): name glob -> ';'-separated globs over "conns size mode".
declare -A SERVER_CONFIGS=(
    ['ovio_ev_*']='* 64 pingpong' # the event-object server: 64 B ping-pong only
    ['ovio_nat_*']='* pingpong'   # the native-API server: no pipeline row
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
[[ ${BENCH_REPORT_ONLY:-0} == 1 ]] || rm -f "$LOGS"/*

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
# The ovio servers: each example server on each engine.
OVIO_EXAMPLES=
if [[ ${BENCH_OVIO:-1} != 0 ]]; then
    if [[ -n ${OVIO_BUILD_DIR:-} ]]; then
        OVIO_EXAMPLES=$OVIO_BUILD_DIR/examples
    elif [[ -x $REPO_DIR/build/examples/cmpl_routine_echo_server ]]; then
        OVIO_EXAMPLES=$REPO_DIR/build/examples
    else
        echo "note: no ovio build found (run 'make bench', or set OVIO_BUILD_DIR); references only" >&2
    fi
fi
if [[ -n $OVIO_EXAMPLES ]]; then
    for kind in "cr cmpl_routine_echo_server" "ev event_echo_server" "nat native_echo_server"; do
        read -r short prog <<<"$kind"
        if [[ ! -x $OVIO_EXAMPLES/$prog ]]; then
            echo "missing $OVIO_EXAMPLES/$prog (build it with 'make examples')" >&2
            exit 1
        fi
        for engine in "uring io_uring" "epoll epoll"; do
            read -r ename evalue <<<"$engine"
            SERVER_NAMES+=("ovio_${short}_$ename")
            SERVER_CMD[ovio_${short}_$ename]="env OVIO_ENGINE=$evalue $OVIO_EXAMPLES/$prog"
        done
    done
fi
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
if [[ -n ${BENCH_ONLY:-} ]]; then
    kept=()
    for name in "${SERVER_NAMES[@]}"; do
        [[ $name =~ $BENCH_ONLY ]] && kept+=("$name")
    done
    SERVER_NAMES=("${kept[@]}")
    if ((${#SERVER_NAMES[@]} == 0)); then
        echo "BENCH_ONLY='$BENCH_ONLY' matches no server" >&2
        exit 1
    fi
fi

# runs_config NAME "conns size mode": whether NAME runs that configuration.
runs_config() {
    local glob pat pats
    [[ -n $SMOKE ]] && return 0
    for glob in "${!SERVER_CONFIGS[@]}"; do
        # shellcheck disable=SC2053  # glob match intended
        [[ $1 == $glob ]] || continue
        IFS=';' read -ra pats <<<"${SERVER_CONFIGS[$glob]}"
        for pat in "${pats[@]}"; do
            # shellcheck disable=SC2053
            [[ $2 == $pat ]] && return 0
        done
        return 1
    done
    return 0
}

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

# Other work on the machine (tests, builds) skews a run. Before each run,
# wait up to BENCH_QUIET_MAX seconds for the CPUs to be idle (busy less than
# BENCH_QUIET_PCT percent of one CPU over 50 ms), and at most
# BENCH_QUIET_BUDGET seconds over the whole matrix; runs that had to start
# anyway are counted and reported.
QUIET_MAX=${BENCH_QUIET_MAX:-1.5}
QUIET_PCT=${BENCH_QUIET_PCT:-25}
QUIET_BUDGET=${BENCH_QUIET_BUDGET:-20}
quiet_spent=0
noisy_runs=0
busy_pct() { # percent of one CPU used by everything over 50 ms
    local a b
    read -r -a a </proc/stat
    sleep 0.05
    read -r -a b </proc/stat
    awk -v a="${a[*]}" -v b="${b[*]}" -v n="$(nproc)" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        for (i = 2; i <= 9; i++) { t += y[i] - x[i]; if (i == 5 || i == 6) idle += y[i] - x[i] }
        printf "%.0f", (t > 0 ? (t - idle) * 100 * n / t : 0) }'
}
wait_quiet() {
    [[ -n $SMOKE ]] && return 0
    local waited=0 pct
    while :; do
        pct=$(busy_pct)
        ((pct < QUIET_PCT)) && return 0
        if awk -v w="$waited" -v m="$QUIET_MAX" -v s="$quiet_spent" -v b="$QUIET_BUDGET" \
            'BEGIN { exit !(w >= m || s >= b) }'; then
            noisy_runs=$((noisy_runs + 1))
            return 1
        fi
        sleep 0.2
        waited=$(awk -v w="$waited" 'BEGIN { print w + 0.25 }')
        quiet_spent=$(awk -v s="$quiet_spent" 'BEGIN { print s + 0.25 }')
    done
}

field() { # field NAME LINE
    local kv
    for kv in $2; do
        [[ ${kv%%=*} == "$1" ]] && { echo "${kv#*=}"; return; }
    done
    echo na
}

RAW=$BUILD/raw.csv
RAW_IDLE=$BUILD/raw_idle.csv
if [[ ${BENCH_REPORT_ONLY:-0} == 1 ]]; then
    # Tables and chart again from the last run's raw.csv / raw_idle.csv.
    if [[ ! -f $RAW ]]; then
        echo "BENCH_REPORT_ONLY=1: no $RAW" >&2
        exit 1
    fi
    failures=$(awk -F, 'NR > 1 && $10 != 0 { n++ } END { print n + 0 }' "$RAW")
else
    # --- matrix ---------------------------------------------------------------
    echo "round,server,conns,size,mode,rt_per_s,p50_us,p99_us,cpu_s_per_100k,errors" >"$RAW"
    nservers=${#SERVER_NAMES[@]}
    nruns=0
    for cfg in "${CONFIGS[@]}"; do
        for name in "${SERVER_NAMES[@]}"; do
            runs_config "$name" "$cfg" && nruns=$((nruns + ROUNDS))
        done
    done
    if awk -v l="${LOAD0%% *}" 'BEGIN { exit !(l + 0 > 0.5) }'; then
        echo "warning: load average $LOAD0: other work is running, the figures will be noisy" >&2
    fi
    echo "matrix: ${#CONFIGS[@]} configs x $nservers servers x $ROUNDS rounds = $nruns runs of" \
        "$WARMUP + $SECS s (about $(awk -v n="$nruns" -v s="$SECS" -v w="$WARMUP" \
        'BEGIN { printf "%.0f", n * (s + w + 0.2) }') s), then idle RSS" >&2
    run_no=0
    for cfg in "${CONFIGS[@]}"; do
        read -r conns size mode <<<"$cfg"
        for ((round = 1; round <= ROUNDS; round++)); do
            for name in "${SERVER_NAMES[@]}"; do
                runs_config "$name" "$cfg" || continue
                run_no=$((run_no + 1))
                tag="run$run_no-$name-$conns-$size-$mode"
                wait_quiet
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
                printf '  %3d/%d %-14s %4s conns %5s B %-8s round %d: %s\n' "$run_no" "$nruns" \
                    "$name" "$conns" "$size" "$mode" "$round" "${line:-no output}" >&2
                echo "$round,$name,$conns,$size,$mode,$(field rt_per_s "$line"),$(field p50_us "$line"),$(field p99_us "$line"),$(field cpu_s_per_100k "$line"),$errors" >>"$RAW"
            done
        done
    done

    # --- idle memory ----------------------------------------------------------
    echo "server,conns,rss_per_conn_bytes" >"$RAW_IDLE"
    for name in "${SERVER_NAMES[@]}"; do
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
        echo "$name,$IDLE_CONNS,$(field rss_per_conn_bytes "$line")" >>"$RAW_IDLE"
    done
fi
declare -A RSS
for name in "${SERVER_NAMES[@]}"; do RSS[$name]=na; done
if [[ -f $RAW_IDLE ]]; then
    while IFS=, read -r name n v; do
        [[ $name == server ]] && continue
        RSS[$name]=$v
        IDLE_CONNS=$n
    done <"$RAW_IDLE"
fi

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
# mark VALUE OP LIMIT [UNIT]: "1.02 ✓" or "0.83 ✗" (OP is ge or le), "na" when unknown.
mark() {
    [[ $1 == na ]] && { echo na; return; }
    awk -v v="$1" -v op="$2" -v l="$3" -v u="${4:-}" 'BEGIN {
        ok = (op == "ge") ? (v + 0 >= l + 0) : (v + 0 <= l + 0)
        printf "%s%s %s", v, u, ok ? "✓" : "✗" }'
}
size_label() { # 16384 -> 16 KiB
    if (($1 >= 1024 && $1 % 1024 == 0)); then echo "$(($1 / 1024)) KiB"; else echo "$1 B"; fi
}
thousands() { # 123456 -> 123,456
    if [[ $1 == na ]]; then echo na; else echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; fi
}
REFS=()
for name in "${SERVER_NAMES[@]}"; do [[ $name == ref_* ]] && REFS+=("$name"); done

# --- the machine ------------------------------------------------------------
cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
cpu_family=$(awk -F': *' '/^cpu family/ { print $2; exit }' /proc/cpuinfo)
cpu_modelno=$(awk -F'\t*: *' '$1 == "model" { print $2; exit }' /proc/cpuinfo)
hypervisor=$(lscpu 2>/dev/null | awk -F': *' '/^Hypervisor vendor/ { print $2; exit }')
cores=$(lscpu 2>/dev/null | awk -F': *' '/^Core\(s\) per socket/ { c = $2 } /^Socket\(s\)/ { s = $2 } END { if (c && s) print c * s }')
mem_gib=$(awk '/^MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)
os_name=$( (. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}") || true)
[[ -f /etc/debian_version && $os_name == Debian* ]] && os_name="Debian $(cat /etc/debian_version)"
MACHINE="${cpu_model:-unknown CPU}${cpu_family:+ (family $cpu_family, model $cpu_modelno)}"
MACHINE+=", $(nproc) CPUs${cores:+ ($cores cores)}${hypervisor:+, $hypervisor guest}, ${mem_gib} GiB"
MACHINE+="; kernel $(uname -r)${os_name:+; $os_name}"
TOOLS="$($CC --version 2>/dev/null | head -n 1), liburing $(pkg-config --modversion liburing 2>/dev/null || echo '?'), libuv $(pkg-config --modversion libuv 2>/dev/null || echo '?')"
if [[ -n $OVIO_EXAMPLES ]]; then
    # BENCH_OVIO_REV names the ovio build when it is not this work tree's.
    rev=${BENCH_OVIO_REV:-}
    if [[ -z $rev ]]; then
        rev=$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || true)
        [[ -n $rev ]] && ! git -C "$REPO_DIR" diff --quiet HEAD -- src include examples 2>/dev/null &&
            rev+=" with uncommitted changes"
    fi
    TOOLS+="; ovio ${rev:-?}"
fi
WHEN=$(date -u '+%Y-%m-%d %H:%M UTC')
SETUP="$SECS s measured per run after $WARMUP s warmup, median of $ROUNDS round(s), servers alternated; $pinning; loopback; pipeline depth $DEPTH; load average at start $LOAD0"
if [[ ${BENCH_REPORT_ONLY:-0} != 1 && -z $SMOKE ]]; then
    SETUP+="; $noisy_runs of $nruns runs started while other work used the CPUs"
fi

# --- tables -------------------------------------------------------------------
RESULTS=$BUILD/results.txt
CSV=$BUILD/results.csv
MD=$BUILD/results.md
{
    echo "# echo benchmark, $WHEN${SMOKE:+ (SMOKE)}"
    echo "# machine: $MACHINE"
    echo "# build: $TOOLS"
    echo "# $SETUP"
    echo
    printf '%-14s %6s %6s %-8s %10s %8s %8s %9s %9s %8s %10s\n' server conns size mode 'rt/s' \
        vs_uring vs_epoll p50_us p99_us p99_vs_ref 'cpu_s/100k'
} >"$RESULTS"
{
    echo "<!-- generated by bench/run.sh; bench/update_doc.sh copies it here -->"
    echo "Measured $WHEN${SMOKE:+ (**smoke run: one short configuration, not a measurement**)}."
    echo
    echo "- **Machine:** $MACHINE"
    echo "- **Build:** $TOOLS"
    echo "- **Method:** $SETUP"
    echo
    echo "| server | conns | size | mode | round trips/s | × ref_uring | × ref_epoll | p50 µs | p99 µs | p99 × best ref | server CPU s per 100k |"
    echo "|---|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|"
} >"$MD"
echo "kind,server,conns,size,mode,rt_per_s,vs_ref_uring,vs_ref_epoll,p50_us,p99_us,cpu_s_per_100k,rss_per_conn_bytes,p99_vs_best_ref" >"$CSV"
declare -A TAB # server|conns|size|mode -> "rt vu ve p99ratio"
for cfg in "${CONFIGS[@]}"; do
    read -r conns size mode <<<"$cfg"
    read -r uring_rt _ <<<"${MED[ref_uring|$conns|$size|$mode]:-na}"
    read -r epoll_rt _ <<<"${MED[ref_epoll|$conns|$size|$mode]:-na}"
    best_p99=na
    for ref in "${REFS[@]}"; do
        read -r _ _ rp99 _ <<<"${MED[$ref|$conns|$size|$mode]:-na na na na}"
        [[ $rp99 == na ]] && continue
        if [[ $best_p99 == na ]] || awk -v a="$rp99" -v b="$best_p99" 'BEGIN { exit !(a < b) }'; then
            best_p99=$rp99
        fi
    done
    for name in "${SERVER_NAMES[@]}"; do
        runs_config "$name" "$cfg" || continue
        read -r rt p50 p99 cpu <<<"${MED[$name|$conns|$size|$mode]:-na na na na}"
        rt=$(fmt '%.0f' "$rt")
        vu=$(ratio "$rt" "$uring_rt")
        ve=$(ratio "$rt" "$epoll_rt")
        vp=$(ratio "$p99" "$best_p99")
        p50=$(fmt '%.1f' "$p50")
        p99=$(fmt '%.1f' "$p99")
        cpu=$(fmt '%.3f' "$cpu")
        TAB[$name|$conns|$size|$mode]="$rt $vu $ve $vp"
        printf '%-14s %6s %6s %-8s %10s %8s %8s %9s %9s %8s %10s\n' "$name" "$conns" "$size" "$mode" \
            "$rt" "$vu" "$ve" "$p50" "$p99" "$vp" "$cpu" >>"$RESULTS"
        echo "throughput,$name,$conns,$size,$mode,$rt,$vu,$ve,$p50,$p99,$cpu,,$vp" >>"$CSV"
        label=$name
        [[ $name == ovio_cr_* ]] && label="**$name**"
        echo "| $label | $conns | $(size_label "$size") | $mode | $(thousands "$rt") | $vu | $ve | $p50 | $p99 | $vp | $cpu |" >>"$MD"
    done
done
# The floor for idle memory: what the raw references pay (their 16 KiB
# buffer's first page); ovio's own cost is what a server pays beyond it.
rss_floor=na
for ref in ref_epoll ref_uring; do
    v=${RSS[$ref]:-na}
    [[ $v == na ]] && continue
    if [[ $rss_floor == na ]] || ((v < rss_floor)); then rss_floor=$v; fi
done
if ((IDLE_CONNS > 0)); then
    {
        echo
        printf '%-14s %22s %14s\n' server "idle_rss_per_conn_B" "beyond_floor_B"
        for name in "${SERVER_NAMES[@]}"; do
            v=${RSS[$name]}
            extra=na
            [[ $v != na && $rss_floor != na ]] && extra=$((v - rss_floor))
            printf '%-14s %22s %14s\n' "$name" "$v" "$extra"
            echo "idle_rss,$name,$IDLE_CONNS,0,idle,,,,,,,$v," >>"$CSV"
        done
        echo "(at $IDLE_CONNS idle connections, each with one pending receive; user-space RSS only;"
        echo " floor = the lower of ref_epoll and ref_uring: one touched page of the 16 KiB buffer)"
    } >>"$RESULTS"
    {
        echo
        echo "Memory at $IDLE_CONNS idle connections, each with one pending receive (growth of the server's RSS per connection; kernel socket memory is not included):"
        echo
        echo "| server | RSS per idle connection (B) | beyond the reference floor (B) |"
        echo "|---|--:|--:|"
        for name in "${SERVER_NAMES[@]}"; do
            v=${RSS[$name]}
            extra=na
            [[ $v != na && $rss_floor != na ]] && extra=$((v - rss_floor))
            label=$name
            [[ $name == ovio_cr_* ]] && label="**$name**"
            echo "| $label | $(thousands "$v") | $extra |"
        done
    } >>"$MD"
fi

# --- targets (docs/BENCHMARKS.md): reported, never enforced ---------------------
target_servers=()
for name in ovio_cr_uring ovio_cr_epoll; do
    [[ -n ${SERVER_CMD[$name]+x} ]] && [[ " ${SERVER_NAMES[*]} " == *" $name "* ]] && target_servers+=("$name")
done
if ((${#target_servers[@]} > 0)) && [[ -z $SMOKE ]]; then
    {
        echo
        echo "Targets (✓ met, ✗ not met; throughput targets apply at 50 and 500 connections):"
        echo
        echo "| server | conns | size | × ref_uring (≥ 1.0) | × ref_epoll (≥ 1.0) | p99 × best reference (≤ 1.1) |"
        echo "|---|--:|--:|--:|--:|--:|"
        for name in "${target_servers[@]}"; do
            for cfg in "${CONFIGS[@]}"; do
                read -r conns size mode <<<"$cfg"
                [[ $mode == pingpong ]] || continue
                read -r _ vu ve vp <<<"${TAB[$name|$conns|$size|$mode]:-na na na na}"
                if ((conns >= 50)); then
                    vu=$(mark "$vu" ge 1.0)
                    ve=$(mark "$ve" ge 1.0)
                else
                    vu="$vu (no target)"
                    ve="$ve (no target)"
                fi
                echo "| $name | $conns | $(size_label "$size") | $vu | $ve | $(mark "$vp" le 1.1) |"
            done
        done
        if ((IDLE_CONNS > 0)); then
            echo
            for name in "${target_servers[@]}"; do
                v=${RSS[$name]}
                if [[ $v != na && $rss_floor != na ]]; then
                    echo "- $name, memory per idle connection beyond the user's buffer: $(mark "$((v - rss_floor))" le 1024 ' B') (target ≤ 1024 B)"
                fi
            done
        fi
    } >>"$MD"
fi
if ((failures > 0)); then
    printf '\nFAILED: %d run(s) failed, see %s\n' "$failures" "$LOGS" >>"$RESULTS"
    printf '\n**%d run(s) failed**; see bench/build/logs/.\n' "$failures" >>"$MD"
fi

# --- chart --------------------------------------------------------------------
# Round trips/s against connections, one line per server, one panel per
# message size (ping-pong rows only).
CHART=$BUILD/bench.svg
rm -f "$CHART"
chart_note=
declare -A COLOR=(
    [ref_epoll]='#4d4d4d' [ref_uring]='#000000' [ref_uv]='#a0a0a0'
    [ovio_cr_uring]='#d62728' [ovio_cr_epoll]='#ff7f0e'
    [ovio_ev_uring]='#1f77b4' [ovio_ev_epoll]='#17becf'
    [ovio_nat_uring]='#2ca02c' [ovio_nat_epoll]='#9acd32'
)
if [[ ${BENCH_CHART:-1} == 0 ]]; then
    chart_note="chart: skipped (BENCH_CHART=0)"
elif ! command -v gnuplot >/dev/null 2>&1; then
    chart_note="chart: skipped, gnuplot not found (apt-get install gnuplot-nox; 'make bench' installs it when run as root)"
else
    DAT=$BUILD/chart.dat
    GP=$BUILD/chart.gp
    sizes=()
    for cfg in "${CONFIGS[@]}"; do
        read -r conns size mode <<<"$cfg"
        [[ $mode == pingpong && " ${sizes[*]} " != *" $size "* ]] && sizes+=("$size")
    done
    : >"$DAT"
    declare -A SERIES NSERIES # size -> gnuplot plot clauses, their count
    block=0
    for size in "${sizes[@]}"; do
        for name in "${SERVER_NAMES[@]}"; do
            pts=()
            for cfg in "${CONFIGS[@]}"; do
                read -r conns csize mode <<<"$cfg"
                [[ $mode == pingpong && $csize == "$size" ]] || continue
                read -r rt _ <<<"${MED[$name|$conns|$size|$mode]:-na}"
                [[ $rt == na ]] || pts+=("$conns $rt")
            done
            ((${#pts[@]} > 0)) || continue
            printf '%s\n' "# $name $size" "${pts[@]}" "" "" >>"$DAT"
            color=${COLOR[$name]:-}
            style="lw 2 pt 7 ps 0.6"
            [[ $name == ref_* ]] && style="lw 2 dt 2 pt 6 ps 0.6"
            [[ $name == *_epoll ]] && [[ $name == ovio_* ]] && style="lw 2 dt 4 pt 9 ps 0.7"
            [[ -n $color ]] && style+=" lc rgb '$color'"
            SERIES[$size]+="${SERIES[$size]:+, }'$DAT' index $block using 1:2 with linespoints $style title '$name'"
            NSERIES[$size]=$((${NSERIES[$size]:-0} + 1))
            block=$((block + 1))
        done
    done
    key_size=${sizes[0]} # the legend goes with the panel that has every server
    for size in "${sizes[@]}"; do
        ((${NSERIES[$size]:-0} > ${NSERIES[$key_size]:-0})) && key_size=$size
    done
    # Panels side by side, the legend in a column of its own on the right.
    npanels=${#sizes[@]}
    width=$((440 * npanels + 190))
    {
        echo "set terminal svg size $width,460 dynamic font 'sans,12' background rgb 'white'"
        echo "set output '$CHART'"
        echo "set encoding utf8"
        echo "set multiplot"
        echo "set label 1 \"Echo round trips per second against connections (ping-pong, median of $ROUNDS)\" at screen 0.5,0.965 center font 'sans,14' noenhanced"
        echo "set label 2 \"$MACHINE\" at screen 0.5,0.925 center font 'sans,10' noenhanced"
        echo "set logscale x"
        echo "set xrange [0.7:800]"
        echo "set xtics ('1' 1, '50' 50, '500' 500)"
        echo "set xlabel 'connections'"
        echo "set ylabel 'round trips / s'"
        echo "set format y '%.0s%c'"
        echo "set yrange [0:*]"
        echo "set grid ytics lc rgb '#dddddd'"
        echo "set tmargin 0; set bmargin 0; set lmargin 0; set rmargin 0"
        plot_w=$(awk -v w="$width" -v n="$npanels" 'BEGIN { printf "%.4f", (w - 190) / w / n }')
        i=0
        for size in "${sizes[@]}"; do
            echo "set origin $(awk -v i="$i" -v pw="$plot_w" 'BEGIN { printf "%.4f", i * pw }'),0.0"
            echo "set size $plot_w,0.86"
            echo "set lmargin 10; set rmargin 2; set tmargin 2; set bmargin 4"
            echo "set title '$(size_label "$size") messages'"
            if [[ $size == "$key_size" ]]; then
                echo "set key at screen 0.995,0.82 right top vertical Left reverse samplen 2.5 font 'sans,11' noenhanced"
            else
                echo "unset key"
            fi
            echo "plot ${SERIES[$size]:-NaN notitle}"
            echo "unset label 1; unset label 2"
            i=$((i + 1))
        done
        echo "unset multiplot"
    } >"$GP"
    if gnuplot "$GP" 2>"$LOGS/gnuplot.err"; then
        chart_note="chart: $CHART"
    else
        chart_note="chart: gnuplot failed: $(tail -n 3 "$LOGS/gnuplot.err")"
        rm -f "$CHART"
    fi
fi

cat "$RESULTS"
echo
echo "$chart_note"
echo "markdown: $MD (bench/update_doc.sh copies it and the chart into docs/BENCHMARKS.md)"
echo "elapsed: $((SECONDS - T_START)) s"
((failures == 0))
