"""Firmware clients that PXE-boot from ktftpd in a server guest.

The link: the server guest (tests/vm/run --link, tests/firmware/server)
and one client QEMU at a time exchange Ethernet frames as UDP datagrams on
127.0.0.1 (-netdev dgram): no tap, no bridge, no root on the host.  Each
client has its own MAC address, and dnsmasq in the server guest gives it
its address and boot file by that MAC (dhcp-hosts).

A client passes only if its serial console shows the marker that only the
initrd it fetched prints (tests/firmware/mkboot).
"""
from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
VMRUN = TOP / "tests" / "vm" / "run"
SERVER_IP = "198.18.0.1"


@dataclass(frozen=True)
class Firmware:
    """One firmware client: its QEMU arguments, and what dnsmasq gives it."""
    name: str
    mac: str
    ip: str
    boot_file: str
    qemu: tuple[str, ...]          # the firmware's own arguments
    rom: str | None = None          # the NIC's option ROM (None: QEMU's own)
    nic: str = "virtio-net-pci"


# SeaBIOS (QEMU's default BIOS) runs the virtio NIC's iPXE ROM (ipxe-qemu),
# whose DHCP gets boot.ipxe.
IPXE = Firmware("ipxe", "52:54:00:24:00:01", "198.18.0.11", "boot.ipxe", ())

# OVMF (EDK2) with its own virtio-net driver (no option ROM: iPXE's EFI
# ROM would replace EDK2's PXE and MTFTP client, the one under test),
# loading a unified kernel image.
OVMF = Firmware("ovmf", "52:54:00:24:00:02", "198.18.0.12", "linux.efi",
                ("-bios", "/usr/share/ovmf/OVMF.fd"), rom="")

# U-Boot for qemu-x86 (32-bit), as QEMU's BIOS, on an e1000 (its
# qemu-x86 build has no virtio-net driver); distro boot's dhcp target
# sources boot.scr.uimg.
UBOOT = Firmware("uboot", "52:54:00:24:00:03", "198.18.0.13", "boot.scr.uimg",
                 ("-bios", "/usr/lib/u-boot/qemu-x86/u-boot.rom"), rom="", nic="e1000")

# PXELINUX, loaded by the iPXE ROM (SeaBIOS's PXE stack) and using its
# own TFTP client over the PXE UDP API.
PXELINUX = Firmware("pxelinux", "52:54:00:24:00:04", "198.18.0.14", "pxelinux.0", ())

# GRUB for UEFI (grub-mknetdir's core.efi), loaded by OVMF's PXE; its own
# TFTP client fetches grub.cfg, the kernel and the initrd.
GRUB = Firmware("grub", "52:54:00:24:00:05", "198.18.0.15", "grub/x86_64-efi/core.efi",
                ("-bios", "/usr/share/ovmf/OVMF.fd"), rom="")

FIRMWARE = {f.name: f for f in (IPXE, OVMF, UBOOT, PXELINUX, GRUB)}


