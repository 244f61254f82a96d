"""The layers: the ground imports no app, and the import contracts name every module they must.

``lint-imports`` (``make lint``, ``.ci/run``) checks the contracts in
``pyproject.toml`` over the apps; it cannot see ``site/``, whose name the
standard library owns, so its rule is checked here.
"""

import ast
import tomllib
from pathlib import Path

from django.conf import settings

import grimp
import networkx

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


def import_graph(*, through_packages: bool) -> networkx.DiGraph:
    """Who imports whom among the apps' modules.

    ``through_packages`` adds what Python does on its own: importing
    ``blog.models.posts`` first runs ``blog/models/__init__.py``.
    """
    # Imports made only for type checkers (`if TYPE_CHECKING:`) never run.
    graph = grimp.build_graph(*APPS, exclude_type_checking_imports=True)
    imports = networkx.DiGraph(
        (module, imported)
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.split(".")[0] in APPS
    )
    if through_packages:
        parents = ((module, module.rpartition(".")[0]) for module in graph.modules if "." in module)
        imports.add_edges_from(parents)
    return imports


def circles(graph: networkx.DiGraph) -> list[list[str]]:
    return [sorted(found) for found in networkx.strongly_connected_components(graph) if len(found) > 1]


def test_no_module_imports_its_way_back_to_itself():
    assert circles(import_graph(through_packages=False)) == []


def test_no_circle_runs_through_a_package_init():
    # A package that imports its own modules makes a harmless loop with each
    # of them; a loop that leaves the package and comes back fails at import
    # time, depending on which module happens to be imported first.
    def leaves_its_package(circle: list[str]) -> bool:
        package = min(circle, key=len)
        return any(module != package and not module.startswith(package + ".") for module in circle)

    found = circles(import_graph(through_packages=True))
    assert [circle for circle in found if leaves_its_package(circle)] == []


def function_level_imports(path: Path) -> list[str]:
    """``file:line`` of every import inside a function, but in an ``AppConfig.ready``."""
    found = []

    def visit(node, in_function: bool, in_ready: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, True, in_ready or child.name == "ready")
            elif isinstance(child, ast.Import | ast.ImportFrom):
                if in_function and not in_ready:
                    found.append(f"{path.relative_to(ROOT)}:{child.lineno}")
            else:
                visit(child, in_function, in_ready)

    visit(ast.parse(path.read_text(), filename=str(path)), False, False)
    return found


def test_imports_sit_at_the_top_of_modules():
    # Django's app loading is the one reason to import late: an app's ready()
    # runs once every model exists, and connects what needs them.
    sources = [
        path
        for folder in (*APPS, "site")
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
    ]
    assert [line for path in sources for line in function_level_imports(path)] == []
