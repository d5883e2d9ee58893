#! /bin/bash
# Prints the path of the pinned upstream source of Open vSwitch base BASE,
# fetching and unpacking it first if needed.
#
# Usage: nvo3-base.sh BASE        (BASE as in build-aux/ovs-bases)
#
# bookworm's openvswitch-source is installed by nvo3-deps.sh and brings a
# tarball.  Other suites' packages are fetched with a private apt
# configuration under build/apt/SUITE (its own sources list, package lists
# and cache; the machine's /etc/apt is never touched), kept across clones in
# $NVO3_CACHE_DIR/debs (default /var/cache/ovs-nvo3/debs), and unpacked into
# build/base/BASE; the path printed is then a directory.
#
# A newer Debian revision of the same upstream version is fine (it is said);
# an upstream tree that differs from the pin is said too, and used.  If the
# suite no longer serves the pinned upstream version, this stops with one
# line naming what it serves.
set -e -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${NVO3_CACHE_DIR:-/var/cache/ovs-nvo3}/debs

say() { echo "nvo3-base: $*" >&2; }
die() { echo "nvo3-base: error: $*" >&2; exit 1; }

base=$1
[ -n "$base" ] || die "usage: nvo3-base.sh BASE"
read -r suite upstream pin < <(awk -v b="$base" '$1 == b { print $2, $3, $4 }' \
                                   "$top/build-aux/ovs-bases") || true
[ -n "$pin" ] || die "unknown base '$base' (known: $(awk '/^[0-9]/ { printf "%s ", $1 }' \
                                   "$top/build-aux/ovs-bases"))"

# The sum of an unpacked tree: every file outside debian/, by path.
tree_sum() {
    (cd "$1" && find . -path ./debian -prune -o -type f -print0 \
         | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}

if [ "$suite" = bookworm ]; then
    tarball=/usr/src/openvswitch/openvswitch.tar.gz
    [ -r "$tarball" ] || die "$tarball not found (run build-aux/nvo3-deps.sh)"
    have=$(sha256sum "$tarball" | cut -d' ' -f1)
    [ "$have" = "$pin" ] || die "$tarball has sha256 $have, not the pinned $pin"
    echo "$tarball"
    exit 0
fi

dest=$top/build/base/$base
if [ -f "$dest/.nvo3-sum" ]; then
    echo "$dest/usr/src/openvswitch"
    exit 0
fi

# A private apt configuration for SUITE.
. "$top/build-aux/nvo3-apt.sh"
nvo3_apt "$top" "$suite"
mkdir -p "$cache"

version=$(ls "$cache" 2>/dev/null \
              | sed -n "s/^openvswitch-source_\(${upstream//./\\.}-[^_]*\)_all\.deb$/\1/p" \
              | sort -V | tail -1)
if [ -z "$version" ]; then
    say "fetching the $suite package lists"
    nvo3_apt_update
    served=$(apt-cache "${apt_opts[@]}" madison openvswitch-source \
                 | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' | sort -V | tail -1)
    [ -n "$served" ] || die "$suite serves no openvswitch-source"
    case $served in
        "$upstream"-*) version=$served ;;
        *) die "$suite serves openvswitch-source $served, not the pinned \
upstream $upstream; pin another base in build-aux/ovs-bases" ;;
    esac
    say "downloading openvswitch-source $version from $suite"
    (cd "$cache" && apt-get "${apt_opts[@]}" -q download \
                        "openvswitch-source=$version" > /dev/null)
fi
deb=$cache/openvswitch-source_${version}_all.deb
[ -r "$deb" ] || die "$deb missing after download"

say "unpacking openvswitch-source $version into $dest"
rm -rf "$dest"
mkdir -p "$dest"
dpkg-deb -x "$deb" "$dest"
sum=$(tree_sum "$dest/usr/src/openvswitch")
if [ "$sum" != "$pin" ]; then
    say "warning: the upstream tree of $version differs from the pin \
($sum, pinned $pin); going on with it"
fi
deb_rev=$(sed -n '1s/.*(\(.*\)).*/\1/p' "$dest/usr/src/openvswitch/debian/changelog")
[ "$deb_rev" = "$version" ] || say "note: package $version, changelog says $deb_rev"

# openvswitch-source's debian/ is what 'make dist' ships of it, and from 3.5
# on that leaves out files that Debian's packaging installs as they are
# (debian/scripts/: the testcontroller and vtep helpers, installed under
# /etc).  'make deb' needs them.  The archive serves no source packages
# here, so each comes from where Debian installed it: its binary package
# (named by the .install file) of the same version, from the same suite.
src=$dest/usr/src/openvswitch
for inst in "$src"/debian/*.install; do
    pkg=$(basename "$inst" .install)
    while read -r file dir; do
        case $file in debian/*) ;; *) continue ;; esac
        [ -e "$src/$file" ] && continue
        # The binary may be a rebuild (3.5.0-1+b1) of source $deb_rev.
        pkg_deb=$(ls "$cache/${pkg}_${deb_rev#*:}"_*.deb \
                     "$cache/${pkg}_${deb_rev#*:}"+b*_*.deb 2>/dev/null | head -1 || true)
        if [ -z "$pkg_deb" ]; then
            say "openvswitch-source has no $file: taking it from Debian's $pkg"
            nvo3_apt_update
            (cd "$cache" && apt-get "${apt_opts[@]}" -q download "$pkg" \
                                > /dev/null) \
                || die "could not download $pkg for $file"
            pkg_deb=$(ls -t "$cache/${pkg}"_*.deb | head -1)
        fi
        from=$(dpkg-deb -f "$pkg_deb" Source)
        [ "$from" = "openvswitch ($deb_rev)" ] \
            || die "$pkg_deb is built from '$from', not openvswitch $deb_rev"
        tmp=$(mktemp -d)
        dpkg-deb -x "$pkg_deb" "$tmp"
        installed=$tmp/${dir#/}
        [ -d "$installed" ] && installed=$installed/$(basename "$file")
        [ -f "$installed" ] || die "$pkg $deb_rev has no ${dir%/}/$(basename "$file")"
        mkdir -p "$(dirname "$src/$file")"
        cp -p "$installed" "$src/$file"
        rm -rf "$tmp"
    done < "$inst"
done
# The unpacked base's identity (nvo3-prepare.sh remakes a tree whose base
# changed): the upstream tree's sum, then debian/'s, which the step above
# may have completed.
debian_sum=$(cd "$src" && find debian -type f -print0 | LC_ALL=C sort -z \
                 | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
echo "$sum $debian_sum" > "$dest/.nvo3-sum"
echo "$dest/usr/src/openvswitch"
