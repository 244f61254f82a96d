"""Make the project's ``site/`` folder importable as the package ``site``.

Python's standard library owns the module name ``site``: it is imported at
interpreter start, so ``import site.settings`` would look inside the standard
module and fail. Instead of renaming the folder, this module gives the
already-imported standard ``site`` module a package path that points at the
project's folder. ``site.settings``, ``site.asgi`` and ``site.urls`` then
resolve to files in ``site/``, while every function of the standard module
(``site.getsitepackages()`` and the rest) keeps working for other code.

It runs before anything else imports the settings:

* ``make`` writes ``pairwise.pth`` into the virtualenv's site-packages; the
  interpreter executes its ``import projectsite`` line at start-up, so daphne,
  pytest (whose pytest-django plugin loads settings before any conftest) and
  every other tool in the virtualenv see the package.
* ``manage.py`` imports this module itself, so it also works with any Python.

Importing it twice is harmless.
"""

from pathlib import Path

import site

PROJECT_SITE_DIR = str(Path(__file__).resolve().parent / "site")

_path = list(getattr(site, "__path__", []))
if PROJECT_SITE_DIR not in _path:
    site.__path__ = [*_path, PROJECT_SITE_DIR]
