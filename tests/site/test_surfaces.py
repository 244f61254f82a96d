"""Every surface that shows a page's content, title or address goes through the one rule.

One post and one lesson are restricted to a group; every address the site
serves is then asked for, signed out and signed in as someone outside the
group, and must not show them. Someone in the group sees them on the
listings (so each check can fail). ``test_every_surface_is_covered`` fails
when an address or page type is added without being listed here.
"""

import datetime

from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from wagtail.models import PageViewRestriction, get_page_models

import pytest
from channels.db import database_sync_to_async

from blog.emails import unsubscribe_token
from blog.factories import UserFactory
from blog.notification_emails import notification_emails_send
from blog.threads.flags import comment_flag
from blog.threads.models import Notification
from blog.threads.questions import comment_answer
from blog.threads.services import comment_create
from home.digests import digest_send
from home.models import ChatWebhook, ChatWebhookDelivery
from home.webhooks import announcement_for, questions_waiting_record, webhook_event_record
from learning.models import TopicFollow, TopicRequestIndexPage
from learning.request_services import request_answer, request_ask, request_vote
from site.routing import websocket_urlpatterns

pytestmark = pytest.mark.django_db

SECRET = "Committee minutes"
LESSON_SECRET = "Committee lesson"


@pytest.fixture
def world(make_post, make_lesson, make_collection, pair, staff, editor, django_capture_on_commit_callbacks):
    """A restricted post and lesson (tagged, in a collection, commented, notified), and who asks."""
    committee = Group.objects.create(name="Committee")
    member = UserFactory(username="cara")
    member.groups.add(committee)
    post = make_post(title=SECRET, tags=["Wikis"])
    lesson = make_lesson(title=LESSON_SECRET, tags=["Wikis"])
    make_post(title="Public post", tags=["Wikis"])
    inspired = make_lesson(title="Grew from the minutes", inspired_by=post)
    collection = make_collection(title="Path", pages=[post, lesson])
    for person in (staff, member):
        TopicFollow.objects.create(user=person, tag=post.tags.get())
    # A mention made while the post was still public, stored for staff and the member.
    comment = comment_create(page=post, user=pair.first_member, body="@sam @cara see", client_id="c")
    # Flagged while public: the editors' review queue and comment listing hold it.
    comment_flag(page=post, user=staff, comment_id=comment.comment.pk, reason="confidential", note="Minutes")
    # A request asked by a pair member (on their page), voted for by both; and a
    # public request that the restricted post answers.
    requests = TopicRequestIndexPage.objects.get()
    secret_request = request_ask(
        user=pair.first_member,
        index=requests,
        title=f"{SECRET}: how are they kept?",
        details="",
        topics=["Wikis"],
    )
    public_request = request_ask(
        user=member, index=requests, title="How do we write minutes?", details="", topics=["Wikis"]
    )
    request_answer(user=pair.first_member, request=public_request, page=post)
    for person in (staff, member):
        request_vote(user=person, request=secret_request, vote=True)
    # An open question on each, asked while they were public: /questions/ lists it by its page's address.
    for page in (post, lesson):
        comment_create(page=page, user=member, body="Who wrote the minutes?", client_id="q", question=True)
    # An answered question on the post: the pair's page and the answerer's page list it by its address.
    asker = UserFactory(username="dana")
    asked = comment_create(page=post, user=asker, body="How are they kept?", client_id="qa", question=True)
    reply = comment_create(
        page=post, user=pair.first_member, body="In the wiki", client_id="qr", parent_id=asked.comment.pk
    )
    comment_answer(
        page=post, user=pair.first_member, question_id=asked.comment.pk, answer_id=reply.comment.pk
    )
    with django_capture_on_commit_callbacks(execute=True):  # committed, as the admin does
        for page in (post, lesson, secret_request):
            restriction = PageViewRestriction.objects.create(page=page, restriction_type="groups")
            restriction.groups.set([committee])
    return {
        "post": post,
        "lesson": lesson,
        "inspired": inspired,
        "collection": collection,
        "member": member,
        "comment": comment,
        "request": secret_request,
        "answered_request": public_request,
    }


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# Addresses, by URL name or page type, and how to ask for them (one request,
# or a list where one name serves several endpoints). Each shows listings or
# a page; ``None`` marks what shows no page's content or address.
def _http_surfaces(world) -> dict[str, tuple[str, str] | list[tuple[str, str]] | None]:
    post, lesson, collection = world["post"], world["lesson"], world["collection"]
    secret_request = world["request"].pk
    return {
        "home.HomePage": ("get", "/"),
        # Every page, the second time from the route remembered the first (site.routes).
        "wagtail_serve": [("get", post.url), ("get", post.url), ("get", lesson.url), ("get", lesson.url)],
        "blog.BlogIndexPage": ("get", "/blog/"),
        "blog.BlogIndexPage:feed": ("get", "/blog/feed/"),
        "blog.BlogPostPage": ("get", post.url),
        "learning.LearningIndexPage": ("get", "/lessons/"),
        "learning.LessonPage": ("get", lesson.url),
        "learning.LessonPage (public, inspired by the restricted post)": ("get", world["inspired"].url),
        "learning.CollectionIndexPage": ("get", "/collections/"),
        "learning.CollectionPage": ("get", collection.url),
        "learning.TopicRequestIndexPage": ("get", "/requests/"),
        "learning.TopicRequestPage": ("get", world["request"].url),
        "learning.TopicRequestPage (public, answered by the restricted post)": (
            "get",
            world["answered_request"].url,
        ),
        "request_ask": ("get", "/requests/ask/"),
        "request_vote": ("post", f"/requests/{secret_request}/vote/"),
        "request_claim": ("post", f"/requests/{secret_request}/claim/"),
        "request_release": ("post", f"/requests/{secret_request}/release/"),
        "request_answer": ("post", f"/requests/{secret_request}/answer/"),
        "request_decline": ("post", f"/requests/{secret_request}/decline/"),
        "pair_index": ("get", "/pairs/"),
        "pair_detail": ("get", f"/pairs/{post.pair.slug}/"),
        "pair_feed": ("get", f"/pairs/{post.pair.slug}/feed/"),
        "pair_follow": None,
        "pair_goal_add": None,
        "pair_goal_status": None,
        "pair_check_in_add": None,
        "people_index": ("get", "/people/"),
        "person_detail": ("get", f"/people/{post.pair.first_member.username}/"),
        "person_avatar": ("get", f"/people/{post.pair.first_member.username}/avatar/"),
        "profile_edit": ("get", "/me/profile/"),
        "topic_index": ("get", "/topics/"),
        "topic_detail": ("get", "/topics/wikis/"),
        "topic_feed": ("get", "/topics/wikis/feed/"),
        "topic_follow": None,
        "topic_suggest": ("get", "/api/topics/?q=Commi"),
        "my_stream": ("get", "/me/stream/"),
        "post_mark_read": ("post", f"/me/read/{post.pk}/"),
        "lesson_mark_done": ("post", f"/me/done/{lesson.pk}/"),
        "lesson_check": ("post", f"/me/check/{lesson.pk}/"),
        "search": ("get", "/search/?q=Committee"),
        "thread_comments_api": ("get", f"/api/threads/{post.pk}/comments/"),
        "thread_answer_api": ("post", f"/api/threads/{post.pk}/answers/"),
        "thread_comment_api": ("get", f"/api/threads/{post.pk}/comments/{world['comment'].comment.pk}/"),
        "thread_flag_api": ("post", f"/api/threads/{post.pk}/comments/{world['comment'].comment.pk}/flags/"),
        "page_react": ("post", f"/pages/{post.pk}/react/"),
        "lesson_promote": ("get", f"/conversations/{world['comment'].comment.pk}/promote/"),
        "question_index": ("get", "/questions/"),
        "notification_index": ("get", "/me/notifications/"),
        "notifications_read": None,
        "notification_settings": ("get", "/me/notifications/settings/"),
        "email_unsubscribe": (
            "get",
            f"/email/unsubscribe/{unsubscribe_token(user=world['member'], scope='digest')}/",
        ),
        "login": None,
        "logout": None,
        # Wagtail's own sign-in and password forms (tests/site/test_routes.py): they show no page.
        "wagtailcore_login": None,
        "wagtailcore_authenticate_with_password": None,
        "favicon": None,  # the site's icon
        # Wagtail's API v2: each endpoint's listing, detail and find, every field asked for.
        "listing": [
            ("get", f"/api/v2/{endpoint}/?fields=*&search=Committee")
            for endpoint in ("pages", "posts", "lessons", "collections")
        ]
        + [("get", f"/api/v2/{endpoint}/?fields=*") for endpoint in ("posts", "lessons", "collections")],
        "detail": [
            ("get", f"/api/v2/{endpoint}/{page.pk}/")
            for endpoint in ("pages", "posts", "lessons", "collections")
            for page in (post, lesson, collection)
        ],
        "find": [
            ("get", f"/api/v2/{endpoint}/find/?html_path={page.url}")
            for endpoint in ("pages", "posts", "lessons")
            for page in (post, lesson)
        ],
    }


