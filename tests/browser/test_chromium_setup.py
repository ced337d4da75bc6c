"""The browser tests' set-up on a machine without Chromium (tests/browser/chromium.py): as root it
installs Debian's `chromium` and `chromium-driver` with apt-get (what CI does on a fresh machine);
otherwise it fails saying what to install. apt-get is replaced by a fake here: these tests must not
touch the machine's packages.
"""
from __future__ import annotations

import subprocess
from types import SimpleNamespace

import pytest

from tests.browser import chromium


@pytest.fixture
def missing(tmp_path, monkeypatch):
    """Chromium and its driver absent (paths in an empty folder); apt-get recorded, not run."""
    paths = SimpleNamespace(browser=tmp_path / "chromium", driver=tmp_path / "chromedriver", commands=[], envs=[],
                            fail_on=None, installs=True)
    monkeypatch.setattr(chromium, "CHROMIUM", str(paths.browser))
    monkeypatch.setattr(chromium, "CHROMEDRIVER", str(paths.driver))
    monkeypatch.setattr(chromium.os, "geteuid", lambda: 0)
    monkeypatch.setattr(chromium.shutil, "which", lambda name: f"/usr/bin/{name}")

    def fake_run(command, env, **kwargs):
        paths.commands.append(command)
        paths.envs.append(env)
        if paths.fail_on and paths.fail_on in command:
            return subprocess.CompletedProcess(command, 100, "", "E: Unable to locate package chromium")
        if "install" in command and paths.installs:
            paths.browser.write_text("")
            paths.driver.write_text("")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(chromium.subprocess, "run", fake_run)
    return paths


def test_as_root_it_installs_chromium_and_its_driver_with_apt_get(missing):
    chromium.ensure_installed()
    lock = ["-o", "DPkg::Lock::Timeout=300"]  # waits for another apt or dpkg run instead of failing
    assert missing.commands == [
        ["apt-get", *lock, "update", "-q"],
        ["apt-get", *lock, "install", "-y", "-q", "--no-install-recommends", "chromium", "chromium-driver"],
    ]
    assert all(env["DEBIAN_FRONTEND"] == "noninteractive" for env in missing.envs)
    chromium.ensure_installed()  # now present: apt-get is not run again
    assert len(missing.commands) == 2


def test_nothing_is_installed_when_both_are_there(missing):
    missing.browser.write_text("")
    missing.driver.write_text("")
    chromium.ensure_installed()
    assert missing.commands == []


def test_a_failed_apt_get_fails_the_set_up_with_its_output(missing):
    missing.fail_on = "install"
    with pytest.raises(pytest.fail.Exception, match="Unable to locate package chromium"):
        chromium.ensure_installed()


def test_packages_that_install_no_binary_there_fail_the_set_up(missing):
    missing.installs = False
    with pytest.raises(pytest.fail.Exception, match="still missing"):
        chromium.ensure_installed()


def test_without_root_it_says_what_to_install(missing, monkeypatch):
    monkeypatch.setattr(chromium.os, "geteuid", lambda: 1000)
    with pytest.raises(pytest.fail.Exception, match="apt-get install chromium chromium-driver"):
        chromium.ensure_installed()
    assert missing.commands == []
