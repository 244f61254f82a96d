import json
from urllib.parse import urlencode

from django.urls import reverse, reverse_lazy

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

import pytest
from bs4 import BeautifulSoup
from taggit.models import Tag

from learning.models import CollectionPage, LessonPage, TopicFollow, TopicRedirect

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


def form_as_opened(html: str) -> dict[str, str]:
    """The values the admin's page form is sent with if nobody touches it (what a browser would post)."""
    form = BeautifulSoup(html, "html.parser").select_one("form#page-edit-form")
    data = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        if field.get("type") in ("submit", "checkbox", "radio"):
            continue
        if field.name == "textarea":
            data[field["name"]] = field.text
        elif field.name == "select":
            chosen = field.select_one("option[selected]")
            data[field["name"]] = chosen["value"] if chosen else ""
        else:
            data[field["name"]] = field.get("value", "")
    return data


def test_a_new_collection_opens_without_a_blank_item_and_saves_as_a_draft(client, editor, collection_index):
    client.force_login(editor)
    opened = client.get(add_url(CollectionPage, collection_index))
    data = form_as_opened(opened.content.decode())

    data.update(title="Start here", slug="start-here", description="The first things to read.")
    draft = client.post(add_url(CollectionPage, collection_index), data)

    assert data["items-TOTAL_FORMS"] == "0"
    assert draft.status_code == 302
    assert not CollectionPage.objects.get(slug="start-here").live


def test_publishing_an_empty_collection_asks_for_an_item(client, editor, collection_index, make_post):
    client.force_login(editor)
    data = form_as_opened(client.get(add_url(CollectionPage, collection_index)).content.decode())
    data.update(
        {"title": "Start here", "slug": "start-here", "description": "Read these.", "action-publish": "1"}
    )

    refused = client.post(add_url(CollectionPage, collection_index), data)
    post = make_post(title="Post A")
    data.update({"items-TOTAL_FORMS": "1", "items-0-page": str(post.pk), "items-0-ORDER": "1"})
    published = client.post(add_url(CollectionPage, collection_index), data)

    assert refused.status_code == 200
    assert (
        "Add at least one post or lesson to the collection before publishing it." in refused.content.decode()
    )
    assert published.status_code == 302
    assert [item.page_id for item in CollectionPage.objects.get(slug="start-here").items.all()] == [post.pk]


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


# --- Topics (tags) ---------------------------------------------------------------

TOPICS = "wagtailsnippets_taggit_tag"
MERGE_URL = reverse_lazy("wagtail_bulk_action", args=("taggit", "tag", "merge"))


def listing_rows(response) -> dict[str, tuple[str, str]]:
    """{name: (slug, usage)} for each row of the topic listing."""
    soup = BeautifulSoup(response.content, "html.parser")
    rows = {}
    for row in soup.select("table.listing tbody tr"):
        cells = row.find_all("td", recursive=False)
        name = row.select_one("td.title a[href*='/edit/']").get_text(strip=True)
        rows[name] = (cells[2].get_text(strip=True), cells[3].get_text(strip=True))
    return rows


def merge_url(*tags) -> str:
    return f"{MERGE_URL}?{urlencode([('id', tag.pk) for tag in tags])}"


def test_topic_list_shows_slugs_and_usage_counts(client, editor, make_post, make_lesson, make_collection):
    make_post(tags=["Wikis", "Risk"])
    make_lesson(tags=["wikis"])
    make_collection(tags=["Wikis"])
    Tag.objects.create(name="Unused", slug="unused")
    client.force_login(editor)

    response = client.get(reverse(f"{TOPICS}:list"))

    assert listing_rows(response) == {
        "Risk": ("risk", "1"),
        "Unused": ("unused", "0"),
        "Wikis": ("wikis", "3"),
    }


def test_topic_list_orders_by_usage(client, editor, make_post):
    make_post(tags=["Wikis", "Risk"])
    make_post(tags=["Wikis"])
    client.force_login(editor)

    response = client.get(reverse(f"{TOPICS}:list"), {"ordering": "-usage"})

    assert list(listing_rows(response)) == ["Wikis", "Risk"]


