"""Take the README's screenshot: the demo home page at 1280x800.

    .venv/bin/python tests/browser/screenshot.py [--path /] [--user sam] [--out docs/screenshot.png]
        [--color-scheme light|dark] [--full-page]

    .venv/bin/python tests/browser/screenshot.py --docs   # every picture in docs/, on one demo

It builds the demo database and serves it with daphne exactly as the browser
tests do, signs the demo user in (``--user ""`` stays anonymous), then
photographs the page in Debian's Chromium.
"""

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser.chromium import VIEWPORT, launch_chromium, sign_in
from tests.live_server import (
    PROJECT_DIR,
    DaphneProcess,
    prepare_demo_database,
    remove_sqlite_database,
    temporary_database_url,
)

# What docs/ shows: (file, path, signed-in user, colour scheme). A path with
# #thread opens the post scrolled to its conversation.
DOCS_SHOTS = [
    ("screenshot.png", "/", "sam", "light"),
    ("screenshot-dark.png", "/", "sam", "dark"),
    ("screenshot-post.png", "/blog/what-a-treasurer-means-by-liquidity/#thread", "sam", "light"),
    ("screenshot-topic.png", "/topics/wikis/", "sam", "light"),
    ("screenshot-topics.png", "/topics/", "", "dark"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="/", help="page to photograph (default: the home page)")
    parser.add_argument("--user", default="sam", help='sign this demo user in first ("" for nobody)')
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "docs" / "screenshot.png")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not only the first screen")
    parser.add_argument("--color-scheme", choices=["light", "dark"], default="light")
    parser.add_argument("--docs", action="store_true", help="take every picture docs/ shows")
    args = parser.parse_args()
    shots = (
        [(PROJECT_DIR / "docs" / name, path, user, scheme) for name, path, user, scheme in DOCS_SHOTS]
        if args.docs
        else [(args.out, args.path, args.user, args.color_scheme)]
    )

    chromium = shutil.which("chromium")
    if chromium is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1

    database_url = temporary_database_url()
    try:
        prepare_demo_database(database_url)
        with (
            tempfile.TemporaryDirectory(prefix="pairwise-screenshot-") as log_dir,
            DaphneProcess(database_url, log_dir=Path(log_dir)) as server,
            sync_playwright() as playwright,
        ):
            browser = launch_chromium(playwright, chromium)
            for out, path, user, scheme in shots:
                context = browser.new_context(base_url=server.url, viewport=VIEWPORT, color_scheme=scheme)
                page = context.new_page()
                if user:
                    sign_in(page, user)
                page.goto(path)
                page.wait_for_load_state("networkidle")  # covers and pictures are in
                out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=out, full_page=args.full_page)
                context.close()
                print(f"saved {out}")
            browser.close()
    finally:
        remove_sqlite_database(database_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
