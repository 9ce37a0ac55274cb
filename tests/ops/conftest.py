"""Markers of the ops tests."""


def pytest_configure(config):
    # tests/check runs these on one kernel only (stage_systemd).
    config.addinivalue_line("markers", "ansible: drives the Ansible role in the guest; "
                            "the role does not depend on the kernel")
    # tests/check runs these with --deb-full only (make check-packages).
    config.addinivalue_line("markers", "deb_full: the deb guest's two longest tests (a DKMS "
                            "compile for a kernel upgrade, the role's two package runs); "
                            "make check-packages runs them, make check does not")
