#!/bin/sh
# k_constants_sdk: every constant and error code that ovio's Windows headers define, and the size,
# alignment and member offsets of the Windows structures, must equal MinGW-w64's for x86_64
# Windows (SPEC: "Numeric values must equal the Windows SDK's").
#
# How: the macro names come from the preprocessor (-dM) on our headers, minus what the C library
# and prelude.h define.  One generated C file holds `const unsigned long long` objects initialised
# with each value, its sizeof, and each layout expression; it is compiled to assembly by the native
# compiler (with our headers) and by x86_64-w64-mingw32-gcc (with MinGW's), and the data emitted
# for every object is compared.  Nothing is run on the Windows side.
#
# Usage: k_constants_sdk.sh [SOURCE_DIR]      exit 0 pass, 1 fail, 77 skip (no MinGW-w64)
# Environment: K_NATIVE_CC (default cc), K_MINGW_CC (default x86_64-w64-mingw32-gcc), K_VERBOSE=1.
set -u
export LC_ALL=C

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
native=${K_NATIVE_CC:-cc}
mingw=${K_MINGW_CC:-x86_64-w64-mingw32-gcc}
inc=$root/include/win32

if ! command -v "$mingw" >/dev/null 2>&1; then
    echo "SKIP: $mingw not installed (Debian package gcc-mingw-w64-x86-64)"
    exit 77
fi
if [ ! -f "$inc/winsock2.h" ]; then
    echo "FAIL: ovio's Windows headers not found under $inc"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/k_constants_sdk.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# ---- the headers on each side ------------------------------------------------------------------
headers='winsock2.h ws2tcpip.h mswsock.h windows.h process.h tchar.h mstcpip.h afunix.h'
{
    for h in $headers; do echo "#include <$h>"; done
    echo '#include <stddef.h>'
} >"$tmp/ours.h"
{
    # ntstatus.h first: windows.h then redefines the statuses that winnt.h owns with winnt.h's
    # DWORD type, which is what a Windows program including <windows.h> gets (and what we define).
    echo '#include <ntstatus.h>'
    for h in $headers; do echo "#include <$h>"; done
    echo '#include <stddef.h>'
} >"$tmp/mingw.h"

# ---- the macro names we define -----------------------------------------------------------------
echo '#include "ovio_win32/prelude.h"' >"$tmp/base.c"
echo '#include "ours.h"' >"$tmp/ours.c"
"$native" -E -dM -I"$inc" "$tmp/base.c" >"$tmp/base.dM" || exit 1
"$native" -E -dM -I"$inc" -I"$tmp" "$tmp/ours.c" >"$tmp/ours.dM" || exit 1

# Our macros that are not values: member and type aliases, keywords, expressions of run-time.
not_values=' s_addr s_host s_net s_imp s_impno s_lh s6_addr s6_bytes s6_words h_addr h_errno
    DECLSPEC_NORETURN IN6ADDR_ANY_INIT IN6ADDR_LOOPBACK_INIT '
# Values the Windows SDK has but MinGW-w64 lacks (checked against Microsoft's ws2ipdef.h).
sdk_only=' TCP_KEEPALIVE TCP_MAXSEG TCP_MAXRT TCP_STDURG TCP_NOURG TCP_ATMARK TCP_NOSYNRETRIES
    TCP_TIMESTAMPS TCP_OFFLOAD_PREFERENCE TCP_CONGESTION_ALGORITHM TCP_DELAY_FIN_ACK TCP_MAXRTMS
    TCP_FASTOPEN TCP_KEEPCNT TCP_KEEPIDLE TCP_KEEPINTVL '

