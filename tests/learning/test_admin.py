from django.urls import reverse

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

import pytest
from bs4 import BeautifulSoup
from taggit.models import Tag

from learning.models import CollectionPage, LessonPage, TopicFollow

pytestmark = pytest.mark.django_db

WARNING = "a micro-lesson should take 5 or fewer"


def add_url(model, parent):
    return reverse("wagtailadmin_pages:add", args=(model._meta.app_label, model._meta.model_name, parent.pk))


def lesson_form(*, words: int, title: str = "Reading a balance sheet") -> dict:
    return nested_form_data(
        {
            "title": title,
            "slug": title.lower().replace(" ", "-"),
            "objective": "After this lesson you can read a balance sheet.",
            "pair": "",
            "date": "2026-03-02",
            "body": streamfield([("paragraph", rich_text(f"<p>{' '.join(['word'] * words)}</p>"))]),
            "takeaways": "Assets equal liabilities plus equity.",
            "knowledge_check": streamfield([]),
            "tags": "Finance",
            "inspired_by": "",
            "comments": inline_formset([]),
            "action-publish": "publish",
        }
    )


def test_editor_creates_a_collection_of_posts_and_lessons_in_a_chosen_order(
    client, editor, make_post, make_lesson, collection_index
):
    post_a, post_b, lesson = make_post(title="Post A"), make_post(title="Post B"), make_lesson(title="Lesson")
    client.force_login(editor)
    data = nested_form_data(
        {
            "title": "Start here",
            "slug": "start-here",
            "description": "The first three things to read.",
            "cover_image": "",
            "featured": "on",
            "tags": "Onboarding",
            "items": inline_formset([{"page": lesson.pk}, {"page": post_b.pk}, {"page": post_a.pk}]),
            "comments": inline_formset([]),
            "action-publish": "publish",
        }
    )

    response = client.post(add_url(CollectionPage, collection_index), data)

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    collection = CollectionPage.objects.get(slug="start-here")
    assert collection.live and collection.featured
    assert [item.page_id for item in collection.items.all()] == [lesson.pk, post_b.pk, post_a.pk]
    html = client.get(collection.url).content.decode()
    assert html.index("Lesson") < html.index("Post B") < html.index("Post A")


def test_a_collection_refuses_pages_that_are_not_posts_or_lessons(client, editor, collection_index, home):
    client.force_login(editor)
    data = nested_form_data(
        {
            "title": "Odd",
            "slug": "odd",
            "description": "A collection with the home page in it.",
            "cover_image": "",
            "tags": "",
            "items": inline_formset([{"page": home.pk}]),
            "comments": inline_formset([]),
            "action-publish": "publish",
        }
    )

    response = client.post(add_url(CollectionPage, collection_index), data)

    assert response.status_code == 200
    assert not CollectionPage.objects.filter(slug="odd").exists()


def test_a_lesson_over_five_minutes_shows_a_warning_but_is_saved(client, editor, learning_index):
    client.force_login(editor)

    response = client.post(add_url(LessonPage, learning_index), lesson_form(words=1200), follow=True)

    lesson = LessonPage.objects.get(slug="reading-a-balance-sheet")
    assert lesson.live and lesson.estimated_minutes == 6
    assert WARNING in response.content.decode()


def test_editing_a_long_lesson_warns_again(client, editor, learning_index):
    client.force_login(editor)
    client.post(add_url(LessonPage, learning_index), lesson_form(words=1200))
    lesson = LessonPage.objects.get(slug="reading-a-balance-sheet")

    edit = reverse("wagtailadmin_pages:edit", args=(lesson.pk,))
    response = client.post(edit, lesson_form(words=1300), follow=True)

    assert WARNING in response.content.decode()


def test_a_short_lesson_has_no_warning(client, editor, learning_index):
    client.force_login(editor)

    response = client.post(add_url(LessonPage, learning_index), lesson_form(words=300), follow=True)

    assert LessonPage.objects.get(slug="reading-a-balance-sheet").estimated_minutes == 2
    assert WARNING not in response.content.decode()


