"""Questions for a page's pair and the answer they mark: services, the JSON API, the no-JS form."""

import json
from functools import partial

from django.contrib.auth.models import Group
from django.test import Client

from wagtail.models import PageViewRestriction

import pytest

from blog.factories import UserFactory
from blog.threads import questions, services
from blog.threads.errors import ThreadError
from blog.threads.models import Comment, Notification

pytestmark = pytest.mark.django_db


def ask(page, author, body="How do we tag client notes?", client_id="q"):
    return services.comment_create(
        page=page, user=author, body=body, client_id=client_id, question=True
    ).comment


def reply(page, author, question, body="Like this.", client_id=None):
    return services.comment_create(
        page=page,
        user=author,
        body=body,
        client_id=client_id or f"r{Comment.objects.count()}",
        parent_id=question.pk,
    ).comment


def mark(page, user, question, answer):
    return questions.comment_answer(
        page=page, user=user, question_id=question.pk, answer_id=answer.pk if answer else None
    )


def refused(code, call, *args, **kwargs):
    with pytest.raises(ThreadError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


# --- asking ----------------------------------------------------------------------------------------


def test_a_question_notifies_both_members_of_the_pair_at_once(post, staff, pair):
    question = ask(post, staff)

    assert question.question is True
    notified = Notification.objects.filter(comment=question)
    assert {(n.recipient, n.kind) for n in notified} == {
        (pair.first_member, Notification.Kind.QUESTION),
        (pair.second_member, Notification.Kind.QUESTION),
    }
    assert notified.first().text == "Sam Kowalski asked you a question in “Tagging the wiki”"


def test_a_question_beats_a_mention_for_a_host_and_nobody_hears_of_their_own(post, pair):
    question = ask(post, pair.first_member, body="@ben what do you think?")

    assert list(Notification.objects.filter(comment=question).values_list("recipient", "kind")) == [
        (pair.second_member.pk, Notification.Kind.QUESTION)
    ]


def test_only_a_new_conversation_can_be_a_question(post, staff, pair):
    root = services.comment_create(page=post, user=pair.first_member, body="Root", client_id="root").comment

    refused(
        "invalid",
        services.comment_create,
        page=post,
        user=staff,
        body="?",
        client_id="x",
        parent_id=root.pk,
        question=True,
    )
    refused(
        "invalid", services.comment_create, page=post, user=staff, body="?", client_id="y", question="yes"
    )
    assert Comment.objects.count() == 1


def restrict(page, group, capture):
    with capture(execute=True):  # committed, as the admin does: the privacy epoch moves
        PageViewRestriction.objects.create(page=page, restriction_type="groups").groups.set([group])


def test_hosts_of_a_restricted_page_outside_its_group_hear_nothing(
    post, staff, pair, django_capture_on_commit_callbacks
):
    committee = Group.objects.create(name="Committee")
    staff.groups.add(committee)
    pair.first_member.groups.add(committee)
    restrict(post, committee, django_capture_on_commit_callbacks)

    question = ask(post, staff)

    assert list(Notification.objects.filter(comment=question).values_list("recipient", flat=True)) == [
        pair.first_member.pk
    ]


# --- answering -------------------------------------------------------------------------------------


def test_a_host_marks_the_answer_the_asker_is_told_and_unmarking_reopens(post, staff, pair):
    question = ask(post, staff)
    answer = reply(post, pair.second_member, question)

    marked = mark(post, pair.first_member, question, answer)

    question.refresh_from_db()
    answer.refresh_from_db()
    assert marked.answer == answer and question.answer_id == answer.pk and question.answered is not None
    assert answer.accepted is True
    told = Notification.objects.get(recipient=staff, kind=Notification.Kind.ANSWERED)
    assert told.text == "Amira Haddad marked an answer to your question in “Tagging the wiki”"
    assert told.url == f"{post.url}#comment-{answer.pk}"

    mark(post, pair.second_member, question, None)

    question.refresh_from_db()
    answer.refresh_from_db()
    assert question.answer_id is None and question.answered is None and answer.accepted is False


def test_marking_another_answer_replaces_the_first_and_the_notification(post, staff, pair):
    question = ask(post, staff)
    first, second = reply(post, pair.first_member, question), reply(post, pair.second_member, question)
    mark(post, pair.first_member, question, first)
    Notification.objects.filter(recipient=staff).update(read="2026-01-01T00:00Z")

    mark(post, pair.first_member, question, second)
    again = mark(post, pair.first_member, question, second)  # idempotent

    assert again.answer == second
    assert list(Comment.objects.filter(accepted=True)) == [second]
    told = Notification.objects.get(recipient=staff, kind=Notification.Kind.ANSWERED)
    assert told.read is None and told.url.endswith(f"#comment-{second.pk}")


def test_an_editor_may_mark_but_the_asker_and_a_stranger_may_not(post, staff, pair, editor):
    question = ask(post, staff)
    answer = reply(post, pair.first_member, question)
    stranger = UserFactory(username="zoe")

    for person in (staff, stranger):
        error = refused("forbidden", mark, post, person, question, answer)
        assert error.message == "Only the page's authors or an editor can mark the answer."
    assert mark(post, editor, question, answer).answer == answer


def test_what_cannot_be_an_answer_or_a_question(post, make_post, staff, pair):
    question = ask(post, staff)
    elsewhere = reply(post, staff, ask(post, staff, client_id="q2"))
    plain = services.comment_create(page=post, user=staff, body="Not a question", client_id="p").comment
    answer = reply(post, pair.first_member, question)
    other_page = make_post(title="Another")
    host = pair.first_member

    refused("invalid", mark, post, host, question, question)  # itself
    refused("invalid", mark, post, host, question, elsewhere)  # another conversation
    refused("invalid", mark, post, host, plain, None)  # not a question
    refused("not_found", mark, other_page, host, question, answer)  # another thread
    services.comment_delete(page=post, user=pair.first_member, comment_id=answer.pk)
    refused("not_found", mark, post, host, question, answer)  # deleted
    for bad in ("1", True, None, 1.5):
        refused("invalid", questions.comment_answer, page=post, user=host, question_id=bad, answer_id=None)
    refused("invalid", questions.comment_answer, page=post, user=host, question_id=question.pk, answer_id="2")


def test_deleting_or_hiding_the_answer_unmarks_it(post, staff, pair, editor):
    question = ask(post, staff)
    answer = reply(post, pair.first_member, question)
    mark(post, pair.first_member, question, answer)

    services.comment_hide(page=post, user=editor, comment_id=answer.pk, hidden=True)
    question.refresh_from_db()
    assert question.answer_id is None
    refused("not_found", mark, post, pair.first_member, question, answer)  # hidden

    services.comment_hide(page=post, user=editor, comment_id=answer.pk, hidden=False)
    mark(post, pair.first_member, question, answer)
    services.comment_delete(page=post, user=pair.first_member, comment_id=answer.pk)
    question.refresh_from_db()
    assert question.answer_id is None
    assert not Comment.objects.filter(accepted=True).exists()


def test_the_asker_who_may_no_longer_see_the_page_is_not_told(
    post, staff, pair, django_capture_on_commit_callbacks
):
    question = ask(post, staff)
    answer = reply(post, pair.first_member, question)
    restrict(post, Group.objects.create(name="Committee"), django_capture_on_commit_callbacks)

    mark(post, UserFactory(username="boss", is_superuser=True), question, answer)

    assert Comment.objects.get(pk=question.pk).answer_id == answer.pk
    assert not Notification.objects.filter(recipient=staff, kind=Notification.Kind.ANSWERED).exists()


def test_the_comment_object_carries_the_question_and_its_answer(client, post, staff, pair):
    question = ask(post, staff)
    answer = reply(post, pair.first_member, question, body="Use **tags**.")
    mark(post, pair.second_member, question, answer)

    comments = {c["id"]: c for c in client.get(f"/api/threads/{post.pk}/comments/").json()["comments"]}

    assert comments[question.pk]["question"] is True
    assert comments[question.pk]["answer"] == {
        "id": answer.pk,
        "author": {"username": "amira", "name": "Amira Haddad", "url": "/people/amira/"},
        "body_html": "<p>Use <strong>tags</strong>.</p>",
    }
    assert comments[question.pk]["answer_to"] is None
    assert comments[answer.pk]["answer_to"] == question.pk
    assert comments[answer.pk]["question"] is False and comments[answer.pk]["answer"] is None


# --- the JSON API ----------------------------------------------------------------------------------


def answers_url(page) -> str:
    return f"/api/threads/{page.pk}/answers/"


def signed_in_with_token(user, page) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(page.url)
    return client, client.cookies["csrftoken"].value


def post_json(client, url, payload, token):
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(url, data=body, content_type="application/json", HTTP_X_CSRFTOKEN=token)


def test_the_api_asks_and_marks_and_unmarks(post, staff, pair):
    asker, token = signed_in_with_token(staff, post)
    created = post_json(
        asker,
        f"/api/threads/{post.pk}/comments/",
        {"body": "Why?", "parent": None, "client_id": "a1", "question": True},
        token,
    )
    assert created.status_code == 201 and created.json()["comment"]["question"] is True
    question = Comment.objects.get(client_id="a1")
    answer = reply(post, pair.second_member, question)
    host, host_token = signed_in_with_token(pair.first_member, post)

    marked = post_json(host, answers_url(post), {"question": question.pk, "answer": answer.pk}, host_token)
    assert marked.status_code == 200
    assert marked.json()["comment"]["answer"]["id"] == answer.pk

    unmarked = post_json(host, answers_url(post), {"question": question.pk, "answer": None}, host_token)
    assert unmarked.status_code == 200 and unmarked.json()["comment"]["answer"] is None


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ("not json", 400, "invalid"),
        ("[1]", 400, "invalid"),
        ({"question": "1", "answer": None}, 400, "invalid"),
        ({"question": None, "answer": None}, 400, "invalid"),
        ({"answer": None}, 400, "invalid"),
        ({"question": "QID"}, 400, "invalid"),
        ({"question": "QID", "answer": True}, 400, "invalid"),
        ({"question": "QID", "answer": 2**64}, 400, "invalid"),
        ({"question": 2**63 - 1, "answer": None}, 404, "not_found"),
        ({"question": "QID", "answer": 2**63 - 1}, 404, "not_found"),
        ({"question": "QID", "answer": "QID"}, 400, "invalid"),
    ],
)
def test_the_api_refuses_bad_input_clearly(post, staff, pair, payload, status, code):
    question = ask(post, staff)
    host, token = signed_in_with_token(pair.first_member, post)
    if isinstance(payload, dict):
        payload = {key: question.pk if value == "QID" else value for key, value in payload.items()}

    response = post_json(host, answers_url(post), payload, token)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_the_api_needs_a_signed_in_host_with_a_csrf_token(client, post, staff, pair):
    question = ask(post, staff)
    answer = reply(post, pair.first_member, question)
    payload = {"question": question.pk, "answer": answer.pk}

    assert post_json(client, answers_url(post), payload, "").status_code == 401
    asker, token = signed_in_with_token(staff, post)
    assert post_json(asker, answers_url(post), payload, token).json()["error"]["code"] == "forbidden"
    host = Client(enforce_csrf_checks=True)
    host.force_login(pair.first_member)
    assert post_json(host, answers_url(post), payload, "wrong").status_code == 403
    assert client.get(answers_url(post)).status_code == 405
    assert not Comment.objects.filter(accepted=True).exists()


