"""The packaged stages, built once per test run and shared by the infra tests (and the xdist workers).

`chalice package` with the merged template, from a copy of the project in a temporary directory, so
concurrent runs never share chalice's build cache and nothing is written into the working tree.
Chalice downloads Lambda-platform wheels from PyPI (the only network this needs). prod is built
first; dev reuses its dependency build. prod's zip is then finished by infra/package.py, as
infra/deploy.sh does; only prod's zip is checked (dev's has the same contents).
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from infra import package
from infra.generate import TEMPLATE_PATH

STAGES = ("prod", "dev")


def _build_dir(tmp_path_factory) -> Path:
    """Where this run's packages go: shared by the xdist workers of one run (each would otherwise build
    its own), private to the run otherwise."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run:
        return tmp_path_factory.mktemp("packaged")
    shared = tmp_path_factory.getbasetemp().parent / f"packaged-{run}"
    shared.mkdir(exist_ok=True)
    return shared


@pytest.fixture(scope="session")
def packaged(tmp_path_factory) -> dict[str, Path]:
    build = _build_dir(tmp_path_factory)
    out = {stage: build / stage for stage in STAGES}
    with open(build / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the first worker builds; the other waits, then reuses
        if not (build / "done").exists():
            project = build / "project"
            project.mkdir()
            package.copy_project(project)
            for stage in STAGES:  # prod first; dev reuses its dependency build (same project dir)
                package.chalice_package(project, stage, out[stage], TEMPLATE_PATH)
            package.finish(out["prod"] / "deployment.zip", package.runtime_of(out["prod"] / "sam.json"))
            (build / "done").touch()
    return out


