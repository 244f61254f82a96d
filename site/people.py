"""Who a person is to the site: how they are named, and the roles every app knows.

Groups are created by ``blog/migrations/0002_groups.py``. Every app may ask
here; this module asks no app.
"""

from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef

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

    Asked once per user object: ``PeopleBackend`` reads it with the person,
    and ``site.readers`` fills it in with the page's other facts about the reader.
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


class PeopleBackend(ModelBackend):
    """Django's model backend, reading whether the person is an editor in the same query.

    Every signed-in request and every socket's handshake loads its person
    through ``get_user``; the editor check that usually follows is then
    answered from the row instead of a query of its own.
    """

    def get_user(self, user_id):
        people = get_user_model()._default_manager.annotate(
            _pairwise_is_editor=Exists(Group.objects.filter(user=OuterRef("pk"), name=EDITORS))
        )
        try:
            user = people.get(pk=user_id)
        except people.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class EditorsOnlyMixin:
    """For a class-based view only editors may open: everyone else gets 403."""

    def dispatch(self, request, *args, **kwargs):
        if not is_editor(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
