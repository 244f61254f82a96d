"""WebSocket routes of every app, collected in one list for ``site.asgi``."""

from django.urls import re_path

from channels.generic.websocket import AsyncWebsocketConsumer

from blog.threads.routing import websocket_urlpatterns as thread_routes


class UnknownSocket(AsyncWebsocketConsumer):
    """Any other address (``/ws/threads/abc/``, an id out of range): refused before accept.

    Without it Channels' router raises, and daphne answers the handshake with
    a 500 and a traceback instead of the 403 every refused handshake gets.
    """

    async def connect(self) -> None:
        await self.close()


websocket_urlpatterns: list = [*thread_routes, re_path(r"", UnknownSocket.as_asgi())]