def _page_type_names() -> set[str]:
    names = set()
    for model in get_page_models():
        if model._meta.app_label == "wagtailcore":
            continue
        label = f"{model._meta.app_label}.{model.__name__}"
        names.add(label)
        for route in getattr(model, "get_subpage_urls", lambda: [])():
            if route.name and str(route.pattern):  # the page itself is listed by its type
                names.add(f"{label}:{route.name}")
    return names


def _url_names(resolver=None, skip=("admin/", "documents/", "media/")) -> set[str]:
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern) in skip or "wagtail" in getattr(pattern.urlconf_module, "__name__", ""):
                continue
            names |= _url_names(pattern, skip)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def test_every_surface_is_covered(world):
    covered = set(_http_surfaces(world))
    assert _url_names() - covered == set(), "a new address: add it to _http_surfaces"
    assert _page_type_names() - covered == set(), "a new page type or route: add it to _http_surfaces"
    assert {str(route.pattern) for route in websocket_urlpatterns} == {
        "ws/threads/<id:page_id>/",
        "ws/notifications/",
        "",  # UnknownSocket: refuses every other address
    }, "a new socket: test what it sends (tests/blog/threads/test_live_access.py)"


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_no_surface_shows_a_restricted_page_to_those_it_keeps_out(world, staff, who):
    client = Client() if who == "anonymous" else signed_in(staff)
    leaks = []
    for name, requests in _http_surfaces(world).items():
        for method, url in [requests] if isinstance(requests, tuple) else requests or []:
            response = getattr(client, method)(url)
            assert response.status_code < 500, (name, url, response.status_code)
            text = response.content.decode()
            if (
                SECRET in text
                or LESSON_SECRET in text
                or world["post"].url in text
                or world["lesson"].url in text
            ):
                leaks.append((name, url))
    assert leaks == []


