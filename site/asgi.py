"""The one ASGI application: HTTP through Django, WebSocket through Channels.

Serve it with ``daphne site.asgi:application`` from a virtualenv made by
``make`` (see ``projectsite.py`` for why ``site`` imports as this package).
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings.dev")
# Django must be set up before anything imports models (the routes do).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from site.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Nothing is read up front: consumers take the session cookie from the
        # headers and read the session in their own first trip to the
        # database (blog.threads.access.scope_session_key).
        "websocket": AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns)),
    }
)

# What start-up made (Django, Wagtail, every module and model) lives as long
# as the process: out of the collector's way, so that a full collection scans
# only what serving made since, not a process's worth of objects each time.
# Start-up's own garbage is collected first, not kept for ever.
gc.collect()
gc.freeze()
