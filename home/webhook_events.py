"""What the chat webhooks hear of: receivers connected in ``HomeConfig.ready``.

Each records its event for the hooks that want it (``home.webhooks``) and
queues the deliveries on commit (``home.tasks``). Wagtail's ``page_published``
arrives inside the publishing transaction; the requests' events
(``learning.request_events``) after theirs has committed.
"""

from blog.models import BlogPostPage
from home.models import ChatWebhookDelivery
from home.tasks import chat_webhook_deliveries_queue
from home.webhooks import webhook_event_record
from learning.models import LessonPage

Event = ChatWebhookDelivery.Event


def page_published_received(sender, instance, **kwargs) -> None:
    """A post or lesson goes live for the first time."""
    if not isinstance(instance, (BlogPostPage, LessonPage)):
        return
    # Wagtail sets both to the same moment on a first publish; an edit published later is no news.
    if instance.first_published_at != instance.last_published_at:
        return
    chat_webhook_deliveries_queue(webhook_event_record(event=Event.PAGE_PUBLISHED, page=instance))


def request_opened_received(sender, instance, **kwargs) -> None:
    chat_webhook_deliveries_queue(webhook_event_record(event=Event.REQUEST_OPENED, page=instance))


def request_answered_received(sender, instance, **kwargs) -> None:
    chat_webhook_deliveries_queue(webhook_event_record(event=Event.REQUEST_ANSWERED, page=instance))
