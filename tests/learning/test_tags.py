import pytest
from taggit.models import Tag

from learning import services
from learning.models import CollectionPage, LessonPage, TopicFollow
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
