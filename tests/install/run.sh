#!/usr/bin/env bash
# installcheck: build small programs against an installed ovio (DESTDIR tree) with pkg-config.
# Usage: tests/install/run.sh DESTDIR PREFIX      (CC, CXX, PKG_CONFIG honoured)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
destdir=$1
prefix=$2
cc=${CC:-cc}
cxx=${CXX:-c++}
pkg_config=${PKG_CONFIG:-pkg-config}

libdir=$destdir$prefix/lib
out=$(dirname "$destdir")/bin
mkdir -p "$out"

# Only the installed tree: the .pc files there, paths inside it prefixed by the DESTDIR.
export PKG_CONFIG_PATH=$libdir/pkgconfig
export PKG_CONFIG_SYSROOT_DIR=$destdir

for pc in ovio ovio-win32; do
    echo "$pc.pc: cflags: $($pkg_config --cflags "$pc")  libs: $($pkg_config --libs "$pc")"
done

warn=(-Wall -Wextra -Werror)
static_libs() { # libovio.a linked statically, the rest from --static --libs
    echo "-Wl,-Bstatic -lovio -Wl,-Bdynamic $($pkg_config --static --libs "$1" | sed 's/-lovio//')"
}

build() { # build NAME COMPILER SOURCE PC
    local name=$1 compiler=$2 src=$3 pc=$4
    # shellcheck disable=SC2046
    $compiler "${warn[@]}" -o "$out/$name-shared" "$src" $($pkg_config --cflags --libs "$pc")
    # shellcheck disable=SC2046
    $compiler "${warn[@]}" -o "$out/$name-static" "$src" $($pkg_config --cflags "$pc") $(static_libs "$pc")
    LD_LIBRARY_PATH=$libdir "$out/$name-shared"
    "$out/$name-static"
    if ldd "$out/$name-static" | grep -q libovio; then
        echo "installcheck: $name-static is linked to libovio.so" >&2
        exit 1
    fi
    LD_LIBRARY_PATH=$libdir ldd "$out/$name-shared" | grep -q "libovio.so.0 => $libdir/" || {
        echo "installcheck: $name-shared does not use the installed libovio.so.0" >&2
        exit 1
    }
}

build native "$cc" "$here/native.c" ovio
build win32-c "$cc" "$here/win32.c" ovio-win32
build win32-cxx "$cxx" "$here/win32.cpp" ovio-win32
echo "installcheck: ok"
