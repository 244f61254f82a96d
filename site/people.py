"""Who a person is to the site: how they are named, and the roles every app knows.

Groups are created by ``blog/migrations/0002_groups.py``. Every app may ask
here; this module asks no app.
"""

import functools
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import connections

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
    answered from the row instead of a query of its own. The query is written
    once as SQL (``person_sql``): built by the ORM it took 0.5 ms a load, most
    of it compiling, and a crowd's handshakes queue for it one after another
    on the database thread (``bench/burst.py``); as SQL it takes a seventh.
    """

    def get_user(self, user_id):
        people = get_user_model()._default_manager
        sql, group_name = person_sql(people.db)
        user = next(iter(people.raw(sql, [group_name, user_id])), None)
        if user is None:
            return None
        user._pairwise_is_editor = bool(user._pairwise_is_editor)  # SQLite answers 0 or 1
        return user if self.user_can_authenticate(user) else None


@functools.cache
def person_sql(using: str) -> tuple[str, str]:
    """``SELECT`` a person by primary key with ``_pairwise_is_editor``, and the group it asks about.

    Names come from the models, quoted for the database ``using``: the same
    columns as ``model.objects.get(pk=...)`` reads, and an ``EXISTS`` on the
    editors group through the person's ``groups``.
    """
    model = get_user_model()
    quote = connections[using].ops.quote_name
    groups = model._meta.get_field("groups")
    memberships = groups.remote_field.through._meta
    person, group = groups.m2m_column_name(), groups.m2m_reverse_name()
    key = quote(model._meta.pk.column)
    columns = ", ".join(f"p.{quote(field.column)}" for field in model._meta.concrete_fields)
    # Names from the models, quoted; the group's name and the key are parameters.
    editor = (
        f"EXISTS (SELECT 1 FROM {quote(memberships.db_table)} m"  # noqa: S608
        f" INNER JOIN {quote(Group._meta.db_table)} g ON g.{quote(Group._meta.pk.column)} = m.{quote(group)}"
        f" WHERE m.{quote(person)} = p.{key} AND g.{quote('name')} = %s)"
    )
    sql = (
        f"SELECT {columns}, {editor} AS {quote('_pairwise_is_editor')}"  # noqa: S608
        f" FROM {quote(model._meta.db_table)} p WHERE p.{key} = %s"
    )
    return sql, EDITORS


class EditorsOnlyMixin:
    """For a class-based view only editors may open: everyone else gets 403."""

    def dispatch(self, request, *args, **kwargs):
        if not is_editor(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
