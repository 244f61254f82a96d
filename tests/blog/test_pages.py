import pytest

from blog.models import BlogIndexPage, BlogPostPage

pytestmark = pytest.mark.django_db


def test_post_page_credits_both_members_and_shows_body(client, make_post):
    post = make_post(title="Tagging the wiki", tags=["Wikis", "Lending"])

    response = client.get(post.url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Amira Haddad and Ben Okafor" in html
    assert "We paired and we learned." in html
    assert "/topics/wikis/" in html


def test_index_lists_posts_newest_first(client, make_post, blog_index):
    import datetime

    make_post(title="Older", date=datetime.date(2026, 1, 1))
    make_post(title="Newer", date=datetime.date(2026, 2, 1))

    html = client.get(blog_index.url).content.decode()

    assert html.index("Newer") < html.index("Older")


def test_unknown_path_is_404(client, home):
    assert client.get("/no-such-page/").status_code == 404


def test_index_query_count_does_not_grow_with_posts(
    client, make_post, blog_index, django_assert_max_num_queries
):
    for n in range(5):
        make_post(tags=[f"topic-{n}", "shared"])
    with django_assert_max_num_queries(20) as small:
        client.get(blog_index.url)
    for n in range(45):
        make_post(tags=[f"topic-{n}", "shared"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(blog_index.url)


def test_page_types(home):
    assert BlogIndexPage.parent_page_types == ["home.HomePage"]
    assert BlogPostPage.allowed_parent_page_models() == [BlogIndexPage]