# --- without JavaScript ----------------------------------------------------------------------------


def test_the_form_asks_marks_and_unmarks_and_the_page_shows_it(
    post, staff, pair, django_capture_on_commit_callbacks
):
    # Each write runs what it leaves for after its commit (the thread's new
    # version among it), as it does outside a test's transaction.
    committed = partial(django_capture_on_commit_callbacks, execute=True)
    asker = Client()
    asker.force_login(staff)
    form = asker.get(post.url).content.decode()
    assert 'name="question" value="1"' in form and "This is a question for the authors" in form

    with committed():
        asker.post(
            post.url,
            {"thread_form": "1", "action": "comment", "body": "Why tags?", "client_id": "f1"}
            | {"question": "1"},
        )
    question = Comment.objects.get(client_id="f1")
    with committed():
        answer = reply(post, pair.second_member, question, body="Because search.")
    assert question.question
    assert "Question for the authors · open" in asker.get(post.url).content.decode()
    assert 'value="answer"' not in asker.get(post.url).content.decode()  # the asker marks nothing

    host = Client()
    host.force_login(pair.first_member)
    page = host.get(post.url).content.decode()
    assert f'name="act" value="answer:{answer.pk}:{question.pk}"' in page
    assert "Mark as the answer" in page
    with committed():
        response = host.post(post.url, {"thread_form": "1", "act": f"answer:{answer.pk}:{question.pk}"})
    assert response.status_code == 303 and response["Location"] == f"{post.url}#comment-{answer.pk}"

    page = asker.get(post.url).content.decode()
    assert "Question for the authors · answered" in page
    assert f'data-comment-answered="{answer.pk}"' in page and "<blockquote><p>Because search.</p>" in page
    assert "comment--answer" in page and "The answer</span>" in page

    assert f'name="act" value="unanswer:{answer.pk}:{question.pk}"' in host.get(post.url).content.decode()
    with committed():
        host.post(  # as the buttons thread.js draws ask
            post.url,
            {"thread_form": "1", "action": "unanswer", "comment": str(answer.pk)}
            | {"question": str(question.pk)},
        )
    question.refresh_from_db()
    assert question.answer_id is None
    assert "Question for the authors · open" in asker.get(post.url).content.decode()


def test_the_form_refuses_a_stranger_and_bad_fields_with_a_message(post, staff, pair):
    question = ask(post, staff)
    answer = reply(post, pair.first_member, question)
    stranger = Client()
    stranger.force_login(UserFactory(username="zoe"))

    for fields in (
        {"comment": str(answer.pk), "question": str(question.pk)},
        {"comment": str(answer.pk)},
        {"comment": str(answer.pk), "question": "x"},
        {"comment": "", "question": str(question.pk)},
    ):
        response = stranger.post(post.url, {"thread_form": "1", "action": "answer", **fields}, follow=True)
        assert response.status_code == 200
        assert list(response.context["messages"]), fields
    assert not Comment.objects.filter(accepted=True).exists()


def test_a_refused_question_keeps_its_box_ticked(post, staff):
    client = Client()
    client.force_login(staff)

    response = client.post(
        post.url, {"thread_form": "1", "action": "comment", "body": " ", "client_id": "e", "question": "1"}
    )

    assert response.status_code == 400
    assert 'name="question" value="1" checked' in response.content.decode()
