#! /bin/sh
# nvo3-initramfs.sh OUT INIT [MODULE...]: a small initramfs for QEMU guests.
#
# OUT gets a gzip'd cpio with a static busybox (and its applets' links in
# /bin), INIT as /init, and the kernel modules named (with everything they
# depend on) in /modules, listed in load order in /modules/order.  KVER picks
# the kernel (default: the distribution's own, see nvo3-kver.sh; never
# uname -r, which is the host's kernel, not the guest's).
#
# Needs busybox-static, cpio and kmod.
set -e

out=${1:?usage: nvo3-initramfs.sh OUT INIT [MODULE...]}
init=${2:?usage: nvo3-initramfs.sh OUT INIT [MODULE...]}
shift 2
if [ -z "$KVER" ]; then
    KVER=$(sh "$(dirname "$0")/nvo3-kver.sh")
fi
busybox=$(command -v busybox) || {
    echo "nvo3-initramfs: busybox not found (install busybox-static)" >&2
    exit 1
}
# A dynamically linked busybox would need its libraries in the image.
if ldd "$busybox" > /dev/null 2>&1; then
    echo "nvo3-initramfs: $busybox is not static (install busybox-static)" >&2
    exit 1
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/nvo3-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" \
         "$root/modules"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done

# The modules in the order modprobe would load them, each once.
if [ $# -gt 0 ]; then
    modprobe -a -S "$KVER" --show-depends "$@" \
        | awk '$1 == "insmod" && !seen[$2]++ {print $2}' > "$root/modules/list"
    while read -r ko; do
        cp "$ko" "$root/modules/"
        echo "/modules/${ko##*/}"
    done < "$root/modules/list" > "$root/modules/order"
    rm "$root/modules/list"
else
    : > "$root/modules/order"
fi

cp "$init" "$root/init"
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -6 > "$out"
