"""WebSocket routes of live threads; ``site.routing`` collects them."""

from django.urls import path

from blog.threads.consumers import ThreadConsumer
from blog.threads.notification_consumer import NotificationConsumer

websocket_urlpatterns = [
    path("ws/threads/<id:page_id>/", ThreadConsumer.as_asgi()),
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]
