"""A real server process and a real headless Chromium (Debian's package) for page tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import IN_CI

CHROMIUM = os.environ.get("EOCNET_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).parent.parent.parent / "test-results"


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"Chromium is required under CI=true ({CHROMIUM} missing)", pytrace=False)
        pytest.skip("Chromium not installed (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


def nav(page, href: str) -> None:  # type: ignore[no-untyped-def]
    """Follow a link of the main navigation, opening the phone's menu first."""
    if page.is_visible("#menu-button") and not page.is_visible(f"#nav-links a[href='{href}']"):
        page.click("#menu-button")
    page.click(f"#nav-links a[href='{href}']")


def open_menu(page) -> None:  # type: ignore[no-untyped-def]
    """Open the phone's menu (the language choice and Log out are in it)."""
    if page.is_visible("#menu-button") and not page.is_visible("#nav-links"):
        page.click("#menu-button")
