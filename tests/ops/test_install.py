"""Host checks of what `make install` ships: the files and where they go,
the unit (systemd-analyze verify), DKMS builds for every installed kernel,
the man pages, the bash completion and the Ansible role's contract.

These run on the build machine, not in a guest: nothing here loads a
module.  The guest half (tests/ops/test_systemd_e2e.py) boots systemd."""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[2]
KTFTPCTL = TOP / "build" / "ctl" / "ktftpctl"
VERSION = (TOP / "VERSION").read_text().strip()
UNITDIR = subprocess.run(["pkg-config", "--variable=systemdsystemunitdir", "systemd"],
                         capture_output=True, text=True).stdout.strip() or "/lib/systemd/system"
COMPLDIR = subprocess.run(["pkg-config", "--variable=completionsdir", "bash-completion"],
                          capture_output=True, text=True).stdout.strip()
SUBCOMMANDS = ["start", "stop", "status", "stats", "sessions", "monitor", "config", "version"]
EXIT_CODES = ["0", "1", "64", "65", "69", "77", "78"]


def run(*args, check=True, **kw):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True,
                          check=check, **kw)


def config_keys() -> list[str]:
    """ktftpctl's own list of keys, from its refusal of an unknown one."""
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
        f.write('{"no_such_key": 1}')
        f.flush()
        r = run(KTFTPCTL, "config", "apply", "--check", f.name, check=False)
    m = re.search(r"known: ([a-z_, ]+)\)", r.stderr)
    assert m, r.stderr
    return [k.strip() for k in m.group(1).split(",")]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    dest = tmp_path_factory.mktemp("destdir")
    run("make", "-s", "install", f"DESTDIR={dest}", "PREFIX=/usr/local", cwd=TOP)
    return dest


def test_install_puts_every_file_in_its_fhs_place(installed):
    want = [
        "usr/local/sbin/ktftpctl",
        f"{UNITDIR.lstrip('/')}/ktftpd.service",
        f"{UNITDIR.lstrip('/')}/ktftpd@.service",
        f"{UNITDIR.lstrip('/')}/ktftpd-metrics.service",
        f"{UNITDIR.lstrip('/')}/ktftpd-metrics@.service",
        f"{UNITDIR.lstrip('/')}/ktftpd-metrics.timer",
        f"{UNITDIR.lstrip('/')}/ktftpd-metrics@.timer",
        f"{UNITDIR.lstrip('/')}/ktftpd-log.service",
        f"{UNITDIR.lstrip('/')}/ktftpd-log@.service",
        "etc/ktftpd/ktftpd.json",
        "usr/local/share/man/man8/ktftpctl.8",
        "usr/local/share/man/man8/ktftpd.8",
        "usr/local/share/man/man5/ktftpd.json.5",
        f"{COMPLDIR.lstrip('/')}/ktftpctl",
        f"usr/src/ktftpd-{VERSION}/dkms.conf",
        f"usr/src/ktftpd-{VERSION}/kernel/Kbuild",
        f"usr/src/ktftpd-{VERSION}/kernel/main.c",
        f"usr/src/ktftpd-{VERSION}/kernel/compat.h",
        f"usr/src/ktftpd-{VERSION}/include/uapi/linux/ktftpd.h",
    ]
    missing = [w for w in want if not (installed / w).is_file()]
    assert not missing
    assert os.access(installed / "usr/local/sbin/ktftpctl", os.X_OK)
    # Sources only: no object, module or build leftovers in the DKMS tree.
    src = installed / f"usr/src/ktftpd-{VERSION}"
    junk = [p.name for p in src.rglob("*") if p.suffix in (".o", ".ko", ".cmd", ".mod")]
    assert not junk
    # ... and exactly the module's tracked sources: what an in-tree build
    # generated beside them (ktftpd.mod.c) stays out.
    tracked = set(run("git", "ls-files", "kernel", cwd=TOP).stdout.split())
    shipped = {f"kernel/{p.name}" for p in (src / "kernel").iterdir()}
    assert shipped == tracked
    unit = (installed / UNITDIR.lstrip("/") / "ktftpd.service").read_text()
    assert "ExecStart=/usr/local/sbin/ktftpctl start --config /etc/ktftpd/ktftpd.json" in unit
    assert "@SBINDIR@" not in unit


