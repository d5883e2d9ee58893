#! /bin/sh
# scenario.sh PHASE: the package install test as a user would run it, inside
# the clean Debian guest (run by boot.sh; see tests/packages/run.sh).
#
#   phase 1: 1 install Debian's openvswitch-switch, vxlan traffic
#            2 upgrade to our packages and stt-dkms, vxlan traffic
#            3 stt and nvgre ports, traffic
#            4 systemctl restart openvswitch-switch, traffic (then reboot)
#   phase 2: 4 after the reboot: the tunnels are back, traffic
#            5 back to Debian's packages, vxlan traffic; purge stt-dkms
#
# The guest itself is the hypervisor: Open vSwitch runs as the system's
# service in the root namespace, kernel datapath, with seed 000's layout:
#
#   br1: uplinks up0 (to lpeer) and up1 (to opeer), tep0 192.0.2.1/24
#   br2: vm1 (netns vm1: 198.51.100.1, 198.51.101.1, 198.51.102.1 /24),
#        vxlan0 -> 192.0.2.2, nv0 (nvgre) -> 192.0.2.2, stt0 -> 192.0.2.3
#
#   lpeer  netns, plain Linux: eth0 192.0.2.2/24; vxlan0 (VNI 100)
#          198.51.100.2/24; nv0, a gretap with NVGRE's key for VSID 5000,
#          FlowID 7 (0x138807), 198.51.101.2/24
#   opeer  netns, our ovs-vswitchd on the userspace datapath (netdev
#          bridges) with its own ovsdb: br1 eth0 + tep0 192.0.2.3/24, br2
#          with vm2 (198.51.102.2/24) and stt0 -> 192.0.2.1
#
# Each step writes "STEP pass|fail SECONDS NAME" to /nvo3/steps; the host
# counts them.  Namespaces do not survive the reboot: phase 2 makes them
# again (and tep0's address, which is the system's network configuration,
# not Open vSwitch's); the switch's own configuration must come back alone.
share=/nvo3
phase=${1:?usage: scenario.sh PHASE}
. "$share/config"
. "$share/nvo3-lab.sh"
export DEBIAN_FRONTEND=noninteractive
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
T=/run/nvo3-test
mkdir -p "$T"
LAB_QUIET=1
lab_init_netns "" "$T/lab"
LAB_SCHEMA=/usr/share/openvswitch/vswitch.ovsschema

VXLAN_DST=198.51.100.2 NVGRE_DST=198.51.101.2 STT_DST=198.51.102.2
STT_KEY=1234 NVGRE_VSID=5000 NVGRE_FLOWID=7
# Under emulation apt and dpkg are slow enough without syncing every file.
APT="apt-get -q -y -o Dpkg::Options::=--force-unsafe-io"

log() { echo "== $*"; }
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; step_failures=$((step_failures + 1)); }
# took SINCE: " (N s)" when N, the seconds since SINCE, is 5 or more.
took() {
    n=$(( $(date +%s) - $1 ))
    [ $n -lt 5 ] || echo " ($n s)"
}
# check DESCRIPTION COMMAND...: COMMAND must succeed (its output if not).
check() {
    desc=$1 t=$(date +%s); shift
    if "$@" > "$T/out" 2>&1; then
        pass "$desc$(took $t)"
    else
        fail "$desc$(took $t)"; sed 's/^/    /' "$T/out"
    fi
}
# shown DESCRIPTION COMMAND...: check, with COMMAND's output shown as it
# comes (apt and dpkg: long, and what they did matters).
shown() {
    desc=$1 t=$(date +%s); shift
    { "$@" 2>&1; echo $? > "$T/rc"; } | sed 's/^/    /'
    if [ "$(cat "$T/rc")" = 0 ]; then
        pass "$desc$(took $t)"
    else
        fail "$desc$(took $t)"
    fi
}
# expect DESCRIPTION ACTUAL EXPECTED: the same text.
expect() {
    if [ "$2" = "$3" ]; then pass "$1 ($2)"; else fail "$1 ($2, not $3)"; fi
}

