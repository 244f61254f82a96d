"""What every page needs to know about the signed-in reader, in one query.

The header shows the unread notification count and, for people who may use
it, the admin link; a thread needs to know whether the reader moderates; a
post shows whether they marked it read. Asked one by one that is five
queries (the admin permission alone is two); here it is one, made once per
request and kept on it.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from blog.permissions import EDITORS
from blog.threads.selectors import Viewer, visible_notifications
from learning.models import Completion


@dataclass(frozen=True)
class Reader:
    user_id: int
    is_editor: bool
    can_access_admin: bool
    unread_notifications: int
    # The page asked about, and whether the reader has finished it.
    page_id: int | None = None
    finished_page: bool = False

    @property
    def viewer(self) -> Viewer:
        """The thread's view of this reader."""
        return Viewer(user_id=self.user_id, is_editor=self.is_editor)


def reader_state(request: HttpRequest, *, page=None) -> Reader | None:
    """The signed-in reader of ``request`` (``None`` when signed out), asked once per request.

    With ``page``, also whether they finished it; a later call without a page
    reuses the answer.
    """
    user = request.user
    if not user.is_authenticated:
        return None
    known: Reader | None = getattr(request, "_pairwise_reader", None)
    if known is not None and (page is None or known.page_id == page.pk):
        return known
    me = OuterRef("pk")
    facts = {
        "editor": Exists(Group.objects.filter(user=me, name=EDITORS)),
        "admin": Exists(
            Permission.objects.filter(
                Q(group__user=me) | Q(user=me),
                content_type__app_label="wagtailadmin",
                codename="access_admin",
            )
        ),
        "unread": Coalesce(
            Subquery(
                visible_notifications(user=user)
                .filter(read__isnull=True)
                .values("recipient")
                .annotate(n=Count("id"))
                .values("n"),
                output_field=IntegerField(),
            ),
            0,
        ),
    }
    if page is not None:
        facts["finished"] = Exists(Completion.objects.filter(user=me, page_id=page.pk))
    row = get_user_model().objects.filter(pk=user.pk).annotate(**facts).values(*facts).get()
    reader = Reader(
        user_id=user.pk,
        is_editor=user.is_superuser or row["editor"],
        can_access_admin=user.is_superuser or user.is_staff or row["admin"],
        unread_notifications=row["unread"],
        page_id=page.pk if page is not None else None,
        finished_page=row.get("finished", False),
    )
    request._pairwise_reader = reader
    user._pairwise_is_editor = reader.is_editor  # what blog.permissions.is_editor would ask again
    return reader
