"""May this person see this page? The one answer, used by every path.

A page is visible to a person when it is live and every view restriction
that applies to it lets them through. Restrictions apply from the page itself
and from each of its ancestors; where the page or an ancestor is an alias,
its source's restrictions apply instead of its own, as in Wagtail's serving.

* ``login``: anyone signed in;
* ``groups``: superusers, and members of one of the restriction's groups;
* ``password``: whoever entered the password in this session.

Pages, listings, feeds, search, streams, collections, thread sockets (on
connect and for every frame they are sent), the thread API, notifications and
caches ask here: ``page_verdict``/``may_view`` for one page,
``visible_pages`` for a queryset, ``viewers_among`` for the people a
notification would reach. Nothing else decides it.

Changes that can take a page away from someone bump the **privacy epoch**
and send ``access_changed`` after their transaction commits (see
``connect_receivers``): live paths that cached a decision compare epochs
instead of asking the database again for every frame.
"""

import enum
import logging
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Length, Substr
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

from wagtail.models import Page, PageViewRestriction
from wagtail.query import PageQuerySet
from wagtail.signals import page_unpublished, post_page_move

logger = logging.getLogger(__name__)

PASSED_KEY = PageViewRestriction.passed_view_restrictions_session_key
EPOCH_KEY = "visibility:privacy-epoch"

# Sent after commit when what someone may see may have changed. ``user_ids``
# names the people concerned; ``None`` means anyone (a page's privacy, state
# or place changed). ``ended_session`` is the key of a session that was just
# signed out, which sockets opened with it can recognise without reading it.
access_changed = Signal()


class Verdict(enum.Enum):
    VISIBLE = "visible"
    NOT_FOUND = "not_found"  # no such page, or not live
    SIGN_IN = "sign_in"  # signed out, and a restriction wants someone signed in
    FORBIDDEN = "forbidden"


# --- one page -------------------------------------------------------------------------


def restrictions_on(page: Page) -> QuerySet[PageViewRestriction]:
    """The view restrictions that apply to ``page``: on it or an ancestor, aliases resolved; one query."""
    steps = range(Page.steplen, len(page.path) + 1, Page.steplen)
    chain = Page.objects.filter(path__in=[page.path[:end] for end in steps])
    return PageViewRestriction.objects.filter(
        Q(page__in=chain.filter(alias_of__isnull=True).values("pk"))
        | Q(page__in=chain.filter(alias_of__isnull=False).values("alias_of"))
    )


def page_verdict(page: Page | None, *, user, session=None) -> Verdict:
    """Whether ``user`` (with their ``session``, for passwords) may see ``page``; at most two queries."""
    if page is None or not page.live:
        return Verdict.NOT_FOUND
    user = user if user is not None else AnonymousUser()
    refused = _refused_by(list(restrictions_on(page)), user=user, session=session)
    if not refused:
        return Verdict.VISIBLE
    if not user.is_authenticated and any(r.restriction_type != r.PASSWORD for r in refused):
        return Verdict.SIGN_IN
    return Verdict.FORBIDDEN


def may_view(page: Page | None, *, user, session=None) -> bool:
    return page_verdict(page, user=user, session=session) is Verdict.VISIBLE


def _refused_by(restrictions: list[PageViewRestriction], *, user, session) -> list[PageViewRestriction]:
    passed = _passed(session)
    refused, by_groups = [], []
    for restriction in restrictions:
        kind = restriction.restriction_type
        if kind == PageViewRestriction.PASSWORD:
            if restriction.pk not in passed:
                refused.append(restriction)
        elif kind == PageViewRestriction.LOGIN:
            if not user.is_authenticated:
                refused.append(restriction)
        elif kind == PageViewRestriction.GROUPS:
            if not user.is_authenticated:
                refused.append(restriction)
            elif not user.is_superuser:
                by_groups.append(restriction)
    if by_groups:
        let_through = set(
            PageViewRestriction.groups.through.objects.filter(
                pageviewrestriction__in=[r.pk for r in by_groups], group__user=user
            ).values_list("pageviewrestriction_id", flat=True)
        )
        refused += [r for r in by_groups if r.pk not in let_through]
    return refused