step_start() {
    step=$1 step_name=$2 step_failures=0 step_t0=$(date +%s)
    log "step $step ($step_name) starts at $(date -u +%T), $(cut -d' ' -f1 /proc/uptime) s after boot"
}
step_end() {
    secs=$(( $(date +%s) - step_t0 )) result=pass
    [ $step_failures = 0 ] || result=fail
    echo "$step $result $secs $step_name" >> "$share/steps"
    log "step $step ($step_name): $result in $secs s"
}

# --- the switch, the system's service ------------------------------------

vsctl() { ovs-vsctl --timeout=30 "$@"; }
ovs_ready() { ovs-vsctl --timeout=5 show > /dev/null 2>&1; }
vswitchd_pid() { cat /run/openvswitch/ovs-vswitchd.pid 2> /dev/null; }
service_up() {
    [ "$(systemctl is-active openvswitch-switch)" = active ] && ovs_ready
}
# wait_service: the service is active and answers (up to 120 s).
wait_service() { lab_wait_until 120 service_up; }
no_error() { test "$(vsctl get interface "$1" error)" = '[]'; }
no_errors() {
    for i in "$@"; do no_error "$i" || return 1; done
}
# installed PACKAGE: its installed version, nothing if not installed.
installed() {
    dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' "$1" 2> /dev/null \
        | sed -n 's/^ii  *//p'
}
running_version() { ovs-appctl --timeout=10 version | sed -n 1p; }

# --- the lab around it -----------------------------------------------------

# lab_up: the namespaces and wires (none survive a reboot), and the Linux
# peer's tunnel devices.  The uplinks are not called eth*: "ip link add
# eth0 netns X" (hv_add_vm) fails where the caller's namespace has an eth0.
lab_up() {
    # Only tep0 answers ARP for its address (the bridges' local ports are
    # up in this namespace too).
    sysctl -q -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
    lab_host opeer-wire && lab_host lpeer && lab_host vm1 || return 1
    ip link add up0 type veth peer name eth0 netns lpeer || return 1
    ip link add up1 type veth peer name eth0 netns opeer-wire || return 1
    ip link add vm1 type veth peer name eth0 netns vm1 || return 1
    ip link set up0 up && ip link set up1 up && ip link set vm1 up || return 1
    ip -n vm1 link set eth0 mtu 1400 up
    for a in 198.51.100.1 198.51.101.1 198.51.102.1; do
        ip -n vm1 addr add $a/24 dev eth0 || return 1
    done
    vm_quiet vm1
    # The Linux peer answers ARP only on the device that has the address.
    ip netns exec lpeer sysctl -q -w net.ipv4.conf.all.arp_ignore=1
    ip -n lpeer link set eth0 up
    ip -n lpeer addr add 192.0.2.2/24 dev eth0
    ip -n lpeer link add vxlan0 type vxlan id 100 local 192.0.2.2 \
        remote 192.0.2.1 dstport 4789 || return 1
    ip -n lpeer link add nv0 type gretap local 192.0.2.2 remote 192.0.2.1 \
        key $(( NVGRE_VSID << 8 | NVGRE_FLOWID )) || return 1
    ip -n lpeer link set vxlan0 mtu 1400 up
    ip -n lpeer link set nv0 mtu 1400 up
    ip -n lpeer addr add $VXLAN_DST/24 dev vxlan0
    ip -n lpeer addr add $NVGRE_DST/24 dev nv0
}

# tep_addr: tep0's address (once tep0 exists), and no transmit checksum
# offload on it: this kernel leaves outer checksums to the device, and the
# frames go raw across a veth to the userspace peer, which would drop them
# as corrupt (a real NIC fills them in).
tep_up() { ip link show tep0 > /dev/null 2>&1; }
tep_addr() {
    lab_wait_until 60 tep_up || { echo "no tep0"; return 1; }
    ip addr replace 192.0.2.1/24 dev tep0 && ip link set tep0 up \
        && ethtool -K tep0 tx off > /dev/null
}

