"""WebSocket routes of every app, collected in one list for ``site.asgi``."""

websocket_urlpatterns: list = []