def test_the_header_badge_counts_no_notification_of_a_restricted_page(world, staff):
    assert Notification.objects.filter(recipient=staff).count() == 1  # stored before the restriction

    page = signed_in(staff).get("/me/notifications/").content.decode()

    assert "data-notifications-unread" not in page and "mentioned you" not in page


def test_emails_show_a_restricted_page_only_to_those_it_lets_in(world, staff, mailoutbox, settings):
    """The notification e-mails and the digest, decided at send time: the mention was made while public."""
    later = timezone.now() + datetime.timedelta(seconds=settings.EMAIL_NOTIFICATION_DELAY + 1)
    sent = {}
    for person in (staff, world["member"]):
        notification_emails_send(user=person, now=later)
        digest_send(user=person)
        sent[person.username] = " ".join(
            body for message in mailoutbox if message.to == [person.email] for body in _bodies(message)
        )
    assert "Public post" in sent["sam"]  # the digest went: sam follows Wikis
    assert SECRET not in sent["sam"] and world["post"].url not in sent["sam"]
    assert "mentioned you" in sent["cara"] and SECRET in sent["cara"]


def test_chat_webhooks_announce_no_restricted_page(world):
    """Chat webhooks (``home.webhooks``) send only what anyone may see, asked when recorded and when sent."""
    hook = ChatWebhook.objects.create(
        name="all", url="https://chat.example.com/hook", on_question_waiting=True
    )
    Event = ChatWebhookDelivery.Event
    for page in (world["post"], world["lesson"], world["request"]):
        for event in (Event.PAGE_PUBLISHED, Event.REQUEST_OPENED, Event.REQUEST_ANSWERED):
            assert webhook_event_record(event=event, page=page) == []
    # The questions on the post and the lesson have waited two days by then.
    assert questions_waiting_record(now=timezone.now() + datetime.timedelta(days=2)) == []
    # Recorded while the post was public: the send finds it restricted.
    recorded = ChatWebhookDelivery.objects.create(
        hook=hook, event=Event.PAGE_PUBLISHED, subject_key="page:recorded-earlier", page=world["post"]
    )
    assert announcement_for(recorded) is None
    # The public request is announced (so each check above can fail).
    assert len(webhook_event_record(event=Event.REQUEST_ANSWERED, page=world["answered_request"])) == 1


def _bodies(message) -> list[str]:
    return [message.body, *(content for content, _ in message.alternatives)]


def test_someone_in_the_group_sees_the_page_on_every_listing(world):
    client = signed_in(world["member"])
    for url in (
        "/",
        "/blog/",
        "/blog/feed/",
        "/lessons/",
        "/topics/wikis/",
        "/me/stream/",
        "/search/?q=Committee",
        "/people/amira/",
        "/requests/",
        "/questions/",
    ):
        text = client.get(url).content.decode()
        assert SECRET in text or LESSON_SECRET in text, url
    assert "mentioned you" in client.get("/me/notifications/").content.decode()
    for url in ("/pairs/amira-and-ben/", "/people/amira/"):  # among the questions answered
        assert "How are they kept?" in client.get(url).content.decode(), url
    assert SECRET in client.get(world["inspired"].url).content.decode()
    assert SECRET in client.get(world["answered_request"].url).content.decode()


# The editors' pages in the Wagtail admin that show comments with their page's title and address.
ADMIN_SURFACES = ("/admin/comment-review/", "/admin/comments/", "/admin/comments/?q=see&flagged=true")


def test_the_review_queue_and_comment_listing_keep_out_an_editor_outside_the_group(world, editor):
    outside = signed_in(editor)
    inside = signed_in(world["member"])
    world["member"].groups.add(Group.objects.get(name="Editors"))

    for url in ADMIN_SURFACES:
        kept_out = outside.get(url)
        text = kept_out.content.decode()
        assert kept_out.status_code == 200, url
        assert SECRET not in text and world["post"].url not in text and "@sam @cara see" not in text, url
        assert SECRET in inside.get(url).content.decode(), url


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_the_thread_socket_refuses_the_handshake(world, ws, staff):
    await ws(world["post"], None, expect_accept=False)
    await ws(world["post"], staff, expect_accept=False)
    member = await database_sync_to_async(lambda: world["member"])()
    await ws(world["post"], member)
