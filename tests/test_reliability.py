"""Reliability: fuzzed input, killed and interrupted builds, concurrent builds, an abused endpoint.

The exercises live in benchmarks/reliability.py, which also runs them at length
and prints the figures (see the README's "Reliability"). Here they run bounded,
with fixed seeds, and must find nothing.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import corpus
import reliability

CUBAGRAPH = str(Path(sys.executable).parent / "cubagraph")


def test_fuzzed_mappings_are_accepted_or_reported_never_a_crash(request: pytest.FixtureRequest) -> None:
    cases = request.config.getoption("--fuzz")
    report = reliability.fuzz(cases, seed=20261125)
    print(
        f"fuzz: {report.cases} cases, {report.accepted} accepted, {report.rejected} rejected; slowest {report.slowest:.2f} s"
    )
    assert report.cases == cases
    assert report.failures == []
    assert report.rejected > cases // 2  # the mutations do break things


def test_killed_builds_leave_each_export_old_or_new() -> None:
    report = reliability.kills(4, documents=200, seed=7)
    print(f"kills: {report.survived}/{report.kills}, build {report.build_seconds:.1f} s")
    assert report.failures == []
    assert report.survived == report.kills == 4


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("big") / "project"
    corpus.generate(project, 200)
    subprocess.run([CUBAGRAPH, "build"], cwd=project, check=True, capture_output=True)
    return project


def edit(project: Path, label: str) -> None:
    mapping = project / "data" / "mappings" / "doc-00001.yaml"
    text = mapping.read_text(encoding="utf-8")
    mapping.write_text(text.replace(text.split('label: "', 1)[1].split('"', 1)[0], label, 1), encoding="utf-8")


def test_ctrl_c_leaves_no_temporary_files(big: Path) -> None:
    for i, delay in enumerate((0.2, 0.8, 1.5, 2.2)):
        edit(big, f"Interrupted {i}")
        process = subprocess.Popen(
            [CUBAGRAPH, "build"], cwd=big, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
        # -SIGINT: interrupted while Python was still starting, before cubagraph could catch it.
        assert process.returncode in (0, 130, -signal.SIGINT), err
        if process.returncode == 130:
            assert err.strip().endswith("cubagraph: interrupted")
        assert not list((big / "exports").glob(".*.tmp"))
        assert reliability._unparsable(big / "exports") == []


def test_two_builds_at_once_do_not_corrupt_each_other(big: Path) -> None:
    edit(big, "Concurrent")
    builds = [
        subprocess.Popen([CUBAGRAPH, "build"], cwd=big, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    errors = [b.communicate(timeout=120)[1] for b in builds]
    assert [b.returncode for b in builds] == [0, 0], errors
    after = reliability._digest(big / "exports")
    subprocess.run([CUBAGRAPH, "build", "--check"], cwd=big, check=True, capture_output=True)
    assert reliability._unparsable(big / "exports") == []
    assert not list((big / "exports").glob(".*.tmp"))
    assert "Concurrent" in (big / "exports" / "cubagraph.ttl").read_text(encoding="utf-8")
    assert after == reliability._digest(big / "exports")


def test_a_build_waits_for_the_build_before_it(workdir: Path) -> None:
    """Builds of one project take turns, so that one's pruning of the cache never removes what another reads."""
    import fcntl

    (workdir / ".cubagraph").mkdir()
    with open(workdir / ".cubagraph" / "build.lock", "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a build in progress holds it
        build = subprocess.Popen(
            [CUBAGRAPH, "build"], cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert build.stderr is not None
        assert build.stderr.readline() == "cubagraph: waiting for another build of this project to finish\n"
        time.sleep(0.5)
        assert build.poll() is None
        fcntl.flock(held, fcntl.LOCK_UN)
    out, err = build.communicate(timeout=60)
    assert build.returncode == 0, err
    assert out.rstrip().splitlines()[-1].startswith("Built in")


def test_the_endpoint_survives_a_soak_of_valid_and_hostile_requests() -> None:
    report = reliability.soak(seconds=8, max_requests=600, seed=5)
    print(
        f"soak: {report.requests} requests {dict(report.by_status)}; RSS {report.rss_start_mib:.0f} → {report.rss_end_mib:.0f} MiB"
    )
    assert report.failures == []
    assert report.requests >= 150
    assert {200, 400, 403, 404, 405, 406, 411, 413, 415} <= set(report.by_status)
    assert report.rss_end_mib - report.rss_start_mib < 40, "memory grew during the soak"