def test_install_honours_prefix(tmp_path):
    run("make", "-s", "install", f"DESTDIR={tmp_path}", "PREFIX=/opt/k", cwd=TOP)
    assert (tmp_path / "opt/k/sbin/ktftpctl").is_file()
    assert (tmp_path / "opt/k/share/man/man8/ktftpctl.8").is_file()
    unit = (tmp_path / UNITDIR.lstrip("/") / "ktftpd.service").read_text()
    assert "ExecStart=/opt/k/sbin/ktftpctl start" in unit


def test_install_keeps_an_admins_config(installed):
    cfg = installed / "etc/ktftpd/ktftpd.json"
    cfg.write_text('{"port": 6969}\n')
    r = run("make", "install", f"DESTDIR={installed}", cwd=TOP)
    assert "keeping" in r.stdout
    assert cfg.read_text() == '{"port": 6969}\n'


def test_install_without_a_build_says_so(tmp_path):
    r = run("make", "-s", "install", f"DESTDIR={tmp_path}", f"BUILD={tmp_path}/nobuild",
            cwd=TOP, check=False)
    assert r.returncode != 0 and "run make first" in r.stderr
    assert not (tmp_path / "etc").exists()


def test_example_config_is_valid_and_names_every_key(installed):
    cfg = installed / "etc/ktftpd/ktftpd.json"
    shutil.copy(TOP / "etc/ktftpd.json", cfg)
    r = run(KTFTPCTL, "config", "apply", "--check", cfg)
    assert r.stdout.strip() == f"{cfg}: valid"
    text = (TOP / "etc/ktftpd.json").read_text()
    assert set(re.findall(r'^\s*"([a-z_]+)":', text, re.M)) == set(config_keys())


@pytest.fixture(scope="module")
def live_prefix(tmp_path_factory):
    """An install with no DESTDIR under a prefix of its own, so the unit's
    ExecStart= names a real ktftpctl and systemd-analyze can check it
    against this machine's units, and man finds our pages."""
    p = tmp_path_factory.mktemp("prefix")
    run("make", "-s", "install", f"PREFIX={p}", f"UNITDIR={p}/unit", f"SYSCONFDIR={p}/etc",
        f"COMPLETIONSDIR={p}/compl", f"DKMS_SRCDIR={p}/src", cwd=TOP)
    return p


def verify(prefix: Path, unit: Path):
    return run("systemd-analyze", "verify", unit, check=False,
               env=dict(os.environ, MANPATH=f"{prefix}/share/man:/usr/share/man"))


def test_unit_verifies_clean(live_prefix):
    unit = live_prefix / "unit" / "ktftpd.service"
    r = verify(live_prefix, unit)
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr
    text = unit.read_text()
    ctl = f"{live_prefix}/sbin/ktftpctl"
    for need in ["Type=oneshot", "RemainAfterExit=yes", "ExecStartPre=+/sbin/modprobe ktftpd",
                 f"ExecStart={ctl} start --config /etc/ktftpd/ktftpd.json",
                 f"ExecReload={ctl} config apply /etc/ktftpd/ktftpd.json",
                 f"ExecStop={ctl} stop --drain",
                 "After=network-online.target", "Wants=network-online.target",
                 "CapabilityBoundingSet=CAP_NET_ADMIN CAP_SETUID CAP_SETGID\n",
                 "RestrictAddressFamilies=AF_NETLINK AF_UNIX"]:
        assert need in text, need


def test_template_unit_serves_a_named_namespace_and_verifies_clean(live_prefix, tmp_path):
    """ktftpd@NAME.service: the same unit (one source), run by systemd in
    network namespace NAME with NAME's config file; no privilege added."""
    template = (live_prefix / "unit" / "ktftpd@.service").read_text()
    plain = (live_prefix / "unit" / "ktftpd.service").read_text()
    instance = tmp_path / "ktftpd@tenant-a.service"
    instance.write_text(template)
    r = verify(live_prefix, instance)
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr
    ctl = f"{live_prefix}/sbin/ktftpctl"
    for need in ["NetworkNamespacePath=/run/netns/%i\n",
                 "Description=ktftpd in-kernel TFTP server in network namespace %i\n",
                 f"ExecStart={ctl} start --config /etc/ktftpd/%i.json\n",
                 f"ExecReload={ctl} config apply /etc/ktftpd/%i.json\n"]:
        assert need in template, need
    assert "\nNetworkNamespacePath=" not in plain and "%i" not in plain
    # Every placeholder filled (systemd's own @sets aside).
    assert not re.search(r"@[A-Z_]+@", template), template
    # Nothing else differs: the same sandbox, the same commands.
    back = (template.replace(" in network namespace %i", "")
            .replace("/etc/ktftpd/%i.json", "/etc/ktftpd/ktftpd.json")
            .replace("NetworkNamespacePath=/run/netns/%i", "# The initial network namespace."))
    assert back == plain
    r = run("systemd-analyze", "security", "--offline=yes", "--threshold=35", instance,
            check=False)
    assert r.returncode == 0, r.stdout


