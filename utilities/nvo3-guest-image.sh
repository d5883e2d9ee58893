#! /bin/sh
# nvo3-guest-image.sh OUTDIR: a diskless guest for libvirt/QEMU tests.
#
# Writes OUTDIR/vmlinuz (Debian's linux-image-amd64 kernel) and
# OUTDIR/initramfs.gz: a static busybox, the virtio-net driver with its
# dependencies, and an /init that configures eth0 from the kernel command
# line and then stays up:
#
#   nvo3.addr=IP/LEN    address for eth0
#   nvo3.ping=IP        ping IP three times and report on the console
#
# Everything the guest says starts with "nvo3-guest:" on ttyS0, so that a
# test can read it from the serial log.  KVER picks the kernel (default: the
# distribution's own, see nvo3-kver.sh; never the host's uname -r, which is
# another kernel on these machines).
#
# Needs busybox-static, cpio, kmod and linux-image-amd64.
# The image is made by nvo3-initramfs.sh.
set -e

out=${1:?usage: nvo3-guest-image.sh OUTDIR}
if [ -z "$KVER" ]; then
    KVER=$(sh "$(dirname "$0")/nvo3-kver.sh")
fi
[ -r "/boot/vmlinuz-$KVER" ] || {
    echo "nvo3-guest-image: no /boot/vmlinuz-$KVER (install linux-image-amd64)" >&2
    exit 1
}
here=$(dirname "$0")
mkdir -p "$out"
init=$(mktemp "${TMPDIR:-/tmp}/nvo3-guest-init.XXXXXX")
trap 'rm -f "$init"' EXIT

cat > "$init" << 'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
say () { echo "nvo3-guest: $*" > /dev/ttyS0; }
while read -r ko; do
    insmod "$ko" || say "insmod $ko failed"
done < /modules/order
addr= peer=
for arg in $(cat /proc/cmdline); do
    case $arg in
        nvo3.addr=*) addr=${arg#nvo3.addr=} ;;
        nvo3.ping=*) peer=${arg#nvo3.ping=} ;;
    esac
done
ip link set lo up
ip link set eth0 up || say "no eth0"
[ -z "$addr" ] || ip addr add "$addr" dev eth0
say "eth0 $(cat /sys/class/net/eth0/address) $addr mtu $(cat /sys/class/net/eth0/mtu)"
if [ -n "$peer" ]; then
    # The first echo may wait for ARP across the tunnel: allow 20 tries.
    if ping -c 3 -w 20 "$peer" > /tmp/ping.out 2>&1; then
        say "ping $peer ok: $(grep -c 'bytes from' /tmp/ping.out) replies"
    else
        say "ping $peer failed"
    fi
fi
say "ready"
while :; do sleep 3600; done
EOF
KVER=$KVER sh "$here/nvo3-initramfs.sh" "$out/initramfs.gz" "$init" \
    virtio_pci virtio_net
cp "/boot/vmlinuz-$KVER" "$out/vmlinuz"
echo "nvo3-guest-image: $out/vmlinuz ($KVER), $out/initramfs.gz" \
     "($(wc -c < "$out/initramfs.gz") bytes)"
