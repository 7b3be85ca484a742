"""A headless Chromium driven by selenium, for the report's browser tests (docs/report.md).

Only what the machine has installed is used: Debian's ``chromium`` and ``chromedriver``
(``apt-get install chromium chromium-driver``) and selenium from PyPI. Selenium Manager, which
would otherwise download a browser or a driver, is kept offline and given both paths, so that
nothing is fetched. Without them the tests are skipped, saying what to install (or fail, with
``LAMBDA_CORE_BROWSER=required``).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

BROWSERS = ("chromium", "chromium-browser")
INSTALL = "apt-get install chromium chromium-driver; pip install selenium"


def missing() -> str | None:
    """Why no browser test can run here, or ``None`` when one can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return f"selenium is not installed ({INSTALL})"
    if not any(shutil.which(b) for b in BROWSERS):
        return f"no Chromium on PATH ({INSTALL})"
    if not shutil.which("chromedriver"):
        return f"no chromedriver on PATH ({INSTALL})"
    return None


def require() -> None:
    """Skips the calling test when no browser can run here, saying what to install; fails it
    instead when ``LAMBDA_CORE_BROWSER=required`` (what CI sets: its browser test must not
    silently vanish)."""
    reason = missing()
    if reason is None:
        return
    if os.environ.get("LAMBDA_CORE_BROWSER") == "required":
        pytest.fail(f"LAMBDA_CORE_BROWSER=required, but {reason}")
    pytest.skip(f"no headless browser: {reason}")


@contextmanager
def chromium(width: int = 1200, height: int = 900) -> Iterator[Any]:
    """A headless Chromium session that keeps the page's console messages (``get_log``)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    # Selenium Manager must not go looking for a browser build to download
    os.environ["SE_OFFLINE"] = "true"
    options = webdriver.ChromeOptions()
    options.binary_location = next(shutil.which(b) for b in BROWSERS if shutil.which(b))  # type: ignore[misc]
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}", "--hide-scrollbars"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=shutil.which("chromedriver")))
    try:
        yield driver
    finally:
        driver.quit()


def errors(driver: Any) -> list[dict[str, Any]]:
    """The console's errors since the last call (Chromium's level ``SEVERE``)."""
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def settle(driver: Any) -> None:
    """Waits until every image of the page has decoded or failed (its console message, if any,
    is then logged)."""
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "Promise.allSettled([...document.images].map(i => i.decode())).then(() => done(true));")


def errors_until(driver: Any, wanted: Callable[[list[dict[str, Any]]], bool],
                 timeout_s: float = 10.0) -> list[dict[str, Any]]:
    """The console's errors, collected until `wanted` holds of them or `timeout_s` passed (a
    message may be logged a moment after the page says it is loaded)."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_s
    while True:
        seen += errors(driver)
        if wanted(seen) or time.monotonic() > deadline:
            return seen
        time.sleep(0.1)


def full_page_png(driver: Any) -> bytes:
    """A screenshot of the whole page, not only the window (DevTools' captureBeyondViewport)."""
    import base64

    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics["cssContentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
    })
    return base64.b64decode(shot["data"])
