"""Layer 2b: if code escaped the language layer, the kernel measures decide what it reaches.

One trusted target (``security.escape_probes:escape``) runs in a real worker and tries every
route at once: a TCP connection to a server this test runs on 127.0.0.1, the host's
``/proc/<pid>/environ``, raising hard limits, signalling the host and another process,
``setuid``, namespaces, writing outside its cwd, fork and exec. Each test asserts the exact
outcome its measure guarantees, or skips naming the measure and the kernel's refusal when the
worker's report says the measure is not active here.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sandbox
from sandbox import InProcessExecutor, IsolationReport, ProcessPool
from sandbox._seccomp import _program
from sandbox.isolation import MEASURES

from .helpers import ATTACK_LIMITS, ENV_SECRET, assert_unharmed

HOST_IS_ROOT = os.geteuid() == 0
FILE_SECRET = "file-secret-4be01d"
#: Standard-library modules no worker imports before a call: one pure Python, two C extensions
#: that load shared libraries of the system (libsqlite3, libncursesw).
FRESH_MODULES = ("colorsys", "sqlite3", "curses")


@pytest.fixture(scope="module")
def report(attack_pool: ProcessPool) -> IsolationReport:
    return attack_pool.isolation()


@pytest.fixture(scope="module")
def victim() -> Iterator[subprocess.Popen[bytes]]:
    """A process of the host's uid that escaped code must not be able to kill."""
    process = subprocess.Popen(["sleep", "120"])
    yield process
    process.kill()
    process.wait()


