"""Fixtures of the browser tests: `make run`'s server and one headless Chromium, both started once per
test session and shared by every browser test (they all run on one xdist worker: the
`xdist_group("browser")` mark with `--dist loadgroup`), and `board`, a small driver for the page.

Screenshots of each view go to test-artifacts/board/ (git-ignored), copied there when the session
ends: a file written into the checkout while `chalice local` serves it would make its reloader restart
the server under the tests.
"""
from __future__ import annotations

import base64
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.browser import chromium
from tests.browser.board_server import BoardServer

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "board"
VIEWER_ZONE = "America/New_York"  # the browser's zone: neither UTC nor the triggers' Europe/Amsterdam
WAIT_SEC = 60  # generous upper bound for a view to load on a busy machine; no timing is asserted


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("screenshots")
    yield folder
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for shot in folder.glob("*.png"):
        shutil.copy2(shot, ARTIFACTS / shot.name)


@pytest.fixture(scope="session")
def board_server(tmp_path_factory, screenshots):
    server = BoardServer(tmp_path_factory.mktemp("board-server")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    chromium.ensure_installed()
    driver = chromium.start(tmp_path_factory.mktemp("chromium-profile"))
    driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": VIEWER_ZONE})
    yield driver
    driver.quit()


class Board:
    """The page in the shared browser, pointed at one server."""

    def __init__(self, driver, base_url: str, screenshots: Path):
        self.driver = driver
        self.base_url = base_url
        self.screenshots = screenshots

    def open(self, fragment: str, heading: str | None = None) -> None:
        """Load /board#<fragment> (a fresh page load, so the view reads the API anew) and wait until the
        view has rendered (its h1 shown, containing `heading` when given)."""
        url = f"{self.base_url}/board#{fragment}"
        if self.driver.current_url == url:
            self.driver.refresh()
        else:
            self.driver.get(url)
        self.wait_view(heading)

    def wait_view(self, heading: str | None = None):
        def ready(driver):
            return driver.execute_script(
                "const m = document.getElementById('main'); const h = m && m.querySelector('h1');"
                "return m && !m.hasAttribute('aria-busy') && h ? h.textContent : null;")
        return self.until(lambda d: (text := ready(d)) is not None and (heading is None or heading in text) and text,
                          f"view with heading {heading!r}")

    def until(self, condition, what: str):
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait

        # An element found by one poll may be re-rendered before its text is read (the page re-renders a
        # panel after each API call): that poll is a miss, the next one looks again.
        return WebDriverWait(self.driver, WAIT_SEC, poll_frequency=0.1,
                             ignored_exceptions=(StaleElementReferenceException,)).until(condition, f"waiting for {what}")

    def wait(self, css: str, text: str | None = None, root=None):
        """The first element matching `css` (containing `text`), once it is there."""
        from selenium.webdriver.common.by import By

        def found(driver):
            for element in (root or driver).find_elements(By.CSS_SELECTOR, css):
                if text is None or text in element.text:
                    return element
            return False
        return self.until(found, f"{css} containing {text!r}")

    def all(self, css: str, root=None) -> list:
        from selenium.webdriver.common.by import By

        return (root or self.driver).find_elements(By.CSS_SELECTOR, css)

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def module(self, name: str, body: str, *args):
        """Run `body` (async; `m` is the page's module `name`, `args` its arguments) and return its result."""
        script = ("const done = arguments[arguments.length - 1]; const args = Array.from(arguments).slice(0, -1);"
                  f"import('./board/{name}').then(async (m) => {{ {body} }}).then(done, (e) => done({{error: String(e)}}));")
        self.driver.set_script_timeout(WAIT_SEC)
        return self.driver.execute_async_script(script, *args)

    def screenshot(self, name: str, full_page: bool = True) -> Path:
        """The page as <name>.png (test-artifacts/board/ when the session ends): all of it, beyond the
        viewport, or what the window shows."""
        path = self.screenshots / f"{name}.png"
        if not full_page:
            self.driver.save_screenshot(str(path))
            return path
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def console_errors(self) -> list[str]:
        return [e["message"] for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]


@pytest.fixture
def board(browser, board_server, screenshots):
    board = Board(browser, board_server.url, screenshots)
    browser.get_log("browser")  # start each test with an empty console log
    yield board
    errors = [e for e in board.console_errors() if "favicon" not in e]
    assert errors == [], f"the page logged errors: {errors}"


@pytest.fixture(scope="session")
def world(board_server):
    """A company with two agents and a project, made through the API of `make run`'s server."""
    s = board_server
    company = s.call("POST", "/companies", {"name": "Tulip Works"}, expect=201)
    cid = company["id"]
    ada = s.call("POST", f"/companies/{cid}/agents", {"name": "Ada", "role": "engineer"}, expect=201)
    bob = s.call("POST", f"/companies/{cid}/agents", {"name": "Bob", "role": "reviewer"}, expect=201)
    project = s.call("POST", f"/companies/{cid}/projects", {"name": "Operations"}, expect=201)
    return SimpleNamespace(server=s, company=company, cid=cid, ada=ada, bob=bob, project=project)
