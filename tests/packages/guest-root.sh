#! /bin/bash
# guest-root.sh DISTRO OUTDIR: the clean Debian guest of the package
# install test (tests/packages/run.sh), built once and cached in OUTDIR:
#
#   OUTDIR/root/        the debootstrap tree (minbase, systemd as init, the
#                       distribution's kernel with its headers and DKMS)
#   OUTDIR/root.img     that tree as an ext4 disk image (mkfs.ext4 -d: no
#                       loop mount); runs boot it through a qcow2 overlay
#   OUTDIR/vmlinuz, OUTDIR/initrd.img
#                       the tree's own kernel and initramfs, for QEMU's
#                       -kernel/-initrd
#   OUTDIR/repo/        a flat apt repository (Packages, the .debs) with
#                       Debian's openvswitch-switch and everything it needs
#                       that the tree lacks: the guest has no network
#   OUTDIR/versions     "PACKAGE VERSION" of Debian's openvswitch packages
#   OUTDIR/recipe       what the cache was built from
#
# The cache is rebuilt only when its recipe (this script, the unit file,
# the distribution's line in tests/packages/distros) changes.  Downloads are
# of debootstrap are kept across clones in $NVO3_CACHE_DIR/debs/guest-DISTRO
# (default /var/cache/ovs-nvo3).  The host's /etc/apt is never touched: the repository
# is fetched with a private apt configuration under OUTDIR.
#
# Needs root, debootstrap, e2fsprogs (mkfs.ext4 -d), dpkg-dev
# (dpkg-scanpackages) and the network to deb.debian.org.
set -e -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
distro=${1:?usage: guest-root.sh DISTRO OUTDIR}
out=${2:?usage: guest-root.sh DISTRO OUTDIR}
mirror=http://deb.debian.org/debian
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
cache=${NVO3_CACHE_DIR:-/var/cache/ovs-nvo3}/debs/guest-$distro

say() { echo "guest-root: $*" >&2; }
die() { echo "guest-root: error: $*" >&2; exit 1; }

line=$(awk -v d="$distro" '$1 == d' "$here/distros")
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
[ -n "$line" ] || die "unknown distribution '$distro' (see $here/distros)"
read -r _ _ kernel_pkg headers_pkg <<< "$line"

# In the image: systemd as init and what the scenario drives (ip, ping,
# ps, ethtool), the kernel and what DKMS needs to build for it, so that the test
# itself installs only Open vSwitch and the module.  python3 too: every
# openvswitch-switch needs it, and its byte-compiling under emulation is
# slow.
image_packages="systemd-sysv udev kmod iproute2 iputils-ping procps ethtool
    $kernel_pkg $headers_pkg dkms make gcc python3"
# In the local repository: what these need beyond the image.
repo_packages="openvswitch-switch openvswitch-common python3-openvswitch"

recipe=$( { cat "$0" "$here/nvo3-test.service"; echo "$line"; } | sha256sum \
          | cut -d' ' -f1)
if [ -r "$out/recipe" ] && [ "$(cat "$out/recipe")" = "$recipe" ] \
   && [ -r "$out/root.img" ]; then
    exit 0
fi

[ "$(id -u)" = 0 ] || die "needs root (debootstrap)"
for tool in debootstrap mkfs.ext4 dpkg-scanpackages; do
    command -v $tool > /dev/null || die "$tool not found (see build-aux/nvo3-deps.sh)"
done

say "building the $distro guest in $out (cached until its recipe changes)"
new=$out.new
rm -rf "$new"
mkdir -p "$new" "$cache"
start=$(date +%s)
debootstrap --variant=minbase --keyring="$keyring" --cache-dir="$cache" \
    --include="$(echo $image_packages | tr ' ' ,)" \
    "$distro" "$new/root" "$mirror" > "$new/debootstrap.log" 2>&1 || {
    tail -20 "$new/debootstrap.log" >&2
    die "debootstrap failed (whole log in $new/debootstrap.log)"
}
say "debootstrap done in $(( $(date +%s) - start )) s"

