# ovs-nvo3 lab: "hypervisors" and "VMs" as network namespaces on one machine.
#
# Sourced (not executed) by the demo, the soak, the benchmarks, the system
# tests and the kernel tests, so that all of them build the same topology
# the same way, and wait, capture and measure the same way:
#
#   lab_init PREFIX DIR        namespaces are PREFIX<name>, state goes in DIR
#   lab_init_netns PREFIX DIR  the same for a lab without Open vSwitch
#   lab_init_build PREFIX DIR BUILDDIR
#                              lab_init with the OVS programs of BUILDDIR
#   hv_start HV [system]       ovsdb-server + ovs-vswitchd inside netns HV
#                              (LAB_USERSPACE_TSO=1: with userspace TSO;
#                              "system": its bridges use the Linux kernel
#                              datapath instead of the userspace one)
#   hv_ovsdb_start/hv_vswitchd_start HV
#                              one of them again, after a stop or a kill
#   lab_underlay HV1 HV2 [IF]  a veth pair named IF (eth0) in HV1 and HV2
#   lab_pair HV1 HV2           IPv6 off, underlay and teps 192.0.2.1/.2
#   lab_two_hvs                hv1 and hv2 started, underlay, teps .1/.2
#   hv_tunnel HV PORT TYPE REMOTE [OPTION...]
#                              a tunnel port on HV's br2
#   lab_pair_tunnel PORT TYPE [OPTION...]
#                              PORT on hv1's and hv2's br2 toward each other
#   hv_tep HV IP/LEN [IF]      br1 with uplink IF (eth0), internal port tep0
#                              holding the tunnel endpoint address, and br2
#   hv_tep_addr HV IP/LEN      another address on tep0 (e.g. IPv6)
#   hv_add_vm HV VM IP/LEN     netns VM whose eth0 is attached to HV's br2
#   hv HV CMD...               runs CMD inside HV with HV's OVS environment
#   hv_vsctl/hv_ofctl/hv_appctl HV ARGS...   the OVS tools, talking to HV
#   vm VM CMD...               runs CMD inside VM
#   lab_cleanup                stops every daemon and removes the namespaces
#   lab_wait_until SECS CMD... polls CMD until it succeeds, at most SECS (the
#                              one way to wait for something in the lab)
#   vm_reaches VM DST          one ping from VM to DST is answered
#   lab_capture_start NETNS IF FILE [TCPDUMP-ARG...]
#   lab_capture_stop FILE [COUNT]
#                              tcpdump into FILE, ready once it listens;
#                              stopped once FILE holds COUNT packets
#   lab_iperf3_server VM [ARG...], lab_iperf3_stop VM
#                              an iperf3 server in VM, ready once it listens
#   lab_iperf3 CLIENT SERVER ADDR [ARG...]
#                              one iperf3 run against a one-shot server
#
# Needs root, iproute2 and ethtool, and the OVS programs in PATH (and
# tcpdump and iperf3 for captures and iperf3 runs).
# LAB_SCHEMA may point at vswitch.ovsschema (default: found next to PATH's
# ovs-vswitchd, as in a build tree).

lab_init () {
    lab_init_netns "$1" "$2" || return 1
    if [ -z "$LAB_SCHEMA" ]; then
        local vswitchd
        vswitchd=$(command -v ovs-vswitchd) || {
            echo "nvo3-lab: ovs-vswitchd not in PATH" >&2; return 1; }
        LAB_SCHEMA=$(dirname "$vswitchd")/vswitch.ovsschema
    fi
    [ -r "$LAB_SCHEMA" ] || {
        echo "nvo3-lab: no schema at $LAB_SCHEMA" >&2; return 1; }
}

# lab_init_netns PREFIX DIR: what lab_init does, for a lab of bare
# namespaces (hosts, VMs, captures, iperf3) that runs no Open vSwitch and
# so needs no schema.  PREFIX may be empty: the names are then the
# namespaces' own (and lab_cleanup must not be used, it would take all).
lab_init_netns () {
    LAB_PREFIX=$1
    LAB_DIR=$2
    mkdir -p "$LAB_DIR"
}

# lab_init_build PREFIX DIR BUILDDIR: lab_init for the programs and schema
# of the Open vSwitch build tree BUILDDIR, which go first in PATH.
lab_init_build () {
    PATH=$3/utilities:$3/vswitchd:$3/ovsdb:$PATH
    export PATH
    LAB_SCHEMA=$3/vswitchd/vswitch.ovsschema
    lab_init "$1" "$2"
}

