"""Conversations become lessons: a comment and the replies chosen, promoted into a draft lesson.

Guarantees:

* Permissions: an editor, or a host of the page (a member of its pair: the
  people who mark answers, ``thread_host_ids``), who may see the page, may
  promote a conversation on it; ``PermissionDenied`` otherwise. The
  conversation starts with a comment that is neither deleted nor hidden; the
  replies chosen must be readable replies in it (``ValidationError`` names the
  field, nothing is written).
* ``lesson_promote`` makes one draft ``LessonPage`` under the lessons index:
  the exchange as quote blocks, each attributed to its commenter, the page's
  topics, its pair (if the promoter may credit it), ``inspired_by`` when the
  page is a post, and a ``PromotedConversation`` naming the thread and the
  comments. It then goes through the usual review workflow.
* ``lesson_promotion_published``: the first time that lesson is published, the
  people still quoted in it (quote blocks naming a promoted comment) who may
  see the lesson are told, once; and the conversation links to the lesson
  (the comment object's ``became``, pushed live) when everyone who may read
  the thread may read the lesson.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from wagtail.models import Page

from blog.models import BlogPostPage, PairPageMixin
from blog.threads import frames
from blog.threads.models import Comment
from blog.threads.selectors import thread_comments
from blog.threads.services import notice_send
from learning.models import LearningIndexPage, LessonPage, PromotedConversation
from site.inputs import InvalidInput, check_text
from site.page_cache import purge_page_after_commit
from site.people import display_name, is_editor
from site.visibility import may_view, viewers_among, visible_to_readers_of

TITLE_MAX_LENGTH = 255
MAX_REPLIES = 30


class ConversationNotFound(ObjectDoesNotExist):
    """No conversation with that id that the person may see."""


@dataclass(frozen=True)
class Conversation:
    """A comment that starts a conversation, on its page, and its readable replies, in thread order."""

    page: Page
    comment: Comment
    replies: list[Comment]


def may_promote(user, page: Page) -> bool:
    """Editors, and the page's hosts (a post's or lesson's pair), promote conversations on it."""
    if not user.is_authenticated:
        return False
    return is_editor(user) or user.pk in page.specific_class.thread_host_ids(page.pk)


def conversation_to_promote(*, user, comment_id: int, session=None) -> Conversation:
    """The conversation ``comment_id`` starts, if ``user`` may see its page and promote it.

    ``ConversationNotFound`` when there is none they may see (so a refusal
    does not tell that one exists); ``PermissionDenied`` when they may see it
    but not promote it.
    """
    comment = (
        Comment.objects.select_related("author", "page")
        .filter(pk=comment_id, root__isnull=True, deleted=False, hidden=False)
        .first()
    )
    if comment is None or not may_view(comment.page, user=user, session=session):
        raise ConversationNotFound("That conversation is not here.")
    if not may_promote(user, comment.page):
        raise PermissionDenied("Only an editor or the page's authors can promote a conversation.")
    replies = list(
        Comment.objects.select_related("author")
        .filter(root=comment, deleted=False, hidden=False)
        .order_by("id")[:MAX_REPLIES]
    )
    return Conversation(page=comment.page, comment=comment, replies=replies)


def _clean_title(title: str) -> str:
    try:
        title = " ".join(check_text(title, name="The title").split())
    except InvalidInput as error:
        raise ValidationError({"title": str(error)}) from error
    if not 1 <= len(title) <= TITLE_MAX_LENGTH:
        raise ValidationError({"title": f"Give the lesson a title of 1 to {TITLE_MAX_LENGTH} characters."})
    return title


def quote_block(comment: Comment) -> dict:
    """A comment as a lesson's quote block: its words as written, and who wrote them."""
    return {
        "type": "quote",
        "value": {
            "text": comment.body,
            "author": display_name(comment.author),
            "username": comment.author.get_username(),
            "comment": comment.pk,
        },
    }