def test_metrics_units_write_the_collectors_file_atomically_and_verify(live_prefix, tmp_path):
    """ktftpd-metrics.{service,timer} and their templates: ktftpctl
    replaces the textfile collector's file every 15 s, a namespace's
    samples labelled with its name; the units verify clean, and the
    service, which needs no privilege, is sandboxed to 'OK' (under 2.0)."""
    unit_dir = live_prefix / "unit"
    ctl = f"{live_prefix}/sbin/ktftpctl"
    plain = (unit_dir / "ktftpd-metrics.service").read_text()
    assert (f"ExecStart={ctl} stats --format prometheus --output "
            "/var/lib/prometheus/node-exporter/ktftpd.prom\n") in plain
    for need in ["CapabilityBoundingSet=\n", "ProtectSystem=strict\n",
                 "ReadWritePaths=/var/lib/prometheus/node-exporter\n",
                 "ConditionPathIsDirectory=/var/lib/prometheus/node-exporter\n",
                 "After=ktftpd.service\n"]:
        assert need in plain, need
    template = (unit_dir / "ktftpd-metrics@.service").read_text()
    assert (f"ExecStart={ctl} stats --format prometheus --netns-label %i --output "
            "/var/lib/prometheus/node-exporter/ktftpd-%i.prom\n") in template
    assert "NetworkNamespacePath=/run/netns/%i\n" in template
    assert "After=ktftpd@%i.service\n" in template
    assert not re.search(r"@[A-Z_]+@", template + plain)
    timer = (unit_dir / "ktftpd-metrics.timer").read_text()
    assert "OnUnitActiveSec=15s\n" in timer and "WantedBy=timers.target\n" in timer
    for name in ["ktftpd-metrics.service", "ktftpd-metrics.timer"]:
        r = verify(live_prefix, unit_dir / name)
        assert r.returncode == 0 and r.stderr.strip() == "", (name, r.stderr)
    for name in ["ktftpd-metrics@.service", "ktftpd-metrics@.timer"]:
        instance = tmp_path / name.replace("@", "@tenant-a")
        instance.write_text((unit_dir / name).read_text())
    r = verify(live_prefix, tmp_path / "ktftpd-metrics@tenant-a.service")
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr
    r = verify(live_prefix, tmp_path / "ktftpd-metrics@tenant-a.timer")
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr
    r = run("systemd-analyze", "security", "--offline=yes", "--threshold=20",
            unit_dir / "ktftpd-metrics.service", check=False)
    assert r.returncode == 0, r.stdout


def test_log_unit_runs_monitor_into_the_journal_and_verifies(live_prefix, tmp_path):
    """ktftpd-log.service and its template: `ktftpctl monitor --journal`,
    restarted for as long as the module is missing, with CAP_NET_ADMIN
    (the events group's) and nothing else; sandboxed to 'OK'."""
    unit_dir = live_prefix / "unit"
    ctl = f"{live_prefix}/sbin/ktftpctl"
    plain = (unit_dir / "ktftpd-log.service").read_text()
    for need in [f"ExecStart={ctl} monitor --journal\n", "Restart=always\n",
                 "StartLimitIntervalSec=0\n", "CapabilityBoundingSet=CAP_NET_ADMIN\n",
                 "After=ktftpd.service\n", "WantedBy=multi-user.target\n"]:
        assert need in plain, need
    template = (unit_dir / "ktftpd-log@.service").read_text()
    assert "NetworkNamespacePath=/run/netns/%i\n" in template
    assert "After=ktftpd@%i.service\n" in template
    assert not re.search(r"@[A-Z_]+@", template + plain)
    r = verify(live_prefix, unit_dir / "ktftpd-log.service")
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr
    instance = tmp_path / "ktftpd-log@tenant-a.service"
    instance.write_text(template)
    r = verify(live_prefix, instance)
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr
    r = run("systemd-analyze", "security", "--offline=yes", "--threshold=20",
            unit_dir / "ktftpd-log.service", check=False)
    assert r.returncode == 0, r.stdout


