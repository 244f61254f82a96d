"""Mentor pairs and the page-type rules of the blog."""

import datetime
import json

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

import pytest
from taggit.models import Tag

from blog.factories import MentorPairFactory, UserFactory
from blog.models import BlogIndexPage, BlogPostPage, MentorPair
from blog.selectors import pairs_of_user
from home.models import HomePage
from home.services import site_bootstrap


@pytest.mark.django_db
class TestMentorPair:
    def test_the_same_person_twice_is_refused_by_validation(self):
        person = UserFactory()
        pair = MentorPairFactory.build(first_member=person, second_member=person)

        with pytest.raises(ValidationError) as error:
            pair.full_clean()

        assert "second_member" in error.value.message_dict

    def test_the_same_person_twice_is_refused_by_the_database(self):
        person = UserFactory()
        pair = MentorPairFactory.build(first_member=person, second_member=person)

        with pytest.raises(IntegrityError), transaction.atomic():
            pair.save()

        assert not MentorPair.objects.exists()

    def test_a_person_may_be_in_several_pairs(self):
        mentor = UserFactory()
        first = MentorPairFactory(first_member=mentor, status=MentorPair.Status.COMPLETED)
        second = MentorPairFactory(second_member=mentor)

        second.full_clean()  # raises if being in another pair were refused

        assert set(pairs_of_user(mentor)) == {first, second}

    def test_byline_credits_both_members_in_order(self):
        pair = MentorPairFactory(
            first_member=UserFactory(first_name="Grace", last_name="Liu"),
            second_member=UserFactory(first_name="Hiro", last_name="Tanaka"),
        )

        assert pair.byline == "Grace Liu and Hiro Tanaka"


@pytest.mark.django_db
def test_reading_time_follows_the_length_of_the_body(make_post):
    short = make_post(body=json.dumps([{"type": "paragraph", "value": "<p>Short.</p>"}]))
    # 1,000 words of paragraph, 999 of quote and its one-word attribution: 2,000 words.
    long = make_post(
        body=json.dumps(
            [
                {"type": "paragraph", "value": f"<p>{' '.join(['word'] * 1000)}</p>"},
                {"type": "quote", "value": {"quote": " ".join(["word"] * 999), "attribution": "Ben"}},
            ]
        )
    )

    assert short.reading_minutes == 1
    assert long.reading_minutes == 10  # at 200 words a minute


@pytest.mark.django_db
def test_tags_are_case_insensitive(make_post):
    first = make_post(tags=["Wikis"])
    second = make_post(tags=["wikis"])

    assert [tag.pk for tag in first.tags.all()] == [tag.pk for tag in second.tags.all()]
    assert Tag.objects.filter(name__iexact="wikis").count() == 1


class BlogPageTypeTests(WagtailPageTestCase):
    """Where each page type may live, checked and exercised through the real admin."""

    @classmethod
    def setUpTestData(cls):
        cls.home = site_bootstrap()
        cls.blog = BlogIndexPage.objects.child_of(cls.home).get()
        cls.pair = MentorPairFactory(name="Grace & Hiro")

    def test_home_page_sits_at_the_root_and_holds_the_blog(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertCanCreateAt(HomePage, BlogIndexPage)
        self.assertCanNotCreateAt(HomePage, BlogPostPage)
        self.assertFalse(HomePage.can_create_at(Page.get_first_root_node()), "only one home page")

    def test_blog_index_lives_under_home_and_holds_only_posts(self):
        self.assertAllowedParentPageTypes(BlogIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(BlogIndexPage, {BlogPostPage})
        self.assertFalse(BlogIndexPage.can_create_at(self.home), "only one blog")

    def test_posts_live_under_the_blog_and_have_no_children(self):
        self.assertAllowedParentPageTypes(BlogPostPage, {BlogIndexPage})
        self.assertAllowedSubpageTypes(BlogPostPage, set())

    def test_editor_creates_a_post_with_a_rich_body_in_the_admin(self):
        self.login()  # a superuser
        self.assertCanCreate(
            self.blog,
            BlogPostPage,
            nested_form_data(
                {
                    "title": "Automating the morning cash position",
                    "slug": "automating-the-morning-cash-position",
                    "pair": self.pair.pk,
                    "date": "2026-03-02",
                    "intro": "Grace automated the copying; Hiro taught her what the numbers are for.",
                    "tags": "Automation, Treasury",
                    "body": streamfield(
                        [
                            ("heading", {"text": "What we automated", "level": "h2"}),
                            ("paragraph", rich_text("<p>The banks send statement files overnight.</p>")),
                            ("code", {"language": "python", "code": "print('cash')"}),
                            (
                                "quote",
                                {"quote": "Moving money stays a human decision.", "attribution": "Hiro"},
                            ),
                            (
                                "takeaway",
                                {
                                    "summary": "Automate the gathering, keep the judgement human.",
                                    "first_member_perspective": "Ask what a report is for.",
                                    "second_member_perspective": "We discuss numbers instead of typing them.",
                                },
                            ),
                        ]
                    ),
                    "comments": inline_formset([]),
                }
            ),
        )

        post = BlogPostPage.objects.get(slug="automating-the-morning-cash-position")
        assert post.live
        assert post.pair == self.pair
        assert post.date == datetime.date(2026, 3, 2)
        assert sorted(tag.name for tag in post.tags.all()) == ["Automation", "Treasury"]
        assert [block.block_type for block in post.body] == [
            "heading",
            "paragraph",
            "code",
            "quote",
            "takeaway",
        ]
        assert post.body[4].value["second_member_perspective"] == "We discuss numbers instead of typing them."
