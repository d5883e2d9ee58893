#! /bin/bash
# Builds ovs-nvo3's Debian packages for one Open vSwitch base ('make deb'):
#
#   - Open vSwitch's own binary packages (openvswitch-common,
#     openvswitch-switch, python3-openvswitch, openvswitch-source, ...) from
#     the base with our series applied, built by Debian's packaging of that
#     base (the debian/ directory inside every openvswitch-source), without
#     the DPDK flavour;
#   - stt-dkms, the STT kernel module (datapath/linux) as DKMS source, from
#     packaging/stt-dkms/debian.
#
# Into build/deb/BASE/, with a MANIFEST listing the .deb files.
#
# Usage: nvo3-deb.sh [--base=BASE] [--jobs=N]
#
# Versions: Debian's version of the base plus "+nvo3.RELEASE" (for example
# 3.1.0-2+deb12u1+nvo3.1, just above Debian's own), and for stt-dkms
# ovs-nvo3's version from NEWS with RELEASE as Debian revision (0.1-1).
# RELEASE is NVO3_DEB_RELEASE, 1 by default: raise it when packages built
# from one ovs-nvo3 version must upgrade earlier ones.
#
# The packages are built in build/deb-work/BASE: a prepared tree of its
# own (not configured; build/ovs, which the tests use, is left alone),
# copied with our links resolved, so that every run starts clean.
set -e -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
base=3.1
jobs=$(nproc)
release=${NVO3_DEB_RELEASE:-1}
profile=pkg.openvswitch.nodpdk
args=("$@")

while [ $# -gt 0 ]; do
    case $1 in
        --base=*) base=${1#*=} ;;
        --jobs=*) jobs=${1#*=} ;;
        *) echo "nvo3-deb: unknown option '$1'" >&2; exit 2 ;;
    esac
    shift
done

say() { echo "nvo3-deb: $*"; }
die() { echo "nvo3-deb: error: $*" >&2; exit 1; }

work=$top/build/deb-work/$base
out=$top/build/deb/$base
suite=$(awk -v b="$base" '$1 == b { print $2 }' "$top/build-aux/ovs-bases")
[ -n "$suite" ] || die "unknown base '$base'"
# The packages link against the build host's libraries and take their build
# dependencies from its archive (3.5's need trixie's libxdp-dev, for
# example): a base's packages are built on its own Debian release.  On
# another, this script runs again in a build root of the base's release
# (build-aux/nvo3-chroot.sh), with the base fetched here first.
. /etc/os-release
host=${VERSION_CODENAME:-unknown}
on_suite=
case $suite:$host in
    sid:*) grep -q sid /etc/debian_version 2>/dev/null && on_suite=yes ;;
    "$suite:$suite") on_suite=yes ;;
esac
if [ -z "$on_suite" ]; then
    [ "$(id -u)" = 0 ] \
        || die "base $base is Debian $suite's: build its packages on $suite, or as root in a $suite build root (this host is $host)"
    say "base $base is Debian $suite's, this host is $host: building in a $suite build root"
    "$top/build-aux/nvo3-base.sh" "$base" > /dev/null
    exec "$top/build-aux/nvo3-chroot.sh" "$suite" "$top/build-aux/nvo3-deb.sh" \
        "${args[@]}"
fi
[ "$suite" = sid ] && suite=unstable
[ -r "$top/patches/$base/debian/series" ] \
    || die "base $base has no packaging patches (patches/$base/debian/series)"
nvo3_version=$(sed -n '1s/^ovs-nvo3 \([0-9][^ ]*\) .*/\1/p' "$top/NEWS")
[ -n "$nvo3_version" ] || die "no ovs-nvo3 version on the first line of NEWS"

# Our changelog stanzas name the project and the date of the last commit,
# so that two builds of one commit give the same packages.
maintainer="ovs-nvo3 maintainers <maintainers@users.noreply.h-seed-944b6be6.example>"
when=$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)
changelog_date=$(LC_ALL=C date -R -u -d "@$when")

# Installs the build dependencies of source tree $1 that
# 'dpkg-checkbuilddeps' finds missing, with 'apt-get build-dep' (which
# resolves versions, alternatives, virtual packages and our build profile).
install_build_deps() {
    (cd "$1" && dpkg-checkbuilddeps -P "$profile" > /dev/null 2>&1) && return 0
    if [ "$(id -u)" != 0 ]; then
        die "missing build dependencies of $1 (dpkg-checkbuilddeps; run as root or install them)"
    fi
    say "installing the build dependencies of $(basename "$1")"
    DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -q \
        --no-install-recommends -P "$profile" "$1" > "$work/apt.log" 2>&1 \
        || { tail -20 "$work/apt.log" >&2; die "apt-get build-dep failed"; }
}

