"""Topic requests: asking, votes, claim → answer or decline, notifications, and the pages that show them."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from wagtail.models import PageViewRestriction

import pytest
from taggit.models import Tag

from blog.factories import MentorPairFactory, UserFactory
from blog.models import MentorPair, Notification
from blog.threads.services import comment_create
from learning.models import TopicRequestPage, TopicRequestVote
from learning.request_services import (
    DuplicateRequest,
    request_answer,
    request_ask,
    request_claim,
    request_decline,
    request_release,
    request_vote,
)
from tests.caches import empty_caches

pytestmark = pytest.mark.django_db

TITLE = "How do we keep client notes in the wiki?"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def notices(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user, kind="notice").values_list("text", flat=True))


def fresh(page: TopicRequestPage) -> TopicRequestPage:
    return TopicRequestPage.objects.get(pk=page.pk)


# --- Asking -----------------------------------------------------------------------


def test_anyone_signed_in_asks_and_the_request_is_a_live_page_under_requests(make_post, make_request, staff):
    make_post(tags=["Wikis"])

    asked = make_request(TITLE, topics=["wikis", "Client   notes"], details="We store them in email now.")

    assert asked.live and asked.url.startswith("/requests/") and asked.requester == staff
    assert asked.status == "open"
    # The one vocabulary, case-insensitive: "wikis" is the posts' "Wikis".
    assert sorted(asked.tags.names()) == ["Client notes", "Wikis"]
    assert Tag.objects.filter(name__iexact="wikis").count() == 1
    page = Client().get(asked.url).content.decode()
    assert TITLE in page and "We store them in email now." in page and 'id="thread"' in page


def test_the_ask_form_works_without_javascript(staff, request_index):
    client = signed_in(staff)
    assert client.get("/requests/ask/").status_code == 200

    response = client.post("/requests/ask/", {"title": TITLE, "details": "", "topics": "Wikis, Risk"})

    asked = TopicRequestPage.objects.get()
    assert response.status_code == 302 and response["Location"] == asked.url
    assert sorted(asked.tags.names()) == ["Risk", "Wikis"]


def test_anonymous_readers_are_sent_to_sign_in_to_ask(client, request_index):
    response = client.get("/requests/ask/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "Sign in" in client.get("/requests/").content.decode()


@pytest.mark.parametrize(
    ("title", "topics", "field", "message"),
    [
        ("Wiki?", "Wikis", "title", "10 to 150 characters"),
        ("W" * 151, "Wikis", "title", "at most 150 characters"),
        ("          ", "Wikis", "title", ""),
        (TITLE, "", "topics", "at least one topic"),
        (TITLE, " , ,", "topics", "at least one topic"),
        (TITLE, "!!!", "topics", "needs a letter or a digit"),
        (TITLE, "a, b, c, d, e, f", "topics", "at most 5 topics"),
        ("Client notes\x00 in the wiki", "Wikis", "title", ""),
    ],
)
def test_the_ask_form_refuses_bad_input_with_a_clear_error(
    staff, request_index, title, topics, field, message
):
    response = signed_in(staff).post("/requests/ask/", {"title": title, "topics": topics})

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    assert not TopicRequestPage.objects.exists()


def test_a_second_open_request_with_the_same_title_is_refused_and_the_first_offered(
    make_request, staff, request_index
):
    first = make_request(TITLE)
    other = UserFactory(username="priya")

    with pytest.raises(DuplicateRequest) as refused:
        make_request("  how do WE keep client notes   in the wiki? ", user=other)
    assert refused.value.existing == first

    empty_caches()
    response = signed_in(other).post("/requests/ask/", {"title": TITLE.upper(), "topics": "Wikis"})
    assert response.status_code == 400
    assert f'href="{first.url}"' in response.content.decode()
    assert TopicRequestPage.objects.count() == 1


def test_a_declined_request_does_not_block_asking_again(make_request, editor):
    first = make_request(TITLE)
    request_decline(user=editor, request=first, reason="Covered by the handbook.")

    again = make_request(TITLE)

    assert again.pk != first.pk and again.slug != first.slug


def test_the_database_keeps_one_active_request_per_title(make_request):
    # The service's check can race; the partial unique constraint cannot.
    from django.db import IntegrityError, transaction

    first = make_request(TITLE)
    twin = fresh(first)
    twin.pk = twin.id = twin.page_ptr_id = None
    twin.slug, twin.path = "twin", first.path[:-4] + "9999"
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save(clean=False)


def test_asking_is_rate_limited_like_comments(settings, staff, request_index, rate_clock_held):
    settings.COMMENT_RATE_LIMIT = 2
    for n in range(2):
        request_ask(user=staff, index=request_index, title=f"{TITLE} part {n}", details="", topics=["Wikis"])

    with pytest.raises(ValidationError, match="asking quickly"):
        request_ask(user=staff, index=request_index, title=f"{TITLE} part 3", details="", topics=["Wikis"])


# --- Votes ------------------------------------------------------------------------------


def test_voting_is_idempotent_and_toggled(make_request, staff):
    asked = make_request()
    voter = UserFactory(username="priya")

    assert request_vote(user=voter, request=asked, vote=True) == 1
    assert request_vote(user=voter, request=asked, vote=True) == 1
    assert request_vote(user=staff, request=asked, vote=True) == 2
    assert request_vote(user=voter, request=asked, vote=False) == 1
    assert request_vote(user=voter, request=asked, vote=False) == 1
    assert TopicRequestVote.objects.filter(user=voter).count() == 0


def test_the_vote_form_works_without_javascript_and_twice_counts_once(make_request):
    asked = make_request()
    client = signed_in(UserFactory(username="priya"))
    url = reverse("request_vote", args=[asked.pk])

    for _ in range(2):
        assert client.post(url, {"vote": "1"}).status_code == 302
    page = client.get(asked.url).content.decode()
    assert "1 vote" in page and 'aria-pressed="true"' in page

    client.post(url, {"vote": "0"})
    assert "0 votes" in client.get(asked.url).content.decode()


@pytest.mark.parametrize("vote", ["", "yes", "2", "１"])
def test_a_garbage_vote_is_a_400_with_the_reason(make_request, vote):
    asked = make_request()
    response = signed_in(UserFactory()).post(reverse("request_vote", args=[asked.pk]), {"vote": vote})
    assert response.status_code == 400 and "vote=1" in response.content.decode()


def test_anonymous_voters_are_sent_to_sign_in(client, make_request):
    asked = make_request()
    response = client.post(reverse("request_vote", args=[asked.pk]), {"vote": "1"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not TopicRequestVote.objects.exists()


def test_votes_close_when_a_request_is_closed(make_request, editor, staff):
    asked = make_request()
    request_decline(user=editor, request=asked, reason="Out of scope.")
    with pytest.raises(ValidationError, match="voting is closed"):
        request_vote(user=staff, request=fresh(asked), vote=True)


# --- Claim, answer, decline -----------------------------------------------------------------


def test_a_pair_member_claims_and_answers_with_their_post(make_request, make_post, pair):
    asked = make_request()
    amira = pair.first_member

    response = signed_in(amira).post(reverse("request_claim", args=[asked.pk]))
    assert response.status_code == 302
    claimed = fresh(asked)
    assert claimed.status == "claimed" and claimed.claimed_by == pair

    post = make_post(title="Client notes, safely", pair=pair)
    response = signed_in(pair.second_member).post(
        reverse("request_answer", args=[asked.pk]), {"answer": post.pk}
    )
    assert response.status_code == 302
    answered = fresh(asked)
    assert answered.status == "answered" and answered.answer_id == post.pk
    page = Client().get(asked.url).content.decode()
    assert f'href="{post.url}"' in page and "Answered" in page


@pytest.mark.parametrize("who", ["staff", "editor", "completed_pair_member"])
def test_only_a_member_of_an_active_pair_claims(make_request, staff, editor, who):
    asked = make_request()
    if who == "completed_pair_member":
        user = MentorPairFactory(status=MentorPair.Status.COMPLETED).first_member
    else:
        user = {"staff": staff, "editor": editor}[who]

    response = signed_in(user).post(reverse("request_claim", args=[asked.pk]))

    assert response.status_code == 403 and "Only a member of an active pair" in response.content.decode()
    assert fresh(asked).status == "open"


def test_a_member_claims_only_for_their_own_pair(make_request, pair, other_pair):
    asked = make_request()
    with pytest.raises(PermissionDenied):
        request_claim(user=pair.first_member, request=asked, pair=other_pair)


def test_a_claimed_request_cannot_be_claimed_again(make_request, pair, other_pair):
    asked = make_request()
    request_claim(user=pair.first_member, request=asked, pair=pair)

    response = signed_in(other_pair.first_member).post(reverse("request_claim", args=[asked.pk]))

    assert response.status_code == 400 and "claimed already" in response.content.decode()
    assert fresh(asked).claimed_by == pair


def test_only_the_claiming_pair_answers_and_only_with_their_own_page(
    make_request, make_post, pair, other_pair
):
    asked = make_request()
    request_claim(user=pair.first_member, request=asked, pair=pair)
    theirs = make_post(pair=other_pair)
    ours = make_post(pair=pair)

    with pytest.raises(PermissionDenied):
        request_answer(user=other_pair.first_member, request=fresh(asked), page=theirs)
    with pytest.raises(PermissionDenied):
        request_answer(user=pair.first_member, request=fresh(asked), page=theirs)
    response = signed_in(other_pair.first_member).post(
        reverse("request_answer", args=[asked.pk]), {"answer": ours.pk}
    )
    assert response.status_code == 403
    assert fresh(asked).status == "claimed"


@pytest.mark.parametrize("answer", ["", "abc", "99999999", "-1"])
def test_a_garbage_answer_is_a_400(make_request, pair, answer):
    asked = make_request()
    request_claim(user=pair.first_member, request=asked, pair=pair)
    response = signed_in(pair.first_member).post(
        reverse("request_answer", args=[asked.pk]), {"answer": answer}
    )
    assert response.status_code == 400


def test_only_an_editor_declines_and_the_reason_shows_on_the_page(make_request, staff, pair, editor):
    asked = make_request()
    url = reverse("request_decline", args=[asked.pk])

    for user in (staff, pair.first_member):
        assert signed_in(user).post(url, {"reason": "No."}).status_code == 403
    assert signed_in(editor).post(url, {"reason": "   "}).status_code == 400
    assert signed_in(editor).post(url, {"reason": "x" * 501}).status_code == 400
    assert fresh(asked).status == "open"

    assert signed_in(editor).post(url, {"reason": "The handbook <b>covers</b> it."}).status_code == 302

    declined = fresh(asked)
    assert declined.status == "declined" and declined.declined_by == editor
    page = Client().get(asked.url).content.decode()
    assert "The handbook &lt;b&gt;covers&lt;/b&gt; it." in page  # escaped, never markup


def test_the_claiming_pair_releases_its_claim_and_another_pair_may_claim_it(
    make_request, pair, other_pair, blog_index
):
    from blog.factories import BlogPostPageFactory

    asked = make_request()
    request_claim(user=pair.first_member, request=asked, pair=pair)
    draft = BlogPostPageFactory(parent=blog_index, pair=pair, live=False)
    request_answer(user=pair.first_member, request=fresh(asked), page=draft)  # waiting for the draft
    page = signed_in(pair.second_member).get(asked.url).content.decode()
    assert f'action="/requests/{asked.pk}/release/"' in page and "We can’t write this after all" in page

    response = signed_in(pair.second_member).post(reverse("request_release", args=[asked.pk]))

    assert response.status_code == 302
    released = fresh(asked)
    assert released.status == "open" and released.claimed_by is None and released.claimed_at is None
    assert released.answer_id is None  # the draft no longer answers it when published
    assert "Open: no pair has claimed it yet." in Client().get(asked.url).content.decode()
    request_claim(user=other_pair.first_member, request=fresh(asked), pair=other_pair)
    assert fresh(asked).claimed_by == other_pair


def test_only_the_claiming_pair_or_an_editor_releases_a_claim(make_request, pair, other_pair, staff, editor):
    asked = make_request()
    url = reverse("request_release", args=[asked.pk])
    assert signed_in(pair.first_member).post(url).status_code == 400  # open: nothing to release
    request_claim(user=pair.first_member, request=asked, pair=pair)

    for user in (staff, other_pair.first_member):
        response = signed_in(user).post(url)
        assert response.status_code == 403 and "Only the pair that claimed it" in response.content.decode()
        assert "release/" not in signed_in(user).get(asked.url).content.decode()
    assert Client().post(url).status_code == 302  # to sign in
    assert fresh(asked).status == "claimed"

    assert "Release the claim" in signed_in(editor).get(asked.url).content.decode()
    assert signed_in(editor).post(url).status_code == 302
    assert fresh(asked).status == "open"


def test_an_answered_or_declined_request_cannot_be_released(make_request, make_post, pair, editor):
    answered, declined = make_request(), make_request("Another question about the wiki")
    request_answer(user=pair.first_member, request=answered, page=make_post(pair=pair))
    request_claim(user=pair.first_member, request=declined, pair=pair)
    request_decline(user=editor, request=fresh(declined), reason="Covered elsewhere.")

    for asked in (answered, declined):
        with pytest.raises(ValidationError):
            request_release(user=pair.first_member, request=fresh(asked))
    assert (fresh(answered).status, fresh(declined).status) == ("answered", "declined")


def test_publishing_an_older_revision_keeps_the_request_where_it_stands(make_request, pair):
    asked = make_request()
    request_claim(user=pair.first_member, request=asked, pair=pair)
    # The revision as the admin would load it: its page read afresh.
    old_revision = fresh(asked).revisions.get()

    old_revision.publish()

    claimed = fresh(asked)
    assert claimed.status == "claimed" and claimed.claimed_by == pair


# --- Notifications ---------------------------------------------------------------------------


def test_the_requester_and_voters_hear_of_the_claim_and_the_answer(
    make_request, make_post, pair, staff, django_capture_on_commit_callbacks
):
    asked = make_request()
    voter, bystander = UserFactory(username="priya"), UserFactory(username="oscar")
    request_vote(user=voter, request=asked, vote=True)
    request_vote(user=pair.first_member, request=asked, vote=True)

    with django_capture_on_commit_callbacks(execute=True):
        request_claim(user=pair.first_member, request=asked, pair=pair)
    assert notices(staff) == notices(voter) == [f"Amira & Ben will write about “{TITLE}”"]
    assert notices(pair.first_member) == []  # not told of what they did themselves

    with django_capture_on_commit_callbacks(execute=True):
        request_answer(user=pair.second_member, request=fresh(asked), page=make_post(pair=pair))
    assert notices(staff)[0] == f"Your request “{TITLE}” is answered"
    assert len(notices(voter)) == 2 and len(notices(pair.first_member)) == 1
    assert notices(bystander) == []
    assert Notification.objects.filter(kind="notice", url=asked.url).count() == 5


def test_the_requester_and_voters_hear_when_a_claim_is_released(
    make_request, pair, staff, django_capture_on_commit_callbacks
):
    asked = make_request()
    voter = UserFactory(username="priya")
    request_vote(user=voter, request=asked, vote=True)
    request_vote(user=pair.second_member, request=asked, vote=True)
    request_claim(user=pair.first_member, request=asked, pair=pair)

    with django_capture_on_commit_callbacks(execute=True):
        request_release(user=pair.first_member, request=fresh(asked))

    told = f"Amira & Ben will not write about “{TITLE}”: it is open again"
    assert notices(staff)[0] == told and notices(voter)[0] == told
    assert told not in notices(pair.first_member) + notices(pair.second_member)  # the pair knows


def test_the_requester_hears_of_each_comment_on_their_requests_thread(
    make_request, pair, staff, django_capture_on_commit_callbacks
):
    asked = make_request()

    with django_capture_on_commit_callbacks(execute=True):
        comment_create(page=asked, user=pair.first_member, body="Which wiki?", client_id="c1")
        comment_create(page=asked, user=staff, body="Ours, the team one", client_id="c2")

    (told,) = Notification.objects.filter(recipient=staff)
    assert (
        told.kind == "pair_post_comment" and told.text == f"Amira Haddad commented on your request “{TITLE}”"
    )
    assert told.url.startswith(asked.url)
    assert not Notification.objects.filter(recipient=pair.first_member).exists()  # no reply, no mention


def test_a_requester_who_may_no_longer_see_the_request_hears_nothing_of_its_comments(
    make_request, pair, staff
):
    committee = Group.objects.create(name="Committee")
    pair.first_member.groups.add(committee)
    asked = make_request()
    PageViewRestriction.objects.create(page=asked, restriction_type="groups").groups.set([committee])

    comment_create(page=fresh(asked), user=pair.first_member, body="Behind closed doors", client_id="c")

    assert not Notification.objects.filter(recipient=staff).exists()


def test_only_people_who_may_see_the_request_are_notified(make_request, make_post, pair, staff):
    committee = Group.objects.create(name="Committee")
    insider = UserFactory(username="cara")
    insider.groups.add(committee)
    pair.first_member.groups.add(committee)
    asked = make_request()
    request_vote(user=insider, request=asked, vote=True)
    restriction = PageViewRestriction.objects.create(page=asked, restriction_type="groups")
    restriction.groups.set([committee])

    request_claim(user=pair.first_member, request=fresh(asked), pair=pair)
    request_answer(user=pair.first_member, request=fresh(asked), page=make_post(pair=pair))

    assert len(notices(insider)) == 2
    assert notices(staff) == []  # asked it, but may no longer see it
