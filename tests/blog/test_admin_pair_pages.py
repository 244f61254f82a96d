"""Another pair's posts and lessons are closed in the admin, drafts and history included.

Every page-level admin URL is asked through the real Wagtail admin, as a
browser would, by two people from a different pair: a plain member, and one
whom an administrator also gave every Wagtail page permission, so that only
the pair rule stands between them and the page.
"""

import inspect

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wagtail.models import GroupPagePermission, Page, PagePermissionTester, PageViewRestriction, WorkflowState

import pytest

from blog.factories import BlogPostPageFactory, MentorPairFactory, UserFactory, paragraph_body
from blog.models import BlogIndexPage, BlogPostPage
from blog.permissions import EDITORS, PAIR_MEMBERS, OtherPairsPagePermissionTester
from home.services import site_bootstrap
from learning.factories import LessonPageFactory
from learning.models import LearningIndexPage
from tests.blog.test_permissions import refused as sent_to_dashboard

# Only in the draft revision: a response that contains it has shown the draft.
SECRET = "figures only its own pair has seen"
PUBLISHED_TITLE = "What we published"
DRAFT_TITLE = "What we are still writing"


def refused(response) -> bool:
    """A 403, or what Wagtail's admin does for a browser: back to the dashboard, with an error."""
    if response.status_code == 403:
        return True
    errors = [m for m in get_messages(response.wsgi_request) if m.level == messages.ERROR]
    return sent_to_dashboard(response) and bool(errors)


def shows_draft(response) -> bool:
    return SECRET in response.content.decode()


def with_draft_in_moderation(page, *, author):
    """Publish ``page``, then give it a draft revision with ``SECRET`` and submit that for moderation."""
    page.save_revision(user=author).publish()
    page = page.specific_class.objects.get(pk=page.pk)
    page.title = DRAFT_TITLE
    page.body = paragraph_body(SECRET)
    if hasattr(page, "intro"):
        page.intro = SECRET
    else:
        page.takeaways = SECRET
    page.save_revision(user=author)
    page.get_workflow().start(page, author)
    return page


class OtherPairsPagesInTheAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = site_bootstrap()
        cls.blog = BlogIndexPage.objects.child_of(home).get()
        cls.lessons = LearningIndexPage.objects.child_of(home).get()
        members = Group.objects.get(name=PAIR_MEMBERS)
        cls.authors = MentorPairFactory(name="Amira & Ben")
        cls.other_pair = MentorPairFactory(name="Chloé & David")
        for pair in (cls.authors, cls.other_pair):
            members.user_set.add(pair.first_member, pair.second_member)
        cls.editor = UserFactory()
        cls.editor.groups.add(Group.objects.get(name=EDITORS))

        cls.member = cls.other_pair.first_member
        cls.trusted_member = cls.other_pair.second_member
        trusted = Group.objects.create(name="Trusted with every page permission")
        trusted.user_set.add(cls.trusted_member)
        for index in (cls.blog, cls.lessons):
            for permission in Permission.objects.filter(content_type=ContentType.objects.get_for_model(Page)):
                GroupPagePermission.objects.create(group=trusted, page=index, permission=permission)

        author = cls.authors.first_member
        cls.post = with_draft_in_moderation(
            BlogPostPageFactory(parent=cls.blog, pair=cls.authors, title=PUBLISHED_TITLE, owner=author),
            author=author,
        )
        cls.lesson = with_draft_in_moderation(
            LessonPageFactory(parent=cls.lessons, pair=cls.authors, title=PUBLISHED_TITLE, owner=author),
            author=author,
        )

    def page_level_requests(self, page) -> list[tuple[str, str, str, dict]]:
        """Every admin URL about one page: (label, method, url, data)."""
        published, draft = page.revisions.order_by("pk").values_list("pk", flat=True)
        workflow_state = WorkflowState.objects.for_instance(page).get()
        task_state = workflow_state.current_task_state
        parent = page.get_parent()

        def url(name, *args):
            return reverse(f"wagtailadmin_pages:{name}", args=[page.pk, *args])

        hijack = {"title": "Hijacked", "slug": page.slug}
        return [
            ("edit", "get", url("edit"), {}),
            ("edit", "post", url("edit"), hijack),
            ("view_draft", "get", url("view_draft"), {}),
            ("preview_on_edit", "get", url("preview_on_edit"), {}),
            ("preview_on_edit", "post", url("preview_on_edit"), hijack),
            ("revisions_view", "get", url("revisions_view", draft), {}),
            ("revisions_compare", "get", url("revisions_compare", published, draft), {}),
            ("revisions_revert", "get", url("revisions_revert", published), {}),
            ("revisions_revert", "post", url("revisions_revert", published), hijack),
            ("revisions_unschedule", "get", url("revisions_unschedule", draft), {}),
            ("revisions_unschedule", "post", url("revisions_unschedule", draft), {}),
            ("history", "get", url("history"), {}),
            ("history_results", "get", url("history_results"), {}),
            ("workflow_history", "get", url("workflow_history"), {}),
            ("workflow_history_detail", "get", url("workflow_history_detail", workflow_state.pk), {}),
            ("workflow_preview", "get", url("workflow_preview", task_state.task_id), {}),
            ("workflow_action", "post", url("workflow_action", "approve", task_state.pk), {"comment": ""}),
            ("usage", "get", url("usage"), {}),
            ("copy", "get", url("copy"), {}),
            (
                "copy",
                "post",
                url("copy"),
                {"new_title": "Copied", "new_slug": "copied", "new_parent_page": parent.pk},
            ),
            ("move", "get", url("move"), {}),
            ("move", "post", url("move"), {"new_parent_page": parent.pk}),
            ("move_confirm", "post", url("move_confirm", parent.pk), {}),
            ("delete", "get", url("delete"), {}),
            ("delete", "post", url("delete"), {}),
            ("unpublish", "get", url("unpublish"), {}),
            ("unpublish", "post", url("unpublish"), {}),
            ("lock", "post", url("lock"), {}),
            ("unlock", "post", url("unlock"), {}),
            ("set_privacy", "get", url("set_privacy"), {}),
            ("set_privacy", "post", url("set_privacy"), {"restriction_type": "password", "password": "x"}),
        ]

    def assert_refused_everywhere(self, page):
        for user in (self.member, self.trusted_member):
            self.client.force_login(user)
            for label, method, url, data in self.page_level_requests(page):
                with self.subTest(user=user.username, url=label, method=method):
                    response = getattr(self.client, method)(url, data)

                    assert refused(response), (response.status_code, response.get("Location"))
                    assert not shows_draft(response)
        self.assert_untouched(page)

    def assert_untouched(self, page):
        fresh = Page.objects.get(pk=page.pk).specific
        assert fresh.live
        assert fresh.title == PUBLISHED_TITLE
        assert fresh.get_parent() == page.get_parent()
        assert fresh.get_latest_revision_as_object().title == DRAFT_TITLE
        assert fresh.revisions.count() == 2
        assert not fresh.locked
        assert not PageViewRestriction.objects.filter(page=fresh).exists()
        assert not Page.objects.filter(slug="copied").exists()
        assert WorkflowState.objects.for_instance(fresh).get().status == WorkflowState.STATUS_IN_PROGRESS

    def test_another_pairs_post_is_refused_on_every_page_level_url(self):
        self.assert_refused_everywhere(self.post)

    def test_another_pairs_lesson_is_refused_on_every_page_level_url(self):
        self.assert_refused_everywhere(self.lesson)

    def test_bulk_actions_leave_another_pairs_pages_out(self):
        for user in (self.member, self.trusted_member):
            self.client.force_login(user)
            for action in ("delete", "publish", "unpublish", "move"):
                url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", action])
                query = f"{url}?id={self.post.pk}&id={self.lesson.pk}"
                with self.subTest(user=user.username, action=action):
                    confirmation = self.client.get(query)

                    assert confirmation.status_code == 200
                    assert confirmation.context["items"] == []
                    assert not shows_draft(confirmation)
                    if action != "move":
                        self.client.post(query)
        self.assert_untouched(self.post)
        self.assert_untouched(self.lesson)

    def test_confirmations_wagtail_does_not_guard_show_no_draft(self):
        # Wagtail renders these without asking the page's permissions (move_confirm checks
        # only on POST, through MovePageAction); they show the title, as the explorer does.
        self.client.force_login(self.trusted_member)
        for page in (self.post, self.lesson):
            for name, args in (
                ("move_confirm", [page.pk, page.get_parent().pk]),
                ("confirm_workflow_cancellation", [page.pk]),
            ):
                with self.subTest(url=name, page=type(page).__name__):
                    response = self.client.get(reverse(f"wagtailadmin_pages:{name}", args=args))

                    assert response.status_code == 200
                    assert not shows_draft(response)
        self.assert_untouched(self.post)
        self.assert_untouched(self.lesson)

    def test_the_pair_and_editors_still_read_drafts_and_history(self):
        for user in (self.authors.second_member, self.editor):
            self.client.force_login(user)
            for page in (self.post, self.lesson):
                draft = page.get_latest_revision()
                with self.subTest(user=user.username, page=type(page).__name__):
                    view_draft = self.client.get(reverse("wagtailadmin_pages:view_draft", args=[page.pk]))
                    revision = self.client.get(
                        reverse("wagtailadmin_pages:revisions_view", args=[page.pk, draft.pk])
                    )
                    history = self.client.get(reverse("wagtailadmin_pages:history", args=[page.pk]))

                    assert view_draft.status_code == 200
                    assert shows_draft(view_draft)
                    assert revision.status_code == 200
                    assert shows_draft(revision)
                    assert history.status_code == 200

    def test_a_lesson_without_a_pair_is_its_authors_alone(self):
        author = self.authors.first_member
        lesson = with_draft_in_moderation(
            LessonPageFactory(parent=self.lessons, title=PUBLISHED_TITLE, owner=author), author=author
        )
        url = reverse("wagtailadmin_pages:view_draft", args=[lesson.pk])

        self.client.force_login(self.authors.second_member)
        refusal = self.client.get(url)
        self.client.force_login(author)
        draft = self.client.get(url)

        assert refused(refusal)
        assert draft.status_code == 200
        assert shows_draft(draft)

    def test_wagtail_alone_would_let_both_members_in(self):
        # The refusals above come from the pair rule, not from missing group permissions.
        for user in (self.member, self.trusted_member):
            assert PagePermissionTester(user, self.post).can_edit()
        trusted = PagePermissionTester(self.trusted_member, self.post)
        assert trusted.can_publish() and trusted.can_delete() and trusted.can_set_view_restrictions()

    def test_a_generic_page_answers_with_its_specific_class(self):
        # Bulk actions, move and privacy hold plain Page rows; Wagtail must still ask the post.
        plain = Page.objects.get(pk=self.post.pk)

        assert type(plain) is Page
        assert isinstance(plain.permissions_for_user(self.member), OtherPairsPagePermissionTester)
        assert type(plain.permissions_for_user(self.authors.first_member)) is PagePermissionTester

    def test_the_explorer_asks_about_each_post_without_a_query_per_post(self):
        self.client.force_login(self.member)
        url = reverse("wagtailadmin_explore", args=[self.blog.pk])
        self.client.get(url)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert self.client.get(url).status_code == 200
            return len(captured)

        with_one_post = queries()
        for _ in range(4):
            BlogPostPageFactory(parent=self.blog, pair=MentorPairFactory())

        assert queries() == with_one_post


