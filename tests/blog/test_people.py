"""People: profiles, the directory, a person's page and the profile form."""

import datetime
import io

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest
from PIL import Image as PILImage

from blog.factories import ProfileFactory, UserFactory
from blog.models import Profile
from blog.threads.models import Comment
from blog.threads.services import comment_create

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def png(size=(40, 40)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "#1f5fbf").save(buffer, "PNG")
    return buffer.getvalue()


def test_signing_in_the_first_time_creates_a_profile(staff):
    client = Client()
    assert client.login(username="sam", password="pw")
    assert Profile.objects.filter(user=staff).count() == 1
    client.logout()
    assert client.login(username="sam", password="pw")
    assert Profile.objects.filter(user=staff).count() == 1


def test_people_pages_are_for_people_who_signed_in(client, staff):
    ProfileFactory(user=staff)
    for path in ("/people/", "/people/sam/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_directory_filters_by_what_people_teach_and_want_to_learn(staff):
    client = signed_in(UserFactory(username="viewer", first_name="Vi", last_name="Ewer"))
    ProfileFactory(user=staff, can_teach=["Excel macros"], wants_to_learn=["Wikis"])
    ProfileFactory(user=UserFactory(username="lee", first_name="Lee", last_name="Chan"), can_teach=["Wikis"])

    teaching = client.get("/people/", {"teaches": "excel-macros"})
    assert teaching.status_code == 200
    assert "Sam Kowalski" in teaching.text and "Lee Chan" not in teaching.text

    learning = client.get("/people/", {"learns": "wikis"})
    assert "Sam Kowalski" in learning.text and "Lee Chan" not in learning.text

    by_name = client.get("/people/", {"q": "chan"})
    assert "Lee Chan" in by_name.text and "Sam Kowalski" not in by_name.text
    assert 'href="/people/lee/"' in by_name.text
    assert 'href="/topics/wikis/"' in by_name.text


def test_topics_are_the_one_case_insensitive_vocabulary(make_post, staff):
    make_post(title="Wikis at work", tags=["Wikis"])
    profile = ProfileFactory(user=staff, can_teach=["WIKIS"])
    (tag,) = profile.can_teach.all()
    assert tag.name == "Wikis"


@pytest.mark.parametrize("bad", ["%00", "x" * 500, "%ED%A0%80", "%FF", "-1"])
def test_directory_and_person_pages_take_any_input(staff, bad):
    client = signed_in(staff)
    response = client.get(f"/people/?q={bad}&teaches={bad}&learns={bad}&page={bad}")
    assert response.status_code == 200
    assert client.get(f"/people/{bad}/").status_code == 404


@pytest.mark.parametrize("name", ["!!!", "🙂", "---"])
def test_a_topic_needs_a_letter_or_a_digit(staff, name):
    response = signed_in(staff).post("/me/profile/", {"can_teach": f"Wikis, {name}"})
    assert response.status_code == 400
    assert "needs a letter or a digit" in response.content.decode()
    assert not Profile.objects.get(user=staff).can_teach.exists()


def test_directory_queries_do_not_grow_with_people(staff, django_assert_num_queries):
    client = signed_in(staff)

    def people(count, start):
        for n in range(start, start + count):
            ProfileFactory(user=UserFactory(username=f"p{n}"), can_teach=[f"T{n}"], wants_to_learn=["Wikis"])

    people(5, 0)
    client.get("/people/")  # the first request after signing in also writes the session
    with CaptureQueriesContext(connection) as few:
        client.get("/people/")
    people(45, 5)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/people/")
    assert response.text.count('class="card person-card"') == 24  # one page of the directory


def test_person_page_shows_profile_pairs_and_pages(staff, pair, make_post):
    client = signed_in(staff)
    ProfileFactory(
        user=pair.first_member,
        job_title="Analyst",
        team="Lending",
        joined_on=timezone.localdate() - datetime.timedelta(days=3 * 366),
        bio="I like <b>wikis</b>.",
        can_teach=["Wikis"],
        wants_to_learn=["Credit risk"],
    )
    make_post(title="Why the wiki", tags=["Wikis"])

    response = client.get("/people/amira/")

    assert response.status_code == 200
    text = response.text
    assert "Amira Haddad" in text and "Analyst" in text and "3 years here" in text
    assert "I like &lt;b&gt;wikis&lt;/b&gt;." in text
    assert "Why the wiki" in text
    assert 'href="/pairs/amira-and-ben/"' in text and 'href="/people/ben/"' in text


def test_person_page_shows_no_comment_from_a_page_the_viewer_may_not_see(
    pair, make_post, staff, django_capture_on_commit_callbacks
):
    public, restricted = make_post(title="Public thoughts"), make_post(title="Committee minutes")
    ProfileFactory(user=staff)
    comment_create(page=public, user=staff, body="Said in the open", client_id="a")
    comment_create(page=restricted, user=staff, body="Said in committee", client_id="b")
    committee = Group.objects.create(name="Committee")
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(page=restricted, restriction_type="groups")
        restriction.groups.set([committee])
    outsider, member = UserFactory(username="olu"), UserFactory(username="cara")
    member.groups.add(committee)

    outside = signed_in(outsider).get("/people/sam/").text
    assert "Said in the open" in outside
    assert "Said in committee" not in outside and "Committee minutes" not in outside
    assert restricted.url not in outside
    inside = signed_in(member).get("/people/sam/").text
    assert "Said in committee" in inside and "Committee minutes" in inside


def test_person_page_queries_do_not_grow_with_activity(
    staff, pair, make_post, settings, django_assert_num_queries
):
    settings.COMMENT_RATE_LIMIT = 1000  # the comment rate limit is not what this test is about
    client = signed_in(staff)
    ProfileFactory(user=pair.first_member, can_teach=["Wikis"])

    def activity(count, start):
        for n in range(start, start + count):
            post = make_post(title=f"Post {n}", tags=[f"T{n}"])
            comment_create(page=post, user=pair.first_member, body=f"Comment {n}", client_id=f"c{n}")

    activity(2, 0)
    client.get("/people/amira/")  # the first request after signing in also writes the session
    with CaptureQueriesContext(connection) as few:
        client.get("/people/amira/")
    activity(8, 2)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/people/amira/")


def test_someone_who_never_signed_in_still_has_a_page(staff, other_pair):
    client = signed_in(staff)
    member = other_pair.first_member
    assert client.get(f"/people/{member.username}/").status_code == 200
    assert client.get("/people/nobody-by-this-name/").status_code == 404


def test_bylines_and_comment_authors_link_to_people(client, pair, make_post, staff):
    post = make_post(title="Linked")
    comment_create(page=post, user=staff, body="Hello", client_id="x")
    text = client.get(post.url).text
    assert 'href="/people/amira/"' in text and 'href="/people/ben/"' in text
    assert 'href="/people/sam/"' in text


def test_profile_form_starts_from_the_saved_profile(staff):
    ProfileFactory(user=staff, job_title="Teller", can_teach=["Credit risk", "Cash, cheques"])
    page = signed_in(staff).get("/me/profile/").content.decode()
    assert 'value="Teller"' in page
    assert 'value="&quot;Cash, cheques&quot;, &quot;Credit risk&quot;"' in page  # taggit's own quoting


def test_profile_form_saves_topics_and_names(staff):
    client = signed_in(staff)
    assert client.get("/me/profile/").status_code == 200
    response = client.post(
        "/me/profile/",
        {
            "first_name": "Samantha",
            "last_name": "Kowalski",
            "job_title": "Relationship manager",
            "team": "SME lending",
            "joined_on": "2004-03-01",
            "bio": "Twenty years of client meetings.",
            "can_teach": "Credit risk, Client negotiation",
            "wants_to_learn": "wikis",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/people/sam/"
    profile = Profile.objects.get(user=staff)
    staff.refresh_from_db()
    assert staff.get_full_name() == "Samantha Kowalski"
    assert sorted(t.name for t in profile.can_teach.all()) == ["Client negotiation", "Credit risk"]
    assert [t.name for t in profile.wants_to_learn.all()] == ["wikis"]
    assert profile.joined_on == datetime.date(2004, 3, 1)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("joined_on", "2999-01-01", "That date has not come yet."),
        ("joined_on", "yesterday", "Enter a valid date."),
        ("bio", "x" * 601, "at most 600 characters"),
        ("can_teach", ", ".join(f"Topic {n}" for n in range(16)), "at most 15 topics"),
    ],
)
def test_profile_form_explains_what_is_wrong_and_keeps_the_rest(staff, field, value, message):
    client = signed_in(staff)
    data = {"job_title": "Kept title", field: value}
    response = client.post("/me/profile/", data)
    assert response.status_code == 400
    assert message in response.text
    assert 'value="Kept title"' in response.text
    assert Profile.objects.get(user=staff).job_title == ""


def test_avatar_is_validated_and_rendered_as_a_small_rendition(staff):
    client = signed_in(staff)
    not_an_image = SimpleUploadedFile("me.png", b"not a picture", content_type="image/png")
    refused = client.post("/me/profile/", {"avatar": not_an_image})
    assert refused.status_code == 400
    assert Profile.objects.get(user=staff).avatar is None

    photo = SimpleUploadedFile("me.png", png((400, 300)), content_type="image/png")
    assert client.post("/me/profile/", {"avatar": photo}).status_code == 302
    profile = Profile.objects.get(user=staff)
    assert profile.avatar is not None
    page = client.get("/people/sam/").text
    assert '<img class="avatar"' in page or 'class="avatar"' in page.split("<img", 1)[1].split(">", 1)[0]
    assert ".fill-160x160-c100." in page  # a rendition, not the 400 x 300 original
    assert profile.avatar.renditions.filter(filter_spec__startswith="fill-160x160").exists()

    assert client.post("/me/profile/", {"remove_avatar": "on"}).status_code == 302
    assert Profile.objects.get(user=staff).avatar is None


def test_an_avatar_over_the_upload_limit_is_refused(staff, settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 1024
    big = SimpleUploadedFile("me.png", png((600, 600)) + b"\0" * 2048, content_type="image/png")
    response = signed_in(staff).post("/me/profile/", {"avatar": big})
    assert response.status_code == 400
    assert "This file is too big" in response.content.decode()
    assert Profile.objects.get(user=staff).avatar is None


def test_profile_form_needs_sign_in(client):
    response = client.get("/me/profile/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_initials_avatar_without_a_photo(staff):
    ProfileFactory(user=staff)
    text = signed_in(staff).get("/people/sam/").text
    assert ">SK</text>" in text


def test_comment_text_is_escaped_on_the_person_page(make_post, staff):
    post = make_post(title="Escapes")
    ProfileFactory(user=staff)
    comment_create(page=post, user=staff, body="<script>alert(1)</script> hi", client_id="s")
    text = signed_in(staff).get("/people/sam/").text
    assert "<script>alert(1)</script>" not in text
    assert Comment.objects.filter(author=staff).count() == 1


def test_directory_pages_keep_the_filter(staff):
    for n in range(26):
        ProfileFactory(user=UserFactory(username=f"w{n:02}"), can_teach=["Wikis"])
    first = signed_in(staff).get("/people/", {"teaches": "wikis"}).text
    assert 'href="?teaches=wikis&amp;page=2"' in first
    second = signed_in(staff).get("/people/", {"teaches": "wikis", "page": "2"}).text
    assert second.count('class="card person-card"') == 2


def test_a_persons_picture_is_their_photo_or_their_initials_and_tells_nobody_who_exists(staff):
    """/people/<username>/avatar/: what comments, presence and bylines show, signed in or not."""
    client = Client()
    initials = client.get(f"/people/{staff.username}/avatar/")
    assert initials.status_code == 200 and initials["Content-Type"] == "image/svg+xml"
    assert f">{staff.first_name[0]}{staff.last_name[0]}</text>" in initials.content.decode()
    assert "max-age" in initials["Cache-Control"]

    signed_in(staff).post("/me/profile/", {"avatar": SimpleUploadedFile("me.png", png(), "image/png")})
    photo = client.get(f"/people/{staff.username}/avatar/")
    assert photo.status_code == 302 and photo["Location"].startswith("/media/images/")

    nobody = client.get("/people/nobody-called-this/avatar/")
    assert nobody.status_code == 200 and ">?</text>" in nobody.content.decode()
    assert client.get("/people/bad%00name/avatar/").status_code == 200