# lab_wait_until SECONDS CMD...: runs CMD every LAB_WAIT_STEP (0.2) s until
# it succeeds (status 0) or SECONDS have passed (status 1).  Bounds are
# generous: on a loaded machine things are slow, not broken.
lab_wait_until () {
    local deadline=$(( $(date +%s) + $1 ))
    shift
    while ! "$@"; do
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep "${LAB_WAIT_STEP:-0.2}"
    done
}

lab_log () {
    [ -n "$LAB_QUIET" ] || echo "lab: $*"
}

# hv HV CMD...: runs CMD in hypervisor HV's namespace, talking to HV's own
# ovsdb-server and ovs-vswitchd.
hv () {
    local name=$1; shift
    local d=$LAB_DIR/$name
    ip netns exec "$LAB_PREFIX$name" \
        env OVS_RUNDIR="$d" OVS_DBDIR="$d" OVS_LOGDIR="$d" \
            OVS_SYSCONFDIR="$d" "$@"
}

vm () {
    local name=$1; shift
    ip netns exec "$LAB_PREFIX$name" "$@"
}

hv_vsctl () {
    local name=$1; shift
    hv "$name" ovs-vsctl --timeout=10 "$@"
}

hv_appctl () {
    local name=$1; shift
    hv "$name" ovs-appctl --timeout=10 "$@"
}

# lab_soft_seg_counter HV: the coverage counter of HV's ovs-vswitchd that
# counts packets upstream's software segmentation cut (netdev_soft_seg_good
# on 3.5, dp_packet_gso on 4.0), or nothing on a base without it (3.1),
# whose own tunnels cannot carry TSO packets.
lab_soft_seg_counter () {
    local c
    for c in netdev_soft_seg_good dp_packet_gso; do
        if hv_appctl "$1" coverage/read-counter $c > /dev/null 2>&1; then
            echo $c
            return
        fi
    done
}

hv_ofctl () {
    local name=$1; shift
    hv "$name" ovs-ofctl "$@"
}

hv_start () {
    local name=$1 dp=${2:-netdev}
    local d=$LAB_DIR/$name
    local ns=$LAB_PREFIX$name
    lab_log "starting hypervisor $name (netns $ns, state in $d, $dp datapath)"
    rm -rf "$d"
    mkdir -p "$d"
    echo "$dp" > "$d/datapath_type"
    ip netns add "$ns" || return 1
    ip -n "$ns" link set lo up
    # The bridges' local ports are taps in this namespace too: without
    # arp_ignore the kernel would answer ARP for the endpoint address from
    # all of them, and the tunnel could learn a MAC that is not tep0's.
    ip netns exec "$ns" sysctl -q -w net.ipv4.conf.all.arp_ignore=1 \
        net.ipv4.conf.all.arp_announce=2
    ovsdb-tool create "$d/conf.db" "$LAB_SCHEMA" || return 1
    hv_ovsdb_start "$name" || return 1
    hv_vsctl "$name" --no-wait init || return 1
    # Read once at start-up, so it goes in before ovs-vswitchd starts.
    if [ "$LAB_USERSPACE_TSO" = 1 ]; then
        hv_vsctl "$name" --no-wait set Open_vSwitch . \
            other_config:userspace-tso-enable=true || return 1
    fi
    hv_vswitchd_start "$name"
}

# hv_ovsdb_start HV, hv_vswitchd_start HV: HV's daemons as hv_start starts
# them, over the database HV already has (also to start them again after
# they were stopped or killed).
hv_ovsdb_start () {
    local d=$LAB_DIR/$1
    hv "$1" ovsdb-server --detach --no-chdir --pidfile --log-file \
        -vconsole:off --remote=punix:"$d/db.sock" "$d/conf.db"
}

hv_vswitchd_start () {
    local system=--disable-system
    [ "$(hv_dp "$1")" = netdev ] || system=
    hv "$1" ovs-vswitchd --detach --no-chdir --pidfile --log-file \
        -vconsole:off -vvconn:info $system
}

# hv_dp HV: the datapath type of HV's bridges (netdev or system).
hv_dp () {
    cat "$LAB_DIR/$1/datapath_type" 2>/dev/null || echo netdev
}

# lab_underlay HV1 HV2 [IF]: the physical wire between two hypervisors.
lab_underlay () {
    local a=$1 b=$2 ifname=${3:-eth0}
    lab_log "underlay: $a/$ifname <-> $b/$ifname"
    lab_link "$a" "$ifname" "$b" "$ifname"
}

