import datetime
import re
from pathlib import Path

from django.contrib.auth import get_user_model
from django.test import TestCase
from django.utils import timezone

from bs4 import BeautifulSoup
from taggit.models import Tag

from home.demo import demo_data, load_demo
from learning.models import (
    CollectionPage,
    Completion,
    KnowledgeCheckAttempt,
    LessonPage,
    PairFollow,
    ReviewSchedule,
    TopicFollow,
)
from learning.selectors import due_reviews, personal_stream

DEMO = demo_data()


FRAGMENT = {"X-Pairwise-Fragment": "knowledge-check"}
README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def follow_button(client, slug: str):
    page = BeautifulSoup(client.get(f"/topics/{slug}/").content, "html.parser")
    return page.select_one(".follow-form button")


def review_section(client) -> str:
    home = BeautifulSoup(client.get("/").content, "html.parser")
    section = home.select_one('section[aria-labelledby="reviews-heading"]')
    return re.sub(r"\s+", " ", section.get_text()).strip()


def one_wrong(lesson: LessonPage) -> dict[str, list[str]]:
    """The first question answered with its first wrong choice, the rest right."""
    answers = {}
    for number, block in enumerate(lesson.knowledge_check):
        choices = list(enumerate(block.value["choices"]))
        wanted = [i for i, choice in choices if choice["correct"] == (number != 0)]
        answers[f"q-{block.id}"] = [str(i) for i in (wanted[:1] if number == 0 else wanted)]
    return answers


def learning_row_counts() -> tuple[int, ...]:
    models = (
        LessonPage,
        CollectionPage,
        Completion,
        TopicFollow,
        PairFollow,
        KnowledgeCheckAttempt,
        ReviewSchedule,
    )
    return tuple(model.objects.count() for model in models)


