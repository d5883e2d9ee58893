#! /bin/sh
# Installs everything ovs-nvo3 needs to build, test and run its demo on
# Debian 12.  Safe to run any number of times: packages already present are
# left alone and apt is not touched at all when nothing is missing.
set -e

# The last lines but one are for the tests that boot Debian's kernel in
# QEMU (TCG): the libvirt scenario, and the kernel module (built against
# linux-headers-amd64, which matches linux-image-amd64).  The last is for
# the package install test's guest: a debootstrap root written to an ext4
# image (mkfs.ext4 -d), booted through a qcow2 overlay (qemu-img), with a
# local apt repository (dpkg-scanpackages).
packages="
    openvswitch-source
    build-essential autoconf automake libtool pkg-config ccache quilt
    libssl-dev libcap-ng-dev
    python3 python3-sortedcontainers
    iproute2 iputils-ping ethtool tcpdump tshark iperf3 netcat-openbsd
    python3-scapy python3-os-ken
    procps psmisc
    libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients
    qemu-system-x86 linux-image-amd64 busybox-static cpio kmod util-linux
    linux-headers-amd64
    debootstrap qemu-utils e2fsprogs dpkg-dev
"
# Debian 13's kernel, 6.12, which Debian 12 carries in bookworm-security:
# make check-kernel also builds and tests the module on it (the guests and
# the module's default stay Debian 12's own kernel, see
# utilities/nvo3-kver.sh).
if [ -r /etc/os-release ] && . /etc/os-release \
   && [ "$VERSION_CODENAME" = bookworm ]; then
    packages="$packages linux-image-6.12-amd64 linux-headers-6.12-amd64"
fi

missing=
for p in $packages; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null \
            | grep -q '^install ok installed$'; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "nvo3-deps: all dependencies present"
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "nvo3-deps: missing packages:$missing" >&2
    echo "nvo3-deps: run as root (or install them) and try again" >&2
    exit 1
fi

echo "nvo3-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer once, quietly.
echo "wireshark-common wireshark-common/install-setuid boolean false" \
    | debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
