#! /usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Minimal rtnetlink client for the "stt" link kind (iproute2 lacks it).

  stt-link.py add NAME [port N] [mtu N] [no-external]
  stt-link.py show NAME      prints "kind=stt port=N external=1|0 mtu=N"

Exit status 0 on success; on a kernel error, prints the errno and the
extack message and exits 1.  Attribute numbers are those of
datapath/linux/stt_netlink.h.
"""

import os
import socket
import struct
import sys

RTM_NEWLINK, RTM_GETLINK = 16, 18
NLMSG_ERROR = 2
NLM_F_REQUEST, NLM_F_ACK = 0x1, 0x4
NLM_F_EXCL, NLM_F_CREATE = 0x200, 0x400
NLM_F_CAPPED = 0x100
SOL_NETLINK, NETLINK_EXT_ACK = 270, 11
NLMSGERR_ATTR_MSG = 1
NLA_F_NESTED = 0x8000

IFLA_IFNAME, IFLA_MTU, IFLA_LINKINFO = 3, 4, 18
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
IFLA_STT_PORT, IFLA_STT_COLLECT_METADATA = 1, 2


def nla(atype, payload):
    hdr = struct.pack("=HH", 4 + len(payload), atype)
    return hdr + payload + b"\0" * ((4 - len(payload) % 4) % 4)


def parse_attrs(buf):
    attrs = {}
    off = 0
    while off + 4 <= len(buf):
        alen, atype = struct.unpack_from("=HH", buf, off)
        if alen < 4:
            break
        attrs[atype & ~NLA_F_NESTED] = buf[off + 4:off + alen]
        off += (alen + 3) & ~3
    return attrs


def request(msg_type, flags, body):
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    sock.bind((0, 0))
    hdr = struct.pack("=IHHII", 16 + len(body), msg_type,
                      NLM_F_REQUEST | flags, 1, 0)
    sock.send(hdr + body)
    data = sock.recv(65536)
    sock.close()
    length, rtype, rflags, _, _ = struct.unpack_from("=IHHII", data, 0)
    if rtype == NLMSG_ERROR:
        (error,) = struct.unpack_from("=i", data, 16)
        if error == 0:
            return None
        (orig_len,) = struct.unpack_from("=I", data, 20)
        off = 20 + (16 if rflags & NLM_F_CAPPED else orig_len)
        msg = parse_attrs(data[off:length]).get(NLMSGERR_ATTR_MSG, b"")
        sys.stderr.write("error: %s: %s\n"
                         % (os.strerror(-error),
                            msg.rstrip(b"\0").decode(errors="replace")))
        sys.exit(1)
    return data[:length]


def ifinfomsg():
    return struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0)


def add(name, args):
    port, mtu, external = 7471, None, True
    while args:
        word = args.pop(0)
        if word == "port":
            port = int(args.pop(0))
        elif word == "mtu":
            mtu = int(args.pop(0))
        elif word == "no-external":
            external = False
        else:
            sys.exit("unknown option %s" % word)
    data = nla(IFLA_STT_PORT, struct.pack(">H", port))
    if external:
        data += nla(IFLA_STT_COLLECT_METADATA, b"")
    linkinfo = (nla(IFLA_INFO_KIND, b"stt\0")
                + nla(IFLA_INFO_DATA | NLA_F_NESTED, data))
    body = ifinfomsg() + nla(IFLA_IFNAME, name.encode() + b"\0")
    if mtu is not None:
        body += nla(IFLA_MTU, struct.pack("=I", mtu))
    body += nla(IFLA_LINKINFO | NLA_F_NESTED, linkinfo)
    request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, body)


def show(name):
    body = ifinfomsg() + nla(IFLA_IFNAME, name.encode() + b"\0")
    reply = request(RTM_GETLINK, 0, body)
    attrs = parse_attrs(reply[32:])
    info = parse_attrs(attrs.get(IFLA_LINKINFO, b""))
    kind = info.get(IFLA_INFO_KIND, b"").rstrip(b"\0").decode()
    data = parse_attrs(info.get(IFLA_INFO_DATA, b""))
    port = (struct.unpack(">H", data[IFLA_STT_PORT][:2])[0]
            if IFLA_STT_PORT in data else None)
    external = 1 if IFLA_STT_COLLECT_METADATA in data else 0
    (mtu,) = struct.unpack("=I", attrs[IFLA_MTU][:4])
    print("kind=%s port=%s external=%d mtu=%d" % (kind, port, external, mtu))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd, name, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if cmd == "add":
        add(name, args)
    elif cmd == "show":
        show(name)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
