"""The unread notification count the header shows."""

from django.utils.functional import SimpleLazyObject

from blog.threads.selectors import unread_notification_count


def notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_notification_count(user_id=user.pk))}