class DemoLearningTests(TestCase):
    """The demo's learning side, loaded once for the class (each test's changes are rolled back)."""

    @classmethod
    def setUpTestData(cls):
        load_demo()

    def test_demo_has_lessons_collections_and_a_reader_with_progress(self):

        lessons = LessonPage.objects.live().filter(promoted_from__isnull=True)  # those of lessons.toml
        assert lessons.count() == len(DEMO.lessons) >= 6
        assert all(len(lesson.knowledge_check) >= 1 for lesson in lessons)
        assert all(lesson.tags.exists() for lesson in lessons)
        assert all(lesson.inspired_by is not None for lesson in lessons)
        assert CollectionPage.objects.live().count() == len(DEMO.collections) == 3
        (featured,) = CollectionPage.objects.filter(featured=True)
        assert [item.page.slug for item in featured.items.all()] == list(
            next(c for c in DEMO.collections if c.featured).items
        )
        sam = get_user_model().objects.get(username="sam")
        assert TopicFollow.objects.filter(user=sam).count() == 3
        assert PairFollow.objects.filter(user=sam, pair__slug="grace-and-hiro").exists()
        assert KnowledgeCheckAttempt.objects.filter(user=sam).count() == 2
        # One check passed (the lesson is done), one post read; the other check had a wrong answer.
        assert set(Completion.objects.filter(user=sam).values_list("how", flat=True)) == {
            Completion.How.PASSED,
            Completion.How.READ,
        }
        (due,) = due_reviews(user=sam)
        assert due.lesson.slug == "tags-beat-folders"
        assert personal_stream(user=sam).entries

    def test_demo_has_a_lesson_promoted_from_a_conversation_and_its_people_were_told(self):
        load_demo()  # again: nothing promoted twice

        (lesson,) = LessonPage.objects.live().filter(promoted_from__isnull=False)
        origin = lesson.promoted_from
        assert lesson.title == "Who may edit a credit memo on the wiki"
        assert [(b.value["username"], b.value["comment"]) for b in lesson.body] == [
            ("sam", origin.comment_id),
            ("ben", origin.comment_ids[1]),
        ]
        assert lesson.inspired_by_id == origin.page_id and lesson.tags.exists()
        assert origin.comment.became_id == lesson.pk
        sam = get_user_model().objects.get(username="sam")
        assert sam.notifications.filter(text=f"Your question became a lesson: “{lesson.title}”").count() == 1

    def test_demo_question_ids_are_the_same_on_every_machine(self):
        lesson = LessonPage.objects.get(slug="write-the-answer-once")

        ids = [question.id for question in lesson.knowledge_check]

        # Derived from the lesson slug rather than random, so every demo database agrees.
        assert ids == ["55f03598-aea4-5f74-8f29-102adfaee318", "260124dd-97e9-509a-830c-70c2359dcec5"]

    def test_loading_the_demo_twice_changes_nothing(self):
        before = learning_row_counts()

        created = load_demo()

        assert created["lessons"] == created["collections"] == created["knowledge checks"] == 0
        assert learning_row_counts() == before

    def test_the_readme_topic_to_follow_is_one_sam_does_not_follow_yet(self):
        # "open **Topics → Data literacy** and follow it (… as on *Wikis*, which `sam` already follows)"
        to_follow = re.search(r"sign in as `sam`, open \*\*Topics → ([^*]+)\*\*\s+and follow it", README)
        followed = re.search(r"as on \*([^*]+)\*, which `sam`\s+already follows", README)
        assert to_follow and followed, "the README's walk-through no longer names the topics"
        slug = {name: slug for name, slug in Tag.objects.values_list("name", "slug")}
        self.client.force_login(get_user_model().objects.get(username="sam"))

        before = follow_button(self.client, slug[to_follow[1]])
        already = follow_button(self.client, slug[followed[1]])
        self.client.post(f"/topics/{slug[to_follow[1]]}/follow/", {"follow": "1"})
        after = follow_button(self.client, slug[to_follow[1]])

        assert before.get_text(" ", strip=True) == f"Follow {to_follow[1]}"
        assert before["aria-pressed"] == "false"
        assert already["aria-pressed"] == after["aria-pressed"] == "true"
        assert after.get_text(" ", strip=True).startswith(f"Following {to_follow[1]}")
        # Told apart by look too: the pressed one carries the outlined style.
        assert "button--secondary" in after["class"] and "button--secondary" not in before["class"]

    def _review_walk_through(self, how: str):
        assert "*Due for review* lists *Tags beat\nfolders*" in README
        lesson = LessonPage.objects.get(slug="tags-beat-folders")
        self.client.force_login(get_user_model().objects.get(username="sam"))
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)

        due_before = review_section(self.client)
        before = self.client.get(lesson.url).content.decode()
        if how == "fetch":  # as the script does: only the knowledge check is swapped in
            answered = self.client.post(f"/me/check/{lesson.pk}/", one_wrong(lesson), headers=FRAGMENT)
            start = before.index('<section id="knowledge-check"')
            end = before.index("</section>", start) + len("</section>")
            after = before[:start] + answered.content.decode() + before[end:]
        else:
            after = self.client.post(
                f"/me/check/{lesson.pk}/", one_wrong(lesson), follow=True
            ).content.decode()
        due_after = review_section(self.client)

        assert "Tags beat folders" in due_before and "Nothing to review today" not in due_before
        assert before.count("Due for review now: try the questions again.") == 1
        assert "You got 1 of 2 right." in after
        assert "Due for review now" not in after and "Next review" not in after
        assert after.count(f'<time datetime="{tomorrow:%Y-%m-%d}">') == 1
        assert "We will bring this lesson back for review on" in after
        next_review = f"{tomorrow.day} {tomorrow:%B %Y}"
        assert (
            due_after == f"Due for review Nothing to review today. Next: Tags beat folders on {next_review}."
        )

    def test_the_readme_review_walk_through_says_one_thing_everywhere_by_form(self):
        self._review_walk_through("form")

    def test_the_readme_review_walk_through_says_one_thing_everywhere_by_fetch(self):
        """As the script does: only the knowledge check is swapped in."""
        self._review_walk_through("fetch")
