"""Generated garbage against the topic request surfaces: the listing's choices and every request form.

As in ``test_inputs``: no 5xx, a clear refusal (400, 403, 404 or the
sign-in page), nothing written when the input is refused, and the site
still answering afterwards.
"""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from learning.models import TopicRequestIndexPage, TopicRequestPage, TopicRequestVote
from learning.request_services import request_ask
from tests.fuzz.strategies import form_text, query_values
from tests.fuzz.test_inputs import PEOPLE, answered, form_post, fuzz, sign_in, still_serving


@pytest.fixture
def topic_request(home, staff, settings):
    settings.COMMENT_RATE_LIMIT = 100_000  # generated requests that pass are saved, not rate limited
    index = TopicRequestIndexPage.objects.get()
    return request_ask(
        user=staff, index=index, title="How do we tag client notes?", details="", topics=["Wikis"]
    )


@pytest.mark.django_db
@fuzz(30)
@given(name=st.sampled_from(["sort", "status", "topic", "page"]), value=query_values, signed_in=st.booleans())
@example(name="topic", value="%00", signed_in=False)
@example(name="sort", value="%ED%A0%80", signed_in=True)
@example(name="page", value="9" * 40, signed_in=False)
def test_the_request_listing_reads_any_query(client, post, topic_request, staff, name, value, signed_in):
    sign_in(client, staff if signed_in else None)

    response = answered(client.get(f"/requests/?{name}={value}"))

    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.context["listing"].error
    still_serving(client, post)


@pytest.mark.django_db
@fuzz(30)
@given(title=form_text, details=form_text, topics=form_text)
@example(title="How do we tag client notes?", details="", topics="Wikis")
@example(title="A title long enough\x00", details="", topics="Wikis")
@example(title="A title long enough", details="", topics='"unclosed, quote')
def test_the_ask_form_takes_any_text(client, post, topic_request, staff, title, details, topics):
    sign_in(client, staff)
    before = TopicRequestPage.objects.count()

    response = answered(
        form_post(client, "/requests/ask/", {"title": title, "details": details, "topics": topics})
    )

    created = TopicRequestPage.objects.count() - before
    assert (response.status_code, created) in ((302, 1), (400, 0))
    still_serving(client, post)


@pytest.mark.django_db
@fuzz(40)
@given(
    action=st.sampled_from(["vote", "claim", "release", "answer", "decline"]),
    field=st.sampled_from(["vote", "pair", "answer", "reason", "next"]),
    value=form_text,
    who=PEOPLE,
)
@example(action="vote", field="vote", value="1", who="staff")
@example(action="answer", field="answer", value="99999999999999999999999", who="editor")
@example(action="decline", field="reason", value="\x00", who="editor")
@example(action="release", field="next", value="javascript:alert(1)", who="editor")
@example(action="release", field="next", value="//evil.example/", who="staff")
def test_the_request_forms_take_any_field(client, post, topic_request, people, action, field, value, who):
    sign_in(client, people[who])
    request = TopicRequestPage.objects.get(pk=topic_request.pk)

    response = answered(form_post(client, f"/requests/{request.pk}/{action}/", {field: value}))

    assert response.status_code in (302, 400, 403)
    if response.status_code == 302 and who != "anonymous":
        assert response["Location"].startswith("/"), "back to this site only"
        assert not response["Location"].startswith("//")
    if who == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert not TopicRequestVote.objects.filter(user__isnull=True).exists()
    still_serving(client, post)
