"""Writes for topic requests: ask, vote, claim, release, answer, decline.

Guarantees:

* Permissions: anyone signed in asks and votes; only a member of an active
  pair claims an open request, for that pair; only a member of the claiming
  pair (or an editor) releases the claim, making it open again, or answers
  it, with a post or lesson of that pair; only an editor declines, with a
  reason. A refusal raises ``PermissionDenied``; invalid input raises
  ``ValidationError`` (``DuplicateRequest`` for a title an open request
  already has); nothing is written then.
* Idempotency: ``request_vote`` sets a vote on or off, so a form sent twice
  counts once; the unique constraints hold it under races too.
* Notifications: the requester and every voter hear when a request is
  claimed, released and answered, if the visibility rule lets them see the
  request (``viewers_among``, as comments do); stored in the transaction and
  pushed after it commits (``notice_send``).
* Every change purges the anonymous page cache once it commits.
* Events: ``learning.request_events`` sends ``request_opened`` and
  ``request_answered`` once the transaction commits.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from wagtail.models import Page

from blog.models import MentorPair, PairPageMixin
from blog.services import topic_names
from blog.threads.limits import comment_rate_check
from blog.threads.services import notice_send
from learning.models import TopicRequestIndexPage, TopicRequestPage, TopicRequestVote
from learning.models.requests import (
    DETAILS_MAX_LENGTH,
    REASON_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    TITLE_MIN_LENGTH,
    title_key,
)
from learning.request_events import request_answered, request_opened
from site.inputs import InvalidInput, check_text
from site.page_cache import purge_site_after_commit
from site.people import is_editor
from site.visibility import may_view, viewers_among

MAX_REQUEST_TOPICS = 5
# Addresses under /requests/ that are not requests (``learning.urls``).
RESERVED_SLUGS = frozenset({"ask"})
SLUG_MAX_LENGTH = 60


class DuplicateRequest(ValidationError):
    """An open request has this title already; ``existing`` is it, when the asker may see it."""

    def __init__(self, existing: TopicRequestPage | None):
        super().__init__({"title": "Somebody has asked for this already: vote for their request instead."})
        self.existing = existing


Status = TopicRequestPage.Status


# --- Asking -------------------------------------------------------------------


def _clean_text(value: str, *, field: str, label: str) -> str:
    try:
        return check_text(value, name=label)
    except InvalidInput as error:
        raise ValidationError({field: str(error)}) from error


def _clean_title(title: str) -> str:
    title = " ".join(_clean_text(title, field="title", label="The title").split())
    if not TITLE_MIN_LENGTH <= len(title) <= TITLE_MAX_LENGTH:
        raise ValidationError(
            {"title": f"Say what you want to learn in {TITLE_MIN_LENGTH} to {TITLE_MAX_LENGTH} characters."}
        )
    return title


def _clean_topics(topics) -> list[str]:
    names = topic_names(
        [_clean_text(name, field="topics", label="A topic") for name in topics], field="topics"
    )
    if not names:
        raise ValidationError({"topics": "Name at least one topic, so the right pairs see it."})
    if len(names) > MAX_REQUEST_TOPICS:
        raise ValidationError({"topics": f"Name at most {MAX_REQUEST_TOPICS} topics."})
    return names


def active_duplicate(title: str) -> TopicRequestPage | None:
    """The open or claimed request whose title is ``title`` but for case and spacing."""
    return TopicRequestPage.objects.filter(
        title_key=title_key(title), status__in=TopicRequestPage.ACTIVE
    ).first()


def _free_slug(index: Page, title: str) -> str:
    base = slugify(title, allow_unicode=True)
    if len(base) > SLUG_MAX_LENGTH:  # cut at a word, not inside one
        base = base[: SLUG_MAX_LENGTH + 1].rsplit("-", 1)[0]
    base = base.strip("-") or "request"
    taken = set(index.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken or slug in RESERVED_SLUGS:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def request_ask(
    *, user, index: TopicRequestIndexPage, title: str, details: str, topics: list[str], session=None
) -> TopicRequestPage:
    """Ask for a post or lesson: a new open request, published at once under ``index``.

    Checked in this order: the fields, an open request with the same title
    (``DuplicateRequest``, naming it if ``user`` may see it), then the rate
    limit that comments share (a person asking quickly waits, as one
    commenting quickly does).
    """
    if not user.is_authenticated:
        raise PermissionDenied("Sign in to ask for a post.")
    title = _clean_title(title)
    details = _clean_text(details, field="details", label="The details").strip()
    if len(details) > DETAILS_MAX_LENGTH:
        raise ValidationError({"details": f"Keep the details to {DETAILS_MAX_LENGTH:,} characters."})
    names = _clean_topics(topics)
    existing = active_duplicate(title)
    if existing is not None:
        raise DuplicateRequest(existing if may_view(existing, user=user, session=session) else None)
    retry_after = comment_rate_check(user_id=user.pk)
    if retry_after is not None:
        raise ValidationError(f"You are asking quickly; wait {retry_after} s and send it again.")
    page = TopicRequestPage(
        title=title,
        slug=_free_slug(index, title),
        details=details,
        requester=user,
        owner=user,
        asked_at=timezone.now(),
    )
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin breaks only this
            index.add_child(instance=page)
            page.tags.add(*names)
            # The asker has no page permissions: this service is what lets them publish here.
            page.save_revision(user=user).publish(user=user, skip_permission_checks=True)
    except IntegrityError:
        existing = active_duplicate(title)
        if existing is None:
            raise
        raise DuplicateRequest(existing if may_view(existing, user=user, session=session) else None) from None
    transaction.on_commit(lambda: request_opened.send(sender=TopicRequestPage, instance=page))
    return page


# --- Votes --------------------------------------------------------------------


@transaction.atomic
def request_vote(*, user, request: TopicRequestPage, vote: bool) -> int:
    """Set ``user``'s vote for ``request`` on or off; returns the new count.

    Idempotent: voting twice counts once, and taking back a vote that is not
    there changes nothing. New votes are only taken while the request is
    open or claimed.
    """
    if not user.is_authenticated:
        raise PermissionDenied("Sign in to vote.")
    if vote:
        if not request.is_active:
            raise ValidationError(
                f"This request is {request.get_status_display().lower()}: voting is closed."
            )
        TopicRequestVote.objects.get_or_create(request=request, user=user)
    else:
        TopicRequestVote.objects.filter(request=request, user=user).delete()
    _purge(request)
    return TopicRequestVote.objects.filter(request=request).count()


# --- Claim, answer, decline -----------------------------------------------------


def _state(request: TopicRequestPage) -> str:
    return request.get_status_display().lower()


def _locked(request: TopicRequestPage) -> TopicRequestPage:
    """The request read again under a row lock, so two pairs cannot both claim it."""
    return TopicRequestPage.objects.select_for_update(of=("self",)).get(pk=request.pk)


def _save(request: TopicRequestPage, fields: list[str]) -> None:
    # Only lifecycle fields, checked here; the page's text and tree are untouched.
    request.save(update_fields=fields, clean=False)
    _purge(request)


def _purge(request: TopicRequestPage) -> None:
    # A request shows on its page, the listing and every cached page of its
    # topics; these writes are rare next to reads, so the whole site is purged.
    purge_site_after_commit()


@transaction.atomic
def request_claim(*, user, request: TopicRequestPage, pair: MentorPair) -> TopicRequestPage:
    """``pair`` says "we'll write this": an open request becomes claimed, and its people are told."""
    if not (user.is_authenticated and pair.status == MentorPair.Status.ACTIVE and pair.has_member(user)):
        raise PermissionDenied("Only a member of an active pair can claim a request, for their own pair.")
    request = _locked(request)
    if request.status != Status.OPEN:
        raise ValidationError(f"This request is {_state(request)} already.")
    request.status, request.claimed_by, request.claimed_at = Status.CLAIMED, pair, timezone.now()
    _save(request, ["status", "claimed_by", "claimed_at"])
    _tell_followers(request, text=f"{pair.name} will write about “{request.title}”", skip={user.pk})
    return request


@transaction.atomic
def request_release(*, user, request: TopicRequestPage) -> TopicRequestPage:
    """The claiming pair lets a claimed request go ("we can't write this after all"): open again.

    A member of that pair, or an editor, may. A draft chosen as its answer is
    unlinked with the claim, so the next pair starts afresh; the requester
    and voters are told it is open again.
    """
    if not user.is_authenticated:
        raise PermissionDenied("Sign in to release a claim.")
    request = _locked(request)
    if request.status != Status.CLAIMED:
        raise ValidationError(f"Only a claimed request can be released; this one is {_state(request)}.")
    pair = request.claimed_by
    if not (is_editor(user) or (pair is not None and pair.has_member(user))):
        raise PermissionDenied("Only the pair that claimed it, or an editor, can release the claim.")
    request.status, request.claimed_by, request.claimed_at, request.answer = Status.OPEN, None, None, None
    _save(request, ["status", "claimed_by", "claimed_at", "answer"])
    skip = {user.pk} if pair is None else {user.pk, pair.first_member_id, pair.second_member_id}
    who = pair.name if pair is not None else "The pair"
    _tell_followers(
        request, text=f"{who} will not write about “{request.title}”: it is open again", skip=skip
    )
    return request


def may_answer_with(user, request: TopicRequestPage, page: Page) -> bool:
    """Whether ``user`` may say that ``page`` (a post or lesson) answers ``request``.

    Editors may for any page; a member of the page's pair may when the
    request is open or claimed by that same pair.
    """
    if not user.is_authenticated or not isinstance(page, PairPageMixin):
        return False
    if is_editor(user):
        return True
    pair = page.pair
    if pair is None or not pair.has_member(user):
        return False
    return request.status == Status.OPEN or request.claimed_by_id == pair.pk


@transaction.atomic
def request_answer(*, user, request: TopicRequestPage, page: Page) -> TopicRequestPage:
    """``page`` answers ``request``: answered now if the page is live, else once it is published.

    An open request is claimed by the page's pair on the way. Its people are
    told when it is answered (``request_answers_published`` for a draft).
    """
    page = page.specific
    request = _locked(request)
    if not request.is_active:
        raise ValidationError(f"This request is {_state(request)} already.")
    if not may_answer_with(user, request, page):
        raise PermissionDenied("Only the pair that claimed it can answer it, with one of their own pages.")
    if request.status == Status.OPEN:
        request.status, request.claimed_by, request.claimed_at = Status.CLAIMED, page.pair, timezone.now()
    request.answer = page
    _save(request, ["status", "claimed_by", "claimed_at", "answer"])
    if page.live:
        _mark_answered(request, skip={user.pk})
    return request


@transaction.atomic
def request_answer_choose(*, user, page: Page, request: TopicRequestPage | None) -> None:
    """From a post's or lesson's admin form: ``page`` answers ``request`` (``None``: it answers none).

    Choosing the request already linked changes nothing (but completes it if
    the page is now live); clearing the choice unlinks a request that is not
    answered yet. An answered request keeps its answer.
    """
    linked = TopicRequestPage.objects.filter(answer=page, status__in=TopicRequestPage.ACTIVE)
    if request is None or request.pk not in {r.pk for r in linked}:
        for old in linked.select_for_update(of=("self",)):
            if request is None or old.pk != request.pk:
                old.answer = None
                _save(old, ["answer"])
    if request is not None:
        if request.answer_id == page.pk and not request.is_active:
            return
        request_answer(user=user, request=request, page=page)


@transaction.atomic
def request_answers_published(*, page: Page) -> list[TopicRequestPage]:
    """``page`` was published: every request waiting for it as its answer is answered now."""
    answered = []
    waiting = TopicRequestPage.objects.select_for_update(of=("self",)).filter(
        answer_id=page.pk, status__in=TopicRequestPage.ACTIVE
    )
    for request in waiting:
        pair = request.claimed_by
        _mark_answered(request, skip=set() if pair is None else {pair.first_member_id, pair.second_member_id})
        answered.append(request)
    return answered


def _mark_answered(request: TopicRequestPage, *, skip: set[int]) -> None:
    request.status, request.answered_at = Status.ANSWERED, timezone.now()
    _save(request, ["status", "answered_at"])
    _tell_followers(request, text=f"Your request “{request.title}” is answered", skip=skip)
    transaction.on_commit(lambda: request_answered.send(sender=TopicRequestPage, instance=request))


@transaction.atomic
def request_decline(*, user, request: TopicRequestPage, reason: str) -> TopicRequestPage:
    """An editor closes a request that will not be written, saying why (shown on its page)."""
    if not is_editor(user):
        raise PermissionDenied("Only editors can decline a request.")
    reason = _clean_text(reason, field="reason", label="The reason").strip()
    if not reason or len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"Say why in 1 to {REASON_MAX_LENGTH} characters."})
    request = _locked(request)
    if not request.is_active:
        raise ValidationError(f"This request is {_state(request)} already.")
    request.status, request.declined_reason, request.declined_by = Status.DECLINED, reason, user
    _save(request, ["status", "declined_reason", "declined_by"])
    return request


def _tell_followers(request: TopicRequestPage, *, text: str, skip: set[int]) -> None:
    """The requester and every voter, but those in ``skip``, if they may see the request."""
    people = set(TopicRequestVote.objects.filter(request=request).values_list("user_id", flat=True))
    if request.requester_id is not None:
        people.add(request.requester_id)
    allowed = viewers_among(request, user_ids=people - skip)
    if allowed:
        recipients = get_user_model().objects.filter(pk__in=allowed, is_active=True).order_by("pk")
        notice_send(recipients=list(recipients), text=text, url=request.url or "", page=request)