# lab_pair HV1 HV2: the classic pair, once both hypervisors have started:
# no IPv6 in either namespace, the underlay eth0 between them, and seed
# 000's bridges with tep0 192.0.2.1 on HV1 and 192.0.2.2 on HV2.
lab_pair () {
    local h
    for h in "$1" "$2"; do
        hv "$h" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
            net.ipv6.conf.default.disable_ipv6=1 || return 1
    done
    lab_underlay "$1" "$2" || return 1
    hv_tep "$1" 192.0.2.1/24 || return 1
    hv_tep "$2" 192.0.2.2/24
}

# lab_two_hvs: hv1 and hv2 started (userspace datapath; their messages on
# stderr), joined by the underlay eth0, with tep0 192.0.2.1 and .2: the
# layout of the demo, the soak and the benchmark.  Unlike lab_pair, IPv6
# stays as it is.
lab_two_hvs () {
    hv_start hv1 || return 1
    hv_start hv2 || return 1
    lab_underlay hv1 hv2 || return 1
    hv_tep hv1 192.0.2.1/24 || return 1
    hv_tep hv2 192.0.2.2/24
}

# hv_tunnel HV PORT TYPE REMOTE [OPTION...]: a tunnel port PORT of TYPE on
# HV's br2 toward the endpoint REMOTE, with more interface OPTIONs (such as
# options:key=5000).
hv_tunnel () {
    local name=$1 port=$2 type=$3 remote=$4
    shift 4
    hv_vsctl "$name" add-port br2 "$port" -- set interface "$port" \
        type="$type" options:remote_ip="$remote" "$@"
}

# lab_pair_tunnel PORT TYPE [OPTION...]: the same tunnel port on hv1 and
# hv2 of the classic pair, each toward the other's tep0.
lab_pair_tunnel () {
    local port=$1 type=$2
    shift 2
    hv_tunnel hv1 "$port" "$type" 192.0.2.2 "$@" || return 1
    hv_tunnel hv2 "$port" "$type" 192.0.2.1 "$@"
}

# hv_tep HV IP/LEN [IF]: seed 000's layout: br1 owns the uplink, tep0 (an
# internal port of br1) holds the tunnel endpoint address, br2 is for VMs
# and tunnel ports.
hv_tep () {
    local name=$1 addr=$2 ifname=${3:-eth0}
    lab_log "$name: br1 ($ifname, tep0 $addr) and br2"
    local dp
    dp=$(hv_dp "$name")
    hv_vsctl "$name" \
        -- add-br br1 -- set bridge br1 datapath_type="$dp" \
        -- add-port br1 "$ifname" \
        -- add-port br1 tep0 -- set interface tep0 type=internal \
        -- add-br br2 -- set bridge br2 datapath_type="$dp" || return 1
    hv "$name" ip link set tep0 up
    hv "$name" ip addr add "$addr" dev tep0
}

# hv_tep_addr HV ADDR/LEN: one more endpoint address on tep0 (IPv6 ones
# without duplicate address detection, which would delay them).
hv_tep_addr () {
    local name=$1 addr=$2
    case $addr in
        *:*) hv "$name" ip addr add "$addr" dev tep0 nodad ;;
        *) hv "$name" ip addr add "$addr" dev tep0 ;;
    esac
}

# hv_neigh HV ADDR PEER-HV: tells HV's tunnel neighbour cache in advance
# that ADDR is PEER-HV's tep0.  Open vSwitch resolves the peer by itself
# (ARP, or neighbour discovery for IPv6), but drops the packet that made it
# ask: tests that count every packet fill the cache first.
hv_neigh () {
    local name=$1 addr=$2 peer=$3 mac
    mac=$(hv "$peer" cat /sys/class/net/tep0/address) || return 1
    hv_appctl "$name" tnl/neigh/set br1 "$addr" "$mac" > /dev/null
}

