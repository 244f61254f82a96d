"""Debian's Chromium driven by Playwright, as the browser tests and the screenshot use it."""

from __future__ import annotations

from tests.live_server import DEMO_PASSWORD

# A headless browser on a build machine: no sandbox (root in a container), no
# GPU, and nothing that phones home or updates itself while a test runs.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}


def launch_chromium(playwright, executable_path: str):
    """Launch the system's Chromium (``playwright install`` is never needed)."""
    return playwright.chromium.launch(executable_path=executable_path, args=CHROMIUM_ARGS)


def sign_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form, as a person would; lands on the home page."""
    page.goto("/accounts/login/?next=/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if "/accounts/login/" in page.url:
        errors = page.locator(".form-errors")
        reason = errors.inner_text() if errors.count() else "the form came back"
        raise AssertionError(f"could not sign in as {username!r}: {reason}")
