#! /bin/sh
# Fetches Debian's OVN (ovn-common, ovn-host, ovn-central) for the OVN system
# test, without installing the packages: ovn-host and ovn-central depend on
# Debian's openvswitch-switch, whose maintainer scripts may start Debian's
# own Open vSwitch daemons next to ours.  Instead the .debs are downloaded
# into a cache and unpacked into a private root; only the shared libraries
# the binaries need are installed from Debian.
#
#   build-aux/nvo3-ovn.sh [DIR]      DIR defaults to build/ovn
#
# Afterwards DIR/root/usr/bin holds ovn-northd, ovn-controller, ovn-nbctl,
# ovn-sbctl, ... and DIR/root/usr/share/ovn the schemas (ovn-nb.ovsschema,
# ovn-sb.ovsschema).  Idempotent: a second run with everything in place
# does nothing but print where the binaries are.  Needs root for apt-get
# (only when something is missing).
#
# Exits 0 on success, 1 on a real error, 77 when the packages cannot be
# fetched (no package registry reachable), so that callers can skip.

set -e

TOP=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:-$TOP/build/ovn}
DEBS=$DIR/debs
ROOT=$DIR/root
PACKAGES="ovn-common ovn-host ovn-central"
BINARIES="ovn-northd ovn-controller ovn-nbctl ovn-sbctl"

log () { echo "nvo3-ovn: $*" >&2; }

have_root () {
    for b in $BINARIES; do
        [ -x "$ROOT/usr/bin/$b" ] || return 1
    done
    [ -r "$ROOT/usr/share/ovn/ovn-nb.ovsschema" ] &&
        [ -r "$ROOT/usr/share/ovn/ovn-sb.ovsschema" ]
}

have_debs () {
    for p in $PACKAGES; do
        ls "$DEBS/${p}_"*.deb > /dev/null 2>&1 || return 1
    done
}

download () {
    (cd "$DEBS" && apt-get download $PACKAGES) >&2
}

# The shared libraries the unpacked binaries cannot find, one per line.
missing_libs () {
    for b in "$ROOT"/usr/bin/ovn-* "$ROOT"/usr/sbin/ovn-* ; do
        [ -x "$b" ] || continue
        # (ldd says nothing "not found" for a script.)
        ldd "$b" 2>/dev/null | awk '/=> not found/ {print $1}'
    done | sort -u
}

if ! have_root; then
    mkdir -p "$DEBS"
    if ! have_debs; then
        log "downloading $PACKAGES into $DEBS"
        if ! download; then
            log "apt-get download failed; running apt-get update first"
            apt-get update >&2 || true
            if ! download; then
                log "cannot download $PACKAGES"
                exit 77
            fi
        fi
    fi
    rm -rf "$ROOT.tmp"
    mkdir -p "$ROOT.tmp"
    for p in $PACKAGES; do
        deb=$(ls "$DEBS/${p}_"*.deb | sort | tail -1)
        log "unpacking $(basename "$deb")"
        dpkg-deb -x "$deb" "$ROOT.tmp"
    done
    rm -rf "$ROOT"
    mv "$ROOT.tmp" "$ROOT"
    have_root || { log "no OVN binaries in $ROOT after unpacking"; exit 1; }
fi

libs=$(missing_libs)
if [ -n "$libs" ]; then
    # Map each missing soname to the Debian package that ovn-common etc.
    # declare as dependencies and that ship it: the packages' own Depends
    # name them, so install exactly those that are shared libraries.
    deps=
    for p in $PACKAGES; do
        deb=$(ls "$DEBS/${p}_"*.deb | sort | tail -1)
        deps="$deps $(dpkg-deb -f "$deb" Depends | tr ',|' '\n\n' |
            sed 's/(.*//; s/:any//; s/ //g' | grep '^lib' || true)"
    done
    # Only those not installed yet: naming an installed library to apt-get
    # would upgrade it.
    deps=$(for d in $(echo $deps | tr ' ' '\n' | sort -u); do
        dpkg-query -W -f='${Status}\n' "$d" 2>/dev/null |
            grep -q 'install ok installed' || printf ' %s' "$d"
    done)
    [ -n "$deps" ] || { log "missing $(echo $libs), from no dependency"; exit 1; }
    log "missing libraries: $(echo $libs); installing$deps"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        $deps >&2 || {
        apt-get update >&2 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y \
            --no-install-recommends $deps >&2 || exit 77
    }
    libs=$(missing_libs)
    if [ -n "$libs" ]; then
        log "still missing: $(echo $libs)"
        exit 1
    fi
fi

echo "OVN binaries: $ROOT/usr/bin"
echo "OVN schemas:  $ROOT/usr/share/ovn"
