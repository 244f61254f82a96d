"""axe-core finds no accessibility violation on the public pages, and the
keyboard reaches the content first.

axe-core ships inside the ``axe-playwright-python`` test dependency; every rule
it runs by default is checked (WCAG 2.x A and AA plus its best practices:
landmarks, heading order, link names...).
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

AXE = Axe()

PUBLIC_PAGES = [
    "/",
    "/blog/",
    "/pairs/",
    "/pairs/amira-and-ben/",
    "/search/?q=wiki",
    "/accounts/login/",
    "/topics/wikis/",
    "/requests/",
    "/requests/?sort=status&topic=wikis",
    # The demo's answered request: its answer, votes and conversation.
    "/requests/why-did-the-credit-memos-move-to-the-wiki/",
    "/questions/",
    "/questions/?topic=no-such-topic",
    "/topics/",
    "/lessons/",
    "/collections/",
]
# The demo's open request: sam votes, amira may claim it, the editor may decline it.
OPEN_REQUEST = "/requests/how-do-we-keep-client-notes-in-the-wiki-without-breaking/"


@pytest.fixture(scope="module")
def post_path(browser, server_url):
    """The path of the newest demo post, as the blog index links to it."""
    context = browser.new_context(base_url=server_url)
    page = context.new_page()
    page.goto("/blog/")
    href = page.locator("main article h2 a, main article h3 a").first.get_attribute("href")
    context.close()
    assert href
    return href


def assert_no_violations(page, path):
    response = page.goto(path)
    assert response is not None
    # A filter that does not validate answers 400 with the form and its message: checked too.
    assert response.ok or "no-such" in path, f"{path} answered {response.status}"
    if page.locator("section.thread").count():
        # Check the thread as the script renders it live, not only the server's HTML.
        page.locator("section.thread.thread--live").wait_for(timeout=10_000)
    results = AXE.run(page)
    assert results.violations_count == 0, f"{path}\n{results.generate_report()}"


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_axe_violations(page, path):
    assert_no_violations(page, path)


def test_post_page_has_no_axe_violations(page, post_path):
    assert_no_violations(page, post_path)


def dark_page(new_page):
    """A page whose browser prefers the dark colour scheme, as the stylesheet finds it does."""
    page = new_page(color_scheme="dark")
    page.goto("/accounts/login/")
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    # The stylesheet follows: a dark page behind light text (not the light scheme's paper).
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert background == "rgb(17, 19, 26)", background
    return page


def test_public_pages_in_the_dark_colour_scheme_have_no_axe_violations(new_page, post_path):
    """One context for all of them, so the dark scheme costs axe's runs and little else."""
    page = dark_page(new_page)
    for path in [*PUBLIC_PAGES, post_path]:
        assert_no_violations(page, path)


def test_signed_in_pages_in_the_dark_colour_scheme_have_no_axe_violations(new_page, login, post_path):
    """A thread with its forms and pressed reactions, and the pressed "Following" button."""
    page = dark_page(new_page)
    login(page, "sam")
    for path in ["/", post_path, "/topics/wikis/", "/people/amira/", "/me/notifications/"]:
        assert_no_violations(page, path)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "post",
        "/me/profile/",
        "/people/",
        "/people/?teaches=credit-risk",
        "/people/amira/",
        "/topics/wikis/",  # sam follows it: the pressed "Following" button
        "/topics/data-literacy/",  # and not this one: "Follow"
    ],
)
def test_signed_in_page_has_no_axe_violations(page, login, post_path, path):
    login(page, "sam")
    assert_no_violations(page, post_path if path == "post" else path)
    assert page.get_by_role("button", name="Sign out").is_visible()


def test_follow_and_following_buttons_look_different(page, login):
    login(page, "sam")
    looks = {}
    for path in ("/topics/data-literacy/", "/topics/wikis/"):
        page.goto(path)
        button = page.locator(".follow-form button")
        looks[button.get_attribute("aria-pressed")] = button.evaluate(
            "b => { const s = getComputedStyle(b); return [s.backgroundColor, s.color, s.borderTopColor]; }"
        )

    assert set(looks) == {"false", "true"}
    follow, following = looks["false"], looks["true"]
    assert follow[0] != following[0] and follow[1] != following[1], looks


@pytest.mark.parametrize(
    ("who", "path"),
    [("sam", OPEN_REQUEST), ("sam", "/requests/ask/"), ("amira", OPEN_REQUEST), ("editor", OPEN_REQUEST)],
)
def test_request_pages_with_their_forms_have_no_axe_violations(page, login, who, path):
    login(page, who)
    assert_no_violations(page, path)
    assert page.locator("main form").count() >= 1


@pytest.mark.parametrize(
    "path", ["/questions/", "/questions/?asked=me", "/pairs/amira-and-ben/", "/me/notifications/", "post"]
)
def test_a_hosts_pages_have_no_axe_violations(page, login, post_path, path):
    """As Amira: the questions asked of her, her pair's page, and a post with answer buttons."""
    login(page, "amira")
    assert_no_violations(page, post_path if path == "post" else path)


def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.className, document.activeElement.textContent]")
    assert focused == ["skip-link", "Skip to content"]
    assert page.locator(".skip-link").is_visible(), "the focused skip link must be visible"

    page.keyboard.press("Enter")

    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")


def test_axe_reports_what_it_finds(browser):
    """Guards the checks above: a page with a known fault must not pass."""
    page = browser.new_page()
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"></main></html>')

    results = AXE.run(page)
    page.close()

    assert "image-alt" in {violation["id"] for violation in results.response["violations"]}


def test_topic_type_ahead_suggests_and_fills_in_from_the_keyboard(page, login):
    login(page, "sam")
    page.goto("/me/profile/")
    field = page.get_by_label("I can teach")
    field.fill("")
    field.press_sequentially("Client negotiation, wik")
    option = page.get_by_role("option", name="Wikis")
    option.wait_for(timeout=5_000)
    assert field.get_attribute("aria-expanded") == "true"
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()
    field.press("ArrowDown")
    field.press("Enter")
    assert field.input_value() == "Client negotiation, Wikis, "
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url("**/people/sam/")
    assert page.get_by_role("link", name="Wikis").first.is_visible()
