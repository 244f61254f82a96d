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

import contextlib
import enum
import logging
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_out
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

from wagtail.models import Page, PageViewRestriction, get_page_models
from wagtail.query import PageQuerySet
from wagtail.signals import page_unpublished, post_page_move

logger = logging.getLogger(__name__)

PASSED_KEY = PageViewRestriction.passed_view_restrictions_session_key
EPOCH_KEY = "visibility:privacy-epoch"
SNAPSHOT_KEY = "visibility:restrictions"
SNAPSHOT_SECONDS = 24 * 60 * 60
_held_epoch: ContextVar[str | None] = ContextVar("privacy_epoch", default=None)
# The restrictions of the current epoch, kept in this process too.
_snapshots: dict[str, tuple] = {}

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


# --- the restrictions, as facts ------------------------------------------------------


@dataclass(frozen=True)
class Restriction:
    """One view restriction, with every page path it covers.

    It covers its page and everything below, unless that page is itself an
    alias (Wagtail ignores an alias's own restrictions), and everything below
    each alias of its page (an alias takes its source's restrictions).
    """

    id: int
    kind: str
    paths: tuple[str, ...]
    group_ids: frozenset[int]

    def covers(self, path: str) -> bool:
        return any(path.startswith(prefix) for prefix in self.paths)


def restrictions() -> tuple[Restriction, ...]:
    """Every restriction of the site, read once per privacy epoch and kept in the cache.

    A site has few restrictions, so every decision is made from this list: a
    listing excludes a few path prefixes (as Wagtail's own ``public()`` does)
    and one page is checked without the database. The epoch is read before
    the database, so a list read while a change commits is filed under the
    epoch that change replaces, and never used again.
    """
    epoch = privacy_epoch()
    known = _snapshots.get(epoch) if epoch is not None else None
    if known is not None:
        return known
    stored = _cache_get(f"{SNAPSHOT_KEY}:{epoch}") if epoch is not None else None
    facts = stored if stored is not None else _read_restrictions()
    if epoch is not None:
        if stored is None:
            _cache_set(f"{SNAPSHOT_KEY}:{epoch}", facts, SNAPSHOT_SECONDS)
        _snapshots.clear()  # one epoch is current at a time
        _snapshots[epoch] = facts
    return facts


def _read_restrictions() -> tuple[Restriction, ...]:
    rows = list(
        PageViewRestriction.objects.values_list(
            "pk", "restriction_type", "page_id", "page__path", "page__alias_of"
        )
    )
    if not rows:
        return ()
    page_ids = {page_id for _, _, page_id, _, _ in rows}
    groups: dict[int, set[int]] = {}
    for restriction_id, group_id in PageViewRestriction.groups.through.objects.filter(
        pageviewrestriction__in=[row[0] for row in rows]
    ).values_list("pageviewrestriction_id", "group_id"):
        groups.setdefault(restriction_id, set()).add(group_id)
    aliases: dict[int, list[str]] = {}
    for source_id, path in Page.objects.filter(alias_of__in=page_ids).values_list("alias_of_id", "path"):
        aliases.setdefault(source_id, []).append(path)
    return tuple(
        Restriction(
            id=pk,
            kind=kind,
            paths=tuple(([] if alias_of is not None else [path]) + aliases.get(page_id, [])),
            group_ids=frozenset(groups.get(pk, ())),
        )
        for pk, kind, page_id, path, alias_of in rows
    )


def _refuses(restriction: Restriction, *, user, passed: set[int]) -> bool:
    if restriction.kind == PageViewRestriction.PASSWORD:
        return restriction.id not in passed
    if restriction.kind == PageViewRestriction.LOGIN:
        return not user.is_authenticated
    if restriction.kind == PageViewRestriction.GROUPS:
        if not user.is_authenticated:
            return True
        return not user.is_superuser and not restriction.group_ids & _group_ids(user)
    return False  # "none": a restriction that restricts nothing


def _group_ids(user) -> frozenset[int]:
    """The person's groups, asked once per user object."""
    known = getattr(user, "_visibility_group_ids", None)
    if known is None:
        known = frozenset(user.groups.values_list("pk", flat=True))
        user._visibility_group_ids = known
    return known


def _passed(session) -> set[int]:
    """The password restrictions this session has passed."""
    if session is None:
        return set()
    try:
        passed = session.get(PASSED_KEY, [])
    except Exception:  # an unreadable session passes nothing
        return set()
    return {pk for pk in passed if isinstance(pk, int)} if isinstance(passed, list) else set()


# --- one page -------------------------------------------------------------------------


def restrictions_on(page: Page) -> QuerySet[PageViewRestriction]:
    """The view restrictions that apply to ``page`` (on it or an ancestor, aliases resolved)."""
    return PageViewRestriction.objects.filter(pk__in=[r.id for r in restrictions() if r.covers(page.path)])


def page_verdict(page: Page | None, *, user, session=None) -> Verdict:
    """Whether ``user`` (with their ``session``, for passwords) may see ``page``.

    No query on a page no restriction covers; one (the person's groups) at most otherwise.
    """
    if page is None or not page.live:
        return Verdict.NOT_FOUND
    user = user if user is not None else AnonymousUser()
    passed = _passed(session)
    refused = [r for r in restrictions() if r.covers(page.path) and _refuses(r, user=user, passed=passed)]
    if not refused:
        return Verdict.VISIBLE
    if not user.is_authenticated and any(r.kind != PageViewRestriction.PASSWORD for r in refused):
        return Verdict.SIGN_IN
    return Verdict.FORBIDDEN


def may_view(page: Page | None, *, user, session=None) -> bool:
    return page_verdict(page, user=user, session=session) is Verdict.VISIBLE


