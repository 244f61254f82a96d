"""bakerydemo, Wagtail's demo site, built and served from a scratch folder as ``bench/pages.py``'s reference.

``prepare_bakerydemo(source, scratch, python)`` takes bakerydemo's source at
commit 8e2b625 (a clone of https://github.com/wagtail/bakerydemo; none of its
code is in this repository), installs it into a virtualenv of its own under
``scratch`` with its ``requirements/base.txt`` and the daphne, gunicorn and
uvicorn versions Pairwise pins, writes a settings module and an ASGI entry
there (SQLite, DEBUG off, no Redis), migrates it and loads its initial data.
What was built is reused by later runs while its inputs are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.clients import page_bytes
from tests.live_server import PROJECT_DIR, DaphneProcess, server_command

BAKERYDEMO_COMMIT = "8e2b625"
BAKERYDEMO_SERVERS = ("daphne", "gunicorn", "uvicorn")
BAKERYDEMO_PAGE = "bakerydemo's blog post"
BAKERYDEMO_PACKAGE = "pairwise_bench_bakerydemo"  # generated in the scratch folder, never in a checkout
BAKERYDEMO_SETTINGS = '''\
"""bakerydemo's base settings served as a production site (written by Pairwise's bench/pages.py).

Base rather than production settings: those need whitenoise, from bakerydemo's
production requirements, and read Heroku's environment; what they change that
matters here (DEBUG off, no Redis so a cache in process memory) is set below.
"""

from bakerydemo.settings.base import *  # noqa: F403
from bakerydemo.settings.base import STORAGES

DEBUG = False
SECRET_KEY = "bench-pages-fixed-key-not-a-secret"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
# The manifest storage of the base settings fails every {{% static %}} under DEBUG
# off until collectstatic has run; wrk reads the HTML only.
STATIC_STORAGE = "django.contrib.staticfiles.storage.StaticFilesStorage"
STORAGES = {{**STORAGES, "staticfiles": {{"BACKEND": STATIC_STORAGE}}}}
MEDIA_ROOT = {media_root!r}
'''
BAKERYDEMO_VIEW_EVERY_PAGE = """\
from django.test import Client
from wagtail.models import Page

client = Client(HTTP_HOST="127.0.0.1")
for page in Page.objects.live().exclude(depth=1):
    if page.url:
        client.get(page.url)
