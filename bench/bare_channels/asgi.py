"""The bare reference app: the Channels tutorial's chat consumer, on the thread URL.

It speaks just enough of the thread protocol for ``bench/fanout.py``: a
snapshot on accept, and ``comment.create`` broadcast to the group as
``comment.created`` (encoded per subscriber, as the tutorial does). Over HTTP
it serves one trivial Django view at every path, the machine's calibration
point for ``bench/pages.py`` (the issue quotes the same view's figures).
"""

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bare_channels.settings")
django.setup()

from django.core.asgi import get_asgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path, re_path  # noqa: E402

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402


class BroadcastConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.group = f"thread.{self.scope['url_route']['kwargs']['page_id']}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send(text_data=json.dumps({"type": "thread.snapshot", "comments": [], "last_id": None}))

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        message = json.loads(text_data)
        comment = {"body_html": f"<p>{message['body']}</p>", "client_id": message["client_id"]}
        await self.channel_layer.group_send(
            self.group, {"type": "chat.message", "message": {"type": "comment.created", "comment": comment}}
        )

    async def chat_message(self, event: dict) -> None:
        await self.send(text_data=json.dumps(event["message"]))


def trivial(request):
    return HttpResponse("Hello from a trivial Django view.")


urlpatterns = [re_path(r"", trivial)]

application = ProtocolTypeRouter(
    {
        "http": get_asgi_application(),
        "websocket": URLRouter([path("ws/threads/<int:page_id>/", BroadcastConsumer.as_asgi())]),
    }
)
