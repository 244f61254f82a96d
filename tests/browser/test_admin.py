"""The Wagtail admin, in a real browser: it works on an intranet with no way out."""

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("username", ["editor", "amira"])
def test_the_admin_fetches_nothing_from_outside_the_site(page, login, server_url, username):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    login(page, username)

    for path in ("/admin/", "/admin/pages/", "/admin/account/"):
        assert page.goto(path).ok, path
        page.wait_for_load_state("networkidle")
    avatars = page.locator(".avatar img").evaluate_all("images => images.map(image => image.naturalWidth)")

    off_site = [url for url in requested if not url.startswith((server_url, "data:", "blob:"))]
    assert off_site == []
    assert avatars and all(width > 0 for width in avatars), "an avatar failed to load"
