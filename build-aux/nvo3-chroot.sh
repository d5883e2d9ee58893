#! /bin/bash
# nvo3-chroot.sh SUITE COMMAND...: runs COMMAND as root in a build root of
# Debian SUITE, for what must be built on that release: 'make deb' of a base
# whose Debian release is not the host's (its packages link against that
# release's libraries and take their build dependencies from it).
#
# The root is debootstrap's buildd variant plus what nvo3-prepare.sh and
# nvo3-deb.sh need, cached in build/chroot/SUITE until this script changes.
# The .debs that debootstrap and the root's apt download are kept across
# clones in $NVO3_CACHE_DIR/debs/chroot-SUITE (default /var/cache/ovs-nvo3),
# ccache's directory is shared with the host's builds.  The root has its
# own /etc/apt (SUITE from deb.debian.org); the host's is never touched.
#
# This repository is bind-mounted at its own path inside, so that paths
# printed inside are paths outside.  The mounts live in a private mount
# namespace (unshare): nothing stays mounted when COMMAND ends, however it
# ends.
set -e -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
suite=$1
[ -n "$suite" ] && [ $# -ge 2 ] || {
    echo "usage: nvo3-chroot.sh SUITE COMMAND..." >&2
    exit 2
}
shift
mirror=http://deb.debian.org/debian
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
cache_dir=${NVO3_CACHE_DIR:-/var/cache/ovs-nvo3}
debs=$cache_dir/debs/chroot-$suite
ccache_dir=${CCACHE_DIR:-$cache_dir/ccache}
root=$top/build/chroot/$suite
# What nvo3-prepare.sh runs (quilt, the autotools) and nvo3-deb.sh (git for
# the changelog date, ccache); the packages' own build dependencies are
# installed by nvo3-deb.sh, from the root's archive.
packages="quilt autoconf automake libtool pkg-config ccache python3 git"

say() { echo "nvo3-chroot: $*"; }
die() { echo "nvo3-chroot: error: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot)"
command -v debootstrap > /dev/null \
    || die "debootstrap not found (build-aux/nvo3-deps.sh installs it)"

recipe=$( { cat "$0"; echo "$suite $mirror $packages"; } | sha256sum \
          | cut -d' ' -f1)
if [ "$(cat "$root/.nvo3-recipe" 2>/dev/null)" != "$recipe" ]; then
    say "building the $suite build root in $root (cached until this script changes)"
    start=$(date +%s)
    # Nothing is mounted under a root (see above), so removing is safe.
    rm -rf "$root.new"
    mkdir -p "$root.new" "$debs"
    debootstrap --variant=buildd --keyring="$keyring" --cache-dir="$debs" \
        --include="$(echo $packages | tr ' ' ,)" \
        "$suite" "$root.new" "$mirror" > "$root.log" 2>&1 || {
        tail -20 "$root.log" >&2
        die "debootstrap of $suite failed (whole log in $root.log)"
    }
    echo "deb $mirror $suite main" > "$root.new/etc/apt/sources.list"
    echo "$recipe" > "$root.new/.nvo3-recipe"
    rm -rf "$root"
    mv "$root.new" "$root"
    say "$suite build root ready in $(( $(date +%s) - start )) s"
fi
mkdir -p "$ccache_dir" "$debs"

# COMMAND's environment: clean (the host's PATH and locale mean nothing in
# the root), with what our scripts and ccache read.
env="PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8
     DEBIAN_FRONTEND=noninteractive CCACHE_DIR=$ccache_dir"
for v in CCACHE_NOHASHDIR NVO3_CACHE_DIR NVO3_DEB_RELEASE; do
    [ -z "${!v}" ] || env="$env $v=${!v}"
done

# In the new mount namespace: the mounts, the root's package lists, then
# COMMAND.
# shellcheck disable=SC2016
exec unshare --mount --propagation private /bin/bash -e -c '
    root=$1 top=$2 debs=$3 ccache_dir=$4 env=$5
    shift 5
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    for d in "$top" "$ccache_dir"; do
        mkdir -p "$root$d"
        mount --bind "$d" "$root$d"
    done
    mount --bind "$debs" "$root/var/cache/apt/archives"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    chroot "$root" /usr/bin/env -i $env apt-get update -q \
        > "$root/apt-update.log" 2>&1 || {
        tail -5 "$root/apt-update.log" >&2
        echo "nvo3-chroot: error: apt-get update failed in the root" >&2
        exit 1
    }
    exec chroot "$root" /usr/bin/env -i $env "$@"
' nvo3-chroot "$root" "$top" "$debs" "$ccache_dir" "$env" "$@"
