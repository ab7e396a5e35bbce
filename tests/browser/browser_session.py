"""A small W3C WebDriver client over HTTP, for the browser tests: chromedriver drives
Debian's headless Chromium, and this speaks its JSON protocol with the standard library.
The fixtures ``browser`` (one Chromium for the session) and ``page`` (open a file, then fail
on any console error) are imported by the test modules; without Chromium the tests are
skipped with the reason, which pytest prints (``-rs`` is in the project's options).

Only what the tests use: open a URL (and wait for its first paint), find elements, press keys,
run a script, wait for a condition in the page, read the browser's console and network logs,
take a screenshot.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser")
DRIVER_NAMES = ("chromedriver",)
# Flags that work headless in a container, and keep Chromium from calling home.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1400,1000"]
KEYS = {"ArrowRight": "\ue014", "ArrowLeft": "\ue012", "Home": "\ue011", "End": "\ue010",
        "Space": " "}


def find_browser() -> tuple[str | None, str | None, str]:
    """``(chromium, chromedriver, reason)``: the two programs, or why they are missing."""
    browser = next((shutil.which(name) for name in CHROMIUM_NAMES if shutil.which(name)), None)
    driver = next((shutil.which(name) for name in DRIVER_NAMES if shutil.which(name)), None)
    missing = [name for name, path in (("chromium", browser), ("chromedriver", driver)) if not path]
    reason = ("" if not missing else "no " + " and no ".join(missing) + " on PATH (Debian: apt-get "
              "install chromium chromium-driver)")
    return browser, driver, reason


class WebDriverError(RuntimeError):
    pass


class Browser:
    """One chromedriver process and one session in a fresh profile; close it with :meth:`quit`."""

    def __init__(self, browser: str, driver: str):
        self.profile = tempfile.mkdtemp(prefix="gradviz-chromium-")
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen([driver, f"--port={port}"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        self._wait_ready()
        options = {"binary": browser, "args": FLAGS + [f"--user-data-dir={self.profile}"]}
        capabilities = {"browserName": "chrome", "goog:chromeOptions": options,
                        "goog:loggingPrefs": {"browser": "ALL", "performance": "ALL"}}
        answer = self._call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})
        self.session = answer["sessionId"]
        self.open("about:blank")  # let the new tab's own loading finish before any test reads
        self.log("performance")

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/status", timeout=2) as reply:
                    if json.load(reply)["value"].get("ready"):
                        return
            except (OSError, ValueError):
                time.sleep(0.05)
        raise WebDriverError("chromedriver did not start within 20 s")

    def _call(self, method: str, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                answer = json.load(reply)
        except urllib.error.HTTPError as exc:
            detail = json.load(exc).get("value", {})
            raise WebDriverError(f"{method} {path}: {detail.get('error')}: "
                                 f"{detail.get('message', '')[:300]}") from None
        return answer["value"] if "sessionId" not in answer else answer

    def _session(self, method: str, path: str, body: dict | None = None):
        return self._call(method, f"/session/{self.session}{path}", body)

    def open(self, url: str) -> None:
        self._session("POST", "/url", {"url": url})

    def run(self, script: str, *arguments):
        """The value of ``script`` (a function body) run in the page."""
        return self._session("POST", "/execute/sync", {"script": script, "args": list(arguments)})

    def wait_until(self, condition: str, *arguments, timeout: float = 20) -> None:
        """Return once ``condition`` (a function body returning a boolean, run in the page)
        is true: checked at every frame the page draws, by the browser itself, not by
        sleeping here. Fails after ``timeout`` seconds with the condition."""
        script = ("var done = arguments[arguments.length - 1];"
                  "var check = new Function(arguments[0]);"
                  "var deadline = performance.now() + arguments[1] * 1000, given = arguments[2];"
                  "(function poll() {"
                  "  if (check.apply(null, given)) { done(true); }"
                  "  else if (performance.now() > deadline) { done(false); }"
                  "  else { requestAnimationFrame(function () { poll(); }); }"
                  "})();")
        self._session("POST", "/timeouts", {"script": int((timeout + 10) * 1000)})
        met = self._session("POST", "/execute/async",
                            {"script": script, "args": [condition, timeout, list(arguments)]})
        if not met:
            raise AssertionError(f"not true within {timeout} s: {condition}")

    def painted(self) -> None:
        """Wait until the page has been painted and one more frame has begun: Chromium drops
        keyboard and mouse input that reaches a new page before its first paint, which the
        end of loading (where open() returns) does not wait for."""
        self.wait_until("return performance.getEntriesByType('paint').length > 0")
        self._session("POST", "/execute/async", {"script": (  # and one frame more
            "var done = arguments[0];"
            "requestAnimationFrame(function () { requestAnimationFrame(function () { done(true); }); });"),
            "args": []})

    def resize(self, width: int, height: int) -> None:
        """The window's outer size in pixels (a phone's 390×844, a laptop's 1280×800)."""
        self._session("POST", "/window/rect", {"width": width, "height": height})

    def text(self, selector: str) -> str:
        return self.run("var e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
                        selector)

    def press(self, *keys: str) -> None:
        """Key presses sent to the page, as a user types them."""
        actions = []
        for key in keys:
            value = KEYS.get(key, key)
            actions += [{"type": "keyDown", "value": value}, {"type": "keyUp", "value": value}]
        self._session("POST", "/actions", {"actions": [{"type": "key", "id": "keyboard",
                                                          "actions": actions}]})
        self._session("DELETE", "/actions")

    def click(self, selector: str) -> None:
        found = self._session("POST", "/element", {"using": "css selector", "value": selector})
        element = next(iter(found.values()))
        self._session("POST", f"/element/{element}/click", {})

    def log(self, kind: str) -> list[dict]:
        """Chromium's ``browser`` (console) or ``performance`` (DevTools events) log, since the
        last read."""
        return self._session("POST", "/se/log", {"type": kind})

    def screenshot(self, path: str) -> str:
        data = self._session("GET", "/screenshot")
        with open(path, "wb") as file:
            file.write(base64.b64decode(data))
        return path

    def quit(self) -> None:
        try:
            self._session("DELETE", "")
        except (OSError, WebDriverError):
            pass
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    if os.environ.get("GRADVIZ_SKIP_BROWSER"):  # .ci/run's second and third interpreters
        pytest.skip(f"browser tests skipped: {os.environ['GRADVIZ_SKIP_BROWSER']}")
    chromium, chromedriver, reason = find_browser()
    if reason:
        pytest.skip(f"browser tests need Chromium: {reason}")
    session = Browser(chromium, chromedriver)
    yield session
    session.quit()


@pytest.fixture
def page(browser):
    """Open a file in the browser; after the test, fail on any console message of level
    error (a script error, a failed load) logged meanwhile."""
    browser.log("browser")  # forget what earlier tests left

    def open_file(path) -> None:
        browser.log("performance")
        browser.open(path.resolve().as_uri())
        browser.painted()  # a key pressed before the first paint never reaches the page

    yield open_file
    errors = [entry for entry in browser.log("browser") if entry.get("level") == "SEVERE"]
    assert not errors, f"console errors: {errors}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def network_requests(performance_log: list[dict]) -> list[str]:
    """The URLs the page asked for, from the DevTools events in the performance log."""
    urls = []
    for entry in performance_log:
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


if __name__ == "__main__":  # python tests/browser/browser_session.py page.html shot.png
    import sys

    chromium, chromedriver, why = find_browser()
    if why:
        sys.exit(why)
    session = Browser(chromium, chromedriver)
    try:
        session.open("file://" + os.path.abspath(sys.argv[1]))
        print(session.screenshot(sys.argv[2]))
        print(session.log("browser"))
    finally:
        session.quit()
