import pytest
from taggit.models import Tag

from learning import services
from learning.models import CollectionPage, LessonPage, TopicFollow, TopicRedirect
from learning.selectors import topic_stream

pytestmark = pytest.mark.django_db


def tag_names(page):
    return sorted(tag.name for tag in type(page).objects.get(pk=page.pk).tags.all())


def test_tags_are_case_insensitive_across_posts_and_lessons(make_post, make_lesson):
    post = make_post(tags=["Python"])
    lesson = make_lesson(tags=["python"])

    assert Tag.objects.filter(name__iexact="python").count() == 1
    tag = Tag.objects.get(name__iexact="python")
    assert {entry.page.pk for entry in topic_stream(tag=tag).entries} == {post.pk, lesson.pk}


def test_merge_moves_every_tagged_item_and_follower_then_deletes_the_tag(
    make_post, make_lesson, make_collection, staff, editor
):
    post = make_post(tags=["JS"])
    both = make_post(tags=["JS", "JavaScript"])
    lesson = make_lesson(tags=["JS"])
    collection = make_collection(pages=[post])
    collection.tags.add("JS")
    collection.save_revision().publish()
    source, into = Tag.objects.get(name="JS"), Tag.objects.get(name="JavaScript")
    services.topic_follow(user=staff, tag=source)
    services.topic_follow(user=editor, tag=source)
    services.topic_follow(user=editor, tag=into)

    result = services.tag_merge(source=source, into=into)

    assert not Tag.objects.filter(pk=source.pk).exists()
    assert tag_names(post) == ["JavaScript"]
    assert tag_names(both) == ["JavaScript"]
    assert tag_names(LessonPage.objects.get(pk=lesson.pk)) == ["JavaScript"]
    assert tag_names(CollectionPage.objects.get(pk=collection.pk)) == ["JavaScript"]
    assert result == {"moved": 3, "duplicates": 1}
    assert set(TopicFollow.objects.filter(tag=into).values_list("user__username", flat=True)) == {
        "sam",
        "editor",
    }
    assert {entry.page.pk for entry in topic_stream(tag=into).entries} == {post.pk, both.pk, lesson.pk}


def test_merge_keeps_the_tag_when_the_page_is_next_edited_from_its_latest_revision(make_post):
    post = make_post(tags=["Wiki"])
    make_post(tags=["Wikis"])
    # An unpublished draft: the editor will next edit from this revision, not the live page.
    post.title = "Wiki tips (draft)"
    post.save_revision()

    services.tag_merge(source=Tag.objects.get(name="Wiki"), into=Tag.objects.get(name="Wikis"))

    draft = type(post).objects.get(pk=post.pk).get_latest_revision_as_object()
    assert draft.title == "Wiki tips (draft)"
    assert [tag.name for tag in draft.tags.all()] == ["Wikis"]
    draft.save_revision().publish()
    assert tag_names(post) == ["Wikis"]


def test_merge_refuses_a_tag_into_itself(make_post):
    make_post(tags=["Wikis"])
    tag = Tag.objects.get(name="Wikis")

    with pytest.raises(services.ValidationError):
        services.tag_merge(source=tag, into=tag)
    assert Tag.objects.filter(pk=tag.pk).exists()


def test_rename_keeps_items_and_moves_the_address(make_post, make_lesson):
    post = make_post(tags=["datavis"])
    lesson = make_lesson(tags=["datavis"])
    tag = Tag.objects.get(name="datavis")

    services.tag_rename(tag=tag, name="  Data   visualisation ")

    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("Data visualisation", "data-visualisation")
    assert tag_names(post) == ["Data visualisation"]
    assert tag_names(LessonPage.objects.get(pk=lesson.pk)) == ["Data visualisation"]


def test_rename_to_another_topics_name_in_any_case_is_refused(make_post):
    make_post(tags=["Wikis", "wiki pages"])
    tag = Tag.objects.get(name="wiki pages")

    with pytest.raises(services.ValidationError, match="merge"):
        services.tag_rename(tag=tag, name="WIKIS")
    tag.refresh_from_db()
    assert tag.name == "wiki pages"


def test_rename_changing_only_the_case_is_allowed(make_post):
    make_post(tags=["python"])
    tag = Tag.objects.get(name="python")

    services.tag_rename(tag=tag, name="Python")

    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("Python", "python")


# --- Old addresses ------------------------------------------------------------------


