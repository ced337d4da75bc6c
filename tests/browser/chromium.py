"""Headless Chromium for the browser tests: Debian's `chromium` and `chromium-driver`, driven by Selenium.

Where they come from: /usr/bin/chromium and /usr/bin/chromedriver (PAPERCLIP_CHROMIUM and
PAPERCLIP_CHROMEDRIVER override the paths). When they are missing, `ensure_installed()` installs both
with apt-get, as CI runs (root): about 120 MB downloaded and 380 MB installed (chromium, chromium-common,
chromium-driver, plus shared libraries the machine lacks), a minute or two on a 2-core machine, once per machine (later runs find them). It holds a lock file meanwhile, so two
pytest workers never run apt at once. Anyone else gets a failure that says what to install. Selenium
never downloads a browser or driver of its own (Selenium Manager is skipped when the driver's path is
given), and this machine could not fetch one anyway.

Chromium's flags: headless without a sandbox (root), no GPU, and none of its background traffic
(component updates, sync, QUIC, first-run pages): the machine reaches no network but the registries,
and every such attempt would be a refused connection and a delay.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PAPERCLIP_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("PAPERCLIP_CHROMEDRIVER", "/usr/bin/chromedriver")
PACKAGES = ("chromium", "chromium-driver")
INSTALL_TIMEOUT_SEC = 1200
APT_LOCK_WAIT_SEC = 300
FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-default-apps",
    "--password-store=basic", "--lang=en-GB",
)


def _present() -> bool:
    return Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()


def ensure_installed() -> None:
    if _present():
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.fail(f"the browser tests need Chromium and its driver ({CHROMIUM}, {CHROMEDRIVER}): "
                    f"apt-get install {' '.join(PACKAGES)} (Debian), or set PAPERCLIP_CHROMIUM/PAPERCLIP_CHROMEDRIVER")
    with open(Path(tempfile.gettempdir()) / "paperclip-chromium-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _present():  # another worker installed them while we waited
            return
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        wait_for_lock = ["-o", f"DPkg::Lock::Timeout={APT_LOCK_WAIT_SEC}"]  # another apt/dpkg run: wait, don't fail
        for command in (["apt-get", *wait_for_lock, "update", "-q"],
                        ["apt-get", *wait_for_lock, "install", "-y", "-q", "--no-install-recommends", *PACKAGES]):
            result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_SEC)
            if result.returncode != 0:
                pytest.fail(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    if not _present():
        pytest.fail(f"apt-get installed {PACKAGES} but {CHROMIUM} or {CHROMEDRIVER} is still missing")


def start(user_data_dir: Path, width: int = 1280, height: int = 1000):
    """A Selenium driver on a fresh headless Chromium profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={user_data_dir}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
