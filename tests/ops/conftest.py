"""Markers of the ops tests."""


def pytest_configure(config):
    # tests/check runs these on one kernel only (stage_systemd).
    config.addinivalue_line("markers", "ansible: drives the Ansible role in the guest; "
                            "the role does not depend on the kernel")
