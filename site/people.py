"""Who a person is to the site: how they are named, and the roles every app knows.

Groups are created by ``blog/migrations/0002_groups.py``. Every app may ask
here; this module asks no app.
"""

from urllib.parse import quote

from django.core.exceptions import PermissionDenied

EDITORS = "Editors"
PAIR_MEMBERS = "Pair members"


def display_name(user) -> str:
    """The name shown for a person everywhere on the site."""
    return user.get_full_name() or user.get_username()


def person_url(username: str) -> str:
    """The address of a person's page (``/people/<username>/``, served by the blog app)."""
    return f"/people/{quote(username, safe='')}/"


def avatar_url(username: str) -> str:
    """The address of a person's picture (their photo, or their initials), served by the blog app."""
    return f"{person_url(username)}avatar/"


def is_editor(user) -> bool:
    """Editors review and publish, curate and moderate; superusers count too.

    Asked once per user object (``site.readers`` fills it in with the page's
    other facts about the reader).
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_pairwise_is_editor", None)
    if cached is None:
        cached = user.groups.filter(name=EDITORS).exists()
        user._pairwise_is_editor = cached
    return cached


class EditorsOnlyMixin:
    """For a class-based view only editors may open: everyone else gets 403."""

    def dispatch(self, request, *args, **kwargs):
        if not is_editor(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