# opeer_up: our ovs-vswitchd in netns opeer (userspace datapath, its own
# ovsdb under $T/lab/opeer), seed 000's bridges, vm2, and stt0 toward us.
opeer_up() {
    hv_start opeer netdev || return 1
    ip -n opeer-wire link set eth0 netns opeer || return 1
    ip -n opeer link set eth0 up
    hv "opeer" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1
    hv_tep opeer 192.0.2.3/24 || return 1
    hv_add_vm opeer vm2 $STT_DST/24 1400 || return 1
    vm_quiet vm2
    hv_tunnel opeer stt0 stt 192.0.2.1 options:key=$STT_KEY
}

# ping_exact NAME DST: once vm1 reaches DST (up to 60 s: ARP, the peers'
# neighbour caches), 5 pings of 1000 bytes of pattern a5: exactly 5 sent, 5
# answered, each with its 1008 bytes and the same payload back.
ping_exact() {
    name=$1 dst=$2
    lab_wait_until 60 vm_reaches vm1 "$dst"
    vm vm1 ping -c 5 -i 0.2 -W 2 -s 1000 -p a5 "$dst" > "$T/ping" 2>&1
    summary=$(sed -n 's/, time.*//p' "$T/ping" | grep transmitted)
    expect "$name: vm1 pings $dst" "$summary" \
        "5 packets transmitted, 5 received, 0% packet loss"
    replies=$(grep -c "^1008 bytes from $dst: icmp_seq=" "$T/ping")
    expect "$name: 1008-byte replies" "$replies" 5
    if grep -q 'wrong data' "$T/ping"; then
        fail "$name: payload changed on the way"; sed 's/^/    /' "$T/ping"
    else
        pass "$name: payload a5 came back unchanged"
    fi
}

traffic_all() {
    ping_exact vxlan $VXLAN_DST
    ping_exact STT $STT_DST
    ping_exact NVGRE $NVGRE_DST
}

dump() {
    echo "--- ovs-vsctl show"; ovs-vsctl --timeout=5 show
    echo "--- ovs-vswitchd.log (last 30)"; tail -30 /var/log/openvswitch/ovs-vswitchd.log
    echo "--- opeer's ovs-vswitchd.log (last 20)"
    tail -20 "$LAB_DIR/opeer/ovs-vswitchd.log" 2> /dev/null
    echo "--- dmesg (last 20)"; dmesg | tail -20
}

# --- the steps --------------------------------------------------------------

# The guest is offline: its only package source is the run's repository
# (Debian's openvswitch-switch and what it needs, from the host's cache).
offline_apt() {
    [ ! -e /etc/apt/sources.list ] || mv /etc/apt/sources.list /etc/apt/sources.list.offline
    echo "deb [trusted=yes] file:$share/repo ./" > /etc/apt/sources.list.d/nvo3-local.list
    apt-get -q update > "$T/apt-update.log" 2>&1 || { cat "$T/apt-update.log"; return 1; }
}

step1() {
    step_start 1 "install Debian's openvswitch-switch, vxlan"
    check "apt uses the local repository" offline_apt
    shown "apt-get install openvswitch-switch" $APT install openvswitch-switch
    expect "openvswitch-switch installed" "$(installed openvswitch-switch)" "$DEBIAN_VERSION"
    expect "openvswitch-common installed" "$(installed openvswitch-common)" "$DEBIAN_VERSION"
    check "the service is up" wait_service
    echo "   $(running_version)"
    check "the lab is up" lab_up
    check "br1 (up0, up1, tep0) and br2 (vm1, vxlan0)" \
        vsctl -- add-br br1 -- add-port br1 up0 -- add-port br1 up1 \
        -- add-port br1 tep0 -- set interface tep0 type=internal \
        -- add-br br2 -- add-port br2 vm1 \
        -- add-port br2 vxlan0 -- set interface vxlan0 type=vxlan \
           options:remote_ip=192.0.2.2 options:key=100
    check "tep0 has its address and no checksum offload" tep_addr
    check "vxlan0 has no error" no_error vxlan0
    ping_exact vxlan $VXLAN_DST
    [ $step_failures = 0 ] || dump
    step_end
}