def test_pair_members_can_add_lessons_under_the_learning_index(client, pair, learning_index):
    client.force_login(pair.first_member)

    response = client.post(
        add_url(LessonPage, learning_index),
        {**lesson_form(words=100), "action-submit": "submit"},
        follow=True,
    )

    assert response.status_code == 200
    assert LessonPage.objects.filter(slug="reading-a-balance-sheet").exists()


# --- Tag management ---------------------------------------------------------------


def test_tag_list_shows_usage_counts(client, editor, make_post, make_lesson):
    make_post(tags=["Wikis", "Risk"])
    make_lesson(tags=["wikis"])
    client.force_login(editor)

    response = client.get(reverse("learning_tags:index"))

    soup = BeautifulSoup(response.content, "html.parser")
    rows = {
        row.find("td").get_text(strip=True): row.find_all("td")[2].get_text(strip=True)
        for row in soup.select("tbody tr")
    }
    assert rows == {"Risk": "1", "Wikis": "2"}


def test_editor_merges_two_tags_in_the_admin(client, editor, make_post, make_lesson, staff):
    post = make_post(tags=["Spreadsheet"])
    lesson = make_lesson(tags=["Spreadsheets"])
    source, into = Tag.objects.get(name="Spreadsheet"), Tag.objects.get(name="Spreadsheets")
    TopicFollow.objects.create(user=staff, tag=source)
    client.force_login(editor)

    response = client.post(
        reverse("learning_tags:merge"), {"source": source.pk, "into": into.pk}, follow=True
    )

    assert "Merged “Spreadsheet” into “Spreadsheets”" in response.content.decode()
    assert not Tag.objects.filter(pk=source.pk).exists()
    assert [t.name for t in type(post).objects.get(pk=post.pk).tags.all()] == ["Spreadsheets"]
    assert [t.name for t in LessonPage.objects.get(pk=lesson.pk).tags.all()] == ["Spreadsheets"]
    assert TopicFollow.objects.get(user=staff).tag == into


def test_editor_renames_a_tag_in_the_admin(client, editor, make_post):
    make_post(tags=["datavis"])
    tag = Tag.objects.get(name="datavis")
    client.force_login(editor)

    client.post(reverse("learning_tags:rename", args=(tag.pk,)), {"name": "Data visualisation"})

    tag.refresh_from_db()
    assert tag.name == "Data visualisation"


def test_renaming_to_an_existing_topic_shows_the_error(client, editor, make_post):
    make_post(tags=["Wikis", "wiki"])
    tag = Tag.objects.get(name="wiki")
    client.force_login(editor)

    response = client.post(reverse("learning_tags:rename", args=(tag.pk,)), {"name": "wikis"})

    assert response.status_code == 200
    assert "merge into it instead" in response.content.decode()


def test_pair_members_cannot_manage_tags(client, pair, make_post):
    make_post(tags=["Wikis"])
    client.force_login(pair.first_member)

    # Wagtail turns a refused admin view into a redirect to the dashboard.
    assert client.get(reverse("learning_tags:index"))["Location"] == "/admin/"
    tag = Tag.objects.get(name="Wikis")
    assert (
        client.post(reverse("learning_tags:rename", args=(tag.pk,)), {"name": "X"})["Location"] == "/admin/"
    )
    tag.refresh_from_db()
    assert tag.name == "Wikis"


def test_pair_members_edit_their_own_pairs_lessons_only(client, pair, other_pair, make_lesson):
    own = make_lesson(pair=pair)
    theirs = make_lesson(pair=other_pair)
    client.force_login(pair.first_member)

    assert client.get(reverse("wagtailadmin_pages:edit", args=(own.pk,))).status_code == 200
    refused = client.get(reverse("wagtailadmin_pages:edit", args=(theirs.pk,)))
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