# hv_add_vm HV VM IP/LEN [MTU] [MAC] [BRIDGE]: a VM is a namespace whose
# eth0 is a veth whose peer (named VM) is a port of HV's br2 (or BRIDGE).  Transmit checksum
# offload is off in the VM unless LAB_VM_OFFLOAD=1: without userspace TSO
# the userspace datapath forwards partial checksums as they are.  IPv6 is
# off in the VM unless LAB_VM_IPV6=1, so that packet counts in tests are
# not disturbed by router solicitations and DAD.
hv_add_vm () {
    local hvname=$1 name=$2 addr=$3 mtu=${4:-1400} mac=$5 bridge=${6:-br2}
    local ns=$LAB_PREFIX$name
    lab_log "$hvname: VM $name ($addr, mtu $mtu) on $bridge"
    lab_host "$name" || return 1
    ip link add eth0 netns "$ns" type veth \
        peer name "$name" netns "$LAB_PREFIX$hvname" || return 1
    [ -z "$mac" ] || ip -n "$ns" link set eth0 address "$mac"
    ip -n "$ns" link set eth0 mtu "$mtu" up
    ip -n "$ns" addr add "$addr" dev eth0
    if [ "$LAB_VM_OFFLOAD" != 1 ]; then
        ip netns exec "$ns" ethtool -K eth0 tx off > /dev/null 2>&1
    fi
    ip -n "$LAB_PREFIX$hvname" link set "$name" up
    hv_vsctl "$hvname" add-port "$bridge" "$name" || return 1
}

# lab_spawn PIDFILE NETNS-NAME CMD...: runs CMD in the background inside a
# lab namespace and writes its pid (the command's own: ip netns exec execs
# it) to PIDFILE.
lab_spawn () {
    local pidfile=$1 name=$2; shift 2
    ip netns exec "$LAB_PREFIX$name" "$@" &
    echo $! > "$pidfile"
}

# hv_no_link HV DEV: HV has no network device DEV (any more).
hv_no_link () {
    ! hv "$1" ip link show "$2" > /dev/null 2>&1
}

# hv_port_pkts HV BRIDGE PORT rx|tx: a port's live packet counter (the
# Interface statistics column is only refreshed every few seconds).
hv_port_pkts () {
    hv_ofctl "$1" dump-ports "$2" "$3" | sed -n "s/.*$4 pkts=\([0-9]*\).*/\1/p"
}

# Is 'pid' running?  A zombie is not: where nothing reaps orphans (as in
# some containers) a detached daemon's zombie would otherwise hold up every
# teardown until the KILL below.
lab_pid_alive () {
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}

lab_pid_gone () {
    ! lab_pid_alive "$1"
}

# Stops a daemon from its pidfile: TERM, then KILL if it lingers.  The pid
# must still belong to the daemon the file is named after: a pidfile left by
# an earlier run may name a pid that now belongs to something else.
lab_kill_pidfile () {
    local pidfile=$1 pid prog
    [ -r "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    prog=$(basename "$pidfile" .pid)
    rm -f "$pidfile"
    case $pid in ''|*[!0-9]*) return 0 ;; esac
    { tr '\0' ' ' < "/proc/$pid/cmdline"; } 2>/dev/null | grep -q "$prog" \
        || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    lab_wait_until 10 lab_pid_gone "$pid" && return 0
    kill -KILL "$pid" 2>/dev/null
    return 0
}