def test_rename_keeps_the_old_address_for_the_topic_page_and_feed(client, make_post):
    make_post(tags=["datavis"])
    services.tag_rename(tag=Tag.objects.get(name="datavis"), name="Data visualisation")

    page = client.get("/topics/datavis/", {"after": "abc"})
    feed = client.get("/topics/datavis/feed/")

    assert (page.status_code, page["Location"]) == (301, "/topics/data-visualisation/?after=abc")
    assert (feed.status_code, feed["Location"]) == (301, "/topics/data-visualisation/feed/")
    assert client.get("/topics/data-visualisation/").status_code == 200


@pytest.mark.parametrize(
    ("address", "canonical"),
    [
        ("/topics/WIKIS/", "/topics/wikis/"),
        ("/topics/Wikis/feed/", "/topics/wikis/feed/"),
        ("/topics/%C3%89T%C3%89/", "/topics/%C3%A9t%C3%A9/"),  # ÉTÉ → été: beyond ASCII too
    ],
)
def test_an_address_in_another_letter_case_redirects_to_the_topic(client, make_post, address, canonical):
    make_post(tags=["Wikis", "Été"])

    response = client.get(address)

    assert (response.status_code, response["Location"]) == (301, canonical)


def test_merge_sends_the_merged_topics_addresses_and_its_older_ones_to_the_target(client, make_post):
    make_post(tags=["Spread sheet", "Spreadsheets"])
    source = Tag.objects.get(name="Spread sheet")
    services.tag_rename(tag=source, name="Spreadsheet")

    services.tag_merge(source=source, into=Tag.objects.get(name="Spreadsheets"))

    for old in ("/topics/spread-sheet/", "/topics/spreadsheet/", "/topics/SPREADSHEET/feed/"):
        assert client.get(old).status_code == 301, old
    assert client.get("/topics/spread-sheet/")["Location"] == "/topics/spreadsheets/"
    assert client.get("/topics/SPREADSHEET/feed/")["Location"] == "/topics/spreadsheets/feed/"
    assert set(TopicRedirect.objects.values_list("old_slug", "tag__name")) == {
        ("spread-sheet", "Spreadsheets"),
        ("spreadsheet", "Spreadsheets"),
    }


def test_renaming_back_to_an_old_address_serves_the_topic_there(client, make_post):
    make_post(tags=["Wiki"])
    tag = Tag.objects.get(name="Wiki")

    services.tag_rename(tag=tag, name="Wikis")
    services.tag_rename(tag=tag, name="Wiki")

    assert client.get("/topics/wiki/").status_code == 200
    assert client.get("/topics/wikis/")["Location"] == "/topics/wiki/"


def test_a_live_topic_wins_over_an_old_address(client, make_post):
    make_post(tags=["Wiki"])
    services.tag_rename(tag=Tag.objects.get(name="Wiki"), name="Wikis")
    make_post(tags=["wiki"])  # a new topic at the old address

    response = client.get("/topics/wiki/")

    assert response.status_code == 200
    assert response.context["tag"].name == "wiki"


def test_following_through_an_old_address_follows_the_topic(client, make_post, staff):
    make_post(tags=["Wiki"])
    tag = Tag.objects.get(name="Wiki")
    services.tag_rename(tag=tag, name="Wikis")
    client.force_login(staff)

    response = client.post("/topics/wiki/follow/", {"follow": "1"})

    assert (response.status_code, response["Location"]) == (302, "/topics/wikis/")
    assert TopicFollow.objects.get(user=staff).tag == tag


# --- Search after a rename or merge ----------------------------------------------


def search_titles(client, query: str) -> list[str]:
    """What the site search lists for ``query``: posts and lessons."""
    context = client.get("/search/", {"q": query}).context
    return [page.title for page in [*context["results"], *context["lessons"]]]


def test_search_finds_a_post_by_its_topics_new_name_once_the_rename_commits(
    client, make_post, django_capture_on_commit_callbacks
):
    make_post(title="Charts that tell the truth", tags=["datavis"])
    assert "Charts that tell the truth" not in search_titles(client, "visualisation")

    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.tag_rename(tag=Tag.objects.get(name="datavis"), name="Data visualisation")
    assert "Charts that tell the truth" not in search_titles(client, "visualisation")  # not committed yet

    for callback in queued:
        callback()
    assert "Charts that tell the truth" in search_titles(client, "visualisation")


def test_search_finds_a_merged_post_under_the_target_topic(
    client, make_post, django_capture_on_commit_callbacks
):
    make_post(title="Sharing a sheet", tags=["gsheets"])
    make_post(title="Formulas", tags=["Spreadsheets"])

    with django_capture_on_commit_callbacks(execute=True):
        services.tag_merge(source=Tag.objects.get(name="gsheets"), into=Tag.objects.get(name="Spreadsheets"))

    assert "Sharing a sheet" in search_titles(client, "spreadsheets")
    assert "Sharing a sheet" not in search_titles(client, "gsheets")
