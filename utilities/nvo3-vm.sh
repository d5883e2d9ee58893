#! /bin/sh
# nvo3-vm.sh [-t SECONDS] [-m MiB] [-c CPUS] SHARE SCRIPT [ARG...]
#
# Runs SCRIPT as root inside a QEMU guest (software emulation) booting
# Debian's kernel, for tests of kernel code that the host kernel cannot load.
# The guest's root is the host's root, read-only over 9p, under a tmpfs
# overlay: host-built programs and modules run unchanged and nothing the
# guest does reaches the host's files, except in SHARE, a host directory
# mounted read-write at the same path in the guest (the script's working
# directory).  SCRIPT and ARGs are host paths and words as usual.
#
# The script's output goes to stdout (through the serial console), and its
# exit status becomes this command's.  When the guest dies without reporting
# one (a kernel panic or oops: the guest runs with panic_on_oops, or an init
# failure), the status is 125; when it runs out of time (default 300 s), 124.
#
# KVER picks the guest kernel (default: the distribution's own, see
# nvo3-kver.sh).  STT_KO, when set, is passed on to SCRIPT's environment.
# Needs qemu-system-x86, linux-image-amd64, busybox-static, cpio and kmod.
set -e

timeout=300 mem=1024 cpus=2
while getopts t:m:c: opt; do
    case $opt in
        t) timeout=$OPTARG ;;
        m) mem=$OPTARG ;;
        c) cpus=$OPTARG ;;
        *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || {
    echo "usage: nvo3-vm.sh [-t SECONDS] [-m MiB] [-c CPUS] SHARE SCRIPT [ARG...]" >&2
    exit 2
}
share=$(cd "$1" && pwd)
script=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
shift 2

here=$(cd "$(dirname "$0")" && pwd)
if [ -z "$KVER" ]; then
    KVER=$(sh "$here/nvo3-kver.sh")
fi
[ -r "/boot/vmlinuz-$KVER" ] || {
    echo "nvo3-vm: no /boot/vmlinuz-$KVER (install linux-image-amd64)" >&2
    exit 2
}

# What the guest needs to know, passed through the share.
rm -f "$share/.nvo3-vm-status"
{
    printf 'script=%s\n' "$script"
    printf 'cwd=%s\n' "$share"
    printf 'nargs=%d\n' $#
    if [ -n "$STT_KO" ]; then
        printf 'env=STT_KO=%s\n' "$STT_KO"
    fi
    i=0
    for arg in "$@"; do
        i=$((i + 1))
        printf 'arg%d=%s\n' $i "$arg"
    done
} > "$share/.nvo3-vm-job"

# Stage 1 (in the initramfs): mount the host's root, make the overlay,
# switch to it and run stage 2 (nvo3-vm-guest.sh, which mounts the share)
# from the host's copy of this script's directory.
init=$share/.nvo3-vm-init
cat > "$init" << EOF
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r ko; do insmod "\$ko" || echo "nvo3-vm: insmod \$ko failed"; done < /modules/order
mkdir -p /lower /upper /newroot
mount -t 9p -o ro,cache=loose,trans=virtio,version=9p2000.L,msize=512000 hostroot /lower
mount -t tmpfs -o mode=755 tmpfs /upper
mkdir -p /upper/data /upper/work
mount -t overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work overlay /newroot
mount --move /dev /newroot/dev
umount /proc /sys
exec switch_root /newroot /bin/sh "$here/nvo3-vm-guest.sh" "$share"
EOF
img=$share/.nvo3-vm-initramfs.gz
KVER=$KVER sh "$here/nvo3-initramfs.sh" "$img" "$init" \
    virtio_pci 9pnet_virtio 9p overlay

rc=0
timeout --kill-after=10 "$timeout" qemu-system-x86_64 \
    -accel tcg,thread=multi -cpu max -smp "$cpus" -m "$mem" \
    -kernel "/boot/vmlinuz-$KVER" -initrd "$img" \
    -append "console=ttyS0 panic=-1 oops=panic loglevel=4" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs local,path="$share",mount_tag=share,security_model=none,multidevs=remap \
    -no-reboot -nodefaults -display none -serial stdio -monitor none \
    < /dev/null || rc=$?

if [ $rc = 124 ] || [ $rc = 137 ]; then
    echo "nvo3-vm: the guest did not finish in $timeout s" >&2
    exit 124
fi
if [ ! -r "$share/.nvo3-vm-status" ]; then
    echo "nvo3-vm: the guest ended without a status (panic or init failure)" >&2
    exit 125
fi
exit "$(cat "$share/.nvo3-vm-status")"
