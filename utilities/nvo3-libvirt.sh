# ovs-nvo3 lab: a private libvirtd inside a lab hypervisor.
#
# Sourced after nvo3-lab.sh.  Each hypervisor gets its own libvirtd, running
# in the hypervisor's network namespace (so that the taps it creates for
# guests, vnetN, are where that hypervisor's ovs-vswitchd is) and in a mount
# namespace of its own, where its configuration, sockets, state and logs are
# directories under the lab's state directory instead of the machine's
# /etc/libvirt, /run/libvirt and /var/*/libvirt.  The machine's libvirt
# setup is neither used nor touched.
#
#   hv_libvirt_start HV      starts HV's libvirtd (state in LAB_DIR/HV/libvirt)
#   hv_virsh HV ARGS...      virsh connected to HV's libvirtd
#   hv_libvirt_stop HV       stops it (lab_cleanup_libvirt: all of them)
#   libvirt_guest_xml NAME KERNEL INITRD CMDLINE MAC IFACEID CONSOLE-LOG
#                            a diskless QEMU (TCG) guest whose NIC is a port
#                            of br2 with an openvswitch virtualport
#
# libvirtd runs "ovs-vsctl" from its PATH and inherits the hypervisor's
# OVS_RUNDIR from hv(), so its port changes go to this lab's ovsdb-server.
# Needs libvirt-daemon-system, libvirt-daemon-driver-qemu, libvirt-clients,
# qemu-system-x86 and util-linux's unshare.

# The directories libvirtd would otherwise use on the machine itself.
LIBVIRT_DIRS="/etc/libvirt /run/libvirt /var/lib/libvirt /var/cache/libvirt
              /var/log/libvirt"

libvirt_dir () {
    echo "$LAB_DIR/$1/libvirt"
}

hv_libvirt_start () {
    local name=$1 d sys mounts=
    d=$(libvirt_dir "$name")
    lab_log "$name: libvirtd (state in $d)"
    rm -rf "$d"
    for sys in $LIBVIRT_DIRS; do
        mkdir -p "$d$sys" "$sys" || return 1
        mounts="$mounts mount --bind '$d$sys' '$sys' &&"
    done
    mkdir -p "$d/etc/libvirt/qemu"
    cat > "$d/etc/libvirt/libvirtd.conf" << EOF
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
EOF
    # Guests run as root without a security driver or cgroups: the kernel
    # and initramfs come from the test's directory, and the hypervisor's
    # namespace has no cgroup filesystem.  Without systemd there is no
    # virtlogd either, so QEMU's output goes straight to a file.
    cat > "$d/etc/libvirt/qemu.conf" << EOF
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
EOF
    hv "$name" unshare --mount --propagation private sh -c \
        "$mounts exec libvirtd --daemon --pid-file '$d/libvirtd.pid'" \
        || return 1
    # Ready once it answers on its socket.  It probes QEMU's capabilities
    # first, which takes seconds under software emulation on a busy
    # machine.
    lab_wait_until 120 hv_virsh "$name" version > /dev/null 2>&1 && return 0
    echo "nvo3-libvirt: libvirtd of $name does not answer in 120 s" >&2
    cat "$d/var/log/libvirt/libvirtd.log" >&2
    return 1
}

# virsh runs in libvirtd's mount namespace, where the socket has its usual
# short path: seen from outside, it lies below the lab's directory, and
# with a checkout in a deep directory that path passes the 108 bytes a
# Unix socket's name may have (libvirt then refuses to connect).
hv_virsh () {
    local name=$1 pid; shift
    pid=$(cat "$(libvirt_dir "$name")/libvirtd.pid" 2>/dev/null) || return 1
    nsenter --target "$pid" --mount --wd="$PWD" \
        virsh -q -c qemu:///system "$@"
}

hv_libvirt_stop () {
    local name=$1 d dom
    d=$(libvirt_dir "$name")
    [ -r "$d/libvirtd.pid" ] || return 0
    for dom in $(hv_virsh "$name" list --name 2>/dev/null); do
        hv_virsh "$name" destroy "$dom" > /dev/null 2>&1
    done
    lab_kill_pidfile "$d/libvirtd.pid"
}

lab_cleanup_libvirt () {
    local d
    for d in "$LAB_DIR"/*/libvirt; do
        [ -d "$d" ] || continue
        hv_libvirt_stop "$(basename "$(dirname "$d")")"
    done
    return 0
}

libvirt_guest_xml () {
    local name=$1 kernel=$2 initrd=$3 cmdline=$4 mac=$5 ifaceid=$6 log=$7
    cat << EOF
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$kernel</kernel>
    <initrd>$initrd</initrd>
    <cmdline>$cmdline</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <interface type='bridge'>
      <mac address='$mac'/>
      <source bridge='br2'/>
      <virtualport type='openvswitch'>
        <parameters interfaceid='$ifaceid'/>
      </virtualport>
      <model type='virtio'/>
    </interface>
    <serial type='file'>
      <source path='$log'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}
