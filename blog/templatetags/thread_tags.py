"""``{% thread_comments %}``: a thread's comments as HTML, written in Python.

A thread of 50 comments is some 3,000 template nodes as an include per
comment (reaction buttons, the actions form, the reply form), two thirds of
the post page's time; the same markup written here costs a few milliseconds.
The markup is the one ``site/static/js/thread.js`` builds for comments that
arrive live (``renderComment``): change both together. Every value that comes
from a person is escaped; ``body_html`` was sanitised when it was written.

Forms carry a CSRF token only for readers who may post, so a page anonymous
visitors get holds nothing specific to them and can be cached.

The page stays light with fifty comments: anonymous readers get the counts of
the reactions given, not buttons they cannot press; signed-in readers get the
buttons, all submitting the one ``thread-actions`` form (``act`` says what,
on which comment), and a link for each of Reply, Edit and Flag, which opens
that one form (``?reply=<id>`` and so on). Once the socket is live thread.js
draws every comment again with its forms in place.

What is repeated fifty times says nothing twice: thread.css styles a
comment's parts by where they stand (``.comment > article > header``, the
author's picture and its size as ``header > img``,
``.reactions > button``, ``.comment__actions > a``) rather than by a class on
each, and draws a reaction's icon from its kind, which ends the button's
``act`` value (``react:12:like``) or names a count (``data-reaction``);
thread.js reads the kind and the pressed state from the same attributes.
"""

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from blog.threads.models import CommentFlag
from blog.threads.selectors import CommentView
from site.people import avatar_url, person_url

# A time for a ``datetime`` attribute: to the second, as HTML allows (not microseconds).
MACHINE_TIME = "%Y-%m-%dT%H:%M:%S%z"

register = template.Library()

# What a hidden comment says in its place; thread.js shows the same words.
HIDDEN_FOR_READERS = "This comment is hidden."
HIDDEN_FOR_EDITORS = "Hidden from readers; only editors see it."
# The one form of the buttons under every comment (``act=<action>:<comment>[:<argument>]``),
# in ``blog/includes/thread.html``.
ACTIONS_FORM = "thread-actions"


@register.simple_tag(takes_context=True)
def thread_comments(context) -> SafeString:
    """The ``<li>`` items of ``thread.roots`` with their replies (``thread`` from ``thread_context``)."""
    thread = context["thread"]
    if not thread["roots"]:
        return mark_safe(
            '<li class="thread__empty" data-thread-empty>No comments yet. Start the conversation.</li>'
        )
    csrf_input = ""
    if thread["can_post"]:
        csrf_input = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(context["csrf_token"])}">'
        )
    writer = _CommentWriter(thread, action=escape(context["page"].url), csrf_input=csrf_input)
    return mark_safe("".join(writer.comment(comment) for comment in thread["roots"]))  # noqa: S308


def shown_time(moment) -> str:
    """``3 Dec 2026, 09:05``: Django's ``j M Y, H:i`` without its formatter, a tenth of a page's time."""
    return f"{moment.day} {str(MONTHS_3[moment.month]).title()} {moment.year}, {moment:%H:%M}"


def question_badge(question: bool, *, answered: bool) -> str:
    """A question's state in its header; nothing for other comments (``renderQuestionBadge`` in thread.js)."""
    if not question:
        return ""
    state = "answered" if answered else "open"
    return (
        f' <span class="comment__badge comment__badge--{state}" data-question-state="{state}">'
        f"Question for the authors · {state}</span>"
    )


def answered_box(answer: dict) -> str:
    """The answer quoted under its question, linked to it (``renderAnswered`` in thread.js)."""
    author = answer["author"]
    return (
        f'<div class="comment__answered" data-comment-answered="{answer["id"]}">'
        f'<p><strong>Answered</strong> by <a href="{escape(author["url"])}">{escape(author["name"])}</a>'
        f' · <a href="#comment-{answer["id"]}">Go to the answer</a></p>'
        f"<blockquote>{answer['body_html']}</blockquote></div>"
    )


def became_note(became: dict) -> str:
    """The link from a conversation to the lesson it became (``renderBecame`` in thread.js)."""
    return (
        f'<p class="comment__became" data-comment-became><a href="{escape(became["url"])}">'
        "This conversation became a lesson</a></p>"
    )


