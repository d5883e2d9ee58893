#! /bin/bash
# Fetches Debian's OVN (ovn-common, ovn-host, ovn-central) of the Debian
# release that carries Open vSwitch base BASE, for the OVN system tests,
# without installing the packages: ovn-host and ovn-central depend on
# Debian's openvswitch-switch, whose maintainer scripts may start Debian's
# own Open vSwitch daemons next to ours.  Instead the .debs are downloaded
# into a cache and unpacked into a private root.
#
#   build-aux/nvo3-ovn.sh [BASE]     BASE defaults to 3.1
#
# Prints the OVN directory, DIR: DIR/bin holds ovn-northd, ovn-controller,
# ovn-nbctl, ovn-sbctl and ovn-appctl, DIR/root/usr/share/ovn the schemas.
#
#   base 3.1 (bookworm): OVN 23.03 in build/ovn.  The libraries it needs
#       and the machine lacks are installed from the machine's own release.
#   base 3.5 (trixie): OVN 25.03 in build/ovn-trixie, fetched with a
#       private apt configuration (build-aux/nvo3-apt.sh) together with the
#       trixie libraries it links, which stay in the private root: DIR/bin's
#       programs start through that root's own dynamic loader.
#   base 4.0 (sid): sid's OVN is 25.09 or later, which has no STT; 25.03
#       is the last OVN with STT, so base 4.0 gets trixie's too.
#
# Idempotent: with everything in place it only prints DIR.  Exits 0 on
# success, 1 on a real error, 77 when there is no OVN with STT for BASE or
# the packages cannot be fetched (no package registry reachable), so that
# callers can skip.
set -e -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
base=${1:-3.1}
packages="ovn-common ovn-host ovn-central"
programs="ovn-northd ovn-controller ovn-nbctl ovn-sbctl ovn-appctl"

say() { echo "nvo3-ovn: $*" >&2; }
die() { echo "nvo3-ovn: error: $*" >&2; exit 1; }
skip() { echo "nvo3-ovn: $*" >&2; exit 77; }

suite=$(awk -v b="$base" '$1 == b { print $2 }' "$top/build-aux/ovs-bases")
[ -n "$suite" ] || die "unknown base '$base'"
# The OVN release each suite carries, checked against what is unpacked.
case $suite in
    bookworm) want=23.03; dir=$top/build/ovn ;;
    trixie) want=25.03; dir=$top/build/ovn-$suite ;;
    sid) suite=trixie; want=25.03; dir=$top/build/ovn-$suite ;;
    *) skip "base $base ($suite): no OVN with STT known for $suite" ;;
esac
debs=$dir/debs
root=$dir/root

have_dir() {
    local p
    for p in $programs; do
        [ -x "$dir/bin/$p" ] || return 1
    done
    [ -r "$root/usr/share/ovn/ovn-nb.ovsschema" ] &&
        [ -r "$root/usr/share/ovn/ovn-sb.ovsschema" ]
}

# The Depends (and Pre-Depends) of .deb files that are shared libraries,
# first alternative of each, one per line.
lib_depends() {
    local deb
    for deb in "$@"; do
        dpkg-deb -f "$deb" Pre-Depends Depends | sed 's/^[A-Za-z-]*: //'
    done | tr ',' '\n' | sed 's/|.*//; s/(.*//; s/:any//; s/ //g' |
        grep -E '^(lib|zlib1g$)' | sort -u || true
}

# The shared libraries the programs cannot find on this machine.
missing_libs() {
    local p
    for p in $programs; do
        ldd "$root/usr/bin/$p" 2>/dev/null | awk '/=> not found/ {print $1}'
    done | sort -u
}

