"""Site search at /search/: live, public posts by title, body and topic."""

from django.test import TestCase

from wagtail.models import PageViewRestriction

from bs4 import BeautifulSoup

from blog.factories import BlogPostPageFactory, MentorPairFactory, paragraph_body
from blog.models import BlogIndexPage
from home.services import site_bootstrap


def result_titles(response) -> list[str]:
    assert response.status_code == 200
    return [post.title for post in response.context["results"]]


class SearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        blog = BlogIndexPage.objects.child_of(site_bootstrap()).get()
        pair = MentorPairFactory()

        def post(title, text, **fields):
            return BlogPostPageFactory(
                parent=blog, pair=pair, title=title, body=paragraph_body(text), **fields
            )

        cls.cash = post(
            "Automating the morning cash position", "The banks send overnight files.", tags=["Automation"]
        )
        # "Treasury" is only a tag of this one.
        cls.wiki = post(
            "Ten tags, not a hundred folders", "We sorted the titles on a table.", tags=["Treasury"]
        )
        post("Draft", "A zeppelin in the treasury.", live=False)
        private = post("Committee notes", "The zeppelin loan was declined.")
        PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
        post("Public", "Our zeppelin of a wiki.")

    def test_finds_a_post_by_a_word_of_its_body(self):
        assert result_titles(self.client.get("/search/", {"q": "overnight"})) == [self.cash.title]

    def test_finds_a_post_by_its_topic(self):
        assert result_titles(self.client.get("/search/", {"q": "treasury"})) == [self.wiki.title]

    def test_results_page_shows_the_query_and_the_post(self):
        html = self.client.get("/search/", {"q": "overnight"}).content.decode()

        assert "1 post for “overnight”" in html
        assert self.cash.url in html

    def test_drafts_and_private_posts_never_appear(self):
        assert result_titles(self.client.get("/search/", {"q": "zeppelin"})) == ["Public"]

    def test_empty_query_shows_the_form_without_results(self):
        response = self.client.get("/search/")

        assert response.status_code == 200
        assert response.context["results"] is None
        assert 'name="q"' in response.content.decode()


def test_lessons_are_found_and_listed_before_posts(client, home, make_post):
    from learning.factories import LessonPageFactory
    from learning.models import LearningIndexPage

    learning = LearningIndexPage.objects.child_of(home).get()
    lesson = LessonPageFactory(parent=learning, title="Reconciling in the wiki", objective="Reconcile weekly")
    LessonPageFactory(parent=learning, title="Reconciling drafts", objective="Reconcile daily.", live=False)
    private = LessonPageFactory(parent=learning, title="Reconciling in secret", objective="Reconcile alone.")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    post = make_post(title="How we reconcile", body=paragraph_body("We reconcile on Fridays."))

    response = client.get("/search/", {"q": "reconcile"})
    html = response.content.decode()

    assert [found.title for found in response.context["lessons"]] == [lesson.title]
    assert result_titles(response) == [post.title]
    # The summary counts them in the order they are listed.
    assert "1 lesson and 1 post for “reconcile”" in html
    assert html.index(lesson.url) < html.index(post.url)
    soup = BeautifulSoup(html, "html.parser")
    headings = [heading.get_text(strip=True) for heading in soup.select("main section > h3")]
    assert headings == ["Lessons", "Posts"]