def test_topic_list_query_count_does_not_grow(client, editor, make_post, django_assert_max_num_queries):
    client.force_login(editor)

    def add(names):
        for name in names:
            make_post(tags=[name, "shared"])

    add(["topic-1"])  # with "shared": 2 topics
    with django_assert_max_num_queries(60) as small:
        assert client.get(reverse(f"{TOPICS}:list")).status_code == 200
    add([f"topic-{n}" for n in range(2, 10)])  # 10 topics
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse(f"{TOPICS}:list"))
    assert len(listing_rows(response)) == 10
    assert listing_rows(response)["shared"] == ("shared", "9")


def test_topic_search_finds_topics_by_name(client, editor, make_post):
    make_post(tags=["Wikis", "Wiki pages", "Risk"])
    client.force_login(editor)

    response = client.get(reverse(f"{TOPICS}:list"), {"q": "wiki"})

    assert set(listing_rows(response)) == {"Wikis", "Wiki pages"}


def menu_labels(node) -> list[str]:
    """Every menu item's label in Wagtail's sidebar props."""
    if isinstance(node, dict):
        return ([node["label"]] if "label" in node else []) + menu_labels(list(node.values()))
    if isinstance(node, list):
        return [label for item in node for label in menu_labels(item)]
    return []


def test_editors_see_the_topics_menu_item_and_pair_members_do_not(client, editor, pair):
    def sidebar(user):
        client.force_login(user)
        soup = BeautifulSoup(client.get(reverse("wagtailadmin_home")).content, "html.parser")
        return menu_labels(json.loads(soup.select_one("#wagtail-sidebar-props").string))

    assert "Topics" in sidebar(editor)
    assert "Images" in sidebar(pair.first_member) and "Topics" not in sidebar(pair.first_member)


def test_editor_renames_a_topic_in_the_admin_and_the_old_address_redirects(
    client, editor, make_post, django_capture_on_commit_callbacks
):
    make_post(tags=["datavis"])
    tag = Tag.objects.get(name="datavis")
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(f"{TOPICS}:edit", args=(tag.pk,)), {"name": "Data visualisation"})

    assert response.status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("Data visualisation", "data-visualisation")
    assert TopicRedirect.objects.get(old_slug="datavis").tag == tag
    old = client.get("/topics/datavis/")
    assert (old.status_code, old["Location"]) == (301, "/topics/data-visualisation/")


def test_renaming_to_an_existing_topic_in_another_case_shows_the_error(client, editor, make_post):
    make_post(tags=["Wikis", "wiki"])
    tag = Tag.objects.get(name="wiki")
    client.force_login(editor)

    response = client.post(reverse(f"{TOPICS}:edit", args=(tag.pk,)), {"name": "wikis"})

    assert response.status_code == 200
    assert "merge into it instead" in response.content.decode()
    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("wiki", "wiki")
    assert not TopicRedirect.objects.exists()


def test_renaming_to_the_exact_name_of_another_topic_says_to_merge(client, editor, make_post):
    make_post(tags=["Wikis", "wiki"])
    tag = Tag.objects.get(name="wiki")
    client.force_login(editor)

    response = client.post(reverse(f"{TOPICS}:edit", args=(tag.pk,)), {"name": "Wikis"})

    assert response.status_code == 200
    assert "merge into it instead" in response.content.decode()


def test_adding_a_topic_in_the_admin_refuses_another_case_of_an_existing_one(client, editor, make_post):
    make_post(tags=["Wikis"])
    client.force_login(editor)

    refused = client.post(reverse(f"{TOPICS}:add"), {"name": "WIKIS"})
    added = client.post(reverse(f"{TOPICS}:add"), {"name": "  Risk   appetite "})

    assert refused.status_code == 200 and "merge into it instead" in refused.content.decode()
    assert added.status_code == 302
    assert sorted(Tag.objects.values_list("name", "slug")) == [
        ("Risk appetite", "risk-appetite"),
        ("Wikis", "wikis"),
    ]


