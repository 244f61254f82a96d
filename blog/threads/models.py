"""What a conversation thread stores: comments, reactions, notifications.

Comments hang off ``wagtailcore.Page`` so that any page type that mixes in
``ThreadPageMixin`` (posts, lessons) carries a thread. ``Thread`` is one row
per page: writers lock it, so comment ids in one thread increase in commit
order and a client that syncs "after the last id I saw" can never skip a
comment that committed late.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from wagtail.models import Page

BODY_MAX_LENGTH = 5000
CLIENT_ID_MAX_LENGTH = 64


class Thread(models.Model):
    """The per-page row that serialises writes, with a little bookkeeping."""

    page = models.OneToOneField(Page, on_delete=models.CASCADE, primary_key=True, related_name="thread")
    comment_count = models.PositiveIntegerField(default=0)
    last_activity = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["-last_activity"], name="thread_recent_activity")]

    def __str__(self) -> str:
        return f"Thread on page {self.page_id}"


class Comment(models.Model):
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    # The comment answered, and the top-level comment of its conversation:
    # replies are shown one level deep under their root.
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    root = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies")
    body = models.TextField(max_length=BODY_MAX_LENGTH, help_text="Markdown, as written.")
    body_html = models.TextField(editable=False, help_text="The body rendered and sanitised.")
    created = models.DateTimeField(default=timezone.now)
    edited = models.DateTimeField(null=True, blank=True)
    deleted = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False, help_text="Hidden by a moderator.")
    client_id = models.CharField(max_length=CLIENT_ID_MAX_LENGTH)
    # A question for the page's hosts (its pair) starts a conversation; it is
    # open until a host or an editor marks one reply in it as ``answer``.
    question = models.BooleanField(default=False, help_text="Asked of the page's hosts.")
    answer = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    answered = models.DateTimeField(null=True, blank=True, help_text="When the answer was marked.")
    # Kept with ``answer`` on the question, so a reply knows it is the answer
    # (for the comment object's ``answer_to``) without a query per comment.
    accepted = models.BooleanField(default=False, help_text="Marked as the answer to its question.")
    # The page this conversation grew into (a lesson), set by the app that made it
    # once that page is published and everyone on this thread may read it.
    became = models.ForeignKey(
        Page, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="What it became."
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(question=False) | Q(parent__isnull=True),
                name="comment_question_starts_conversation",
            ),
            models.CheckConstraint(
                condition=Q(answer__isnull=True) | Q(question=True), name="comment_answer_only_on_question"
            ),
            models.UniqueConstraint(
                fields=["page", "author", "client_id"], name="comment_client_id_once_per_author_and_thread"
            ),
            models.CheckConstraint(condition=~Q(client_id=""), name="comment_client_id_not_empty"),
        ]
        indexes = [
            models.Index(fields=["page", "id"], name="comment_thread_order"),
            # ``/questions/``: the open ones, oldest first.
            models.Index(
                fields=["created", "id"],
                condition=Q(question=True, answer__isnull=True, deleted=False, hidden=False),
                name="comment_open_questions",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on page {self.page_id}"

    def get_absolute_url(self) -> str:
        return f"{self.page.url}#comment-{self.pk}"


class Reaction(models.Model):
    """One person's reaction of one kind to a comment; toggled on and off."""

    class Kind(models.TextChoices):
        LIKE = "like", "Like"
        LEARNED = "learned", "Learned something"
        INSIGHTFUL = "insightful", "Insightful"
        QUESTION = "question", "Question"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "user", "kind"], name="reaction_once_per_user_and_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} on comment {self.comment_id}"


FLAG_NOTE_MAX_LENGTH = 500


class CommentFlag(models.Model):
    """A reader's flag on a comment: once per person and comment, open until an editor reviews it."""

    class Reason(models.TextChoices):
        OFF_TOPIC = "off_topic", "Off-topic"
        DISRESPECTFUL = "disrespectful", "Disrespectful"
        CONFIDENTIAL = "confidential", "Confidential"
        OTHER = "other", "Something else"

    class Outcome(models.TextChoices):
        OPEN = "", "Waiting for review"
        HIDDEN = "hidden", "Comment hidden"
        RESTORED = "restored", "Comment restored"
        DISMISSED = "dismissed", "Flag dismissed"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    flagger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_flags"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.CharField(max_length=FLAG_NOTE_MAX_LENGTH, blank=True)
    created = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, default="")
    reviewed = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "flagger"], name="comment_flag_once_per_person")
        ]
        indexes = [
            # The review queue: open flags, oldest first.
            models.Index(fields=["created", "comment"], condition=Q(outcome=""), name="comment_flag_open")
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on comment {self.comment_id}"


class Notification(models.Model):
    """Something a person should see: stored for the list, pushed live."""

    class Kind(models.TextChoices):
        MENTION = "mention", "Mention"
        REPLY = "reply", "Reply"
        PAIR_POST_COMMENT = "pair_post_comment", "Comment on your pair's post"
        QUESTION = "question", "Question for you"
        ANSWERED = "answered", "Your question was answered"
        # For editors: a comment readers flagged (one per editor and comment, refreshed by each new flag).
        FLAGGED = "flagged", "A comment was flagged"
        # From the site rather than a comment (a new pair, say); about no page.
        NOTICE = "notice", "Notice"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    # What a notice is about, when a page (a request); a comment's page otherwise.
    # The list and the e-mails show a notification only while its person may see it.
    page = models.ForeignKey(Page, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # Written once when the notification is made, so the list needs no joins.
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=500)
    created = models.DateTimeField(default=timezone.now)
    read = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            # A flag notice may sit beside the mention or reply the same comment made.
            models.UniqueConstraint(
                fields=["recipient", "comment"],
                condition=~Q(kind="flagged"),
                name="notification_once_per_comment",
            ),
            models.UniqueConstraint(
                fields=["recipient", "comment"],
                condition=Q(kind="flagged"),
                name="notification_flag_once_per_comment",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read"], name="notification_unread"),
            # What the e-mail sweep looks for: unread ones, by age.
            models.Index(
                fields=["created"], condition=Q(read__isnull=True), name="notification_unread_by_age"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Presence(models.Model):
    """One open WebSocket on a thread; people are counted, not tabs.

    Rows live in the database so every daphne process sees them; each
    connection refreshes ``seen`` so rows of a process that died expire.
    """

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200, unique=True)
    seen = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["page", "seen"], name="presence_thread_seen")]

    def __str__(self) -> str:
        return f"user {self.user_id} on page {self.page_id}"