# name<TAB>value for object-like macros that are ours (not the C library's, not prelude's).
awk 'NR == FNR { if ($1 == "#define") base[$2] = 1; next }
     $1 == "#define" && !($2 in base) && $2 !~ /\(/ {
         v = $0; sub(/^#define [^ ]+ ?/, "", v); print $2 "\t" v }' \
    "$tmp/base.dM" "$tmp/ours.dM" | sort >"$tmp/ours.macros"
cut -f1 "$tmp/ours.macros" >"$tmp/ours.names"

# Classify: empty decorations (WINAPI, IN, include guards) are skipped; brace initialisers are
# GUIDs; a lone identifier that does not lead (through our own macros) to a value is an alias of a
# function, type or keyword (WSASocket -> WSASocketA, u_long -> ovio_u_long, InetPton -> InetPtonA
# -> inet_pton) and has no value to compare; everything else is a value.
awk -F '\t' -v not_values="$(echo $not_values)" '
    BEGIN { n = split(not_values, nv, " "); for (i = 1; i <= n; i++) skip[nv[i]] = 1 }
    { name[NR] = $1; val[$1] = $2 }
    function is_ident(v) { return v ~ /^[A-Za-z_][A-Za-z0-9_]*$/ }
    function alias(v,   hops) {
        for (hops = 0; is_ident(v) && hops < 20; hops++) {
            if (!(v in val)) return 1
            v = val[v]
        }
        return 0
    }
    END {
        for (i = 1; i <= NR; i++) {
            nm = name[i]; v = val[nm]
            if (nm ~ /^(OVIO_|ovio_|__)/ || (nm in skip) || v == "") continue
            if (v ~ /^\{/) print nm > "/dev/fd/3"
            else if (alias(v)) print nm " -> " v > "/dev/fd/4"
            else print nm
        }
    }' "$tmp/ours.macros" >"$tmp/scalar.names" 3>"$tmp/guid.names" 4>"$tmp/skipped"

# ---- layouts -------------------------------------------------------------------------------------
cat >"$tmp/layout.list" <<'EOF'
sizeof(CHAR)
sizeof(BYTE)
sizeof(WORD)
sizeof(SHORT)
sizeof(USHORT)
sizeof(INT)
sizeof(UINT)
sizeof(LONG)
sizeof(ULONG)
sizeof(DWORD)
sizeof(BOOL)
sizeof(BOOLEAN)
sizeof(LONGLONG)
sizeof(ULONGLONG)
sizeof(DWORD64)
sizeof(INT_PTR)
sizeof(UINT_PTR)
sizeof(LONG_PTR)
sizeof(ULONG_PTR)
sizeof(DWORD_PTR)
sizeof(SIZE_T)
sizeof(SSIZE_T)
sizeof(HANDLE)
sizeof(LPVOID)
sizeof(HRESULT)
sizeof(NTSTATUS)
sizeof(SOCKET)
sizeof(GROUP)
sizeof(WSAEVENT)
sizeof(u_char)
sizeof(u_short)
sizeof(u_int)
sizeof(u_long)
sizeof(u_int64)
sizeof(socklen_t)
sizeof(ADDRESS_FAMILY)
(DWORD)-1 < 0
(LONG)-1 < 0
(ULONG)-1 < 0
(BOOL)-1 < 0
(SOCKET)-1 < 0
(ULONG_PTR)-1 < 0
(LONG_PTR)-1 < 0
(SIZE_T)-1 < 0
(u_long)-1 < 0
(WORD)-1 < 0
(socklen_t)-1 < 0
sizeof(LARGE_INTEGER)
offsetof(LARGE_INTEGER, HighPart)
sizeof(GUID)
offsetof(GUID, Data2)
offsetof(GUID, Data3)
offsetof(GUID, Data4)
sizeof(OVERLAPPED)
__alignof__(OVERLAPPED)
offsetof(OVERLAPPED, Internal)
offsetof(OVERLAPPED, InternalHigh)
offsetof(OVERLAPPED, Offset)
offsetof(OVERLAPPED, OffsetHigh)
offsetof(OVERLAPPED, Pointer)
offsetof(OVERLAPPED, hEvent)
sizeof(WSAOVERLAPPED)
sizeof(OVERLAPPED_ENTRY)
offsetof(OVERLAPPED_ENTRY, lpCompletionKey)
offsetof(OVERLAPPED_ENTRY, lpOverlapped)
offsetof(OVERLAPPED_ENTRY, Internal)
offsetof(OVERLAPPED_ENTRY, dwNumberOfBytesTransferred)
sizeof(SECURITY_ATTRIBUTES)
offsetof(SECURITY_ATTRIBUTES, lpSecurityDescriptor)
offsetof(SECURITY_ATTRIBUTES, bInheritHandle)
sizeof(SYSTEM_INFO)
offsetof(SYSTEM_INFO, wProcessorArchitecture)
offsetof(SYSTEM_INFO, dwPageSize)
offsetof(SYSTEM_INFO, lpMinimumApplicationAddress)
offsetof(SYSTEM_INFO, dwActiveProcessorMask)
offsetof(SYSTEM_INFO, dwNumberOfProcessors)
offsetof(SYSTEM_INFO, dwAllocationGranularity)
offsetof(SYSTEM_INFO, wProcessorLevel)
offsetof(SYSTEM_INFO, wProcessorRevision)
sizeof(WSADATA)
offsetof(WSADATA, wVersion)
offsetof(WSADATA, wHighVersion)
offsetof(WSADATA, iMaxSockets)
offsetof(WSADATA, iMaxUdpDg)
offsetof(WSADATA, lpVendorInfo)
offsetof(WSADATA, szDescription)
offsetof(WSADATA, szSystemStatus)
sizeof(WSABUF)
offsetof(WSABUF, len)
offsetof(WSABUF, buf)
sizeof(struct sockaddr)
offsetof(struct sockaddr, sa_family)
offsetof(struct sockaddr, sa_data)
sizeof(SOCKADDR_STORAGE)
__alignof__(SOCKADDR_STORAGE)
offsetof(SOCKADDR_STORAGE, ss_family)
sizeof(struct in_addr)
offsetof(struct in_addr, S_un.S_un_b.s_b4)
offsetof(struct in_addr, S_un.S_un_w.s_w2)
sizeof(struct sockaddr_in)
offsetof(struct sockaddr_in, sin_family)
offsetof(struct sockaddr_in, sin_port)
offsetof(struct sockaddr_in, sin_addr)
offsetof(struct sockaddr_in, sin_zero)
sizeof(struct in6_addr)
offsetof(struct in6_addr, u.Word[7])
sizeof(struct sockaddr_in6)
offsetof(struct sockaddr_in6, sin6_family)
offsetof(struct sockaddr_in6, sin6_port)
offsetof(struct sockaddr_in6, sin6_flowinfo)
offsetof(struct sockaddr_in6, sin6_addr)
offsetof(struct sockaddr_in6, sin6_scope_id)
offsetof(struct sockaddr_in6, sin6_scope_struct)
sizeof(SCOPE_ID)
sizeof(SOCKADDR_INET)
sizeof(struct sockaddr_un)
offsetof(struct sockaddr_un, sun_path)
sizeof(ADDRINFOA)
offsetof(ADDRINFOA, ai_flags)
offsetof(ADDRINFOA, ai_family)
offsetof(ADDRINFOA, ai_socktype)
offsetof(ADDRINFOA, ai_protocol)
offsetof(ADDRINFOA, ai_addrlen)
offsetof(ADDRINFOA, ai_canonname)
offsetof(ADDRINFOA, ai_addr)
offsetof(ADDRINFOA, ai_next)
sizeof(struct hostent)
offsetof(struct hostent, h_name)
offsetof(struct hostent, h_aliases)
offsetof(struct hostent, h_addrtype)
offsetof(struct hostent, h_length)
offsetof(struct hostent, h_addr_list)
sizeof(struct servent)
offsetof(struct servent, s_name)
offsetof(struct servent, s_aliases)
offsetof(struct servent, s_proto)
offsetof(struct servent, s_port)
sizeof(struct protoent)
offsetof(struct protoent, p_proto)
sizeof(struct linger)
offsetof(struct linger, l_linger)
sizeof(struct timeval)
offsetof(struct timeval, tv_usec)
sizeof(fd_set)
offsetof(fd_set, fd_array)
sizeof(((fd_set *)0)->fd_array[0])
sizeof(WSANETWORKEVENTS)
offsetof(WSANETWORKEVENTS, iErrorCode)
sizeof(WSAPROTOCOLCHAIN)
sizeof(WSAPROTOCOL_INFOA)
offsetof(WSAPROTOCOL_INFOA, ProviderId)
offsetof(WSAPROTOCOL_INFOA, ProtocolChain)
offsetof(WSAPROTOCOL_INFOA, iVersion)
offsetof(WSAPROTOCOL_INFOA, dwProviderReserved)
offsetof(WSAPROTOCOL_INFOA, szProtocol)
offsetof(WSAPROTOCOL_INFOW, szProtocol)
sizeof(WSAPOLLFD)
offsetof(WSAPOLLFD, events)
offsetof(WSAPOLLFD, revents)
sizeof(struct ip_mreq)
sizeof(struct ipv6_mreq)
offsetof(struct ipv6_mreq, ipv6mr_interface)
sizeof(IN_PKTINFO)
sizeof(IN6_PKTINFO)
sizeof(TRANSMIT_FILE_BUFFERS)
offsetof(TRANSMIT_FILE_BUFFERS, HeadLength)
offsetof(TRANSMIT_FILE_BUFFERS, Tail)
offsetof(TRANSMIT_FILE_BUFFERS, TailLength)
sizeof(struct tcp_keepalive)
offsetof(struct tcp_keepalive, keepaliveinterval)
sizeof(((GUID *)0)->Data1)
sizeof(((OVERLAPPED *)0)->Internal)
sizeof(((OVERLAPPED *)0)->Offset)
sizeof(((OVERLAPPED *)0)->hEvent)
sizeof(((OVERLAPPED_ENTRY *)0)->dwNumberOfBytesTransferred)
sizeof(((SYSTEM_INFO *)0)->dwNumberOfProcessors)
sizeof(((WSADATA *)0)->iMaxSockets)
sizeof(((WSADATA *)0)->szDescription)
sizeof(((WSADATA *)0)->szSystemStatus)
sizeof(((WSABUF *)0)->len)
sizeof(((struct sockaddr *)0)->sa_family)
sizeof(((struct in_addr *)0)->S_un.S_addr)
sizeof(((struct sockaddr_in *)0)->sin_port)
sizeof(((struct sockaddr_in6 *)0)->sin6_flowinfo)
sizeof(((struct sockaddr_in6 *)0)->sin6_scope_id)
sizeof(((ADDRINFOA *)0)->ai_addrlen)
sizeof(((struct hostent *)0)->h_addrtype)
sizeof(((struct hostent *)0)->h_length)
sizeof(((struct servent *)0)->s_port)
sizeof(((struct protoent *)0)->p_proto)
sizeof(((struct linger *)0)->l_onoff)
sizeof(((struct linger *)0)->l_linger)
sizeof(((struct timeval *)0)->tv_sec)
sizeof(((fd_set *)0)->fd_count)
sizeof(((WSANETWORKEVENTS *)0)->lNetworkEvents)
sizeof(((WSAPOLLFD *)0)->events)
sizeof(((struct tcp_keepalive *)0)->onoff)
MAKEWORD(2, 2)
MAKEWORD(0x1ff, 0x2fe)
MAKELONG(0x1234, 0x5678)
LOWORD(0x12345678)
HIWORD(0x12345678)
LOBYTE(0x1234)
HIBYTE(0x1234)
sizeof(MAKEWORD(1, 2))
sizeof(MAKELONG(1, 2))
_IO('x', 3)
_IOR('x', 3, int)
_IOW('x', 3, u_short)
_WSAIORW(IOC_VENDOR, 99)
sizeof(_T("ab"))
sizeof(TEXT("ab"))
sizeof(TCHAR)
sizeof(_TCHAR)
EOF

# ---- generate and compile ---------------------------------------------------------------------
gen() { # gen HEADER OUT: one object per value
    {
        echo "#include \"$1\""
        while read -r n; do
            echo "const unsigned long long k_v_$n = (unsigned long long)($n);"
            echo "const unsigned long long k_s_$n = sizeof($n);"
        done <"$tmp/scalar.names"
        while read -r n; do
            echo "const GUID k_g_$n = $n;"
        done <"$tmp/guid.names"
        i=0
        while IFS= read -r e; do
            i=$((i + 1))
            echo "const unsigned long long k_e_$i = (unsigned long long)($e);"
        done <"$tmp/layout.list"
    } >"$2"
}

# Compile; on errors, report the failing lines' objects and compile again without them.
compile() { # compile SIDE CC INCLUDE_FLAGS...
    side=$1 cc=$2
    shift 2
    gen "$side.h" "$tmp/$side.c"
    : >"$tmp/$side.bad"
    for _ in 1 2 3; do
        if "$cc" -w -S -o "$tmp/$side.s" -I"$tmp" "$@" "$tmp/$side.c" 2>"$tmp/$side.err"; then
            return 0
        fi
        lines=$(sed -n "s|^$tmp/$side.c:\\([0-9][0-9]*\\):[0-9]*: error:.*|\\1|p" "$tmp/$side.err" | sort -un)
        [ -n "$lines" ] || { cat "$tmp/$side.err"; return 1; }
        for l in $lines; do
            sed -n "${l}p" "$tmp/$side.c" | sed -n 's/^const [A-Za-z ]* \(k_[vsge]_[A-Za-z0-9_]*\) = .*/\1/p' >>"$tmp/$side.bad"
            sed -i "${l}s|.*|/* removed: error */|" "$tmp/$side.c"
        done
    done
    cat "$tmp/$side.err"
    return 1
}

# ovio's headers in C mode, the way a program includes them.
compile ours "$native" -std=gnu11 -I"$inc" || { echo "FAIL: could not compile the native side"; exit 1; }
compile mingw "$mingw" -std=gnu11 || { echo "FAIL: could not compile the MinGW side"; exit 1; }

# symbol<TAB>normalised data directives, from a gcc assembly file (ELF or PE).
extract() {
    awk '
    /^[A-Za-z_][A-Za-z0-9_]*:/ { sym = $1; sub(/:$/, "", sym); next }
    /^[ \t]*\.(quad|8byte)[ \t]/ { d[sym] = d[sym] " 8:" $2; next }
    /^[ \t]*\.(long|int|4byte)[ \t]/ { d[sym] = d[sym] " 4:" $2; next }
    /^[ \t]*\.(value|word|short|2byte)[ \t]/ { d[sym] = d[sym] " 2:" $2; next }
    /^[ \t]*\.byte[ \t]/ { d[sym] = d[sym] " 1:" $2; next }
    /^[ \t]*\.(zero|space)[ \t]/ { d[sym] = d[sym] " z:" $2; next }
    END { for (s in d) if (s ~ /^k_/) print s "\t" substr(d[s], 2) }' "$1" | sort
}
extract "$tmp/ours.s" >"$tmp/ours.vals"
extract "$tmp/mingw.s" >"$tmp/mingw.vals"

# ---- compare ----------------------------------------------------------------------------------
fail=0
checked=0
describe() { # describe SYMBOL -> what it checks
    case $1 in
    k_v_*) echo "value of ${1#k_v_}" ;;
    k_s_*) echo "sizeof(${1#k_s_})" ;;
    k_g_*) echo "GUID ${1#k_g_}" ;;
    k_e_*) sed -n "${1#k_e_}p" "$tmp/layout.list" ;;
    esac
}
join -t '	' -a 1 -a 2 -e '<missing>' -o 0,1.2,2.2 "$tmp/ours.vals" "$tmp/mingw.vals" >"$tmp/joined"
while IFS='	' read -r sym ov mv; do
    checked=$((checked + 1))
    [ "$ov" = "$mv" ] && continue
    what=$(describe "$sym")
    name=${sym#k_[vsg]_}
    if [ "$mv" = '<missing>' ] && [ "$sym" != "${sym#k_[vsg]_}" ]; then
        case " $(echo $sdk_only) " in *" $name "*) continue ;; esac
        echo "FAIL: $what: defined by ovio ($ov) but not by MinGW-w64"
    elif [ "$ov" = '<missing>' ]; then
        echo "FAIL: $what: does not compile with ovio's headers (MinGW: $mv)"
    else
        echo "FAIL: $what: ovio $ov, MinGW-w64 $mv"
    fi
    fail=$((fail + 1))
done <"$tmp/joined"

# Objects that failed to compile on our side and never reached the join.
while read -r sym; do
    [ -n "$sym" ] || continue
    grep -q "^$sym	" "$tmp/mingw.vals" || {
        name=${sym#k_[vsg]_}
        case " $(echo $sdk_only) " in *" $name "*) continue ;; esac
        echo "FAIL: $(describe "$sym"): compiles on neither side"
        fail=$((fail + 1))
    }
done <"$tmp/ours.bad"

nscalar=$(wc -l <"$tmp/scalar.names")
nguid=$(wc -l <"$tmp/guid.names")
nlayout=$(wc -l <"$tmp/layout.list")
if [ "${K_VERBOSE:-0}" = 1 ]; then
    echo "aliases not compared:"
    sed 's/^/  /' "$tmp/skipped"
fi
echo "k_constants_sdk: $nscalar constants (value and size), $nguid GUIDs, $nlayout layout expressions;" \
    "$checked objects compared, $fail differ"
[ "$fail" -eq 0 ] || exit 1
exit 0