root=$new/root
echo nvo3-guest > "$root/etc/hostname"
echo "/dev/vda / ext4 errors=remount-ro 0 1" > "$root/etc/fstab"
# The test's entry point: a unit that runs the scenario from the run's
# share, once the system is up (see nvo3-test.service).  Enabled by hand:
# graphical.target is minbase's default.target.
cp "$here/nvo3-test.service" "$root/etc/systemd/system/"
mkdir -p "$root/etc/systemd/system/graphical.target.wants"
ln -sf /etc/systemd/system/nvo3-test.service \
    "$root/etc/systemd/system/graphical.target.wants/nvo3-test.service"
# debootstrap copied the host's resolver configuration; the guest has no
# network, and none of the host's settings belongs in it.
rm -f "$root/etc/resolv.conf"
# The files debootstrap downloaded are not part of a clean system.
rm -f "$root"/var/cache/apt/archives/*.deb

kver=$(ls "$root/lib/modules" | sort -V | tail -n 1)
[ -r "$root/boot/vmlinuz-$kver" ] && [ -r "$root/boot/initrd.img-$kver" ] \
    || die "no kernel and initramfs $kver in the tree"
cp "$root/boot/vmlinuz-$kver" "$new/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$new/initrd.img"
echo "$kver" > "$new/kver"

# The repository: apt resolves the packages against the tree's own dpkg
# status, so it downloads exactly what the guest lacks.
apt_dir=$new/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$new/repo"
echo "deb [signed-by=$keyring] $mirror $distro main" > "$apt_dir/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list"
          -o "Dir::Etc::SourceParts=/dev/null"
          -o "Dir::Etc::Preferences=/dev/null"
          -o "Dir::Etc::PreferencesParts=/dev/null"
          -o "Dir::State=$apt_dir"
          -o "Dir::State::Lists=$apt_dir/lists"
          -o "Dir::State::status=$root/var/lib/dpkg/status"
          -o "Dir::Cache=$apt_dir"
          -o "Dir::Cache::Archives=$apt_dir/archives"
          -o "APT::Sandbox::User=root"
          -o "APT::Install-Recommends=false"
          -o "Debug::NoLocking=true")
apt-get "${apt_opts[@]}" -q update > "$new/apt.log" 2>&1 \
    || { cat "$new/apt.log" >&2; die "apt-get update failed"; }
# What apt chooses, listed while the download directory is still empty
# (files already there would not be listed), then fetched: the repository
# holds exactly those.
apt-get "${apt_opts[@]}" -q -y --print-uris install $repo_packages \
    | sed -n "s/^'[^']*' \([^ ]*\.deb\) .*/\1/p" > "$new/repo.list"
[ -s "$new/repo.list" ] || die "apt chose no packages for $repo_packages"
apt-get "${apt_opts[@]}" -q -y --download-only install $repo_packages \
    >> "$new/apt.log" 2>&1 \
    || { cat "$new/apt.log" >&2; die "downloading $repo_packages failed"; }
while read -r f; do
    cp "$apt_dir/archives/$f" "$new/repo/"
done < "$new/repo.list"
(cd "$new/repo" && dpkg-scanpackages --multiversion . /dev/null 2> /dev/null \
    > Packages)
for p in $repo_packages; do
    v=$(dpkg-deb -f "$(ls "$new/repo/${p}_"*.deb | head -n 1)" Version)
    echo "$p $v"
done > "$new/versions"
say "local repository: $(wc -l < "$new/repo.list") packages, $(du -sh "$new/repo" | cut -f1)"

# The disk: the tree and 2 GiB of room for what the test installs and builds.
size=$(( $(du -sm "$root" | cut -f1) + 2048 ))
mkfs.ext4 -q -F -L nvo3-root -d "$root" "$new/root.img" "${size}M"
echo "$recipe" > "$new/recipe"
rm -rf "$new/apt" "$out"
mv "$new" "$out"
say "$distro guest ready in $(( $(date +%s) - start )) s (kernel $kver, disk ${size} MiB)"