# Works from LAB_PREFIX and LAB_DIR alone, so that it can run from a
# cleanup hook in another shell than the one that built the lab.
lab_cleanup () {
    local pidfile
    for pidfile in "$LAB_DIR"/*/iperf3.pid "$LAB_DIR"/*/ovs-vswitchd.pid \
                   "$LAB_DIR"/*/ovsdb-server.pid; do
        lab_kill_pidfile "$pidfile"
    done
    lab_cleanup_prefix "$LAB_PREFIX"
    return 0
}

# lab_cleanup_prefix PREFIX: removes leftovers of an earlier run that was
# killed too hard to clean up after itself.
lab_cleanup_prefix () {
    local ns
    for ns in $(ip netns list | awk -v p="$1" 'index($1, p) == 1 {print $1}'); do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL
        ip netns delete "$ns"
    done
}

# lab_host NAME: a bare namespace (lo up; IPv6 off unless LAB_VM_IPV6=1, as
# for VMs) for hosts and switches that are neither hypervisors nor VMs.
lab_host () {
    local ns=$LAB_PREFIX$1
    ip netns add "$ns" || return 1
    ip -n "$ns" link set lo up
    if [ "$LAB_VM_IPV6" != 1 ]; then
        ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
            net.ipv6.conf.default.disable_ipv6=1
    fi
}

# lab_link NS1 IF1 NS2 IF2: a veth pair between two lab namespaces, IF1 in
# NS1 and IF2 in NS2, both up.
lab_link () {
    ip link add "$2" netns "$LAB_PREFIX$1" type veth \
        peer name "$4" netns "$LAB_PREFIX$3" || return 1
    ip -n "$LAB_PREFIX$1" link set "$2" up
    ip -n "$LAB_PREFIX$3" link set "$4" up
}

# lab_switch SW HV... : an underlay switch for more than two hypervisors.
# SW is a namespace with a Linux bridge br0 (no STP, so ports forward at
# once); each HV gets an uplink eth0 whose peer, named HV, is a port of br0.
# (A veth pair joins only two namespaces; this is the wire to a ToR switch.)
lab_switch () {
    local sw=$1 hvname; shift
    lab_log "underlay switch $sw: $*"
    ip netns list | grep -q "^$LAB_PREFIX$sw\\b" || {
        lab_host "$sw" || return 1
        ip -n "$LAB_PREFIX$sw" link add br0 type bridge stp_state 0 || return 1
        ip -n "$LAB_PREFIX$sw" link set br0 up
    }
    for hvname in "$@"; do
        lab_link "$hvname" eth0 "$sw" "$hvname" || return 1
        ip -n "$LAB_PREFIX$sw" link set "$hvname" master br0 || return 1
    done
}

# hv_quiet HV: interfaces created in HV from now on (the hypervisor ends of
# VM veths, extra uplinks) get no IPv6, so that the kernel's router
# solicitations and MLD reports do not show up in VM captures or counters.
hv_quiet () {
    hv "$1" sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
}

# vm_quiet VM...: once resolved, a VM's neighbours stay reachable for an
# hour and are never re-probed, so that the packets a test counts are the
# ones it sent and nothing else.
vm_quiet () {
    local name
    for name; do
        vm "$name" sysctl -q -w \
            net.ipv4.neigh.eth0.base_reachable_time_ms=3600000 \
            net.ipv4.neigh.eth0.delay_first_probe_time=3600 || return 1
    done
}

# vm_reaches VM DST: VM gets an answer to one ping to DST (within 1 s).
vm_reaches () {
    vm "$1" ping -q -c 1 -W 1 "$2" > /dev/null 2>&1
}

# vm_ping VM DST [COUNT]: waits (up to 60 s) until VM reaches DST, then
# pings COUNT (3) times and prints ping's summary line without the time,
# e.g. "3 packets transmitted, 3 received, 0% packet loss".
vm_ping () {
    local name=$1 dst=$2 count=${3:-3}
    lab_wait_until 60 vm_reaches "$name" "$dst"
    vm "$name" ping -q -c "$count" -i 0.2 -W 2 "$dst" \
        | sed -n 's/, time.*//p' | grep transmitted
}

# lab_counter HV:PORT:rx|tx or HV:BRIDGE:PORT:rx|tx (bridge br2 if not
# given): one port's packet counter.
lab_counter () {
    local IFS=:
    set -- $1
    if [ $# = 4 ]; then
        hv_port_pkts "$1" "$2" "$3" "$4"
    else
        hv_port_pkts "$1" br2 "$2" "$3"
    fi
}

# lab_counters FILE SPEC...: saves the counters named by each SPEC (as for
# lab_counter) in FILE, one "SPEC VALUE" a line.  Tunnel port counters are
# updated by the revalidators from the datapath flows' statistics, so it
# first waits for two revalidator rounds on every hypervisor named: all
# traffic so far is counted.
lab_counters () {
    local file=$1 spec h hvs=" " pid pids=
    shift
    for spec; do
        h=${spec%%:*}
        case $hvs in *" $h "*) ;; *) hvs="$hvs$h " ;; esac
    done
    # In parallel; waiting for these jobs only, not for the caller's.
    for h in $hvs; do
        { hv_appctl "$h" revalidator/wait && hv_appctl "$h" revalidator/wait; } \
            > /dev/null &
        pids="$pids $!"
    done
    for pid in $pids; do
        wait "$pid" || return 1
    done
    : > "$file"
    for spec; do
        echo "$spec $(lab_counter "$spec")" >> "$file"
    done
}

# lab_counters_delta FILE: prints "SPEC DELTA" for every counter saved in
# FILE by lab_counters: what it counted since.
lab_counters_delta () {
    local file=$1
    lab_counters "$file.now" $(cut -d' ' -f1 "$file") || return 1
    awk 'NR == FNR { old[$1] = $2; next } { print $1, $2 - old[$1] }' \
        "$file" "$file.now"
}

