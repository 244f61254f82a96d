"""Take the README's screenshot: the demo home page at 1280x800.

    .venv/bin/python tests/browser/screenshot.py [--path /] [--user sam] [--out docs/screenshot.png]

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="/", help="page to photograph (default: the home page)")
    parser.add_argument("--user", default="sam", help='sign this demo user in first ("" for nobody)')
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "docs" / "screenshot.png")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not only the first screen")
    args = parser.parse_args()

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
            page = browser.new_page(base_url=server.url, viewport=VIEWPORT)
            if args.user:
                sign_in(page, args.user)
            page.goto(args.path)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=args.out, full_page=args.full_page)
            browser.close()
    finally:
        remove_sqlite_database(database_url)
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
