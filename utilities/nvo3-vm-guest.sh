#! /bin/sh
# Stage 2 of nvo3-vm.sh, run as the guest's init on the overlay root: the
# usual filesystems, then the job that nvo3-vm.sh left in the share, then
# its exit status back into the share and power off.
share=$1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
# A fresh /run, so that the host's sockets and pid files are not seen, but
# not over a checkout that lives below it.  /tmp stays the overlay's: it is
# already writable and private to the guest, and the checkout (this script)
# may well live below it.
case $0 in
    /run/*) ;;
    *) mount -t tmpfs -o mode=755 tmpfs /run ;;
esac
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# After /run, so that a share below it is not hidden.
mkdir -p "$share"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 share "$share"
hostname nvo3-vm
ip link set lo up
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root

script= cwd= nargs=0
while IFS='=' read -r key value; do
    case $key in
        script) script=$value ;;
        cwd) cwd=$value ;;
        nargs) nargs=$value ;;
        arg*) eval "$key=\$value" ;;
        env) export "$value" ;;
    esac
done < "$share/.nvo3-vm-job"
set --
i=0
while [ $i -lt "$nargs" ]; do
    i=$((i + 1))
    eval "set -- \"\$@\" \"\$arg$i\""
done

cd "$cwd"
rc=0
sh "$script" "$@" || rc=$?
echo "$rc" > "$share/.nvo3-vm-status"
sync
echo o > /proc/sysrq-trigger
# Nothing from the root may run any more: the 9p device is going away.
while :; do :; done