def free_udp_ports(n: int) -> list[int]:
    """n UDP ports on 127.0.0.1 free right now (the kernel's choice)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def dgram(local: int, remote: int) -> str:
    return (f"dgram,id=link,local.type=inet,local.host=127.0.0.1,local.port={local},"
            f"remote.type=inet,remote.host=127.0.0.1,remote.port={remote}")


@dataclass
class Server:
    """The server guest, running until stop()."""
    kver: str
    work: Path
    marker: str = field(default_factory=lambda: "m-" + secrets.token_hex(8))
    proc: subprocess.Popen | None = None
    server_port: int = 0
    client_port: int = 0

    @property
    def results(self) -> Path:
        return self.work / "server"

    def start(self, firmware: list[Firmware], timeout: int = 600,
              initrd_mib: int | None = None) -> None:
        """Boot the server guest for these clients; with initrd_mib, the
        initrd they fetch is padded to that size (mkboot)."""
        # Absolute: dnsmasq in the guest reads its files after chdir("/").
        self.work = self.work.resolve()
        tree = self.work / "tree"
        self.results.mkdir(parents=True, exist_ok=True)
        for f in ("ready", "stop", "request", "request.tmp", "request.done",
                  "request.done.tmp", "events.jsonl", "stats.json"):
            (self.results / f).unlink(missing_ok=True)
        subprocess.run([TOP / "tests" / "firmware" / "mkboot", tree, self.marker,
                        *([str(initrd_mib)] if initrd_mib else [])], check=True)
        (self.work / "dhcp-hosts").write_text(
            "".join(f"{f.mac},{f.ip},set:{f.name}\n" for f in firmware))
        (self.work / "dnsmasq.conf").write_text(
            "".join(f"dhcp-boot=tag:{f.name},{f.boot_file},,{SERVER_IP}\n" for f in firmware))
        self.server_port, self.client_port = free_udp_ports(2)
        env = dict(os.environ, KTFTPD_VM_NOBUILD=os.environ.get("KTFTPD_VM_NOBUILD", "0"))
        self.log = open(self.work / "server-harness.log", "w")
        self.proc = subprocess.Popen(
            [VMRUN, "--kernel", self.kver, "--tcg", "single", "--timeout", str(timeout),
             "--link", f"{self.server_port}:{self.client_port}", "--results", self.results,
             "--", "tests/firmware/server", tree],
            cwd=TOP, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 300
        while not (self.results / "ready").exists():
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server guest ended ({self.proc.returncode}) "
                                   f"before it was ready: {self.work / 'server-harness.log'}")
            if time.monotonic() > deadline:
                raise RuntimeError("the server guest was not ready in 300 s")
            time.sleep(0.5)

    def stop(self) -> int:
        """Stop the guest; its harness status (0: clean, no WARN/BUG/oops)."""
        (self.results / "stop").touch()
        try:
            rc = self.proc.wait(timeout=300)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.log.close()
        return rc

    def request(self, line: str) -> None:
        """Between boots: "netem ARGS" (loss on what the server sends,
        "netem" alone for none), "set KEY=VALUE..." (ktftpctl config
        set), "serve ktftpd|tftpd-hpa|atftpd|dnsmasq" (which server answers on
        port 69) or "reflect SECONDS" (ktftp-blast's reflector on port
        7007), applied by tests/firmware/server."""
        done = self.results / "request.done"
        done.unlink(missing_ok=True)
        # Renamed into place, as the guest's answer is: a file seen between
        # its creation and its write reads empty.
        tmp = self.results / "request.tmp"
        tmp.write_text(line + "\n")
        os.replace(tmp, self.results / "request")
        deadline = time.monotonic() + 60
        while not done.exists():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"the server guest did not apply {line!r}")
            time.sleep(0.2)
        if done.read_text().strip() != "0":
            raise RuntimeError(f"{line!r} failed in the server guest")

    def events(self) -> list[dict]:
        text = (self.results / "events.jsonl").read_text(errors="replace")
        return [json.loads(l) for l in text.splitlines() if l.strip()]

    def wait_ended(self, ip: str, seen: int, timeout: float = 60) -> list[dict]:
        """The events after the first @seen, once every transfer the client
        at @ip began there has ended, or @timeout seconds passed: one whose
        final ACK was lost ends only when its last block's resends run out
        (31 s at the defaults)."""
        deadline = time.monotonic() + timeout
        while True:
            events = self.events()[seen:]
            ids = [e["session"]["id"] for e in events
                   if e["session"]["peer"] == ip and e["session"]["id"]]
            ended = {e["session"]["id"] for e in events if e["event"] != "start"}
            if set(ids) <= ended or time.monotonic() > deadline:
                return events
            time.sleep(0.5)

    def stats(self) -> dict:
        return json.loads((self.results / "stats.json").read_text())


@dataclass
class Boot:
    """What one client's boot left: its console, status and time."""
    console: str
    status: int
    seconds: float


def boot_client(server: Server, fw: Firmware, log: Path, timeout: int = 600,
                mem_mib: int = 512, pcap: Path | None = None) -> Boot:
    """Boot fw on the link until it powers off (or timeout); with pcap,
    QEMU writes every frame of the client's link there (filter-dump)."""
    nic = f"{fw.nic},netdev=link,mac={fw.mac},bootindex=1"
    if fw.rom is not None:
        nic += f",romfile={fw.rom}"
    args = ["qemu-system-x86_64", "-nodefaults", "-no-user-config", "-no-reboot",
            "-machine", "pc", "-accel", "tcg,thread=single", "-cpu", "max", "-m", str(mem_mib),
            "-display", "none", "-serial", f"file:{log}",
            "-netdev", dgram(server.client_port, server.server_port), "-device", nic,
            *fw.qemu]
    if pcap is not None:
        pcap.unlink(missing_ok=True)
        args += ["-object", f"filter-dump,id=dump,netdev=link,file={pcap}"]
    t0 = time.monotonic()
    try:
        r = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=timeout)
        status = r.returncode
    except subprocess.TimeoutExpired:
        status = 124
    seconds = time.monotonic() - t0
    console = log.read_text(errors="replace") if log.exists() else ""
    return Boot(console, status, seconds)


def transfers(events: list[dict], ip: str) -> list[dict]:
    """One record per transfer the client at ip made: its file, when it
    began (t: Unix time), the options it asked for, the OACK, bytes,
    duration and retransmits, and how it ended (finish, or the error
    code)."""
    out: dict[object, dict] = {}
    for i, e in enumerate(events):
        s = e["session"]
        if s["peer"] != ip:
            continue
        # A request refused before it became a transfer has no id.
        rec = out.setdefault(s["id"] or f"refused-{i}", {"file": s["file"], "t": e.get("time")})
        rec.update(options=s["options"], oack=s["oack"], bytes=s["bytes"],
                   ms=s["age_ms"], retransmits=s["retransmits"], blksize=s["blksize"],
                   windowsize=s["windowsize"])
        if e["event"] != "start":
            rec["end"] = "finish" if e["event"] == "finish" else f"error {e.get('error_code')}"
            rec["unconfirmed"] = e.get("unconfirmed", False)
    return list(out.values())


def transcript(recs: list[dict]) -> str:
    lines = []
    for r in recs:
        lines.append(f"  {r['file']}: asked {r['options']} oack {json.dumps(r['oack'])} "
                     f"{r['bytes']} bytes {r['ms']} ms retransmits {r['retransmits']} "
                     f"-> {r.get('end', 'unfinished')}"
                     f"{' (the last ACK never came)' if r.get('unconfirmed') else ''}")
    return "\n".join(lines)