"""
BAKERYDEMO_ASGI = '''\
"""bakerydemo as an ASGI application (written by Pairwise's bench/pages.py)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{package}.settings")
application = get_asgi_application()
'''


# --- bakerydemo, built and served from a scratch folder --------------------------------


@dataclass(frozen=True)
class Bakerydemo:
    """bakerydemo's source, and the scratch folder holding its virtualenv, database and entry points."""

    source: Path
    scratch: Path
    post_path: str = ""

    @property
    def bin_dir(self) -> Path:
        return self.scratch / "venv" / "bin"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.scratch / 'bakerydemo.sqlite3'}"

    def environment(self) -> dict[str, str]:
        """Its processes' environment: ours without our settings, database, Redis or virtualenv."""
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in {"DATABASE_URL", "REDIS_URL", "REDIS_TLS_URL", "VIRTUAL_ENV", "PYTHONPATH"}
        }
        return {
            **env,
            "DJANGO_SETTINGS_MODULE": f"{BAKERYDEMO_PACKAGE}.settings",
            "DATABASE_URL": self.database_url,  # read by its own settings (dj-database-url)
            "PYTHONPATH": str(self.scratch),
            "PYTHONUNBUFFERED": "1",
        }

    def manage(self, *args: str) -> None:
        """Run bakerydemo's ``manage.py`` in its own virtualenv, from its source folder."""
        run_or_explain(
            [str(self.bin_dir / "python"), "manage.py", *args], cwd=self.source, env=self.environment()
        )


class BakerydemoServer(DaphneProcess):
    """A ``DaphneProcess`` that serves bakerydemo: its virtualenv's server, run from its source folder.

    Only starting differs (the interpreter, working directory and environment
    are bakerydemo's, since its base settings name templates relative to its
    folder); waiting, stopping and the log are ``DaphneProcess``'s own.
    """

    def __init__(self, demo: Bakerydemo, **options) -> None:
        super().__init__(demo.database_url, application=f"{BAKERYDEMO_PACKAGE}.asgi:application", **options)
        self.demo = demo

    def start(self) -> BakerydemoServer:
        if self.running:
            return self
        command = server_command(
            self.server, port=self.port, application=self.application, workers=self.workers
        )
        command[0] = str(self.demo.bin_dir / Path(command[0]).name)
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                command,
                cwd=self.demo.source,
                env=self.demo.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_ready()
        return self


def default_bakerydemo_python() -> str | None:
    """The first of python3.13, python3.12, python3 on ``PATH`` that runs and is 3.12 or newer (Django 6)."""
    for name in ("python3.13", "python3.12", "python3"):
        path = shutil.which(name)
        if path and python_is_recent(path):
            return path
    return None


def python_is_recent(python: str) -> bool:
    """Whether ``python`` starts (a pyenv shim may not) and is Python 3.12 or newer."""
    check = [python, "-c", "import sys; sys.exit(sys.version_info < (3, 12))"]
    return subprocess.run(check, capture_output=True, check=False).returncode == 0


def pinned_servers() -> list[str]:
    """``name==version`` for daphne, gunicorn and uvicorn, as Pairwise's requirement files pin them."""
    text = "\n".join(
        (PROJECT_DIR / name).read_text() for name in ("requirements.txt", "bench/requirements.txt")
    )
    pins = dict(re.findall(r"^([a-z]+)==([\w.]+)", text, flags=re.MULTILINE))
    return [f"{name}=={pins[name]}" for name in BAKERYDEMO_SERVERS]


def prepare_bakerydemo(source: Path, scratch: Path, python: str) -> Bakerydemo:
    """A bakerydemo ready to serve: virtualenv, entry points, database, and the post to measure.

    The virtualenv and the database (with its media folder) are kept in
    ``scratch``, each beside a marker naming what it was made from; a later
    run with the same inputs reuses them and starts in seconds.
    """
    demo = Bakerydemo(source=source.resolve(), scratch=scratch.resolve())
    warn_unless_at_commit(demo.source)
    demo.scratch.mkdir(parents=True, exist_ok=True)
    write_entry_points(demo)
    venv_inputs = virtualenv_inputs(demo.source, python)
    if not up_to_date(demo.scratch / "venv.json", venv_inputs):
        print(f"installing bakerydemo into {demo.scratch / 'venv'} ...", flush=True)
        build_virtualenv(demo, python)
        (demo.scratch / "venv.json").write_text(json.dumps(venv_inputs))
    fixture = demo.source / "bakerydemo" / "base" / "fixtures" / "bakerydemo.json"
    database_inputs = {**venv_inputs, "fixture": hashlib.sha256(fixture.read_bytes()).hexdigest()}
    if not up_to_date(demo.scratch / "database.json", database_inputs):
        print(
            f"migrating bakerydemo's database and loading its initial data in {demo.scratch} ...", flush=True
        )
        build_database(demo)
        (demo.scratch / "database.json").write_text(json.dumps(database_inputs))
    with BakerydemoServer(demo) as server:
        post_path = first_listed_post(server.url)
        size = page_bytes(f"{server.url}{post_path}")
    print(f"bakerydemo's post: {post_path} ({size:,} bytes)", flush=True)
    return Bakerydemo(source=demo.source, scratch=demo.scratch, post_path=post_path)


def up_to_date(marker: Path, inputs: dict) -> bool:
    """Whether ``marker`` records exactly ``inputs`` (written only after a build succeeded)."""
    return marker.exists() and json.loads(marker.read_text()) == inputs


def virtualenv_inputs(source: Path, python: str) -> dict:
    """What the scratch virtualenv is made from: a change rebuilds it, and the database after it."""
    version = subprocess.run([python, "--version"], capture_output=True, text=True, check=True).stdout
    return {
        "source": str(source),
        "python": f"{Path(python).resolve()} {version.strip()}",
        "requirements": (source / "requirements" / "base.txt").read_text(),
        "servers": pinned_servers(),
    }


def build_virtualenv(demo: Bakerydemo, python: str) -> None:
    """A new virtualenv with bakerydemo's ``requirements/base.txt`` from PyPI, plus our pinned servers."""
    shutil.rmtree(demo.scratch / "venv", ignore_errors=True)
    run_or_explain([python, "-m", "venv", str(demo.scratch / "venv")])
    pip = [str(demo.bin_dir / "python"), "-m", "pip", "install", "--quiet"]
    run_or_explain([*pip, "-r", str(demo.source / "requirements" / "base.txt"), *pinned_servers()])


def build_database(demo: Bakerydemo) -> None:
    """A new database and media folder: migrate, load the initial data, then view every page once.

    The first view of a page makes its images' renditions (files and rows),
    which takes seconds; doing it here keeps that out of the measured runs
    and out of the servers' start-up checks.
    """
    Path(demo.database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    shutil.rmtree(demo.scratch / "media", ignore_errors=True)
    demo.manage("migrate", "--no-input")
    demo.manage("load_initial_data")
    demo.manage("shell", "--no-imports", "-c", BAKERYDEMO_VIEW_EVERY_PAGE)


def write_entry_points(demo: Bakerydemo) -> None:
    """The settings module and ASGI entry, written anew on every run (they cost nothing)."""
    package = demo.scratch / BAKERYDEMO_PACKAGE
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(BAKERYDEMO_SETTINGS.format(media_root=str(demo.scratch / "media")))
    (package / "asgi.py").write_text(BAKERYDEMO_ASGI.format(package=BAKERYDEMO_PACKAGE))


def warn_unless_at_commit(source: Path) -> None:
    """Say so when ``source`` is a git checkout of another commit than the one measured in the README."""
    if not (source / ".git").exists():
        return
    head = subprocess.run(
        ["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if not head.startswith(BAKERYDEMO_COMMIT):
        print(f"warning: {source} is at {head[:7] or 'an unknown commit'}, not {BAKERYDEMO_COMMIT}")


def first_listed_post(base_url: str) -> str:
    """The path of the first post that bakerydemo's blog index lists (``/blog/<slug>/``)."""
    with urllib.request.urlopen(f"{base_url}/blog/", timeout=30) as response:  # noqa: S310 - our own http URL
        index = response.read().decode()
    return re.search(r'href="(/blog/(?!tags/)[^"/]+/)"', index).group(1)


def run_or_explain(command: list[str], **options) -> None:
    """Run a build step; if it fails, raise with its output."""
    result = subprocess.run(command, capture_output=True, text=True, check=False, **options)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
