"""``/questions/``: open questions on pages the reader may see, filtered, paginated, in fixed queries."""

from django.contrib.auth.models import Group
from django.test import Client

from wagtail.models import PageViewRestriction

import pytest

from blog.factories import UserFactory
from blog.threads import questions, services
from blog.threads.models import Comment
from learning.questions import QUESTIONS_PER_PAGE

pytestmark = pytest.mark.django_db


def ask(page, author, body, client_id):
    return services.comment_create(
        page=page, user=author, body=body, client_id=client_id, question=True
    ).comment


def listed(response) -> list[int]:
    return [question.pk for question in response.context["questions"]]


@pytest.fixture
def asker(db):
    return UserFactory(username="sam", first_name="Sam", last_name="Kowalski")


def test_open_questions_oldest_first_answered_and_plain_comments_left_out(
    client, make_post, make_lesson, asker, pair
):
    post, lesson = make_post(title="On wikis"), make_lesson(title="On tags", pair=pair)
    first = ask(post, asker, "Who may *edit*?", "q1")
    second = ask(lesson, asker, "Where do tags & folders meet?", "q2")
    answered = ask(post, asker, "Solved?", "q3")
    reply = services.comment_create(
        page=post, user=pair.first_member, body="Yes", client_id="r", parent_id=answered.pk
    )
    questions.comment_answer(
        page=post, user=pair.first_member, question_id=answered.pk, answer_id=reply.comment.pk
    )
    services.comment_create(page=post, user=asker, body="Just a comment", client_id="c")

    response = client.get("/questions/")

    assert response.status_code == 200
    assert listed(response) == [first.pk, second.pk]
    html = response.content.decode()
    assert f'href="{post.url}#comment-{first.pk}">Who may edit?</a>' in html
    assert "Where do tags &amp; folders meet?" in html
    assert "2 open questions." in html


def test_filters_by_topic_and_pair_and_refuses_unknown_ones(
    client, make_post, make_lesson, asker, pair, other_pair
):
    wikis = make_post(title="Wikis", tags=["Wikis"])
    risk = make_lesson(title="Risk", tags=["Risk"], pair=other_pair)
    on_wikis, on_risk = ask(wikis, asker, "A", "a"), ask(risk, asker, "B", "b")

    assert listed(client.get("/questions/", {"topic": "wikis"})) == [on_wikis.pk]
    assert listed(client.get("/questions/", {"pair": other_pair.slug})) == [on_risk.pk]
    assert listed(client.get("/questions/", {"topic": "risk", "pair": pair.slug})) == []
    for bad in ({"topic": "no-such"}, {"pair": "nobody"}, {"pair": "x\x00"}, {"asked": "them"}):
        response = client.get("/questions/", bad)
        assert response.status_code == 400, bad
        # A NUL is refused before the view (site.inputs); the rest name the field.
        assert "\x00" in "".join(bad.values()) or "Select a valid choice" in response.content.decode()


def test_asked_of_me_lists_the_questions_a_host_was_asked(make_post, asker, pair, other_pair, blog_index):
    from blog.factories import BlogPostPageFactory

    mine = ask(make_post(title="Ours"), asker, "To Amira and Ben", "m")
    ask(BlogPostPageFactory(parent=blog_index, pair=other_pair, title="Theirs"), asker, "To others", "t")
    host = Client()
    host.force_login(pair.first_member)

    assert listed(host.get("/questions/", {"asked": "me"})) == [mine.pk]
    notifications = host.get("/me/notifications/").content.decode()
    assert "1 question waiting for you." in notifications and 'href="/questions/?asked=me"' in notifications


def test_a_restricted_pages_question_is_never_listed_nor_counted(
    client, make_post, asker, pair, django_capture_on_commit_callbacks
):
    secret = make_post(title="Committee minutes")
    hidden_question = ask(secret, asker, "Secret question", "s")
    public_question = ask(make_post(title="Public"), asker, "Public question", "p")
    committee = Group.objects.create(name="Committee")
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=secret, restriction_type="groups").groups.set([committee])
    host = Client()
    host.force_login(pair.first_member)

    for reader in (client, host):
        response = reader.get("/questions/")
        assert listed(response) == [public_question.pk]
        assert "Secret question" not in response.content.decode()
    assert "1 question waiting for you" in host.get(f"/pairs/{pair.slug}/").content.decode()
    assert "1 question waiting for you" in host.get("/me/notifications/").content.decode()
    pair.first_member.groups.add(committee)
    assert hidden_question.pk in listed(host.get("/questions/"))


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_query_count_is_the_same_for_5_and_50_questions(
    client, make_post, make_lesson, asker, pair, signed_in, django_assert_max_num_queries
):
    pages = [make_post(title=f"Post {n}", tags=["Wikis"]) for n in range(5)] + [
        make_lesson(title=f"Lesson {n}", pair=pair, tags=["Risk"]) for n in range(5)
    ]
    if signed_in:
        client.force_login(pair.first_member)

    def add(count):
        for n in range(count):
            page = pages[n % len(pages)]
            question = Comment.objects.create(
                page=page,
                author=asker,
                body=f"q{n}",
                body_html=f"<p>q{n}</p>",
                client_id=f"q{Comment.objects.count()}",
                question=True,
            )
            Comment.objects.create(
                page=page,
                author=pair.second_member,
                body="r",
                body_html="<p>r</p>",
                client_id=f"r{question.pk}",
                parent=question,
                root=question,
            )

    add(5)
    client.get("/questions/")  # warm what is cached per process (site root paths, restrictions)
    queries = {}
    for query in ({}, {"topic": "wikis", "page": "1"}):
        with django_assert_max_num_queries(40) as five:
            assert len(listed(client.get("/questions/", query))) == 5
        queries[str(query)] = len(five.captured_queries)
    add(45)
    with django_assert_max_num_queries(queries["{}"]):
        assert len(listed(client.get("/questions/"))) == QUESTIONS_PER_PAGE
    with django_assert_max_num_queries(queries[str({"topic": "wikis", "page": "1"})]):
        last = client.get("/questions/", {"topic": "wikis", "page": "2"})
        assert last.status_code == 200 and len(listed(last)) == 30 - QUESTIONS_PER_PAGE  # 5 + 25 on posts


def test_pagination_keeps_the_filter(client, make_post, asker):
    post = make_post(title="Busy", tags=["Wikis"])
    for n in range(QUESTIONS_PER_PAGE + 1):
        Comment.objects.create(
            page=post, author=asker, body="q", body_html="<p>q</p>", client_id=f"q{n}", question=True
        )

    html = client.get("/questions/", {"topic": "wikis"}).content.decode()

    assert 'href="?topic=wikis&amp;page=2"' in html
    assert client.get("/questions/", {"topic": "wikis", "page": "zzz"}).status_code == 200