def _passed(session) -> set[int]:
    """The password restrictions this session has passed."""
    if session is None:
        return set()
    try:
        passed = session.get(PASSED_KEY, [])
    except Exception:  # an unreadable session passes nothing
        return set()
    return {pk for pk in passed if isinstance(pk, int)} if isinstance(passed, list) else set()


class VisibilityRuleMixin:
    """For page models: Wagtail's own serving checks the restrictions of the one rule.

    Wagtail's ``check_view_restrictions`` hook asks ``get_view_restrictions``
    and lets each restriction accept the request (showing the password form
    or the sign-in page where one refuses); here that set is the rule's, in
    one query instead of two. ``tests/site/test_visibility.py`` checks that
    Wagtail's acceptance and ``page_verdict`` agree on every kind.
    """

    def get_view_restrictions(self):
        return restrictions_on(self)


# --- many pages -------------------------------------------------------------------------


def visible_pages(pages: PageQuerySet, *, user, session=None) -> PageQuerySet:
    """The live pages of ``pages`` that ``user`` may see, in the same query (two ``NOT EXISTS``)."""
    user = user if user is not None else AnonymousUser()
    refusing = _refusing_restrictions(user=user, session=session)
    on_chain = refusing.filter(
        page__alias_of__isnull=True, page__path=Substr(OuterRef("path"), 1, Length("page__path"))
    )
    # An ancestor (or the page) that is an alias takes its source's restrictions.
    alias_in_chain = Page.objects.filter(
        alias_of__isnull=False,
        path=Substr(OuterRef("path"), 1, Length("path")),
        alias_of__in=refusing.values("page"),
    )
    return pages.filter(live=True).exclude(Exists(on_chain)).exclude(Exists(alias_in_chain))


def searchable(pages: PageQuerySet, *, user, session=None) -> PageQuerySet:
    """``visible_pages`` in the form Wagtail search accepts: a filter on the indexed ``id``."""
    visible = visible_pages(Page.objects.all(), user=user, session=session)
    return pages.filter(live=True, id__in=visible.values("id"))


def _refusing_restrictions(*, user, session) -> QuerySet[PageViewRestriction]:
    """The restrictions that keep ``user`` out, as a queryset (for subqueries)."""
    passed = _passed(session)
    unpassed_password = Q(restriction_type=PageViewRestriction.PASSWORD)
    if passed:
        unpassed_password &= ~Q(pk__in=passed)
    if not user.is_authenticated:
        refusing = unpassed_password | ~Q(restriction_type=PageViewRestriction.PASSWORD)
    elif user.is_superuser:
        refusing = unpassed_password
    else:
        member = PageViewRestriction.groups.through.objects.filter(
            pageviewrestriction=OuterRef("pk"), group__user=user
        )
        refusing = unpassed_password | (Q(restriction_type=PageViewRestriction.GROUPS) & ~Q(Exists(member)))
    return PageViewRestriction.objects.filter(refusing)


def visible_to_people(*, page: str, person: str) -> Q:
    """A filter for rows that name a page and a signed-in person (a notification and its recipient).

    Keeps the rows whose page is live and visible to their person, for many
    people in one query. ``page`` and ``person`` are the rows' field paths
    (``"comment__page"``, ``"recipient"``). A person's session is not known
    here, so a password restriction lets nobody through.
    """

    def refusing(person_ref) -> QuerySet[PageViewRestriction]:
        member = PageViewRestriction.groups.through.objects.filter(
            pageviewrestriction=OuterRef("pk"), group__user=OuterRef(person_ref)
        )
        superuser = get_user_model().objects.filter(pk=OuterRef(person_ref), is_superuser=True)
        return PageViewRestriction.objects.filter(
            Q(restriction_type=PageViewRestriction.PASSWORD)
            | (Q(restriction_type=PageViewRestriction.GROUPS) & ~Q(Exists(member)) & ~Q(Exists(superuser)))
        )

    path = f"{page}__path"
    on_chain = refusing(OuterRef(person)).filter(
        page__alias_of__isnull=True, page__path=Substr(OuterRef(path), 1, Length("page__path"))
    )
    alias_in_chain = Page.objects.filter(
        alias_of__isnull=False,
        path=Substr(OuterRef(path), 1, Length("path")),
        alias_of__in=refusing(OuterRef(OuterRef(person))).values("page"),
    )
    return Q(**{f"{page}__live": True}) & ~Q(Exists(on_chain)) & ~Q(Exists(alias_in_chain))


