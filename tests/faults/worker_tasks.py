"""Tasks the worker tests enqueue: one that fails on its first try and succeeds on its second.

A real worker process imports this module by its path, as it would any app's
tasks. The try is told apart by a marker file, since the two tries run in
separate processes (or jobs).
"""

from pathlib import Path

from django_tasks import task


@task()
def fails_once(marker: str) -> str:
    """Fail the first time (writing ``marker``), succeed the next (writing ``marker``.done)."""
    path = Path(marker)
    if not path.exists():
        path.write_text("first try")
        raise RuntimeError("the first try fails on purpose")
    Path(f"{marker}.done").write_text("second try")
    return "done on the second try"


@task()
def always_fails() -> None:
    raise RuntimeError("this task always fails")