# bookworm: the packages from the machine's own apt, missing libraries
# installed (ldd tells which).
fetch_native() {
    if ! ls "$debs"/ovn-central_*.deb > /dev/null 2>&1; then
        say "downloading $packages into $debs"
        (cd "$debs" && apt-get -q download $packages >&2) || {
            apt-get -q update >&2 || true
            (cd "$debs" && apt-get -q download $packages >&2) ||
                skip "cannot download $packages"
        }
    fi
    unpack "$debs"/ovn-*.deb
    local p
    for p in $programs; do
        ln -sf "../root/usr/bin/$p" "$dir/bin/$p"
    done
    [ -n "$(missing_libs)" ] || return 0
    # Only those not installed yet: naming an installed library to apt-get
    # would upgrade it.
    local deps= d
    for d in $(lib_depends "$debs"/ovn-*.deb); do
        dpkg-query -W -f='${Status}\n' "$d" 2>/dev/null |
            grep -q 'install ok installed' || deps="$deps $d"
    done
    [ -n "$deps" ] || die "missing $(missing_libs | xargs), from no dependency"
    say "missing libraries: $(missing_libs | xargs); installing$deps"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends $deps >&2 || skip "cannot install$deps"
    [ -z "$(missing_libs)" ] || die "still missing: $(missing_libs | xargs)"
}

# Another suite: the packages and, following their Depends, every library
# they need down to libc6, all from that suite, all unpacked into the root.
fetch_foreign() {
    . "$top/build-aux/nvo3-apt.sh"
    nvo3_apt "$top" "$suite"
    if ! ls "$debs"/ovn-central_*.deb > /dev/null 2>&1; then
        say "fetching the $suite package lists"
        nvo3_apt_update || skip "cannot fetch the $suite package lists"
        say "downloading $packages and their libraries from $suite"
        rm -rf "$debs.tmp"
        mkdir -p "$debs.tmp"
        local todo=$packages got= p
        while [ -n "$todo" ]; do
            (cd "$debs.tmp" && apt-get "${apt_opts[@]}" -q download $todo \
                 > /dev/null) || skip "cannot download$todo from $suite"
            got="$got $todo"
            todo=
            for p in $(lib_depends "$debs.tmp"/*.deb); do
                case " $got " in *" $p "*) ;; *) todo="$todo $p" ;; esac
            done
        done
        rm -rf "$debs"
        mv "$debs.tmp" "$debs"
    fi
    unpack "$debs"/*.deb
    local ld libpath
    ld=$(cd "$root" && find lib64 usr/lib64 usr/lib/x86_64-linux-gnu \
             -name 'ld-linux-x86-64.so.2' 2>/dev/null | head -1 || true)
    [ -n "$ld" ] || die "no dynamic loader among the $suite packages"
    libpath=$root/lib/x86_64-linux-gnu:$root/usr/lib/x86_64-linux-gnu
    for p in $programs; do
        cat > "$dir/bin/$p" <<EOT
#! /bin/sh
# $suite's $p, with $suite's libraries (build-aux/nvo3-ovn.sh).
exec "$root/$ld" --library-path "$libpath" "$root/usr/bin/$p" "\$@"
EOT
        chmod +x "$dir/bin/$p"
        ! "$root/$ld" --library-path "$libpath" --list "$root/usr/bin/$p" |
            grep 'not found' >&2 || die "$p lacks libraries from $suite"
    done
}

# unpack DEB...: a fresh root and bin/ from DEB...
unpack() {
    local deb
    rm -rf "$root.tmp" "$dir/bin"
    mkdir -p "$root.tmp" "$dir/bin"
    for deb in "$@"; do
        dpkg-deb -x "$deb" "$root.tmp"
    done
    rm -rf "$root"
    mv "$root.tmp" "$root"
}

if ! have_dir; then
    mkdir -p "$debs"
    if [ "$suite" = "$(. /etc/os-release && echo "$VERSION_CODENAME")" ]; then
        fetch_native
    else
        fetch_foreign
    fi
    have_dir || die "no OVN programs in $dir after unpacking"
    version=$("$dir/bin/ovn-controller" --version | sed -n 1p)
    case $version in
        *" $want."*) say "$version in $dir" ;;
        *) rm -rf "$dir/bin"
           die "$suite's ovn-controller says '$version', not $want" ;;
    esac
fi
echo "$dir"