def viewers_among(page: Page, *, user_ids) -> set[int]:
    """Which of ``user_ids`` (signed-in people) may see ``page``; one query, two on a restricted page.

    A person's session is not known here, so a password restriction lets nobody through.
    """
    user_ids = set(user_ids)
    if not user_ids or not page.live:
        return set()
    restrictions = list(restrictions_on(page))
    if not restrictions:
        return user_ids
    if any(r.restriction_type == PageViewRestriction.PASSWORD for r in restrictions):
        return set()
    people = get_user_model().objects.filter(pk__in=user_ids, is_active=True)
    for restriction in restrictions:
        if restriction.restriction_type == PageViewRestriction.GROUPS:
            people = people.filter(
                Q(is_superuser=True) | Q(groups__in=Group.objects.filter(pageviewrestriction=restriction))
            )
    return set(people.values_list("pk", flat=True).distinct())


# --- the privacy epoch -------------------------------------------------------------------


def privacy_epoch() -> str | None:
    """The current epoch; a new one after every change that can take a page from someone.

    ``None`` when the cache is unreachable: callers then decide afresh.
    """
    try:
        epoch = cache.get(EPOCH_KEY)
        if epoch is None:
            cache.add(EPOCH_KEY, uuid.uuid4().hex, timeout=None)
            epoch = cache.get(EPOCH_KEY)
    except Exception:  # the cache backend's own errors (Redis down) have no common base class
        return None
    return epoch


def visibility_changed(*, user_ids=None, ended_session: str | None = None) -> None:
    """Record, after commit, that who may see what has changed (for ``user_ids``, or anyone)."""
    user_ids = None if user_ids is None else sorted(set(user_ids))

    def announce() -> None:
        if user_ids is None:
            try:
                cache.set(EPOCH_KEY, uuid.uuid4().hex, timeout=None)
            except Exception:  # sockets still decide again within their recheck interval
                logger.warning("privacy epoch not moved: the cache is unavailable")
        access_changed.send(sender=Page, user_ids=user_ids, ended_session=ended_session)

    transaction.on_commit(announce)


# --- what Wagtail and Django change themselves ---------------------------------------------


def _page_changed(**kwargs) -> None:
    visibility_changed()


def _groups_of_restriction_changed(sender, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        visibility_changed()


def _members_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A person joined or left a group: only they may see more or less."""
    if action == "pre_clear":
        # Who is about to leave is only known now.
        instance._visibility_cleared = (
            list(instance.user_set.values_list("pk", flat=True)) if reverse else [instance.pk]
        )
        return
    if action == "post_clear":
        visibility_changed(user_ids=getattr(instance, "_visibility_cleared", []))
    elif action in ("post_add", "post_remove"):
        visibility_changed(user_ids=(pk_set or set()) if reverse else [instance.pk])


def _signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        session = getattr(request, "session", None)
        visibility_changed(user_ids=[user.pk], ended_session=getattr(session, "session_key", None))


def connect_receivers() -> None:
    """Narrow receivers for what others change (restrictions, page state and place, groups, sign-out)."""
    from django.contrib.auth.signals import user_logged_out

    post_save.connect(_page_changed, sender=PageViewRestriction, dispatch_uid="visibility.restriction_saved")
    post_delete.connect(
        _page_changed, sender=PageViewRestriction, dispatch_uid="visibility.restriction_deleted"
    )
    m2m_changed.connect(
        _groups_of_restriction_changed,
        sender=PageViewRestriction.groups.through,
        dispatch_uid="visibility.restriction_groups",
    )
    page_unpublished.connect(_page_changed, dispatch_uid="visibility.page_unpublished")
    post_page_move.connect(_page_changed, dispatch_uid="visibility.page_moved")
    post_delete.connect(_page_changed, sender=Page, dispatch_uid="visibility.page_deleted")
    m2m_changed.connect(
        _members_changed, sender=get_user_model().groups.through, dispatch_uid="visibility.group_members"
    )
    user_logged_out.connect(_signed_out, dispatch_uid="visibility.signed_out")
