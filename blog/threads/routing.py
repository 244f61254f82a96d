"""WebSocket routes of live threads; ``site.routing`` collects them."""

from django.urls import path

from blog.threads.consumers import NotificationConsumer, ThreadConsumer

websocket_urlpatterns = [
    path("ws/threads/<int:page_id>/", ThreadConsumer.as_asgi()),
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]
