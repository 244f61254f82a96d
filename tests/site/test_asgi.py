"""The ASGI application a server loads."""

import subprocess
import sys

from django.conf import settings


def test_loading_the_application_takes_start_up_out_of_the_collectors_way():
    """A full collection then skips every object start-up made (``site/asgi.py``)."""
    code = "import gc; from site.asgi import application; print(gc.get_freeze_count(), gc.isenabled())"
    frozen, enabled = subprocess.run(  # noqa: S603 - this interpreter, on fixed code
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
        env={"DJANGO_SETTINGS_MODULE": "site.settings.test", "PATH": "/usr/bin:/bin"},
    ).stdout.split()[-2:]
    assert int(frozen) > 0
    assert enabled == "True"  # set aside, not switched off