@pytest.fixture(scope="module")
def escape(
    attack_pool: ProcessPool,
    report: IsolationReport,
    victim: subprocess.Popen[bytes],
    canary: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    """What the escape attempts got, plus what the host saw meanwhile."""
    outside = tmp_path_factory.mktemp("outside") / "made-by-worker"
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.setblocking(False)
        payload = {
            "host_pid": os.getpid(),
            "victim_pid": victim.pid,
            "port": server.getsockname()[1],
            "canary": str(canary),
            "outside_dir": str(outside),
            "pids": [os.getpid(), victim.pid, *attack_pool.worker_pids()],
            # Attempts that would replace or duplicate the worker run only when they must fail.
            "try_fork": report.seccomp,
            "try_exec": report.seccomp,
            "try_thread": HOST_IS_ROOT,
        }
        result = attack_pool.run_trusted("security.escape_probes:escape", payload)
        try:
            connection, _ = server.accept()
            connection.close()
            accepted = True
        except BlockingIOError:
            accepted = False
    assert result.status == "ok", result
    assert ENV_SECRET not in result.to_json()
    assert_unharmed(attack_pool, result, canary)
    return {
        **result.value,
        "accepted": accepted,
        "outside_exists": outside.exists(),
        "other_workers": set(attack_pool.worker_pids()),
    }


def require(report: IsolationReport, *measures: str) -> None:
    """Skip unless every measure is active, naming the first missing one and the kernel's reason."""
    for measure in measures:
        if not getattr(report, measure):
            pytest.skip(f"{measure} is not active on this kernel: {report.reason(measure)}")


def test_every_inactive_measure_has_a_reason(report: IsolationReport) -> None:
    for measure in MEASURES:
        assert getattr(report, measure) or report.reason(measure), measure


def test_the_in_process_executor_reports_no_isolation() -> None:
    found = sandbox.isolation_report(executor=InProcessExecutor())
    assert found.active() == ()
    assert "no process isolation" in (found.reason("network_namespace") or "")


@given(st.fixed_dictionaries({name: st.booleans() for name in (*MEASURES, "user_namespace")}))
def test_a_report_survives_its_json_form(flags: dict[str, bool]) -> None:
    original = IsolationReport(**flags, uid=0, reasons=("seccomp: refused",))
    assert IsolationReport.from_dict(original.to_dict()) == original


def test_a_worker_claiming_measures_with_non_booleans_is_not_believed() -> None:
    claimed = IsolationReport.from_dict(dict.fromkeys(MEASURES, "yes") | {"uid": "0"})
    assert claimed == dataclasses.replace(IsolationReport(), uid=None)
    assert IsolationReport.from_dict(None).active() == ()


def test_every_seccomp_jump_lands_inside_the_program() -> None:
    program = _program()
    assert len(program) < 4096
    jumps = [(i, jt, jf) for i, (code, jt, jf, _) in enumerate(program) if code & 0x07 == 0x05]
    assert jumps
    for index, jt, jf in jumps:
        assert 0 <= jt <= 255
        assert 0 <= jf <= 255
        assert index + 1 + max(jt, jf) < len(program)
    assert program[-1][0] == 0x06  # the program ends with a return


def test_a_tcp_connection_to_the_host_loopback_fails(
    report: IsolationReport, escape: dict[str, Any]
) -> None:
    if not report.seccomp:
        require(report, "network_namespace")
    # The filter refuses socket() itself; without it the new namespace's loopback is down.
    assert escape["connect"] == ("EPERM" if report.seccomp else "ENETUNREACH")
    assert escape["accepted"] is False


def test_the_worker_network_namespace_is_not_the_hosts(
    report: IsolationReport, escape: dict[str, Any]
) -> None:
    require(report, "network_namespace")
    assert escape["net_namespace"] != os.readlink("/proc/self/ns/net")
    assert escape["interfaces"] == ["lo"]


def test_the_host_environment_cannot_be_read_through_proc(
    report: IsolationReport, escape: dict[str, Any]
) -> None:
    if report.private_proc:
        expected = "ENOENT"  # the host is invisible in the worker's /proc
    elif report.capabilities_dropped and (HOST_IS_ROOT or report.user_namespace):
        expected = "EACCES"  # ptrace-read needs the host's capabilities or its user namespace
    else:
        pytest.skip(
            "neither private_proc nor capabilities_dropped holds here "
            f"(private_proc: {report.reason('private_proc')}; "
            f"capabilities_dropped: {report.reason('capabilities_dropped')})"
        )
    assert escape["host_environ"] == expected
    assert escape["host_mem"] == expected


def test_the_private_proc_shows_neither_the_host_nor_other_workers(
    report: IsolationReport, escape: dict[str, Any], victim: subprocess.Popen[bytes]
) -> None:
    require(report, "private_proc", "capabilities_dropped", "not_dumpable")
    own = escape["own_pid"]
    assert set(escape["proc_visible"]) <= {own}
    assert os.getpid() not in escape["proc_visible"]
    assert victim.pid not in escape["proc_visible"]
    if escape["proc_pids"] is not None:  # Landlock (when active) refuses the listing itself
        assert own in escape["proc_pids"]
        assert os.getpid() not in escape["proc_pids"]
        assert not escape["other_workers"] & set(escape["proc_pids"])


def test_hard_limits_cannot_be_raised(report: IsolationReport, escape: dict[str, Any]) -> None:
    require(report, "capabilities_dropped")
    # resource.setrlimit turns the kernel's EPERM into ValueError.
    assert escape["raise_as"] == "ValueError"
    assert escape["raise_nofile"] == "ValueError"
    assert escape["raise_cpu"] == "ValueError"


def test_the_worker_holds_no_capabilities(report: IsolationReport, escape: dict[str, Any]) -> None:
    require(report, "capabilities_dropped")
    status = escape["status"]
    assert (status["CapEff"], status["CapPrm"], status["CapAmb"]) == (0, 0, 0)
    if HOST_IS_ROOT:
        assert status["CapBnd"] == 0


def test_setuid_to_another_user_is_refused(report: IsolationReport, escape: dict[str, Any]) -> None:
    require(report, "capabilities_dropped")
    # Inside an unmapped user namespace 65534 is not a mapped id at all.
    assert escape["setuid"] == ("EINVAL" if report.user_namespace else "EPERM")


def test_neither_the_host_nor_another_process_can_be_signalled(
    report: IsolationReport, escape: dict[str, Any], victim: subprocess.Popen[bytes]
) -> None:
    require(report, "seccomp")
    assert escape["kill_host"] == "EPERM"
    assert escape["kill_victim"] == "EPERM"
    assert victim.poll() is None


def test_new_processes_programs_and_namespaces_are_refused(
    report: IsolationReport, escape: dict[str, Any]
) -> None:
    require(report, "seccomp")
    assert (escape["fork"], escape["exec"], escape["unshare_user"]) == ("EPERM",) * 3


def test_threads_still_start_under_the_filter(
    report: IsolationReport, escape: dict[str, Any]
) -> None:
    require(report, "seccomp")
    if not HOST_IS_ROOT:
        pytest.skip("RLIMIT_NPROC=0 already stops threads in a non-root worker")
    assert escape["thread"] == "ok"


def test_nothing_outside_the_worker_cwd_can_be_changed(
    report: IsolationReport, escape: dict[str, Any], canary: Path
) -> None:
    require(report, "readonly_root")
    assert (escape["unlink_canary"], escape["mkdir_tmp"]) == ("EROFS", "EROFS")
    assert escape["outside_exists"] is False
    assert canary.read_text() == "untouched"
    assert escape["mkdir_cwd"] == "ok"


def test_the_worker_is_not_dumpable_and_gains_no_privileges(
    report: IsolationReport, escape: dict[str, Any]
) -> None:
    require(report, "not_dumpable", "no_new_privs", "seccomp")
    assert escape["dumpable"] == 0
    assert escape["status"]["NoNewPrivs"] == 1
    assert escape["status"]["Seccomp"] == 2


def test_the_host_still_measures_a_hardened_worker(attack_pool: ProcessPool) -> None:
    result = attack_pool.run(
        "def f(n):\n    return sum(i * i for i in range(n))", entry="f", args={"n": 200_000}
    )
    assert result.status == "ok", result
    assert isinstance(result.stats["max_rss_kib"], int)
    assert result.stats["max_rss_kib"] > 0


@pytest.fixture(scope="module")
def code_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory the host puts on its import path: code, and a database and notes beside it."""
    root = tmp_path_factory.mktemp("code-on-path")
    (root / "landlock_probe_module.py").write_text("VALUE = 7\n")
    package = root / "landlock_probe_package"
    package.mkdir()
    (package / "__init__.py").write_text("VALUE = 8\n")
    (package / "data.txt").write_text("package data")
    (root / "skillbank.db").write_text(FILE_SECRET)
    (root / "notes").mkdir()
    (root / "notes" / "secret.txt").write_text(FILE_SECRET)
    return root


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file only its owner (the host's uid: root here) may read, outside every worker cwd."""
    path = tmp_path_factory.mktemp("owner-only") / "secret.txt"
    path.write_text(FILE_SECRET)
    path.chmod(0o600)
    return path


@pytest.fixture(scope="module")
def reads(code_dir: Path, secret_file: Path) -> tuple[IsolationReport, dict[str, Any]]:
    """What a worker started with ``code_dir`` on its import path could read and import."""
    sys.path.insert(0, str(code_dir))
    try:
        with ProcessPool(size=1, limits=ATTACK_LIMITS) as pool:
            found = pool.isolation()
            payload = {
                "read": [
                    str(secret_file),
                    "/etc/shadow",
                    f"/proc/self/root{secret_file}",
                    str(code_dir / "skillbank.db"),
                    str(code_dir / "notes" / "secret.txt"),
                    str(code_dir / "landlock_probe_package" / "data.txt"),
                ],
                "list": [str(secret_file.parent), str(code_dir), "/root"],
                "imports": [*FRESH_MODULES, "landlock_probe_module", "landlock_probe_package"],
            }
            result = pool.run_trusted("security.escape_probes:read_files", payload)
    finally:
        sys.path.remove(str(code_dir))
    assert result.status == "ok", result
    if found.landlock:
        assert FILE_SECRET not in result.to_json()
    return found, result.value


def test_a_file_only_its_owner_may_read_is_refused_to_a_worker_of_that_owner(
    reads: tuple[IsolationReport, dict[str, Any]], secret_file: Path
) -> None:
    found, seen = reads
    require(found, "landlock")
    assert secret_file.stat().st_uid == os.geteuid()
    assert seen["read"][str(secret_file)] == "EACCES"
    assert seen["list"][str(secret_file.parent)] == "EACCES"


def test_system_secrets_and_the_root_home_are_refused(
    reads: tuple[IsolationReport, dict[str, Any]],
) -> None:
    found, seen = reads
    require(found, "landlock")
    assert seen["read"]["/etc/shadow"] in ("EACCES", "ENOENT")
    if os.path.isdir("/root"):
        assert seen["list"]["/root"] == "EACCES"


def test_the_proc_root_link_does_not_lead_around_the_ruleset(
    reads: tuple[IsolationReport, dict[str, Any]], secret_file: Path
) -> None:
    found, seen = reads
    require(found, "landlock")
    assert seen["read"][f"/proc/self/root{secret_file}"] == "EACCES"


def test_only_code_is_readable_in_a_directory_on_the_import_path(
    reads: tuple[IsolationReport, dict[str, Any]], code_dir: Path
) -> None:
    found, seen = reads
    require(found, "landlock")
    assert seen["imports"]["landlock_probe_module"] == "ok"
    assert seen["imports"]["landlock_probe_package"] == "ok"
    assert seen["read"][str(code_dir / "landlock_probe_package" / "data.txt")] == "package data"
    assert seen["read"][str(code_dir / "skillbank.db")] == "EACCES"
    assert seen["read"][str(code_dir / "notes" / "secret.txt")] == "EACCES"
    assert seen["list"][str(code_dir)] == "ok"  # names are visible, content is not


def test_fresh_standard_library_imports_and_the_own_cwd_still_work(
    reads: tuple[IsolationReport, dict[str, Any]],
) -> None:
    found, seen = reads
    require(found, "landlock")
    assert {name: seen["imports"][name] for name in FRESH_MODULES} == dict.fromkeys(
        FRESH_MODULES, "ok"
    )
    assert seen["own_file"] == ""
    assert "made-in-cwd.txt" in seen["cwd_listing"]
