#!/bin/sh
# Ensure the Debian packages the ovio build, tests and benchmarks need are installed.
# Usage: mk/deps.sh PACKAGE...
# Silent and fast when everything is present. As root, installs what is missing;
# otherwise prints the exact apt-get command and fails.
set -eu

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps: dpkg-query not found (not a Debian system?); skipping package check" >&2
    exit 0
fi

missing_pkgs() {
    for p in "$@"; do
        st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
        case "$st" in
        ii*) ;;
        *) printf ' %s' "$p" ;;
        esac
    done
}

missing=$(missing_pkgs "$@")
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing Debian packages:$missing" >&2
    echo "deps: install them with:" >&2
    echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi

echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update </dev/null
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $missing </dev/null

still=$(missing_pkgs "$@")
if [ -n "$still" ]; then
    echo "deps: still missing after apt-get install:$still" >&2
    exit 1
fi
echo "deps: all packages present"
