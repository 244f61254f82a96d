"""Flags on comments and the editors' review of them.

Readers flag a comment (a reason, and a note); once enough distinct people
have flagged it (``COMMENT_FLAG_THRESHOLD``) it is hidden pending review.
Editors then hide it for good, restore it, or dismiss the flags.

Guarantees, relied on by ``docs/threads-protocol.md``:

* Saved first, broadcast after commit (``frames``): hiding or restoring sends
  the usual ``comment.updated``; a flag by itself tells nobody on the thread
  (flags are private) and answers only the flagger.
* Once per person and comment: flagging again changes nothing, answers with
  the flag that exists, and is never rate limited (a retry is safe).
* Nobody flags their own comment, a deleted one, or a hidden one they cannot
  see (``not_found``, as elsewhere).
* Editors hear of each new flag (kind ``flagged``, one per editor and comment,
  unread again at each flag), only those the visibility rule lets see the page.
* Each review is recorded in Wagtail's audit log (``pairwise.comment.*``).
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from wagtail.log_actions import log
from wagtail.models import Page

from blog.threads import frames
from blog.threads.errors import ThreadError
from blog.threads.limits import flag_rate_check
from blog.threads.models import FLAG_NOTE_MAX_LENGTH, Comment, CommentFlag, Notification
from blog.threads.questions import answer_unmark_if_answer
from blog.threads.selectors import unread_notification_counts
from site.inputs import InvalidInput, check_text
from site.page_cache import purge_page_after_commit
from site.people import EDITORS, display_name, is_editor
from site.visibility import viewers_among

REASONS: tuple[str, ...] = tuple(CommentFlag.Reason.values)

# What an editor's review does, and the audit-log action that records it.
REVIEW_ACTIONS = {
    "hide": ("pairwise.comment.hide", "Hide comment", "Comment hidden after review"),
    "restore": ("pairwise.comment.restore", "Restore comment", "Comment restored after review"),
    "dismiss": ("pairwise.comment.dismiss_flags", "Dismiss flags", "Flags on the comment dismissed"),
}
OUTCOMES = {
    "hide": CommentFlag.Outcome.HIDDEN,
    "restore": CommentFlag.Outcome.RESTORED,
    "dismiss": CommentFlag.Outcome.DISMISSED,
}


@dataclass(frozen=True)
class FlagResult:
    flag: CommentFlag
    created: bool  # False when the person had flagged the comment already: nothing was written
    hidden: bool  # the comment is hidden now (pending review, or already)


def clean_flag(reason: object, note: object) -> tuple[str, str]:
    """A flag's ``reason`` (one of ``REASONS``) and ``note`` (text; required for ``other``)."""
    if not isinstance(reason, str) or reason not in REASONS:
        raise ThreadError("invalid", f"reason must be one of {', '.join(REASONS)}.")
    if note is None:
        note = ""
    if not isinstance(note, str):
        raise ThreadError("invalid", "note must be text.")
    try:
        note = check_text(note, name="The note").strip()
    except InvalidInput as error:
        raise ThreadError("invalid", str(error)) from error
    if len(note) > FLAG_NOTE_MAX_LENGTH:
        raise ThreadError("too_long", f"A note can be at most {FLAG_NOTE_MAX_LENGTH} characters long.")
    if reason == CommentFlag.Reason.OTHER and not note:
        raise ThreadError("empty", "Say what is wrong with the comment.")
    return reason, note


