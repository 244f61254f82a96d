"""Reads of threads: the comment object of the protocol, snapshots and syncs.

Every read is a fixed number of queries: the comments with their authors, then
one aggregate for the reaction counts. A thread's newest comments are read once
per version of the thread for every reader in the process, handshakes and pages
alike (``newest_records``), and narrowed to each reader.
"""

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from wagtail.models import Page

from blog.threads import snapshots
from blog.threads.actions import conversation_actions
from blog.threads.models import Comment, Notification, Reaction, Thread
from blog.threads.rendering import body_excerpt
from site.people import display_name, is_editor, person_url
from site.visibility import visible_pages, visible_to_people

SNAPSHOT_SIZE = 100
SYNC_LIMIT = 500
REACTION_KINDS: tuple[str, ...] = tuple(Reaction.Kind.values)
NO_REACTIONS: dict[str, int] = dict.fromkeys(REACTION_KINDS, 0)


@dataclass(frozen=True)
class Viewer:
    """Who a comment is serialised for: it decides ``client_id`` and hidden bodies."""

    user_id: int | None = None
    is_editor: bool = False

    @classmethod
    def of(cls, user) -> "Viewer":

        if user is None or not user.is_authenticated:
            return cls()
        return cls(user_id=user.pk, is_editor=is_editor(user))


ANONYMOUS = Viewer()
# Reads everything any viewer may get (the source too), for records shared by all (``comment_record``).
WITH_SOURCE = Viewer(user_id=0, is_editor=True)


@dataclass
class CommentBatch:
    comments: list[dict[str, Any]]
    last_id: int | None
    has_more: bool

    def as_dict(self) -> dict[str, Any]:
        return {"comments": self.comments, "last_id": self.last_id, "has_more": self.has_more}


# What a comment frame shows: no parent row, the author's names, and a question's
# answer as it quotes it; the Markdown source (``body``) only for signed-in readers
# (``SOURCE_FIELDS``), who get it for their own comments (editors: all).
SOURCE_FIELDS = ("body",)
FRAME_FIELDS = (
    *("id", "page_id", "parent_id", "root_id", "author_id", "body_html", "created", "edited"),
    *("deleted", "hidden", "client_id", "author__username", "author__first_name", "author__last_name"),
    *("question", "accepted", "answer_id", "answer__body_html", "answer__deleted", "answer__hidden"),
    *("answer__author_id", "answer__author__username", "answer__author__first_name"),
    *("answer__author__last_name", "became_id", "became__url_path", "became__live"),
)


def thread_comments(page_id: int, *, viewer: "Viewer | None" = None) -> QuerySet[Comment]:
    """A thread's comments with their authors and answers, as frames show them.

    Frames name a parent by id only, so their comments load just the columns a
    frame shows: every handshake reads them (``bench/burst.py``). The Markdown
    source is loaded only for a signed-in ``viewer`` (an anonymous one never gets it).
    """
    fields = FRAME_FIELDS + (SOURCE_FIELDS if viewer is not None and viewer.user_id is not None else ())
    comments = Comment.objects.filter(page_id=page_id)
    return comments.select_related("author", "answer__author", "became").only(*fields)