step2() {
    step_start 2 "upgrade to ovs-nvo3's packages and stt-dkms"
    pid=$(vswitchd_pid)
    if [ -z "$OURS" ]; then
        fail "no packages of ours in the run's deb directory"
        step_end
        return
    fi
    shown "apt-get install ./*.deb ($(cd "$share/debs" && echo *.deb))" \
        sh -c "cd $share/debs && $APT install ./*.deb"
    for pv in $OURS; do
        expect "${pv%%=*} installed" "$(installed "${pv%%=*}")" "${pv#*=}"
    done
    check "the service is up again" wait_service
    new=$(vswitchd_pid)
    if [ -n "$new" ] && [ "$new" != "$pid" ]; then
        pass "ovs-vswitchd restarted (pid $pid -> $new)"
    else
        fail "ovs-vswitchd restarted (pid $pid -> $new)"
    fi
    v=$(running_version)
    case $v in
        *-nvo3*) pass "the running switch is ours: $v" ;;
        *) fail "the running switch is ours: $v" ;;
    esac
    kver=$(uname -r)
    modver=$(sed -n 's/^PACKAGE_VERSION="*\([^"]*\)"*/\1/p' /usr/src/stt-*/dkms.conf 2> /dev/null)
    expect "dkms status" "$(dkms status 2> /dev/null)" "stt/$modver, $kver, x86_64: installed"
    check "modinfo stt: the module built for $kver" \
        sh -c "modinfo -n stt | grep -q '^/lib/modules/$kver/'"
    expect "bridges kept" "$(vsctl list-br | tr '\n' ' ')" "br1 br2 "
    expect "br1's ports kept" "$(vsctl list-ports br1 | tr '\n' ' ')" "tep0 up0 up1 "
    expect "br2's ports kept" "$(vsctl list-ports br2 | tr '\n' ' ')" "vm1 vxlan0 "
    expect "vxlan0's options kept" "$(vsctl get interface vxlan0 options)" \
        '{key="100", remote_ip="192.0.2.2"}'
    check "tep0 has its address and no checksum offload" tep_addr
    check "vxlan0 has no error" no_error vxlan0
    ping_exact vxlan $VXLAN_DST
    [ $step_failures = 0 ] || dump
    step_end
}

stt_loaded() { grep -q '^stt ' /proc/modules; }

step3() {
    step_start 3 "stt and nvgre ports"
    if stt_loaded; then
        fail "stt is not loaded before any stt port exists"
    else
        pass "stt is not loaded before any stt port exists"
    fi
    check "our userspace switch in netns opeer (stt0 on a netdev bridge)" opeer_up
    check "add-port br2 stt0 type=stt (kernel datapath)" \
        vsctl add-port br2 stt0 -- set interface stt0 type=stt \
            options:remote_ip=192.0.2.3 options:key=$STT_KEY
    check "add-port br2 nv0 type=nvgre (kernel datapath)" \
        vsctl add-port br2 nv0 -- set interface nv0 type=nvgre \
            options:remote_ip=192.0.2.2 options:key=$NVGRE_VSID \
            options:flowid=$NVGRE_FLOWID
    check "stt0 has no error" no_error stt0
    check "nv0 has no error" no_error nv0
    check "opeer's stt0 has no error" \
        test "$(hv_vsctl opeer get interface stt0 error)" = '[]'
    check "the kernel loaded stt by itself" stt_loaded
    check "ovs-vswitchd made stt_sys_7471, kind stt" \
        sh -c 'ip -d link show stt_sys_7471 | grep -qw stt'
    traffic_all
    [ $step_failures = 0 ] || dump
    step_end
}

