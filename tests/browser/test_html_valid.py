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
    files = []

    def keep(name: str, html: str) -> None:
        path = (
            tmp_path
            / f"{len(files):02d}-{name.strip('/').replace('/', '_').replace('?', '_') or 'home'}.html"
        )
        path.write_text(html)
        files.append(path)

    for path in [*ANONYMOUS, post]:
        keep(f"anonymous{path}", fetch(server_url + path))
    for username, paths in SIGNED_IN.items():
        cookie = signed_in_cookie(server_url, username)
        for path in [*paths, post]:
            keep(f"{username}{path}", fetch(server_url + path, cookie))
    # The thread as the script renders it, for a reader who may reply, react and flag.
    page.goto(post)
    page.locator("section.thread.thread--live").wait_for(timeout=10_000)
    keep("browser-post", page.content())

    assert html_errors(files) == []
