"""Questions for a page's hosts, and the answer a host marks: tracked until answered.

A comment that starts a conversation may be a question (``comment_create``
with ``question=True``): the hosts the page names (``thread_host_ids``: a
post's or lesson's pair) are told at once. A host or an editor then marks one
reply in that conversation as its answer, or unmarks it; the asker is told
when an answer is marked.

Guarantees, relied on by ``docs/threads-protocol.md``:

* Saved first, broadcast after commit: ``comment.answered`` carries the
  question's answer as it is then (``frames.answer_changed``); the comment
  object carries the same state, so a snapshot or a sync catches up.
* A question has at most one answer; marking another replaces it. Marking
  the answer already marked writes nothing and is broadcast again
  (idempotent for a retrying client); so is unmarking a question with none.
* The answer is always readable by everyone on the thread: a reply that is
  deleted or hidden cannot be marked, and deleting or hiding the answer
  unmarks it (``answer_unmark_if_answer``), with its own ``comment.answered``.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from wagtail.models import Page

from blog.threads import frames
from blog.threads.errors import ThreadError
from blog.threads.models import Comment, Notification
from blog.threads.selectors import unread_notification_counts
from site.page_cache import purge_page_after_commit
from site.people import display_name, is_editor
from site.visibility import viewers_among


def clean_question(question: object, *, parent_id: int | None) -> bool:
    """The ``question`` field of a new comment: a boolean, and only on a comment without a parent."""
    if question is None:
        return False
    if not isinstance(question, bool):
        raise ThreadError("invalid", "question must be true or false.")
    if question and parent_id is not None:
        raise ThreadError("invalid", "Only a new conversation can be a question, not a reply.")
    return question


@transaction.atomic
def comment_answer(*, page: Page, user: AbstractBaseUser, question_id: object, answer_id: object) -> Comment:
    """Mark ``answer_id`` as the answer to the question ``question_id``, or unmark it (``None``).

    Only the page's hosts and editors may. The question must be a question in
    this thread, not deleted (nor hidden, unless the person is an editor);
    the answer a reply in its conversation, neither deleted nor hidden.
    Returns the question with its ``answer`` as it now is.
    """
    question_id = _comment_id(question_id, "question")
    answer_id = None if answer_id is None else _comment_id(answer_id, "answer")
    question = _locked(page=page, pk=question_id)
    if question is None or (question.hidden and not is_editor(user)):
        raise ThreadError("not_found", "That question is not in this thread.")
    if not question.question:
        raise ThreadError("invalid", "That comment is not a question.")
    if not is_editor(user) and user.pk not in page.specific_class.thread_host_ids(page.pk):
        raise ThreadError("forbidden", "Only the page's authors or an editor can mark the answer.")
    answer = None
    if answer_id is not None:
        answer = _locked(page=page, pk=answer_id)
        if answer is None or answer.hidden:
            raise ThreadError("not_found", "That answer is not in this thread.")
        if answer.root_id != question.pk:
            raise ThreadError("invalid", "The answer must be a reply in the question's conversation.")
    previous_id = question.answer_id
    question.answer = answer
    if previous_id == answer_id:
        frames.answer_changed(question, previous_id=None)
        return question
    if previous_id is not None:
        Comment.objects.filter(pk=previous_id).update(accepted=False)
    if answer is not None:
        answer.accepted = True
        answer.save(update_fields=["accepted"])
    question.answered = timezone.now() if answer is not None else None
    question.save(update_fields=["answer", "answered"])
    frames.answer_changed(question, previous_id=previous_id)
    if answer is not None:
        _tell_asker(question, answer=answer, marked_by=user, page=page)
    purge_page_after_commit(page.pk)
    return question


def answer_unmark_if_answer(comment: Comment) -> None:
    """``comment`` is being deleted or hidden: if it is an answer, its question is open again.

    Part of the caller's transaction; the question hears ``comment.answered`` with no answer.
    """
    if not comment.accepted:
        return
    comment.accepted = False
    Comment.objects.filter(pk=comment.pk).update(accepted=False)
    question = Comment.objects.filter(pk=comment.root_id, answer=comment).first()
    if question is None:
        return
    question.answer, question.answered = None, None
    question.save(update_fields=["answer", "answered"])
    frames.answer_changed(question, previous_id=comment.pk)


def question_text(actor: str, title: str) -> str:
    """What a host's ``question`` notification says."""
    return f"{actor} asked you a question in “{title}”"


# --- internals ----------------------------------------------------------------


def _comment_id(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ThreadError("invalid", f"{name} must be a comment id.")
    return value


def _locked(*, page: Page, pk: int) -> Comment | None:
    return (
        Comment.objects.select_for_update(of=("self",))
        .select_related("author")
        .filter(page=page, pk=pk, deleted=False)
        .first()
    )


def _tell_asker(question: Comment, *, answer: Comment, marked_by, page: Page) -> None:
    """The asker hears that their question has an answer, if they may see the page (the one rule).

    One notification per question: marking another answer later replaces it, unread again.
    """
    asker = question.author_id
    if asker == marked_by.pk or not viewers_among(page, user_ids=[asker]):
        return
    Notification.objects.filter(recipient_id=asker, comment=question).delete()
    notification = Notification.objects.create(
        recipient_id=asker,
        kind=Notification.Kind.ANSWERED,
        comment=question,
        text=f"{display_name(marked_by)} marked an answer to your question in “{page.title}”"[:300],
        url=f"{page.url or ''}#comment-{answer.pk}"[:500],
    )
    frames.notifications_made([notification], unread=unread_notification_counts(user_ids=[asker]))
