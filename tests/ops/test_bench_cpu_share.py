"""tests/bench/cpu_share.py: whose CPU each perf sample is, on samples in
the form `perf script -F comm,pid,cpu,ip,sym,dso` prints them in the guest
(module frames named [kernel.kallsyms], as perf does for a module loaded
from a path)."""
import sys
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "bench"))
import cpu_share  # noqa: E402

MODULES = ("ktftpd 118784 0 - Live 0xffffffffc04a8000 (OE)\n"
           "udp_tunnel 32768 0 - Live 0xffffffffc0400000\n")
SPAN = (0xffffffffc04a8000, 0xffffffffc04a8000 + 118784)

# The fast path: a client's send, the softirq it raised, ktftpd's DATA.
FAST_PATH = """ktftp-bench   133 [001]
	ffffffff93bfa059 memset_erms ([kernel.kallsyms])
	ffffffff93abb7cf udp_sendmsg ([kernel.kallsyms])
	ffffffffc04ac863 send_atomic ([kernel.kallsyms])
	ffffffffc04acf61 fast_rcv ([kernel.kallsyms])
	ffffffff93aba757 udp_queue_rcv_one_skb ([kernel.kallsyms])
	ffffffff939e09d0 net_rx_action ([kernel.kallsyms])
	ffffffff932a8ec7 handle_softirqs ([kernel.kallsyms])
	ffffffff939b28d2 __sys_sendto ([kernel.kallsyms])
	          10aba4 __send (/usr/lib/x86_64-linux-gnu/libc.so.6)
"""
# The same softirq before it reached ktftpd: the receive side, nobody's.
RECEIVE = """ktftp-bench   133 [000]
	ffffffff93abc657 __udp4_lib_rcv ([kernel.kallsyms])
	ffffffff939e09d0 net_rx_action ([kernel.kallsyms])
	ffffffff932a8ec7 handle_softirqs ([kernel.kallsyms])
	ffffffff939b28d2 __sys_sendto ([kernel.kallsyms])
"""
CLIENT = """ktftp-bench   134 [000]
	          4d2a10 XXH3_128bits_update (/usr/lib/x86_64-linux-gnu/libxxhash.so.0.8.1)
	          10aba4 std::vector<unsigned char, std::allocator<unsigned char> >::operator[](unsigned long) (/work/build/ktftp-bench)
"""
# A ktftpd work item on a kworker.
WORKER = """kworker/u4:2-ev   57 [001]
	ffffffff934f7ad4 filemap_read ([kernel.kallsyms])
	ffffffffc04aee25 ktftpd_vfs_read ([kernel.kallsyms])
	ffffffffc04ab3ee xfer_run ([kernel.kallsyms])
	ffffffff932c1a2b process_one_work ([kernel.kallsyms])
"""
# A user-space server's send, and the delivery to the client it raised.
PEER_SEND = """dnsmasq   132 [001]
	ffffffff93abb7cf udp_sendmsg ([kernel.kallsyms])
	ffffffff939b28d2 __sys_sendto ([kernel.kallsyms])
	          10aba4 __send (/usr/lib/x86_64-linux-gnu/libc.so.6)
"""
PEER_DELIVERY = """dnsmasq   132 [001]
	ffffffff93aba757 udp_queue_rcv_one_skb ([kernel.kallsyms])
	ffffffff932a8ec7 handle_softirqs ([kernel.kallsyms])
	ffffffff932a9324 __local_bh_enable_ip ([kernel.kallsyms])
	ffffffff939b28d2 __sys_sendto ([kernel.kallsyms])
"""
# ktftpd's own send raising the softirq that delivers to the client.
KTFTPD_DELIVERY = """kworker/1:1   40 [001]
	ffffffff93aba757 udp_queue_rcv_one_skb ([kernel.kallsyms])
	ffffffff932a8ec7 handle_softirqs ([kernel.kallsyms])
	ffffffff932a9324 __local_bh_enable_ip ([kernel.kallsyms])
	ffffffffc04ae3d0 ktftpd_net_send ([kernel.kallsyms])
"""
IDLE = """swapper     0 [000]
	ffffffff93c4a1b2 default_idle ([kernel.kallsyms])
	ffffffff932f5e11 do_idle ([kernel.kallsyms])
"""
IDLE_SOFTIRQ = """swapper     0 [001]
	ffffffffc04acf61 fast_rcv ([kernel.kallsyms])
	ffffffff932a8ec7 handle_softirqs ([kernel.kallsyms])
	ffffffff93c4a1b2 default_idle ([kernel.kallsyms])
"""
# perf found the .ko: the module's own dso name.
NAMED_DSO = """ktftp-bench   133 [000]
	ffffffff93bfa059 memset_erms ([kernel.kallsyms])
	ffffffffa0001234 fast_rcv ([ktftpd])
"""


def owners(*samples, comms=(), span=SPAN):
    text = "\n".join(samples)
    return cpu_share.attribute(text, server_comms=comms, span=span)["samples"]


def test_module_range_from_proc_modules():
    assert cpu_share.module_range(MODULES) == SPAN
    assert cpu_share.module_range(MODULES, "nosuch") is None


def test_every_sample_is_read_with_its_frames():
    got = list(cpu_share.samples("\n".join([FAST_PATH, CLIENT, WORKER, IDLE])))
    assert [(comm, cpu, len(frames)) for comm, cpu, frames in got] == [
        ("ktftp-bench", 1, 9), ("ktftp-bench", 0, 2), ("kworker/u4:2-ev", 1, 4),
        ("swapper", 0, 2)]
    assert got[0][2][3] == (0xffffffffc04acf61, "fast_rcv", "[kernel.kallsyms]")
    # A demangled C++ name with spaces is still one frame.
    assert got[1][2][1][1].startswith("std::vector<")


def test_ktftpd_work_is_the_servers_in_any_context():
    assert owners(FAST_PATH, WORKER, IDLE_SOFTIRQ, NAMED_DSO)["server"] == 4


def test_receive_side_and_deliveries_are_nobodys():
    got = owners(RECEIVE, PEER_DELIVERY, KTFTPD_DELIVERY, comms=("dnsmasq",))
    assert got["softirq"] == 3 and got["server"] == 0


def test_a_peer_is_its_processes():
    assert owners(PEER_SEND, comms=("dnsmasq",))["server"] == 1
    assert owners(PEER_SEND)["other"] == 1


def test_client_idle_and_per_cpu():
    r = cpu_share.attribute("\n".join([CLIENT, IDLE, FAST_PATH, RECEIVE]), span=SPAN)
    assert r["samples"] == dict(server=1, client=1, softirq=1, other=0, idle=1)
    assert r["per_cpu"][0]["client"] == 1 and r["per_cpu"][0]["idle"] == 1
    assert r["per_cpu"][1]["server"] == 1
    assert r["top"]["server"] == [("memset_erms", 1)]


def test_without_the_module_range_its_frames_are_not_found():
    """The reason for the address match: perf names them [kernel.kallsyms]."""
    assert owners(FAST_PATH, span=None)["server"] == 0