# lab_listening NETNS PORT: something in lab namespace NETNS listens on TCP
# port PORT.
lab_listening () {
    vm "$1" ss -ltn | grep -q ":$2 "
}

# lab_capture_start NETNS IFACE FILE [TCPDUMP-ARG...]: tcpdump on IFACE in
# lab namespace NETNS, writing the packets (more options, the filter) to
# FILE as they come, its pid in FILE.pid and its messages in FILE.log.
# Returns once it listens (up to 60 s): a packet sent sooner would be
# missed.  It stays root (-Z root) so that it may write anywhere.
lab_capture_start () {
    local name=$1 iface=$2 file=$3
    shift 3
    lab_spawn "$file.pid" "$name" tcpdump -Z root --immediate-mode -U -n \
        -i "$iface" -w "$file" "$@" > "$file.log" 2>&1
    lab_wait_until 60 grep -q 'listening on' "$file.log" && return 0
    echo "nvo3-lab: tcpdump did not start: $(cat "$file.log")" >&2
    return 1
}

# lab_capture_count FILE: the number of whole packets in capture FILE (one
# being written is not counted).
lab_capture_count () {
    tcpdump -n -r "$1" 2> /dev/null | wc -l
}

# lab_capture_has FILE COUNT: capture FILE holds COUNT packets or more.
lab_capture_has () {
    [ "$(lab_capture_count "$1")" -ge "$2" ]
}

# lab_capture_stop FILE [COUNT]: stops the tcpdump writing FILE once FILE
# holds COUNT packets (given when the caller knows how many crossed: a
# packet that has crossed may not be written yet; up to 60 s), and returns
# once it has exited, so that FILE is complete.
lab_capture_stop () {
    local file=$1 pid
    [ -z "$2" ] || lab_wait_until 60 lab_capture_has "$file" "$2" \
        || echo "nvo3-lab: $file: fewer than $2 packets" >&2
    pid=$(cat "$file.pid" 2> /dev/null) || return 0
    kill "$pid" 2> /dev/null || :
    lab_wait_until 30 lab_pid_gone "$pid"
}

# lab_iperf3_server VM [ARG...]: starts "iperf3 -s ARG..." in lab namespace
# VM (its pid in LAB_DIR/VM/iperf3.pid, where lab_cleanup finds it) and
# returns once it listens (up to 60 s): a client that came sooner would be
# refused.  It listens on port 5201 unless ARGs say "-p PORT".
lab_iperf3_server () {
    local name=$1 port=5201 arg prev=
    shift
    for arg; do
        [ "$prev" != -p ] || port=$arg
        prev=$arg
    done
    mkdir -p "$LAB_DIR/$name"
    lab_spawn "$LAB_DIR/$name/iperf3.pid" "$name" iperf3 -s "$@"
    lab_wait_until 60 lab_listening "$name" "$port" && return 0
    echo "nvo3-lab: iperf3 server in $name does not listen on $port" >&2
    return 1
}

# lab_iperf3_stop VM: stops VM's iperf3 server, if it still runs.  When it
# is this shell's own job it is reaped too, quietly.
lab_iperf3_stop () {
    local pidfile=$LAB_DIR/$1/iperf3.pid pid
    pid=$(cat "$pidfile" 2> /dev/null) || return 0
    lab_kill_pidfile "$pidfile"
    wait "$pid" 2> /dev/null || :
}

# lab_iperf3 CLIENT-VM SERVER-VM SERVER-ADDR [CLIENT-ARG...]: one iperf3
# run: a one-shot server in SERVER-VM (its output in
# LAB_DIR/SERVER-VM/iperf3.log), then "iperf3 -c SERVER-ADDR CLIENT-ARG..."
# in CLIENT-VM (at most 120 s), whose output goes to stdout and whose status
# is returned.  The server is gone afterwards, also when the client failed.
lab_iperf3 () {
    local client=$1 server=$2 addr=$3 status=0
    shift 3
    mkdir -p "$LAB_DIR/$server"
    lab_iperf3_server "$server" -1 > "$LAB_DIR/$server/iperf3.log" 2>&1 || {
        echo "nvo3-lab: no iperf3 server in $server:" \
             "$(cat "$LAB_DIR/$server/iperf3.log")" >&2
        return 1
    }
    vm "$client" timeout 120 iperf3 -c "$addr" "$@" || status=$?
    lab_iperf3_stop "$server"
    return $status
}
