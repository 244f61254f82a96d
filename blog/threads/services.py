"""Every write to a thread, each in one transaction, broadcast after commit.

Guarantees, relied on by ``docs/threads-protocol.md``:

* Ordering: a new comment takes the thread's lock (``select_for_update`` on
  its ``Thread`` row; SQLite's IMMEDIATE transactions serialise writers
  anyway) before it gets its id, and keeps it until commit, so ids within a
  thread increase in commit order and "everything after id N" never skips.
* Idempotency: ``(page, author, client_id)`` is unique; a retried create
  returns the comment that exists, and creates and broadcasts nothing.
* Services return model objects; what clients are told is queued with
  ``blog.threads.frames`` (which encodes it) and sent in
  ``transaction.on_commit``: a rolled-back write sends nothing.
* Permissions: authors edit and delete their own comments, editors any;
  only editors hide. Nobody but an editor replies or reacts to a hidden
  comment (it answers ``not_found``, as if absent). Callers check that the
  person may read the page (``blog.threads.access``); notifications go only
  to people the visibility rule lets see the page.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from wagtail.models import Page

from blog.threads import frames
from blog.threads.errors import ThreadError
from blog.threads.limits import comment_rate_check
from blog.threads.models import BODY_MAX_LENGTH, CLIENT_ID_MAX_LENGTH, Comment, Notification, Reaction, Thread
from blog.threads.questions import answer_unmark_if_answer, clean_question, question_text
from blog.threads.rendering import mentioned_usernames, render_markdown
from blog.threads.selectors import (
    NO_REACTIONS,
    REACTION_KINDS,
    reactions_of,
    unread_notification_counts,
)
from site.inputs import InvalidInput, check_text
from site.page_cache import purge_page_after_commit
from site.people import display_name, is_editor
from site.visibility import viewers_among

# More mentions than this in one comment notify only the first ones (alphabetically).
MAX_MENTIONS = 20


@dataclass(frozen=True)
class CommentCreated:
    comment: Comment
    created: bool  # False when the client_id had been used: nothing new was written


def clean_body(body: object) -> str:
    if not isinstance(body, str):
        raise ThreadError("invalid", "The comment body must be text.")
    _check_text(body, "The comment")
    if len(body) > BODY_MAX_LENGTH:
        raise ThreadError("too_long", f"A comment can be at most {BODY_MAX_LENGTH:,} characters long.")
    if not body.strip():
        raise ThreadError("empty", "Write something first.")
    return body


def clean_client_id(client_id: object) -> str:
    if not isinstance(client_id, str) or not 1 <= len(client_id) <= CLIENT_ID_MAX_LENGTH:
        raise ThreadError("invalid", f"client_id must be text of 1 to {CLIENT_ID_MAX_LENGTH} characters.")
    return _check_text(client_id, "client_id")


def _check_text(text: str, name: str) -> str:
    try:
        return check_text(text, name=name)
    except InvalidInput as error:
        raise ThreadError("invalid", str(error)) from error


@transaction.atomic
def comment_create(
    *,
    page: Page,
    user: AbstractBaseUser,
    body: str,
    client_id: str,
    parent_id: int | None = None,
    question: bool = False,
) -> CommentCreated:
    """Add a comment (or a reply) to ``page``'s thread and tell everyone on it.

    A ``question`` (a comment without a parent) is asked of the page's hosts,
    who are notified at once (``blog.threads.questions``).

    Validation order is part of the protocol: field errors first, then the
    idempotent replay (which is never rate limited), then the rate limit.
    The replay is looked up again under the thread's lock, so a concurrent
    retry cannot slip in between the lookup and the insert (under PostgreSQL's
    default READ COMMITTED, the lock's SELECT sees the retry once committed).
    """
    body = clean_body(body)
    client_id = clean_client_id(client_id)
    question = clean_question(question, parent_id=parent_id)
    existing = _existing(page=page, author=user, client_id=client_id)
    if existing is not None:
        return CommentCreated(existing, created=False)
    # The rate limit reads the cache, which may be slow to fail: never with
    # the thread's lock held, where it would hold up every writer.
    retry_after = comment_rate_check(user_id=user.pk)
    if retry_after is not None:
        raise ThreadError(
            "rate_limited", f"You are commenting quickly; wait {retry_after} s.", retry_after=retry_after
        )
    _lock_thread(page)
    # Again under the lock: a concurrent retry may have committed in between.
    existing = _existing(page=page, author=user, client_id=client_id)
    if existing is not None:
        return CommentCreated(existing, created=False)
    parent = None
    if parent_id is not None:
        parent = Comment.objects.filter(page=page, pk=parent_id, deleted=False).first()
        # A hidden comment keeps no conversation going: only editors, who see it, may answer it.
        if parent is None or (parent.hidden and not is_editor(user)):
            raise ThreadError("not_found", "The comment you are replying to is not in this thread.")
    mentioned = _mentioned_people(body)
    comment = Comment(
        page=page,
        author=user,
        parent=parent,
        root_id=(parent.root_id or parent.pk) if parent else None,
        body=body,
        body_html=_rendered(body, mentioned),
        client_id=client_id,
        question=question,
    )
    # The page, author and parent were just loaded: checking that they exist
    # again (``full_clean`` would) costs queries and proves nothing.
    _full_clean(comment, exclude=["page", "author", "parent", "root"])
    comment.save()
    Thread.objects.filter(page=page).update(
        comment_count=F("comment_count") + 1, last_activity=comment.created
    )

    notifications = _notifications_for(comment, page=page, parent=parent, mentioned=mentioned)
    frames.comment_changed(comment, frame_type="comment.created", reactions=NO_REACTIONS)
    if notifications:
        unread = unread_notification_counts(user_ids=[n.recipient_id for n in notifications])
        frames.notifications_made(notifications, unread=unread)
    purge_page_after_commit(page.pk)
    return CommentCreated(comment, created=True)


@transaction.atomic
def comment_edit(*, page: Page, user: AbstractBaseUser, comment_id: int, body: str) -> Comment:
    """Change a comment's body (its author, or an editor) and tell the thread."""
    body = clean_body(body)
    comment = _comment_for_update(page=page, comment_id=comment_id)
    _require_author_or_editor(comment, user)
    comment.body = body
    comment.body_html = _rendered(body, _mentioned_people(body))
    comment.edited = timezone.now()
    _full_clean(comment)
    comment.save(update_fields=["body", "body_html", "edited"])
    frames.comment_changed(comment, frame_type="comment.updated")
    purge_page_after_commit(page.pk)
    return comment


@transaction.atomic
def comment_delete(*, page: Page, user: AbstractBaseUser, comment_id: int) -> Comment:
    """Soft-delete a comment (its author, or an editor); replies keep their place."""
    comment = _comment_for_update(page=page, comment_id=comment_id)
    _require_author_or_editor(comment, user)
    comment.deleted = True
    comment.save(update_fields=["deleted"])
    answer_unmark_if_answer(comment)
    frames.thread_changed(page.pk, {"type": "comment.deleted", "id": comment.pk})
    purge_page_after_commit(page.pk)
    return comment


@transaction.atomic
def comment_hide(*, page: Page, user: AbstractBaseUser, comment_id: int, hidden: bool) -> Comment:
    """Hide a comment from everyone but editors, or show it again (editors only)."""
    if not is_editor(user):
        raise ThreadError("forbidden", "Only editors can hide comments.")
    if not isinstance(hidden, bool):
        raise ThreadError("invalid", "hidden must be true or false.")
    comment = _comment_for_update(page=page, comment_id=comment_id)
    comment.hidden = hidden
    comment.save(update_fields=["hidden"])
    if hidden:
        answer_unmark_if_answer(comment)
    frames.comment_changed(comment, frame_type="comment.updated")
    purge_page_after_commit(page.pk)
    return comment


@transaction.atomic
def reaction_toggle(*, page: Page, user: AbstractBaseUser, comment_id: int, kind: str) -> dict[str, int]:
    """Add ``user``'s reaction of ``kind`` or take it back; returns the new counts."""
    if kind not in REACTION_KINDS:
        raise ThreadError("invalid", f"reaction must be one of {', '.join(REACTION_KINDS)}.")
    comment = _comment_for_update(page=page, comment_id=comment_id)
    if comment.hidden and not is_editor(user):  # as if it were not there (see comment_create)
        raise ThreadError("not_found", "That comment is not in this thread.")
    removed, _ = Reaction.objects.filter(comment=comment, user=user, kind=kind).delete()
    if not removed:
        reaction = Reaction(comment=comment, user=user, kind=kind)
        _full_clean(reaction)
        reaction.save()
    counts = reactions_of(comment.pk)
    frames.thread_changed(page.pk, {"type": "comment.reactions", "id": comment.pk, "reactions": counts})
    purge_page_after_commit(page.pk)
    return counts


@transaction.atomic
@transaction.atomic
def notifications_mark_read(*, user: AbstractBaseUser, ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s unread notifications read: all of them, or only ``ids`` (those just shown).

    Returns how many. When any were, the person's open pages get the new
    unread count after commit, so every header badge agrees.
    """
    unread = Notification.objects.filter(recipient=user, read__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    marked = unread.update(read=timezone.now())
    if marked:
        still_unread = unread_notification_counts(user_ids=[user.pk])[user.pk]
        frames.notifications_read(user_id=user.pk, unread=still_unread)
    return marked


# --- internals ----------------------------------------------------------------


def _existing(*, page: Page, author, client_id: str) -> Comment | None:
    return (
        Comment.objects.filter(page=page, author=author, client_id=client_id)
        .select_related("author", "parent__author")
        .first()
    )


def _lock_thread(page: Page) -> None:
    """Take the thread's row lock until commit, making the row on the first comment."""
    locked = Thread.objects.select_for_update().filter(page=page).values_list("pk", flat=True)
    if not list(locked):
        Thread.objects.bulk_create([Thread(page=page)], ignore_conflicts=True)
        list(locked.all())


def _comment_for_update(*, page: Page, comment_id: object) -> Comment:
    if not isinstance(comment_id, int) or isinstance(comment_id, bool):
        raise ThreadError("invalid", "id must be a comment id.")
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("author", "parent__author")
        .filter(page=page, pk=comment_id, deleted=False)
        .first()
    )
    if comment is None:
        raise ThreadError("not_found", "That comment is not in this thread.")
    return comment


def _require_author_or_editor(comment: Comment, user) -> None:
    if comment.author_id != user.pk and not is_editor(user):
        raise ThreadError("forbidden", "You can only change your own comments.")


def _full_clean(instance, *, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as error:
        raise ThreadError("invalid", "; ".join(error.messages)) from error


def _mentioned_people(body: str) -> dict[str, tuple[int, str]]:
    """The active people ``body`` mentions, lower-cased name → (id, username); no query without a mention."""
    names = sorted(mentioned_usernames(body))[:MAX_MENTIONS]
    if not names:
        return {}
    User = get_user_model()
    matches = Q()
    for name in names:
        matches |= Q(**{f"{User.USERNAME_FIELD}__iexact": name})
    people = User.objects.filter(matches, is_active=True).values_list("pk", User.USERNAME_FIELD)
    return {username.lower(): (user_id, username) for user_id, username in people}


def _rendered(body: str, mentioned: dict[str, tuple[int, str]]) -> str:
    return render_markdown(body, people={name: username for name, (_, username) in mentioned.items()})


def _notifications_for(
    comment: Comment, *, page: Page, parent: Comment | None, mentioned: dict[str, tuple[int, str]]
) -> list[Notification]:
    """Who hears about a new comment, one notification each, the strongest reason winning."""
    kinds: dict[int, str] = dict.fromkeys(
        page.specific_class.thread_follower_ids(page.pk), Notification.Kind.PAIR_POST_COMMENT
    )
    if parent is not None:
        kinds[parent.author_id] = Notification.Kind.REPLY
    for user_id, _ in mentioned.values():
        kinds[user_id] = Notification.Kind.MENTION
    if comment.question:  # asked of the hosts: the strongest reason of all
        kinds.update(dict.fromkeys(page.specific_class.thread_host_ids(page.pk), Notification.Kind.QUESTION))
    kinds.pop(comment.author_id, None)
    # Nobody hears of a page they may not see (the one rule, without their session:
    # a page behind a password notifies nobody).
    allowed = viewers_among(page, user_ids=kinds) if kinds else set()
    kinds = {user_id: kind for user_id, kind in kinds.items() if user_id in allowed}
    if not kinds:
        return []

    actor, title = display_name(comment.author), page.title
    texts = {
        Notification.Kind.MENTION: f"{actor} mentioned you in “{title}”",
        Notification.Kind.REPLY: f"{actor} replied to you in “{title}”",
        Notification.Kind.PAIR_POST_COMMENT: page.specific_class.thread_follower_text(actor, title),
        Notification.Kind.QUESTION: question_text(actor, title),
    }
    url = f"{page.url or ''}#comment-{comment.pk}"
    notifications = [
        Notification(recipient_id=user_id, kind=kind, comment=comment, text=texts[kind][:300], url=url)
        for user_id, kind in kinds.items()
    ]
    return Notification.objects.bulk_create(notifications)


@transaction.atomic
def notice_send(*, recipients: Iterable, text: str, url: str, page: Page | None = None) -> list[Notification]:
    """Tell ``recipients`` something that is not a comment (a new pair, a request answered), then push it.

    A notice about a ``page`` is shown (listed, e-mailed) only while its
    person may see that page. The text is shown escaped, like every
    notification; pushed once committed.
    """
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient=person, kind=Notification.Kind.NOTICE, page=page, text=text[:300], url=url[:500]
        )
        for person in recipients
    )
    if notifications:
        unread = unread_notification_counts(user_ids=[n.recipient_id for n in notifications])
        frames.notifications_made(notifications, unread=unread)
    return notifications
