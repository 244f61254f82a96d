"""Flags: once per person, not one's own, rate limited; enough of them hide the comment pending review."""

import json

from django.contrib.auth.models import Group

from wagtail.models import ModelLogEntry, PageViewRestriction

import pytest

from blog.factories import UserFactory
from blog.threads import flags, services
from blog.threads.errors import ThreadError
from blog.threads.models import Comment, CommentFlag, Notification

pytestmark = pytest.mark.django_db


def add(page, author, body="Hello"):
    return services.comment_create(
        page=page, user=author, body=body, client_id=f"c{Comment.objects.count()}"
    ).comment


def flag(page, user, comment, reason="off_topic", note=""):
    return flags.comment_flag(page=page, user=user, comment_id=comment.pk, reason=reason, note=note)


def readers(n):
    return [UserFactory(username=f"reader{i}") for i in range(n)]


def test_a_flag_is_kept_once_per_person_and_never_on_one_s_own(post, staff, pair):
    comment = add(post, pair.first_member, "Meh")

    first = flag(post, staff, comment, "disrespectful", "  Rude to Ben  ")
    again = flag(post, staff, comment, "other", "changed my mind")

    assert first.created and not again.created and again.flag.pk == first.flag.pk
    assert (first.flag.reason, first.flag.note) == ("disrespectful", "Rude to Ben")
    assert CommentFlag.objects.count() == 1
    with pytest.raises(ThreadError) as own:
        flag(post, pair.first_member, comment)
    assert own.value.code == "forbidden"


@pytest.mark.parametrize(
    ("reason", "note", "code"),
    [
        ("spam", "", "invalid"),
        (None, "", "invalid"),
        ("other", "   ", "empty"),
        ("other", None, "empty"),
        ("off_topic", 5, "invalid"),
        ("off_topic", "x" * 501, "too_long"),
        ("off_topic", "bad\x00", "invalid"),
    ],
)
def test_refused_flags_write_nothing(post, staff, pair, reason, note, code):
    comment = add(post, pair.first_member)

    with pytest.raises(ThreadError) as refused:
        flags.comment_flag(page=post, user=staff, comment_id=comment.pk, reason=reason, note=note)

    assert refused.value.code == code
    assert not CommentFlag.objects.exists()


def test_missing_deleted_and_hidden_comments_are_not_found(post, staff, pair, editor):
    deleted = add(post, pair.first_member)
    services.comment_delete(page=post, user=pair.first_member, comment_id=deleted.pk)
    hidden = add(post, pair.first_member)
    services.comment_hide(page=post, user=editor, comment_id=hidden.pk, hidden=True)

    for comment_id in (deleted.pk, hidden.pk, 999999):
        with pytest.raises(ThreadError) as missing:
            flags.comment_flag(page=post, user=staff, comment_id=comment_id, reason="off_topic")
        assert missing.value.code == "not_found"
    with pytest.raises(ThreadError) as wrong:
        flags.comment_flag(page=post, user=staff, comment_id="1", reason="off_topic")
    assert wrong.value.code == "invalid"


def test_the_threshold_of_distinct_flaggers_hides_the_comment(post, pair, settings, editor):
    settings.COMMENT_FLAG_THRESHOLD = 3
    comment = add(post, pair.first_member, "Leaked figures")
    one, two, three = readers(3)

    results = [flag(post, one, comment), flag(post, two, comment), flag(post, two, comment)]
    comment.refresh_from_db()
    still_shown = comment.hidden
    results.append(flag(post, three, comment, "confidential"))
    comment.refresh_from_db()

    assert [r.hidden for r in results] == [False, False, False, True]
    assert still_shown is False and comment.hidden is True


def test_flags_are_rate_limited_but_a_repeat_is_not(post, pair, staff, settings, rate_clock_held):
    settings.COMMENT_FLAG_RATE_LIMIT = 2
    first, second, third = (add(post, pair.first_member, f"c{i}") for i in range(3))

    flag(post, staff, first)
    flag(post, staff, second)
    repeat = flag(post, staff, first)
    with pytest.raises(ThreadError) as limited:
        flag(post, staff, third)

    assert not repeat.created
    assert limited.value.code == "rate_limited" and limited.value.retry_after >= 1
    assert CommentFlag.objects.count() == 2


def test_editors_who_may_see_the_page_are_notified_once_per_comment(
    post, staff, pair, editor, django_capture_on_commit_callbacks
):
    locked_out = UserFactory(username="far-editor")
    locked_out.groups.add(Group.objects.get(name="Editors"))
    insiders = Group.objects.create(name="Insiders")
    editor.groups.add(insiders)
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=post, restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.add(insiders)
    staff.groups.add(insiders)
    pair.first_member.groups.add(insiders)
    pair.second_member.groups.add(insiders)
    comment = add(post, pair.first_member, "Hmm")

    flag(post, staff, comment, "off_topic")
    flag(post, pair.second_member, comment, "other", "Not for here")

    notices = Notification.objects.filter(kind=Notification.Kind.FLAGGED)
    assert [n.recipient for n in notices] == [editor]
    assert "Ben Okafor flagged a comment by Amira Haddad" in notices[0].text
    assert "2 open flags" in notices[0].text and notices[0].read is None
    assert notices[0].url == "/admin/comment-review/"


def test_a_review_closes_the_flags_logs_it_and_restores_or_hides(post, pair, editor, settings, staff):
    settings.COMMENT_FLAG_THRESHOLD = 1
    comment = add(post, pair.first_member, "Borderline")
    flag(post, staff, comment)

    restored = flags.comment_review(user=editor, comment_id=comment.pk, action="restore")
    flag(post, UserFactory(username="other"), comment)  # a new flag after the review hides it again
    comment.refresh_from_db()
    hidden_again = comment.hidden
    hidden = flags.comment_review(user=editor, comment_id=comment.pk, action="hide")
    dismissed = flags.comment_review(user=editor, comment_id=comment.pk, action="dismiss")

    assert restored.hidden is False and hidden_again is True and hidden.hidden is True
    assert dismissed.hidden is True
    outcomes = list(CommentFlag.objects.order_by("id").values_list("outcome", "reviewed_by"))
    assert outcomes == [("restored", editor.pk), ("hidden", editor.pk)]
    actions = list(ModelLogEntry.objects.order_by("id").values_list("action", "user_id", "data"))
    assert [a[0] for a in actions] == [
        "pairwise.comment.restore",
        "pairwise.comment.hide",
        "pairwise.comment.dismiss_flags",
    ]
    assert all(a[1] == editor.pk for a in actions)
    assert json.loads(json.dumps(actions[0][2]))["flags"] == 1 and actions[2][2]["flags"] == 0
    with pytest.raises(flags.PermissionDenied):
        flags.comment_review(user=staff, comment_id=comment.pk, action="hide")
