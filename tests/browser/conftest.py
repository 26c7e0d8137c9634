"""Headless Chromium (Debian's, driven by Playwright) against the live test server.

Every request the pages make is recorded: a test fails if one leaves 127.0.0.1/localhost.
Screenshots go to test-output/screenshots/ (look at them: they are how a person sees the page).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

# Playwright's sync API keeps an event loop running in this thread; the Django calls the tests
# make between page actions are ordinary synchronous ones (the documented workaround).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
CHROMIUM = os.environ.get("DIEUHANH_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
        "--no-first-run", "--disable-component-update", "--disable-sync"]  # fmt: skip
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: apt-get install -y chromium fonts-noto-core (docs/install.md)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Visit:
    """A browser page with the requests it made."""

    def __init__(self, page: object, base: str) -> None:
        self.page = page
        self.base = base
        self.requests: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))  # type: ignore[attr-defined]

    def goto(self, path: str) -> object:
        return self.page.goto(self.base + path)  # type: ignore[attr-defined]

    def shot(self, name: str, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)  # type: ignore[attr-defined]
        return path

    def outside(self) -> list[str]:
        return [u for u in self.requests if urlparse(u).scheme in ("http", "https", "ws", "wss")
                and urlparse(u).hostname not in LOCAL_HOSTS]  # fmt: skip


@pytest.fixture
def visit(browser: object, live_server: object) -> Iterator[Callable[..., Visit]]:
    contexts = []

    def open_page(width: int = 1440, height: int = 900, locale: str = "vi-VN") -> Visit:
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)  # type: ignore[attr-defined]
        contexts.append(context)
        return Visit(context.new_page(), live_server.url)  # type: ignore[attr-defined]

    yield open_page
    for c in contexts:
        c.close()