def test_unit_sandbox_exposure_stays_low(live_prefix):
    """systemd-analyze security, reviewed: 3.2 ("OK").  What remains
    exposed is what ktftpctl needs (root, CAP_NET_ADMIN, CAP_SETUID and
    CAP_SETGID to set the serving identity, netlink, the host network) and the mount-namespace options the unit explains it must not
    use.  A loosened sandbox crosses 3.5 and fails here."""
    unit = live_prefix / "unit" / "ktftpd.service"
    r = run("systemd-analyze", "security", "--offline=yes", "--threshold=35", unit, check=False)
    assert r.returncode == 0, r.stdout
    loose = live_prefix / "loose.service"
    loose.write_text(unit.read_text()
                     .replace("CapabilityBoundingSet=CAP_NET_ADMIN CAP_SETUID CAP_SETGID\n", "")
                     .replace("SystemCallFilter=", "#"))
    r = run("systemd-analyze", "security", "--offline=yes", "--threshold=35", loose, check=False)
    assert r.returncode != 0, r.stdout


@pytest.mark.parametrize("old,new,complaint", [
    ("RemainAfterExit=yes", "RemainAfterExt=yes", "RemainAfterExt"),
    ("ExecStartPre=+/sbin/modprobe", "ExecStartPre=+/sbin/no-such-modprobe", "no-such-modprobe"),
    ("Documentation=man:ktftpctl(8)", "Documentation=man:ktftpctl-nope(8)", "ktftpctl-nope"),
])
def test_unit_verify_catches_a_broken_unit(live_prefix, tmp_path, old, new, complaint):
    """The check above can fail: each kind of mistake is reported."""
    bad = tmp_path / "ktftpd.service"
    text = (live_prefix / "unit" / "ktftpd.service").read_text()
    assert old in text
    bad.write_text(text.replace(old, new))
    r = verify(live_prefix, bad)
    assert complaint in r.stderr, r.stderr


def test_dkms_conf_carries_the_one_version(installed):
    conf = (installed / f"usr/src/ktftpd-{VERSION}/dkms.conf").read_text()
    assert f'PACKAGE_VERSION="{VERSION}"' in conf
    assert "KTFTPD_VERSION=${PACKAGE_VERSION}" in conf
    assert re.search(r'^BUILD_EXCLUSIVE_KERNEL="', conf, re.M)


def kernels() -> list[str]:
    return run(TOP / "scripts" / "kver", "list").stdout.split()


