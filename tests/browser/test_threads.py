"""Two people in one post's thread, in two real browsers, through a real daphne."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.live_server import manage

pytestmark = pytest.mark.browser


def first_post_path(page) -> str:
    page.goto("/blog/")
    href = page.locator("main article h2 a, main article h3 a").first.get_attribute("href")
    assert href
    return href


def comment_with(page, text: str):
    return page.locator("[data-thread-comments] li.comment", has_text=text)


def drawn_icon(button) -> dict:
    """The size, mask and colour of a reaction button's icon (its ::before)."""
    return button.evaluate(
        """button => {
          const icon = getComputedStyle(button, "::before");
          return {
            width: parseFloat(icon.width) || 0, height: parseFloat(icon.height) || 0,
            mask: icon.maskImage || icon.webkitMaskImage, colour: icon.backgroundColor,
          };
        }"""
    )


def post_comment(page, text: str) -> None:
    page.get_by_label("Add to the conversation").fill(text)
    page.get_by_role("button", name="Post comment").click()


def test_comments_reactions_and_replies_arrive_live_and_survive_a_restart(
    new_page, login, daphne_server, demo_database_url
):
    sam, amira = new_page(), new_page()
    errors: list[str] = []
    for page in (sam, amira):
        page.on("pageerror", lambda error: errors.append(str(error)))
    login(sam, "sam")
    login(amira, "amira")
    path = first_post_path(sam)
    for page in (sam, amira):
        page.goto(path)
        expect(page.locator("section.thread.thread--live")).to_be_visible()

    # A comment appears for the other person without a reload, and "who is here" counts both.
    expect(sam.locator("[data-thread-presence]")).to_contain_text("2 people here now")
    post_comment(sam, "Does the **tag cloud** help new joiners?")
    expect(comment_with(amira, "Does the tag cloud help new joiners?")).to_have_count(1)
    expect(amira.get_by_text(re.compile("New comment from Sam"))).to_have_count(1)
    expect(sam.get_by_label("Add to the conversation")).to_have_value("")

    # A reaction and a reply, live in the other browser.
    question = comment_with(amira, "Does the tag cloud help").first
    question.get_by_role("button", name=re.compile("^Learned something")).click()
    learned = comment_with(sam, "Does the tag cloud help").first.locator('button[value$=":learned"]')
    expect(learned).to_have_text("Learned something 1")
    question.get_by_text("Reply", exact=True).click()
    question.get_by_label(re.compile("^Reply to")).fill("It does, once the tags are tidy.")
    question.get_by_role("button", name="Post reply").click()
    expect(sam.locator(".comment__replies", has_text="It does, once the tags are tidy.")).to_have_count(1)

    # Typing shows for the other person.
    amira.get_by_label("Add to the conversation").press_sequentially("hm")
    expect(sam.locator("[data-thread-typing]")).to_contain_text("Amira Haddad is typing")

    # The server goes away; a comment is written meanwhile; the client catches up exactly once.
    daphne_server.stop()
    expect(sam.locator("section.thread.thread--live")).to_have_count(0)
    manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; from wagtail.models import Page; "
        "from blog.threads.services import comment_create; "
        f"page = Page.objects.get(url_path__endswith={path.strip('/').split('/')[-1]!r} + '/'); "
        "comment_create(page=page, user=get_user_model().objects.get(username='ben'), "
        "body='Written while you were away', client_id='while-away')",
        database_url=demo_database_url,
    )
    daphne_server.start()
    expect(comment_with(sam, "Written while you were away")).to_have_count(1, timeout=20_000)
    expect(comment_with(sam, "Does the tag cloud help new joiners?")).to_have_count(1)
    sam.wait_for_timeout(1500)  # a late duplicate would show up now
    expect(comment_with(sam, "Written while you were away")).to_have_count(1)
    assert errors == []


def test_thread_works_without_javascript(new_page, login):
    page = new_page(java_script_enabled=False)
    login(page, "sam")
    page.goto(first_post_path(page))

    post_comment(page, "Posted with JavaScript off")

    assert re.search(r"#comment-\d+$", page.url)
    expect(comment_with(page, "Posted with JavaScript off")).to_have_count(1)


def test_live_reactions_are_drawn_icons_with_text_labels(new_page, login):
    page = new_page()
    login(page, "sam")
    page.goto(first_post_path(page))
    expect(page.locator("section.thread.thread--live")).to_be_visible()

    post_comment(page, "Icons, not emoji boxes?")
    comment = comment_with(page, "Icons, not emoji boxes?").first
    button = comment.get_by_role("button", name=re.compile("^Insightful"))

    expect(button).to_have_accessible_name("Insightful 0")
    expect(button).to_have_text(re.compile(r"^\s*Insightful\s+0\s*$"))
    # The stylesheet draws the icon (a mask on the button's ::before): it has a
    # size and a mask, and the button looks different with an empty mask.
    icon = drawn_icon(button)
    assert icon["width"] > 0 and icon["height"] > 0, icon
    assert icon["mask"].startswith('url("data:image/svg+xml'), icon
    with_icon = button.screenshot()
    empty = "url(\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E\")"
    button.evaluate("(button, empty) => button.style.setProperty('--reaction-icon', empty)", empty)
    assert button.screenshot() != with_icon
    button.evaluate("button => button.style.removeProperty('--reaction-icon')")
    # Pressed, it is drawn filled, in another colour.
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_have_accessible_name("Insightful 1")
    pressed = drawn_icon(button)
    assert pressed["mask"] != icon["mask"] and pressed["colour"] != icon["colour"], (icon, pressed)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_a_reply_opened_from_its_link_keeps_its_text_when_the_thread_goes_live(new_page, login):
    page = new_page()
    login(page, "sam")
    page.goto(first_post_path(page))
    comment = page.locator("[data-thread-comments] > li.comment").first
    comment_id = comment.get_attribute("data-comment-id")

    page.goto(f"{page.url.split('#')[0]}?reply={comment_id}")
    reply = page.locator(f"#reply-{comment_id}")
    reply.fill("Written before or after the socket opened")
    expect(page.locator("section.thread.thread--live")).to_be_visible()

    # Drawn again live, in its place: still open, with what was typed.
    expect(reply).to_be_visible()
    expect(reply).to_have_value("Written before or after the socket opened")
    page.get_by_role("button", name="Post reply").click()
    expect(
        page.locator(".comment__body", has_text="Written before or after the socket opened")
    ).to_have_count(1)
