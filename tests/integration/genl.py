"""A raw generic-netlink client, for sending the ktftpd family exactly the
bytes a test wants (hostile ones included) and reading the answer, extended
ack and all.  Only the standard library: the message layout is simple.
"""
import os
import re
import socket
import struct
from pathlib import Path

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
NETLINK_ADD_MEMBERSHIP = 1
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK, NLM_F_DUMP = 1, 2, 4, 0x300
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NLA_F_NESTED = 0x8000
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME, CTRL_ATTR_MCAST_GROUPS = 1, 2, 7
CTRL_ATTR_MCAST_GRP_NAME, CTRL_ATTR_MCAST_GRP_ID = 1, 2
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS, NLMSGERR_ATTR_MISS_TYPE = 1, 2, 5

REPO = Path(__file__).resolve().parents[2]


def uapi_enum(name: str, prefix: str) -> dict[str, int]:
    """enum @name of include/uapi/linux/ktftpd.h, as {member without
    @prefix: value}: the header is the one place the numbers are written."""
    text = (REPO / "include" / "uapi" / "linux" / "ktftpd.h").read_text()
    body = re.search(r"enum %s \{(.*?)\};" % name, text, re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    out, value = {}, 0
    for member, given in re.findall(r"(\w+)\s*(?:=\s*(\w+))?\s*,", body):
        value = int(given, 0) if given else value
        if member.startswith(prefix):
            out[member.removeprefix(prefix)] = value
        value += 1
    return out


CMD = uapi_enum("ktftpd_cmd", "KTFTPD_CMD_")
A = uapi_enum("ktftpd_attr", "KTFTPD_A_")
CFG = uapi_enum("ktftpd_cfg", "KTFTPD_CFG_")
STAT = uapi_enum("ktftpd_stat", "KTFTPD_STAT_")
# The counters as ktftpctl names them ({JSON key: STAT member}), from their
# table, kernel/counters.h.
COUNTERS = dict((key, stat) for stat, key in re.findall(
    r'X\(\w+,\s*KTFTPD_STAT_(\w+),\s*"(\w+)"',
    (REPO / "kernel" / "counters.h").read_text().replace("\\\n", " ")))
LISTEN_IPV4, LISTEN_IPV6 = 1, 2
RULES_RULE = uapi_enum("ktftpd_rules", "KTFTPD_RULES_")["RULE"]
RULE = uapi_enum("ktftpd_rule", "KTFTPD_RULE_")
MATCH = uapi_enum("ktftpd_rule_match", "KTFTPD_MATCH_")
REWRITE = uapi_enum("ktftpd_rewrite", "KTFTPD_REWRITE_")
SESSION = uapi_enum("ktftpd_session", "KTFTPD_SESSION_")
# Written as shifts, which uapi_enum() does not evaluate.
RULE_F = {name: 1 << int(shift) for name, shift in re.findall(
    r"KTFTPD_RULE_F_(\w+)\s*=\s*1 << (\d+)",
    (REPO / "include" / "uapi" / "linux" / "ktftpd.h").read_text())}


def attr(kind, payload, nested=False):
    """One attribute: header, payload, padding to 4 bytes."""
    if isinstance(payload, list):
        payload, nested = b"".join(payload), True
    n = 4 + len(payload)
    return struct.pack("=HH", n, kind | (NLA_F_NESTED if nested else 0)) + \
        payload + b"\0" * ((4 - n % 4) % 4)


def u8(kind, v):
    return attr(kind, struct.pack("=B", v))


def u16(kind, v):
    return attr(kind, struct.pack("=H", v))


def u32(kind, v):
    return attr(kind, struct.pack("=I", v))


def u64(kind, v):
    return attr(kind, struct.pack("=Q", v))


def string(kind, s):
    return attr(kind, s.encode() + b"\0")


def parse_attrs(data):
    """{type: [payload, ...]} (types without the nested/byteorder bits)."""
    out = {}
    while len(data) >= 4:
        n, kind = struct.unpack_from("=HH", data)
        if n < 4 or n > len(data):
            break
        out.setdefault(kind & 0x3FFF, []).append(data[4:n])
        data = data[(n + 3) & ~3:]
    return out


def rule(match, pattern, replace=None, flags=()):
    """One KTFTPD_RULES_RULE: @match exact, prefix or glob; @flags of
    nocase, stop, refuse; @pattern and @replace str (or bytes, as sent)."""
    text = lambda kind, s: attr(kind, (s if isinstance(s, bytes) else s.encode()) + b"\0")  # noqa: E731
    parts = [u8(RULE["MATCH"], MATCH[match.upper()]), text(RULE["PATTERN"], pattern)]
    if flags:
        parts.append(u8(RULE["FLAGS"], sum(RULE_F[f.upper()] for f in flags)))
    if replace is not None:
        parts.append(text(RULE["REPLACE"], replace))
    return attr(RULES_RULE, parts)


def rules_config(rules):
    """A KTFTPD_A_CONFIG that makes @rules (rule() attributes) the rules."""
    return attr(A["CONFIG"], [attr(CFG["RULES"], b"".join(rules), nested=True)])


def parse_rules(config):
    """The rules of a parsed KTFTPD_A_CONFIG nest, as dicts."""
    out = []
    names = {v: k.lower() for k, v in MATCH.items()}
    for raw in parse_attrs(config.get(CFG["RULES"], [b""])[0]).get(RULES_RULE, []):
        r = parse_attrs(raw)
        flags = r[RULE["FLAGS"]][0][0] if RULE["FLAGS"] in r else 0
        out.append({"match": names[r[RULE["MATCH"]][0][0]],
                    "pattern": r[RULE["PATTERN"]][0].rstrip(b"\0").decode(),
                    "replace": r.get(RULE["REPLACE"], [b""])[0].rstrip(b"\0").decode(),
                    "flags": sorted(f.lower() for f, bit in RULE_F.items() if flags & bit)})
    return out


class NetlinkError(Exception):
    def __init__(self, errno, msg, offset, miss_type):
        super().__init__(f"{os.strerror(errno)}: {msg}")
        self.errno, self.msg, self.offset, self.miss_type = errno, msg, offset, miss_type


class Genl:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.bind((0, 0))
        self.sock.settimeout(30)
        self.seq = 0
        reply = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                             string(CTRL_ATTR_FAMILY_NAME, "ktftpd"), version=1)[0]
        self.family = struct.unpack("=H", reply[CTRL_ATTR_FAMILY_ID][0])[0]
        self.groups = {}
        for grp in parse_attrs(reply.get(CTRL_ATTR_MCAST_GROUPS, [b""])[0]).values():
            g = parse_attrs(grp[0])
            name = g[CTRL_ATTR_MCAST_GRP_NAME][0].rstrip(b"\0").decode()
            self.groups[name] = struct.unpack("=I", g[CTRL_ATTR_MCAST_GRP_ID][0])[0]

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send_raw(self, msg_type, cmd, payload=b"", flags=NLM_F_REQUEST | NLM_F_ACK,
                 version=1):
        self.seq += 1
        body = struct.pack("=BBH", cmd, version, 0) + payload
        self.sock.send(struct.pack("=IHHII", 16 + len(body), msg_type, flags,
                                   self.seq, 0) + body)
        return self.seq

    def request(self, msg_type, cmd, payload=b"", flags=NLM_F_REQUEST | NLM_F_ACK,
                version=1):
        """Send and collect the replies' attributes until the ACK or DONE;
        raise NetlinkError for an error, with the extended ack decoded."""
        seq = self.send_raw(msg_type, cmd, payload, flags, version)
        return self.receive(seq, flags)

    def receive(self, seq, flags=NLM_F_REQUEST | NLM_F_ACK):
        """The answer to the request @seq (see request())."""
        replies = []
        while True:
            data = self.sock.recv(1 << 20)
            while len(data) >= 16:
                n, kind, mflags, mseq, _ = struct.unpack_from("=IHHII", data)
                msg, data = data[:n], data[(n + 3) & ~3:]
                if mseq != seq:
                    continue
                if kind == NLMSG_DONE:
                    return replies
                if kind == NLMSG_ERROR:
                    err = struct.unpack_from("=i", msg, 16)[0]
                    if err == 0:
                        return replies
                    self._raise(msg, mflags, -err)
                replies.append(parse_attrs(msg[20:]))
                if not (flags & NLM_F_DUMP) and not (flags & NLM_F_ACK):
                    return replies

    @staticmethod
    def _raise(msg, mflags, errno):
        # The error header, then the request (or only its header if capped).
        inner = 16 + 4
        inner_len = struct.unpack_from("=I", msg, inner)[0]
        tlv = inner + (16 if mflags & NLM_F_CAPPED else inner_len)
        tlvs = parse_attrs(msg[tlv:]) if mflags & NLM_F_ACK_TLVS else {}
        text = tlvs.get(NLMSGERR_ATTR_MSG, [b""])[0].rstrip(b"\0").decode()
        offs = tlvs.get(NLMSGERR_ATTR_OFFS)
        miss = tlvs.get(NLMSGERR_ATTR_MISS_TYPE)
        raise NetlinkError(errno, text,
                           struct.unpack("=I", offs[0])[0] if offs else None,
                           struct.unpack("=I", miss[0])[0] if miss else None)

    def ktftpd(self, cmd, payload=b"", dump=False):
        flags = NLM_F_REQUEST | (NLM_F_DUMP if dump else NLM_F_ACK)
        return self.request(self.family, CMD[cmd], payload, flags)

    def join(self, group):
        self.sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, self.groups[group])
