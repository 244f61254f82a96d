"""Learning reactions on a post, sent with fetch: the count follows, and a zero is not shown."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_threads import first_post_path

pytestmark = pytest.mark.browser


def test_a_reaction_is_set_and_taken_back_without_a_reload(page, login):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, "sam")
    page.goto(first_post_path(page))
    form = page.locator('[data-page-reaction="insightful"]')
    button, count = form.get_by_role("button"), form.locator("[data-page-reaction-count]")
    before = int(count.text_content())
    if before == 0:
        expect(count).to_be_hidden()
    page.evaluate("window.notReloaded = true")

    button.click()

    expect(button).to_have_attribute("aria-pressed", "true")
    expect(count).to_have_text(str(before + 1))
    expect(count).to_be_visible()
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(count).to_have_text(str(before))
    if before == 0:
        expect(count).to_be_hidden()
    assert page.evaluate("window.notReloaded") is True
    assert errors == []