def reaction_counts(comment_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """``{comment_id: {"like": n, ...}}`` with every kind present, in one query."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(REACTION_KINDS, 0))
    rows = (
        Reaction.objects.filter(comment_id__in=list(comment_ids))
        .values_list("comment_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for comment_id, kind, n in rows:
        counts[comment_id][kind] = n
    return counts


def reactions_of(comment_id: int) -> dict[str, int]:
    return dict(reaction_counts([comment_id])[comment_id])


def iso(moment) -> str | None:
    """ISO 8601 in UTC, with a ``Z``."""
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def author_data(author) -> dict[str, str]:
    username = author.get_username()
    return {"username": username, "name": display_name(author), "url": person_url(username)}


def answer_data(answer: Comment | None) -> dict[str, Any] | None:
    """How a question quotes its answer: ``{"id", "author", "body_html"}``, or None.

    Services clear the mark when the answer is deleted or hidden, so what is
    quoted is always a comment everyone on the thread can read.
    """
    if answer is None or answer.deleted or answer.hidden:
        return None
    return {"id": answer.pk, "author": author_data(answer.author), "body_html": answer.body_html}


def became_data(comment: Comment) -> dict[str, str] | None:
    """Where a conversation went on (``{"url"}``: the lesson it became), or None."""
    if comment.became_id is None or comment.deleted or not comment.became.live:
        return None
    return {"url": comment.became.url or ""}


def comment_data(comment: Comment, *, viewer: Viewer, reactions: dict[str, int]) -> dict[str, Any]:
    """The comment object of the protocol, as ``viewer`` may see it."""
    return comment_for(comment_record(comment, reactions=reactions), viewer=viewer)


def comment_record(comment: Comment, *, reactions: dict[str, int]) -> dict[str, Any]:
    """The comment object with all any viewer may get, and its author's id (``comment_for`` narrows it)."""
    return {
        "author_id": comment.author_id,
        "root_id": comment.root_id,
        "created": comment.created,
        "object": {
            "id": comment.pk,
            "thread": comment.page_id,
            "parent": comment.parent_id,
            "author": author_data(comment.author),
            "body_html": "" if comment.deleted else comment.body_html,
            # Left unread when the comments were loaded for a reader who never gets it.
            "body": None if comment.deleted or "body" in comment.get_deferred_fields() else comment.body,
            "created": iso(comment.created),
            "edited": iso(comment.edited),
            "deleted": comment.deleted,
            "hidden": comment.hidden,
            "reactions": dict(reactions),
            "client_id": comment.client_id,
            "question": comment.question,
            "answer": answer_data(comment.answer) if comment.answer_id else None,
            "answer_to": comment.root_id if comment.accepted else None,
            "became": became_data(comment),
        },
    }


def comment_for(record: dict[str, Any], *, viewer: Viewer) -> dict[str, Any]:
    """A ``comment_record`` as ``viewer`` may see it.

    A hidden comment's body only for editors; the Markdown source only for its
    signed-in author and editors, never a deleted comment's (the record has
    none); ``client_id`` only for its author.
    """
    data = dict(record["object"])
    author = viewer.user_id is not None and viewer.user_id == record["author_id"]
    if data["hidden"] and not viewer.is_editor:
        data["body_html"] = ""
    if not (author or (viewer.is_editor and viewer.user_id is not None)):
        data["body"] = None
    if not author:
        data["client_id"] = None
    return data


def comment_in_thread(*, page_id: int, comment_id: int) -> Comment | None:
    """One comment of a thread (deleted ones too, as lists show them), ready for its object; one query."""
    comments = Comment.objects.filter(page_id=page_id, pk=comment_id)
    return comments.select_related("author", "answer__author").first()


def _batch(comments: list[Comment], *, viewer: Viewer, has_more: bool) -> CommentBatch:
    return _batch_of(_records(comments), viewer=viewer, has_more=has_more)


def _records(comments: list[Comment]) -> list[dict[str, Any]]:
    counts = reaction_counts(c.pk for c in comments) if comments else {}
    return [comment_record(c, reactions=counts.get(c.pk) or dict(NO_REACTIONS)) for c in comments]


def _batch_of(records: list[dict[str, Any]], *, viewer: Viewer, has_more: bool) -> CommentBatch:
    return CommentBatch(
        comments=[comment_for(record, viewer=viewer) for record in records],
        last_id=records[-1]["object"]["id"] if records else None,
        has_more=has_more,
    )


def newest_comments(
    page_id: int, limit: int = SNAPSHOT_SIZE, *, viewer: Viewer | None = None
) -> tuple[list[Comment], bool]:
    """The newest ``limit`` comments, oldest first, and whether older ones exist; one query."""
    newest = list(thread_comments(page_id, viewer=viewer).order_by("-id")[: limit + 1])
    return newest[:limit][::-1], len(newest) > limit


def newest_records(page_id: int, limit: int = SNAPSHOT_SIZE) -> tuple[list[dict[str, Any]], bool]:
    """The newest ``limit`` comments as records for every viewer, and whether older ones exist.

    One read per thread version for the whole process, shared by handshakes and
    pages (``snapshots.kept_records``); two queries, three when a reply's parent
    is older than the newest ``limit``. Each record also names its parent's
    author (``parent_author``), for a page's "replying to @name".
    """

    def read() -> tuple[list[dict[str, Any]], bool]:
        comments, has_more = newest_comments(page_id, limit, viewer=WITH_SOURCE)
        records = _records(comments)
        authors = {c.pk: c.author.get_username() for c in comments}
        older = {c.parent_id for c in comments if c.parent_id and c.parent_id not in authors}
        if older:
            authors.update(Comment.objects.filter(pk__in=older).values_list("pk", "author__username"))
        for record in records:
            record["parent_author"] = authors.get(record["object"]["parent"])
        return records, has_more

    return snapshots.kept_records(page_id, limit, read)


def thread_snapshot(
    *, page_id: int, viewer: Viewer, limit: int = SNAPSHOT_SIZE, kept: bool = False
) -> CommentBatch:
    """The newest ``limit`` comments, oldest first; ``has_more`` if older exist.

    ``kept``: as this process read them lately, while the thread is unchanged
    (``newest_records``: a socket's handshake, after joining the group).
    """
    if not kept:
        comments, has_more = newest_comments(page_id, limit, viewer=viewer)
        return _batch(comments, viewer=viewer, has_more=has_more)
    records, has_more = newest_records(page_id, limit)
    return _batch_of(records, viewer=viewer, has_more=has_more)


def thread_after(*, page_id: int, after: int, viewer: Viewer, limit: int = SYNC_LIMIT) -> CommentBatch:
    """Every comment with an id above ``after``, ascending, at most ``limit``."""
    rows = list(thread_comments(page_id, viewer=viewer).filter(pk__gt=after).order_by("id")[: limit + 1])
    return _batch(rows[:limit], viewer=viewer, has_more=len(rows) > limit)


def thread_before(*, page_id: int, before: int, viewer: Viewer, limit: int = SNAPSHOT_SIZE) -> CommentBatch:
    """The ``limit`` comments just older than ``before``, ascending; ``has_more`` if older still exist."""
    rows = list(thread_comments(page_id, viewer=viewer).filter(pk__lt=before).order_by("-id")[: limit + 1])
    return _batch(rows[:limit][::-1], viewer=viewer, has_more=len(rows) > limit)


def _shown_to_recipient() -> Q:
    """Notices about no page, and notifications about pages their recipients may still see (the one rule)."""
    notice = Q(comment__isnull=True)
    return (
        (notice & Q(page__isnull=True))
        | (notice & visible_to_people(page="page", person="recipient"))
        | visible_to_people(page="comment__page", person="recipient")
    )


def visible_notifications(*, user) -> QuerySet[Notification]:
    """``user``'s notifications that they may still see (checked at display time)."""
    return Notification.objects.filter(_shown_to_recipient(), recipient=user)


def unread_notifications_fact(user, page=None):
    """``site.readers`` fact: the reader's unread notifications, as an annotation on their user row."""
    unread = (
        visible_notifications(user=user)
        .filter(read__isnull=True)
        .values("recipient")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), 0)


