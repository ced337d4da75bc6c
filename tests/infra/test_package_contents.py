"""What the Lambda zip holds: requirements.txt's packages and what they need, the botocore the tests run
against, bytecode for every module, and botocore models for exactly the services the roles grant.

requirements.txt is what ships, requirements-dev.txt what develops: chalice's CLI (pip, setuptools,
wheel, click, inquirer, pyyaml, ...) once shipped 16 MB of build tooling in every function.
"""
from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from infra import package
from infra.template import build

ROOT = Path(__file__).resolve().parents[2]
BUILD_TOOLS = {"pip", "setuptools", "wheel"}


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _closure(names: list[str]) -> set[str]:
    """These distributions and everything they require on Python 3.11 (no extras), from the dev venv."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = _normalize(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        for line in importlib.metadata.requires(name) or []:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return seen


def _pinned(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            req = Requirement(line)
            pins[_normalize(req.name)] = str(req.specifier).removeprefix("==")
    return pins


@pytest.fixture(scope="module")
def names(packaged) -> list[str]:
    with zipfile.ZipFile(packaged["prod"] / "deployment.zip") as archive:
        return archive.namelist()


def _distributions(names: list[str]) -> dict[str, str]:
    """name -> version of every *.dist-info folder at the zip's top level."""
    found = {}
    for name in names:
        top = name.split("/", 1)[0]
        if top.endswith(".dist-info"):
            dist, version = top[: -len(".dist-info")].rsplit("-", 1)
            found[_normalize(dist)] = version
    return found


def test_the_zip_holds_the_runtime_requirements_and_nothing_else(names):
    shipped = set(_distributions(names))
    wanted = _closure(list(_pinned(ROOT / "requirements.txt")))
    assert shipped == wanted, f"extra: {sorted(shipped - wanted)}, missing: {sorted(wanted - shipped)}"
    cli_only = _closure(["chalice"]) - wanted - {"chalice"}
    assert {"click", "inquirer", "pyyaml"} <= cli_only  # the test knows what it is looking for
    tops = {n.split("/", 1)[0].removesuffix(".py") for n in names}
    for tool in BUILD_TOOLS | cli_only | {"yaml", "_distutils_hack", "pkg_resources"}:
        assert tool not in tops and tool not in shipped, f"{tool} ships in the Lambda"
    assert "chalice/app.py" in names and "chalice/cli/__init__.py" not in names  # only chalice's runtime


def test_the_shipped_botocore_is_the_tested_one(names):
    tested = importlib.metadata.version("botocore")
    assert _distributions(names)["botocore"] == tested
    assert _pinned(ROOT / "requirements.txt")["botocore"] == tested  # and the pin says so
    assert "boto3" not in _distributions(names)  # the code uses botocore; boto3 would be the runtime's


def test_every_module_ships_unchecked_bytecode(packaged, names):
    tag = sys.implementation.cache_tag
    compiled = set(names)
    sources = [n for n in names if n.endswith(".py")]
    assert len(sources) > 300
    missing = []
    for source in sources:
        folder, _, file = source.rpartition("/")
        pyc = f"{folder + '/' if folder else ''}__pycache__/{file[:-3]}.{tag}.pyc"
        if pyc not in compiled:
            missing.append(source)
    # A handful of files are not valid Python 3.11 (templates, other versions' shims): at most those.
    assert len(missing) < 10, missing[:20]
    with zipfile.ZipFile(packaged["prod"] / "deployment.zip") as archive:
        header = archive.read(f"chalicelib/__pycache__/config.{tag}.pyc")[:16]
    flags = int.from_bytes(header[4:8], "little")
    assert flags == 0b01  # hash-based, source not checked (PEP 552): the zip's mtimes do not matter


def test_botocore_keeps_the_models_of_the_granted_services_only(names):
    models = {n.split("/")[2] for n in names if n.startswith("botocore/data/") and n.count("/") > 2}
    assert models == set(package.BOTOCORE_SERVICES)
    granted = set()
    for resource in build()["Resources"].values():
        if resource.get("Type") in ("AWS::IAM::Policy", "AWS::IAM::Role"):
            documents = [resource["Properties"].get("PolicyDocument")] + [
                p["PolicyDocument"] for p in resource["Properties"].get("Policies", [])]
            for document in filter(None, documents):
                for statement in document["Statement"]:
                    actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                    granted |= {a.split(":")[0] for a in actions if statement["Effect"] == "Allow"}
    # logs: the Lambda runtime writes the logs, not our code.
    assert granted - {"logs"} == set(package.BOTOCORE_SERVICES)


def test_the_package_imports_on_its_own(packaged, tmp_path):
    """The app imports from the unpacked zip with no site-packages at all, and botocore still makes a
    client for every service the code calls (its pruned models suffice)."""
    with zipfile.ZipFile(packaged["prod"] / "deployment.zip") as archive:
        archive.extractall(tmp_path)
    probe = ("import sys, app, botocore.session\n"
             "session = botocore.session.get_session()\n"
             f"for service in {package.BOTOCORE_SERVICES!r}: session.create_client(service, region_name='us-east-1')\n"
             "assert 'boto3' not in sys.modules and 'jwt' not in sys.modules\n"
             "print(app.app.app_name, botocore.__file__)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update({"PYTHONPATH": str(tmp_path), "PAPERCLIP_STAGE": "prod", "AUTH_MODE": "authenticated",
                "AWS_DEFAULT_REGION": "us-east-1"})
    result = subprocess.run([sys.executable, "-S", "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["paperclip", str(tmp_path / "botocore" / "__init__.py")]
