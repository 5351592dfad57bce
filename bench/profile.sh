#!/usr/bin/env bash
# Where the time goes: system calls and instructions per round trip of each
# echo server, for a fixed amount of work (loadgen --count), plus a sampled
# CPU profile (kernel and user space). See bench/README.md ("Profiles").
#
#   bench/profile.sh                 # after `make bench` (or make lib examples)
#
# Environment:
#   OVIO_BUILD_DIR=DIR     ovio build tree (default ../build)
#   PROFILE_SERVERS="..."  servers (default: ref_uring ref_epoll ovio_cr_uring
#                          ovio_cr_epoll ovio_nat_uring ovio_nat_epoll)
#   PROFILE_COUNT=10000    round trips per counted run with 1 connection
#   PROFILE_COUNT_MANY=100000  the same with more connections
#   PROFILE_CONNS="1 50"   connection counts for the system-call counts
#   PROFILE_CG_SERVERS     servers for callgrind (default: ref_uring ref_epoll
#                          ovio_cr_uring ovio_cr_epoll ovio_nat_epoll; the native
#                          server on io_uring serves nothing under valgrind)
#   PROFILE_CG_CONNS=1     connection counts for callgrind
#   PROFILE_PERF_SERVERS="ref_uring ovio_cr_uring"  servers for the perf profile
#   PROFILE_TOOLS="strace perfstat callgrind perf"  which parts to run
#
# Counting method: every figure is (run with conns + COUNT messages) minus
# (run with conns messages: start, accept, one priming round trip each,
# shutdown), divided by COUNT, so set-up and tear-down cancel out.
#  - strace -c -f: system calls by name (all threads). strace slows the
#    server ~10x, which changes what it does (more completions per wake-up;
#    on epoll, receives issued in routines find their data already there),
#    so its counts are indicative only; perf stat's are the reference.
#  - perf stat (syscall tracepoints, task-clock, context-switches): the same
#    runs without strace, so the counts are not distorted. Needs perf with
#    tracepoints (no hardware counters needed).
#  - valgrind --tool=callgrind: user-space instructions (Ir), deterministic
#    for 1 connection. Kernel work is not in it.
#  - perf record -e cpu-clock: where CPU time goes, kernel included, for a
#    timed 50-connection run (sampling; needs no hardware counters).
# Writes bench/build/profile.md (bench/update_doc.sh copies it into
# docs/BENCHMARKS.md), profile.txt and the raw outputs in build/profile/.
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
BUILD=$BENCH_DIR/build
OUT=$BUILD/profile
COUNT1=${PROFILE_COUNT:-10000}
COUNT_MANY=${PROFILE_COUNT_MANY:-100000}
count_for() { if (($1 <= 1)); then echo "$COUNT1"; else echo "$COUNT_MANY"; fi; }
CONNS_LIST=${PROFILE_CONNS:-1 50}
CG_CONNS=${PROFILE_CG_CONNS:-1}
TOOLS=" ${PROFILE_TOOLS:-strace perfstat callgrind perf} "
SERVERS=${PROFILE_SERVERS:-ref_uring ref_epoll ovio_cr_uring ovio_cr_epoll ovio_nat_uring ovio_nat_epoll}
CG_SERVERS=${PROFILE_CG_SERVERS:-ref_uring ref_epoll ovio_cr_uring ovio_cr_epoll ovio_nat_epoll}
PERF_SERVERS=${PROFILE_PERF_SERVERS:-ref_uring ovio_cr_uring}
EX=${OVIO_BUILD_DIR:-$REPO_DIR/build}/examples
T_START=$SECONDS
LOAD0=$(cut -d" " -f1-3 /proc/loadavg)