step4_restart() {
    step_start 4 "restart"
    pid=$(vswitchd_pid)
    check "systemctl restart openvswitch-switch" systemctl restart openvswitch-switch
    check "the service is up again" wait_service
    new=$(vswitchd_pid)
    if [ -n "$new" ] && [ "$new" != "$pid" ]; then
        pass "ovs-vswitchd restarted (pid $pid -> $new)"
    else
        fail "ovs-vswitchd restarted (pid $pid -> $new)"
    fi
    check "tep0 has its address and no checksum offload" tep_addr
    check "the tunnels have no error" lab_wait_until 60 no_errors vxlan0 stt0 nv0
    traffic_all
    [ $step_failures = 0 ] || dump
    step_end
}

step4_reboot() {
    step_start 4 "reboot"
    check "the service came up by itself" wait_service
    expect "bridges" "$(vsctl list-br | tr '\n' ' ')" "br1 br2 "
    expect "br2's ports" "$(vsctl list-ports br2 | tr '\n' ' ')" "nv0 stt0 vm1 vxlan0 "
    check "the kernel loaded stt by itself" lab_wait_until 60 stt_loaded
    check "ovs-vswitchd made stt_sys_7471 again" \
        lab_wait_until 60 sh -c 'ip -d link show stt_sys_7471 | grep -qw stt'
    # What the reboot took: the namespaces, and tep0's address.
    check "the lab is up again" lab_up
    check "tep0 has its address and no checksum offload" tep_addr
    check "our userspace peer is up again" opeer_up
    check "every port of br1 and br2 has no error" \
        lab_wait_until 60 no_errors up0 up1 tep0 vm1 vxlan0 stt0 nv0
    traffic_all
    [ $step_failures = 0 ] || dump
    step_end
}

step5() {
    step_start 5 "back to Debian's packages"
    # Debian's switch has no nvgre type and no STT of ours: their ports go
    # first, as an operator going back would remove them.
    check "del-port stt0 and nv0" vsctl del-port br2 stt0 -- del-port br2 nv0
    pid=$(vswitchd_pid)
    downgrade=
    for p in openvswitch-common openvswitch-switch python3-openvswitch; do
        downgrade="$downgrade $p=$DEBIAN_VERSION"
    done
    shown "apt-get install --allow-downgrades$downgrade" \
        $APT install --allow-downgrades $downgrade
    for p in openvswitch-common openvswitch-switch python3-openvswitch; do
        expect "$p installed" "$(installed $p)" "$DEBIAN_VERSION"
    done
    check "the service is up again" wait_service
    new=$(vswitchd_pid)
    if [ -n "$new" ] && [ "$new" != "$pid" ]; then
        pass "ovs-vswitchd restarted (pid $pid -> $new)"
    else
        fail "ovs-vswitchd restarted (pid $pid -> $new)"
    fi
    v=$(running_version)
    case $v in
        *-nvo3*) fail "the running switch is Debian's: $v" ;;
        *) pass "the running switch is Debian's: $v" ;;
    esac
    expect "br2's ports" "$(vsctl list-ports br2 | tr '\n' ' ')" "vm1 vxlan0 "
    check "tep0 has its address and no checksum offload" tep_addr
    check "vxlan0 has no error" no_error vxlan0
    ping_exact vxlan $VXLAN_DST
    shown "apt-get purge stt-dkms" $APT purge stt-dkms
    expect "stt-dkms is gone" "$(installed stt-dkms)" ""
    expect "dkms status" "$(dkms status 2> /dev/null)" ""
    if modinfo stt > "$T/out" 2>&1; then
        fail "modinfo stt fails"; sed 's/^/    /' "$T/out"
    else
        pass "modinfo stt fails: $(cat "$T/out")"
    fi
    [ $step_failures = 0 ] || dump
    step_end
}

case $phase in
    1)
        step1
        step2
        step3
        step4_restart
        echo 2 > "$share/phase"
        echo reboot > "$share/next"
        ;;
    2)
        step4_reboot
        step5
        lab_cleanup
        echo poweroff > "$share/next"
        ;;
esac
# The status: did every step of this phase pass?
! grep -q " fail " "$share/steps"