# A changelog stanza of ours on top of file $1: package $2, version $3,
# then the entries (one argument each).
changelog_stanza() {
    local file=$1 package=$2 version=$3 entry
    shift 3
    {
        echo "$package ($version) $suite; urgency=medium"
        echo
        for entry in "$@"; do
            echo "$entry" | fold -s -w 72 | sed -e '1s/^/  * /' -e '2,$s/^/    /' \
                -e 's/ *$//'
        done
        echo
        echo " -- $maintainer  $changelog_date"
        if [ -r "$file" ]; then
            echo
            cat "$file"
        fi
    } > "$file.new"
    mv "$file.new" "$file"
}

mkdir -p "$work"
rm -rf "$out"
mkdir -p "$out"
export DEB_BUILD_OPTIONS="nocheck noddebs parallel=$jobs"
# Debian's tools, not a python3 or compiler of the user's PATH (pyenv, ...);
# ccache's links reuse compilations across runs (the copy's path stays).
export PATH=/usr/lib/ccache:/usr/sbin:/usr/bin:/sbin:/bin

# --- 1. Open vSwitch, from Debian's packaging of the base. ------------------
say "preparing base $base in $work/tree"
"$top/build-aux/nvo3-prepare.sh" --base="$base" --builddir="$work/tree" \
    --no-configure > "$work/prepare.log" 2>&1 \
    || { cat "$work/prepare.log" >&2; die "preparing the tree failed"; }

src=$work/openvswitch
rm -rf "$src" "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo
mkdir -p "$src"
# Our files are links into this repository: the copy holds the files.  The
# quilt state of our series (.pc, patches) stays out, for dpkg-source keeps
# its own quilt state in .pc.  The tarball's include/openvswitch/version.h
# (configure's output, "3.1.0") stays out too: Debian builds in _debian/,
# and the compiler would find that stale copy in the source directory before
# the one configure writes there with our version ("3.1.0-nvo3").
tar -C "$work/tree" --dereference --exclude=./.pc --exclude=./patches \
    --exclude='./.nvo3-*' --exclude=./include/openvswitch/version.h \
    -cf - . | tar -C "$src" -xf -

cd "$src"
[ -d debian ] || die "base $base has no debian/ directory"
# openvswitch-source's tree is Debian's, with Debian's patches already
# applied (its tarball is 'make dist' of the patched tree; 3.1's series even
# names patches that the tarball leaves out).  dpkg-source would apply them
# again and fail, so the series is emptied; the patch files stay, for
# 'make dist' ships them.
if [ -f debian/patches/series ]; then
    echo "# Applied in openvswitch-source's tree already." > debian/patches/series
fi
# Ours: the pkg.openvswitch.nodpdk build profile, and openvswitch-switch
# recommending stt-dkms.
grep -v -e '^#' -e '^[[:space:]]*$' "$top/patches/$base/debian/series" |
while read -r p; do
    patch -p1 -s --no-backup-if-mismatch < "$top/patches/$base/debian/$p" \
        || die "patches/$base/debian/$p does not apply to Debian's packaging"
done

debian_version=$(dpkg-parsechangelog -S Version)
version=$debian_version+nvo3.$release
dpkg --compare-versions "$version" gt "$debian_version" \
    || die "$version does not sort above $debian_version"
changelog_stanza debian/changelog openvswitch "$version" \
    "ovs-nvo3 $nvo3_version: STT and NVGRE tunnel ports, in the userspace \
and the Linux kernel datapath (patches/$base/series of ovs-nvo3 on Debian's \
$debian_version)." \
    "Build profile pkg.openvswitch.nodpdk leaves out the DPDK flavour; \
ovs-nvo3 builds with it." \
    "openvswitch-switch recommends stt-dkms, the STT kernel module."

install_build_deps "$src"
say "building openvswitch $version (log: $work/openvswitch.log)"
start=$(date +%s)
dpkg-buildpackage -b -uc -us -P"$profile" > "$work/openvswitch.log" 2>&1 \
    || { tail -40 "$work/openvswitch.log" >&2; die "openvswitch build failed \
(see $work/openvswitch.log)"; }
say "openvswitch built in $(( $(date +%s) - start )) s"

# --- 2. stt-dkms. -----------------------------------------------------------
dkms_src=$work/stt-dkms
rm -rf "$dkms_src"
mkdir -p "$dkms_src"
cp -r "$top/packaging/stt-dkms/debian" "$dkms_src/"
(cd "$top/datapath/linux" && cp Kbuild Makefile *.c *.h "$dkms_src/")
cd "$dkms_src"
changelog_stanza debian/changelog stt-dkms "$nvo3_version-$release" \
    "The STT module of ovs-nvo3 $nvo3_version (datapath/linux), built by \
DKMS for every installed kernel."
install_build_deps "$dkms_src"
say "building stt-dkms $nvo3_version-$release"
dpkg-buildpackage -b -uc -us > "$work/stt-dkms.log" 2>&1 \
    || { tail -40 "$work/stt-dkms.log" >&2; die "stt-dkms build failed \
(see $work/stt-dkms.log)"; }

# --- 3. Results. ------------------------------------------------------------
mv "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out/"
(cd "$out" && ls *.deb) > "$out/MANIFEST"
say "packages in $out:"
sed 's/^/    /' "$out/MANIFEST"