@transaction.atomic
def comment_flag(
    *, page: Page, user: AbstractBaseUser, comment_id: object, reason: object, note: object = ""
) -> FlagResult:
    """Flag a comment for the editors; hide it pending review once enough people have.

    Validation order: fields, the comment (exists, visible, not one's own),
    the replay of an earlier flag (never rate limited), then the rate limit.
    """
    reason, note = clean_flag(reason, note)
    if not isinstance(comment_id, int) or isinstance(comment_id, bool):
        raise ThreadError("invalid", "id must be a comment id.")
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("author")
        .filter(page=page, pk=comment_id, deleted=False)
        .first()
    )
    if comment is None or (comment.hidden and not is_editor(user)):
        raise ThreadError("not_found", "That comment is not in this thread.")
    if comment.author_id == user.pk:
        raise ThreadError("forbidden", "You cannot flag your own comment.")
    existing = CommentFlag.objects.filter(comment=comment, flagger=user).first()
    if existing is not None:
        return FlagResult(existing, created=False, hidden=comment.hidden)
    retry_after = flag_rate_check(user_id=user.pk)
    if retry_after is not None:
        raise ThreadError(
            "rate_limited", f"You are flagging quickly; wait {retry_after} s.", retry_after=retry_after
        )
    flag = CommentFlag.objects.create(comment=comment, flagger=user, reason=reason, note=note)
    open_flaggers = (
        CommentFlag.objects.filter(comment=comment, outcome=CommentFlag.Outcome.OPEN)
        .values("flagger")
        .distinct()
        .count()
    )
    if not comment.hidden and open_flaggers >= settings.COMMENT_FLAG_THRESHOLD:
        _set_hidden(comment, hidden=True)
    _tell_editors(comment, flag=flag, page=page, open_flags=open_flaggers)
    return FlagResult(flag, created=True, hidden=comment.hidden)


@transaction.atomic
def comment_review(*, user: AbstractBaseUser, comment_id: int, action: str) -> Comment:
    """An editor's verdict on a flagged comment: ``hide``, ``restore`` (show it) or ``dismiss`` the flags.

    Only editors who may see the comment's page. Every open flag on it is
    closed with the outcome; the comment's change (or its unchanged state, for
    ``dismiss``) is broadcast as ``comment.updated``, and the review logged.
    Raises ``PermissionDenied`` or ``Comment.DoesNotExist``.
    """
    if action not in REVIEW_ACTIONS:
        raise ValueError(f"unknown review action {action!r}")
    if not is_editor(user):
        raise PermissionDenied
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("author", "page")
        .get(pk=comment_id, deleted=False)
    )
    if not viewers_among(comment.page, user_ids=[user.pk]):
        raise PermissionDenied
    closed = CommentFlag.objects.filter(comment=comment, outcome=CommentFlag.Outcome.OPEN).update(
        outcome=OUTCOMES[action], reviewed=timezone.now(), reviewed_by=user
    )
    if action == "hide" and not comment.hidden:
        _set_hidden(comment, hidden=True)
    elif action == "restore" and comment.hidden:
        _set_hidden(comment, hidden=False)
    else:
        frames.comment_changed(comment, frame_type="comment.updated")
    log(
        instance=comment,
        action=REVIEW_ACTIONS[action][0],
        user=user,
        title=f"Comment {comment.pk} on “{comment.page.title}”",
        data={"comment": comment.pk, "page": comment.page_id, "flags": closed},
    )
    return comment


# --- internals ----------------------------------------------------------------


def _set_hidden(comment: Comment, *, hidden: bool) -> None:
    comment.hidden = hidden
    comment.save(update_fields=["hidden"])
    if hidden:
        answer_unmark_if_answer(comment)
    frames.comment_changed(comment, frame_type="comment.updated")
    purge_page_after_commit(comment.page_id)


def review_url() -> str:
    try:
        return reverse("comment_review:index")
    except NoReverseMatch:  # the admin is not mounted (a site without it)
        return ""


def _tell_editors(comment: Comment, *, flag: CommentFlag, page: Page, open_flags: int) -> None:
    """Every editor who may see the page hears of the flag; their notice is replaced, unread again."""
    User = get_user_model()
    editors = set(
        User.objects.filter(Q(groups__name=EDITORS) | Q(is_superuser=True), is_active=True)
        .exclude(pk=flag.flagger_id)
        .values_list("pk", flat=True)
        .distinct()
    )
    recipients = viewers_among(page, user_ids=editors) if editors else set()
    if not recipients:
        return
    Notification.objects.filter(
        recipient_id__in=recipients, comment=comment, kind=Notification.Kind.FLAGGED
    ).delete()
    flags = "1 open flag" if open_flags == 1 else f"{open_flags} open flags"
    text = (
        f"{display_name(flag.flagger)} flagged a comment by {display_name(comment.author)} "
        f"in “{page.title}” ({flag.get_reason_display().lower()}; {flags})"
    )
    url = review_url() or f"{page.url or ''}#comment-{comment.pk}"
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id, kind=Notification.Kind.FLAGGED, comment=comment, text=text[:300], url=url
        )
        for user_id in recipients
    )
    frames.notifications_made(notifications, unread=unread_notification_counts(user_ids=recipients))