def _free_slug(index: Page, title: str) -> str:
    base = (slugify(title, allow_unicode=True)[:50].strip("-")) or "lesson"
    taken = set(index.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def lesson_promote(
    *, user, comment_id: int, reply_ids: Iterable[int], title: str, session=None
) -> LessonPage:
    """Make a draft lesson out of the conversation ``comment_id`` starts and the replies ``reply_ids``.

    Returns the draft (not live), with its first revision saved by ``user``.
    """
    conversation = conversation_to_promote(user=user, comment_id=comment_id, session=session)
    title = _clean_title(title)
    chosen = set(reply_ids)
    replies = [reply for reply in conversation.replies if reply.pk in chosen]
    if len(replies) != len(chosen):
        raise ValidationError({"replies": "Choose replies from this conversation only."})
    index = LearningIndexPage.objects.live().first()
    if index is None:
        raise ValidationError("Lessons are not set up on this site.")
    source = conversation.page.specific
    pair = source.pair if isinstance(source, PairPageMixin) else None
    if pair is not None and not (is_editor(user) or pair.has_member(user)):
        pair = None
    quoted = [conversation.comment, *replies]
    lesson = LessonPage(
        title=title,
        slug=_free_slug(index, title),
        objective="",
        body=[quote_block(comment) for comment in quoted],
        takeaways="",
        pair=pair,
        inspired_by=source if isinstance(source, BlogPostPage) else None,
        owner=user,
        live=False,
    )
    topics = list(source.tags.names()) if hasattr(source, "tags") else []
    if topics:
        lesson.tags.add(*topics)
    index.add_child(instance=lesson)  # a draft: Wagtail checks only its title and slug now
    PromotedConversation.objects.create(
        lesson=lesson,
        page=conversation.page,
        comment=conversation.comment,
        comment_ids=[comment.pk for comment in quoted],
        promoted_by=user,
    )
    # Its objective and takeaways are the promoter's to write: the draft is
    # checked as Wagtail checks any draft (title and slug, just done), and in
    # full when it is published.
    lesson.save_revision(user=user, log_action=True, clean=False)
    return lesson


@transaction.atomic
def lesson_promotion_published(*, lesson: Page) -> PromotedConversation | None:
    """``lesson`` was published: if it was promoted from a conversation, do what that promises, once.

    The people quoted are told ("your question became a lesson"), and the
    conversation links to the lesson. Publishing it again does neither twice.
    """
    origin = (
        PromotedConversation.objects.select_for_update(of=("self",))
        .select_related("comment", "page")
        .filter(lesson_id=lesson.pk, published__isnull=True)
        .first()
    )
    if origin is None:
        return None
    lesson = lesson.specific
    origin.published = timezone.now()
    origin.save(update_fields=["published"])
    _tell_quoted(origin, lesson=lesson)
    if visible_to_readers_of(lesson, source=origin.page):
        Comment.objects.filter(pk=origin.comment_id).update(became=lesson)
        comment = thread_comments(origin.page_id).get(pk=origin.comment_id)
        frames.comment_changed(comment, frame_type="comment.updated")
        purge_page_after_commit(origin.page_id)
    return origin


def quoted_comment_ids(lesson: LessonPage) -> set[int]:
    """The comments the lesson's quote blocks name, as it is now (an editor may have cut some)."""
    return {
        block.value["comment"]
        for block in lesson.body
        if block.block_type == "quote" and block.value.get("comment")
    }


def _tell_quoted(origin: PromotedConversation, *, lesson: LessonPage) -> None:
    quoted = quoted_comment_ids(lesson) & set(origin.comment_ids)
    authors = dict(
        Comment.objects.filter(pk__in=quoted, deleted=False).values_list("author_id", "pk").order_by("pk")
    )
    allowed = viewers_among(lesson, user_ids=authors)
    if not allowed:
        return
    asker = origin.comment.author_id if origin.comment.question else None
    people = get_user_model().objects.filter(pk__in=allowed, is_active=True).order_by("pk")
    for what, recipients in (
        ("question", [person for person in people if person.pk == asker]),
        ("comment", [person for person in people if person.pk != asker]),
    ):
        if recipients:
            text = f"Your {what} became a lesson: “{lesson.title}”"
            notice_send(recipients=recipients, text=text, url=lesson.url or "")
