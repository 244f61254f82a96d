import pytest
from bs4 import BeautifulSoup

from learning import services
from learning.models.progress import collection_progress
from learning.selectors import collection_list, collections_in_progress

pytestmark = pytest.mark.django_db


@pytest.fixture
def path(make_post, make_lesson, make_collection):
    """A collection of post, lesson, post, lesson, in that order."""
    items = [
        make_post(title="First post"),
        make_lesson(title="Second lesson"),
        make_post(title="Third post"),
        make_lesson(title="Fourth lesson"),
    ]
    return make_collection(title="Getting started", pages=items), items


def test_items_keep_the_editors_order_with_their_type(path, staff):
    collection, items = path

    progress = collection_progress(collection=collection, user=staff)

    assert [entry.page.pk for entry in progress.entries] == [page.pk for page in items]
    assert [entry.kind for entry in progress.entries] == ["post", "lesson", "post", "lesson"]


def test_progress_counts_read_posts_and_done_lessons_and_continues_at_the_first_unfinished(path, staff):
    collection, (post1, lesson2, _, lesson4) = path
    services.post_mark_read(user=staff, post=post1)
    services.lesson_complete(user=staff, lesson=lesson4)

    progress = collection_progress(collection=collection, user=staff)

    assert (progress.done_count, progress.total) == (2, 4)
    assert [entry.done for entry in progress.entries] == [True, False, False, True]
    assert progress.next_entry.page.pk == lesson2.pk


def test_collection_page_shows_progress_continue_link_and_done_marks(client, path, staff):
    collection, (post1, lesson2, *_) = path
    services.post_mark_read(user=staff, post=post1)
    client.force_login(staff)

    soup = BeautifulSoup(client.get(collection.url).content, "html.parser")

    assert "1 of 4 done" in soup.get_text()
    continue_link = soup.find("a", string=lambda text: text and text.startswith("Continue"))
    assert continue_link["href"] == lesson2.url
    done = [li.h3.get_text(strip=True) for li in soup.select("li.collection-item--done")]
    assert done == ["First post"]


def test_marking_a_post_read_from_the_collection_counts_it(client, path, staff):
    collection, (post1, *_) = path
    client.force_login(staff)

    response = client.post(f"/me/read/{post1.pk}/", {"next": collection.url}, follow=True)

    assert "1 of 4 done" in response.content.decode()


def test_finished_collection_has_no_continue_link(client, path, staff):
    collection, (post1, lesson2, post3, lesson4) = path
    for post in (post1, post3):
        services.post_mark_read(user=staff, post=post)
    for lesson in (lesson2, lesson4):
        services.lesson_complete(user=staff, lesson=lesson)
    client.force_login(staff)

    html = client.get(collection.url).content.decode()

    assert "4 of 4 done" in html
    assert "Continue" not in html and "You have finished this collection." in html


def test_unpublished_items_are_left_out_of_the_count(path, staff):
    collection, (_, _, post3, _) = path
    post3.unpublish()

    progress = collection_progress(collection=collection, user=staff)
    (summary,) = collection_list(user=staff)

    assert progress.total == 3 and summary.total == 3


def test_signed_out_readers_see_items_without_progress(client, path):
    collection, _ = path

    html = client.get(collection.url).content.decode()

    assert "Third post" in html
    assert "of 4 done" not in html and "Sign in" in html


def test_collections_in_progress_lists_started_unfinished_ones(make_post, make_collection, staff):
    a, b, c = make_post(), make_post(), make_post()
    started = make_collection(title="Started", pages=[a, b])
    make_collection(title="Finished", pages=[c])
    make_collection(title="Untouched", pages=[b])
    services.post_mark_read(user=staff, post=a)
    services.post_mark_read(user=staff, post=c)

    assert [s.collection.pk for s in collections_in_progress(user=staff)] == [started.pk]


def test_collection_index_lists_featured_first(client, make_post, make_collection, collection_index):
    post = make_post()
    make_collection(title="Alpha", pages=[post])
    make_collection(title="Zulu featured", featured=True, pages=[post])

    html = client.get(collection_index.url).content.decode()

    assert html.index("Zulu featured") < html.index("Alpha")


@pytest.mark.parametrize("who", ["signed out", "signed in"])
def test_collection_pages_query_count_does_not_grow(
    client,
    make_post,
    make_lesson,
    make_collection,
    collection_index,
    staff,
    who,
    page_cache_off,
    django_assert_max_num_queries,
):
    if who == "signed in":
        client.force_login(staff)

    def add(count):
        pages = [(make_post if n % 2 else make_lesson)(tags=[f"t{n}"]) for n in range(count)]
        return make_collection(pages=pages)

    small_collection = add(5)
    with django_assert_max_num_queries(40) as small:
        client.get(small_collection.url)
    with django_assert_max_num_queries(40) as small_index:
        client.get(collection_index.url)
    big_collection = add(50)
    for _ in range(4):
        add(5)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(big_collection.url)
    with django_assert_max_num_queries(len(small_index.captured_queries)):
        client.get(collection_index.url)
