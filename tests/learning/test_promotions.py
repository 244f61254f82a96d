"""Conversations become lessons: promoted into a draft, published, the people quoted told."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from wagtail.models import PageViewRestriction

import pytest

from blog.factories import UserFactory
from blog.threads import services
from blog.threads.models import Comment, Notification
from blog.threads.selectors import ANONYMOUS, thread_snapshot
from learning.models import LessonPage, PromotedConversation
from learning.promotions import ConversationNotFound, lesson_promote

pytestmark = pytest.mark.django_db


def say(page, author, body, client_id, *, parent=None, question=False):
    return services.comment_create(
        page=page,
        user=author,
        body=body,
        client_id=client_id,
        parent_id=parent.pk if parent else None,
        question=question,
    ).comment


@pytest.fixture
def exchange(make_post, pair, staff):
    """sam asks under a post of Amira & Ben; ben answers, amira adds to it, an off-topic aside."""
    post = make_post(title="Why our credit memos moved to the wiki", tags=["Wikis", "Lending"])
    question = say(post, staff, "Who may *edit* a credit memo?", "q", question=True)
    answer = say(post, pair.second_member, "The analyst and the approver.", "a", parent=question)
    more = say(post, pair.first_member, "And the wiki keeps every version.", "m", parent=question)
    aside = say(post, staff, "Thanks!", "t", parent=question)
    return post, question, answer, more, aside


def test_promote_makes_one_draft_with_the_quotes_attributed_topics_and_a_link_back(exchange, pair):
    post, question, answer, more, _aside = exchange

    lesson = lesson_promote(
        user=pair.first_member,
        comment_id=question.pk,
        reply_ids=[more.pk, answer.pk],
        title="Who edits a memo",
    )

    assert LessonPage.objects.count() == 1
    lesson = LessonPage.objects.get(pk=lesson.pk)
    assert not lesson.live and lesson.has_unpublished_changes
    quotes = [block.value for block in lesson.get_latest_revision_as_object().body]
    assert [(q["text"], q["author"], q["username"], q["comment"]) for q in quotes] == [
        ("Who may *edit* a credit memo?", "Sam Kowalski", "sam", question.pk),
        ("The analyst and the approver.", "Ben Okafor", "ben", answer.pk),
        ("And the wiki keeps every version.", "Amira Haddad", "amira", more.pk),
    ]
    assert sorted(lesson.tags.names()) == ["Lending", "Wikis"]
    assert lesson.inspired_by_id == post.pk and lesson.pair_id == pair.pk
    origin = PromotedConversation.objects.get()
    assert (origin.lesson_id, origin.page_id, origin.comment_id) == (lesson.pk, post.pk, question.pk)
    assert origin.comment_ids == [question.pk, answer.pk, more.pk]


def test_only_editors_and_the_pages_pair_promote(exchange, staff, editor, other_pair):
    _post, question, *_ = exchange

    for outsider in (staff, other_pair.first_member):
        with pytest.raises(PermissionDenied):
            lesson_promote(user=outsider, comment_id=question.pk, reply_ids=[], title="Mine now")
    lesson_promote(user=editor, comment_id=question.pk, reply_ids=[], title="The editor's")

    assert list(LessonPage.objects.values_list("title", flat=True)) == ["The editor's"]


def test_replies_must_come_from_the_conversation_and_a_reply_does_not_start_one(exchange, pair, make_post):
    _post, question, answer, *_ = exchange
    elsewhere = say(make_post(title="Another"), pair.first_member, "Elsewhere", "e")

    with pytest.raises(ValidationError) as error:
        lesson_promote(user=pair.first_member, comment_id=question.pk, reply_ids=[elsewhere.pk], title="T")
    assert "replies" in error.value.message_dict
    with pytest.raises(ConversationNotFound):
        lesson_promote(user=pair.first_member, comment_id=answer.pk, reply_ids=[], title="T")
    with pytest.raises(ValidationError):
        lesson_promote(user=pair.first_member, comment_id=question.pk, reply_ids=[], title="  ")
    assert not LessonPage.objects.exists()


def test_publishing_tells_the_people_quoted_once_and_links_the_conversation(exchange, pair, editor, staff):
    post, question, answer, _more, _aside = exchange
    draft = lesson_promote(
        user=pair.first_member, comment_id=question.pk, reply_ids=[answer.pk], title="Memos"
    )
    Notification.objects.all().delete()
    lesson = draft.get_latest_revision_as_object()
    lesson.objective, lesson.takeaways = "After this you know who edits.", "Two people edit."

    lesson.save_revision(user=editor).publish(user=editor)
    lesson.save_revision(user=editor).publish(user=editor)  # published again: nobody told twice

    told = {(n.recipient.username, n.text) for n in Notification.objects.select_related("recipient")}
    assert told == {
        ("sam", "Your question became a lesson: “Memos”"),
        ("ben", "Your comment became a lesson: “Memos”"),
    }
    assert Notification.objects.get(recipient=staff).url == LessonPage.objects.get().url
    assert Comment.objects.get(pk=question.pk).became_id == lesson.pk
    snapshot = thread_snapshot(page_id=post.pk, viewer=ANONYMOUS)
    by_id = {c["id"]: c for c in snapshot.comments}
    assert by_id[question.pk]["became"] == {"url": lesson.url}
    assert by_id[answer.pk]["became"] is None
    assert "This conversation became a lesson" in Client().get(post.url).content.decode()


def test_only_people_who_may_see_the_lesson_are_told_and_a_restricted_lesson_is_not_linked(
    exchange, pair, editor, learning_index, django_capture_on_commit_callbacks
):
    _post, question, answer, *_ = exchange
    draft = lesson_promote(user=editor, comment_id=question.pk, reply_ids=[answer.pk], title="Private memo")
    with django_capture_on_commit_callbacks(execute=True):  # the restriction is known once committed
        restriction = PageViewRestriction.objects.create(page=learning_index, restriction_type="groups")
        restriction.groups.set([pair.second_member.groups.get()])  # ben's group, not sam's
    Notification.objects.all().delete()
    lesson = draft.get_latest_revision_as_object()
    lesson.objective, lesson.takeaways = "Know it.", "It."

    lesson.save_revision(user=editor).publish(user=editor)

    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["ben"]
    assert Comment.objects.get(pk=question.pk).became_id is None


def test_the_thread_offers_promotion_to_the_pair_and_the_form_makes_the_draft(exchange, pair, staff):
    post, question, answer, more, _aside = exchange
    form_url = f"/conversations/{question.pk}/promote/"
    member, reader = Client(), Client()
    member.force_login(pair.first_member)
    reader.force_login(staff)

    assert f'href="{form_url}"' in member.get(post.url).content.decode()
    assert form_url not in reader.get(post.url).content.decode()
    assert reader.get(form_url).status_code == 403
    assert reader.post(form_url, {"title": "Mine"}).status_code == 403
    assert Client().get(form_url).status_code == 302  # to sign in
    assert member.get(f"/conversations/{answer.pk}/promote/").status_code == 404
    assert member.post(form_url, {"title": "", "replies": [answer.pk]}).status_code == 400
    assert member.post(form_url, {"title": "T", "replies": ["x"]}).status_code == 400

    page = member.get(form_url)
    assert page.status_code == 200 and "Who may <em>edit</em> a credit memo?" in page.content.decode()
    response = member.post(form_url, {"title": "Who edits a memo", "replies": [answer.pk, more.pk]})

    lesson = LessonPage.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/pages/{lesson.pk}/edit/"
    assert PromotedConversation.objects.get().comment_ids == [question.pk, answer.pk, more.pk]


def test_a_hidden_conversation_cannot_be_promoted(exchange, pair, editor):
    post, question, *_ = exchange
    services.comment_hide(page=post, user=editor, comment_id=question.pk, hidden=True)

    with pytest.raises(ConversationNotFound):
        lesson_promote(user=editor, comment_id=question.pk, reply_ids=[], title="Hidden")


def test_a_stranger_to_a_restricted_page_hears_it_is_not_there(
    exchange, pair, blog_index, editor, django_capture_on_commit_callbacks
):
    _post, question, *_ = exchange
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(page=blog_index, restriction_type="groups")
        restriction.groups.set([editor.groups.get()])
    someone = UserFactory()

    with pytest.raises(ConversationNotFound):
        lesson_promote(user=someone, comment_id=question.pk, reply_ids=[], title="T")
