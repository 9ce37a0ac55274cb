"""Load: 200 concurrent transfers, every byte checked."""
import subprocess

import pytest

from conftest import PORT, TFTP_ROOT, make_file, sha256
from tftp import Swarm

N = 200


@pytest.fixture(scope="module")
def blob():
    return make_file(TFTP_ROOT / "load.bin", 64 * 1024 + 123)


# Both read peak, which counts since the load: a module each.
@pytest.mark.fresh_module
def test_200_concurrent_raw_transfers_byte_exact(server, blob):
    server.set(max_sessions_per_client=N)
    swarm = Swarm(N, "load.bin", port=PORT, hold=True)
    try:
        swarm.start()
        swarm.run(timeout=300)
        want = blob.read_bytes()
        results = [c.result for c in swarm.clients]
        assert results.count("done") == N, sorted(set(results))
        assert all(bytes(c.data) == want for c in swarm.clients)
    finally:
        swarm.close()
    server.wait_idle()
    st = server.stats()
    # No ACK went out before all 200 had DATA 1: all were in flight at once.
    assert st["peak"] == N
    assert st["transfers_completed"] == N


@pytest.mark.fresh_module
def test_200_concurrent_curl_clients_byte_exact(server, blob, tmp_path):
    server.set(max_sessions_per_client=N)
    procs = []
    for i in range(N):
        out = tmp_path / f"o{i}"
        procs.append((out, subprocess.Popen(
            ["curl", "-s", "--fail", "-o", str(out),
             f"tftp://127.0.0.1:{PORT}/load.bin"])))
    codes = [p.wait(timeout=600) for _, p in procs]
    assert codes == [0] * N
    want = sha256(blob)
    assert all(sha256(out) == want for out, _ in procs)
    assert server.stats()["peak"] > 1
