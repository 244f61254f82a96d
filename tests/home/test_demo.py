"""The demo a newcomer gets from ``make run``: loaded once, loadable again, every page readable."""

import collections
import datetime
import io

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone
from django.utils.html import escape

from wagtail.images import get_image_model
from wagtail.models import Page, Revision

import pytest
from taggit.models import Tag, TaggedItem

from blog.models import BlogPostPage, BlogPostTag, MentorPair, PairCheckIn, PairGoal, Profile
from blog.notification_emails import notification_email_recipients_due
from blog.selectors import pairing_board
from blog.threads.models import Comment, Notification, Reaction
from blog.threads.services import comment_create
from home.demo import demo_data, load_demo
from learning.models import CollectionPage

DEMO = demo_data()


def counts() -> dict[str, int]:
    models = [
        get_user_model(),
        MentorPair,
        PairGoal,
        PairCheckIn,
        Profile,
        Page,
        BlogPostPage,
        Revision,
        Tag,
        TaggedItem,
        BlogPostTag,
        get_image_model(),
        Comment,
        Reaction,
    ]
    return {model.__name__: model.objects.count() for model in models}


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


class DemoSiteTests(TestCase):
    """One demo, loaded into an empty database once for the class; each test sees it afresh."""

    @classmethod
    def setUpTestData(cls):
        output = io.StringIO()
        call_command("load_demo", stdout=output)
        cls.load_output = output.getvalue()

    def test_loading_the_demo_again_creates_nothing(self):
        before = counts()

        created_again = load_demo()

        assert counts() == before
        assert set(created_again.values()) == {0}
        assert before["User"] == len(DEMO.people)
        assert before["MentorPair"] == len(DEMO.pairs)
        assert before["BlogPostPage"] == len(DEMO.posts)
        # The charts, a cover for each post and collection, an avatar for each person.
        assert before["Image"] == len(DEMO.images) + len(DEMO.posts) + len(DEMO.collections) + len(
            DEMO.people
        )
        assert f"{len(DEMO.posts)} posts" in self.load_output
        assert f"{len(DEMO.people)} people" in self.load_output
        assert Profile.objects.count() == len(DEMO.profiles) == len(DEMO.people)
        assert PairGoal.objects.count() == len(DEMO.goals) > 0
        assert PairCheckIn.objects.count() == len(DEMO.check_ins) > 0

    def test_demo_requests_are_in_every_state_and_the_answered_one_links_its_post(self):
        from learning.models import TopicRequestPage

        requests = TopicRequestPage.objects.live()
        assert requests.count() == len(DEMO.requests)
        assert set(requests.values_list("status", flat=True)) == {"open", "claimed", "answered", "declined"}
        answered = requests.get(status="answered")
        assert answered.answer.specific.slug == "why-our-credit-memos-moved-to-the-wiki"
        listing = page_text(self.client, "/requests/")
        assert all(escape(spec.title) in listing for spec in DEMO.requests)
        page = page_text(self.client, answered.url)
        assert 'href="/blog/why-our-credit-memos-moved-to-the-wiki/"' in page
        sam = get_user_model().objects.get(username="sam")
        assert sam.notifications.filter(text__contains="is answered").exists()
        assert "Client channels are opened by IT" in page_text(
            self.client, requests.get(status="declined").url
        )

    def test_demo_questions_are_open_and_answered_and_load_once(self):
        from blog.threads.models import Comment

        asked = Comment.objects.filter(question=True)
        answered = asked.filter(answer__isnull=False)
        assert asked.count() == len(DEMO.thread_questions)
        assert answered.count() == sum(1 for q in DEMO.thread_questions if q.answer) > 0
        assert asked.filter(answer__isnull=True).count() > 0
        assert Comment.objects.filter(accepted=True).count() == answered.count()
        assert load_demo()["questions"] == 0
        assert Comment.objects.filter(question=True).count() == len(DEMO.thread_questions)
        page = page_text(self.client, "/blog/why-our-credit-memos-moved-to-the-wiki/")
        assert "Question for the authors · answered" in page

    def test_every_post_and_collection_has_a_cover_and_most_posts_a_conversation(self):
        posts = BlogPostPage.objects.live()
        assert not posts.filter(cover_image=None).exists()
        assert not CollectionPage.objects.live().filter(cover_image=None).exists()
        covers = set(posts.values_list("cover_image", flat=True))
        assert len(covers) == posts.count()  # one each, not one for all
        assert not Profile.objects.filter(avatar=None).exists()
        talked_about = posts.filter(comments__deleted=False).distinct().count()
        assert talked_about >= posts.count() * 3 // 4
        replied = posts.filter(comments__parent__isnull=False).distinct().count()
        assert replied >= posts.count() // 2
        assert Reaction.objects.count() > len(DEMO.conversations)
        # Dated back: the conversations did not all happen in the last minute.
        assert Comment.objects.filter(created__lt=timezone.now() - timezone.timedelta(days=7)).exists()
        listing = page_text(self.client, "/blog/")
        assert "0 comments" not in listing
        post = page_text(self.client, "/blog/what-a-treasurer-means-by-liquidity/")
        assert "Naive question from product" in post
        assert '<span data-reaction="like">Like 3</span>' in post

    def test_the_pairing_board_has_two_way_suggestions_and_a_one_way_one(self):
        board = pairing_board(today=timezone.localdate())
        unpaired = {person.name for person, _ in board.people}
        assert {
            "Priya Nair",
            "Oscar Lindqvist",
            "Nadia Haddou",
            "Wen Zhao",
            "Yusuf Aydın",
            "Zoe Brandt",
        } <= unpaired
        two_way = [m for m in board.cohort if m.first_teaches_second and m.second_teaches_first]
        assert len(two_way) >= 3
        (zoe,) = [matches for person, matches in board.people if person.name == "Zoe Brandt"]
        assert zoe and all(not (m.first_teaches_second and m.second_teaches_first) for m in zoe)

    def test_every_demo_person_signs_in_with_the_documented_password(self):
        assert DEMO.password == "pairwise-demo"  # the README and `make run` print it
        for person in DEMO.people:
            assert self.client.login(username=person.username, password=DEMO.password), person.username

    def test_demo_people_are_in_their_groups(self):
        User = get_user_model()
        editor = User.objects.get(username="editor")
        amira = User.objects.get(username="amira")
        sam = User.objects.get(username="sam")

        assert list(editor.groups.values_list("name", flat=True)) == ["Editors"]
        assert list(amira.groups.values_list("name", flat=True)) == ["Pair members"]
        assert not sam.groups.exists()

    def test_demo_posts_are_many_rich_and_share_topics(self):
        posts = BlogPostPage.objects.live().select_related("pair").prefetch_related("tags")
        posts_per_pair = collections.Counter(post.pair.slug for post in posts)
        posts_per_tag = collections.Counter(tag.name for post in posts for tag in post.tags.all())

        assert len(posts) >= 12
        assert set(posts_per_pair) == {pair.slug for pair in DEMO.pairs}
        assert min(posts_per_pair.values()) >= 2
        assert sum(1 for count in posts_per_tag.values() if count >= 3) >= 5, posts_per_tag
        for post in posts:
            assert 4 <= len(post.body) <= 8, post.title
            (takeaway,) = [block.value for block in post.body if block.block_type == "takeaway"]
            assert takeaway["first_member_perspective"], post.title
            assert takeaway["second_member_perspective"], post.title

    def test_home_shows_the_latest_posts_and_the_active_pairs(self):
        html = page_text(self.client, "/")

        for spec in sorted(DEMO.posts, key=lambda post: post.days_ago)[:6]:
            assert escape(spec.title) in html
        for spec in DEMO.pairs:
            listed = escape(spec.name) in html
            assert listed == (spec.status == MentorPair.Status.ACTIVE), spec.name

    def test_blog_lists_every_post_newest_first_over_its_pages(self):
        html = page_text(self.client, "/blog/") + page_text(self.client, "/blog/?page=2")

        newest_first = sorted(DEMO.posts, key=lambda post: post.days_ago)
        positions = [html.index(escape(spec.title)) for spec in newest_first]
        assert positions == sorted(positions)

    def test_every_post_shows_its_title_authors_and_takeaway(self):
        for post in BlogPostPage.objects.live().select_related("pair__first_member", "pair__second_member"):
            html = page_text(self.client, post.url)
            assert escape(post.title) in html
            for member in (post.pair.first_member, post.pair.second_member):
                assert f'href="/people/{member.username}/"' in html
                assert escape(member.get_full_name()) in html
            assert "What we learned" in html

    def test_the_demo_chart_renders_with_its_description(self):
        post = BlogPostPage.objects.get(slug="automating-the-morning-cash-position")

        html = page_text(self.client, post.url)

        assert 'alt="Bar chart of the morning cash position: five banks' in html

    def test_pair_pages_show_members_goals_posts_and_feed(self):
        pairs = page_text(self.client, "/pairs/")
        for spec in DEMO.pairs:
            assert escape(spec.name) in pairs
            html = page_text(self.client, f"/pairs/{spec.slug}/")
            assert escape(spec.goals) in html
            assert escape(spec.first_member_brings) in html
            for post in DEMO.posts:
                assert (escape(post.title) in html) == (post.pair == spec.slug), post.title
            assert page_text(self.client, f"/pairs/{spec.slug}/feed/").startswith("<?xml")

    def test_blog_feed_search_and_sign_in_pages(self):
        newest = escape(min(DEMO.posts, key=lambda post: post.days_ago).title)

        assert newest in page_text(self.client, "/blog/feed/")
        assert escape("Why our credit memos moved to the wiki") in page_text(
            self.client, "/search/?q=guarantor"
        )
        assert 'name="username"' in page_text(self.client, "/accounts/login/")

    def test_what_the_demo_notified_is_not_emailed_but_what_follows_is(self):
        users = get_user_model().objects
        delay = datetime.timedelta(seconds=settings.EMAIL_NOTIFICATION_DELAY + 1)
        assert Notification.objects.filter(read__isnull=True).exists()  # the demo's history, to read
        assert notification_email_recipients_due(now=timezone.now() + delay) == []

        post = BlogPostPage.objects.live().order_by("pk").first()
        comment_create(page=post, user=users.get(username="priya"), body="@sam look", client_id="x")

        # sam, mentioned, and the post's pair, told of a comment on their post.
        told = {users.get(username="sam").pk, post.pair.first_member_id, post.pair.second_member_id}
        assert set(notification_email_recipients_due(now=timezone.now() + delay)) == told


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/no-such-page/", "/blog/no-such-post/", "/pairs/no-such-pair/", "/pairs/no-such-pair/feed/"]
)
def test_unknown_paths_are_404(client, home, url):
    assert client.get(url).status_code == 404