mkdir -p "$OUT" || exit 1
rm -f "$OUT"/*

# --- tools ------------------------------------------------------------------
if [[ ! -x $BUILD/loadgen || $BENCH_DIR/loadgen.c -nt $BUILD/loadgen ]]; then
    echo "bench/build/loadgen is missing or old: run 'make bench' (or bench/run.sh) first" >&2
    exit 1
fi
need_pkgs=()
[[ $TOOLS == *" strace "* ]] && ! command -v strace >/dev/null && need_pkgs+=(strace)
[[ $TOOLS == *" callgrind "* ]] && ! command -v valgrind >/dev/null && need_pkgs+=(valgrind)
[[ $TOOLS == *" perf"* ]] && ! command -v perf >/dev/null && need_pkgs+=(linux-perf)
if ((${#need_pkgs[@]} > 0)) && [[ $(id -u) == 0 ]] && [[ ${OVIO_SKIP_DEPS:-0} != 1 ]]; then
    sh "$REPO_DIR/mk/deps.sh" "${need_pkgs[@]}" || true
fi
have() { command -v "$1" >/dev/null 2>&1; }
PERF_OK=
if have perf && perf stat -e raw_syscalls:sys_enter,task-clock -- true >/dev/null 2>&1; then
    PERF_OK=1
fi
# perf stat counts these by name (each tracepoint costs set-up time, so not all
# 360); whatever else the servers call shows up as "other".
PERF_SYSCALLS=()
for sc in sendmsg recvmsg sendto recvfrom read write readv writev io_uring_enter epoll_wait \
    epoll_pwait epoll_ctl accept4 futex getpid process_vm_readv process_vm_writev getsockopt \
    setsockopt fcntl ioctl poll ppoll clock_nanosleep sched_yield; do
    for tdir in /sys/kernel/tracing /sys/kernel/debug/tracing; do
        if [[ -d $tdir/events/syscalls/sys_enter_$sc ]]; then
            PERF_SYSCALLS+=("$sc")
            break
        fi
    done
done
skip_note=()
[[ $TOOLS == *" strace "* ]] && ! have strace && skip_note+=("strace (not installed)") && TOOLS=${TOOLS/ strace / }
[[ $TOOLS == *" callgrind "* ]] && ! have valgrind && skip_note+=("callgrind (valgrind not installed)") && TOOLS=${TOOLS/ callgrind / }
if [[ -z $PERF_OK ]]; then
    [[ $TOOLS == *" perfstat "* || $TOOLS == *" perf "* ]] && skip_note+=("perf (not installed, or no tracepoints/cpu-clock here)")
    TOOLS=${TOOLS/ perfstat / }
    TOOLS=${TOOLS/ perf / }
fi

# --- servers ----------------------------------------------------------------
declare -A SENV SBIN
for n in ref_epoll ref_uring ref_uv; do
    SENV[$n]=
    SBIN[$n]=$BUILD/${n}_echo
done
for kind in "cr cmpl_routine_echo_server" "ev event_echo_server" "nat native_echo_server"; do
    read -r short prog <<<"$kind"
    SENV[ovio_${short}_uring]="OVIO_ENGINE=io_uring"
    SENV[ovio_${short}_epoll]="OVIO_ENGINE=epoll"
    SBIN[ovio_${short}_uring]=$EX/$prog
    SBIN[ovio_${short}_epoll]=$EX/$prog
done
for n in $SERVERS $CG_SERVERS $PERF_SERVERS; do
    if [[ -z ${SBIN[$n]+x} ]]; then
        echo "unknown server '$n'" >&2
        exit 1
    fi
    if [[ ! -x ${SBIN[$n]} ]]; then
        echo "missing ${SBIN[$n]}: run 'make bench' first" >&2
        exit 1
    fi
done

ulimit -n "$(ulimit -Hn)" 2>/dev/null
PIN_S=() PIN_L=()
if (($(nproc) >= 2)) && have taskset; then
    PIN_S=(taskset -c 0)
    PIN_L=(taskset -c 1)
fi
eph_low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
PORT=$((10000 + ($$ * 53) % (eph_low - 10100)))
next_port() {
    local tries=0
    while ((tries++ < 1000)); do
        PORT=$((PORT + 1))
        ((PORT >= eph_low)) && PORT=10000
        (: <>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || return 0
    done
    return 1
}

WRAP_PID= SRV_PID=
cleanup() {
    [[ -n $SRV_PID ]] && kill -KILL "$SRV_PID" 2>/dev/null
    [[ -n $WRAP_PID ]] && kill -KILL "$WRAP_PID" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME TAG WRAPPER...: starts the server under WRAPPER (may be empty);
# sets PORT, WRAP_PID (what we started) and SRV_PID (the server itself).
start() {
    local name=$1 tag=$2 i
    shift 2
    next_port || return 1
    local envs=()
    [[ -n ${SENV[$name]} ]] && envs=("${SENV[$name]}")
    env "${envs[@]}" "${PIN_S[@]}" "$@" "${SBIN[$name]}" "$PORT" >"$OUT/$tag.out" 2>"$OUT/$tag.err" </dev/null &
    WRAP_PID=$!
    for ((i = 0; i < 3000; i++)); do # 30 s: valgrind starts slowly
        grep -q '^ready' "$OUT/$tag.out" 2>/dev/null && break
        kill -0 "$WRAP_PID" 2>/dev/null || { echo "$name did not start: $(tail -n 3 "$OUT/$tag.err")" >&2; return 1; }
        sleep 0.01
    done
    SRV_PID=$WRAP_PID
    if [[ ${1:-} == strace ]]; then # the server is strace's child
        SRV_PID=$(pgrep -P "$WRAP_PID" | head -n 1)
    fi
    [[ -n $SRV_PID ]]
}
stop() {
    kill -TERM "$SRV_PID" 2>/dev/null
    local i
    for ((i = 0; i < 3000; i++)); do
        kill -0 "$WRAP_PID" 2>/dev/null || break
        sleep 0.01
    done
    kill -KILL "$SRV_PID" "$WRAP_PID" 2>/dev/null
    wait "$WRAP_PID" 2>/dev/null
    WRAP_PID= SRV_PID=
}
loadgen() { # loadgen CONNS COUNT TAG [extra...]
    local conns=$1 count=$2 tag=$3
    shift 3
    "${PIN_L[@]}" "$BUILD/loadgen" --port "$PORT" --conns "$conns" --size 64 --mode pingpong \
        --count "$count" --timeout 60 "$@" >"$OUT/$tag.loadgen" 2>&1
}

# counted NAME CONNS TOOL: two runs (base and full) under TOOL; leaves
# $OUT/TOOL-NAME-CONNS-{base,full}.* behind.
counted() {
    local name=$1 conns=$2 tool=$3 part count tag
    for part in base full; do
        count=$conns
        [[ $part == full ]] && count=$((conns + $(count_for "$conns")))
        tag=$tool-$name-$conns-$part
        case $tool in
        strace) start "$name" "$tag" strace -f -c -o "$OUT/$tag.strace" || return 1 ;;
        callgrind)
            start "$name" "$tag" valgrind --tool=callgrind --callgrind-out-file="$OUT/$tag.cg" \
                --dump-instr=no || return 1
            ;;
        perfstat) start "$name" "$tag" || return 1 ;;
        esac
        local perf_pid=
        if [[ $tool == perfstat ]]; then
            local evs=raw_syscalls:sys_enter,task-clock,context-switches sc
            for sc in "${PERF_SYSCALLS[@]}"; do evs+=",syscalls:sys_enter_$sc"; done
            perf stat -x, -e "$evs" -p "$SRV_PID" -o "$OUT/$tag.perfstat" 2>/dev/null &
            perf_pid=$!
            # attached (all events open) before the first connection
            local i
            for ((i = 0; i < 500; i++)); do
                [[ -s $OUT/$tag.perfstat ]] && break
                sleep 0.01
            done
            sleep 1.5
        fi
        if ! loadgen "$conns" "$count" "$tag"; then
            echo "$name: loadgen failed: $(tail -n 2 "$OUT/$tag.loadgen")" >&2
            [[ -n $perf_pid ]] && kill -INT "$perf_pid" 2>/dev/null
            stop
            return 1
        fi
        if [[ -n $perf_pid ]]; then
            kill -INT "$perf_pid" 2>/dev/null
            wait "$perf_pid" 2>/dev/null
        fi
        stop
    done
    printf '  %-15s %3s conns %-9s %s\n' "$name" "$conns" "$tool" "$(cat "$OUT/$tool-$name-$conns-full.loadgen")" >&2
}

# --- strace: system calls by name per round trip --------------------------------
# strace_calls FILE: "name calls" lines.
strace_calls() {
    awk '$1 ~ /^[0-9.]+$/ && $NF != "total" { print $NF, $4 }' "$1"
}
declare -A SC_TOTAL SC_TOP
if [[ $TOOLS == *" strace "* ]]; then
    echo "strace -c -f" >&2
    for conns in $CONNS_LIST; do
        for name in $SERVERS; do
            counted "$name" "$conns" strace || continue
            f=$OUT/strace-$name-$conns
            # per round trip, by name, largest first
            awk -v n="$(count_for "$conns")" '
                FNR == NR { base[$1] = $2; next }
                { d[$1] = ($2 - base[$1]) / n }
                END { for (k in d) if (d[k] >= 0.005) printf "%s %.3f\n", k, d[k] }
            ' <(strace_calls "$f-base.strace") <(strace_calls "$f-full.strace") |
                sort -k2,2nr >"$f.perrt"
            SC_TOTAL[$name|$conns]=$(awk '{ s += $2 } END { printf "%.2f", s }' "$f.perrt")
            SC_TOP[$name|$conns]=$(awk '$2 >= 0.05 { printf "%s%s %.2f", sep, $1, $2; sep = ", " }' "$f.perrt")
        done
    done
fi

# --- perf stat: undistorted totals ---------------------------------------------
declare -A PS_SYS PS_CPU PS_CS PS_TOP
if [[ $TOOLS == *" perfstat "* ]]; then
    echo "perf stat" >&2
    for conns in $CONNS_LIST; do
        for name in $SERVERS; do
            counted "$name" "$conns" perfstat || continue
            f=$OUT/perfstat-$name-$conns
            # perf stat -x, lines: value,unit,event,...; per round trip: event value
            awk -F, -v n="$(count_for "$conns")" '
                NF < 3 || $1 !~ /^[0-9.]+$/ { next }
                { ev = $3; sub(/^syscalls:sys_enter_/, "", ev); sub(/^raw_syscalls:sys_enter$/, "ALL", ev) }
                FNR == NR { base[ev] = $1; next }
                { d[ev] = ($1 - base[ev]) / n }
                END { for (k in d) printf "%s %.4f\n", k, d[k] }
            ' "$f-base.perfstat" "$f-full.perfstat" | sort -k2,2nr >"$f.perrt"
            PS_SYS[$name|$conns]=$(awk '$1 == "ALL" { printf "%.2f", $2 }' "$f.perrt")
            PS_CPU[$name|$conns]=$(awk '$1 == "task-clock" { printf "%.2f", $2 * 1000 }' "$f.perrt") # ms -> µs
            PS_CS[$name|$conns]=$(awk '$1 == "context-switches" { printf "%.2f", $2 }' "$f.perrt")
            PS_TOP[$name|$conns]=$(awk '
                $1 == "ALL" { all = $2; next }
                $1 == "task-clock" || $1 == "context-switches" { next }
                { named += $2; if ($2 >= 0.01) { printf "%s%s %.2f", sep, $1, $2; sep = ", " } }
                END { if (all - named >= 0.01) printf "%sother %.2f", sep, all - named }' "$f.perrt")
        done
    done
fi

# --- callgrind: user-space instructions per round trip ---------------------------
# cg_funcs FILE [--inclusive=yes]: "Ir function(object)" lines, self cost by
# default (inlined code counted where it landed).
cg_funcs() {
    callgrind_annotate --threshold=100 "${@:2}" "$1" 2>/dev/null | awk '
        /file:function/ { on = 1; next }
        on && /^-+$/ { next }
        on && NF == 0 && seen { exit }
        on && $1 ~ /^[0-9,]+$/ {
            seen = 1
            ir = $1; gsub(",", "", ir)
            line = $0; sub(/^ *[0-9,]+ +(\([ 0-9.]+%\) +)?/, "", line)
            obj = line; fn = line
            if (match(line, / \[[^]]*\]$/)) {
                obj = substr(line, RSTART + 2, RLENGTH - 3); fn = substr(line, 1, RSTART - 1)
                n = split(obj, parts, "/"); obj = parts[n]
            } else obj = "?"
            sub(/^.*:/, "", fn)
            gsub(/ /, "_", fn)
            print ir, fn "(" obj ")"
        }'
}
cg_total() {
    callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ { v = $1; gsub(",", "", v); print v; exit }'
}
declare -A CG_IR CG_TOP
if [[ $TOOLS == *" callgrind "* ]]; then
    echo "callgrind" >&2
    for conns in $CG_CONNS; do
        for name in $CG_SERVERS; do
            counted "$name" "$conns" callgrind || continue
            f=$OUT/callgrind-$name-$conns
            b=$(cg_total "$f-base.cg")
            u=$(cg_total "$f-full.cg")
            [[ -n $b && -n $u ]] || continue
            n=$(count_for "$conns")
            CG_IR[$name|$conns]=$(awk -v a="$u" -v b="$b" -v n="$n" 'BEGIN { printf "%.0f", (a - b) / n }')
            awk -v n="$n" '
                FNR == NR { base[$2] = $1; next }
                { d[$2] = ($1 - base[$2]) / n }
                END { for (k in d) if (d[k] >= 1) printf "%s %.0f\n", k, d[k] }
            ' <(cg_funcs "$f-base.cg") <(cg_funcs "$f-full.cg") | sort -k2,2nr >"$f.perrt"
            awk -v n="$n" '
                FNR == NR { base[$2] = $1; next }
                { d[$2] = ($1 - base[$2]) / n }
                END { for (k in d) if (d[k] >= 1) printf "%s %.0f\n", k, d[k] }
            ' <(cg_funcs "$f-base.cg" --inclusive=yes) <(cg_funcs "$f-full.cg" --inclusive=yes) |
                grep -v '(?) ' | sort -k2,2nr >"$f.incl"
        done
    done
fi

# --- perf record: sampled CPU profile, kernel included ----------------------------
# Kernel entry points -> the system call they serve (inclusive time).
SYSCALL_SYMS='__sys_sendmsg=sendmsg __sys_recvmsg=recvmsg __sys_sendto=sendto __sys_recvfrom=recvfrom
__do_sys_io_uring_enter=io_uring_enter __sys_accept4=accept4 __x64_sys_process_vm_readv=process_vm_readv
__sys_getsockopt=getsockopt __x64_sys_getpid=getpid __x64_sys_fcntl=fcntl __x64_sys_futex=futex
do_epoll_wait=epoll_wait ksys_read=read ksys_write=write __x64_sys_epoll_ctl=epoll_ctl'
declare -A PERF_SYS PERF_USER
if [[ $TOOLS == *" perf "* ]]; then
    echo "perf record: 50 connections, 2 s" >&2
    for name in $PERF_SERVERS; do
        tag=perf-$name
        start "$name" "$tag" || continue
        perf record -q -e cpu-clock -F 2999 -g -p "$SRV_PID" -o "$OUT/$tag.data" 2>/dev/null &
        perf_pid=$!
        sleep 0.5
        "${PIN_L[@]}" "$BUILD/loadgen" --port "$PORT" --conns 50 --size 64 --mode pingpong \
            --duration 2 --warmup 0.2 --server-pid "$SRV_PID" >"$OUT/$tag.loadgen" 2>&1
        kill -INT "$perf_pid" 2>/dev/null
        wait "$perf_pid" 2>/dev/null
        stop
        perf report -i "$OUT/$tag.data" --no-children --sort sym --stdio -g none --percent-limit 0.7 \
            2>/dev/null | grep -E '^ +[0-9.]+%' >"$OUT/$tag.top"
        perf report -i "$OUT/$tag.data" --no-children --sort dso --stdio -g none \
            2>/dev/null | grep -E '^ +[0-9.]+%' >"$OUT/$tag.dso"
        perf report -i "$OUT/$tag.data" --children --sort sym --stdio -g none \
            2>/dev/null | grep -E '^ +[0-9.]+%' >"$OUT/$tag.children"
        PERF_SYS[$name]=$(awk -v map="$SYSCALL_SYMS" '
            BEGIN { n = split(map, m, /[ \n]+/); for (i = 1; i <= n; i++) { split(m[i], kv, "="); sc[kv[1]] = kv[2] } }
            $3 == "[k]" && ($4 in sc) { v = $1; sub("%", "", v); t[sc[$4]] += v }
            END { for (k in t) if (t[k] >= 0.1) printf "%s %.1f\n", k, t[k] }' "$OUT/$tag.children" |
            sort -k2,2nr | awk '{ printf "%s%s %s%%", sep, $1, $2; sep = ", " }')
        PERF_USER[$name]=$(awk '$2 != "[kernel.kallsyms]" && $2 != "[unknown]" { v = $1; sub("%", "", v); u += v; printf "%s%s %s", sep, $2, $1; sep = ", " }
            END { printf "|%.1f", u }' "$OUT/$tag.dso")
        printf '  %-15s perf: %s\n' "$name" "$(cat "$OUT/$tag.loadgen")" >&2
    done
fi

# --- report -------------------------------------------------------------------
MD=$BUILD/profile.md
TXT=$BUILD/profile.txt
cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
esc() { sed -e 's/_/\\_/g'; } # markdown: function names have underscores
{
    echo "<!-- generated by bench/profile.sh; bench/update_doc.sh copies it here -->"
    echo "Profiled $(date -u '+%Y-%m-%d %H:%M UTC') on ${cpu_model:-?}, $(nproc) CPUs, kernel $(uname -r)" \
        "(load average before: $LOAD0); 64 B ping-pong. Counted runs: $COUNT1 round trips with 1 connection," \
        "$COUNT_MANY with more, minus a run with only the priming round trips."
    if ((${#skip_note[@]} > 0)); then
        echo
        echo "Skipped: ${skip_note[*]}."
    fi
    if [[ $TOOLS == *" perfstat "* ]]; then
        echo
        echo "System calls per round trip, all threads of the server (perf stat on syscall tracepoints: no slow-down), and the server's CPU time per round trip (task-clock; on loopback part of the peer's TCP work lands in the sender's time):"
        echo
        echo "| server | conns | syscalls / round trip | by name | CPU µs / round trip | context switches / round trip |"
        echo "|---|--:|--:|---|--:|--:|"
        for name in $SERVERS; do
            for conns in $CONNS_LIST; do
                echo "| $name | $conns | ${PS_SYS[$name|$conns]:-na} | ${PS_TOP[$name|$conns]:-} | ${PS_CPU[$name|$conns]:-na} | ${PS_CS[$name|$conns]:-na} |"
            done
        done | esc
    fi
    if [[ $TOOLS == *" strace "* ]]; then
        echo
        echo "The same counted with \`strace -c -f\`. Its ptrace stops slow the server about 10x, which changes what the server does: more completions arrive per wake-up, and on the epoll engine a receive issued inside a routine finds its data already there, so the routines chain and \`SleepEx\` does not return between round trips (no \`accept()\` calls). The perf stat table above is the one to trust; this one names the calls as strace users see them:"
        echo
        hdr="| server |" sep="|---|"
        for conns in $CONNS_LIST; do hdr+=" $conns conn |" && sep+="---|"; done
        echo "$hdr"
        echo "$sep"
        for name in $SERVERS; do
            row="| $name |"
            for conns in $CONNS_LIST; do row+=" ${SC_TOTAL[$name|$conns]:-na}: ${SC_TOP[$name|$conns]:-} |"; done
            echo "$row"
        done | esc
    fi
    if [[ $TOOLS == *" callgrind "* ]]; then
        for conns in $CG_CONNS; do
            echo
            echo "User-space instructions per round trip (callgrind Ir, $conns connection(s); the kernel's work is not in it):"
            echo
            echo "| server | Ir / round trip | top functions, self Ir / round trip |"
            echo "|---|--:|---|"
            for name in $CG_SERVERS; do
                f=$OUT/callgrind-$name-$conns.perrt
                top=
                [[ -f $f ]] && top=$(head -n 10 "$f" | sed -e 's/(\([^)]*\))//' | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')
                echo "| $name | ${CG_IR[$name|$conns]:-na} | $(echo "$top" | esc) |"
            done
            for name in $CG_SERVERS; do
                [[ $name == ovio_* ]] || continue
                f=$OUT/callgrind-$name-$conns.incl
                [[ -f $f ]] || continue
                echo
                echo "$name, inclusive Ir per round trip of the calls it makes: $(grep -E '^(WSASend|WSARecv|SleepEx|ovio_send|ovio_recv|ovio_sleep|ovio_ws_accept|accept|run_apcs|ovio__wait_objects|ovio__issue|complete|uring_wait|epoll_wait_engine|block_as|transfer|ws__io_issue|malloc|calloc|free|pthread_mutex_lock[^ ]*|__pthread_mutex_unlock_usercnt)\(' "$f" |
                    sed -e 's/(\([^)]*\))//' | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }' | esc)."
            done
        done
    fi
    if [[ $TOOLS == *" perf "* ]]; then
        echo
        echo "Where the server's CPU time goes (perf record -e cpu-clock -g, 50 connections, 64 B, 2 s): time inside each system call (kernel, inclusive), user space by object, and the top symbols (self):"
        for name in $PERF_SERVERS; do
            f=$OUT/perf-$name.top
            [[ -f $f ]] || continue
            echo
            echo "- **$name** ($(cat "$OUT/perf-$name.loadgen" | awk '{ print $1 }')): system calls ${PERF_SYS[$name]:-?}; user space ${PERF_USER[$name]##*|}% (${PERF_USER[$name]%|*})"
        done
        for name in $PERF_SERVERS; do
            f=$OUT/perf-$name.top
            [[ -f $f ]] || continue
            echo
            echo "<details><summary>$name: top symbols</summary>"
            echo
            echo '```'
            head -n 20 "$f"
            echo '```'
            echo "</details>"
        done
    fi
} >"$MD"
# Plain-text copy with the per-function lists in full.
{
    sed -e '/^<!--/d' -e 's/\\_/_/g' "$MD"
    for f in "$OUT"/*.perrt "$OUT"/*.incl; do
        [[ -f $f ]] || continue
        echo
        case $f in
        *.incl) echo "== $(basename "$f" .incl) (inclusive Ir per round trip)" ;;
        *) echo "== $(basename "$f" .perrt) (per round trip)" ;;
        esac
        head -n 30 "$f"
    done
} >"$TXT"
cat "$TXT"
echo
echo "markdown: $MD; raw files: $OUT/"
echo "elapsed: $((SECONDS - T_START)) s"
