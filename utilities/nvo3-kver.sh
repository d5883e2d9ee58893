#! /bin/sh
# nvo3-kver.sh [--other]: the kernel version (a directory name under
# /lib/modules) that the kernel module is built for and the QEMU guests boot
# when KVER is not given.
#
# By default that is the distribution's own kernel, the one the
# linux-image-amd64 metapackage depends on (Debian 12: 6.1), when it is
# installed, and otherwise the newest kernel under /lib/modules.  Never
# uname -r: the host need not run the kernel the tests boot.  Installing
# another kernel (Debian 12's linux-image-6.12-amd64 from bookworm-security)
# does not change it.
#
# --other prints the newest installed kernel if it is not that one (with
# its /boot/vmlinuz and its headers), and nothing otherwise: the second
# kernel 'make check-kernel' tests the module on.
set -e

own=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null \
      | sed -n 's/^linux-image-\([^ ,]*\).*/\1/p') || own=
newest=$(ls /lib/modules 2>/dev/null | sort -V | tail -n 1)
if [ -z "$own" ] || [ ! -d "/lib/modules/$own" ]; then
    own=$newest
fi

case $1 in
    '')
        echo "$own"
        ;;
    --other)
        if [ -n "$newest" ] && [ "$newest" != "$own" ] \
           && [ -r "/boot/vmlinuz-$newest" ] \
           && [ -d "/lib/modules/$newest/build" ]; then
            echo "$newest"
        fi
        ;;
    *)
        echo "usage: nvo3-kver.sh [--other]" >&2
        exit 2
        ;;
esac