def test_every_permission_wagtail_asks_about_is_refused_for_another_pairs_page():
    """Library seam: a Wagtail upgrade that adds a ``can_*`` question must fail here, not leak."""
    questions = {
        name
        for name, member in inspect.getmembers(PagePermissionTester, inspect.isfunction)
        if name.startswith("can_")
    }
    page = Page(depth=3, path="000100010001")

    assert {"can_edit", "can_view_revisions", "can_delete", "can_publish"} <= questions
    unanswered = {
        name
        for name in questions
        if getattr(OtherPairsPagePermissionTester, name) is getattr(PagePermissionTester, name)
    }
    assert unanswered == set()
    tester = OtherPairsPagePermissionTester(AnonymousUser(), page)
    for name in questions:
        method = getattr(tester, name)
        required = [
            p for p in inspect.signature(method).parameters.values() if p.default is inspect.Parameter.empty
        ]
        assert method(*[page] * len(required)) is False, name


@pytest.mark.django_db
def test_a_post_fetched_with_its_pair_is_answered_without_asking_for_pairs(make_post):
    """Library seam: ``can_change_pair_page`` asks Django whether the pair is already loaded."""
    post = make_post()
    member = post.pair.first_member
    with_pair = BlogPostPage.objects.select_related("pair").get(pk=post.pk)

    with CaptureQueriesContext(connection) as captured:
        assert with_pair.permissions_for_user(member).can_view_revisions()

    assert not [q for q in captured.captured_queries if "blog_mentorpair" in q["sql"]]
    assert not BlogPostPage._meta.get_field("pair").is_cached(BlogPostPage.objects.get(pk=post.pk))