class _CommentWriter:
    def __init__(self, thread: dict, *, action: str, csrf_input: str) -> None:
        self.can_post = thread["can_post"]
        self.is_editor = thread["is_editor"]
        self.form_parent = thread["form_parent"]
        self.form_edit = thread.get("form_edit")
        self.form_flag = thread.get("form_flag")
        self.username = thread["username"]
        self.form_body = escape(thread["form_body"])
        self.form_error = escape(thread["form_error"])
        self.client_id = escape(thread["form_client_id"])
        self.action = action
        self.csrf_input = csrf_input

    def comment(self, comment: CommentView) -> str:
        classes = "comment"
        if comment.hidden:
            classes += " comment--hidden"
        if comment.deleted:
            classes += " comment--deleted"
        if comment.is_answer:
            classes += " comment--answer"
        pk = comment.id
        created = timezone.localtime(comment.created)
        author = escape(comment.author_name)
        parts = [
            f'<li class="{classes}" id="comment-{pk}" data-comment-id="{pk}">',
            f'<article aria-labelledby="comment-{pk}-author">',
            "<header>",
            f'<img src="{escape(avatar_url(comment.author_username))}" alt="" loading="lazy">',
            f'<strong id="comment-{pk}-author">'
            f'<a href="{person_url(comment.author_username)}">{author}</a></strong> ',
        ]
        if comment.replying_to:
            parts.append(
                f'<span class="comment__replying">replying to @{escape(comment.replying_to)}</span> '
            )
        parts.append(
            f'<a href="#comment-{pk}"><time datetime="{created.strftime(MACHINE_TIME)}">'
            f"{shown_time(created)}</time></a>"
        )
        if comment.edited and not comment.deleted:
            parts.append(' <span class="comment__edited">(edited)</span>')
        parts.append(question_badge(comment.question, answered=comment.answer is not None))
        if comment.is_answer:
            parts.append(' <span class="comment__badge comment__badge--answer">The answer</span>')
        parts.append(f'</header><div class="comment__body">{self.body(comment)}</div>')
        if comment.question and comment.answer is not None and not comment.deleted:
            parts.append(answered_box(comment.answer))
        if comment.became is not None:
            parts.append(became_note(comment.became))
        if not comment.deleted:
            parts.append(self.actions(comment))
            if comment.can_change and self.form_edit == str(pk):
                parts.append(self.edit_form(comment))
            if self.may_flag(comment) and self.form_flag == str(pk):
                parts.append(self.flag_form(comment))
            if comment.actions:
                links = " ".join(
                    f'<a href="{escape(url)}">{escape(label)}</a>' for label, url in comment.actions
                )
                parts.append(f'<p class="comment__conversation-actions">{links}</p>')
            if self.can_post and self.form_parent == str(pk):
                parts.append(self.reply_form(comment))
        parts.append("</article>")
        if comment.replies:
            replies = "".join(self.comment(reply) for reply in comment.replies)
            parts.append(f'<ol class="comment__replies">{replies}</ol>')
        parts.append("</li>")
        return "".join(parts)

    def body(self, comment: CommentView) -> str:
        if comment.deleted:
            return '<p class="comment__placeholder">This comment was deleted.</p>'
        # One wording for both ways a comment is hidden (an editor's hide, enough
        # readers' flags): the comment object does not say which. As in thread.js.
        if comment.hidden and not self.is_editor:
            return f'<p class="comment__placeholder">{HIDDEN_FOR_READERS}</p>'
        if comment.hidden:
            return f'<p class="comment__placeholder">{HIDDEN_FOR_EDITORS}</p>' + comment.body_html
        return comment.body_html

    def may_flag(self, comment: CommentView) -> bool:
        return self.can_post and comment.author_username != self.username and not comment.hidden

    def actions(self, comment: CommentView) -> str:
        """The reactions, and for a signed-in reader the buttons and links of what they may do."""
        if not self.can_post:
            return self.reaction_counts(comment)
        pk = comment.id
        buttons = "".join(
            f'<button form="{ACTIONS_FORM}" name="act" value="react:{pk}:{reaction["kind"]}"'
            f' aria-pressed="{str(reaction["pressed"]).lower()}">'
            f"{reaction['label']} {reaction['count']}</button> "
            for reaction in comment.reactions
        )
        parts = [
            '<div class="comment__actions">',
            f'<span class="reactions" role="group" aria-label="Reactions">{buttons}</span>',
        ]
        if comment.answer_of is not None:
            mark = "unanswer" if comment.is_answer else "answer"
            parts.append(
                f' <button form="{ACTIONS_FORM}" name="act" value="{mark}:{pk}:{comment.answer_of}">'
                f"{'Unmark the answer' if comment.is_answer else 'Mark as the answer'}</button>"
            )
        parts.append(f' <a href="?reply={pk}#reply-{pk}">Reply</a>')
        if comment.can_change:
            parts.append(f' <a href="?edit={pk}#edit-{pk}">Edit</a>')
            parts.append(f' <button form="{ACTIONS_FORM}" name="act" value="delete:{pk}">Delete</button>')
        if self.may_flag(comment):
            parts.append(f' <a href="?flag={pk}#flag-{pk}">Flag</a>')
        if self.is_editor:
            hide = "show" if comment.hidden else "hide"
            parts.append(
                f' <button form="{ACTIONS_FORM}" name="act" value="{hide}:{pk}">{hide.capitalize()}</button>'
            )
        parts.append("</div>")
        return "".join(parts)

    def reaction_counts(self, comment: CommentView) -> str:
        """The reactions given, as counts, for readers who cannot react; nothing when there are none."""
        given = "".join(
            f'<span data-reaction="{reaction["kind"]}">{reaction["label"]} {reaction["count"]}</span> '
            for reaction in comment.reactions
            if reaction["count"]
        )
        if not given:
            return ""
        return (
            '<div class="comment__actions">'
            f'<span class="reactions" role="group" aria-label="Reactions">{given}</span></div>'
        )

    def edit_form(self, comment: CommentView) -> str:
        """Edit, starting from the Markdown as written (``renderEditForm`` in thread.js)."""
        pk = comment.id
        refused = bool(self.form_error)  # the edit that was refused, shown again with its text
        text = self.form_body if refused else escape(comment.source)
        return (
            '<details class="comment__edit" open><summary>Edit</summary>'
            f'<form method="post" action="{self.action}" class="comment-form" data-comment-edit-form>'
            f'{self.csrf_input}<input type="hidden" name="thread_form" value="1">'
            '<input type="hidden" name="action" value="edit">'
            f'<input type="hidden" name="comment" value="{pk}">'
            f'<label for="edit-{pk}">Edit the comment</label>'
            f'<textarea id="edit-{pk}" name="body" rows="3" maxlength="5000" required autofocus'
            f' aria-describedby="edit-{pk}-error">{text}</textarea>'
            f'<p class="form-error" id="edit-{pk}-error" data-form-error role="alert">'
            f"{self.form_error if refused else ''}</p>"
            '<button type="submit" class="button">Save changes</button>'
            "</form></details>"
        )

    def flag_form(self, comment: CommentView) -> str:
        """Flag for the editors, with a reason and a note (``renderFlagForm`` in thread.js)."""
        pk = comment.id
        reasons = "".join(
            f'<label><input type="radio" name="reason" value="{value}" required{"" if n else " autofocus"}>'
            f" {label}</label> "
            for n, (value, label) in enumerate(CommentFlag.Reason.choices)
        )
        return (
            f'<details class="comment__flag" id="flag-{pk}" open><summary>Flag</summary>'
            f'<form method="post" action="{self.action}" class="comment-form" data-comment-flag-form>'
            f'{self.csrf_input}<input type="hidden" name="thread_form" value="1">'
            '<input type="hidden" name="action" value="flag">'
            f'<input type="hidden" name="comment" value="{pk}">'
            f"<fieldset><legend>What is wrong with it?</legend>{reasons}</fieldset>"
            f'<label for="flag-{pk}-note">A note for the editors (needed for “Something else”)</label>'
            f'<textarea id="flag-{pk}-note" name="note" rows="2" maxlength="500"'
            f' aria-describedby="flag-{pk}-error"></textarea>'
            f'<p class="form-error" id="flag-{pk}-error" data-form-error role="alert"></p>'
            '<button type="submit" class="button">Send to the editors</button>'
            "</form></details>"
        )

    def reply_form(self, comment: CommentView) -> str:
        pk = comment.id
        return (
            '<details class="comment__reply" open><summary>Reply</summary>'
            f'<form method="post" action="{self.action}" class="comment-form" data-comment-form>'
            f'{self.csrf_input}<input type="hidden" name="thread_form" value="1">'
            '<input type="hidden" name="action" value="comment">'
            f'<input type="hidden" name="client_id" value="{self.client_id}-{pk}">'
            f'<input type="hidden" name="parent" value="{pk}">'
            f'<label for="reply-{pk}">Reply to {escape(comment.author_name)}</label>'
            f'<textarea id="reply-{pk}" name="body" rows="3" maxlength="5000" required autofocus'
            f' aria-describedby="reply-{pk}-error">{self.form_body}</textarea>'
            f'<p class="form-error" id="reply-{pk}-error" data-form-error role="alert">{self.form_error}</p>'
            '<button type="submit" class="button">Post reply</button>'
            "</form></details>"
        )
