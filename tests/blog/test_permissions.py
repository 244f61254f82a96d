"""Pair members write for their own pairs only, and only editors publish.

Everything goes through the real Wagtail admin views, as a browser would.
"""

from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import reverse

from wagtail.models import GroupApprovalTask, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from blog.factories import BlogPostPageFactory, MentorPairFactory, UserFactory
from blog.models import BlogIndexPage, BlogPostPage
from blog.permissions import EDITORS, PAIR_MEMBERS
from home.services import site_bootstrap


def edit_url(post) -> str:
    return reverse("wagtailadmin_pages:edit", args=[post.pk])


def add_url(blog_index) -> str:
    return reverse("wagtailadmin_pages:add", args=["blog", "blogpostpage", blog_index.pk])


def form_data(*, pair, slug, title="Ten tags, not a hundred folders", action=None) -> dict:
    """What the admin's post form submits; ``action`` is the button pressed."""
    data = nested_form_data(
        {
            "title": title,
            "slug": slug,
            "pair": pair.pk,
            "date": "2026-03-02",
            "intro": "We threw the folders away and agreed on ten tags.",
            "tags": "Wikis, Knowledge sharing",
            "body": streamfield([("paragraph", rich_text("<p>The piles became tags.</p>"))]),
            "comments": inline_formset([]),
        }
    )
    if action:
        data[action] = action
    return data


def refused(response) -> bool:
    """Wagtail's admin answers a refused request by sending the user back to the dashboard."""
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