@pytest.mark.parametrize("kver", kernels())
def test_dkms_builds_for_every_installed_kernel(installed, tmp_path, kver):
    """dkms add + build against each kernel's headers, in trees of our own
    (the machine's /var/lib/dkms is left alone).  The module carries the
    version from VERSION and its kernel's vermagic."""
    tree = tmp_path / "dkms"
    tree.mkdir()
    src = installed / "usr/src"
    common = ["--dkmstree", tree, "--sourcetree", src]
    r = run("dkms", "add", "-m", "ktftpd", "-v", VERSION, *common, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    r = run("dkms", "build", "-m", "ktftpd", "-v", VERSION, "-k", kver, *common, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    kos = list((tree / "ktftpd" / VERSION / kver).rglob("ktftpd.ko*"))
    assert kos, list(tree.rglob("*"))
    ko = kos[0]
    if ko.suffix in (".xz", ".zst"):
        plain = tmp_path / "ktftpd.ko"
        run("sh", "-c", f"{'xz' if ko.suffix == '.xz' else 'zstd'} -dc '{ko}' > '{plain}'")
        ko = plain
    assert run("modinfo", "-F", "version", ko).stdout.strip() == VERSION
    assert run("modinfo", "-F", "vermagic", ko).stdout.split()[0] == kver


def test_dkms_refuses_a_kernel_outside_the_range(installed):
    conf = (installed / f"usr/src/ktftpd-{VERSION}/dkms.conf").read_text()
    rx = re.search(r'^BUILD_EXCLUSIVE_KERNEL="(.*)"', conf, re.M).group(1)
    ok = ["6.1.0-56-amd64", "6.12.117+deb12-amd64", "6.9.3", "7.2.13+deb14-amd64"]
    bad = ["5.10.0-30-amd64", "6.0.12", "6.13.1", "7.1.0", "7.3.1", "7.20.1"]
    assert all(re.match(rx, k) for k in ok)
    assert not any(re.match(rx, k) for k in bad)


def man(page: Path) -> str:
    r = run("man", "--warnings", "-l", page, env=dict(os.environ, MANWIDTH="100"))
    assert r.stderr.strip() == "", r.stderr
    return re.sub(r".\x08", "", r.stdout)


def test_ktftpctl_man_page_names_every_subcommand_and_exit_code():
    text = man(TOP / "docs/man/ktftpctl.8")
    for s in SUBCOMMANDS:
        assert re.search(rf"^\s+{s}\b", text, re.M), s
    for sub in ["config show", "config set", "config apply"]:
        assert sub in text
    for c in EXIT_CODES:
        assert re.search(rf"^\s+{c}\s*$", text, re.M) or re.search(rf"^\s+{c}\s{{2,}}", text, re.M), c
    for opt in ["--drain", "--watch", "--format", "--check", "--config", "--json", "--pretty"]:
        assert opt in text, opt


def test_config_man_page_names_every_key_with_its_default():
    text = man(TOP / "docs/man/ktftpd.json.5")
    for k in config_keys():
        assert re.search(rf"^\s+{k} \(.*default", text, re.M), k


def test_module_man_page_names_every_sysctl_with_its_default():
    text = man(TOP / "docs/man/ktftpd.8")
    for k in ["stop", *config_keys()]:
        assert re.search(rf"^\s+{k} \(.*default", text, re.M), k
    # Every module parameter the source declares.
    params = {m for f in (TOP / "kernel").glob("*.c")
              for m in re.findall(r"^module_param\((\w+),", f.read_text(), re.M)}
    assert {"root", "port", "start", "fast_path", "userns_admin"} <= params
    for param in params:
        assert f"{param}=" in text, param


def complete(line: str) -> list[str]:
    """What bash completion offers for @line (the cursor at its end)."""
    script = f"""
source /usr/share/bash-completion/bash_completion
source {TOP}/ctl/completion/ktftpctl.bash
COMP_LINE={line!r}
COMP_POINT=${{#COMP_LINE}}
read -ra COMP_WORDS <<< "$COMP_LINE"
[[ $COMP_LINE == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
_ktftpctl ktftpctl "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    return run("bash", "-c", script).stdout.split()


def test_completion_knows_subcommands_keys_and_options():
    assert set(SUBCOMMANDS) <= set(complete("ktftpctl "))
    assert set(complete("ktftpctl --json con")) == {"config"}
    assert set(complete("ktftpctl config ")) >= {"show", "set", "apply"}
    assert set(complete("ktftpctl config set ")) == {k + "=" for k in config_keys()}
    assert set(complete("ktftpctl stats --format ")) == {"text", "json", "prometheus"}
    assert "--drain" in complete("ktftpctl stop --")
    # --netns's value is no subcommand.
    assert set(SUBCOMMANDS) <= set(complete("ktftpctl --netns tenant-a "))
    assert set(complete("ktftpctl -n tenant-a config ")) >= {"show", "set", "apply"}
    # Every option `start` really has, and no other.
    helptext = run(KTFTPCTL, "start", "--help").stdout
    real = set(re.findall(r"(--[a-z-]+)", helptext)) - {"--help"}
    offered = set(complete("ktftpctl start --")) - {"--help"}
    assert offered == real
    # And `stats`'s (each option's own line of its help, not its prose).
    helptext = run(KTFTPCTL, "stats", "--help").stdout
    real = set(re.findall(r"^\s+(?:-\w,)?(--[a-z-]+)", helptext, re.M)) - {"--help"}
    assert real >= {"--watch", "--format", "--netns-label", "--output"}
    assert set(complete("ktftpctl stats --")) - {"--help"} == real


def ansible_playbook(*args, **kw):
    env = dict(os.environ, ANSIBLE_ROLES_PATH=str(TOP / "ansible" / "roles"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP="/tmp/ktftpd-ansible",
               ANSIBLE_RETRY_FILES_ENABLED="0")
    return run("ansible-playbook", *args, check=False, env=env, cwd=TOP, **kw)


def test_ansible_role_layout_and_example_playbook():
    role = TOP / "ansible" / "roles" / "ktftpd"
    for f in ["defaults/main.yml", "tasks/main.yml", "handlers/main.yml",
              "templates/ktftpd.json.j2", "meta/main.yml", "meta/argument_specs.yml"]:
        assert (role / f).is_file(), f
    r = ansible_playbook("--syntax-check", "-i", "ansible/inventory.ini", "ansible/site.yml")
    assert r.returncode == 0, r.stdout + r.stderr


def test_ansible_role_refuses_a_bad_variable_before_touching_anything(tmp_path):
    """argument_specs runs first: a bad choice stops the play at once."""
    play = tmp_path / "bad.yml"
    play.write_text(f"""
- hosts: localhost
  connection: local
  gather_facts: false
  roles:
    - role: ktftpd
      vars:
        ktftpd_root: {tmp_path}/root
        ktftpd_config_change: sometimes
""")
    r = ansible_playbook("-i", "localhost,", play)
    assert r.returncode != 0
    assert "ktftpd_config_change" in r.stdout and "sometimes" in r.stdout, r.stdout
    assert not (tmp_path / "root").exists()


def test_ansible_template_renders_a_config_ktftpctl_accepts(tmp_path):
    """The role's template with every kind of variable, checked by the
    same validate: command the role uses; a bad value is refused there."""
    out = tmp_path / "ktftpd.json"
    play = tmp_path / "render.yml"

    def render(extra: dict):
        play.write_text(f"""
- hosts: localhost
  connection: local
  gather_facts: false
  vars_files: [{TOP}/ansible/roles/ktftpd/defaults/main.yml]
  tasks:
    - ansible.builtin.template:
        src: {TOP}/ansible/roles/ktftpd/templates/ktftpd.json.j2
        dest: {out}
        validate: "{KTFTPCTL} config apply --check %s"
""")
        return ansible_playbook("-i", "localhost,", play, "-e", json.dumps(extra))

    r = render({"ktftpd_port": 6969, "ktftpd_listen": ["127.0.0.1", "::1"],
                "ktftpd_allow_write": True,
                "ktftpd_config": {"timeout": 1500, "windowsize_max": 32, "create_mode": "0600"}})
    assert r.returncode == 0, r.stdout
    body = out.read_text()
    doc = json.loads("\n".join(l for l in body.splitlines() if not l.startswith("//")))
    assert doc == {"root": "/srv/tftp", "port": 6969, "listen": ["127.0.0.1", "::1"],
                   "allow": [], "deny": [], "port_range": "", "unique_root": "off",
                   "allow_write": True, "user": "nobody", "group": "nogroup",
                   "timeout": 1500, "windowsize_max": 32, "create_mode": "0600"}
    r = render({"ktftpd_allow": ["198.18.0.0/15", "fd00::/8"], "ktftpd_deny": ["198.18.0.7"],
                "ktftpd_port_range": "50000:50099", "ktftpd_unique_root": "mac",
                "ktftpd_config": {"single_port": True}})
    assert r.returncode == 0, r.stdout
    doc = json.loads("\n".join(l for l in out.read_text().splitlines() if not l.startswith("//")))
    assert (doc["allow"], doc["deny"], doc["port_range"], doc["unique_root"], doc["single_port"]) == (
        ["198.18.0.0/15", "fd00::/8"], ["198.18.0.7"], "50000:50099", "mac", True)
    r = render({"ktftpd_config": {"retries": 101}})
    assert r.returncode != 0 and "failed to validate" in r.stdout
    assert "retries" in r.stdout
    r = render({"ktftpd_allow": ["198.18.0.1/15"]})
    assert r.returncode != 0 and "failed to validate" in r.stdout
    assert "allow: 198.18.0.1/15: address has bits set past the prefix length" in r.stdout, r.stdout