def test_editor_merges_topics_with_the_bulk_action(client, editor, make_post, make_lesson, staff):
    post = make_post(tags=["Spreadsheet"])
    lesson = make_lesson(tags=["Sheets", "Spreadsheets"])
    spreadsheet, sheets, into = (
        Tag.objects.get(name=name) for name in ("Spreadsheet", "Sheets", "Spreadsheets")
    )
    TopicFollow.objects.create(user=staff, tag=spreadsheet)
    client.force_login(editor)

    form = client.get(merge_url(spreadsheet, sheets, into))
    response = client.post(merge_url(spreadsheet, sheets, into), {"into": into.pk}, follow=True)

    assert form.status_code == 200 and "Merge into" in form.content.decode()
    assert (
        "Merged “Sheets” and “Spreadsheet” into “Spreadsheets”: "
        "1 item moved; 1 item already had “Spreadsheets”." in response.content.decode()
    )
    assert list(Tag.objects.values_list("name", flat=True)) == ["Spreadsheets"]
    assert [t.name for t in type(post).objects.get(pk=post.pk).tags.all()] == ["Spreadsheets"]
    assert [t.name for t in LessonPage.objects.get(pk=lesson.pk).tags.all()] == ["Spreadsheets"]
    assert TopicFollow.objects.get(user=staff).tag == into
    assert client.get("/topics/sheets/")["Location"] == "/topics/spreadsheets/"


def test_the_merge_message_counts_in_plain_english(client, editor, make_post):
    # The case a newcomer met: the one post carrying "wiki" also carried "Wikis".
    make_post(tags=["wiki", "Wikis"])
    wiki, wikis = Tag.objects.get(name="wiki"), Tag.objects.get(name="Wikis")
    client.force_login(editor)

    nothing_moved = client.post(merge_url(wiki, wikis), {"into": wikis.pk}, follow=True).content.decode()
    make_post(tags=["Sheets"])
    make_post(tags=["Sheets"])
    sheets, into = Tag.objects.get(name="Sheets"), Tag.objects.get(name="Wikis")
    two_moved = client.post(merge_url(sheets, into), {"into": into.pk}, follow=True).content.decode()

    assert "Merged “wiki” into “Wikis”: no items moved; 1 item already had “Wikis”." in nothing_moved
    assert "Merged “Sheets” into “Wikis”: 2 items moved." in two_moved
    assert "item(s)" not in nothing_moved + two_moved


def test_merging_a_topic_only_into_itself_is_refused(client, editor, make_post):
    make_post(tags=["Wikis", "Risk"])
    wikis = Tag.objects.get(name="Wikis")
    client.force_login(editor)

    response = client.post(merge_url(wikis), {"into": wikis.pk})

    assert response.status_code == 200
    assert "Choose a topic other than the one selected" in response.content.decode()
    assert Tag.objects.count() == 2


def test_pair_members_cannot_manage_topics(client, pair, make_post):
    make_post(tags=["Wikis", "Risk"])
    wikis, risk = Tag.objects.get(name="Wikis"), Tag.objects.get(name="Risk")
    client.force_login(pair.first_member)

    # Wagtail turns a refused admin view into a redirect to the dashboard.
    refusals = [
        client.get(reverse(f"{TOPICS}:list")),
        client.post(reverse(f"{TOPICS}:edit", args=(wikis.pk,)), {"name": "X"}),
        client.post(reverse(f"{TOPICS}:delete", args=(wikis.pk,))),
        client.get(merge_url(wikis, risk)),
        client.post(merge_url(wikis, risk), {"into": risk.pk}),
    ]

    assert [(r.status_code, r["Location"]) for r in refusals] == [(302, "/admin/")] * len(refusals)
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Risk", "Wikis"]


def test_pair_members_edit_their_own_pairs_lessons_only(client, pair, other_pair, make_lesson):
    own = make_lesson(pair=pair)
    theirs = make_lesson(pair=other_pair)
    client.force_login(pair.first_member)

    assert client.get(reverse("wagtailadmin_pages:edit", args=(own.pk,))).status_code == 200
    refused = client.get(reverse("wagtailadmin_pages:edit", args=(theirs.pk,)))
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
