"""The Nu HTML checker finds no error in the pages the demo serves, as sent and as the scripts leave them.

The checker is ``vnu.jar`` from the npm package ``vnu-jar`` (``make checker``,
pinned in package-lock.json), run with the machine's Java, once for every
page, so the JVM starts once. Pages are fetched from the demo server as
anonymous readers and as three people who see different forms (a reader, a
host of the pair, an editor); the post page is checked again from the
browser, after thread.js has rendered the live thread.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from tests.live_server import PROJECT_DIR, signed_in_cookie

pytestmark = pytest.mark.browser

VNU_JAR = PROJECT_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

ANONYMOUS = [
    "/",
    "/blog/",
    "/pairs/",
    "/pairs/amira-and-ben/",
    "/people/",
    "/people/amira/",
    "/topics/",
    "/topics/wikis/",
    "/lessons/",
    "/collections/",
    "/requests/",
    "/requests/why-did-the-credit-memos-move-to-the-wiki/",
    "/questions/",
    "/search/?q=wiki",
    "/accounts/login/",
]
SIGNED_IN = {
    "sam": [
        "/",
        "/me/stream/",
        "/me/profile/",
        "/me/notifications/",
        "/me/notifications/settings/",
        "/requests/ask/",
    ],
    "amira": ["/questions/?asked=me", "/pairs/amira-and-ben/", "/me/notifications/"],
    "editor": ["/requests/how-do-we-keep-client-notes-in-the-wiki-without-breaking/"],
}


def html_errors(files: list[Path]) -> list[str]:
    """Every error the checker reports in ``files``, as ``file:line: message``."""
    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        skip_or_fail("needs Java and the Nu HTML checker: run `make checker`")
    result = subprocess.run(  # noqa: S603 - the machine's Java and the pinned checker
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stderr or result.stdout)
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']} [{m.get('extract', '').strip()}]"
        for m in report["messages"]
        if m["type"] == "error"
    ]


def fetch(url: str, cookie: str | None = None) -> str:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - the test's own server
        return response.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post_form(url: str, cookie: str, data: dict[str, str], *, back_to: str) -> str:
    """POST a form as a signed-in browser does, then GET where it redirects, with the cookies it set.

    The flash message travels in a cookie of the redirect, as it does in a browser.
    """
    token = next(part.split("=", 1)[1] for part in cookie.split("; ") if part.startswith("csrftoken="))
    body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(url, data=body, headers={"Cookie": cookie, "Referer": back_to})  # noqa: S310
    try:
        urllib.request.build_opener(_NoRedirect).open(request, timeout=60)
        raise AssertionError(f"{url} did not redirect")
    except urllib.error.HTTPError as redirect:
        assert redirect.code in (302, 303), redirect.code
        location = urllib.parse.urljoin(url, redirect.headers["Location"])
        set_cookies = [value.split(";", 1)[0] for value in redirect.headers.get_all("Set-Cookie") or []]
    return fetch(location, "; ".join([cookie, *set_cookies]))


def first_page_of(server_url: str, endpoint: str) -> str:
    """The path of the first page the read-only API lists at ``endpoint`` (lessons, collections)."""
    with urllib.request.urlopen(f"{server_url}/api/v2/{endpoint}/?limit=1") as response:  # noqa: S310
        url = json.load(response)["items"][0]["meta"]["html_url"]
    return urllib.parse.urlsplit(url).path


def newest_post(server_url: str) -> str:
    html = fetch(f"{server_url}/blog/")
    start = html.index('class="card__title"><a href="') + len('class="card__title"><a href="')
    return html[start : html.index('"', start)]


def test_the_checker_reports_what_it_finds(tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><p><div>x</p></body></html>'
    )
    assert any("No “p” element in scope" in error for error in html_errors([broken]))


def test_served_pages_have_no_html_errors(server_url, tmp_path, page):
    post = newest_post(server_url)
    lesson, collection = first_page_of(server_url, "lessons"), first_page_of(server_url, "collections")
    files = []

    def keep(name: str, html: str) -> None:
        path = (
            tmp_path
            / f"{len(files):02d}-{name.strip('/').replace('/', '_').replace('?', '_') or 'home'}.html"
        )
        path.write_text(html)
        files.append(path)

    for path in [*ANONYMOUS, post, lesson, collection]:
        keep(f"anonymous{path}", fetch(server_url + path))
    for username, paths in SIGNED_IN.items():
        cookie = signed_in_cookie(server_url, username)
        for path in [*paths, post, lesson]:
            keep(f"{username}{path}", fetch(server_url + path, cookie))
    # A flash message, as after following a topic (and following it no more, to leave the demo as it was).
    cookie = signed_in_cookie(server_url, "ben")
    for follow in ("1", "0"):
        flashed = post_form(
            f"{server_url}/topics/data-literacy/follow/",
            cookie,
            {"follow": follow},
            back_to=f"{server_url}/topics/data-literacy/",
        )
        assert "follow Data literacy" in flashed
        keep(f"flash-{follow}", flashed)
    # The thread as the script renders it, for a reader who may reply, react and flag.
    page.goto(post)
    page.locator("section.thread.thread--live").wait_for(timeout=10_000)
    keep("browser-post", page.content())

    assert html_errors(files) == []