def visible_to_readers_of(page: Page, *, source: Page) -> bool:
    """Whether everyone who may see ``source`` may see ``page`` too (so ``source`` may link to it).

    True when ``page`` is live and every restriction on it covers ``source``
    as well: whoever passed them for ``source`` passes them for ``page``. No query.
    """
    if not page.live:
        return False
    return all(r.covers(source.path) for r in restrictions() if r.covers(page.path))


class VisibilityRuleMixin:
    """For page models: Wagtail's own serving checks the restrictions of the one rule.

    Wagtail's ``check_view_restrictions`` hook asks ``get_view_restrictions``
    and lets each restriction accept the request (showing the password form
    or the sign-in page where one refuses); here that set is the rule's, and
    costs no query on a page that no restriction covers.
    ``tests/site/test_visibility.py`` checks that Wagtail's acceptance and
    ``page_verdict`` agree on every kind.
    """

    def get_view_restrictions(self):
        return restrictions_on(self)


# --- many pages -------------------------------------------------------------------------


def visible_pages(pages: PageQuerySet, *, user, session=None) -> PageQuerySet:
    """The live pages of ``pages`` that ``user`` may see, in the same query.

    Each restriction that refuses the person excludes its path prefixes, on
    an indexed field Wagtail search filters on too.
    """
    user = user if user is not None else AnonymousUser()
    passed = _passed(session)
    pages = pages.filter(live=True)
    for prefix in sorted(
        {path for r in restrictions() if _refuses(r, user=user, passed=passed) for path in r.paths}
    ):
        pages = pages.exclude(path__startswith=prefix)
    return pages


def visible_to_people(*, page: str, person: str) -> Q:
    """A filter for rows that name a page and a signed-in person (a notification and its recipient).

    Keeps the rows whose page is live and visible to their person, for many
    people in one query. ``page`` and ``person`` are the rows' field paths
    (``"comment__page"``, ``"recipient"``). A person's session is not known
    here, so a password restriction lets nobody through.
    """
    keep = Q(**{f"{page}__live": True})
    for restriction in restrictions():
        under = Q()
        for prefix in restriction.paths:
            under |= Q(**{f"{page}__path__startswith": prefix})
        if restriction.kind == PageViewRestriction.PASSWORD:
            keep &= ~under
        elif restriction.kind == PageViewRestriction.GROUPS:
            member = get_user_model().groups.through.objects.filter(
                user=OuterRef(person), group__in=restriction.group_ids
            )
            keep &= ~(under & Q(**{f"{person}__is_superuser": False}) & ~Q(Exists(member)))
    return keep


def viewers_among(page: Page, *, user_ids) -> set[int]:
    """Which of ``user_ids`` (signed-in people) may see ``page``; a query only for group restrictions.

    A person's session is not known here, so a password restriction lets nobody through.
    """
    user_ids = set(user_ids)
    if not user_ids or not page.live:
        return set()
    covering = [r for r in restrictions() if r.covers(page.path)]
    if any(r.kind == PageViewRestriction.PASSWORD for r in covering):
        return set()
    by_groups = [r for r in covering if r.kind == PageViewRestriction.GROUPS]
    if not by_groups:
        return user_ids
    people = get_user_model().objects.filter(pk__in=user_ids)
    for restriction in by_groups:
        people = people.filter(Q(is_superuser=True) | Q(groups__in=restriction.group_ids))
    return set(people.values_list("pk", flat=True).distinct())


# --- the privacy epoch -------------------------------------------------------------------


def privacy_epoch(*, fresh: bool = False) -> str | None:
    """The current epoch; a new one after every change that can take a page from someone.

    ``None`` when the cache is unreachable: callers then decide afresh.
    Inside ``one_epoch()`` the epoch read when it began, unless ``fresh``.
    """
    held = None if fresh else _held_epoch.get()
    if held is not None:
        return held
    try:
        epoch = cache.get(EPOCH_KEY)
        if epoch is None:
            cache.add(EPOCH_KEY, uuid.uuid4().hex, timeout=None)
            epoch = cache.get(EPOCH_KEY)
    except Exception:  # the cache backend's own errors (Redis down) have no common base class
        return None
    return epoch


@contextlib.contextmanager
def one_epoch() -> Iterator[str | None]:
    """Decisions made inside share one read of the epoch (a socket's check and its write).

    A broadcast's stamp is read ``fresh``, after commit, even inside.
    """
    token = _held_epoch.set(None)
    epoch = privacy_epoch()
    _held_epoch.set(epoch)
    try:
        yield epoch
    finally:
        _held_epoch.reset(token)


def _cache_get(key: str):
    try:
        return cache.get(key)
    except Exception:  # unreachable: read from the database instead
        return None


def _cache_set(key: str, value, timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.warning("visibility: restrictions not cached, the cache is unavailable")


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


def _alias_created(sender, instance, created, **kwargs) -> None:
    # A new alias of a restricted page takes its source's restrictions: the
    # paths the rule excludes change.
    if created and instance.alias_of_id is not None:
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
    for model in get_page_models():  # a page is saved as its own type
        post_save.connect(
            _alias_created, sender=model, dispatch_uid=f"visibility.alias_created.{model._meta.label}"
        )
    post_page_move.connect(_page_changed, dispatch_uid="visibility.page_moved")
    post_delete.connect(_page_changed, sender=Page, dispatch_uid="visibility.page_deleted")
    m2m_changed.connect(
        _members_changed, sender=get_user_model().groups.through, dispatch_uid="visibility.group_members"
    )
    user_logged_out.connect(_signed_out, dispatch_uid="visibility.signed_out")