def unread_notification_counts(*, user_ids: Iterable[int]) -> dict[int, int]:
    """``{user_id: unread}`` for several people in one query; 0 for those with none."""
    user_ids = list(user_ids)
    counts = dict.fromkeys(user_ids, 0)
    if user_ids:
        rows = (
            Notification.objects.filter(
                _shown_to_recipient(),
                recipient_id__in=user_ids,
                read__isnull=True,
            )
            .values_list("recipient_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        counts.update(rows)
    return counts


NOTIFICATION_EXCERPT_LENGTH = 140


@dataclass(frozen=True)
class NotificationEntry:
    """A notification as the list shows it, with the start of its comment (plain text, to be escaped)."""

    notification: Notification
    excerpt: str


def notification_list(*, user, limit: int = 50) -> list[NotificationEntry]:
    """``user``'s newest notifications they may still see, each with an excerpt; one query."""
    return notification_entries(visible_notifications(user=user).select_related("comment")[:limit])


def notification_entries(rows: Iterable[Notification]) -> list[NotificationEntry]:
    """Notifications (with their comments loaded) as lists and e-mails show them."""
    return [NotificationEntry(row, _comment_excerpt(row.comment)) for row in rows]


def _comment_excerpt(comment: Comment | None) -> str:
    # A notice has no comment; a removed or hidden comment shows nothing of what it said.
    if comment is None or comment.deleted or comment.hidden:
        return ""
    return body_excerpt(comment.body_html, length=NOTIFICATION_EXCERPT_LENGTH)


def questions_waiting_count(*, user) -> int:
    """Questions asked of ``user`` (as a page's host) still open, on pages they may see; one query."""
    return (
        visible_notifications(user=user)
        .filter(
            kind=Notification.Kind.QUESTION,
            comment__answer__isnull=True,
            comment__deleted=False,
            comment__hidden=False,
        )
        .count()
    )


def notification_data(notification: Notification) -> dict[str, Any]:
    return {
        "kind": notification.kind,
        "text": notification.text,
        "url": notification.url,
        "created": iso(notification.created),
    }


# --- the thread as a page renders it -------------------------------------------------

REACTION_LABELS = dict(Reaction.Kind.choices)


@dataclass
class CommentView:
    """One comment ready for the template; replies sit one level under their root."""

    id: int
    parent_id: int | None
    author_username: str
    author_name: str
    body_html: str
    created: Any
    edited: Any
    deleted: bool
    hidden: bool
    reactions: list[dict[str, Any]]
    replying_to: str | None
    can_change: bool
    replies: list["CommentView"] = field(default_factory=list)
    source: str = ""  # the Markdown, for the edit form of those who may change it
    question: bool = False
    answer: dict[str, Any] | None = None  # a question's answer, as ``answer_data`` quotes it
    is_answer: bool = False
    # A reply in a question's conversation that the viewer may mark (or unmark) as its answer.
    answer_of: int | None = None
    became: dict[str, str] | None = None  # the lesson the conversation became (``became_data``)
    # ``(label, url)``: what the viewer may do with the conversation (``blog.threads.actions``).
    actions: list[tuple[str, str]] = field(default_factory=list)


def own_reactions(comment_ids: Iterable[int], *, user_id: int) -> set[tuple[int, str]]:
    """``{(comment_id, kind)}``: the reactions ``user_id`` gave to these comments, in one query."""
    rows = Reaction.objects.filter(user_id=user_id, comment_id__in=list(comment_ids))
    return set(rows.values_list("comment_id", "kind"))


def thread_context(
    *,
    page,
    user,
    viewer: Viewer | None = None,
    form_body: str = "",
    form_error: str = "",
    form_parent=None,
    form_question: bool = False,
    form_edit: str | None = None,
    form_flag: str | None = None,
) -> dict:
    """Everything ``blog/includes/thread.html`` shows.

    The comments are the records every reader of the thread shares while it is
    unchanged (``newest_records``), narrowed here to ``viewer``; a signed-in
    reader's own reactions are one query more.
    ``viewer`` saves a query when the caller already knows whether ``user`` is an editor.
    ``form_parent``, ``form_edit`` and ``form_flag`` name the comment (an id as text)
    whose reply, edit or flag form is shown open, as asked for or as refused.
    """
    viewer = viewer or Viewer.of(user)
    records, has_more = newest_records(page.pk)
    # Whether the viewer marks answers here: a live question may arrive later, so asked whatever the comments.
    may_answer = viewer.is_editor or (viewer.user_id is not None and viewer.user_id in page.thread_hosts())
    mine: set[tuple[int, str]] = set()
    if viewer.user_id is not None and records:
        mine = own_reactions((r["object"]["id"] for r in records), user_id=viewer.user_id)
    referenced = {r["object"]["parent"] for r in records}
    referenced |= {r["root_id"] for r in records if not r["object"]["deleted"]}
    views: dict[int, CommentView] = {}
    roots: list[CommentView] = []
    for record in records:
        c = record["object"]
        pk, root_id, deleted, hidden = c["id"], record["root_id"], c["deleted"], c["hidden"]
        if deleted and pk not in referenced:
            continue
        changes = not deleted and (viewer.is_editor or viewer.user_id == record["author_id"])
        view = CommentView(
            id=pk,
            parent_id=c["parent"],
            author_username=c["author"]["username"],
            author_name=c["author"]["name"],
            body_html=c["body_html"] if not hidden or viewer.is_editor else "",
            created=record["created"],
            edited=c["edited"],
            deleted=deleted,
            hidden=hidden,
            reactions=[
                {
                    "kind": kind,
                    "label": REACTION_LABELS[kind],
                    "count": c["reactions"][kind],
                    "pressed": (pk, kind) in mine,
                }
                for kind in REACTION_KINDS
            ],
            replying_to=record["parent_author"] if c["parent"] and c["parent"] != root_id else None,
            can_change=changes,
            source=(c["body"] or "") if changes else "",
            question=c["question"],
            answer=c["answer"],
            is_answer=c["answer_to"] is not None,
            became=c["became"],
        )
        views[pk] = view
        root = views.get(root_id) if root_id else None
        if root is not None:
            if root.question and may_answer and not (deleted or hidden):
                view.answer_of = root.id
            root.replies.append(view)
        else:
            if root_id:  # its root is older than the window
                view.replying_to = record["parent_author"]
            if may_answer and not (deleted or hidden):
                view.actions = conversation_actions(pk)
            roots.append(view)
    if form_parent is not None and str(form_parent) not in {str(pk) for pk in views}:
        form_parent = None  # no reply form to show it in: the text goes back in the main form
    return {
        "roots": roots,
        "count": sum(1 for r in records if not r["object"]["deleted"]),
        "last_id": records[-1]["object"]["id"] if records else None,
        "has_more": has_more,
        "can_post": viewer.user_id is not None,
        "is_editor": viewer.is_editor,
        "may_answer": may_answer,
        "username": user.get_username() if viewer.user_id is not None else "",
        "form_client_id": uuid.uuid4().hex,
        "form_body": form_body,
        "form_error": form_error,
        "form_parent": form_parent,
        "form_question": form_question,
        "form_edit": form_edit,
        "form_flag": form_flag,
        "reaction_kinds": [{"kind": kind, "label": REACTION_LABELS[kind]} for kind in REACTION_KINDS],
    }


@dataclass(frozen=True)
class LiveConversation:
    title: str
    url: str
    comment_count: int
    last_activity: datetime.datetime


LIVE_CONVERSATION_DAYS = 7


def live_conversations(*, user, limit: int = 5) -> list[LiveConversation]:
    """The threads most recently written in (within a week) on pages ``user`` may see; one query."""
    since = timezone.now() - datetime.timedelta(days=LIVE_CONVERSATION_DAYS)
    pages = visible_pages(Page.objects.all(), user=user)
    threads = (
        Thread.objects.filter(page__in=pages, comment_count__gt=0, last_activity__gte=since)
        .select_related("page")
        .only("comment_count", "last_activity", "page__title", "page__url_path")
        .order_by("-last_activity")[:limit]
    )
    return [
        LiveConversation(
            title=thread.page.title,
            url=thread.page.url or "",
            comment_count=thread.comment_count,
            last_activity=thread.last_activity,
        )
        for thread in threads
    ]
