#! /bin/sh
# nvo3-steering-flows.sh: per-flow steering across tunnels of different
# types to one peer (seed 002's "software overlay router" in plain
# OpenFlow): each new TCP or UDP connection is given a tunnel by a policy
# and then stays on it, even when the policy changes, until it goes idle.
#
# Usage: nvo3-steering-flows.sh [OPTION...] BRIDGE VM-PORT RULE...
#
#   BRIDGE      the bridge holding the VM (or uplink) port and the tunnels
#   VM-PORT     the local port; every other port of BRIDGE is a tunnel
#   RULE        MATCH=TUNNEL-PORT, first match wins; MATCH is one of
#                 tcp, udp            any TCP or UDP connection
#                 tcp/PORT, udp/PORT  TCP or UDP to destination port PORT
#                 icmp, ip            ICMP; any other IPv4 packet
#                 default             everything else, ARP included
#               there must be a "default" rule.
#
# Options:
#   --policy-only     replace only the policy (table 2): connections pinned
#                     so far keep their tunnel; new ones follow the new rules
#   --idle-timeout=N  a pin expires after N seconds without traffic (60)
#   --print           print the flows instead of installing them
#
# Example (bulk TCP over STT, UDP media over NVGRE, ping over GRE, the rest
# over VXLAN), run the same on both ends with their own port names:
#
#   nvo3-steering-flows.sh br2 vm1 tcp=stt0 udp=nvgre0 icmp=gre0 \
#       default=vxlan0
#
# The flows, in three tables:
#
#   table 0   from VM-PORT: go to table 1.  From a tunnel: learn a pin that
#             sends the reverse direction of this TCP/UDP connection back
#             into the tunnel it came from, then deliver to VM-PORT.
#   table 1   pins (learned, cookie 0x5e1), one per connection direction,
#             exact 5-tuple -> tunnel; a miss goes to table 2.
#   table 2   the policy: the first matching rule picks the tunnel, and for
#             TCP and UDP learns the pin for the rest of the connection.
#
# The bridge's own port (LOCAL) is ignored.  IPv4 only.  Runs ovs-ofctl and
# ovs-vsctl from PATH with their usual environment (OVS_RUNDIR...), so for a
# lab hypervisor: hv hv1 nvo3-steering-flows.sh br2 vm1 ...
set -e

usage () {
    sed -n '2,/^set -e/p' "$0" | sed -e '/^set -e/d' -e 's/^# \{0,1\}//'
    exit "$1"
}

die () {
    echo "nvo3-steering-flows: $*" >&2
    exit 1
}

policy_only=false
idle=60
print=false
while [ $# -gt 0 ]; do
    case $1 in
        --policy-only) policy_only=true ;;
        --idle-timeout=*) idle=${1#*=} ;;
        --print) print=true ;;
        -h|--help) usage 0 ;;
        --) shift; break ;;
        -*) die "unknown option $1" ;;
        *) break ;;
    esac
    shift
done
[ $# -ge 3 ] || usage 1
bridge=$1 vmport=$2
shift 2
case $idle in ''|*[!0-9]*) die "--idle-timeout needs a number of seconds" ;; esac

# ofport NAME: the OpenFlow port number of NAME (learn needs numbers).
ofport () {
    local n
    if $print; then
        echo "<$1>"
        return
    fi
    n=$(ovs-vsctl get Interface "$1" ofport) || die "no interface $1"
    case $n in ''|-1|*[!0-9]*) die "interface $1 has no OpenFlow port" ;; esac
    echo "$n"
}

COOKIE=0x5e1

# pin PROTO: learn(), for a packet of a new PROTO connection, of the flow
# that sends the rest of this direction where reg1 says.
pin () {
    local l4
    case $1 in
        tcp) l4="nw_proto=6,NXM_OF_TCP_SRC[],NXM_OF_TCP_DST[]" ;;
        udp) l4="nw_proto=17,NXM_OF_UDP_SRC[],NXM_OF_UDP_DST[]" ;;
    esac
    echo "learn(table=1,priority=100,idle_timeout=$idle,cookie=$COOKIE,\
eth_type=0x800,NXM_OF_IP_SRC[],NXM_OF_IP_DST[],$l4,\
output:NXM_NX_REG1[0..15])"
}

# reverse_pin PROTO: learn(), for a packet that came out of a tunnel, of
# the flow that sends the other direction of its connection back into it.
reverse_pin () {
    local l4 f
    case $1 in
        tcp) f=TCP; l4="nw_proto=6" ;;
        udp) f=UDP; l4="nw_proto=17" ;;
    esac
    echo "learn(table=1,priority=100,idle_timeout=$idle,cookie=$COOKIE,\
eth_type=0x800,NXM_OF_IP_SRC[]=NXM_OF_IP_DST[],\
NXM_OF_IP_DST[]=NXM_OF_IP_SRC[],$l4,\
NXM_OF_${f}_SRC[]=NXM_OF_${f}_DST[],NXM_OF_${f}_DST[]=NXM_OF_${f}_SRC[],\
output:NXM_OF_IN_PORT[])"
}

# policy RULE...: table 2.
policy () {
    local prio=1000 rule match port n have_default=false
    for rule; do
        case $rule in
            *=*) match=${rule%%=*} port=${rule#*=} ;;
            *) die "rule '$rule' is not MATCH=TUNNEL-PORT" ;;
        esac
        [ -n "$port" ] && [ "$port" != "$vmport" ] \
            || die "rule '$rule': bad tunnel port"
        n=$(ofport "$port")
        case $match in
            tcp|udp)
                echo "table=2,priority=$prio,$match,actions=load:$n->NXM_NX_REG1[0..15],$(pin "$match"),output:$n" ;;
            tcp/*|udp/*)
                case ${match#*/} in
                    ''|*[!0-9]*) die "rule '$rule': bad port number" ;;
                esac
                echo "table=2,priority=$prio,${match%/*},tp_dst=${match#*/},actions=load:$n->NXM_NX_REG1[0..15],$(pin "${match%/*}"),output:$n" ;;
            icmp|ip)
                echo "table=2,priority=$prio,$match,actions=output:$n" ;;
            default)
                have_default=true
                echo "table=2,priority=0,actions=output:$n" ;;
            *) die "rule '$rule': unknown match '$match'" ;;
        esac
        prio=$((prio - 10))
    done
    $have_default || die "there must be a 'default=TUNNEL-PORT' rule"
}

# all: every table.
all () {
    local vm
    vm=$(ofport "$vmport")
    echo "table=0,priority=300,in_port=LOCAL,actions=drop"
    echo "table=0,priority=200,in_port=$vm,actions=resubmit(,1)"
    echo "table=0,priority=100,tcp,actions=$(reverse_pin tcp),output:$vm"
    echo "table=0,priority=100,udp,actions=$(reverse_pin udp),output:$vm"
    echo "table=0,priority=0,actions=output:$vm"
    echo "table=1,priority=0,actions=resubmit(,2)"
    policy "$@"
}

if $policy_only; then
    flows=$(policy "$@")
    if $print; then
        echo "$flows"
    else
        # One bundle: no packet sees table 2 empty or half-replaced.
        { echo "delete table=2"; echo "$flows"; } \
            | ovs-ofctl -O OpenFlow14 --bundle add-flows "$bridge" -
    fi
else
    flows=$(all "$@")
    if $print; then
        echo "$flows"
    else
        # Replaces every flow of the bridge, pins included.
        echo "$flows" | ovs-ofctl -O OpenFlow14 --bundle replace-flows \
            "$bridge" -
    fi
fi
