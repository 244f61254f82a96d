"""The layers: the ground imports no app, and the import contracts name every module they must.

``lint-imports`` (``make lint``, ``.ci/run``) checks the contracts in
``pyproject.toml`` over the apps; it cannot see ``site/``, whose name the
standard library owns, so its rule is checked here.
"""

import ast
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
APPS = ("blog", "home", "learning")
# The top of the project: they wire the apps together.
TOP = {"urls.py", "asgi.py", "routing.py"}


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def test_the_ground_imports_no_app():
    offending = {
        str(path.relative_to(ROOT)): sorted(
            name for name in imported_modules(path) if name.split(".")[0] in APPS
        )
        for path in (ROOT / "site").rglob("*.py")
        if path.name not in TOP or path.parent != ROOT / "site"
    }
    assert {path: names for path, names in offending.items() if names} == {}


def test_the_layers_contract_names_every_app():
    (layers,) = [contract["layers"] for contract in contracts() if contract["type"] == "layers"]
    project_apps = {app.split(".")[0] for app in settings.INSTALLED_APPS if app.split(".")[0] in APPS}
    assert set(layers) == project_apps


def test_the_threads_contract_forbids_every_other_module_of_blog():
    (forbidden,) = [
        contract["forbidden_modules"] for contract in contracts() if contract["type"] == "forbidden"
    ]
    blog_modules = {
        f"blog.{path.stem}" if path.is_file() else f"blog.{path.name}"
        for path in (ROOT / "blog").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").exists())
    }
    assert set(forbidden) == (blog_modules - {"blog.threads"}) | {"home", "learning"}
