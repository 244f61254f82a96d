"""WebSocket routes of every app, collected in one list for ``site.asgi``."""

from blog.threads.routing import websocket_urlpatterns as thread_routes

websocket_urlpatterns: list = [*thread_routes]