class PairPermissionTests(TestCase):
    """Two pairs, an editor and a reader, set up once; every test starts from this state."""

    @classmethod
    def setUpTestData(cls):
        cls.blog = BlogIndexPage.objects.child_of(site_bootstrap()).get()
        members = Group.objects.get(name=PAIR_MEMBERS)
        cls.pair, cls.other_pair = (
            MentorPairFactory(name="Amira & Ben"),
            MentorPairFactory(name="Chloé & David"),
        )
        for pair in (cls.pair, cls.other_pair):
            members.user_set.add(pair.first_member, pair.second_member)
        cls.member = cls.pair.first_member
        cls.editor = UserFactory()
        cls.editor.groups.add(Group.objects.get(name=EDITORS))
        cls.staff = UserFactory()

        def post(**fields):
            return BlogPostPageFactory(parent=cls.blog, **fields)

        cls.draft = post(pair=cls.pair, title="Draft", slug="draft", live=False)
        cls.published = post(pair=cls.pair, title="As published", slug="as-published")
        # Drafted by our member, then given by an editor to the other pair. Wagtail alone
        # would still let its owner edit and delete it.
        cls.theirs = post(
            pair=cls.other_pair, title="Their post", slug="theirs", owner=cls.member, live=False
        )

    def test_member_opens_the_edit_view_of_their_own_pairs_post(self):
        # The second member did not create the post: the pair owns it, not its author.
        self.client.force_login(self.pair.second_member)

        response = self.client.get(edit_url(self.draft))

        assert response.status_code == 200
        assert response.context["form"].instance.pk == self.draft.pk

    def test_member_cannot_open_or_change_another_pairs_post(self):
        self.client.force_login(self.member)

        assert refused(self.client.get(edit_url(self.theirs)))
        response = self.client.post(
            edit_url(self.theirs), form_data(pair=self.other_pair, title="Hijacked", slug="theirs")
        )

        assert refused(response)
        self.theirs.refresh_from_db()
        assert self.theirs.title == "Their post"
        assert self.theirs.get_latest_revision_as_object().title == "Their post"

    def test_member_cannot_delete_another_pairs_post(self):
        self.client.force_login(self.member)

        response = self.client.post(reverse("wagtailadmin_pages:delete", args=[self.theirs.pk]))

        assert refused(response)
        assert BlogPostPage.objects.filter(pk=self.theirs.pk).exists()

    def test_member_bulk_deletes_only_their_own_pairs_drafts(self):
        self.client.force_login(self.member)
        url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])

        confirmation = self.client.get(f"{url}?id={self.theirs.pk}")
        self.client.post(f"{url}?id={self.theirs.pk}")
        self.client.post(f"{url}?id={self.draft.pk}")

        # Wagtail leaves out, and lists as such, what the member may not delete.
        assert [entry["item"].pk for entry in confirmation.context["items_with_no_access"]] == [
            self.theirs.pk
        ]
        assert BlogPostPage.objects.filter(pk=self.theirs.pk).exists()
        assert not BlogPostPage.objects.filter(pk=self.draft.pk).exists()

    def test_member_cannot_copy_another_pairs_post(self):
        self.client.force_login(self.member)

        response = self.client.post(
            reverse("wagtailadmin_pages:copy", args=[self.theirs.pk]),
            {"new_title": "Copied", "new_slug": "copied", "new_parent_page": self.blog.pk},
        )

        assert refused(response)
        assert not BlogPostPage.objects.filter(slug="copied").exists()

    def test_member_is_offered_only_their_own_pairs(self):
        self.client.force_login(self.member)

        response = self.client.get(add_url(self.blog))

        assert response.status_code == 200
        assert list(response.context["form"].fields["pair"].queryset) == [self.pair]

    def test_member_cannot_create_a_post_for_another_pair(self):
        self.client.force_login(self.member)

        response = self.client.post(add_url(self.blog), form_data(pair=self.other_pair, slug="new"))

        assert response.status_code == 200
        assert "pair" in response.context["form"].errors
        assert not BlogPostPage.objects.filter(slug="new").exists()

    def test_member_cannot_move_their_post_to_another_pair(self):
        self.client.force_login(self.member)
        revisions_before = self.draft.revisions.count()

        response = self.client.post(
            edit_url(self.draft), form_data(pair=self.other_pair, title="Moved", slug="draft")
        )

        assert response.status_code == 200
        assert "pair" in response.context["form"].errors
        self.draft.refresh_from_db()
        assert self.draft.pair == self.pair
        assert self.draft.revisions.count() == revisions_before

    def test_member_creates_a_draft_for_their_own_pair(self):
        self.client.force_login(self.pair.second_member)

        response = self.client.post(add_url(self.blog), form_data(pair=self.pair, slug="new"))

        assert response.status_code == 302
        post = BlogPostPage.objects.get(slug="new")
        assert post.pair == self.pair
        assert not post.live

    def test_member_pressing_publish_on_a_draft_leaves_it_unpublished(self):
        self.client.force_login(self.member)

        response = self.client.post(
            edit_url(self.draft),
            form_data(pair=self.pair, title="Published?", slug="draft", action="action-publish"),
        )

        assert response.status_code == 302
        self.draft.refresh_from_db()
        assert not self.draft.live
        assert self.draft.get_latest_revision_as_object().title == "Published?"

    def test_member_pressing_publish_on_a_live_post_changes_nothing_readers_see(self):
        self.client.force_login(self.member)

        response = self.client.post(
            edit_url(self.published),
            form_data(pair=self.pair, title="Rewritten", slug="as-published", action="action-publish"),
        )

        assert response.status_code == 302
        self.published.refresh_from_db()
        assert self.published.title == "As published"
        assert self.published.has_unpublished_changes
        assert self.published.get_latest_revision_as_object().title == "Rewritten"
        assert "As published" in self.client.get(self.published.url).content.decode()

    def test_member_submits_for_moderation_to_the_editors(self):
        self.client.force_login(self.member)

        response = self.client.post(
            edit_url(self.draft), form_data(pair=self.pair, slug="draft", action="action-submit")
        )

        assert response.status_code == 302
        self.draft.refresh_from_db()
        assert not self.draft.live
        state = WorkflowState.objects.for_instance(self.draft).get()
        assert state.status == WorkflowState.STATUS_IN_PROGRESS
        assert state.requested_by == self.member
        task = state.current_task_state.task.specific
        assert isinstance(task, GroupApprovalTask)
        assert task.groups.filter(name=EDITORS).exists()

    def test_editor_approves_a_submitted_post_and_it_goes_live(self):
        self.client.force_login(self.member)
        self.client.post(
            edit_url(self.draft),
            form_data(pair=self.pair, title="Ready", slug="draft", action="action-submit"),
        )
        task_state = WorkflowState.objects.for_instance(self.draft).get().current_task_state

        self.client.force_login(self.editor)
        response = self.client.post(
            reverse("wagtailadmin_pages:workflow_action", args=[self.draft.pk, "approve", task_state.pk]),
            {"comment": "Lovely."},
        )

        assert response.status_code == 302
        self.draft.refresh_from_db()
        assert self.draft.live
        assert self.draft.title == "Ready"

    def test_editor_publishes_any_pairs_post(self):
        self.client.force_login(self.editor)

        response = self.client.post(
            edit_url(self.theirs),
            form_data(pair=self.other_pair, title="Live now", slug="theirs", action="action-publish"),
        )

        assert response.status_code == 302
        self.theirs.refresh_from_db()
        assert self.theirs.live
        assert self.theirs.title == "Live now"

    def test_plain_staff_cannot_open_the_admin_editor(self):
        self.client.force_login(self.staff)

        response = self.client.get(edit_url(self.draft))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("wagtailadmin_login"))
