"""What every page knows about its signed-in reader, asked in one query per request.

The header shows the unread notification count and, for people who may use
it, the admin link; a thread needs to know whether the reader moderates; a
post shows whether they finished it. Each fact belongs to the app that owns
it and is added here when that app is ready (``register_reader_fact``), so
this ground module asks no app, and the facts still come in one query:
asked one by one they were five (the admin permission alone is two).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, Expression, OuterRef, Q
from django.http import HttpRequest

from site.people import EDITORS


@dataclass(frozen=True)
class ReaderFact:
    make: Callable[..., Expression]  # (user, page) -> an annotation on the user row
    default: Any
    per_page: bool  # needs the page asked about; ``default`` without one


_FACTS: dict[str, ReaderFact] = {}


def register_reader_fact(name: str, make, *, default, per_page: bool = False) -> None:
    """Add a fact (an annotation on the reader's user row) from an app's ``ready()``."""
    _FACTS[name] = ReaderFact(make=make, default=default, per_page=per_page)


@dataclass(frozen=True)
class Reader:
    user_id: int
    is_editor: bool
    can_access_admin: bool
    page_id: int | None = None  # the page the per-page facts are about
    facts: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        # Registered facts read as attributes: reader.unread_notifications.
        facts = self.__dict__.get("facts", {})
        if name in facts:
            return facts[name]
        raise AttributeError(name)


def reader_state(request: HttpRequest, *, page=None) -> Reader | None:
    """The signed-in reader of ``request`` (``None`` when signed out), asked once per request.

    With ``page``, the per-page facts too; a later call without a page reuses the answer.
    """
    user = request.user
    if not user.is_authenticated:
        return None
    known: Reader | None = getattr(request, "_pairwise_reader", None)
    if known is not None and (page is None or known.page_id == page.pk):
        return known
    me = OuterRef("pk")
    annotations = {
        "editor": Exists(Group.objects.filter(user=me, name=EDITORS)),
        "admin": Exists(
            Permission.objects.filter(
                Q(group__user=me) | Q(user=me),
                content_type__app_label="wagtailadmin",
                codename="access_admin",
            )
        ),
    }
    for name, fact in _FACTS.items():
        if page is not None or not fact.per_page:
            annotations[f"fact_{name}"] = fact.make(user, page)
    row = get_user_model().objects.filter(pk=user.pk).annotate(**annotations).values(*annotations).get()
    reader = Reader(
        user_id=user.pk,
        is_editor=user.is_superuser or row["editor"],
        can_access_admin=user.is_superuser or user.is_staff or row["admin"],
        page_id=page.pk if page is not None else None,
        facts={name: row.get(f"fact_{name}", fact.default) for name, fact in _FACTS.items()},
    )
    request._pairwise_reader = reader
    user._pairwise_is_editor = reader.is_editor  # what site.people.is_editor would ask again
    return reader
